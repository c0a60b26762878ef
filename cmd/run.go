package cmd

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
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
	args, err := c.commandArgs()
	if err != nil {
		return err
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

	switch {
	case flagGiven(c.fs, "eval"):
		evalArgs, err := c.evalArgs()
		if err != nil {
			return err
		}
		return c.runOneShot(ctx, client, p, evalArgs)
	case len(args) > 0:
		return c.runOneShot(ctx, client, p, args)
	case !c.ios.InTTY:
		return c.runStdin(ctx, client, p)
	default:
		return c.runInteractive(ctx, client, p)
	}
}

func isHelpWord(s string) bool {
	return strings.EqualFold(s, "help") || s == "?"
}

// commandArgs returns the command from the command line with -x, -X and
// --quoted-input applied.
func (c *config) commandArgs() ([][]byte, error) {
	args := make([][]byte, 0, len(c.args)+1)
	for _, a := range c.args {
		if c.o.QuotedInput {
			u, err := redisx.UnquoteArg(a)
			if err != nil {
				return nil, &env.ExitError{Code: 1, Msg: "Invalid quoted string", ToStdout: true}
			}
			args = append(args, []byte(u))
			continue
		}
		args = append(args, []byte(a))
	}
	if len(args) == 0 || (!c.o.StdinLast && !flagGiven(c.fs, "stdin-tag")) {
		return args, nil
	}
	in, err := io.ReadAll(c.ios.In)
	if err != nil {
		return nil, &env.ExitError{Code: 1, Msg: "Error reading stdin: " + err.Error()}
	}
	if c.o.StdinLast {
		return append(args, in), nil
	}
	replaced := false
	for i, a := range args {
		if string(a) == c.o.StdinTag {
			args[i] = in
			replaced = true
			break
		}
	}
	if !replaced {
		return nil, &env.ExitError{Code: 1, Msg: "-X: no argument equal to the tag " + strconv.Quote(c.o.StdinTag) + " in the command."}
	}
	return args, nil
}

// evalArgs builds EVAL from --eval FILE and "key1 key2 , arg1 arg2".
func (c *config) evalArgs() ([][]byte, error) {
	script, err := os.ReadFile(c.o.Eval)
	if err != nil {
		return nil, &env.ExitError{Code: 1, Msg: "Can't open file '" + c.o.Eval + "': " + env.FileReason(err)}
	}
	var keys, argv [][]byte
	seenComma := false
	for _, a := range c.args {
		switch {
		case !seenComma && a == ",":
			seenComma = true
		case !seenComma && strings.HasSuffix(a, ",") && len(a) > 1:
			keys = append(keys, []byte(strings.TrimSuffix(a, ",")))
			seenComma = true
		case seenComma:
			argv = append(argv, []byte(a))
		default:
			keys = append(keys, []byte(a))
		}
	}
	out := [][]byte{[]byte("EVAL"), script, []byte(strconv.Itoa(len(keys)))}
	out = append(out, keys...)
	return append(out, argv...), nil
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

// runOneShot runs the command given on the command line, -r times with -i
// seconds between runs.
func (c *config) runOneShot(ctx context.Context, client env.Session, p *env.Printer, args [][]byte) error {
	interval := time.Duration(c.o.Interval * float64(time.Second))
	for i := 0; c.o.Repeat < 0 || i < c.o.Repeat; i++ {
		if i > 0 && interval > 0 {
			if err := (retry.SystemClock{}).Sleep(ctx, interval); err != nil {
				return err
			}
		}
		if err := c.runCommand(ctx, client, p, args); err != nil {
			return err
		}
	}
	return nil
}

// runCommand sends one command and prints its reply; commands that turn
// the connection into a stream (SUBSCRIBE, MONITOR) print messages until
// the connection ends or the user interrupts.
func (c *config) runCommand(ctx context.Context, client env.Session, p *env.Printer, args [][]byte) error {
	c.ios.Secrets.AddCommand(args)
	if done, err := c.runOnNodes(ctx, client, p, args); done {
		return err
	}
	if isSubscribe(args) && p.Format().Mode != format.Raw {
		if err := p.Text(readingMessages); err != nil {
			return err
		}
	}
	v, err := client.Do(ctx, args)
	if err != nil {
		return err
	}
	if err := p.Reply(args, v); err != nil {
		return err
	}
	if v.Kind != redisx.KindError && redisx.IsStreaming(args) {
		return c.stream(ctx, client, p, args)
	}
	return nil
}

// readingMessages is what redis-cli prints after sending SUBSCRIBE,
// PSUBSCRIBE or SSUBSCRIBE, in every format but raw.
const readingMessages = "Reading messages... (press Ctrl-C to quit)\n"

// isSubscribe reports whether args subscribe to channels, patterns or
// shard channels.
func isSubscribe(args [][]byte) bool {
	if len(args) == 0 {
		return false
	}
	switch strings.ToUpper(string(args[0])) {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE":
		return true
	}
	return false
}

// stream prints what the server pushes after SUBSCRIBE or MONITOR. After
// SUBSCRIBE every message is printed as a reply, pushes included, as
// redis-cli does; after MONITOR a push (an invalidation) is one, and goes
// where --show-pushes says.
func (c *config) stream(ctx context.Context, client env.Session, p *env.Printer, args [][]byte) error {
	monitor := !isSubscribe(args)
	for {
		v, err := client.ReadReply(ctx)
		if err != nil {
			return err
		}
		if monitor && v.Kind == redisx.KindPush {
			if c.showPushes {
				p.Push(v)
			}
			continue
		}
		if err := p.Reply(args, v); err != nil {
			return err
		}
	}
}
