package redisx_test

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// fakeNode is a scripted RESP server on a loopback port: each command it
// reads is answered by reply, which sees the command's words. It stands
// for a cluster node in tests that need exact counts of what was sent.
type fakeNode struct {
	addr string
	ln   net.Listener
	// quit is closed when the node stops, releasing stalled replies.
	quit chan struct{}

	mu    sync.Mutex
	reply func(args []string) resp.Value
	calls [][]string
	conns []net.Conn
	wg    sync.WaitGroup
}

// hangUp is the reply that makes a fakeNode close the connection instead
// of answering.
var hangUp = resp.Value{}

func newFakeNode(t *testing.T) *fakeNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeNode{addr: ln.Addr().String(), ln: ln, quit: make(chan struct{})}
	f.reply = func([]string) resp.Value { return resp.ErrorReply("ERR not scripted") }
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.close)
	return f
}

func (f *fakeNode) close() {
	close(f.quit)
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *fakeNode) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		f.wg.Add(1)
		go f.handle(c)
	}
}

func (f *fakeNode) handle(c net.Conn) {
	defer f.wg.Done()
	defer c.Close()
	rd := resp.NewReader(bufio.NewReader(c))
	for {
		v, err := rd.ReadValue()
		if err != nil {
			return
		}
		args := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			args[i] = string(e.Str)
		}
		f.mu.Lock()
		f.calls = append(f.calls, args)
		reply := f.reply
		f.mu.Unlock()
		out := reply(args)
		if out.Kind == 0 {
			return
		}
		if _, err := c.Write(resp.AppendValue(nil, out)); err != nil {
			return
		}
	}
}

// stall is a reply function that never answers: it waits until the
// node stops, then hangs up.
func (f *fakeNode) stall([]string) resp.Value {
	<-f.quit
	return hangUp
}

// script sets the reply function.
func (f *fakeNode) script(reply func(args []string) resp.Value) {
	f.mu.Lock()
	f.reply = reply
	f.mu.Unlock()
}

// count returns how many commands named name (upper case, with the
// subcommand when given as "CLUSTER SHARDS") the node received.
func (f *fakeNode) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.calls {
		got := strings.ToUpper(a[0])
		if strings.Contains(name, " ") && len(a) > 1 {
			got += " " + strings.ToUpper(a[1])
		}
		if got == name {
			n++
		}
	}
	return n
}

// commands returns the commands received, other than topology reads, as
// strings ("GET foo").
func (f *fakeNode) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.calls {
		if strings.EqualFold(a[0], "CLUSTER") {
			continue
		}
		out = append(out, strings.Join(a, " "))
	}
	return out
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// shard is one primary of a scripted topology.
type shard struct {
	addr        string
	first, last int
}

// shardsReply builds a RESP3 CLUSTER SHARDS reply for primaries without
// replicas.
func shardsReply(shards ...shard) resp.Value {
	var out []resp.Value
	for i, s := range shards {
		host, port, _ := net.SplitHostPort(s.addr)
		p, _ := strconv.Atoi(port)
		node := resp.Value{Kind: resp.KindMap, Elems: []resp.Value{
			resp.BulkString("id"), resp.BulkString(strings.Repeat(strconv.Itoa(i), 40)),
			resp.BulkString("port"), resp.Int(int64(p)),
			resp.BulkString("ip"), resp.BulkString(host),
			resp.BulkString("endpoint"), resp.BulkString(host),
			resp.BulkString("role"), resp.BulkString("master"),
			resp.BulkString("replication-offset"), resp.Int(0),
			resp.BulkString("health"), resp.BulkString("online"),
		}}
		out = append(out, resp.Value{Kind: resp.KindMap, Elems: []resp.Value{
			resp.BulkString("slots"), resp.Array(resp.Int(int64(s.first)), resp.Int(int64(s.last))),
			resp.BulkString("nodes"), resp.Array(node),
		}})
	}
	return resp.Array(out...)
}

// eventLog collects the lines of cluster events.
type eventLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *eventLog) add(e redisx.ClusterEvent) {
	l.mu.Lock()
	l.lines = append(l.lines, e.String())
	l.mu.Unlock()
}

func (l *eventLog) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
