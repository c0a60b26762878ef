// Package interactive starts the shell (package repl) on a terminal: it
// wraps the session for the shell, opens the line editor on the terminal's
// streams and hands Ctrl-C to the shell. The shell itself lives in repl.
package interactive

import (
	"context"
	"errors"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// Options are the settings of the shell that do not come from the
// environment.
type Options struct {
	// Interval is -i: the wait between the runs of "N CMD".
	Interval time.Duration
	// Builtins are ":" commands added to the shell's own (redish lab's
	// :lab).
	Builtins map[string]repl.Builtin
	// NoConfirm runs dangerous commands without asking (--no-confirm).
	NoConfirm bool
}

// Run runs the shell until the user leaves it or the run's context ends.
//
// Ctrl-C belongs to the shell here: at the prompt the line editor reads it
// as a key (an empty prompt exits), and while a command runs it cancels
// that command only (through e.Interrupts). The run as a whole ends when
// ctx does, on SIGTERM, with exit code 143.
func Run(ctx context.Context, e *env.Env, o Options) error {
	var rc repl.Client
	switch cl := e.Session.(type) {
	case *redisx.Client:
		rc = repl.NewStandalone(cl)
	case *redisx.ClusterClient:
		rc = repl.NewCluster(cl)
	case *redisx.SentinelClient:
		rc = repl.NewSentinel(cl)
	default:
		return env.Fail("the interactive shell does not support this connection mode")
	}
	ios := e.IO
	ed, err := repl.NewReadlineEditor(ios.In, ios.Out, ios.ErrOut)
	if err != nil {
		return env.Fail("Cannot start the line editor: " + err.Error())
	}
	defer ed.Close()

	version := "devel"
	if e.Version != nil {
		version = e.Version()
	}
	// The pager and the commands replies are piped to write to the
	// terminal itself.
	tty := ios.Terminal()
	var termSize func() (int, int)
	if tty != nil {
		termSize = ios.TerminalSize
	}
	sh := repl.NewShell(repl.Config{
		Client:      rc,
		Editor:      ed,
		Out:         ios.Out,
		ErrOut:      ios.ErrOut,
		Format:      e.Printer.Format(),
		Color:       repl.ColorEnabled(ios.OutTTY, ios.NoColor, ios.Getenv),
		ErrColor:    repl.ColorEnabled(ios.ErrTTY, ios.NoColor, ios.Getenv),
		Interval:    o.Interval,
		Version:     version,
		HistoryPath: repl.HistoryPath(ios.Getenv),
		RCPath:      repl.RCPath(ios.Getenv),
		Interrupts:  e.Interrupts,
		Describe:    env.Describe,
		Builtins:    o.Builtins,
		Secrets:     ios.Secrets,
		Getenv:      ios.Getenv,
		Terminal:    tty,
		TermSize:    termSize,
		Decode:      e.Printer.Format().UTF8,
		NoConfirm:   o.NoConfirm,
	})
	err = sh.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return &env.ExitError{Code: 143}
	}
	return err
}
