package clustermgr

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/retry"
)

// proxiedCluster starts a cluster of three primaries whose nodes are
// known only through a fault proxy each: the manager, and MIGRATE
// between nodes, go through the proxies.
func proxiedCluster(t *testing.T) (*redistest.Cluster, map[int]*faultproxy.Proxy) {
	t.Helper()
	var mu sync.Mutex
	proxies := map[int]*faultproxy.Proxy{}
	c := redistest.StartCluster(t, 3, 0, redisproc.WithAnnounce(func(s *redisproc.Server) (string, error) {
		p := faultproxy.New(t, s.Addr())
		mu.Lock()
		proxies[s.Port] = p
		mu.Unlock()
		return p.Addr(), nil
	}))
	return c, proxies
}

// TestFlakyReshard moves slots with keys while the source's link fails
// MIGRATE: TRYAGAIN replies, then connections reset after MIGRATE ran.
// Under a retry policy every key arrives and the retries show under
// --verbose; with redis-cli's "no retries" the first fault stops the
// reshard, leaving a slot open that check reports and fix closes.
func TestFlakyReshard(t *testing.T) {
	t.Parallel()
	c, proxies := proxiedCluster(t)
	a, b := c.Nodes[0], c.Nodes[1]
	pa := proxies[a.Port]
	addr := pa.Addr()
	// 20 keys in each of the first 30 slots of a, which the reshards
	// move (2 MIGRATE each).
	keys := keysIn(seq(0, 30), 20)
	fillKeys(t, addr, keys)
	reshard := func(slots int) Options {
		o := opts("reshard", addr)
		o.From, o.FromSet = myID(t, a), true
		o.To, o.ToSet = myID(t, b), true
		o.Slots, o.Yes, o.Pipeline, o.Verbose = slots, true, 2, true
		return o
	}
	policy := &retry.Policy{Retries: 5, On: []retry.Class{retry.ConnectionError, retry.TryAgainError}}

	for _, tc := range []struct {
		name  string
		fault faultproxy.Fault
		event string
	}{
		{"TRYAGAIN", faultproxy.ErrorReply("TRYAGAIN Multiple keys request during rehashing of slot").On("MIGRATE").Every(3), "after TryAgainError"},
		{"reset after MIGRATE ran", faultproxy.ResetAfterSend().On("MIGRATE").Every(3), "after ConnectionError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := pa.Resets()
			pa.Set(tc.fault)
			r := run(t, reshard(10), "", policy)
			pa.Set(faultproxy.Pass())
			mustOK(t, "reshard", r)
			t.Logf("%s", r.err)
			if n := strings.Count(r.err, "retry "); n == 0 || !strings.Contains(r.err, tc.event) {
				t.Errorf("no retry shown under --verbose:\n%s", r.err)
			}
			if strings.Contains(tc.name, "reset") && pa.Resets() == before {
				t.Errorf("the proxy reset no connection")
			}
			waitCheck(t, addr)
			if good := verifyKeys(t, addr, keys); good != len(keys) {
				t.Errorf("%d of %d keys after the reshard", good, len(keys))
			}
		})
	}

	t.Run("default policy", func(t *testing.T) {
		// The next two connections to a are reset once their first
		// command (INFO) is sent: a reset at connect time could be met
		// during the dial, at the first command, or not at all (a
		// connection found dead before use is replaced unseen).
		pa.SetFor(2, faultproxy.ResetAfterSend().On("INFO"))
		o := opts("check", addr)
		o.Verbose = true
		p := DefaultPolicy()
		r := run(t, o, "", &p)
		mustOK(t, "check", r)
		if !strings.Contains(r.err, "INFO: retry 1/3 in 200ms after ConnectionError") || !strings.Contains(r.err, "INFO: retry 2/3 in 400ms after ConnectionError") {
			t.Errorf("retries not shown:\n%s", r.err)
		}
	})

	t.Run("no retries", func(t *testing.T) {
		pa.Set(faultproxy.ErrorReply("TRYAGAIN Multiple keys request during rehashing of slot").On("MIGRATE").Every(3))
		r := run(t, reshard(10), "", nil)
		pa.Set(faultproxy.Pass())
		if r.code != 1 || !strings.Contains(r.out, "TRYAGAIN") {
			t.Fatalf("reshard without retries: status %d\n%s\n%s", r.code, r.out, r.err)
		}
		if !strings.Contains(r.err, "is left open: run --cluster fix") {
			t.Errorf("no word of the open slot:\n%s", r.err)
		}
		repair(t, addr, keys)
	})
}

// repair checks that check reports the cluster broken, that fix repairs
// it, and that no key was lost.
func repair(t *testing.T, addr string, keys []string) {
	t.Helper()
	r := run(t, opts("check", addr), "", nil)
	if r.code != 1 || !strings.Contains(r.out, "[WARNING] The following slots are open: ") {
		t.Errorf("check after the stop: status %d\n%s", r.code, r.out)
	}
	mustOK(t, "fix", run(t, opts("fix", addr), "", nil))
	waitCheck(t, addr)
	if good := verifyKeys(t, addr, keys); good != len(keys) {
		t.Errorf("%d of %d keys after the fix", good, len(keys))
	}
}

// TestInterruptedReshard stops a reshard in the middle of a slot, as
// Ctrl-C does (the context ends while MIGRATE runs): the run says which
// slot it left open, check reports it and fix closes it, with every key.
func TestInterruptedReshard(t *testing.T) {
	t.Parallel()
	c, proxies := proxiedCluster(t)
	a, b := c.Nodes[0], c.Nodes[1]
	pa := proxies[a.Port]
	addr := pa.Addr()
	keys := keysIn(seq(0, 10), 20)
	fillKeys(t, addr, keys)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	migrates := 0
	pa.Set(faultproxy.Func(func(r faultproxy.Request) faultproxy.Fault {
		if r.Command == "MIGRATE" {
			mu.Lock()
			migrates++
			if migrates == 5 {
				cancel()
			}
			mu.Unlock()
		}
		return faultproxy.Pass()
	}))
	o := opts("reshard", addr)
	o.From, o.FromSet = myID(t, a), true
	o.To, o.ToSet = myID(t, b), true
	o.Slots, o.Yes, o.Pipeline = 10, true, 2
	r := runCtx(t, ctx, o, "", nil)
	pa.Set(faultproxy.Pass())
	if r.code != 2 || !strings.Contains(r.err, context.Canceled.Error()) {
		t.Fatalf("interrupted reshard: status %d\n%s", r.code, r.err)
	}
	t.Logf("%s", r.err)
	if !strings.Contains(r.err, "is left open: run --cluster fix "+addr+" to close it.") {
		t.Errorf("no word of the open slot:\n%s", r.err)
	}
	repair(t, addr, keys)
}

// TestRunInterrupted checks that Run hands an interruption back as the
// context's error, not ErrFailed, for the caller's exit status.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := redistest.Start(t, redistest.WithCluster())
	e, _, _ := testEnv("", testConn(), nil)
	err := Run(ctx, e, opts("check", s.Addr()))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: %v", err)
	}
}

// seq returns the integers from first to first+n-1.
func seq(first, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = first + i
	}
	return out
}

// TestPasswordCluster runs the manager on nodes that require a password:
// every session authenticates, and MIGRATE passes the password on to the
// target node (AUTH, or AUTH2 with a user).
func TestPasswordCluster(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t, 3, 0, redistest.WithPassword("s3cret"), redistest.WithUser("admin", "adminpw"))
	a, b := c.Nodes[0], c.Nodes[1]
	keys := keysIn(seq(0, 4), 5)
	fillKeys(t, "s3cret@"+a.Addr(), keys)
	for _, user := range []string{"", "admin"} {
		o := opts("reshard", a.Addr())
		o.From, o.FromSet = myID(t, a), true
		o.To, o.ToSet = myID(t, b), true
		o.Slots, o.Yes = 2, true
		conn := testConn()
		conn.Password = "s3cret"
		if user != "" {
			conn.User, conn.Password = user, "adminpw"
		}
		r := runWith(t, t.Context(), conn, o, "", nil)
		mustOK(t, "reshard as "+user, r)
		if got := keysMoved(r.out); got != 10 {
			t.Errorf("reshard as %q moved %d keys, want 10:\n%s", user, got, r.out)
		}
		waitCheckAuth(t, a.Addr(), "s3cret")
	}
	if good := verifyKeys(t, "s3cret@"+a.Addr(), keys); good != len(keys) {
		t.Errorf("%d of %d keys", good, len(keys))
	}
}

// waitCheckAuth is waitCheck on nodes that need a password.
func waitCheckAuth(t *testing.T, addr, password string) {
	t.Helper()
	waitFor(t, "a healthy cluster", func() string {
		conn := testConn()
		conn.Password = password
		if r := runWith(t, t.Context(), conn, opts("check", addr), "", nil); r.code != 0 {
			return r.out + r.err
		}
		return ""
	})
}

// TestAuthRefused: a password the node refuses (a wrong one, or one the
// node does not have) is reported as redis-cli reports it, on stdout
// and naming the node, with its exit status.
func TestAuthRefused(t *testing.T) {
	t.Parallel()
	locked := redistest.Start(t, redistest.WithCluster(), redistest.WithPassword("s3cret"))
	open := redistest.Start(t, redistest.WithCluster())
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"wrong password", []string{"check", locked.Addr()}},
		{"no password configured", []string{"info", open.Addr()}},
		{"existing node refuses", []string{"add-node", locked.Addr(), open.Addr()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := testConn()
			conn.Password, conn.PasswordSet = "wrong", true
			got := runWith(t, t.Context(), conn, opts(tc.args[0], tc.args[1:]...), "", nil)
			want := cli(t, "", append([]string{"-a", "wrong", "--no-auth-warning", "--cluster"}, tc.args...)...)
			sameAsCLI(t, tc.name, got, want)
		})
	}
}

// TestCallMayHaveRun: a command of call whose connection is lost after it
// was sent is not sent again, and the run says it may have run, even
// without --verbose (redis-cli says "Failed!" only).
func TestCallMayHaveRun(t *testing.T) {
	t.Parallel()
	c, proxies := proxiedCluster(t)
	a := c.Nodes[0]
	pa := proxies[a.Port]
	key := keysIn([]int{0}, 1)[0] // slot 0: a's
	if c.NodeForSlot(t, 0) != a {
		t.Fatalf("slot 0 is not on the first node")
	}
	pa.Set(faultproxy.ResetAfterSend().On("INCR"))
	p := DefaultPolicy()
	r := run(t, opts("call", pa.Addr(), "INCR", key), "", &p)
	pa.Set(faultproxy.Pass())
	mustOK(t, "call", r)
	if !strings.Contains(r.out, pa.Addr()+": Failed!\n") {
		t.Errorf("stdout:\n%s", r.out)
	}
	want := pa.Addr() + ": Error: Connection reset by peer; INCR " + key + " may have run: the connection was lost after it was sent\n"
	if r.err != want {
		t.Errorf("stderr %q, want %q", r.err, want)
	}
	// Sent once, not again.
	if v := a.Do(t, "GET", key); v.Text() != "1" {
		t.Errorf("GET %s: %s %q, want 1", key, v.Kind, v.Str)
	}
}

// TestMoveOthersRefuse: a move whose last step fails (a third primary
// refuses to be told the new owner) has closed the slot on both sides:
// it is not reported as left open, and check finds nothing open.
func TestMoveOthersRefuse(t *testing.T) {
	t.Parallel()
	c, proxies := proxiedCluster(t)
	a, b, third := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	addr := proxies[a.Port].Addr()
	fillKeys(t, addr, keysIn([]int{0}, 3))
	m := newManager(&env.Env{Conn: testConn(), Retry: &retry.Retry{}}, opts("reshard", addr))
	defer m.closeAll()
	if ok, err := m.loadFromArgs(t.Context(), []string{addr}); !ok || err != nil {
		t.Fatalf("load: %v %v", ok, err)
	}
	proxies[third.Port].Set(faultproxy.ErrorReply("ERR refused by the test").On("CLUSTER"))
	ok, msg, err := m.moveSlot(t.Context(), m.byName(myID(t, a)), m.byName(myID(t, b)), 0, moveOpts{quiet: true, capture: true})
	proxies[third.Port].Set(faultproxy.Pass())
	if ok || err != nil || msg != "ERR refused by the test" {
		t.Fatalf("move: %v %q %v", ok, msg, err)
	}
	if m.moving != nil {
		t.Errorf("slot %d reported as left open", m.moving.slot)
	}
	for _, n := range []*redistest.Server{a, b} {
		if nodes := n.Do(t, "CLUSTER", "NODES").Text(); strings.Contains(nodes, "[0-") {
			t.Errorf("slot 0 still open on %s:\n%s", n.Addr(), nodes)
		}
	}
	if c.NodeForSlot(t, 0) != b {
		t.Errorf("slot 0 is not b's")
	}
}
