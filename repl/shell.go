// Package repl is redish's interactive shell: the prompt, the line editor
// behind a small interface (Editor), history kept without secrets, Tab
// completion, syntax hints, the built-in commands (help, connect, clear,
// quit, :set, :retry, :verbose, :help), the handling of Ctrl-C, and
// commands the program adds (Builtin: redish lab adds :lab).
//
// The shell reaches Redis through the Client interface, which Standalone
// implements over a *redisx.Client. ParseLine holds the rules for reading
// a line (quit, the "N CMD" repeat prefix, help) that stdin mode shares.
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/secret"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Timings of the shell.
const (
	// slowCommand is the running time from which a command's time is
	// printed after its reply, as redis-cli does: "(0.81s)".
	slowCommand = 500 * time.Millisecond
	// docsTimeout bounds the COMMAND DOCS request made after connecting.
	docsTimeout = 2 * time.Second
)

// Config is what a Shell is made of.
type Config struct {
	// Client is the connection to Redis.
	Client Client
	// Editor reads the lines.
	Editor Editor
	// Out receives replies and the output of built-ins; ErrOut receives
	// the shell's own error messages and --verbose retry lines.
	Out, ErrOut io.Writer
	// Format says how replies print (format.TTY on a terminal).
	Format format.Options
	// Color turns colour on for what goes to Out: the prompt and hints
	// (see ColorEnabled).
	Color bool
	// ErrColor turns colour on for what goes to ErrOut: the shell's error
	// messages and --verbose retry lines.
	ErrColor bool
	// Version is redish's version, shown by "help".
	Version string
	// HistoryPath is the history file, "" for none (see HistoryPath).
	HistoryPath string
	// RCPath is the file of :set, :retry and :verbose lines run at start,
	// "" for none (see RCPath).
	RCPath string
	// Interval is the wait between the runs of "N CMD" (-i).
	Interval time.Duration
	// Interrupts hands Ctrl-C (SIGINT) to the shell: while a command runs
	// it cancels that command, and between commands it does nothing. At
	// the prompt the editor sees Ctrl-C as a key. nil leaves Ctrl-C to
	// the program.
	Interrupts Interrupts
	// Describe turns a connection error into the line printed for it;
	// nil prints err.Error().
	Describe func(error) string
	// Builtins are commands added to the shell's own, by name without the
	// colon, in lower case: "lab" is run by lines starting with ":lab".
	Builtins map[string]Builtin
	// Secrets learns the credentials of each command before it is sent,
	// and is masked in error replies; ErrOut is expected to mask them too.
	// nil masks nothing.
	Secrets *secret.Set
	// Getenv reads the environment: PAGER, LESS and COLORFGBG. nil reads
	// nothing.
	Getenv func(string) string
	// Terminal is the terminal the shell runs on, where the pager and the
	// commands replies are piped to write; nil when Out is not a
	// terminal: then there is no pager.
	Terminal *os.File
	// TermSize returns the terminal's width and height, 0 when unknown:
	// the pager starts for replies taller than the terminal.
	TermSize func() (width, height int)
	// Theme colours the line being typed: "dark", "light" or "none"; ""
	// picks light or dark from COLORFGBG.
	Theme string
	// Decode shows bulk strings that are valid UTF-8 as text (--decode
	// utf-8, :set decode).
	Decode bool
	// Pager is "on", "off" or the pager's command; "" is on.
	Pager string
	// NoConfirm runs dangerous commands without asking (:set confirm).
	NoConfirm bool
	// KeysThreshold is the number of keys from which KEYS asks first; 0
	// means DefaultKeysThreshold.
	KeysThreshold int64
}

// Interrupts is how the shell takes Ctrl-C from the program, which has the
// one signal handler: Catch makes Ctrl-C call f instead of ending the
// program, until release is called. Catches nest; the latest one in
// place gets Ctrl-C. *env.Interrupts implements it.
type Interrupts interface {
	Catch(f func()) (release func())
}

// Shell is the interactive loop. Create it with NewShell and run it once.
type Shell struct {
	cfg     Config
	client  Client
	ed      Editor
	pal     palette
	history *History

	cmds     atomic.Pointer[commandSet]
	settings atomic.Pointer[settings]
	// plain turns highlighting, hints and completion off while the shell
	// asks a question (see confirm).
	plain atomic.Bool
	// verboseOn is true while --verbose lines print (:verbose).
	verboseOn atomic.Bool
	// prompted is the state the prompt showed last, for a Watcher's
	// notices, which come from another goroutine.
	prompted atomic.Pointer[State]

	buf []byte
	// paged is the time spent in the pager, which a command's running
	// time leaves out.
	paged time.Duration
	// lastHistory is the last line added to the history.
	lastHistory string
	// warned keeps the history write error from repeating.
	warned bool
}

// NewShell returns a shell for cfg.
func NewShell(cfg Config) *Shell {
	if cfg.Describe == nil {
		cfg.Describe = func(err error) string { return err.Error() }
	}
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	if cfg.KeysThreshold <= 0 {
		cfg.KeysThreshold = DefaultKeysThreshold
	}
	theme := cfg.Theme
	if _, ok := lookupTheme(theme); !ok {
		theme = defaultTheme(cfg.Getenv)
	}
	pager := cfg.Pager
	if pager == "" {
		pager = pagerOn
	}
	s := &Shell{
		cfg:     cfg,
		client:  cfg.Client,
		ed:      cfg.Editor,
		pal:     newPalette(cfg.Color && theme != "none", cfg.ErrColor),
		history: &History{},
	}
	s.cmds.Store(newCommandSet(nil))
	s.settings.Store(&settings{
		hints:   true,
		keys:    true,
		theme:   theme,
		decode:  cfg.Decode,
		pager:   pager,
		confirm: !cfg.NoConfirm,
	})
	return s
}

// Run runs the shell until quit, exit, Ctrl-D or Ctrl-C at an empty
// prompt (a nil error), or until ctx ends.
func (s *Shell) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.ed.Close() })
	defer stop()
	// Ctrl-C belongs to the shell while it runs: between commands it does
	// nothing (interruptible catches it while a command runs).
	defer s.ignoreInterrupts()()

	s.ed.SetCompleter(s.complete)
	s.ed.SetPainter(s.paint)

	s.openHistory()
	if rc, ok := s.client.(RetryControl); ok && rc.Observer() != nil {
		// --verbose was given: print its lines in the shell's colours.
		s.setVerbose(rc, true)
	}
	s.runRC()
	s.connect(ctx)
	s.loadDocs(ctx)
	if w, ok := s.client.(Watcher); ok {
		stop := w.Watch(ctx, s.notice)
		defer stop()
	}

	for {
		st := s.client.State()
		s.prompted.Store(&st)
		line, err := s.ed.ReadLine(renderPrompt(st, s.pal))
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrInterrupt):
			if strings.TrimSpace(line) == "" {
				return nil
			}
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("reading the command line: %w", err)
		}
		s.addHistory(line)
		if s.runLine(ctx, line) {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// connect dials now, so that the prompt tells whether the server is
// there (at start, after "connect" and after Ctrl-C). Ctrl-C ends the
// attempt.
func (s *Shell) connect(ctx context.Context) {
	var err error
	s.interruptible(ctx, func(ctx context.Context) { err = s.client.Connect(ctx) })
	if err != nil && ctx.Err() == nil {
		if errors.Is(err, context.Canceled) {
			s.print("\n")
			return
		}
		s.errorf("%s", s.cfg.Describe(err))
	}
}

// loadDocs asks the server for COMMAND DOCS, so that hints and completion
// cover its modules and newer commands. Failing is not an error: the
// built-in table remains.
func (s *Shell) loadDocs(ctx context.Context) {
	if !s.client.State().Connected {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, docsTimeout)
	defer cancel()
	v, err := s.client.Do(dctx, redisx.Args("COMMAND", "DOCS"))
	if err != nil {
		// A slow answer cost the connection: make it again, as briefly.
		rctx, cancel := context.WithTimeout(ctx, docsTimeout)
		defer cancel()
		s.client.Connect(rctx)
		return
	}
	if docs := parseCommandDocs(v); len(docs) > 0 {
		s.cmds.Store(newCommandSet(docs))
	}
}

// runLine runs one line and reports whether the shell should end.
func (s *Shell) runLine(ctx context.Context, text string) (quit bool) {
	l := ParseLine(text)
	switch l.Kind {
	case LineEmpty:
	case LineInvalid, LineBadRepeat:
		s.print(l.Message())
	case LineQuit:
		return true
	case LineHelp:
		s.print(format.HelpDetail(l.Words, s.cfg.Version, s.cfg.Color))
		if len(l.Words) == 0 {
			s.print(helpBannerEnd())
		}
	case LineCommand:
		s.runCommandLine(ctx, l, text)
	}
	return false
}

// runCommandLine runs a built-in or sends the command; text is the line
// as typed.
func (s *Shell) runCommandLine(ctx context.Context, l Line, text string) {
	w := l.Words
	switch {
	case strings.EqualFold(w[0], ":peek"):
		s.peek(ctx, w[1:])
		return
	case strings.HasPrefix(w[0], ":"):
		if b, ok := s.builtin(w[0]); ok {
			s.runBuiltin(ctx, b, w[1:])
			return
		}
		s.internal(w, "")
		return
	case strings.EqualFold(w[0], "connect") && len(w) == 3:
		s.connectTo(ctx, w[1], w[2])
		return
	case strings.EqualFold(w[0], "clear") && len(w) == 1:
		s.print("\x1b[H\x1b[2J")
		return
	case strings.EqualFold(w[0], "peek"):
		s.peek(ctx, w[1:])
		return
	case strings.EqualFold(w[0], "auth") && len(w) == 1:
		// Improvement: a bare AUTH asks for the password without echo,
		// so it never shows on screen.
		pw, err := s.ed.ReadPassword("Password: ")
		if err != nil {
			return
		}
		l.Words = []string{w[0], pw}
	}
	if cmdWords, shellCmd, ok := s.cmds.Load().splitPipe(text); ok {
		if s.confirm(ctx, cmdWords) {
			s.runPiped(ctx, cmdWords, l.Repeat, shellCmd)
		}
		return
	}
	if s.confirm(ctx, w) {
		s.runCommand(ctx, l.Args(), l.Repeat)
	}
}

// connectTo is the "connect HOST PORT" built-in.
func (s *Shell) connectTo(ctx context.Context, host, portText string) {
	port, ok := parsePort(portText)
	if !ok {
		s.errorf("Invalid port %q: must be between 1 and 65535.", portText)
		return
	}
	if err := s.client.SetAddr(host, port); err != nil {
		s.errorf("%v", err)
		return
	}
	s.connect(ctx)
	s.loadDocs(ctx)
}

// runCommand sends args repeat times and prints the replies. Ctrl-C
// cancels it; the connection is then made again, with the session
// restored, before the next prompt.
func (s *Shell) runCommand(ctx context.Context, args [][]byte, repeat int) {
	s.cfg.Secrets.AddCommand(args)
	start := time.Now()
	s.paged = 0
	streaming := redisx.IsStreaming(args)
	if streaming && s.cfg.Format.Mode != format.Raw {
		s.print("Reading messages... (press Ctrl-C to quit)\n")
	}
	interrupted := s.interruptible(ctx, func(ctx context.Context) {
		for i := range repeat {
			if i > 0 && s.cfg.Interval > 0 && (retry.SystemClock{}).Sleep(ctx, s.cfg.Interval) != nil {
				return
			}
			v, err := s.client.Do(ctx, args)
			if err != nil {
				s.failed(err, ctx.Err() != nil)
				return
			}
			s.reply(args, v, repeat == 1 && !streaming)
			if streaming && v.Kind != resp.KindError {
				s.stream(ctx, args)
				return
			}
		}
	})
	elapsed := time.Since(start) - s.paged
	switch {
	case elapsed >= slowCommand && s.cfg.Format.Mode == format.TTY:
		// After Ctrl-C this follows the "^C" the terminal echoed, as in
		// redis-cli.
		s.print(fmt.Sprintf("(%.2fs)\n", elapsed.Seconds()))
	case interrupted:
		s.print("\n")
	}
	if interrupted {
		s.connect(ctx)
	}
}

// ignoreInterrupts makes Ctrl-C do nothing to the shell until release is
// called: between commands, and while a program the shell started (the
// pager) gets Ctrl-C from the terminal itself.
func (s *Shell) ignoreInterrupts() (release func()) {
	if s.cfg.Interrupts == nil {
		return func() {}
	}
	return s.cfg.Interrupts.Catch(func() {})
}

// interruptible runs f with a context that Ctrl-C cancels, and reports
// whether it did.
func (s *Shell) interruptible(ctx context.Context, f func(context.Context)) bool {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if s.cfg.Interrupts != nil {
		release := s.cfg.Interrupts.Catch(cancel)
		f(cctx)
		release()
	} else {
		f(cctx)
	}
	return cctx.Err() != nil && ctx.Err() == nil
}

// stream prints what the server pushes after SUBSCRIBE or MONITOR until
// Ctrl-C or until the connection fails.
func (s *Shell) stream(ctx context.Context, args [][]byte) {
	for {
		v, err := s.client.ReadReply(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.failed(err, false)
			}
			return
		}
		s.reply(args, v, false)
	}
}

// failed reports a command that got no reply. An interrupted command
// needs no message, except when it cost a transaction or may have run.
func (s *Shell) failed(err error, interrupted bool) {
	var tl *redisx.TxLostError
	var mr *redisx.MayHaveRunError
	if interrupted && !errors.As(err, &tl) && !errors.As(err, &mr) {
		return
	}
	s.errorf("%s", s.cfg.Describe(err))
}

// reply prints one reply in the configured format, through the pager
// when pageable and it is taller than the terminal.
func (s *Shell) reply(args [][]byte, v resp.Value, pageable bool) {
	s.buf = s.formatReply(s.buf[:0], args, v, s.cfg.Format)
	if !pageable || !s.page(s.buf) {
		s.cfg.Out.Write(s.buf)
	}
	if cap(s.buf) > 1<<20 {
		s.buf = nil
	}
}

// formatReply appends reply v of args in format o, secrets masked and
// strings decoded as :set decode says.
func (s *Shell) formatReply(buf []byte, args [][]byte, v resp.Value, o format.Options) []byte {
	v = s.cfg.Secrets.MaskReply(v)
	o.Verbatim = format.VerbatimArgs(args)
	o.UTF8 = s.opts().decode
	return format.Append(buf, v, o)
}

// internal runs a ":" command: :set, :retry, :verbose or :help. from
// names the file the line came from, "" when typed.
func (s *Shell) internal(w []string, from string) {
	prefix := ""
	if from != "" {
		prefix = from + ": "
	}
	switch strings.ToLower(w[0]) {
	case ":set":
		s.set(w[1:], prefix)
	case ":retry":
		s.retry(w[1:], prefix)
	case ":verbose":
		s.verbose(w[1:], prefix)
	case ":help":
		s.help()
	case ":peek":
		s.print(prefix + ":peek runs only at the prompt\n")
	default:
		s.print(prefix + "unknown redish internal command '" + w[0] + "'\n")
	}
}

// retry is :retry: alone it shows the policy, with key=value settings it
// changes it (see retryLine).
func (s *Shell) retry(settings []string, prefix string) {
	if _, ok := s.client.(RetryControl); !ok {
		s.print(prefix + errNoRetryControl.Error() + "\n")
		return
	}
	line, err := retryLine(s.client, settings)
	if err != nil {
		s.errorf("%s:retry: %v", prefix, err)
		return
	}
	if len(settings) > 0 && prefix != "" {
		return
	}
	s.print(line)
}

// verbose is :verbose on|off: print every retry on stderr, or not.
func (s *Shell) verbose(args []string, prefix string) {
	rc, ok := s.client.(RetryControl)
	if !ok {
		s.print(prefix + "retries cannot be shown in this mode\n")
		return
	}
	if len(args) == 0 {
		s.print("verbose " + onOff(rc.Observer() != nil) + "\n")
		return
	}
	on, err := verboseArg(args[0])
	if err != nil {
		s.print(prefix + err.Error() + "\n")
		return
	}
	s.setVerbose(rc, on)
	if prefix == "" {
		if on {
			s.print("verbose on: retries are printed on stderr as they happen\n")
		} else {
			s.print("verbose off: retries happen silently\n")
		}
	}
}

// setVerbose turns on or off the lines --verbose prints: retries and, in
// cluster mode, redirects, topology reads and cluster-level attempts.
func (s *Shell) setVerbose(_ RetryControl, on bool) {
	s.verboseOn.Store(on)
	if on {
		setVerboseLines(s.client, s.verboseLine)
		return
	}
	setVerboseLines(s.client, nil)
}

// verboseLine prints one --verbose line in the shell's colours. A line may
// quote a server: its control bytes are escaped.
func (s *Shell) verboseLine(line string) {
	safe := format.AppendPrintable(nil, []byte(line))
	fmt.Fprintln(s.cfg.ErrOut, s.pal.verbose.Sprint(string(safe)))
}

// notice shows what a Watcher reports, from its goroutine: the prompt
// names the server's new address at once, and with --verbose the line is
// printed above the line being typed.
func (s *Shell) notice(n Notice) {
	var line, prompt string
	if n.Line != "" && s.verboseOn.Load() {
		line = s.pal.verbose.Sprint(string(format.AppendPrintable(nil, []byte(n.Line))))
	}
	if st := s.prompted.Load(); n.Addr != "" && st != nil {
		moved := *st
		// The server moved to a live one: even after a failure to reach
		// the old one, the prompt names the new one.
		moved.Addr, moved.Connected = n.Addr, true
		prompt = renderPrompt(moved, s.pal)
	}
	if line != "" || prompt != "" {
		s.ed.Announce(line, prompt)
	}
}

func (s *Shell) print(text string) { io.WriteString(s.cfg.Out, text) }

// errorf prints one of the shell's own messages on ErrOut, in red.
func (s *Shell) errorf(f string, args ...any) {
	fmt.Fprintln(s.cfg.ErrOut, s.pal.err.Sprintf(f, args...))
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
