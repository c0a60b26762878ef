package bulk

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// BenchmarkPipe runs --pipe on b.N SETs against a real server: one
// operation is one command sent, answered and counted. The run's own
// set-up (the connection, its buffers) is spread over the commands, so
// allocs/op shows what each command costs: nothing.
func BenchmarkPipe(b *testing.B) {
	s := redistest.Start(b)
	var in []byte
	for i := range b.N {
		k := strconv.Itoa(i % 1000)
		in = resp.AppendCommandStrings(in, "SET", "key:"+k, "value:"+k)
	}
	ios, out, errOut := env.Test("")
	ios.In = bytes.NewReader(in)
	client := redisx.NewClient(s.Options())
	defer client.Close()
	e := &env.Env{
		IO:      ios,
		Session: client,
		Printer: env.NewPrinter(ios, env.PrintOptions{Format: format.DefaultOptions(format.Raw)}),
		Conn:    s.Options(),
		Retry:   &retry.Retry{Policy: retry.DefaultPolicy()},
	}
	b.SetBytes(int64(len(in) / b.N))
	b.ReportAllocs()
	b.ResetTimer()
	if err := Run(context.Background(), e, Options{Mode: Pipe}); err != nil {
		b.Fatalf("%v: %s", err, errOut)
	}
	b.StopTimer()
	if want := "errors: 0, replies: " + strconv.Itoa(b.N) + "\n"; !bytes.HasSuffix(out.Bytes(), []byte(want)) {
		b.Fatalf("--pipe printed %q, want it to end with %q", out, want)
	}
}
