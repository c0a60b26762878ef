package ldb

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/oneshot"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// Options are the settings of a debugging run that do not come from the
// environment.
type Options struct {
	// Script is the --eval file, read again at each restart.
	Script string
	// Args are the words after the options: keys, a comma, arguments.
	Args []string
	// Sync is --ldb-sync-mode.
	Sync bool
}

// Run runs --ldb or --ldb-sync-mode with --eval: debugging sessions on
// connections of their own (the server takes each over), the user typing
// at the prompt "lua debugger> " on a terminal, or the commands coming
// from stdin otherwise. After a session the lines typed go to the server
// through e.Session and print as the shell prints them ("help" is the
// shell's), until "restart" or "quit".
//
// The debugger's lines are coloured when TERM names an xterm, as
// redis-cli colours them, unless NO_COLOR or --no-color says otherwise.
func Run(ctx context.Context, e *env.Env, o Options) error {
	ios := e.IO
	var lines LineReader
	if ios.InTTY && ios.OutTTY {
		ed, err := repl.NewReadlineEditor(ios.In, ios.Out, ios.ErrOut)
		if err != nil {
			return env.Fail("Cannot start the line editor: " + err.Error())
		}
		defer ed.Close()
		lines = ed
	} else {
		lines = &pipeLines{r: bufio.NewReader(ios.In)}
	}
	f := e.Printer.Format()
	tty := format.Options{Mode: format.TTY, Terminal: ios.OutTTY}
	after := env.NewPrinter(ios, env.PrintOptions{Format: tty})
	d := deps{
		Out:   ios.Out,
		Lines: lines,
		Dial: func(ctx context.Context) (Conn, error) {
			opts := e.Conn
			return redisx.Dial(ctx, &opts)
		},
		Exec: func(ctx context.Context, argv []string) error {
			if strings.EqualFold(argv[0], "help") || argv[0] == "?" {
				return e.RedisHelp(argv[1:])
			}
			args := redisx.Args(argv...)
			ios.Secrets.AddCommand(args)
			v, err := e.Session.Do(ctx, args)
			if err != nil {
				return err
			}
			return after.Reply(args, v)
		},
		Now: e.Now,
	}
	s := settings{
		Load:     func() ([][]byte, error) { return oneshot.EvalArgs(o.Script, o.Args) },
		Sync:     o.Sync,
		Color:    ColorTerm(ios.Getenv) && !ios.NoColor,
		Terminal: ios.OutTTY,
		Delim:    f.Delim,
		CmdDelim: f.CmdDelim,
		Prompt:   prompt(e),
	}
	err := run(ctx, d, s)
	if errors.Is(err, repl.ErrInterrupt) {
		return nil
	}
	return err
}

// ColorTerm reports whether redis-cli would colour the debugger's lines:
// when TERM names an xterm.
func ColorTerm(getenv func(string) string) bool {
	return strings.Contains(getenv("TERM"), "xterm")
}

// prompt is the shell's prompt for the run's server, shown once a session
// has ended: "127.0.0.1:6379> ", "127.0.0.1:6379[2]> ", "redis /tmp/s> ".
func prompt(e *env.Env) string {
	c := e.Conn
	p := c.Addr()
	if c.Socket != "" {
		p = "redis " + c.Socket
	}
	if c.DB != 0 {
		p += "[" + strconv.Itoa(c.DB) + "]"
	}
	return p + "> "
}

// pipeLines reads lines from a pipe or a file, with no prompt, as
// redis-cli reads them when stdin is not a terminal: a last line without
// a newline counts.
type pipeLines struct {
	r *bufio.Reader
}

func (p *pipeLines) ReadLine(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}

func (p *pipeLines) AddHistory(string) {}
