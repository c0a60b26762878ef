package stdin

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/oneshot"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/repl"
	"github.com/redish/redish/resp"
)

// runPipelined runs commands read from stdin in pipelined windows, with
// the output Run gives when it runs them one by one. It reports false,
// leaving the run to Run, for --window 1 and for node selections
// (--primaries, --node, ...), which print per node.
func runPipelined(ctx context.Context, e *env.Env, o Options) (bool, error) {
	pl, ok := e.Session.(pipeliner)
	if !ok || o.Window <= 1 || o.Nodes != nil {
		return false, nil
	}
	_, cluster := e.Session.(*redisx.ClusterClient)
	w := &window{e: e, o: o, cluster: cluster, pl: pl, p: e.Printer, max: o.Window}
	return true, w.run(ctx)
}

// pipeliner is a session that can send many commands in one round trip:
// redisx.Client and redisx.ClusterClient.
type pipeliner interface {
	Pipeline(ctx context.Context, cmds [][][]byte, fn redisx.ReplyFunc) error
}

var (
	_ pipeliner = (*redisx.Client)(nil)
	_ pipeliner = (*redisx.ClusterClient)(nil)
)

// windowBytes bounds the request bytes of one window, so that a script
// of large values does not pile up in memory.
const windowBytes = 4 << 20

// window is the pipelined stdin script mode: commands are collected from
// the input while it has complete lines buffered, up to a window's worth,
// then sent at once; the replies are printed in order into one buffer,
// written when the window is done. While one window is on the wire, the
// next one is read and parsed.
//
// The line rules are Run's (repl.ParseLine). Lines that print text
// ("Invalid argument(s)") take their place among the replies. A command
// that changes what the connection does next (MULTI, SELECT, SUBSCRIBE,
// a blocking command, ...; see redisx.CanPipeline) waits for the windows
// before it to be printed, then runs alone, as Run runs it.
type window struct {
	e       *env.Env
	o       Options
	cluster bool // the session is a cluster's: see env.ScriptFailure
	pl      pipeliner
	p       *env.Printer
	max     int

	// fill is the batch being read from the input.
	fill *batch
	// todo hands a batch to the goroutine that sends it; done hands it
	// back with the result. At most one batch is in flight.
	todo     chan *batch
	done     chan *batch
	inFlight bool
	// failed is set when a connection was lost: the run ends with exit
	// code 1, as Run's does. Only the sender touches it while a
	// batch is in flight.
	failed bool
	// canPipe caches redisx.CanPipeline for command names that decide it
	// alone.
	canPipe map[string]bool
	// serial runs every command alone while BCAST tracking is on and
	// pushes are shown: the server sends BCAST invalidations once per
	// turn of its event loop, after all the replies of a pipelined
	// window, so only one command at a time puts them where redis-cli
	// prints them.
	serial bool
}

// batch is one window's worth of commands, and the texts printed among
// their replies.
type batch struct {
	cmds [][][]byte
	// lineEnd[i] is true when cmds[i] is the last command of its line
	// ("3 INCR k" is one line of three commands) in this batch: the time
	// of a slow line is printed after its last reply.
	lineEnd []bool
	texts   []windowText
	size    int   // request bytes of cmds, roughly
	err     error // the result of sending it
}

// windowText is text to print before the reply of command before.
type windowText struct {
	before int
	text   string
}

// maxCanPipe bounds the cache of command names.
const maxCanPipe = 256

func (w *window) run(ctx context.Context) error {
	w.fill = &batch{}
	w.canPipe = make(map[string]bool)
	defer w.stop()
	br := bufio.NewReaderSize(w.e.IO.In, 64<<10)
	ready := 0 // buffered bytes known to hold complete lines
	for {
		if ready <= 0 {
			if n := br.Buffered(); n > 0 {
				peek, _ := br.Peek(n)
				ready = bytes.LastIndexByte(peek, '\n') + 1
			}
			if ready <= 0 {
				// Reading on may wait for input: whoever writes it may be
				// waiting for the replies to what it wrote so far.
				if err := w.send(ctx); err != nil {
					return err
				}
			}
		}
		line, readErr := br.ReadString('\n')
		ready -= len(line)
		if len(line) > 0 {
			quit, err := w.line(ctx, line)
			if err != nil {
				return err
			}
			if quit {
				break
			}
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			if err := w.drain(ctx); err != nil {
				return err
			}
			return env.Fail("Error reading stdin: " + readErr.Error())
		}
	}
	if err := w.drain(ctx); err != nil {
		return err
	}
	if w.failed {
		return env.Fail("")
	}
	return nil
}

// line adds one line to the window, or runs what cannot wait.
func (w *window) line(ctx context.Context, line string) (quit bool, err error) {
	l := repl.ParseLine(line)
	b := w.fill
	switch l.Kind {
	case repl.LineEmpty:
		return false, nil
	case repl.LineInvalid, repl.LineBadRepeat:
		b.texts = append(b.texts, windowText{before: len(b.cmds), text: l.Message()})
		return false, nil
	case repl.LineQuit:
		return true, nil
	case repl.LineHelp:
		if err := w.drain(ctx); err != nil {
			return false, err
		}
		return false, w.e.RedisHelp(l.Words)
	}
	if isScriptLine(w.o, l) {
		if err := w.drain(ctx); err != nil {
			return false, err
		}
		_, err := scriptLine(ctx, w.e, w.o, l)
		return false, err
	}
	args := l.Args()
	w.e.IO.Secrets.AddCommand(args)
	if w.serial || !w.canPipeline(args) {
		if err := w.drain(ctx); err != nil {
			return false, err
		}
		start := time.Now()
		for range l.Repeat {
			if err := w.alone(ctx, args); err != nil {
				return false, err
			}
		}
		w.serial = w.p.ShowPushes() && broadcastTracking(args, w.serial)
		if err := w.p.Timing(time.Since(start)); err != nil {
			return false, err
		}
		return false, w.p.Flush()
	}
	size := 16
	for _, a := range args {
		size += len(a) + 16
	}
	for r := range l.Repeat {
		b := w.fill
		b.cmds = append(b.cmds, args)
		b.lineEnd = append(b.lineEnd, r == l.Repeat-1)
		b.size += size
		if len(b.cmds) >= w.max || b.size >= windowBytes {
			b.lineEnd[len(b.lineEnd)-1] = true
			if err := w.send(ctx); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// broadcastTracking returns whether BCAST tracking is on after args ran,
// given that it was on before (on): CLIENT TRACKING turns it on or off,
// RESET off.
func broadcastTracking(args [][]byte, on bool) bool {
	name := strings.ToUpper(string(args[0]))
	switch {
	case name == "RESET":
		return false
	case name == "CLIENT" && len(args) >= 3 && strings.EqualFold(string(args[1]), "TRACKING"):
		if !strings.EqualFold(string(args[2]), "ON") {
			return false
		}
		for _, a := range args[3:] {
			if strings.EqualFold(string(a), "BCAST") {
				return true
			}
		}
		return false
	}
	return on
}

// canPipeline is redisx.CanPipeline, remembered for the command names
// that decide it alone (those without subcommands).
func (w *window) canPipeline(args [][]byte) bool {
	if ok, known := w.canPipe[string(args[0])]; known {
		return ok
	}
	ok := redisx.CanPipeline(args)
	if cmd := commands.LookupBytes(args[:1]); (cmd == nil || len(cmd.Subcommands) == 0) && len(w.canPipe) < maxCanPipe {
		w.canPipe[string(args[0])] = ok
	}
	return ok
}

// alone runs one command by itself, as Run does.
func (w *window) alone(ctx context.Context, args [][]byte) error {
	return w.settle(ctx, oneshot.Exec(ctx, w.e, nil, args))
}

// settle decides what a failed command means for the run, as Run does
// (see env.ScriptFailure): it is reported and the run goes on, or the
// run ends.
func (w *window) settle(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if fatal := env.ScriptFailure(ctx, w.cluster, err); fatal != nil {
		return fatal
	}
	w.p.Flush()
	fmt.Fprintln(w.e.IO.ErrOut, env.Describe(err))
	w.failed = true
	return nil
}

// send hands the batch being filled to the sender, once the batch before
// it is done, and starts filling the one that came back.
func (w *window) send(ctx context.Context) error {
	b := w.fill
	if len(b.cmds) == 0 && len(b.texts) == 0 {
		return nil
	}
	next := &batch{}
	if w.inFlight {
		next = <-w.done
		w.inFlight = false
		if next.err != nil {
			return next.err
		}
		next.cmds, next.lineEnd, next.texts, next.size = next.cmds[:0], next.lineEnd[:0], next.texts[:0], 0
	}
	if w.todo == nil {
		w.todo, w.done = make(chan *batch), make(chan *batch)
		go func() {
			for b := range w.todo {
				b.err = w.exec(ctx, b)
				w.done <- b
			}
		}()
	}
	w.todo <- b
	w.inFlight = true
	w.fill = next
	return nil
}

// drain sends what is left and waits until every reply is printed.
func (w *window) drain(ctx context.Context) error {
	if err := w.send(ctx); err != nil {
		return err
	}
	if !w.inFlight {
		return w.p.Flush()
	}
	b := <-w.done
	w.inFlight = false
	return b.err
}

// stop ends the sender, after the batch in flight.
func (w *window) stop() {
	if w.todo == nil {
		return
	}
	if w.inFlight {
		<-w.done
		w.inFlight = false
	}
	close(w.todo)
	w.todo = nil
}

// exec sends one batch and prints the replies and the texts in order.
func (w *window) exec(ctx context.Context, b *batch) error {
	next := 0 // the next text to print
	texts := func(upTo int) error {
		for ; next < len(b.texts) && b.texts[next].before <= upTo; next++ {
			if _, err := w.p.Writer().WriteString(b.texts[next].text); err != nil {
				return err
			}
		}
		return nil
	}
	// A push message read before the reply to command i follows the
	// texts of the lines before that command, as when they run one by one.
	pending := 0
	w.p.SetBeforePush(func() { texts(pending) })
	defer w.p.SetBeforePush(nil)
	// A line's time runs from when its first command could start (the
	// window was sent, and the line before it answered) to its last reply:
	// what redis-cli measures when it runs the line alone.
	sent := time.Now()
	lineStart, lastReply := sent, sent
	var err error
	if len(b.cmds) > 0 {
		err = w.pl.Pipeline(ctx, b.cmds, func(i int, v resp.Value, cerr error) error {
			pending = i + 1
			if err := texts(i); err != nil {
				return err
			}
			if cerr != nil {
				// The command got no reply: reported on stderr, in its
				// place, as Run would.
				if err := w.settle(ctx, cerr); err != nil {
					return err
				}
			} else if err := w.p.ReplyBuffered(b.cmds[i], v); err != nil {
				return err
			}
			now := time.Now()
			if i == 0 || b.lineEnd[i-1] {
				lineStart = lastReply
			}
			lastReply = now
			if b.lineEnd[i] && cerr == nil {
				return w.p.Timing(now.Sub(lineStart))
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	if err := texts(len(b.cmds)); err != nil {
		return err
	}
	return w.p.Flush()
}
