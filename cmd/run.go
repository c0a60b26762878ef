package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/interactive"
	"github.com/redish/redish/internal/oneshot"
	"github.com/redish/redish/internal/stdin"
	"github.com/redish/redish/redisx"
)

// run runs the mode the command line selects. An error of a run that a
// signal interrupted says what the run was doing (see activity).
func (c *config) run(ctx context.Context) error {
	err := c.runMode(ctx)
	if err != nil && ctx.Err() != nil {
		return &interruptedError{what: c.activity(), err: err}
	}
	return err
}

// runMode dispatches to the mode the command line selects.
func (c *config) runMode(ctx context.Context) error {
	if len(c.args) > 0 && isHelpWord(c.args[0]) {
		return c.printRedisHelp(c.args[1:])
	}
	p := env.NewPrinter(c.ios, env.PrintOptions{Format: c.format, ErrExit: c.o.ErrExit, ShowPushes: c.showPushes})
	defer p.Flush()
	client, err := c.newClient(p)
	if err != nil {
		return err
	}
	defer client.Close()
	if done, err := c.runBulkMode(ctx, client, p); done {
		return err
	}
	if done, err := c.runDiagMode(ctx, client, p); done {
		return err
	}
	if done, err := c.runClusterMode(ctx, client, p); done {
		return err
	}

	var nodes *redisx.NodeSelector
	if sel, ok := c.o.ClusterOpts.selector(); ok {
		nodes = &sel
	}
	switch {
	case flagGiven(c.fs, "eval") || len(c.args) > 0:
		return oneshot.Run(ctx, c.env(client, p), oneshot.Options{
			Args:        c.args,
			QuotedInput: c.o.QuotedInput,
			StdinLast:   c.o.StdinLast,
			ReplaceTag:  flagGiven(c.fs, "stdin-tag"),
			Tag:         c.o.StdinTag,
			Eval:        flagGiven(c.fs, "eval"),
			Script:      c.o.Eval,
			Repeat:      c.o.Repeat,
			Interval:    time.Duration(c.o.Interval * float64(time.Second)),
			Nodes:       nodes,
		})
	case !c.ios.InTTY:
		return stdin.Run(ctx, c.env(client, p), stdin.Options{Window: c.o.Bulk.Window, Nodes: nodes, Builtins: c.builtins})
	default:
		return interactive.Run(ctx, c.env(client, p), interactive.Options{
			Interval: time.Duration(c.o.Interval * float64(time.Second)),
			Builtins: c.builtins,
		})
	}
}

func isHelpWord(s string) bool {
	return strings.EqualFold(s, "help") || s == "?"
}

// newClient returns the client of the run; push messages that arrive
// between replies are printed by p when --show-pushes says so.
func (c *config) newClient(p *env.Printer) (env.Session, error) {
	if c.o.Cluster {
		return c.newClusterClient(c.onPush(p))
	}
	client := redisx.NewClient(c.conn)
	client.Retry = c.retry
	client.Observe = c.observe()
	client.OnResend = c.onResend()
	client.OnPush = c.onPush(p)
	return client, nil
}

// onPush returns the push handler of the run: p.push with --show-pushes,
// nil (the client drops pushes) without.
func (c *config) onPush(p *env.Printer) func(redisx.Value) {
	if !c.showPushes {
		return nil
	}
	return p.Push
}
