package cmd

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// runInteractive runs the shell on a terminal.
//
// Ctrl-C belongs to the shell here: at the prompt the line editor reads it
// as a key (an empty prompt exits), and while a command runs the SIGINT it
// raises cancels that command only. The run as a whole ends on SIGTERM.
func (c *config) runInteractive(ctx context.Context, client session, _ *printer) error {
	var rc repl.Client
	switch cl := client.(type) {
	case *redisx.Client:
		rc = repl.NewStandalone(cl)
	case *redisx.ClusterClient:
		rc = repl.NewCluster(cl)
	default:
		return &exitError{code: 1, msg: "the interactive shell does not support this connection mode"}
	}

	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	// The root context ends on SIGINT too: the shell keeps running on a
	// context of its own, which only SIGTERM ends.
	shellCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	defer signal.Stop(terms)
	go func() {
		select {
		case <-terms:
			cancel()
		case <-shellCtx.Done():
		}
	}()

	ed, err := repl.NewReadlineEditor(c.ios.In, c.ios.Out, c.ios.ErrOut)
	if err != nil {
		return &exitError{code: 1, msg: "Cannot start the line editor: " + err.Error()}
	}
	defer ed.Close()

	// The pager and the commands replies are piped to write to the
	// terminal itself.
	var tty *os.File
	var termSize func() (int, int)
	if f, ok := c.ios.Out.(*os.File); ok && c.ios.OutTTY {
		tty = f
		termSize = func() (int, int) {
			w, h, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0, 0
			}
			return w, h
		}
	}
	sh := repl.NewShell(repl.Config{
		Client:      rc,
		Editor:      ed,
		Out:         c.ios.Out,
		ErrOut:      c.ios.ErrOut,
		Format:      c.format,
		Color:       repl.ColorEnabled(c.ios.OutTTY, c.o.NoColor, c.ios.Getenv),
		ErrColor:    repl.ColorEnabled(c.ios.ErrTTY, c.o.NoColor, c.ios.Getenv),
		Interval:    time.Duration(c.o.Interval * float64(time.Second)),
		Version:     versionNumber(),
		HistoryPath: repl.HistoryPath(c.ios.Getenv),
		RCPath:      repl.RCPath(c.ios.Getenv),
		Interrupts:  interrupts,
		Describe:    describe,
		Builtins:    c.builtins,
		Secrets:     c.ios.Secrets,
		Getenv:      c.ios.Getenv,
		Terminal:    tty,
		TermSize:    termSize,
	})
	err = sh.Run(shellCtx)
	if errors.Is(err, context.Canceled) {
		return &exitError{code: 143}
	}
	return err
}
