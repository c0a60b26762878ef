package cmd

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"
)

// streamTimeout bounds every wait on a streamed run.
const streamTimeout = 60 * time.Second

// stream is redish running in-process on pipes: the test writes stdin
// as it goes and reads the replies as they come.
type stream struct {
	in     *io.PipeWriter
	lines  chan string
	done   chan struct{}
	code   int
	mu     sync.Mutex
	errBuf bytes.Buffer
}

func (s *stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errBuf.Write(p)
}

// startStream runs redish with args, stdin and stdout on pipes.
func startStream(t *testing.T, args ...string) *stream {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &stream{in: inW, lines: make(chan string, 1024), done: make(chan struct{})}
	ios := &IOStreams{In: inR, Out: outW, ErrOut: s, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
	go func() {
		defer close(s.done)
		s.code = Run(ctx, args, ios)
		outW.Close()
		inR.Close()
	}()
	go func() {
		defer close(s.lines)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		outR.Close()
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		<-s.done
		for range s.lines {
		}
	})
	return s
}

func (s *stream) send(t *testing.T, text string) {
	t.Helper()
	if _, err := io.WriteString(s.in, text); err != nil {
		t.Fatalf("writing to redish: %v", err)
	}
}

func (s *stream) closeInput() { s.in.Close() }

// readLines reads n lines of output.
func (s *stream) readLines(t *testing.T, n int) []string {
	t.Helper()
	timer := time.NewTimer(streamTimeout)
	defer timer.Stop()
	var out []string
	for len(out) < n {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("output ended after %d of %d lines: %q\nstderr:\n%s", len(out), n, out, s.stderr())
			}
			out = append(out, l)
		case <-timer.C:
			t.Fatalf("no output after %v: %q\nstderr:\n%s", streamTimeout, out, s.stderr())
		}
	}
	return out
}

// readAll reads the output until redish closes it.
func (s *stream) readAll(t *testing.T) []string {
	t.Helper()
	timer := time.NewTimer(streamTimeout)
	defer timer.Stop()
	var out []string
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				return out
			}
			out = append(out, l)
		case <-timer.C:
			t.Fatalf("output not closed after %v: %q\nstderr:\n%s", streamTimeout, out, s.stderr())
		}
	}
}

// wait waits for the run to end and returns its exit code and stderr.
func (s *stream) wait(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(streamTimeout):
		t.Fatalf("redish still running after %v", streamTimeout)
	}
	return s.code, s.stderr()
}

func (s *stream) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errBuf.String()
}
