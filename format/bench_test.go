package format

import (
	"strconv"
	"testing"

	"github.com/redish/redish/resp"
)

var benchModes = []Options{
	DefaultOptions(TTY),
	DefaultOptions(Raw),
	DefaultOptions(CSV),
	DefaultOptions(JSON),
	DefaultOptions(QuotedJSON),
}

func benchAppend(b *testing.B, v resp.Value) {
	for _, o := range benchModes {
		b.Run(o.Mode.String(), func(b *testing.B) {
			b.ReportAllocs()
			buf := Append(nil, v, o)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				buf = Append(buf[:0], v, o)
			}
		})
	}
}

// BenchmarkAppendBulk formats one 64-byte bulk string with a few bytes
// that need escaping.
func BenchmarkAppendBulk(b *testing.B) {
	benchAppend(b, bulk(`user:1000 {"name":"Ada Lovelace","lang":"en"}`+"\n\tend\x00é"))
}

// BenchmarkAppendArray100 formats a 100-element array of short bulks.
func BenchmarkAppendArray100(b *testing.B) {
	benchAppend(b, bulkRange(100))
}

// BenchmarkAppendNestedMap formats a RESP3 map of 10 fields whose values
// are arrays, maps and scalars, like COMMAND DOCS or XINFO replies.
func BenchmarkAppendNestedMap(b *testing.B) {
	var kv []resp.Value
	for i := range 10 {
		var val resp.Value
		switch i % 3 {
		case 0:
			val = array(bulk("a"), integer(int64(i)), double("1.5"))
		case 1:
			val = hash(bulk("name"), bulk("key"), bulk("flags"), set(status("readonly"), status("fast")))
		default:
			val = integer(int64(i))
		}
		kv = append(kv, bulk("field:"+strconv.Itoa(i)), val)
	}
	benchAppend(b, hash(kv...))
}
