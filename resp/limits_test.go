package resp

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestReaderRefusesOverLimits: every kind of reply that carries a length
// or nests is refused past its bound with a ProtocolError that names the
// bound, so the user learns why the connection was closed.
func TestReaderRefusesOverLimits(t *testing.T) {
	const capBytes = 16
	over := strings.Repeat("x", capBytes+1)
	tests := []struct {
		name     string
		in       string
		maxDepth int
		want     string
	}{
		{"bulk", "$17\r\n" + over + "\r\n", 0, "bulk of 17 bytes exceeds the 16 byte limit"},
		{"blob error", "!17\r\n" + over + "\r\n", 0, "bulk of 17 bytes exceeds the 16 byte limit"},
		{"verbatim", "=17\r\ntxt:" + over[4:] + "\r\n", 0, "bulk of 17 bytes exceeds the 16 byte limit"},
		{"bulk in an array", "*2\r\n:1\r\n$17\r\n" + over + "\r\n", 0, "bulk of 17 bytes exceeds the 16 byte limit"},
		{"streamed string", "$?\r\n;9\r\n123456789\r\n;9\r\n123456789\r\n;0\r\n", 0, "streamed string exceeds the 16 byte limit"},
		{"status line", "+" + strings.Repeat("s", 100) + "\r\n", 0, "line longer than 16 bytes"},
		{"error line", "-" + strings.Repeat("e", 100) + "\r\n", 0, "line longer than 16 bytes"},
		{"array", strings.Repeat("*1\r\n", 5) + ":1\r\n", 4, "reply nested deeper than 4 levels"},
		{"set", strings.Repeat("~1\r\n", 5) + ":1\r\n", 4, "reply nested deeper than 4 levels"},
		{"push", strings.Repeat(">1\r\n", 5) + ":1\r\n", 4, "reply nested deeper than 4 levels"},
		{"map value", strings.Repeat("%1\r\n+k\r\n", 5) + ":1\r\n", 4, "reply nested deeper than 4 levels"},
		{"map key", strings.Repeat("%1\r\n", 5) + ":1\r\n:1\r\n", 4, "reply nested deeper than 4 levels"},
		{"streamed array", strings.Repeat("*?\r\n", 5) + ":1\r\n", 4, "reply nested deeper than 4 levels"},
		{"mixed", "*1\r\n%1\r\n+k\r\n~1\r\n>1\r\n*1\r\n:1\r\n", 4, "reply nested deeper than 4 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bufio.NewReaderSize(strings.NewReader(tt.in), 16))
			r.MaxBulk, r.MaxLine, r.MaxDepth = capBytes, capBytes, tt.maxDepth
			v, err := r.ReadValue()
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("ReadValue(%q) = %s, %v; want a ProtocolError", tt.in, show(v), err)
			}
			if want := "protocol error: " + tt.want; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
}

// zeros is an endless stream of zero bytes that costs no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// bulkStream returns a reader of a bulk reply declaring n bytes and
// carrying sent of them (then the CRLF, when sent == n).
func bulkStream(n, sent int) io.Reader {
	rs := []io.Reader{strings.NewReader("$" + strconv.Itoa(n) + "\r\n"), io.LimitReader(zeros{}, int64(sent))}
	if sent == n {
		rs = append(rs, strings.NewReader("\r\n"))
	}
	return io.MultiReader(rs...)
}

// allocated returns the bytes f allocates (a bound on the extra heap it
// can hold at its peak).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestReaderLargeBulkHeldOnce: reading a large bulk allocates the value
// once, plus the smaller buffers it grows through: the first chunk, or
// less than 1/16 of the value when that is more. Never a second copy.
func TestReaderLargeBulkHeldOnce(t *testing.T) {
	for _, n := range []int{bulkChunk + 1, 3 * bulkChunk, 8 << 20, 64<<20 + 7} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var v Value
			var err error
			got := allocated(func() {
				r := NewReader(bufio.NewReaderSize(bulkStream(n, n), 64<<10))
				v, err = r.ReadValue()
			})
			if err != nil || v.Kind != KindBulk || len(v.Str) != n {
				t.Fatalf("ReadValue: %s of %d bytes, %v", v.Kind, len(v.Str), err)
			}
			const slack = 256 << 10 // the bufio.Reader and small change
			limit := uint64(n + max(n/16, bulkChunk) + slack)
			t.Logf("%d bytes allocated for a %d byte bulk (%.3fx)", got, n, float64(got)/float64(n))
			if got > limit {
				t.Errorf("%d bytes allocated for a %d byte bulk, want at most %d", got, n, limit)
			}
		})
	}
}

// TestReaderDeclaredLengthCost: a declared length the server does not
// back with bytes costs at most MemPerByte times the bytes sent, plus the
// first chunk, whatever it declares.
func TestReaderDeclaredLengthCost(t *testing.T) {
	tests := []struct {
		declared, sent int
		maxBulk        int
	}{
		{DefaultMaxBulk, 0, 0},
		{DefaultMaxBulk, 100, 0},
		{DefaultMaxBulk, bulkChunk, 0},
		{DefaultMaxBulk, 3 * bulkChunk, 0},
		{64 << 20, 64<<20/MemPerByte - 1, 64 << 20},
		{64 << 20, 64 << 20 / MemPerByte, 64 << 20},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.declared)+"/"+strconv.Itoa(tt.sent), func(t *testing.T) {
			var err error
			got := allocated(func() {
				r := NewReader(bufio.NewReaderSize(bulkStream(tt.declared, tt.sent), 64<<10))
				r.MaxBulk = tt.maxBulk
				_, err = r.ReadValue()
			})
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("ReadValue: %v, want io.ErrUnexpectedEOF", err)
			}
			const slack = 256 << 10
			limit := uint64(bulkChunk + MemPerByte*tt.sent + MemAllowance + slack)
			if got > limit {
				t.Errorf("%d bytes allocated for %d bytes of a declared %d, want at most %d", got, tt.sent, tt.declared, limit)
			}
		})
	}
}
