package cmd

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/bulk"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
)

// bulkOptions are the flags of the bulk modes: --pipe, --scan and the
// pipelined stdin script mode.
type bulkOptions struct {
	Pipe          bool   // --pipe
	PipeTimeout   int    // --pipe-timeout, seconds; 0 waits forever
	Scan          bool   // --scan
	Pattern       string // --pattern
	QuotedPattern string // --quoted-pattern
	Count         int    // --count; 0 means defaultScanCount
	Window        int    // --window; 1 runs stdin scripts line by line
}

// Defaults of the bulk modes.
const (
	// defaultPipeTimeout is redis-cli's --pipe-timeout.
	defaultPipeTimeout = 30
	// defaultWindow is how many commands read from stdin are sent before
	// their replies are read. A thousand commands fill a few network
	// packets and make a round trip per command negligible.
	defaultWindow = 1000
	// windowBytes bounds the request bytes of one window, so that a script
	// of large values does not pile up in memory.
	windowBytes = 4 << 20
)

func addBulkFlags(fs *pflag.FlagSet, o *bulkOptions) {
	fs.BoolVar(&o.Pipe, "pipe", false, "Send stdin (RESP or inline commands) as is, as fast as possible; print a summary and the error replies")
	fs.IntVar(&o.PipeTimeout, "pipe-timeout", defaultPipeTimeout, "--pipe: give up when no reply comes for `seconds` after the input ends (0: wait forever)")
	fs.BoolVar(&o.Scan, "scan", false, "List all keys with SCAN, one per line (every primary at once with -c)")
	fs.StringVar(&o.Pattern, "pattern", "", "Keys `pattern` for --scan")
	fs.StringVar(&o.QuotedPattern, "quoted-pattern", "", "Keys `pattern` for --scan, as a quoted string (\"\\x00*\")")
	fs.IntVar(&o.Count, "count", 0, "COUNT `hint` for --scan (default 1000; redis-cli sends 10)")
	fs.IntVar(&o.Window, "window", defaultWindow, "Commands read from stdin are sent `N` at a time before their replies are read (1: one at a time, as redis-cli)")
	for _, name := range []string{"pipe", "pipe-timeout", "scan", "pattern", "quoted-pattern", "count", "window"} {
		fs.SetAnnotation(name, flagGroupAnnotation, []string{"Bulk and diagnostic modes"})
	}
}

// runBulkMode runs --pipe or --scan when its flag is given, and reports
// whether it did.
func (c *config) runBulkMode(ctx context.Context, client env.Session, p *env.Printer) (bool, error) {
	o := bulk.Options{PipeTimeout: c.o.Bulk.PipeTimeout, Match: c.o.Bulk.Pattern, Count: c.o.Bulk.Count,
		Interval: time.Duration(c.o.Interval * float64(time.Second))}
	switch {
	case c.o.Bulk.Pipe:
		o.Mode = bulk.Pipe
	case c.o.Bulk.Scan:
		o.Mode = bulk.Scan
		if flagGiven(c.fs, "quoted-pattern") {
			u, err := redisx.UnquoteArg(c.o.Bulk.QuotedPattern)
			if err != nil {
				return true, &env.ExitError{Code: 1, Msg: "Invalid quoted string specified for --quoted-pattern."}
			}
			o.Match = u
		}
	default:
		return false, nil
	}
	return true, bulk.Run(ctx, c.env(client, p), o)
}
