// Package bulk runs the modes that move many keys or commands at once:
// --pipe, which sends stdin to the server as it is (each command to its
// slot's node with -c), and --scan, which lists every key. PipeInput
// reads the input of --pipe (RESP arrays and inline commands, by the
// server's own rules) with memory bounded by the command being read.
package bulk

import (
	"context"
	"fmt"
	"time"

	"github.com/redish/redish/internal/env"
)

// Mode is one of the bulk modes.
type Mode int

// The bulk modes.
const (
	Pipe Mode = iota + 1 // --pipe
	Scan                 // --scan
)

// Options are the settings of a bulk run.
type Options struct {
	// Mode is what to run.
	Mode Mode
	// PipeTimeout is --pipe-timeout in seconds: how long --pipe waits for
	// a reply after the input ended; 0 waits forever.
	PipeTimeout int
	// Match is the MATCH pattern of --scan; "" lists every key.
	Match string
	// Count is the COUNT hint of --scan; 0 or less sends DefaultScanCount.
	Count int
	// Interval is -i: the pause after each SCAN call.
	Interval time.Duration
}

// Run runs the bulk mode o.Mode on e.Session.
func Run(ctx context.Context, e *env.Env, o Options) error {
	switch o.Mode {
	case Pipe:
		return runPipe(ctx, e, o)
	case Scan:
		return runScan(ctx, e, o)
	}
	return fmt.Errorf("bulk: unknown mode %d", o.Mode)
}
