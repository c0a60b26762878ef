package faultproxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/redish/redish/resp"
)

// maxInline bounds an inline request line; Redis itself allows 64 KiB.
// Past it the proxy stops parsing and forwards raw chunks.
const maxInline = 1 << 20

// conn is one proxied client connection.
type conn struct {
	p      *Proxy
	client *net.TCPConn
	fixed  *Fault // set by SetFor for this connection's whole life
	num    int    // the connection's number, from 1

	stalled atomic.Bool // set when a Func fault stalled the connection

	mu     sync.Mutex
	server net.Conn
	closed bool

	wmu       sync.Mutex  // serialises writes to the client
	dropReply atomic.Bool // set by ResetAfterSend: reset on the next reply bytes

	garbageDone bool // c2s only: Garbage has answered its request
	truncSent   int  // s2c only: reply bytes passed on under Truncate
}

// run serves the connection until either side closes or the proxy does.
func (c *conn) run() {
	f := c.p.decide(c.p.faultFor(c), Request{Conn: c.num, Accept: true})
	if k := f.kind; k == kindResetOnConnect || k == kindRefuse {
		c.p.nResets.Add(1)
		c.reset()
		return
	}
	d := net.Dialer{Timeout: dialTimeout}
	sc, err := d.DialContext(c.p.ctx, "tcp", c.p.target)
	if err != nil {
		// The target is down: the client sees what it would have seen
		// talking to a dead server through a load balancer.
		c.reset()
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		sc.Close()
		return
	}
	c.server = sc
	c.mu.Unlock()

	replies := make(chan struct{})
	go func() {
		defer close(replies)
		c.serverToClient(sc)
	}()
	c.clientToServer(sc)
	<-replies
}

// close closes both sides. It is safe to call more than once and from any
// goroutine.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.client.Close()
	if c.server != nil {
		c.server.Close()
	}
}

// reset closes the client side with an RST instead of a FIN.
func (c *conn) reset() {
	c.client.SetLinger(0)
	c.close()
}

func (c *conn) writeClient(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.client.Write(b)
	return err
}

// clientToServer reads requests and forwards or withholds them.
func (c *conn) clientToServer(sc net.Conn) {
	rs := newRequestSplitter(c.client)
	for {
		req, cmd, err := rs.next()
		if len(req) > 0 && !c.request(sc, req, cmd) {
			return
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				// The client is done sending; let the server answer what it
				// has and close, which ends serverToClient and the client.
				if tc, ok := sc.(*net.TCPConn); ok {
					tc.CloseWrite()
					return
				}
			}
			c.close()
			return
		}
	}
}

// request applies the fault to one request; it reports whether to go on.
func (c *conn) request(sc net.Conn, req []byte, cmd string) bool {
	c.p.nReceived.Add(1)
	if c.stalled.Load() {
		return true
	}
	f := c.p.faultFor(c)
	dynamic := f.decide != nil
	f = c.p.decide(f, Request{Conn: c.num, Command: cmd})
	if !f.applies(cmd) || f.every > 1 && c.p.matched.Add(1)%int64(f.every) != 0 {
		f = Fault{}
	}
	switch f.kind {
	case kindResetBeforeSend:
		c.p.nResets.Add(1)
		c.reset()
		return false
	case kindStall:
		if dynamic {
			c.stalled.Store(true)
		}
		return true
	case kindGarbage:
		if !c.garbageDone {
			c.garbageDone = true
			if err := c.writeClient(f.data); err != nil {
				c.close()
				return false
			}
			return true
		}
	case kindResetAfterSend:
		c.dropReply.Store(true)
	case kindErrorReply:
		req = f.data
	}
	// Counted before the write: the reply may reach the client, and the
	// test read the count, before Write returns.
	c.p.nRequests.Add(1)
	if _, err := sc.Write(req); err != nil {
		c.close()
		return false
	}
	return true
}

// serverToClient passes replies on under the connection's fault.
func (c *conn) serverToClient(sc net.Conn) {
	buf := make([]byte, copyBufferSize)
	for {
		n, err := sc.Read(buf)
		if n > 0 {
			if c.dropReply.Load() {
				c.p.nResets.Add(1)
				c.reset()
				return
			}
			if !c.reply(buf[:n]) {
				c.close()
				return
			}
		}
		if err != nil {
			c.close()
			return
		}
	}
}

// reply passes one chunk of reply bytes on; it reports whether to go on.
func (c *conn) reply(b []byte) bool {
	if c.stalled.Load() {
		return true
	}
	f := c.p.faultFor(c)
	switch f.kind {
	case kindStall:
		return true
	case kindDelay:
		if !c.p.sleep(f.d) {
			return false
		}
	case kindTrickle:
		for len(b) > 0 {
			n := min(f.n, len(b))
			if err := c.writeClient(b[:n]); err != nil {
				return false
			}
			b = b[n:]
			if len(b) > 0 && !c.p.sleep(f.d) {
				return false
			}
		}
		return true
	case kindTruncate:
		n := min(f.n-c.truncSent, len(b))
		if n > 0 {
			if err := c.writeClient(b[:n]); err != nil {
				return false
			}
			c.truncSent += n
		}
		return c.truncSent < f.n
	}
	return c.writeClient(b) == nil
}

// requestSplitter cuts a client's byte stream into requests the way Redis
// does: a RESP array is one request, anything else is an inline command
// ending at a newline. A stream that is not valid RESP is passed on in
// raw chunks from then on.
type requestSplitter struct {
	rec *recorder
	br  *bufio.Reader
	rd  *resp.Reader
	raw bool
}

func newRequestSplitter(r io.Reader) *requestSplitter {
	rec := &recorder{r: r}
	br := bufio.NewReaderSize(rec, copyBufferSize)
	return &requestSplitter{rec: rec, br: br, rd: resp.NewReader(br)}
}

// next returns the next request's bytes and its command name in upper
// case ("" when unknown). It may return bytes and an error together.
func (s *requestSplitter) next() ([]byte, string, error) {
	if s.raw {
		buf := make([]byte, copyBufferSize)
		n, err := s.br.Read(buf)
		s.rec.buf = s.rec.buf[:0] // nothing left to cut out
		return buf[:n], "", err
	}
	first, err := s.br.Peek(1)
	if err != nil {
		return nil, "", err
	}
	var cmd string
	if first[0] == '*' {
		v, err := s.rd.ReadValue()
		if err != nil {
			var pe *resp.ProtocolError
			if !errors.As(err, &pe) {
				return nil, "", err
			}
			// Not RESP after all: pass on what came so far, then raw chunks.
			s.raw = true
			s.br.Discard(s.br.Buffered())
			return s.rec.take(len(s.rec.buf)), "", nil
		}
		if v.Kind == resp.KindArray && len(v.Elems) > 0 {
			cmd = string(bytes.ToUpper(v.Elems[0].Str))
		}
	} else {
		line, err := s.readLine()
		if err != nil {
			return s.rec.take(len(s.rec.buf) - s.br.Buffered()), "", err
		}
		if f := bytes.Fields(line); len(f) > 0 {
			cmd = string(bytes.ToUpper(f[0]))
		}
	}
	return s.rec.take(len(s.rec.buf) - s.br.Buffered()), cmd, nil
}

// readLine reads an inline request; a line longer than maxInline switches
// the splitter to raw chunks.
func (s *requestSplitter) readLine() ([]byte, error) {
	var line []byte
	for {
		part, err := s.br.ReadSlice('\n')
		line = append(line, part...)
		if err == nil {
			return line, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
		if len(line) > maxInline {
			s.raw = true
			return line, nil
		}
	}
}

// recorder keeps the bytes read through it until taken, so the splitter
// can forward a request's exact bytes after parsing it.
type recorder struct {
	r   io.Reader
	buf []byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// take removes and returns the first n recorded bytes.
func (r *recorder) take(n int) []byte {
	n = max(0, min(n, len(r.buf)))
	out := append([]byte(nil), r.buf[:n]...)
	r.buf = append(r.buf[:0], r.buf[n:]...)
	return out
}
