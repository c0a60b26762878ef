// Package oneshot runs the command given on the command line: once, or -r
// times with -i between runs, with its last argument or a tagged one read
// from stdin (-x, -X), or a Lua script from a file (--eval). Exec, the
// step that sends one command and prints its reply, is shared with the
// commands read from stdin.
package oneshot

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/fanout"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Options are the settings of a one-shot run.
type Options struct {
	// Args are the words after the options: the command and its
	// arguments, or, with Eval, the script's keys and arguments
	// ("k1 k2 , a1 a2").
	Args []string
	// QuotedInput reads each of Args as a quoted string ("\x00"), as
	// --quoted-input does.
	QuotedInput bool
	// StdinLast appends all of stdin as the last argument (-x).
	StdinLast bool
	// ReplaceTag replaces the argument equal to Tag with all of stdin
	// (-X; the empty tag replaces the empty argument).
	ReplaceTag bool
	Tag        string
	// Eval runs EVAL with the script in the file Script (--eval).
	Eval   bool
	Script string
	// Repeat is -r: how many times the command runs; -1 runs it until
	// it fails or the run is interrupted.
	Repeat int
	// Interval is -i: the wait between two runs.
	Interval time.Duration
	// Nodes, when set, sends the command to the nodes it selects, each
	// reply printed under its node's address (--primaries, --node, ...).
	Nodes *redisx.NodeSelector
}

// Run runs the command o.Repeat times, o.Interval apart.
func Run(ctx context.Context, e *env.Env, o Options) error {
	args, err := commandArgs(e, o)
	if err != nil {
		return err
	}
	if o.Eval {
		if args, err = EvalArgs(o.Script, o.Args); err != nil {
			return err
		}
	}
	for i := 0; o.Repeat < 0 || i < o.Repeat; i++ {
		if i > 0 && o.Interval > 0 {
			if err := e.Sleep(ctx, o.Interval); err != nil {
				return err
			}
		}
		if err := Exec(ctx, e, o.Nodes, args); err != nil {
			return err
		}
	}
	return nil
}

// commandArgs returns the command from the command line with -x, -X and
// --quoted-input applied.
func commandArgs(e *env.Env, o Options) ([][]byte, error) {
	args := make([][]byte, 0, len(o.Args)+1)
	for _, a := range o.Args {
		if o.QuotedInput {
			u, err := cliargs.UnquoteArg(a)
			if err != nil {
				return nil, &env.ExitError{Code: 1, Msg: "Invalid quoted string", ToStdout: true}
			}
			args = append(args, []byte(u))
			continue
		}
		args = append(args, []byte(a))
	}
	if len(args) == 0 || (!o.StdinLast && !o.ReplaceTag) {
		return args, nil
	}
	return StdinArg(e.IO.In, args, o.StdinLast, o.Tag)
}

// StdinArg applies -x (last) or -X tag to args: all of in becomes the
// last argument, or replaces the first argument equal to tag.
func StdinArg(in io.Reader, args [][]byte, last bool, tag string) ([][]byte, error) {
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, env.Fail("Error reading stdin: " + err.Error())
	}
	if last {
		return append(args, data), nil
	}
	for i, a := range args {
		if string(a) == tag {
			args[i] = data
			return args, nil
		}
	}
	return nil, env.Fail("-X: no argument equal to the tag " + strconv.Quote(tag) + " in the command.")
}

// EvalArgs builds EVAL from --eval FILE (read now) and the words after
// the options, "key1 key2 , arg1 arg2".
func EvalArgs(file string, words []string) ([][]byte, error) {
	script, err := os.ReadFile(file)
	if err != nil {
		return nil, env.Fail("Can't open file '" + file + "': " + env.FileReason(err))
	}
	var keys, argv [][]byte
	seenComma := false
	for _, a := range words {
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

// Exec sends one command and prints its reply: on the nodes nodes selects
// when it is not nil, else on e.Session. Commands that turn the connection
// into a stream (SUBSCRIBE, MONITOR) print messages until the connection
// ends or the run is interrupted.
func Exec(ctx context.Context, e *env.Env, nodes *redisx.NodeSelector, args [][]byte) error {
	e.IO.Secrets.AddCommand(args)
	if nodes != nil {
		return fanout.Do(ctx, e, *nodes, args)
	}
	p := e.Printer
	if isSubscribe(args) && p.Format().Mode != format.Raw {
		if err := p.Text(readingMessages); err != nil {
			return err
		}
	}
	v, err := e.Session.Do(ctx, args)
	if err != nil {
		return err
	}
	if err := p.Reply(args, v); err != nil {
		return err
	}
	if v.Kind != resp.KindError && redisx.IsStreaming(args) {
		return stream(ctx, e, args)
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
func stream(ctx context.Context, e *env.Env, args [][]byte) error {
	p := e.Printer
	monitor := !isSubscribe(args)
	for {
		v, err := e.Session.ReadReply(ctx)
		if err != nil {
			return err
		}
		if monitor && v.Kind == resp.KindPush {
			if p.ShowPushes() {
				p.Push(v)
			}
			continue
		}
		if err := p.Reply(args, v); err != nil {
			return err
		}
	}
}
