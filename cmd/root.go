// Package cmd is redish's command line: flags to Options, and the modes a
// run can take (one command, commands read from stdin, the interactive
// shell, bulk and diagnostic modes). Errors are printed in one place, Run,
// and mapped to exit codes there.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/retry"
)

// Main runs redish with the process's arguments, streams and signals and
// returns the exit code.
func Main() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	intr := env.NewInterrupts(cancel)
	sig := handleSignals(intr, cancel)
	defer sig.stop()
	intr.OnListen(sig.listen)
	return run(ctx, os.Args[1:], System(), intr)
}

// signalDelay is how long a run goes before it handles SIGINT and SIGTERM
// by itself. Handling them costs a thread and some hundred microseconds
// (os/signal starts its watchers), which a one-shot command done in a
// millisecond or two would otherwise pay on every run. A run that is
// about to wait for something (a retry, a blocking or streaming command,
// stdin, the shell, any mode other than one command) starts handling them
// at once, through env.Interrupts.Listen. Until then a signal ends the
// process as its default action does: killed by the signal, which a
// shell reports as exit status 130 for Ctrl-C, without the line saying
// what was interrupted.
const signalDelay = 20 * time.Millisecond

// signals is the process's one signal handler: SIGTERM ends the run
// (end), and SIGINT (Ctrl-C) goes to intr, which ends the run too unless
// a mode has caught it (the shell cancels the command that runs).
type signals struct {
	intr  *env.Interrupts
	end   func()
	start *time.Timer
	once  sync.Once
	sigs  chan os.Signal // nil until the handler starts
	done  chan struct{}
}

// handleSignals returns the handler of the run, which starts handling
// signals after signalDelay or when listen is called, whichever comes
// first.
func handleSignals(intr *env.Interrupts, end func()) *signals {
	s := &signals{intr: intr, end: end, done: make(chan struct{})}
	s.start = time.AfterFunc(signalDelay, s.listen)
	return s
}

// listen starts handling the signals, once.
func (s *signals) listen() {
	s.once.Do(func() {
		s.sigs = make(chan os.Signal, 1)
		var watch []os.Signal
		for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
			// A signal ignored from the start stays ignored, as in
			// redis-cli: a job a script starts with & ignores Ctrl-C.
			if !signal.Ignored(sig) {
				watch = append(watch, sig)
			}
		}
		if len(watch) > 0 { // none would mean every signal
			signal.Notify(s.sigs, watch...)
		}
		go func() {
			for {
				select {
				case sig := <-s.sigs:
					if sig == os.Interrupt {
						s.intr.Interrupt()
					} else {
						s.end()
					}
				case <-s.done:
					return
				}
			}
		}()
	})
}

// stop stops handling signals, or makes sure it never starts.
func (s *signals) stop() {
	s.start.Stop()
	s.once.Do(func() {}) // waits for a listen in progress
	if s.sigs != nil {
		signal.Stop(s.sigs)
		close(s.done)
	}
}

// Run parses args, runs the mode they select and returns the exit code.
// All errors are printed here, once. The end of ctx stands for a signal:
// tests run redish in-process with it.
func Run(ctx context.Context, args []string, ios *IOStreams) int {
	return run(ctx, args, ios, nil)
}

// run is Run with the routing of Ctrl-C (nil where no signal comes).
func run(ctx context.Context, args []string, ios *IOStreams, intr *env.Interrupts) int {
	if code, ok := fastRun(ctx, args, ios, intr); ok {
		return code
	}
	ios = ios.Guarded()
	root, o := newRoot(ctx, ios, intr)
	if len(args) > 0 && args[0] == cobra.ShellCompRequestCmd {
		if handled, err := completeManager(root, ios, args); handled {
			return report(ctx, ios, err)
		}
	} else {
		// --cluster SUBCOMMAND ARGS is redis-cli's cluster manager, which
		// takes words that the option parser would take for a command.
		rest, m, err := splitManager(root.Flags(), args)
		if err == nil && m.given && m.sub == "" {
			err = usageError("--cluster needs a subcommand")
		}
		var ue *usageErr
		if errors.As(err, &ue) {
			// As redis-cli: the usage on stderr, exit 1.
			printHelp(ios.ErrOut, root)
			return 1
		}
		if err != nil {
			return report(ctx, ios, err)
		}
		// Never nil: cobra would read os.Args instead.
		o.Manager, args = m, append([]string{}, rest...)
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return report(ctx, ios, err)
}

func report(ctx context.Context, ios *IOStreams, err error) int {
	if err == nil {
		return 0
	}
	var ee *env.ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			w := ios.ErrOut
			if ee.ToStdout {
				w = ios.Out
			}
			fmt.Fprintln(w, ee.Msg)
		}
		return ee.Code
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		fmt.Fprintln(ios.ErrOut, interrupted(err))
		return 130
	}
	fmt.Fprintln(ios.ErrOut, env.Describe(err))
	return 1
}

// newRoot returns the root command and the options its flags fill.
func newRoot(ctx context.Context, ios *IOStreams, intr *env.Interrupts) (*cobra.Command, *Options) {
	o := &Options{}
	rows := optionTable(o)
	root := &cobra.Command{
		Use:   "redish [options] [cmd [arg ...]]",
		Short: "A Redis shell with retries you can configure and watch",
		Long: `redish is a Redis shell: a drop-in replacement for redis-cli whose retry
behaviour is configured on the command line and visible with --verbose.

With a command, redish runs it and prints the reply. Without one, it reads
commands from stdin when stdin is not a terminal, and opens the interactive
shell when it is.`,
		Example: `  redish PING
  redish -p 7000 INCRBY counter -5
  redish -u redis://user:pass@host:6380/2 GET key
  redish --retries 5 --retry-backoff exponential --verbose GET key
  printf 'SET a 1\nINCR a\n' | redish
  redish help SET`,
		Args:               cobra.ArbitraryArgs,
		SilenceErrors:      true,
		SilenceUsage:       true,
		DisableSuggestions: true,
		DisableAutoGenTag:  true,
		CompletionOptions:  cobra.CompletionOptions{HiddenDefaultCmd: true},
		RunE: func(c *cobra.Command, args []string) error {
			return runRoot(c.Context(), ios, intr, o, rows, c.Flags(), args)
		},
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	fs := root.Flags()
	fs.SetInterspersed(false) // options end at the command: redish -p 7000 INCRBY k -5
	fs.SortFlags = false
	register(fs, rows)
	root.SetFlagErrorFunc(flagError)
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		printHelp(ios.Out, c)
	})
	root.SetHelpCommand(&cobra.Command{Hidden: true, Use: "no-help-command"})
	addSubcommands(ctx, root, ios, intr)
	return root, o
}

func runRoot(ctx context.Context, ios *IOStreams, intr *env.Interrupts, o *Options, rows []option, fs *pflag.FlagSet, args []string) error {
	if o.Version {
		fmt.Fprintln(ios.Out, versionString())
		return nil
	}
	// Empty values are checked on the command line first (--config ''
	// must not read no file), then with the file's settings applied.
	if err := checkEmptyValues(fs, rows, nil); err != nil {
		return err
	}
	settings, err := applySettings(ios, o, fs)
	if err != nil {
		return err
	}
	if err := checkEmptyValues(fs, rows, settings.where); err != nil {
		return err
	}
	cfg, err := buildConfig(ios, o, fs, args)
	if err != nil {
		return err
	}
	cfg.interrupts, cfg.settings = intr, settings
	if done, err := cfg.printSettings(); done {
		return err
	}
	return cfg.run(ctx)
}

// interruptedError is the error of a run that a signal interrupted, with
// what the run was doing.
type interruptedError struct {
	what string // "while running BLPOP", "during --bigkeys"; "" when unknown
	err  error
}

func (e *interruptedError) Error() string { return e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

// commandName is a command's name as messages show it: in capitals, or
// quoted when it is not a plain word.
func commandName(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.|:", r))
	}) {
		return strconv.Quote(s)
	}
	return strings.ToUpper(s)
}

// interrupted is the line printed when Ctrl-C (or SIGTERM) ends a run:
// what it interrupted and, for a retry loop, how many attempts ran and
// the last failure.
func interrupted(err error) string {
	what := "Interrupted"
	var ie *interruptedError
	if errors.As(err, &ie) && ie.what != "" {
		what += " " + ie.what
	}
	var re *retry.Error
	if errors.As(err, &re) && re.Err != nil {
		n := "1 attempt"
		if re.Attempts != 1 {
			n = fmt.Sprintf("%d attempts", re.Attempts)
		}
		return what + " after " + n + "; last error: " + env.Describe(re.Err)
	}
	return what + "."
}
