package env

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/secret"
	"github.com/redish/redish/resp"
)

// PrintOptions say how a Printer prints.
type PrintOptions struct {
	// Format is the output format (--raw, --csv, ...).
	Format format.Options
	// ErrExit ends the run at the first error reply, which goes to stderr
	// (-e).
	ErrExit bool
	// ShowPushes prints the RESP3 push messages that arrive between
	// replies (--show-pushes).
	ShowPushes bool
}

// Printer writes replies in the chosen format, flushing after each so
// output appears as replies arrive.
type Printer struct {
	w      *bufio.Writer
	errOut io.Writer
	opts   PrintOptions
	buf    []byte
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

// NewPrinter returns a printer writing to ios.Out.
func NewPrinter(ios *IOStreams, o PrintOptions) *Printer {
	return &Printer{
		w:       bufio.NewWriterSize(ios.Out, 64<<10),
		errOut:  ios.ErrOut,
		opts:    o,
		secrets: ios.Secrets,
		errTTY:  ios.ErrTTY,
	}
}

// Format returns the output format.
func (p *Printer) Format() format.Options { return p.opts.Format }

// ShowPushes reports whether push messages are printed (--show-pushes).
func (p *Printer) ShowPushes() bool { return p.opts.ShowPushes }

// Writer returns the buffered output, for a mode that writes bytes of its
// own (--scan, --replica). Flush sends them on.
func (p *Printer) Writer() *bufio.Writer { return p.w }

// SetBeforePush makes every push message that arrives from now on call f
// first (nil: nothing), so that it follows the texts a pipelined window
// printed before it.
func (p *Printer) SetBeforePush(f func()) { p.beforePush = f }

// Push prints a push message that arrived between replies, as redis-cli's
// push handler does (see format.AppendPush), and flushes: the shell
// writes its replies to the same stream without this buffer. A write
// error is left for the next reply to report.
func (p *Printer) Push(v resp.Value) {
	if p.beforePush != nil {
		p.beforePush()
	}
	p.pushBuf = format.AppendPush(p.pushBuf[:0], v, p.opts.Format)
	p.w.Write(p.pushBuf)
	p.w.Flush()
}

// Reply prints the reply v to the command args and flushes. With -e an
// error reply is written to stderr instead and ends the run with exit code
// 1, as redis-cli does.
func (p *Printer) Reply(args [][]byte, v resp.Value) error {
	if err := p.ReplyBuffered(args, v); err != nil {
		return err
	}
	return p.Flush()
}

// ReplyBuffered is Reply without the flush: the bulk modes write their
// output in large chunks.
func (p *Printer) ReplyBuffered(args [][]byte, v resp.Value) error {
	v = p.secrets.MaskReply(v)
	if p.opts.ErrExit && v.Kind == resp.KindError {
		p.Flush()
		msg := format.ErrorLine(nil, v, p.errTTY)
		return &ExitError{Code: 1, Msg: string(msg[:len(msg)-1])}
	}
	o := p.opts.Format
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

// SlowCommand is how long a command must take for the shell and stdin
// mode to print its time after the reply, as redis-cli does.
const SlowCommand = 500 * time.Millisecond

// Timing writes "(0.81s)" after the reply of a command that took
// elapsed, when that is SlowCommand or more and the output is the human
// format (redis-cli prints it in no other). It does not flush.
func (p *Printer) Timing(elapsed time.Duration) error {
	if elapsed < SlowCommand || p.opts.Format.Mode != format.TTY {
		return nil
	}
	_, err := fmt.Fprintf(p.w, "(%.2fs)\n", elapsed.Seconds())
	return err
}

// Text prints a line that is not a reply (help, "Invalid argument(s)")
// and flushes.
func (p *Printer) Text(s string) error {
	_, err := p.w.WriteString(s)
	if err != nil {
		return err
	}
	return p.Flush()
}

// Flush writes what is buffered.
func (p *Printer) Flush() error { return p.w.Flush() }
