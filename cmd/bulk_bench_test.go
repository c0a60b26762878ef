package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// BenchmarkStdinPipelined runs a script of 10,000 SETs read from stdin,
// pipelined and line by line.
func BenchmarkStdinPipelined(b *testing.B) {
	s := redistest.Start(b)
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "SET key:%d value:%d\n", i, i)
	}
	script := sb.String()
	for _, window := range []string{"1000", "1"} {
		b.Run("window="+window, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ios, _, _ := Test(script)
				ios.Out = io.Discard
				if code := Run(context.Background(), portArgs(s, "--window", window), ios); code != 0 {
					b.Fatalf("exit code %d", code)
				}
			}
		})
	}
}
