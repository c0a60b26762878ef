package bulk

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// redis-cli's --pipe messages, on stdout: MsgAllTransferred when the input
// has ended, MsgLastReceived when its last reply has come.
const (
	MsgAllTransferred = "All data transferred. Waiting for the last reply...\n"
	MsgLastReceived   = "Last reply received from server.\n"
)

const (
	// pipeWindow is how many commands --pipe -c sends to the nodes at a
	// time, and pipeWindowBytes bounds their request bytes, so that input
	// of large values does not pile up in memory.
	pipeWindow      = 1000
	pipeWindowBytes = 4 << 20
	// pipeChunk is how much of stdin is read and written at a time.
	pipeChunk = 64 << 10
	// writerGrace is how long a failed --pipe run waits for the goroutine
	// that copies stdin to notice the closed connection.
	writerGrace = 100 * time.Millisecond
)

// pipeStats counts the replies of a --pipe run.
type pipeStats struct {
	errors, replies int64
}

// summary prints redis-cli's last line and returns the run's result: exit
// code 1 when any reply was an error.
func (s pipeStats) summary(p *env.Printer) error {
	if err := p.Text(fmt.Sprintf("errors: %d, replies: %d\n", s.errors, s.replies)); err != nil {
		return err
	}
	if s.errors > 0 {
		return env.Fail("")
	}
	return nil
}

// runPipe is --pipe: stdin goes to the server as is while the replies are
// read at the same time; error replies are printed on stderr as they
// come. One goroutine copies stdin to the connection in large writes
// (counting the commands it sends), the caller's reads and counts the
// replies: the two overlap, and neither allocates per command (the
// replies are read into memory the reader reuses). At the end of the input, ECHO of 20 random bytes is sent, and the
// run ends when its reply comes back, as with redis-cli. With -c the input
// is parsed and each command goes to its slot's node (see pipeCluster).
func runPipe(ctx context.Context, e *env.Env, o Options) error {
	switch cl := e.Session.(type) {
	case *redisx.Client:
		return pipeStandalone(ctx, e, o, cl)
	case *redisx.ClusterClient:
		return pipeCluster(ctx, e, o, cl)
	case *redisx.SentinelClient:
		// The stream goes to the primary the sentinels name.
		return pipeStandalone(ctx, e, o, cl.Client)
	}
	return env.Fail("--pipe is not supported by this connection")
}

// pipeConn dials under the retry policy: --pipe retries connecting, not
// the stream, which cannot be replayed.
func pipeConn(ctx context.Context, e *env.Env, cl *redisx.Client) (*redisx.Conn, error) {
	var conn *redisx.Conn
	op := func(ctx context.Context) error {
		var err error
		conn, err = cl.Conn(ctx)
		return err
	}
	err := e.Retry.Do(ctx, op, retry.Hooks{
		OnFailure: func(error) { cl.Close() },
		Node:      func() string { return e.Conn.Addr() },
		Observe:   e.Observe,
	})
	return conn, err
}

// pipeMarker returns the ECHO command that ends the input, and the reply
// that says everything before it was answered. The leading CRLF ends an
// unterminated last inline command (servers ignore empty lines).
func pipeMarker() (cmd, magic []byte) {
	magic = make([]byte, 20)
	rand.Read(magic)
	cmd = append([]byte("\r\n"), resp.AppendCommand(nil, [][]byte{[]byte("ECHO"), magic})...)
	return cmd, magic
}

func pipeStandalone(ctx context.Context, e *env.Env, o Options, cl *redisx.Client) error {
	p := e.Printer
	conn, err := pipeConn(ctx, e, cl)
	if err != nil {
		return err
	}
	defer cl.Close()
	nc := conn.NetConn()
	marker, magic := pipeMarker()
	timeout := time.Duration(o.PipeTimeout) * time.Second

	var (
		outMu    sync.Mutex   // p is shared by the two goroutines
		eof      atomic.Bool  // all of stdin was sent
		lastRead atomic.Int64 // when the last reply came, in UnixNano
		stdinErr error        // set by the writer before writerDone
		sent     atomic.Int64 // complete commands written
	)
	lastRead.Store(time.Now().UnixNano())
	// armTimeout bounds the wait for the next reply once the input has
	// ended: --pipe-timeout seconds after the last reply.
	armTimeout := func() {
		if timeout > 0 {
			nc.SetReadDeadline(time.Unix(0, lastRead.Load()).Add(timeout))
		}
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		buf := make([]byte, pipeChunk)
		var counter cmdCounter
		for {
			n, rerr := e.IO.In.Read(buf)
			if n > 0 {
				w, err := nc.Write(buf[:n])
				counter.feed(buf[:w])
				sent.Store(counter.count())
				if err != nil {
					return // the reader sees the connection fail
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				stdinErr = rerr
				nc.SetReadDeadline(time.Unix(1, 0))
				return
			}
		}
		outMu.Lock()
		p.Text(MsgAllTransferred)
		outMu.Unlock()
		eof.Store(true)
		armTimeout()
		nc.Write(marker)
	}()
	stop := context.AfterFunc(ctx, func() { nc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	errOut := bufio.NewWriterSize(e.IO.ErrOut, 16<<10)
	defer errOut.Flush()
	rd := resp.NewReader(conn.BufReader())
	var st pipeStats
	for {
		v, err := rd.ReadValueScratch()
		if err != nil {
			errOut.Flush()
			nc.Close()
			// The writer ends at its next write, unless it waits for stdin:
			// do not wait for input that may never come.
			select {
			case <-writerDone:
			case <-time.After(writerGrace):
			}
			switch {
			case stdinErr != nil:
				return env.Fail("Error reading from stdin: " + stdinErr.Error())
			case ctx.Err() != nil:
				return ctx.Err()
			case eof.Load() && errors.Is(err, os.ErrDeadlineExceeded):
				fmt.Fprintf(e.IO.ErrOut, "No replies for %d seconds: exiting.\n", o.PipeTimeout)
				st.errors++
				return st.summary(p)
			}
			lost := &redisx.ConnError{Op: "read", Addr: conn.Addr(), Err: err, Sent: true}
			if n := sent.Load() - st.replies; n > 0 {
				// The stream is never sent again: what went out without a
				// reply is reported, as a retry policy would report it.
				return env.Fail(fmt.Sprintf("%s; %d %s, and %d %s sent after %s got none: %s (--pipe does not send %s again)",
					env.Describe(lost), st.replies, env.Plural(st.replies, "reply came", "replies came"), n, env.Plural(n, "command", "commands"),
					env.Plural(st.replies, "it", "them"), env.Plural(n, "it may have run", "they may have run"), env.Plural(n, "it", "them")))
			}
			return lost
		}
		lastRead.Store(time.Now().UnixNano())
		if eof.Load() {
			armTimeout()
		}
		if v.Kind == resp.KindPush {
			// Not a reply, and not counted as one: printed with
			// --show-pushes, as redis-cli's push handler does.
			if p.ShowPushes() {
				outMu.Lock()
				p.Push(v)
				outMu.Unlock()
			}
			continue
		}
		switch {
		case v.Kind == resp.KindError:
			// Masked here: the buffered writer may split a line in two.
			errOut.Write(e.IO.Secrets.MaskBytes(v.Str))
			errOut.WriteByte('\n')
			st.errors++
		case v.Kind == resp.KindBulk && eof.Load() && bytes.Equal(v.Str, magic):
			errOut.Flush()
			<-writerDone
			outMu.Lock()
			err := p.Text(MsgLastReceived)
			outMu.Unlock()
			if err != nil {
				return err
			}
			return st.summary(p)
		}
		st.replies++
		if rd.Buffered() == 0 {
			errOut.Flush()
		}
	}
}

// pipeCluster is --pipe with -c: the input is parsed (PipeInput)
// and sent in windows with ClusterClient.Pipeline, each command to its
// slot's node, all nodes at once, redirects followed. The output is the
// same as without -c.
func pipeCluster(ctx context.Context, e *env.Env, o Options, cc *redisx.ClusterClient) error {
	p := e.Printer
	in := NewPipeInput(e.IO.In)
	var st pipeStats
	var arena []byte
	var cmds [][][]byte
	count := func(_ int, v resp.Value, err error) error {
		if err != nil {
			// A command that got no reply fails alone, as an error
			// reply would; the run goes on with the others.
			if fatal := env.ScriptFailure(ctx, true, err); fatal != nil {
				return fatal
			}
			st.errors++
			fmt.Fprintln(e.IO.ErrOut, env.Describe(err))
			return nil
		}
		st.replies++
		if v.Kind == resp.KindError {
			st.errors++
			fmt.Fprintf(e.IO.ErrOut, "%s\n", v.Str)
		}
		return nil
	}
	send := func(ctx context.Context) error {
		err := cc.Pipeline(ctx, cmds, count)
		arena, cmds = arena[:0], cmds[:0]
		return err
	}
	for {
		args, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if serr := send(ctx); serr != nil {
				return serr
			}
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				// What a server says before it closes the connection.
				return env.Fail("ERR " + pe.Msg)
			}
			return env.Fail("Error reading from stdin: " + err.Error())
		}
		// The arguments are reused by the next call: keep a copy in the
		// window's arena, sliced once the window is complete.
		cmd := make([][]byte, len(args))
		for i, a := range args {
			start := len(arena)
			arena = append(arena, a...)
			cmd[i] = arena[start:len(arena):len(arena)]
		}
		cmds = append(cmds, cmd)
		if len(cmds) >= pipeWindow || len(arena) >= pipeWindowBytes {
			fixArena(cmds, arena)
			if err := send(ctx); err != nil {
				return err
			}
		}
	}
	fixArena(cmds, arena)
	if err := p.Text(MsgAllTransferred); err != nil {
		return err
	}
	last := ctx
	if o.PipeTimeout > 0 {
		var cancel context.CancelFunc
		last, cancel = context.WithTimeout(ctx, time.Duration(o.PipeTimeout)*time.Second)
		defer cancel()
	}
	if err := send(last); err != nil {
		if ctx.Err() == nil && last.Err() != nil {
			fmt.Fprintf(e.IO.ErrOut, "No replies for %d seconds: exiting.\n", o.PipeTimeout)
			st.errors++
			return st.summary(p)
		}
		return err
	}
	if err := p.Text(MsgLastReceived); err != nil {
		return err
	}
	return st.summary(p)
}

// fixArena points the commands' arguments at the final arena: appending
// may have moved it while the window was built.
func fixArena(cmds [][][]byte, arena []byte) {
	off := 0
	for _, cmd := range cmds {
		for i, a := range cmd {
			cmd[i] = arena[off : off+len(a) : off+len(a)]
			off += len(a)
		}
	}
}
