// Package memserver is a small in-memory Redis server that redish lab runs
// inside redish when redis-server is not installed, so that the shell and
// its retries can be tried on a machine that has only Go.
//
// It speaks RESP2 and RESP3 (HELLO) and knows the commands in commands.go:
// strings and counters, keys and expiry, lists, hashes, transactions,
// DEBUG SLEEP, and what a client sends when it connects. It is no Redis
// replacement: no persistence, replication, cluster, scripting or
// blocking commands. Like a redis-server process it can be killed,
// restarted on the same port and paused, which the lab's fault commands
// use.
//
// The package has no package-level state to initialise: linking it costs
// redish's other modes nothing at start-up.
package memserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Limits of the server.
const (
	// callTimeout bounds Call's round trip.
	callTimeout = 10 * time.Second
	// maxDebugSleep bounds DEBUG SLEEP.
	maxDebugSleep = time.Minute
	// databases is the number of databases SELECT may choose.
	databases = 16
)

// Server is a running in-memory server. Its methods may be called from
// any goroutine.
type Server struct {
	addr string

	mu     sync.Mutex
	dbs    [databases]map[string]*entry
	ln     net.Listener // nil once killed or closed
	conns  map[net.Conn]struct{}
	nextID int64
	closed bool
	// gate is closed while the server is not paused; Pause replaces it
	// with an open channel that Resume closes.
	gate chan struct{}
	// stop is closed when the server is killed or closed, to end waits.
	stop chan struct{}

	wg sync.WaitGroup
}

// Start starts a server on a free port of 127.0.0.1.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("memserver: listen: %w", err)
	}
	s := &Server{addr: ln.Addr().String()}
	s.reset()
	s.serve(ln)
	return s, nil
}

// reset empties the dataset and the connection state. s.mu is held or
// the server is not yet shared.
func (s *Server) reset() {
	for i := range s.dbs {
		s.dbs[i] = map[string]*entry{}
	}
	s.conns = map[net.Conn]struct{}{}
	s.gate = make(chan struct{})
	close(s.gate)
	s.stop = make(chan struct{})
}

// Addr returns the server's address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.addr }

// Running reports whether the server accepts connections (it may be
// paused).
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln != nil
}

// Kill stops the server at once, as a crash would: the listener and every
// connection close, the dataset is lost.
func (s *Server) Kill() {
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	for c := range s.conns {
		c.Close()
	}
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.resumeLocked()
	s.mu.Unlock()
	s.wg.Wait()
}

// Relaunch kills the server if it runs and starts it again, empty, on the
// same port.
func (s *Server) Relaunch() error {
	s.Kill()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("memserver: closed")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("memserver: listen again on %s: %w", s.addr, err)
	}
	s.reset()
	s.serve(ln)
	return nil
}

// Close stops the server for good. Closing twice does nothing.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.Kill()
}

// Pause freezes the server: connections are still accepted and requests
// read, but nothing is answered until Resume, as with a redis-server
// process stopped by SIGSTOP. It works on every system, and returns an
// error only to match redistest.Server's Pause.
func (s *Server) Pause() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.gate:
		s.gate = make(chan struct{})
	default: // already paused
	}
	return nil
}

// Resume ends a Pause.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resumeLocked()
}

func (s *Server) resumeLocked() {
	select {
	case <-s.gate:
	default:
		close(s.gate)
	}
}

// Call sends one command over a fresh connection and returns the reply.
func (s *Server) Call(args ...string) (resp.Value, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	host, portText, _ := net.SplitHostPort(s.addr)
	port, _ := strconv.Atoi(portText)
	c, err := redisx.Dial(ctx, &redisx.Options{Host: host, Port: port})
	if err != nil {
		return resp.Value{}, err
	}
	defer c.Close()
	return c.DoStrings(ctx, args...)
}

// serve accepts connections on ln until it closes. s.mu is held or the
// server is not yet shared.
func (s *Server) serve(ln net.Listener) {
	s.ln = ln
	stop := s.stop
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.ln != ln {
				s.mu.Unlock()
				nc.Close()
				return
			}
			s.nextID++
			c := &client{s: s, nc: nc, id: s.nextID, proto: 2, stop: stop}
			s.conns[nc] = struct{}{}
			s.wg.Add(1)
			s.mu.Unlock()
			go func() {
				defer s.wg.Done()
				c.serve()
				s.mu.Lock()
				delete(s.conns, nc)
				s.mu.Unlock()
				nc.Close()
			}()
		}
	}()
}

// wait blocks while the server is paused; it reports false when the
// server was killed meanwhile.
func (s *Server) wait(stop <-chan struct{}) bool {
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	select {
	case <-gate:
		return true
	case <-stop:
		return false
	}
}

// client is one connection's state.
type client struct {
	s     *Server
	nc    net.Conn
	id    int64
	stop  <-chan struct{}
	proto int
	db    int
	name  string
	// queue holds the commands of an open MULTI; nil outside one.
	queue [][][]byte
	inTx  bool
}

// serve reads requests and writes replies until the connection ends.
func (c *client) serve() {
	br := bufio.NewReader(c.nc)
	rd := resp.NewReader(br)
	bw := bufio.NewWriter(c.nc)
	var buf []byte
	for {
		args, err := readRequest(br, rd)
		if err != nil {
			return
		}
		if len(args) == 0 {
			continue
		}
		if !c.s.wait(c.stop) {
			return
		}
		v, quit := c.run(args)
		buf = appendReply(buf[:0], v, c.proto)
		if _, err := bw.Write(buf); err != nil {
			return
		}
		if br.Buffered() == 0 || quit {
			if err := bw.Flush(); err != nil || quit {
				return
			}
		}
	}
}

// readRequest reads one command: a RESP array of bulk strings, or an
// inline command line.
func readRequest(br *bufio.Reader, rd *resp.Reader) ([][]byte, error) {
	first, err := br.Peek(1)
	if err != nil {
		return nil, err
	}
	if first[0] != '*' {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		words, err := cliargs.SplitArgs(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return nil, fmt.Errorf("memserver: inline command: %w", err)
		}
		return redisx.Args(words...), nil
	}
	v, err := rd.ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind != resp.KindArray {
		return nil, errors.New("memserver: request is not an array")
	}
	args := make([][]byte, len(v.Elems))
	for i, e := range v.Elems {
		if e.Kind != resp.KindBulk {
			return nil, errors.New("memserver: request argument is not a bulk string")
		}
		args[i] = e.Str
	}
	return args, nil
}

// appendReply appends v for a client speaking proto: RESP3 as it is,
// RESP2 with nulls as $-1 and maps as flat arrays.
func appendReply(buf []byte, v resp.Value, proto int) []byte {
	if proto == 3 {
		return resp.AppendValue(buf, v)
	}
	switch v.Kind {
	case resp.KindNil:
		return append(buf, "$-1\r\n"...)
	case resp.KindArray, resp.KindMap, resp.KindSet:
		buf = fmt.Appendf(buf, "*%d\r\n", len(v.Elems))
		for _, e := range v.Elems {
			buf = appendReply(buf, e, proto)
		}
		return buf
	}
	return resp.AppendValue(buf, v)
}

// sleep waits for d, or until the server is killed; it reports whether
// the whole wait passed.
func (c *client) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.stop:
		return false
	}
}
