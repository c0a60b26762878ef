package cmd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/repl"
)

// runStdin runs commands read from stdin, one per line, split as the
// interactive shell splits them, with no prompt and raw output unless a
// flag or FAKETTY says otherwise.
//
// Like redis-cli, a line that does not split prints "Invalid argument(s)"
// and the run goes on; "quit" and "exit" end it; "N CMD" repeats CMD N
// times. Unlike redis-cli, a connection that cannot be made ends the run
// with exit code 1, and -e stops at the first error reply.
func (c *config) runStdin(ctx context.Context, client env.Session, p *env.Printer) error {
	if done, err := c.runStdinPipelined(ctx, client, p); done {
		return err
	}
	br := bufio.NewReaderSize(c.ios.In, 64<<10)
	failed := false
	for {
		line, readErr := br.ReadString('\n')
		if len(line) > 0 {
			quit, err := c.runLine(ctx, client, p, line)
			if err != nil {
				if fatal := env.ScriptFailure(ctx, c.o.Cluster, err); fatal != nil {
					return fatal
				}
				// The command failed (the connection was lost, it may
				// have run, its transaction was lost): say so and go on;
				// the next line dials again.
				p.Flush()
				fmt.Fprintln(c.ios.ErrOut, env.Describe(err))
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
			return &env.ExitError{Code: 1, Msg: "Error reading stdin: " + readErr.Error()}
		}
	}
	if failed {
		return &env.ExitError{Code: 1}
	}
	return nil
}

// runLine runs one line by the rules the interactive shell shares (see
// repl.ParseLine): quit and exit, help, the "N CMD" repeat prefix, or a
// command.
func (c *config) runLine(ctx context.Context, client env.Session, p *env.Printer, line string) (quit bool, err error) {
	l := repl.ParseLine(line)
	switch l.Kind {
	case repl.LineEmpty:
		return false, nil
	case repl.LineInvalid, repl.LineBadRepeat:
		return false, p.Text(l.Message())
	case repl.LineQuit:
		return true, nil
	case repl.LineHelp:
		return false, c.printRedisHelp(l.Words)
	}
	if done, err := c.scriptLine(ctx, client, p, l); done {
		return false, err
	}
	args := l.Args()
	start := time.Now()
	for range l.Repeat {
		if err := c.runCommand(ctx, client, p, args); err != nil {
			return false, err
		}
	}
	if err := p.Timing(time.Since(start)); err != nil {
		return false, err
	}
	return false, p.Flush()
}
