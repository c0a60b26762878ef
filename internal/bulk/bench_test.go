package bulk

import (
	"io"
	"strings"
	"testing"

	"github.com/redish/redish/resp"
)

// loopReader replays the same bytes forever, so a benchmark reads from
// memory without ever reaching an end.
type loopReader struct {
	data []byte
	off  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// BenchmarkPipeInput parses --pipe input: RESP and inline SETs.
func BenchmarkPipeInput(b *testing.B) {
	for _, tt := range []struct{ name, cmd string }{
		{"resp", string(resp.AppendCommandStrings(nil, "SET", "key:123456", "value:123456"))},
		{"inline", "SET key:123456 value:123456\r\n"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			in := NewPipeInput(&loopReader{data: []byte(strings.Repeat(tt.cmd, 64))})
			b.SetBytes(int64(len(tt.cmd)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Next(); err != nil && err != io.EOF {
					b.Fatal(err)
				}
			}
		})
	}
}
