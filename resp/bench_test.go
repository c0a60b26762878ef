package resp

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// benchReplies are the reply shapes the reader benchmarks read: what a
// bulk run of SETs, GETs and range reads gets back.
var benchReplies = []struct {
	name string
	v    Value
}{
	{"status", Status("OK")},
	{"integer", Int(12345)},
	{"bulk-16B", BulkString(strings.Repeat("v", 16))},
	{"bulk-4KiB", BulkString(strings.Repeat("v", 4096))},
	{"array-100", func() Value {
		a := Array()
		for i := range 100 {
			a.Elems = append(a.Elems, BulkString("member:"+strconv.Itoa(i)))
		}
		return a
	}()},
	{"map-10", func() Value {
		m := Value{Kind: KindMap}
		for i := range 10 {
			m.Elems = append(m.Elems, BulkString("field:"+strconv.Itoa(i)), Int(int64(i)))
		}
		return m
	}()},
}

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

// BenchmarkReader reads one reply per iteration.
func BenchmarkReader(b *testing.B) {
	for _, tt := range benchReplies {
		b.Run(tt.name, func(b *testing.B) {
			wire := AppendValue(nil, tt.v)
			rd := NewReader(bufio.NewReaderSize(&loopReader{data: bytes.Repeat(wire, 64)}, 64<<10))
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rd.ReadValue(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// words returns the arguments of a command as the writer takes them.
func words(ss ...string) [][]byte {
	args := make([][]byte, 0, len(ss))
	for _, s := range ss {
		args = append(args, []byte(s))
	}
	return args
}

// BenchmarkWriter encodes one command per iteration into a reused
// buffer, as pipelines do.
func BenchmarkWriter(b *testing.B) {
	for _, tt := range []struct {
		name string
		args [][]byte
	}{
		{"GET", words("GET", "key:123456")},
		{"SET-16B", words("SET", "key:123456", strings.Repeat("v", 16))},
		{"SET-4KiB", words("SET", "key:123456", strings.Repeat("v", 4096))},
		{"MSET-20", func() [][]byte {
			args := words("MSET")
			for i := range 10 {
				args = append(args, []byte("key:"+strconv.Itoa(i)), []byte("value"))
			}
			return args
		}()},
	} {
		b.Run(tt.name, func(b *testing.B) {
			buf := AppendCommand(nil, tt.args)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendCommand(buf[:0], tt.args)
			}
		})
	}
}
