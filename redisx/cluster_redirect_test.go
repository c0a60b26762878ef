package redisx_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
	"github.com/redish/redish/retry/retrytest"
)

// Slots of the keys the scripted tests use.
const (
	slotFoo = 12182 // "foo"
	slotBar = 5061  // "bar"
)

// newFakeCluster returns a client for the seeds, with a fake clock and an
// event log, and no node-level retries.
func newFakeCluster(t *testing.T, attempts int, seeds ...string) (*redisx.ClusterClient, *retrytest.Clock, *eventLog) {
	t.Helper()
	clock, log := retrytest.NewClock(), &eventLog{}
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{
		Seeds:         seeds,
		ErrorAttempts: attempts,
		Clock:         clock,
		OnEvent:       log.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clock, log
}

// serveTopology makes f answer CLUSTER SHARDS with shards and every other
// command with other.
func serveTopology(f *fakeNode, shards []shard, other func(args []string) resp.Value) {
	f.script(func(args []string) resp.Value {
		if strings.EqualFold(args[0], "CLUSTER") {
			return shardsReply(shards...)
		}
		return other(args)
	})
}

func do(t *testing.T, c *redisx.ClusterClient, args ...string) (resp.Value, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Do(ctx, redisx.Args(args...))
}

func TestClusterMoved(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	all := []shard{{a.addr, 0, 16383}}
	serveTopology(a, all, func([]string) resp.Value {
		return resp.ErrorReply("MOVED " + strconv.Itoa(slotFoo) + " " + b.addr)
	})
	serveTopology(b, all, func([]string) resp.Value { return resp.BulkString("v") })
	c, _, log := newFakeCluster(t, 0, a.addr)
	for i := range 2 {
		v, err := do(t, c, "GET", "foo")
		if err != nil || v.Text() != "v" {
			t.Fatalf("GET foo #%d: %v %q", i+1, err, v.Str)
		}
	}
	if got := a.count("GET"); got != 1 {
		t.Errorf("%s got GET %d times, want 1: the MOVED must patch the slot map", a.addr, got)
	}
	if got := b.count("GET"); got != 2 {
		t.Errorf("%s got GET %d times, want 2", b.addr, got)
	}
	want := "redirect MOVED slot 12182 -> " + b.addr
	if log.count(want) != 1 {
		t.Errorf("events:\n%s\nwant one %q", log, want)
	}
	if got := c.LastAddr(); got != b.addr {
		t.Errorf("LastAddr %s, want %s", got, b.addr)
	}
}

func TestClusterOnRedirect(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	all := []shard{{a.addr, 0, 16383}}
	serveTopology(a, all, func([]string) resp.Value {
		return resp.ErrorReply("ASK " + strconv.Itoa(slotFoo) + " " + b.addr)
	})
	serveTopology(b, all, func([]string) resp.Value { return resp.Status("OK") })
	var got []string
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{
		Seeds: []string{a.addr},
		OnRedirect: func(kind string, slot int, addr string) {
			got = append(got, kind+" "+strconv.Itoa(slot)+" "+addr)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := do(t, c, "SET", "foo", "1"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ASK 12182 " + b.addr}; !reflect.DeepEqual(got, want) {
		t.Errorf("OnRedirect calls %q, want %q", got, want)
	}
}

func TestClusterMovedRefreshesEveryFifth(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	shards := []shard{{a.addr, 0, 8191}, {b.addr, 8192, 16383}}
	// Each node sends the client to the other: a redirect loop.
	serveTopology(a, shards, func([]string) resp.Value {
		return resp.ErrorReply("MOVED " + strconv.Itoa(slotFoo) + " " + b.addr)
	})
	serveTopology(b, shards, func([]string) resp.Value {
		return resp.ErrorReply("MOVED " + strconv.Itoa(slotFoo) + " " + a.addr)
	})
	c, clock, log := newFakeCluster(t, 3, a.addr)
	_, err := do(t, c, "GET", "foo")
	var ce *redisx.ClusterError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "ClusterError: too many redirections") {
		t.Fatalf("err %v, want ClusterError: too many redirections", err)
	}
	if sends := a.count("GET") + b.count("GET"); sends != redisx.MaxRedirects {
		t.Errorf("%d sends, want %d", sends, redisx.MaxRedirects)
	}
	// One read at start, then one at MOVED 5, 10 and 15.
	if reads := a.count("CLUSTER SHARDS") + b.count("CLUSTER SHARDS"); reads != 4 {
		t.Errorf("%d topology reads, want 4\n%s", reads, log)
	}
	// The 16th MOVED is not followed: no line announces it.
	if n := log.count("redirect MOVED"); n != 15 {
		t.Errorf("%d MOVED events, want 15", n)
	}
	if w := clock.Waits(); len(w) != 0 {
		t.Errorf("waits %v, want none", w)
	}
	// Too many redirections is not a cluster-level failure: one attempt.
	if n := log.count("cluster attempt"); n != 0 {
		t.Errorf("cluster attempts reported:\n%s", log)
	}
}

func TestClusterAsk(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	all := []shard{{a.addr, 0, 16383}}
	serveTopology(a, all, func([]string) resp.Value {
		return resp.ErrorReply("ASK " + strconv.Itoa(slotFoo) + " " + b.addr)
	})
	serveTopology(b, all, func(args []string) resp.Value {
		if args[0] == "ASKING" {
			return resp.Status("OK")
		}
		return resp.BulkString("v")
	})
	c, _, log := newFakeCluster(t, 0, a.addr)
	for range 2 {
		if v, err := do(t, c, "GET", "foo"); err != nil || v.Text() != "v" {
			t.Fatalf("GET foo: %v %q", err, v.Str)
		}
	}
	// ASK leaves the slot map alone: both GETs go to a first.
	if got := a.count("GET"); got != 2 {
		t.Errorf("%s got GET %d times, want 2", a.addr, got)
	}
	want := []string{"ASKING", "GET foo", "ASKING", "GET foo"}
	if got := b.commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s got %q, want %q", b.addr, got, want)
	}
	if n := log.count("redirect ASK slot 12182 -> " + b.addr); n != 2 {
		t.Errorf("events:\n%s", log)
	}
}

func TestClusterTryAgain(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tryAgain int // TRYAGAIN replies before OK
		sends    int
		waits    int
		tooMany  bool
	}{
		{"twice", 2, 3, 0, false},
		{"ten times", 10, 11, 2, false},
		{"always", 100, 16, 7, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newFakeNode(t)
			n := 0
			serveTopology(a, []shard{{a.addr, 0, 16383}}, func([]string) resp.Value {
				n++
				if n <= tc.tryAgain {
					return resp.ErrorReply("TRYAGAIN Multiple keys request during rehashing of slot")
				}
				return resp.Status("OK")
			})
			c, clock, log := newFakeCluster(t, 3, a.addr)
			v, err := do(t, c, "MSET", "{t}a", "1", "{t}b", "2")
			if tc.tooMany {
				if !strings.Contains(errText(err), "too many redirections") {
					t.Fatalf("err %v, want too many redirections", err)
				}
			} else if err != nil || v.Text() != "OK" {
				t.Fatalf("MSET: %v %q", err, v.Str)
			}
			if got := a.count("MSET"); got != tc.sends {
				t.Errorf("%d sends, want %d", got, tc.sends)
			}
			waits := clock.Waits()
			if len(waits) != tc.waits {
				t.Errorf("waits %v, want %d of %v", waits, tc.waits, redisx.TryAgainWait)
			}
			for _, w := range waits {
				if w != redisx.TryAgainWait {
					t.Errorf("wait %v, want %v", w, redisx.TryAgainWait)
				}
			}
			// One line per TRYAGAIN sent again; the last one of a spent
			// budget is not.
			if n, want := log.count("TRYAGAIN from"), min(tc.tryAgain, tc.sends-1); n != want {
				t.Errorf("%d TRYAGAIN lines, want %d:\n%s", n, want, log)
			}
		})
	}
}

// TestClusterRefreshFailedIsALine: when no startup node gives the
// topology, --verbose says so instead of going on silently with the old
// slot map.
func TestClusterRefreshFailedIsALine(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	shards := []shard{{a.addr, 0, 8191}, {b.addr, 8192, 16383}}
	reads := 0
	a.script(func(args []string) resp.Value {
		if strings.EqualFold(args[0], "CLUSTER") {
			reads++
			if reads > 1 {
				return hangUp
			}
			return shardsReply(shards...)
		}
		return resp.Status("OK")
	})
	b.script(func([]string) resp.Value { return hangUp })
	c, _, log := newFakeCluster(t, 1, a.addr)
	if _, err := do(t, c, "GET", "foo"); err == nil {
		t.Fatal("GET foo on a node that hangs up: no error")
	}
	lines := strings.Split(log.String(), "\n")
	want := []string{
		"topology read from " + a.addr + " (CLUSTER SHARDS): 2 primaries, 0 replicas, all 16384 slots covered",
		"cluster attempt 2/2 after ConnectionError: ",
		"topology refresh failed (2 startup nodes tried): ConnectionError: ",
		"cluster attempt 2/2 failed, giving up: ConnectionError: ",
	}
	if len(lines) != len(want) {
		t.Fatalf("events:\n%s\nwant %d lines", log, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("event %d: %q, want prefix %q", i+1, lines[i], w)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestClusterDown(t *testing.T) {
	for _, tc := range []struct {
		reply    string
		attempts int // cluster-level attempts made
	}{
		// CLUSTERDOWN is retried at the cluster level; MASTERDOWN, a
		// subclass, is not (redis-py compares exact types).
		{"CLUSTERDOWN The cluster is down", 3},
		{"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", 1},
	} {
		code, _, _ := strings.Cut(tc.reply, " ")
		t.Run(code, func(t *testing.T) {
			a := newFakeNode(t)
			serveTopology(a, []shard{{a.addr, 0, 16383}}, func([]string) resp.Value {
				return resp.ErrorReply(tc.reply)
			})
			c, clock, log := newFakeCluster(t, 2, a.addr)
			v, err := do(t, c, "GET", "foo")
			if err != nil || v.Kind != resp.KindError || v.Text() != tc.reply {
				t.Fatalf("GET: %v %s %q, want the %s reply", err, v.Kind, v.Str, code)
			}
			if got := a.count("GET"); got != tc.attempts {
				t.Errorf("%d sends, want %d\n%s", got, tc.attempts, log)
			}
			want := make([]time.Duration, tc.attempts)
			for i := range want {
				want[i] = redisx.ClusterDownWait
			}
			if got := clock.Waits(); !reflect.DeepEqual(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			// The first read, then one refresh after each CLUSTERDOWN.
			if got := a.count("CLUSTER SHARDS"); got != 1+tc.attempts {
				t.Errorf("%d topology reads, want %d\n%s", got, 1+tc.attempts, log)
			}
		})
	}
}

func TestClusterTwoLevelRetry(t *testing.T) {
	a, dead := newFakeNode(t), deadAddr(t)
	serveTopology(a, []shard{{a.addr, 0, 8191}, {dead, 8192, 16383}}, func([]string) resp.Value {
		return resp.Status("OK")
	})
	clock, log := retrytest.NewClock(), &eventLog{}
	var retries []retry.Event
	policy := retry.DefaultPolicy()
	policy.Retries, policy.Backoff = 6, "exponential"
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{
		Seeds:         []string{dead, a.addr},
		ErrorAttempts: 1,
		Retry:         &retry.Retry{Policy: policy, Clock: clock},
		OnRetry:       func(e retry.Event) { retries = append(retries, e) },
		OnEvent:       log.add,
		Clock:         clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	_, err = do(t, c, "GET", "foo")
	var ce *redisx.ConnError
	if !errors.As(err, &ce) || ce.Op != "dial" || ce.Addr != dead {
		t.Fatalf("err %v, want a dial error for %s", err, dead)
	}
	// Three cycles of 7 attempts (6 retries with exponential waits, then
	// giving up): the first seed, dead, when reading the topology; then
	// the two cluster-level attempts on the dead slot owner.
	var actions []string
	for _, e := range retries {
		actions = append(actions, e.Action.String())
		if e.Node != dead {
			t.Errorf("retry event for %s, want %s", e.Node, dead)
		}
	}
	cycle := []string{"retry", "retry", "retry", "retry", "retry", "retry", "give up"}
	if want := slices.Concat(cycle, cycle, cycle); !reflect.DeepEqual(actions, want) {
		t.Errorf("retry actions %v, want %v", actions, want)
	}
	ms := time.Millisecond
	waits := []time.Duration{16 * ms, 32 * ms, 64 * ms, 128 * ms, 256 * ms, 512 * ms}
	if want := slices.Concat(waits, waits, waits); !reflect.DeepEqual(clock.Waits(), want) {
		t.Errorf("waits %v, want %v", clock.Waits(), want)
	}
	wantEvents := []string{
		// The first seed, dead, failed: its slots do not count as served.
		"topology read from " + a.addr + " (CLUSTER SHARDS): 2 primaries, 0 replicas, 8192 of 16384 slots served by reachable nodes (unreachable: " + dead + ")",
		"cluster attempt 2/2 after ConnectionError: dial tcp " + dead + ": connect: connection refused",
		"topology refreshed from " + a.addr + " (CLUSTER SHARDS)",
		"cluster attempt 2/2 failed, giving up: ConnectionError: dial tcp " + dead + ": connect: connection refused",
	}
	lines := strings.Split(log.String(), "\n")
	if len(lines) != len(wantEvents) {
		t.Fatalf("events:\n%s\nwant %d lines", log, len(wantEvents))
	}
	for i, w := range wantEvents {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("event %d: %q, want prefix %q", i+1, lines[i], w)
		}
	}
	if !strings.HasSuffix(lines[1], "refreshing topology ("+dead+" moved to end of startup nodes)") {
		t.Errorf("event 2: %q", lines[1])
	}
	if got, want := c.Seeds(), []string{a.addr, dead}; !reflect.DeepEqual(got, want) {
		t.Errorf("seeds %v, want %v", got, want)
	}
	// The other shard still works.
	if v, err := do(t, c, "SET", "bar", "1"); err != nil || v.Text() != "OK" {
		t.Errorf("SET bar: %v %q", err, v.Str)
	}
}

func TestClusterCrossSlot(t *testing.T) {
	a := newFakeNode(t)
	serveTopology(a, []shard{{a.addr, 0, 16383}}, func([]string) resp.Value { return resp.Status("OK") })
	c, _, _ := newFakeCluster(t, 0, a.addr)
	for _, tc := range []struct {
		args []string
		sent bool
	}{
		{[]string{"MSETNX", "foo", "1", "bar", "2"}, false},
		{[]string{"RENAME", "foo", "bar"}, false},
		{[]string{"SUNIONSTORE", "{u}dst", "{u}a", "b"}, false},
		{[]string{"MSETNX", "{u}foo", "1", "{u}bar", "2"}, true},
		{[]string{"RENAME", "{x}foo", "{x}bar"}, true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := len(a.commands())
			v, err := do(t, c, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			sent := len(a.commands()) > before
			if sent != tc.sent {
				t.Errorf("sent %v, want %v (reply %q)", sent, tc.sent, v.Str)
			}
			if !tc.sent && (v.Kind != resp.KindError || !strings.HasPrefix(v.Text(), "CROSSSLOT Keys in request don't hash to the same slot")) {
				t.Errorf("reply %s %q, want a CROSSSLOT error", v.Kind, v.Str)
			}
		})
	}
}

func TestClusterGetKeysForUnknownCommands(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	shards := []shard{{a.addr, 0, 8191}, {b.addr, 8192, 16383}}
	reply := func(args []string) resp.Value {
		if strings.EqualFold(args[0], "COMMAND") {
			// A module command whose key is its second argument.
			return resp.Array(resp.BulkString(args[4]))
		}
		return resp.Status("OK")
	}
	serveTopology(a, shards, reply)
	serveTopology(b, shards, reply)
	c, _, _ := newFakeCluster(t, 0, a.addr)
	if _, err := do(t, c, "MYMOD.SET", "opt", "foo"); err != nil {
		t.Fatal(err)
	}
	if got := b.count("MYMOD.SET"); got != 1 {
		t.Errorf("%s got MYMOD.SET %d times, want 1 (foo is in slot %d)", b.addr, got, slotFoo)
	}
	if got := a.count("COMMAND GETKEYS"); got != 1 {
		t.Errorf("COMMAND GETKEYS sent %d times, want 1", got)
	}
}

func TestClusterSlotsFallback(t *testing.T) {
	a := newFakeNode(t)
	a.script(func(args []string) resp.Value {
		switch strings.ToUpper(strings.Join(args, " ")) {
		case "CLUSTER SHARDS":
			return resp.ErrorReply("ERR unknown subcommand 'shards'. Try CLUSTER HELP.")
		case "CLUSTER SLOTS":
			_, port, _ := strings.Cut(a.addr, ":")
			p, _ := strconv.Atoi(port)
			node := resp.Array(resp.BulkString(""), resp.Int(int64(p)), resp.BulkString(strings.Repeat("a", 40)))
			replica := resp.Array(resp.BulkString("127.0.0.2"), resp.Int(7001), resp.BulkString(strings.Repeat("b", 40)),
				resp.Value{Kind: resp.KindMap, Elems: []resp.Value{resp.BulkString("hostname"), resp.BulkString("replica.example")}})
			return resp.Array(
				resp.Array(resp.Int(0), resp.Int(99), node, replica),
				resp.Array(resp.Int(200), resp.Int(16383), node, replica),
			)
		}
		return resp.Status("OK")
	})
	c, _, _ := newFakeCluster(t, 0, a.addr)
	topo, err := c.Topology(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if topo.Command != "CLUSTER SLOTS" || len(topo.Nodes) != 2 {
		t.Fatalf("topology %+v", topo)
	}
	p := topo.Nodes[0]
	if p.Addr != a.addr || p.Role != redisx.RolePrimary || len(p.Slots) != 2 {
		t.Errorf("primary %+v", p)
	}
	if r := topo.Nodes[1]; r.Addr != "127.0.0.2:7001" || r.Role != redisx.RoleReplica || r.PrimaryID != p.ID ||
		!reflect.DeepEqual(r.Aliases, []string{"replica.example:7001"}) {
		t.Errorf("replica %+v", r)
	}
	if got, want := topo.Uncovered(), []redisx.SlotRange{{First: 100, Last: 199}}; !reflect.DeepEqual(got, want) {
		t.Errorf("uncovered %v, want %v", got, want)
	}
	// A key in the gap: not covered, retried at the cluster level, then
	// reported.
	_, err = do(t, c, "GET", "{slot-gap}")
	var snc *redisx.SlotNotCoveredError
	slot := redisx.HashSlot([]byte("{slot-gap}"))
	if slot >= 100 && slot <= 199 && !errors.As(err, &snc) {
		t.Errorf("GET in slot %d: %v, want SlotNotCoveredError", slot, err)
	}
	if got := a.count("CLUSTER SHARDS"); got != 1 {
		t.Errorf("CLUSTER SHARDS asked %d times, want 1 (then CLUSTER SLOTS)", got)
	}
}

func TestClusterTimeoutIsRetriedAtClusterLevel(t *testing.T) {
	a, b := newFakeNode(t), newFakeNode(t)
	shards := []shard{{a.addr, 0, 8191}, {b.addr, 8192, 16383}}
	serveTopology(a, shards, func([]string) resp.Value { return resp.Status("OK") })
	serveTopology(b, shards, b.stall)
	log := &eventLog{}
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{
		Seeds:         []string{a.addr},
		Node:          redisx.Options{Timeout: 50 * time.Millisecond},
		ErrorAttempts: 1,
		OnEvent:       log.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = do(t, c, "GET", "foo")
	if retry.Classify(err) != retry.TimeoutError {
		t.Fatalf("err %v (%s), want a TimeoutError", err, retry.Classify(err))
	}
	if got := b.count("GET"); got != 2 {
		t.Errorf("%d sends, want 2 (one per cluster-level attempt)", got)
	}
	want := "cluster attempt 2/2 after TimeoutError: read tcp "
	if log.count(want) != 1 || !strings.Contains(log.String(), "(request was sent: the command may already have run)") {
		t.Errorf("events:\n%s\nwant %q with the sent marker", log, want)
	}
}

func TestClusterEventString(t *testing.T) {
	refused := &redisx.ConnError{Op: "dial", Addr: "127.0.0.1:7000", Err: errors.New("connect: connection refused")}
	for _, tc := range []struct {
		ev   redisx.ClusterEvent
		want string
	}{
		{redisx.ClusterEvent{Kind: redisx.EventMoved, Slot: 12182, Addr: "127.0.0.1:7002"},
			"redirect MOVED slot 12182 -> 127.0.0.1:7002"},
		{redisx.ClusterEvent{Kind: redisx.EventAsk, Slot: 1, Addr: "127.0.0.1:7002"},
			"redirect ASK slot 1 -> 127.0.0.1:7002 (sending ASKING first)"},
		{redisx.ClusterEvent{Kind: redisx.EventTryAgain, Slot: 7, Addr: "127.0.0.1:7000", Wait: 50 * time.Millisecond},
			"TRYAGAIN from 127.0.0.1:7000 for slot 7: sending again in 50ms"},
		{redisx.ClusterEvent{Kind: redisx.EventTryAgain, Slot: -1, Addr: "127.0.0.1:7000"},
			"TRYAGAIN from 127.0.0.1:7000: sending again"},
		{redisx.ClusterEvent{Kind: redisx.EventClusterDown, Addr: "127.0.0.1:7000", Wait: 250 * time.Millisecond, Err: &resp.RedisError{Msg: "CLUSTERDOWN The cluster is down"}},
			"CLUSTERDOWN The cluster is down from 127.0.0.1:7000: refreshing topology in 250ms"},
		{redisx.ClusterEvent{Kind: redisx.EventAttempt, Attempt: 2, Attempts: 2, Err: refused, Failed: "127.0.0.1:7000"},
			"cluster attempt 2/2 after ConnectionError: dial 127.0.0.1:7000: connect: connection refused: refreshing topology (127.0.0.1:7000 moved to end of startup nodes)"},
		{redisx.ClusterEvent{Kind: redisx.EventAttempt, Attempt: 3, Attempts: 4, Err: &redisx.ClusterDownError{Reply: &resp.RedisError{Msg: "CLUSTERDOWN The cluster is down"}, Addr: "127.0.0.1:7000"}, Refreshed: true},
			"cluster attempt 3/4 after ClusterDownError: CLUSTERDOWN The cluster is down (from 127.0.0.1:7000): topology already refreshed"},
		{redisx.ClusterEvent{Kind: redisx.EventGiveUp, Attempt: 2, Attempts: 2, Err: refused, Sent: true},
			"cluster attempt 2/2 failed, giving up: ConnectionError: dial 127.0.0.1:7000: connect: connection refused (request was sent: the command may already have run)"},
		{redisx.ClusterEvent{Kind: redisx.EventTopology, Source: "127.0.0.1:7000", Command: "CLUSTER SHARDS", Primaries: 3, Replicas: 3, Covered: 16384},
			"topology read from 127.0.0.1:7000 (CLUSTER SHARDS): 3 primaries, 3 replicas, all 16384 slots covered"},
		{redisx.ClusterEvent{Kind: redisx.EventTopology, Refreshed: true, Source: "127.0.0.1:7001", Command: "CLUSTER SLOTS", Primaries: 2, Covered: 10000},
			"topology refreshed from 127.0.0.1:7001 (CLUSTER SLOTS): 2 primaries, 0 replicas, 10000 of 16384 slots covered"},
		{redisx.ClusterEvent{Kind: redisx.EventTopology, Refreshed: true, Source: "127.0.0.1:7001", Command: "CLUSTER SHARDS", Primaries: 3, Covered: 10923, Unreachable: []string{"127.0.0.1:7000"}},
			"topology refreshed from 127.0.0.1:7001 (CLUSTER SHARDS): 3 primaries, 0 replicas, 10923 of 16384 slots served by reachable nodes (unreachable: 127.0.0.1:7000)"},
		{redisx.ClusterEvent{Kind: redisx.EventTopologyFailed, Refreshed: true, Attempts: 3, Err: refused},
			"topology refresh failed (3 startup nodes tried): ConnectionError: dial 127.0.0.1:7000: connect: connection refused"},
		{redisx.ClusterEvent{Kind: redisx.EventTopologyFailed, Attempts: 1, Err: refused},
			"topology read failed (1 startup node tried): ConnectionError: dial 127.0.0.1:7000: connect: connection refused"},
		{redisx.ClusterEvent{Kind: redisx.EventFallback, Addr: "127.0.0.1:6379", Err: &redisx.TopologyUnavailableError{Addr: "127.0.0.1:6379", Command: "CLUSTER SLOTS", Reply: "ERR This instance has cluster support disabled"}},
			"no cluster topology: 127.0.0.1:6379 (CLUSTER SLOTS: ERR This instance has cluster support disabled); sending commands to 127.0.0.1:6379 and following MOVED and ASK redirects"},
		{redisx.ClusterEvent{Kind: redisx.EventReplicaFallback, Slot: 5, Addr: "127.0.0.1:7000", From: "127.0.0.1:7003", Err: &redisx.ReplicaUnfitError{Addr: "127.0.0.1:7003", Reason: "master_link_status:down"}},
			"replica 127.0.0.1:7003 cannot serve reads (master_link_status:down): reading slot 5 from primary 127.0.0.1:7000"},
		{redisx.ClusterEvent{Kind: redisx.EventReplicaFallback, Slot: 5, Addr: "127.0.0.1:7000", From: "127.0.0.1:7003", Err: &resp.RedisError{Msg: "LOADING Redis is loading the dataset in memory"}},
			"replica 127.0.0.1:7003 cannot serve reads (LOADING Redis is loading the dataset in memory): reading slot 5 from primary 127.0.0.1:7000"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.ev.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestClusterTopologyParsing(t *testing.T) {
	bulk, num := resp.BulkString, func(n int64) resp.Value { return resp.Int(n) }
	node := func(kind resp.Kind, id, ip, endpoint string, port int64, role, health string) resp.Value {
		return resp.Value{Kind: kind, Elems: []resp.Value{
			bulk("id"), bulk(id), bulk("port"), num(port), bulk("ip"), bulk(ip), bulk("endpoint"), bulk(endpoint),
			bulk("role"), bulk(role), bulk("replication-offset"), num(42), bulk("health"), bulk(health),
		}}
	}
	shards := func(kind resp.Kind) resp.Value {
		return resp.Array(
			resp.Value{Kind: kind, Elems: []resp.Value{
				bulk("slots"), resp.Array(num(8192), num(16383)),
				bulk("nodes"), resp.Array(
					node(kind, "b1", "10.0.0.2", "?", 7001, "master", "online"),
					node(kind, "b2", "10.0.0.3", "10.0.0.3", 7002, "replica", "loading"),
				),
			}},
			resp.Value{Kind: kind, Elems: []resp.Value{
				bulk("slots"), resp.Array(num(100), num(200), num(0), num(99)),
				bulk("nodes"), resp.Array(
					node(kind, "a1", "", "", 7000, "master", "online"),
					// unknown-endpoint: an empty endpoint, the announced ip
					// only an alias.
					node(kind, "a2", "10.0.0.9", "", 7009, "replica", "online"),
				),
			}},
		)
	}
	for _, tc := range []struct {
		name  string
		reply resp.Value
	}{
		{"RESP3 maps", shards(resp.KindMap)},
		{"RESP2 arrays", shards(resp.KindArray)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newFakeNode(t)
			a.script(func([]string) resp.Value { return tc.reply })
			c, _, _ := newFakeCluster(t, 0, a.addr)
			topo, err := c.Topology(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range topo.Nodes {
				got = append(got, fmt.Sprintf("%s %s %s primary=%s health=%s slots=%v aliases=%v", n.ID, n.Addr, n.Role, n.PrimaryID, n.Health, n.Slots, n.Aliases))
			}
			want := []string{
				// An empty endpoint: the host of the node asked.
				"a1 127.0.0.1:7000 primary primary= health=online slots=[0-99 100-200] aliases=[]",
				"a2 127.0.0.1:7009 replica primary=a1 health=online slots=[] aliases=[10.0.0.9:7009]",
				// An unknown endpoint ("?"): the ip.
				"b1 10.0.0.2:7001 primary primary= health=online slots=[8192-16383] aliases=[]",
				"b2 10.0.0.3:7002 replica primary=b1 health=loading slots=[] aliases=[]",
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("nodes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if owner := topo.Owner(150); owner == nil || owner.ID != "a1" {
				t.Errorf("slot 150 owner %v, want a1", owner)
			}
			if got, want := topo.Uncovered(), []redisx.SlotRange{{First: 201, Last: 8191}}; !reflect.DeepEqual(got, want) {
				t.Errorf("uncovered %v, want %v", got, want)
			}
			if r := topo.ReplicasOf(&topo.Nodes[2]); len(r) != 1 || r[0].ID != "b2" {
				t.Errorf("replicas of b1: %v", r)
			}
		})
	}
}

// TestClusterPortZero: a node address with port 0, from a MOVED or from
// the topology, is an error for that node: the command goes nowhere, and
// never to the default port, where another server may run it.
func TestClusterPortZero(t *testing.T) {
	t.Run("MOVED", func(t *testing.T) {
		a := newFakeNode(t)
		serveTopology(a, []shard{{a.addr, 0, 16383}}, func([]string) resp.Value {
			return resp.ErrorReply("MOVED " + strconv.Itoa(slotFoo) + " 127.0.0.1:0")
		})
		c, _, _ := newFakeCluster(t, 1, a.addr)
		v, err := do(t, c, "GET", "foo")
		var ce *redisx.ConnError
		if !errors.As(err, &ce) || ce.Addr != "127.0.0.1:0" || !strings.Contains(err.Error(), "no usable port") {
			t.Fatalf("GET foo = %s, %v; want a dial error for 127.0.0.1:0", v.Str, err)
		}
	})
	t.Run("CLUSTER SHARDS", func(t *testing.T) {
		a := newFakeNode(t)
		serveTopology(a, []shard{{"127.0.0.1:0", 0, 16383}}, func([]string) resp.Value {
			return resp.BulkString("from the seed")
		})
		c, _, _ := newFakeCluster(t, 1, a.addr)
		v, err := do(t, c, "GET", "foo")
		var ce *redisx.ConnError
		if !errors.As(err, &ce) || ce.Addr != "127.0.0.1:0" || !strings.Contains(err.Error(), "no usable port") {
			t.Fatalf("GET foo = %s, %v; want a dial error for 127.0.0.1:0", v.Str, err)
		}
		if n := a.count("GET"); n != 0 {
			t.Errorf("the seed got GET %d times", n)
		}
	})
	t.Run("CLUSTER SLOTS", func(t *testing.T) {
		a := newFakeNode(t)
		a.script(func(args []string) resp.Value {
			switch {
			case len(args) > 1 && strings.EqualFold(args[1], "SHARDS"):
				return resp.ErrorReply("ERR unknown subcommand 'SHARDS'")
			case len(args) > 1 && strings.EqualFold(args[1], "SLOTS"):
				return resp.Array(resp.Array(resp.Int(0), resp.Int(16383),
					resp.Array(resp.BulkString("127.0.0.1"), resp.Int(0), resp.BulkString(strings.Repeat("a", 40)))))
			}
			return resp.BulkString("from the seed")
		})
		c, _, _ := newFakeCluster(t, 1, a.addr)
		v, err := do(t, c, "GET", "foo")
		var ce *redisx.ConnError
		if !errors.As(err, &ce) || ce.Addr != "127.0.0.1:0" {
			t.Fatalf("GET foo = %s, %v; want a dial error for 127.0.0.1:0", v.Str, err)
		}
	})
}
