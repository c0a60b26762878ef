package cmd

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// The exact texts of messages that were once wrong: a doubled prefix, a
// zero duration written "0", backticks in completions, a failed node
// counted as a primary, "1 replicas", and "Interrupted." alone.

func TestInvalidURIMessage(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"redis://host:99999", `Invalid URI: port "99999": must be a number from 1 to 65535` + "\n"},
		{"http://host", `Invalid URI: unknown scheme "http": the scheme must be redis://, rediss:// or unix:// (redis-sentinel:// or rediss-sentinel:// for Sentinel)` + "\n"},
		{"redis://h/x", `Invalid URI: db "x": must be a non-negative number` + "\n"},
	} {
		r := runRedish(t, nil, "", "-u", tc.uri, "PING")
		if r.code != 1 || r.out != "" || r.err != tc.want {
			t.Errorf("-u %s: exit %d, stdout %q\nstderr %q\nwant   %q", tc.uri, r.code, r.out, r.err, tc.want)
		}
	}
}

func TestPrintConfigDurations(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the line, up to the aligned comment
	}{
		{nil, `retry-deadline = "0s" +# default`},
		{[]string{"--retry-deadline", "1.5"}, `retry-deadline = "1.5s" +# command line`},
		{nil, `timeout = "0s" +# default`},
	} {
		r := runRedish(t, nil, "", append([]string{"--no-config", "--print-config"}, tc.args...)...)
		if re := regexp.MustCompile("(?m)^" + tc.want + "$"); r.code != 0 || !re.MatchString(r.out) {
			t.Errorf("%q: exit %d, no line %s in\n%s", tc.args, r.code, re, r.out)
		}
	}
}

func TestCompletionDescriptionsHaveNoBackticks(t *testing.T) {
	r := runRedish(t, nil, "", "__complete", "--retry-dead")
	if want := "--retry-deadline\tGive up retrying once duration has passed since the first attempt\n:4\n"; r.code != 0 || r.out != want {
		t.Errorf("__complete --retry-dead: exit %d, stdout %q, want %q", r.code, r.out, want)
	}
	r = runRedish(t, nil, "", "__complete", "--")
	if r.code != 0 || !strings.Contains(r.out, "--config\tRead settings from file ") || strings.Contains(r.out, "`") {
		t.Errorf("__complete --: exit %d, backticks or no --config in\n%s", r.code, r.out)
	}
}

// signalWriter is an output that closes seen once what it was written
// holds want.
type signalWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, seen: make(chan struct{})}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.b.String(), w.want)
	w.b.Write(p)
	if !had && strings.Contains(w.b.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// interruptAfter runs redish in-process and cancels its context, as
// SIGINT does, once ready is closed; it returns the exit code.
func interruptAfter(t *testing.T, ios *IOStreams, ready <-chan struct{}, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-ready:
			cancel()
		case <-time.After(waitTimeout):
			t.Errorf("redish %q: never ready to interrupt", args)
			cancel()
		}
	}()
	return Run(ctx, args, ios)
}

func TestInterruptedSaysWhat(t *testing.T) {
	t.Run("a retry loop", func(t *testing.T) {
		s := redistest.Start(t)
		port := strconv.Itoa(s.Port)
		s.Stop()
		ios, _, _ := Test("")
		errOut := newSignalWriter("retry 1/3 in 10s after ConnectionError")
		ios.ErrOut = errOut
		code := interruptAfter(t, ios, errOut.seen, "-p", port, "--retries", "3", "--retry-backoff", "constant", "--retry-backoff-base", "10s", "--verbose", "PING")
		lines := stderrLines(errOut.String())
		want := "Interrupted while running PING after 1 attempt; last error: Could not connect to Redis at 127.0.0.1:" + port + ": Connection refused"
		if code != 130 || lines[len(lines)-1] != want {
			t.Errorf("exit %d, stderr %q\nwant last line %q", code, errOut.String(), want)
		}
	})

	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	// blocked is closed once the server has a client blocked in BLPOP.
	blocked := func() <-chan struct{} {
		ch := make(chan struct{})
		go func() {
			defer close(ch)
			deadline := time.Now().Add(waitTimeout)
			for time.Now().Before(deadline) {
				if v, err := s.Call("INFO", "clients"); err == nil && strings.Contains(v.Text(), "blocked_clients:1\r\n") {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		return ch
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"a command", "", []string{"blpop", "interrupted:list", "0"}, "Interrupted while running BLPOP.\n"},
		{"commands from stdin", "PING\nBLPOP interrupted:list 0\n", nil, "Interrupted while running commands read from stdin.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, errOut := Test(tc.stdin)
			code := interruptAfter(t, ios, blocked(), append([]string{"-p", port}, tc.args...)...)
			if code != 130 || errOut.String() != tc.want {
				t.Errorf("exit %d, stderr %q, want 130 and %q", code, errOut.String(), tc.want)
			}
		})
	}
}
