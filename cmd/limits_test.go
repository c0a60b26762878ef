package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// TestReplyLimits: a reply larger than the cap, nested deeper than the
// bound or declaring more elements than the limit is refused with a
// message that says which limit, and the connection is closed.
func TestReplyLimits(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	for _, tc := range []struct {
		name  string
		reply string
		want  string
	}{
		{"bulk over the cap", "$600000000\r\n", "Error: Protocol error: bulk of 600000000 bytes exceeds the 536870912 byte limit (connection closed)"},
		{"blob error over the cap", "!600000000\r\n", "Error: Protocol error: bulk of 600000000 bytes exceeds the 536870912 byte limit (connection closed)"},
		{"streamed string over the cap", "$?\r\n;600000000\r\n", "Error: Protocol error: streamed string exceeds the 536870912 byte limit (connection closed)"},
		{"nested too deep", strings.Repeat("*1\r\n", 200) + ":1\r\n", "Error: Protocol error: reply nested deeper than 128 levels (connection closed)"},
		{"map nested too deep", strings.Repeat("%1\r\n+k\r\n", 200) + ":1\r\n", "Error: Protocol error: reply nested deeper than 128 levels (connection closed)"},
		{"too many elements", "*2000000000\r\n", "Error: Protocol error: aggregate of 2000000000 elements exceeds the limit (connection closed)"},
		{"status line over the limit", "+" + strings.Repeat("x", 1<<20+1) + "\r\n", "Error: Protocol error: line longer than 1048576 bytes (connection closed)"},
		{"error line without end", "-" + strings.Repeat("x", 2<<20), "Error: Protocol error: line longer than 1048576 bytes (connection closed)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.SetFor(1, faultproxy.Garbage([]byte(tc.reply)).On("GET"))
			r := runBounded(t, "", proxyArgs(p, "GET", "k")...)
			if r.code != 1 || r.out != "" || r.err != tc.want+"\n" {
				t.Errorf("got %+v, want exit 1 and %q", r, tc.want)
			}
		})
	}
}

// TestLargeValueHeldOnce prints a 256 MiB value with --raw through the
// built binary and checks, from the process's peak resident set size,
// that redish held the value once: under 1.3 times its size, everything
// included.
//
// The peak is VmHWM from /proc, read while redish is blocked writing the
// end of the value to a pipe the test has stopped reading. (The rusage
// of a child is no use here: Linux counts in it the parent's memory at
// the time of the fork.)
func TestLargeValueHeldOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 256 MiB through a real server")
	}
	const size = 256 << 20
	s := redistest.Start(t, redistest.WithConfig("proto-max-bulk-len", "1gb"))
	// SETRANGE builds the value on the server: the test holds no copy.
	s.Do(t, "SETRANGE", "big", strconv.Itoa(size-1), "z")
	s.Do(t, "SETRANGE", "big", "0", "a")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd, stdout, stderr := startPiped(t, ctx, portArgs(s, "--raw", "GET", "big")...)
	out := &countingWriter{}
	// Hold back the last MiB: redish blocks writing it, value in memory.
	const held = 1 << 20
	if _, err := io.CopyN(out, stdout, size+1-held); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("reading redish's output: %v; stderr %q", err, stderr.String())
	}
	peak, hwmErr := peakRSS(cmd.Process.Pid)
	if _, err := io.Copy(out, stdout); err != nil {
		t.Fatalf("reading redish's output: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("redish: %v; stderr %q", err, stderr.String())
	}
	if out.n != size+1 || out.first != 'a' || !bytes.Equal(out.last[:], []byte("z\n")) {
		t.Fatalf("printed %d bytes, first %q, last %q; want %d bytes, 'a' ... \"z\\n\"", out.n, out.first, out.last, size+1)
	}
	if hwmErr != nil {
		t.Skipf("no peak RSS on this system: %v", hwmErr)
	}
	t.Logf("peak RSS %d MiB for a %d MiB value (%.2fx)", peak>>20, size>>20, float64(peak)/size)
	if limit := int64(size) * 13 / 10; peak > limit {
		t.Fatalf("peak RSS %d MiB, want under %d MiB (1.3x the value)", peak>>20, limit>>20)
	}
}

// peakRSS returns the peak resident set size of a live process, in bytes
// (VmHWM in /proc/PID/status, Linux only).
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc/PID/status")
}

// countingWriter counts what it is given and keeps its first and last
// bytes.
type countingWriter struct {
	n     int64
	first byte
	last  [2]byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.n == 0 && len(p) > 0 {
		w.first = p[0]
	}
	for _, c := range p[max(0, len(p)-2):] {
		w.last[0], w.last[1] = w.last[1], c
	}
	w.n += int64(len(p))
	return len(p), nil
}
