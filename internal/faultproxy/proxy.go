// Package faultproxy is a TCP proxy that puts faults between a client and
// a real server: refused connects, resets before or after the request
// reaches the server, stalls, slow or truncated replies and garbage. It
// serves the tests, through New, and redish's lab, through Listen, where
// each node sits behind a proxy that can add latency on demand.
//
// The fault can be switched at any time from any goroutine. Set applies a
// fault to every connection, including those already open; SetFor applies
// one to the next k connections only, for tests of the form "fails twice,
// then succeeds".
//
// The proxy splits the client's stream into requests as Redis does (RESP
// arrays or inline commands), so request faults act on whole commands and
// Requests counts commands forwarded. All its goroutines end when it is
// closed: in t.Cleanup for a proxy made by New, by Close otherwise.
//
// The package does not import testing: it is linked into the redish
// binary for the lab, and TB is the part of testing.TB that New uses.
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of the proxy's own waits.
const (
	dialTimeout    = 5 * time.Second // to the target
	relistenTries  = 50              // reopening the port after Refuse
	relistenPause  = 10 * time.Millisecond
	copyBufferSize = 32 << 10
)

// Proxy is a fault-injecting TCP proxy listening on a loopback port.
type Proxy struct {
	// errorf reports what the proxy cannot return as an error: a failure
	// to listen again after Refuse, a misuse of SetFor. New makes it the
	// test's Errorf; for Listen it records the first error for Err.
	errorf func(format string, args ...any)
	target string
	addr   string // fixed at New, kept across Refuse

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	ln        net.Listener // nil while refusing or closed
	fault     Fault        // applies to every connection not claimed by SetFor
	limited   Fault        // applies to the next remaining connections
	remaining int
	conns     map[*conn]struct{}
	closed    bool

	nConns    atomic.Int64
	nRequests atomic.Int64
	nReceived atomic.Int64
	nResets   atomic.Int64
	// matched counts the requests a fault with Every applied to, since
	// it was put in place.
	matched atomic.Int64
	// decideMu serialises the calls of a Func fault.
	decideMu sync.Mutex

	errMu sync.Mutex
	err   error // the first error reported, for a proxy made by Listen
}

// TB is the part of testing.TB that New uses; *testing.T, *testing.B and
// testing.TB satisfy it. It is declared here so that the package does not
// import testing.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// New starts a proxy on 127.0.0.1 (a free port) in front of target, which
// is a "host:port" address. It passes traffic through until told
// otherwise, and is closed when the test ends. Errors the proxy meets
// later (see Err) fail the test.
func New(t TB, target string) *Proxy {
	t.Helper()
	p, err := Listen(target)
	if err != nil {
		t.Fatalf("%v", err)
	}
	p.errorf = t.Errorf
	t.Cleanup(p.Close)
	return p
}

// Listen is New without a test: it starts a proxy on 127.0.0.1 (a free
// port) in front of target, which is a "host:port" address, and passes
// traffic through until told otherwise. The caller closes it with Close.
func Listen(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		target: target,
		addr:   ln.Addr().String(),
		ctx:    ctx,
		cancel: cancel,
		ln:     ln,
		conns:  make(map[*conn]struct{}),
	}
	p.errorf = p.record
	p.serve(ln)
	return p, nil
}

// record keeps the first error of a proxy made by Listen.
func (p *Proxy) record(format string, args ...any) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// Err returns the first error a proxy made by Listen could not return
// when it happened: listening again after Refuse failed, or SetFor was
// given Refuse. It is nil for a proxy made by New, whose errors fail the
// test instead.
func (p *Proxy) Err() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

// Target returns the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// Addr returns the proxy's address, "127.0.0.1:PORT". It does not change,
// not even across Refuse.
func (p *Proxy) Addr() string { return p.addr }

// Port returns the proxy's port.
func (p *Proxy) Port() int {
	_, port, _ := net.SplitHostPort(p.addr)
	n, _ := strconv.Atoi(port)
	return n
}

// Conns returns the number of connections accepted so far.
func (p *Proxy) Conns() int { return int(p.nConns.Load()) }

// Requests returns the number of requests (commands) forwarded to the
// target so far.
func (p *Proxy) Requests() int { return int(p.nRequests.Load()) }

// Received returns the number of requests (commands) read from clients
// so far, forwarded or not.
func (p *Proxy) Received() int { return int(p.nReceived.Load()) }

// Resets returns the number of connections the proxy reset as a fault
// (ResetOnConnect, ResetBeforeSend, ResetAfterSend) so far.
func (p *Proxy) Resets() int { return int(p.nResets.Load()) }

// Set makes f the fault of every connection: new ones, and those already
// open from their next request or reply on. It ends any SetFor.
func (p *Proxy) Set(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.limited, p.remaining = f, Fault{}, 0
	p.matched.Store(0)
	p.listenLocked(f.kind != kindRefuse)
}

// SetFor applies f to the next k accepted connections, for their whole
// life; every other connection, open or new, passes through. A dial can
// return before the proxy has accepted the connection, so a connection
// dialed just before SetFor may still be one of the k; send something
// through it first to be sure it is not. Refuse cannot
// be limited to connections (a refused connect never reaches the proxy);
// SetFor reports that as a test error.
func (p *Proxy) SetFor(k int, f Fault) {
	if f.kind == kindRefuse {
		p.errorf("faultproxy: SetFor(%d, Refuse()): a refusal cannot be counted; use Set", k)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.limited, p.remaining = Fault{}, f, max(k, 0)
	p.matched.Store(0)
	p.listenLocked(true)
}

// ResetConns resets every open connection (RST to the client, close to
// the target), as a crashed server would. New connections are not
// affected.
func (p *Proxy) ResetConns() {
	p.mu.Lock()
	conns := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.reset()
	}
}

// Close stops the proxy: it closes the listener and every connection and
// waits for all its goroutines. Closing twice does nothing.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.cancel()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// listenLocked opens or closes the listener as on says. p.mu is held.
func (p *Proxy) listenLocked(on bool) {
	if p.closed {
		return
	}
	if !on {
		if p.ln != nil {
			p.ln.Close()
			p.ln = nil
		}
		return
	}
	if p.ln != nil {
		return
	}
	var err error
	for range relistenTries {
		var ln net.Listener
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.ln = ln
			p.serve(ln)
			return
		}
		time.Sleep(relistenPause)
	}
	p.errorf("faultproxy: listen again on %s: %v", p.addr, err)
}

// serve accepts connections on ln until it is closed.
func (p *Proxy) serve(ln net.Listener) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				// Temporary failures (EMFILE and the like): back off briefly.
				if !p.sleep(5 * time.Millisecond) {
					return
				}
				continue
			}
			p.accept(nc)
		}
	}()
}

// accept registers a new client connection and starts serving it.
func (p *Proxy) accept(nc net.Conn) {
	c := &conn{p: p, client: nc.(*net.TCPConn), num: int(p.nConns.Add(1))}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		nc.Close()
		return
	}
	if p.remaining > 0 {
		p.remaining--
		f := p.limited
		c.fixed = &f
	}
	p.conns[c] = struct{}{}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		defer p.forget(c)
		c.run()
	}()
}

func (p *Proxy) forget(c *conn) {
	c.close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// faultFor returns the fault a connection is under now.
func (p *Proxy) faultFor(c *conn) Fault {
	if c.fixed != nil {
		return *c.fixed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fault
}

// decide returns the fault for a request (or a new connection) under
// fault f: f itself, or what a Func fault decides.
func (p *Proxy) decide(f Fault, r Request) Fault {
	if f.decide == nil {
		return f
	}
	p.decideMu.Lock()
	defer p.decideMu.Unlock()
	return f.decide(r)
}

// sleep waits for d or until the proxy closes; it reports whether the
// proxy is still open.
func (p *Proxy) sleep(d time.Duration) bool {
	if d <= 0 {
		return p.ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// String describes the proxy, for test logs.
func (p *Proxy) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.remaining > 0 {
		return fmt.Sprintf("faultproxy %s -> %s: %v for %d more connections", p.addr, p.target, p.limited, p.remaining)
	}
	return fmt.Sprintf("faultproxy %s -> %s: %v", p.addr, p.target, p.fault)
}
