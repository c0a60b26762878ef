package redisx_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
	"github.com/redish/redish/retry/retrytest"
)

// scriptedNode replays a fixed exchange on every connection, as the
// redis-cli test suite's fake_redis_node.tcl does: it reads a command,
// compares it with the next expected one (case-insensitively, words
// joined by spaces), writes the scripted RESP reply, and hangs up at the
// end of the script or at the first unexpected command, which gets
// "-ERR unexpected command ...".
type scriptedNode struct {
	addr string
	ln   net.Listener
	wg   sync.WaitGroup

	mu         sync.Mutex
	script     []string // expected command, reply, expected command, ...
	unexpected []string
	conns      []net.Conn
}

// listenScripted reserves the node's port; serve starts it with a script
// (the script may name the ports of nodes made before serving).
func listenScripted(t *testing.T) *scriptedNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &scriptedNode{addr: ln.Addr().String(), ln: ln}
	t.Cleanup(n.close)
	return n
}

func (n *scriptedNode) port() string {
	_, p, _ := net.SplitHostPort(n.addr)
	return p
}

func (n *scriptedNode) serve(script ...string) {
	n.script = script
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for {
			c, err := n.ln.Accept()
			if err != nil {
				return
			}
			n.mu.Lock()
			n.conns = append(n.conns, c)
			n.mu.Unlock()
			n.wg.Add(1)
			go n.handle(c)
		}
	}()
}

func (n *scriptedNode) handle(c net.Conn) {
	defer n.wg.Done()
	defer c.Close()
	rd := resp.NewReader(bufio.NewReader(c))
	for i := 0; i+1 < len(n.script); i += 2 {
		v, err := rd.ReadValue()
		if err != nil {
			return
		}
		var words []string
		for _, e := range v.Elems {
			words = append(words, string(e.Str))
		}
		got := strings.Join(words, " ")
		if !strings.EqualFold(got, n.script[i]) {
			n.mu.Lock()
			n.unexpected = append(n.unexpected, got)
			n.mu.Unlock()
			c.Write([]byte("-ERR unexpected command " + got + "\r\n"))
			return
		}
		if _, err := c.Write([]byte(n.script[i+1] + "\r\n")); err != nil {
			return
		}
	}
}

func (n *scriptedNode) close() {
	n.ln.Close()
	n.mu.Lock()
	for _, c := range n.conns {
		c.Close()
	}
	n.mu.Unlock()
	n.wg.Wait()
}

// unexpectedCommands returns the commands the node did not expect.
func (n *scriptedNode) unexpectedCommands() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.unexpected...)
}

func newClusterClient(t *testing.T, o redisx.ClusterOptions) *redisx.ClusterClient {
	t.Helper()
	c, err := redisx.NewClusterClient(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestClusterFallbackAskScenario is the redis-cli test suite's ASK
// redirect test: a node that knows nothing of CLUSTER answers SET foo bar
// with -ASK, the other expects ASKING and then the command.
func TestClusterFallbackAskScenario(t *testing.T) {
	for _, tc := range []struct {
		name  string
		retry *retry.Retry
	}{
		{"no retries", nil},
		{"default policy", &retry.Retry{Policy: retry.DefaultPolicy(), Clock: retrytest.NewClock()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p1, p2 := listenScripted(t), listenScripted(t)
			p1.serve("SET foo bar", "-ASK 12182 127.0.0.1:"+p2.port())
			p2.serve("ASKING", "+OK", "SET foo bar", "+OK")
			log := &eventLog{}
			c := newClusterClient(t, redisx.ClusterOptions{Seeds: []string{p1.addr}, Retry: tc.retry, OnEvent: log.add})
			v, err := do(t, c, "SET", "foo", "bar")
			if err != nil || v.Kind != resp.KindStatus || v.Text() != "OK" {
				t.Fatalf("SET foo bar: %v %s %q\nevents:\n%s", err, v.Kind, v.Str, log)
			}
			if got := p2.unexpectedCommands(); len(got) != 0 {
				t.Errorf("%s got unexpected commands %q", p2.addr, got)
			}
			// The only commands p1 did not expect are the topology reads.
			for _, cmd := range p1.unexpectedCommands() {
				if !strings.HasPrefix(strings.ToUpper(cmd), "CLUSTER ") {
					t.Errorf("%s got unexpected command %q", p1.addr, cmd)
				}
			}
			want := []string{
				"no cluster topology: " + p1.addr + " (CLUSTER SHARDS: ERR unexpected command CLUSTER SHARDS); sending commands to " + p1.addr + " and following MOVED and ASK redirects",
				"redirect ASK slot 12182 -> " + p2.addr + " (sending ASKING first)",
			}
			if got := strings.Split(log.String(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", log, strings.Join(want, "\n"))
			}
		})
	}
}

// TestClusterFallbackMovedAndHops: without a topology, MOVED is followed
// and remembered for the slot; a ping-pong of redirects ends after
// MaxRedirects sends.
func TestClusterFallbackMovedAndHops(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	refuse := func(args []string) (resp.Value, bool) {
		if strings.EqualFold(args[0], "CLUSTER") {
			return resp.ErrorReply("ERR unknown command 'CLUSTER', with args beginning with: '" + args[1] + "' "), true
		}
		return resp.Value{}, false
	}
	a.script(func(args []string) resp.Value {
		if v, ok := refuse(args); ok {
			return v
		}
		if strings.EqualFold(args[0], "GET") && args[1] == "foo" {
			return resp.ErrorReply("MOVED " + strconv.Itoa(slotFoo) + " " + b.addr)
		}
		return resp.BulkString("a:" + strings.Join(args, " "))
	})
	b.script(func(args []string) resp.Value {
		if v, ok := refuse(args); ok {
			return v
		}
		if strings.EqualFold(args[0], "GET") && args[1] == "ping-pong" {
			return resp.ErrorReply("MOVED " + strconv.Itoa(int(redisx.HashSlot([]byte("ping-pong")))) + " " + a.addr)
		}
		return resp.BulkString("b:" + strings.Join(args, " "))
	})
	c, _, log := newFakeCluster(t, 0, a.addr)
	for range 3 {
		if v, err := do(t, c, "GET", "foo"); err != nil || v.Text() != "b:GET foo" {
			t.Fatalf("GET foo: %v %q", err, v.Str)
		}
	}
	// One MOVED: the slot is remembered.
	if got := a.count("GET"); got != 1 {
		t.Errorf("%s got GET %d times, want 1", a.addr, got)
	}
	// The current node is the one the redirect led to, as in redis-cli.
	if v, err := do(t, c, "DBSIZE"); err != nil || v.Text() != "b:DBSIZE" {
		t.Errorf("DBSIZE: %v %q, want it from %s", err, v.Str, b.addr)
	}
	// Commands the topology would split or refuse go as they are.
	if v, err := do(t, c, "MSET", "k1", "1", "k2", "2"); err != nil || v.Text() != "b:MSET k1 1 k2 2" {
		t.Errorf("MSET: %v %q", err, v.Str)
	}
	// ping-pong: a sends it to b and b back to a, within the hop budget.
	b.script(func(args []string) resp.Value {
		return resp.ErrorReply("MOVED " + strconv.Itoa(int(redisx.HashSlot([]byte("ping-pong")))) + " " + a.addr)
	})
	a.script(func(args []string) resp.Value {
		return resp.ErrorReply("MOVED " + strconv.Itoa(int(redisx.HashSlot([]byte("ping-pong")))) + " " + b.addr)
	})
	_, err := do(t, c, "GET", "ping-pong")
	var ce *redisx.ClusterError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "too many redirections") {
		t.Fatalf("ping-pong: %v, want too many redirections", err)
	}
	if n := log.count("no cluster topology"); n != 1 {
		t.Errorf("%d fallback lines, want 1:\n%s", n, log)
	}
	// No topology read is attempted again, not even every fifth MOVED.
	if n := log.count("topology"); n != 0 {
		t.Errorf("topology lines:\n%s", log)
	}
	// Only one node was asked for the topology, once per command.
	if n := a.count("CLUSTER SHARDS") + a.count("CLUSTER SLOTS"); n != 2 {
		t.Errorf("%s asked for the topology %d times, want 2 (SHARDS, then SLOTS)", a.addr, n)
	}
	if n := b.count("CLUSTER SHARDS") + b.count("CLUSTER SLOTS"); n != 0 {
		t.Errorf("%s asked for the topology %d times", b.addr, n)
	}
	var tu *redisx.TopologyUnavailableError
	if _, err := c.DoNodes(context.Background(), redisx.SelectPrimaries, redisx.Args("PING")); !errors.As(err, &tu) {
		t.Errorf("DoNodes without a topology: %v, want a TopologyUnavailableError", err)
	}
}

// TestClusterFallbackStandalone: -c against a standalone server works as
// redis-cli -c does: every command as it is, on that server.
func TestClusterFallbackStandalone(t *testing.T) {
	s := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := &eventLog{}
	c := newClusterClient(t, redisx.ClusterOptions{Seeds: []string{s.Addr()}, OnEvent: log.add})
	steps := []struct{ cmd, want string }{
		{"MSET a 1 b 2 c 3", "OK"},
		{"MGET a b c", "1 2 3"},
		{"DBSIZE", "3"},
		{"MULTI", "OK"},
		{"INCR a", "QUEUED"},
		{"INCR b", "QUEUED"},
		{"EXEC", "2 3"},
		{"SUNIONSTORE u a b", "ERR WRONGTYPE"},
		{"DEL a b c", "3"},
		{"SELECT 0", "OK"},
	}
	for _, st := range steps {
		v, err := c.Do(ctx, redisx.Args(strings.Fields(st.cmd)...))
		if err != nil {
			t.Fatalf("%s: %v", st.cmd, err)
		}
		if got := flat(v); got != st.want && !(v.Kind == resp.KindError && strings.HasPrefix(v.Text(), "WRONGTYPE") && st.want == "ERR WRONGTYPE") {
			t.Errorf("%s: %q, want %q", st.cmd, got, st.want)
		}
	}
	var keys []string
	if _, err := c.Do(ctx, redisx.Args("SET", "scan:1", "x")); err != nil {
		t.Fatal(err)
	}
	if err := c.Scan(ctx, "scan:*", 0, func(k []byte) error { keys = append(keys, string(k)); return nil }); err != nil || len(keys) != 1 {
		t.Errorf("Scan: %v %q", err, keys)
	}
	keys = nil
	err := c.ScanKeys(ctx, redisx.ScanOptions{Match: "scan:*"}, func(ks []resp.Value) error {
		for _, k := range ks {
			keys = append(keys, string(k.Str))
		}
		return nil
	})
	if err != nil || len(keys) != 1 {
		t.Errorf("ScanKeys: %v %q", err, keys)
	}
	want := "no cluster topology: " + s.Addr() + " (CLUSTER SLOTS: ERR This instance has cluster support disabled); sending commands to " + s.Addr() + " and following MOVED and ASK redirects"
	if log.String() != want {
		t.Errorf("events:\n%s\nwant:\n%s", log, want)
	}
	var tu *redisx.TopologyUnavailableError
	if _, err := c.Topology(ctx); !errors.As(err, &tu) || tu.Addr != s.Addr() {
		t.Errorf("Topology: %v", err)
	}
}

// flat renders a reply as words: "OK", "1 2 3".
func flat(v resp.Value) string {
	switch v.Kind {
	case resp.KindInt:
		return strconv.FormatInt(v.Int, 10)
	case resp.KindArray, resp.KindSet:
		var parts []string
		for _, e := range v.Elems {
			parts = append(parts, flat(e))
		}
		return strings.Join(parts, " ")
	}
	return v.Text()
}

// TestClusterFallbackRenamedCluster: a real cluster whose CLUSTER command
// is renamed. The client cannot read the topology, says so once, and
// reaches every key by following MOVED, as redis-cli -c does.
func TestClusterFallbackRenamedCluster(t *testing.T) {
	const renamed = "CLUSTER-9f3a"
	a := redistest.Start(t, redistest.WithCluster(), redistest.WithConfig("rename-command", "CLUSTER", renamed))
	b := redistest.Start(t, redistest.WithCluster(), redistest.WithConfig("rename-command", "CLUSTER", renamed))
	mustOK := func(s *redistest.Server, args ...string) {
		t.Helper()
		if v := s.Do(t, args...); v.Text() != "OK" {
			t.Fatalf("%s on %s: %s %q", strings.Join(args, " "), s.Addr(), v.Kind, v.Str)
		}
	}
	mustOK(a, renamed, "ADDSLOTSRANGE", "0", "8191")
	mustOK(b, renamed, "ADDSLOTSRANGE", "8192", "16383")
	mustOK(a, renamed, "MEET", b.Host, strconv.Itoa(b.Port), strconv.Itoa(b.ClusterPort))
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range []*redistest.Server{a, b} {
		for !strings.Contains(s.Do(t, renamed, "INFO").Text(), "cluster_state:ok") {
			if time.Now().After(deadline) {
				t.Fatalf("%s: cluster not ok: %s", s.Addr(), s.Do(t, renamed, "INFO").Text())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := &eventLog{}
	c := newClusterClient(t, redisx.ClusterOptions{Seeds: []string{a.Addr()}, OnEvent: log.add})
	// foo is in slot 12182 (b), bar in 5061 (a).
	for _, st := range []struct{ cmd, want, node string }{
		{"SET foo 1", "OK", b.Addr()},
		{"SET bar 2", "OK", a.Addr()},
		{"GET foo", "1", b.Addr()},
		{"GET bar", "2", a.Addr()},
	} {
		v, err := c.Do(ctx, redisx.Args(strings.Fields(st.cmd)...))
		if err != nil || flat(v) != st.want {
			t.Fatalf("%s: %v %s %q\n%s", st.cmd, err, v.Kind, v.Str, log)
		}
		if c.LastAddr() != st.node {
			t.Errorf("%s answered by %s, want %s", st.cmd, c.LastAddr(), st.node)
		}
	}
	if v := b.Do(t, "GET", "foo"); v.Text() != "1" {
		t.Errorf("foo on %s: %q", b.Addr(), v.Str)
	}
	// Two MOVED: foo's slot from a to b, then bar's from b (the current
	// node) back to a. Then both slots are known.
	if n := log.count("redirect MOVED"); n != 2 {
		t.Errorf("%d redirects, want 2:\n%s", n, log)
	}
	if n := log.count("no cluster topology: " + a.Addr() + " (CLUSTER SLOTS: ERR unknown command 'CLUSTER'"); n != 1 {
		t.Errorf("fallback lines:\n%s", log)
	}
	// A cross-slot MSET gets the server's own answer.
	v, err := c.Do(ctx, redisx.Args("MSET", "foo", "1", "bar", "2"))
	if err != nil || v.Kind != resp.KindError || !strings.HasPrefix(v.Text(), "CROSSSLOT") {
		t.Errorf("MSET across slots: %v %s %q", err, v.Kind, v.Str)
	}
	// A cluster-wide command goes to the current node only, as in
	// redis-cli -c.
	v, err = c.Do(ctx, redisx.Args("DBSIZE"))
	if err != nil || v.Int != 1 {
		t.Errorf("DBSIZE: %v %d, want the current node's 1", err, v.Int)
	}
}

// TestClusterDemoteHostnameSeed: a seed given by hostname is the node the
// topology lists by the IP the connection reached; when that node fails,
// the refresh skips it under both names.
func TestClusterDemoteHostnameSeed(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	shards := []shard{{a.addr, 0, 8191}, {b.addr, 8192, 16383}}
	serveTopology(a, shards, func([]string) resp.Value { return resp.BulkString("a") })
	serveTopology(b, shards, func([]string) resp.Value { return resp.BulkString("b") })
	_, port, _ := net.SplitHostPort(a.addr)
	byName := net.JoinHostPort("localhost", port)
	policy := retry.DefaultPolicy()
	policy.Retries = 1
	var retried []string
	log := &eventLog{}
	c := newClusterClient(t, redisx.ClusterOptions{
		Seeds:         []string{byName},
		ErrorAttempts: 1,
		Retry:         &retry.Retry{Policy: policy, Clock: retrytest.NewClock()},
		OnRetry:       func(e retry.Event) { retried = append(retried, e.Node) },
		OnEvent:       log.add,
		Clock:         retrytest.NewClock(),
	})
	if v, err := do(t, c, "GET", "bar"); err != nil || v.Text() != "a" {
		t.Fatalf("GET bar: %v %q", err, v.Str)
	}
	// a goes away: its port refuses connections.
	a.ln.Close()
	a.mu.Lock()
	for _, conn := range a.conns {
		conn.Close()
	}
	a.mu.Unlock()
	if _, err := do(t, c, "GET", "bar"); err == nil {
		t.Fatal("GET bar on a dead node succeeded")
	}
	for _, n := range retried {
		if n != a.addr {
			t.Errorf("retried on %s; want only %s, the name the topology routes to\nevents:\n%s", n, a.addr, log)
		}
	}
	if got := c.Seeds(); len(got) != 3 || got[0] != b.addr {
		t.Errorf("seeds %v: want %s first, both names of %s after it", got, b.addr, a.addr)
	}
	if want := "topology refreshed from " + b.addr; log.count(want) != 1 {
		t.Errorf("events:\n%s\nwant %q", log, want)
	}
}
