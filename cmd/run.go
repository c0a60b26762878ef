package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/internal/secret"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
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
	p := newPrinter(c.ios, c.format, c.o.ErrExit)
	defer p.flush()
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
			u, err := cliargs.UnquoteArg(a)
			if err != nil {
				return nil, &exitError{code: 1, msg: "Invalid quoted string", toStdout: true}
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
		return nil, &exitError{code: 1, msg: "Error reading stdin: " + err.Error()}
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
		return nil, &exitError{code: 1, msg: "-X: no argument equal to the tag " + strconv.Quote(c.o.StdinTag) + " in the command."}
	}
	return args, nil
}

// evalArgs builds EVAL from --eval FILE and "key1 key2 , arg1 arg2".
func (c *config) evalArgs() ([][]byte, error) {
	script, err := os.ReadFile(c.o.Eval)
	if err != nil {
		return nil, &exitError{code: 1, msg: "Can't open file '" + c.o.Eval + "': " + strerrorOf(err)}
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

func strerrorOf(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return dialReason(pe.Err)
	}
	return err.Error()
}

// session is what the modes need of a client. redisx.Client (standalone)
// and redisx.ClusterClient (-c) implement it.
type session interface {
	// Do sends one command and reads its reply, retrying per the policy.
	Do(ctx context.Context, args [][]byte) (resp.Value, error)
	// ReadReply reads the next message the server pushes on the connection
	// the last command used (after SUBSCRIBE or MONITOR).
	ReadReply(ctx context.Context) (resp.Value, error)
	Close() error
}

// newClient returns the client of the run; push messages that arrive
// between replies are printed by p when --show-pushes says so.
func (c *config) newClient(p *printer) (session, error) {
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
func (c *config) onPush(p *printer) func(resp.Value) {
	if !c.showPushes {
		return nil
	}
	return p.push
}

// runOneShot runs the command given on the command line, -r times with -i
// seconds between runs.
func (c *config) runOneShot(ctx context.Context, client session, p *printer, args [][]byte) error {
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
func (c *config) runCommand(ctx context.Context, client session, p *printer, args [][]byte) error {
	c.ios.Secrets.AddCommand(args)
	if done, err := c.runOnNodes(ctx, client, p, args); done {
		return err
	}
	if isSubscribe(args) && p.opts.Mode != format.Raw {
		if err := p.text(readingMessages); err != nil {
			return err
		}
	}
	v, err := client.Do(ctx, args)
	if err != nil {
		return err
	}
	if err := p.reply(args, v); err != nil {
		return err
	}
	if v.Kind != resp.KindError && redisx.IsStreaming(args) {
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
func (c *config) stream(ctx context.Context, client session, p *printer, args [][]byte) error {
	monitor := !isSubscribe(args)
	for {
		v, err := client.ReadReply(ctx)
		if err != nil {
			return err
		}
		if monitor && v.Kind == resp.KindPush {
			if c.showPushes {
				p.push(v)
			}
			continue
		}
		if err := p.reply(args, v); err != nil {
			return err
		}
	}
}

// printer writes replies in the chosen format, flushing after each so
// output appears as replies arrive.
type printer struct {
	w       *bufio.Writer
	errOut  io.Writer
	opts    format.Options
	errExit bool
	buf     []byte
	// secrets are masked in error replies.
	secrets *secret.Set
	// errTTY escapes control bytes in the error replies -e writes to
	// stderr, a terminal.
	errTTY bool
	// pushBuf formats push messages, which may arrive while a reply
	// is being printed from buf.
	pushBuf []byte
	// beforePush, when set, prints what must come before a push message
	// that arrives now (the texts of a pipelined window).
	beforePush func()
}

// push prints a push message that arrived between replies, as redis-cli's
// push handler does (see format.AppendPush), and flushes: the shell
// writes its replies to the same stream without this buffer. A write
// error is left for the next reply to report.
func (p *printer) push(v resp.Value) {
	if p.beforePush != nil {
		p.beforePush()
	}
	p.pushBuf = format.AppendPush(p.pushBuf[:0], v, p.opts)
	p.w.Write(p.pushBuf)
	p.w.Flush()
}

func newPrinter(ios *IOStreams, opts format.Options, errExit bool) *printer {
	return &printer{
		w:       bufio.NewWriterSize(ios.Out, 64<<10),
		errOut:  ios.ErrOut,
		opts:    opts,
		errExit: errExit,
		secrets: ios.Secrets,
		errTTY:  ios.ErrTTY,
	}
}

// reply prints the reply v to the command args and flushes. With -e an
// error reply is written to stderr instead and ends the run with exit code
// 1, as redis-cli does.
func (p *printer) reply(args [][]byte, v resp.Value) error {
	if err := p.replyBuffered(args, v); err != nil {
		return err
	}
	return p.flush()
}

// replyBuffered is reply without the flush: the bulk modes write their
// output in large chunks.
func (p *printer) replyBuffered(args [][]byte, v resp.Value) error {
	v = p.secrets.MaskReply(v)
	if p.errExit && v.Kind == resp.KindError {
		p.flush()
		msg := format.ErrorLine(nil, v, p.errTTY)
		return &exitError{code: 1, msg: string(msg[:len(msg)-1])}
	}
	o := p.opts
	o.Verbatim = format.VerbatimArgs(args)
	if s, suffix, ok := rawString(v, o); ok && len(s) > directWriteMin {
		// A large string printed as it is goes straight from the reply to
		// the output: copying it into p.buf would hold it twice.
		if _, err := p.w.Write(s); err != nil {
			return err
		}
		_, err := p.w.WriteString(suffix)
		return err
	}
	p.buf = format.Append(p.buf[:0], v, o)
	_, err := p.w.Write(p.buf)
	if cap(p.buf) > 1<<20 {
		p.buf = nil
	}
	return err
}

// directWriteMin is the size above which a string reply printed as it is
// skips the format buffer.
const directWriteMin = 64 << 10

// rawString reports whether format.Append would print v as its bytes
// unchanged followed by suffix (raw output, or a verbatim command's
// reply), and returns those bytes.
func rawString(v resp.Value, o format.Options) (s []byte, suffix string, ok bool) {
	if !o.Verbatim && o.Mode != format.Raw {
		return nil, "", false
	}
	if o.Verbatim && o.Mode == format.TTY && o.Terminal {
		return nil, "", false // escaped for the terminal
	}
	switch v.Kind {
	case resp.KindStatus, resp.KindBulk, resp.KindVerbatim, resp.KindBigNumber:
	default:
		return nil, "", false
	}
	if !o.Verbatim {
		suffix = o.CmdDelim
	}
	return v.Str, suffix, true
}

// slowCommand is how long a command must take for the shell and stdin
// mode to print its time after the reply, as redis-cli does.
const slowCommand = 500 * time.Millisecond

// timing writes "(0.81s)" after the reply of a command that took
// elapsed, when that is slowCommand or more and the output is the human
// format (redis-cli prints it in no other). It does not flush.
func (p *printer) timing(elapsed time.Duration) error {
	if elapsed < slowCommand || p.opts.Mode != format.TTY {
		return nil
	}
	_, err := fmt.Fprintf(p.w, "(%.2fs)\n", elapsed.Seconds())
	return err
}

// text prints a line that is not a reply (help, "Invalid argument(s)").
func (p *printer) text(s string) error {
	_, err := p.w.WriteString(s)
	if err != nil {
		return err
	}
	return p.flush()
}

func (p *printer) flush() error { return p.w.Flush() }
