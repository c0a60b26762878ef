// Package stdin runs the commands read from stdin when stdin is not a
// terminal: one per line, split as the interactive shell splits them,
// sent in pipelined windows (--window) with the output of one at a time.
package stdin

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/oneshot"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// Options are the settings of a run of commands read from stdin.
type Options struct {
	// Window is how many commands are sent before their replies are read
	// (--window); 1 runs them one at a time, as redis-cli does.
	Window int
	// Nodes, when set, sends each command to the nodes it selects, one
	// at a time (--primaries, --node, ...).
	Nodes *redisx.NodeSelector
	// Builtins are ":" commands the run adds (redish lab's :lab): with
	// them, a line starting with ":" runs as in the shell, :retry and
	// :verbose included. Without, every line goes to the server.
	Builtins map[string]repl.Builtin
}

// Run runs commands read from stdin, one per line, split as the
// interactive shell splits them, with no prompt and raw output unless a
// flag or FAKETTY says otherwise.
//
// Like redis-cli, a line that does not split prints "Invalid argument(s)"
// and the run goes on; "quit" and "exit" end it; "N CMD" repeats CMD N
// times. Unlike redis-cli, a connection that cannot be made ends the run
// with exit code 1, and -e stops at the first error reply.
func Run(ctx context.Context, e *env.Env, o Options) error {
	if done, err := runPipelined(ctx, e, o); done {
		return err
	}
	p := e.Printer
	_, cluster := e.Session.(*redisx.ClusterClient)
	br := bufio.NewReaderSize(e.IO.In, 64<<10)
	failed := false
	for {
		line, readErr := br.ReadString('\n')
		if len(line) > 0 {
			quit, err := runLine(ctx, e, o, line)
			if err != nil {
				if fatal := env.ScriptFailure(ctx, cluster, err); fatal != nil {
					return fatal
				}
				// The command failed (the connection was lost, it may
				// have run, its transaction was lost): say so and go on;
				// the next line dials again.
				p.Flush()
				fmt.Fprintln(e.IO.ErrOut, env.Describe(err))
				failed = true
			}
			if quit {
				break
			}
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			return env.Fail("Error reading stdin: " + readErr.Error())
		}
	}
	if failed {
		return env.Fail("")
	}
	return nil
}

// runLine runs one line by the rules the interactive shell shares (see
// repl.ParseLine): quit and exit, help, the "N CMD" repeat prefix, or a
// command.
func runLine(ctx context.Context, e *env.Env, o Options, line string) (quit bool, err error) {
	p := e.Printer
	l := repl.ParseLine(line)
	switch l.Kind {
	case repl.LineEmpty:
		return false, nil
	case repl.LineInvalid, repl.LineBadRepeat:
		return false, p.Text(l.Message())
	case repl.LineQuit:
		return true, nil
	case repl.LineHelp:
		return false, e.RedisHelp(l.Words)
	}
	if done, err := scriptLine(ctx, e, o, l); done {
		return false, err
	}
	args := l.Args()
	start := time.Now()
	for range l.Repeat {
		if err := oneshot.Exec(ctx, e, o.Nodes, args); err != nil {
			return false, err
		}
	}
	if err := p.Timing(time.Since(start)); err != nil {
		return false, err
	}
	return false, p.Flush()
}
