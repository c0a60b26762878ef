package env

import (
	"bytes"
	"testing"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// TestPrinterWritesLargeStringsAsIs: the printer's direct path for large
// strings prints exactly what format.Append prints, in every mode, for
// every kind of reply, on both sides of the size where it starts.
func TestPrinterWritesLargeStringsAsIs(t *testing.T) {
	modes := map[string]format.Mode{"raw": format.Raw, "tty": format.TTY, "csv": format.CSV, "json": format.JSON}
	kinds := map[string]resp.Kind{
		"status": resp.KindStatus, "bulk": resp.KindBulk, "verbatim": resp.KindVerbatim,
		"big number": resp.KindBigNumber, "error": resp.KindError,
	}
	for mname, mode := range modes {
		for kname, kind := range kinds {
			for _, size := range []int{10, directWriteMin, directWriteMin + 1, 3 * directWriteMin} {
				for _, args := range [][]string{{"GET", "k"}, {"INFO"}} {
					v := resp.Value{Kind: kind, Str: bytes.Repeat([]byte("x\"\n"), size/3+1)[:size]}
					if kind == resp.KindVerbatim {
						v.Format = "txt"
					}
					for _, terminal := range []bool{false, true} {
						// On a terminal, control bytes are escaped: the
						// value holds one.
						v.Str[0] = 0x1b
						opts := format.Options{Mode: mode, Delim: "\n", CmdDelim: "\n", Terminal: terminal}
						ios, out, _ := Test("")
						p := NewPrinter(ios, PrintOptions{Format: opts})
						if err := p.Reply(redisx.Args(args...), v); err != nil {
							t.Fatal(err)
						}
						opts.Verbatim = format.VerbatimArgs(redisx.Args(args...))
						if want := format.Append(nil, v, opts); !bytes.Equal(out.Bytes(), want) {
							t.Errorf("%s %s of %d bytes, %s, terminal %v: printed %d bytes, format.Append %d", mname, kname, size, args[0], terminal, out.Len(), len(want))
						}
					}
				}
			}
		}
	}
}
