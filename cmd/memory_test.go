package cmd

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/resp"
)

// replyShape is a reply a hostile server sends: write puts it on the
// wire and returns how many bytes it wrote (the connection is closed
// after it, or earlier by redish).
type replyShape struct {
	name  string
	write func(w io.Writer) (int64, error)
	// perByte is the bound on peak memory per byte received, on top of
	// memAllowance.
	perByte int64
	// stderr is a part of the message redish prints for it; "" for a
	// complete reply, which redish prints.
	stderr string
}

// repeatWriter writes head, then unit n times, then tail.
func repeatWriter(head, unit, tail string, n int) func(io.Writer) (int64, error) {
	return func(w io.Writer) (int64, error) {
		bw := bufio.NewWriterSize(w, 64<<10)
		total, err := bw.WriteString(head)
		if err != nil {
			return int64(total), err
		}
		block := []byte(strings.Repeat(unit, max(1, (32<<10)/len(unit))))
		per := len(block) / len(unit)
		for i := 0; i < n; i += per {
			k := min(per, n-i) * len(unit)
			m, err := bw.Write(block[:k])
			total += m
			if err != nil {
				return int64(total), err
			}
		}
		m, err := bw.WriteString(tail)
		total += m
		if err != nil {
			return int64(total), err
		}
		return int64(total), bw.Flush()
	}
}

// memAllowance is what redish may use whatever the reply: the Go runtime,
// the binary, buffers, the reader's fixed allowance.
const memAllowance = 40 << 20

// TestHostileRepliesMemory: whatever lengths and counts a server
// declares, redish's peak memory (VmHWM of the real process) stays within
// a constant factor of the bytes that really arrive plus a fixed
// allowance: aggregates that declare 2^30 elements and send millions of
// the smallest ones, streamed strings and aggregates, a line that never
// ends, a bulk that declares 512 MiB.
//
// The server sends the reply on the first connection and closes it;
// redish, told to retry once, dials again: that second connection is the
// event after which the reply has been read, and the peak is taken while
// redish waits on it.
func TestHostileRepliesMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("sends hundreds of MiB to the real binary")
	}
	const n = 1 << 20 // elements: 3-4 MiB of the smallest elements
	const eof = "unexpected EOF"
	shapes := []replyShape{
		{"array of nulls", repeatWriter("*1073741824\r\n", "_\r\n", "", n), 64, eof},
		{"array of empty arrays", repeatWriter("*1073741824\r\n", "*0\r\n", "", n), 64, eof},
		{"map of nulls", repeatWriter("%1073741824\r\n", "_\r\n", "", n), 64, eof},
		{"set of integers", repeatWriter("~1073741824\r\n", ":1\r\n", "", n), 64, eof},
		{"complete array of nulls", repeatWriter("*"+strconv.Itoa(n)+"\r\n", "_\r\n", "", n), 64, ""},
		{"nested declared counts", repeatWriter("", "*1000\r\n", "", 127), 64, eof},
		{"streamed array of nulls", repeatWriter("*?\r\n", "_\r\n", "", n), 64, eof},
		{"complete streamed array of nulls", repeatWriter("*?\r\n", "_\r\n", ".\r\n", n), 64, ""},
		{"streamed string", repeatWriter("$?\r\n", ";65536\r\n"+strings.Repeat("s", 65536)+"\r\n", "", 512), 3, eof},
		{"complete streamed string", repeatWriter("$?\r\n", ";65536\r\n"+strings.Repeat("s", 65536)+"\r\n", ";0\r\n", 512), 3, ""},
		{"streamed string of small chunks", repeatWriter("$?\r\n", ";16\r\n"+strings.Repeat("s", 16)+"\r\n", "", n), 3, eof},
		{"status line without end", repeatWriter("+", strings.Repeat("x", 1024), "", 64<<10), 0, "line longer than 1048576 bytes"},
		{"error line without end", repeatWriter("-", strings.Repeat("x", 1024), "", 64<<10), 0, "line longer than 1048576 bytes"},
		{"bulk declaring 512 MiB", repeatWriter("$536870912\r\n", strings.Repeat("b", 1024), "", 32<<10), 2, eof},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			srv := hostileServer(t, sh.write)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd, stdout, stderr := startPiped(t, ctx, "-p", strconv.Itoa(srv.port), "--retries", "1", "--verbose", "GET", "k")
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			// A complete reply is printed once it has been read: its first
			// byte on stdout is the event, and redish then blocks writing
			// to the pipe the test stops reading. An incomplete one ends
			// with the connection, and redish dials again.
			printed := make(chan error, 1)
			go func() {
				var first [1]byte
				_, err := io.ReadFull(stdout, first[:])
				printed <- err
			}()
			var sent int64
			select {
			case sent = <-srv.read:
			case err := <-printed:
				if sh.stderr != "" || err != nil {
					t.Fatalf("redish printed a reply (%v); stderr %q", err, stderr.String())
				}
				sent = <-srv.sent
			case <-ctx.Done():
				t.Fatalf("redish neither printed the reply nor dialed again; stderr %q", stderr.String())
			}
			peak, err := peakRSS(cmd.Process.Pid)
			if err != nil {
				t.Skipf("no peak RSS on this system: %v", err)
			}
			cmd.Process.Kill()
			cmd.Wait()
			limit := sh.perByte*sent + memAllowance
			t.Logf("%d bytes sent, peak RSS %.1f MiB (%.1f bytes per byte sent), bound %.1f MiB",
				sent, float64(peak)/(1<<20), float64(peak)/float64(max(sent, 1)), float64(limit)/(1<<20))
			if peak > limit {
				t.Errorf("peak RSS %.1f MiB for %d bytes sent, want at most %.1f MiB (%d per byte + %d MiB)",
					float64(peak)/(1<<20), sent, float64(limit)/(1<<20), sh.perByte, memAllowance>>20)
			}
			if !strings.Contains(stderr.String(), sh.stderr) || (sh.stderr == "") != (stderr.Len() == 0) {
				t.Errorf("stderr %q, want it to say %q", stderr.String(), sh.stderr)
			}
		})
	}
}

// startPiped starts the redish binary with args, its stdout a pipe the
// caller reads and its stderr collected.
func startPiped(t *testing.T, ctx context.Context, args ...string) (*exec.Cmd, io.ReadCloser, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, redishBin, args...)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stdout, stderr
}

// hostile is a server that answers the first command of its first
// connection with a reply shape and closes it. sent delivers the bytes
// written, and read delivers them too once a second connection arrives
// (the client has finished with the first).
type hostile struct {
	port       int
	sent, read chan int64
}

func hostileServer(t *testing.T, write func(io.Writer) (int64, error)) *hostile {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hostile{port: ln.Addr().(*net.TCPAddr).Port, sent: make(chan int64, 1), read: make(chan int64, 1)}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		first, err := ln.Accept()
		if err != nil {
			return
		}
		sent := make(chan int64, 1)
		go func() {
			defer first.Close()
			if _, err := resp.NewReader(bufio.NewReader(first)).ReadValue(); err != nil {
				sent <- 0
				return
			}
			n, _ := write(first)
			sent <- n
		}()
		go func() {
			n := <-sent
			h.sent <- n
			sent <- n
		}()
		second, err := ln.Accept()
		if err != nil {
			return
		}
		defer second.Close()
		h.read <- <-sent
		// Hold the connection until the test ends: redish waits on it.
		io.Copy(io.Discard, second)
	}()
	return h
}
