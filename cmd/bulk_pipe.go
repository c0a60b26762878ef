package cmd

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

	"github.com/redish/redish/internal/bulk"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// redis-cli's --pipe messages, on stdout.
const (
	msgAllTransferred = "All data transferred. Waiting for the last reply...\n"
	msgLastReceived   = "Last reply received from server.\n"
)

const (
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
func (s pipeStats) summary(p *printer) error {
	if err := p.text(fmt.Sprintf("errors: %d, replies: %d\n", s.errors, s.replies)); err != nil {
		return err
	}
	if s.errors > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// runPipe is --pipe: stdin goes to the server as is while the replies are
// read at the same time; error replies are printed on stderr as they
// come. At the end of the input, ECHO of 20 random bytes is sent, and the
// run ends when its reply comes back, as with redis-cli. With -c the input
// is parsed and each command goes to its slot's node (see pipeCluster).
func (c *config) runPipe(ctx context.Context, client session, p *printer) error {
	switch cl := client.(type) {
	case *redisx.Client:
		return c.pipeStandalone(ctx, cl, p)
	case *redisx.ClusterClient:
		return c.pipeCluster(ctx, cl, p)
	}
	return &exitError{code: 1, msg: "--pipe is not supported by this connection"}
}

// pipeConn dials under the retry policy: --pipe retries connecting, not
// the stream, which cannot be replayed.
func (c *config) pipeConn(ctx context.Context, cl *redisx.Client) (*redisx.Conn, error) {
	var conn *redisx.Conn
	op := func(ctx context.Context) error {
		var err error
		conn, err = cl.Conn(ctx)
		return err
	}
	err := c.retry.Do(ctx, op, retry.Hooks{
		OnFailure: func(error) { cl.Close() },
		Node:      func() string { return c.conn.Addr() },
		Observe:   c.observe(),
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

func (c *config) pipeStandalone(ctx context.Context, cl *redisx.Client, p *printer) error {
	conn, err := c.pipeConn(ctx, cl)
	if err != nil {
		return err
	}
	defer cl.Close()
	nc := conn.NetConn()
	marker, magic := pipeMarker()
	timeout := time.Duration(c.o.Bulk.PipeTimeout) * time.Second

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
			n, rerr := c.ios.In.Read(buf)
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
		p.text(msgAllTransferred)
		outMu.Unlock()
		eof.Store(true)
		armTimeout()
		nc.Write(marker)
	}()
	stop := context.AfterFunc(ctx, func() { nc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	errOut := bufio.NewWriterSize(c.ios.ErrOut, 16<<10)
	defer errOut.Flush()
	rd := resp.NewReader(conn.BufReader())
	var st pipeStats
	for {
		v, err := rd.ReadValue()
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
				return &exitError{code: 1, msg: "Error reading from stdin: " + stdinErr.Error()}
			case ctx.Err() != nil:
				return ctx.Err()
			case eof.Load() && errors.Is(err, os.ErrDeadlineExceeded):
				fmt.Fprintf(c.ios.ErrOut, "No replies for %d seconds: exiting.\n", c.o.Bulk.PipeTimeout)
				st.errors++
				return st.summary(p)
			}
			lost := &redisx.ConnError{Op: "read", Addr: conn.Addr(), Err: err, Sent: true}
			if n := sent.Load() - st.replies; n > 0 {
				// The stream is never sent again: what went out without a
				// reply is reported, as a retry policy would report it.
				return &exitError{code: 1, msg: fmt.Sprintf("%s; %d %s, and %d %s sent after %s got none: %s (--pipe does not send %s again)",
					describe(lost), st.replies, plural(st.replies, "reply came", "replies came"), n, plural(n, "command", "commands"),
					plural(st.replies, "it", "them"), plural(n, "it may have run", "they may have run"), plural(n, "it", "them"))}
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
			if c.showPushes {
				outMu.Lock()
				p.push(v)
				outMu.Unlock()
			}
			continue
		}
		switch {
		case v.Kind == resp.KindError:
			// Masked here: the buffered writer may split a line in two.
			errOut.Write(c.ios.Secrets.MaskBytes(v.Str))
			errOut.WriteByte('\n')
			st.errors++
		case v.Kind == resp.KindBulk && eof.Load() && bytes.Equal(v.Str, magic):
			errOut.Flush()
			<-writerDone
			outMu.Lock()
			err := p.text(msgLastReceived)
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

// pipeCluster is --pipe with -c: the input is parsed (bulk.PipeInput)
// and sent in windows with ClusterClient.Pipeline, each command to its
// slot's node, all nodes at once, redirects followed. The output is the
// same as without -c.
func (c *config) pipeCluster(ctx context.Context, cc *redisx.ClusterClient, p *printer) error {
	in := bulk.NewPipeInput(c.ios.In)
	var st pipeStats
	var arena []byte
	var cmds [][][]byte
	count := func(_ int, v resp.Value, err error) error {
		if err != nil {
			// A command that got no reply fails alone, as an error
			// reply would; the run goes on with the others.
			if fatal := scriptFailure(ctx, true, err); fatal != nil {
				return fatal
			}
			st.errors++
			fmt.Fprintln(c.ios.ErrOut, describe(err))
			return nil
		}
		st.replies++
		if v.Kind == resp.KindError {
			st.errors++
			fmt.Fprintf(c.ios.ErrOut, "%s\n", v.Str)
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
				return &exitError{code: 1, msg: "ERR " + pe.Msg}
			}
			return &exitError{code: 1, msg: "Error reading from stdin: " + err.Error()}
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
		if len(cmds) >= defaultWindow || len(arena) >= windowBytes {
			fixArena(cmds, arena)
			if err := send(ctx); err != nil {
				return err
			}
		}
	}
	fixArena(cmds, arena)
	if err := p.text(msgAllTransferred); err != nil {
		return err
	}
	last := ctx
	if c.o.Bulk.PipeTimeout > 0 {
		var cancel context.CancelFunc
		last, cancel = context.WithTimeout(ctx, time.Duration(c.o.Bulk.PipeTimeout)*time.Second)
		defer cancel()
	}
	if err := send(last); err != nil {
		if ctx.Err() == nil && last.Err() != nil {
			fmt.Fprintf(c.ios.ErrOut, "No replies for %d seconds: exiting.\n", c.o.Bulk.PipeTimeout)
			st.errors++
			return st.summary(p)
		}
		return err
	}
	if err := p.text(msgLastReceived); err != nil {
		return err
	}
	return st.summary(p)
}

// plural returns one when n is 1 and many otherwise.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
