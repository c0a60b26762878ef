package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary bytes to a Reader. It must never panic or
// fail in an unexpected way, and every value it reads must survive a round
// trip through AppendValue. The seed corpus in testdata/fuzz/FuzzReader
// holds one reply of every type and a few malformed ones.
func FuzzReader(f *testing.F) {
	for _, tt := range validReplies {
		// Large seeds breed large inputs, which the fuzzing engine is
		// slow to minimize.
		if len(tt.in) <= 512 {
			f.Add([]byte(tt.in))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 512 {
			return // nothing is found in longer inputs that short ones miss
		}
		r := NewReader(bufio.NewReaderSize(bytes.NewReader(in), 16))
		// Every reply takes at least three bytes, so this bounds the loop
		// without cutting it short.
		for range len(in)/3 + 1 {
			v, err := r.ReadValue()
			if err != nil {
				var pe *ProtocolError
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &pe) {
					t.Fatalf("unexpected error %v (%T)", err, err)
				}
				return
			}
			wire := AppendValue(nil, v)
			back, err := NewReader(bufio.NewReader(bytes.NewReader(wire))).ReadValue()
			if err != nil {
				t.Fatalf("reading back %q (from %s): %v", wire, show(v), err)
			}
			if !equalValue(back, v) {
				t.Fatalf("round trip through %q\n got %s\nwant %s", wire, show(back), show(v))
			}
		}
	})
}

// hostileReplies declare more than they send: lengths and counts the
// bytes do not back, nesting, streamed types, lines that do not end.
var hostileReplies = []string{
	"*1073741824\r\n_\r\n_\r\n_\r\n",
	"%1073741824\r\n*0\r\n*0\r\n",
	"~1000\r\n:1\r\n:2\r\n",
	">1024\r\n+a\r\n",
	strings.Repeat("*1024\r\n", 40),
	strings.Repeat("*?\r\n", 40),
	strings.Repeat("%?\r\n_\r\n", 40),
	strings.Repeat("|1000\r\n", 20),
	"*?\r\n_\r\n_\r\n_\r\n.\r\n",
	"$536870912\r\nabc",
	"$1048576\r\nabc",
	"$?\r\n;536870912\r\nabc",
	"$?\r\n;1\r\na\r\n;1\r\nb\r\n;0\r\n",
	"!1000000\r\nERR",
	"=1000000\r\ntxt:",
	"+" + strings.Repeat("x", 300),
	"*3\r\n$1000\r\nab",
}

// FuzzReaderMemory reads arbitrary bytes with no allowance and checks
// what reading them allocates against the bytes the reader consumed:
// at most MemPerByte bytes per byte (and the allocator's rounding), plus
// a few hundred bytes per level of nesting and a constant for error
// values, whatever the input declares.
func FuzzReaderMemory(f *testing.F) {
	for _, tt := range validReplies {
		if len(tt.in) <= 4096 {
			f.Add([]byte(tt.in))
		}
	}
	for _, in := range hostileReplies {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			return
		}
		// TotalAlloc counts every goroutine's allocations, the fuzzing
		// engine's included: the least of three runs is the reader's.
		var consumed, allocated int64 = 0, -1
		replies := 0
		for range 3 {
			src := bytes.NewReader(in)
			r := NewReader(bufio.NewReaderSize(src, 16))
			r.allowance = 1
			replies = 0
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range len(in)/3 + 1 {
				if _, err := r.ReadValue(); err != nil {
					break
				}
				replies++
			}
			runtime.ReadMemStats(&after)
			consumed = int64(len(in) - src.Len() - r.Buffered())
			if n := int64(after.TotalAlloc - before.TotalAlloc); allocated < 0 || n < allocated {
				allocated = n
			}
		}
		// Every level of nesting costs a header of at least 4 bytes.
		levels := min(int64(DefaultMaxDepth), consumed/4+1) * int64(replies+1)
		limit := MemPerByte*consumed*9/8 + levels*perLevel + 8192
		if allocated > limit {
			t.Fatalf("%d bytes allocated for %d bytes consumed (%d replies), want at most %d", allocated, consumed, replies, limit)
		}
	})
}

// perLevel bounds what a level of nesting may allocate ahead of its
// elements: the smallest chunk and the start of the chunk list.
const perLevel = minChunkElems*valueSize + 64
