package redisx_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Credentials of the sentinel set of TestSentinelReal: the data nodes
// and the sentinels have passwords of their own, and the sentinels have
// an ACL user that may only find the primary and its replicas.
const (
	sentDataPass    = "data-pw"
	sentAdminPass   = "sentinel-pw"
	sentWatcher     = "watcher"
	sentWatcherPass = "watcher-pw"
)

// TestSentinelReal runs the Sentinel client against a real primary, two
// replicas and three sentinels, shared by the subtests. The subtests
// that fail the primary over come last.
func TestSentinelReal(t *testing.T) {
	ss := redistest.StartSentinels(t, redistest.SentinelConfig{
		Password:         sentDataPass,
		SentinelPassword: sentAdminPass,
		SentinelOptions: []redistest.Option{redistest.WithUser(sentWatcher, sentWatcherPass,
			"-@all", "+ping", "+hello", "+auth", "+subscribe", "&*",
			"+sentinel|get-master-addr-by-name", "+sentinel|replicas",
			"+sentinel|master", "+sentinel|sentinels", "+sentinel|ckquorum")},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	first := ss.Primary(t)
	node := redisx.Options{Password: sentDataPass}
	// newClient returns a client that reaches the sentinels as the ACL
	// user, and logs every sentinel and retry event.
	newClient := func(t *testing.T, addrs []string, replicas bool) (*redisx.SentinelClient, *eventLog) {
		t.Helper()
		log := &eventLog{}
		s, err := redisx.NewSentinel(redisx.SentinelOptions{
			MasterName: ss.MasterName,
			Addrs:      addrs,
			Sentinel:   redisx.Options{User: sentWatcher, Password: sentWatcherPass},
			OnEvent:    log.sentinel,
		})
		if err != nil {
			t.Fatal(err)
		}
		c := redisx.NewSentinelClient(s, node, replicas)
		c.Observe = log.retried
		t.Cleanup(func() { c.Close() })
		return c, log
	}
	do := func(t *testing.T, c interface {
		Do(context.Context, [][]byte) (resp.Value, error)
	}, args ...string) resp.Value {
		t.Helper()
		v, err := c.Do(ctx, redisx.Args(args...))
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		return v
	}

	t.Run("Discover", func(t *testing.T) {
		c, log := newClient(t, ss.SentinelAddrs(), false)
		if v := do(t, c, "SET", "discover", "yes"); v.Text() != "OK" {
			t.Fatalf("SET: %s %q", v.Kind, v.Str)
		}
		if got := addrOf(c); got != first.Addr() {
			t.Errorf("connected to %s, want the primary %s", got, first.Addr())
		}
		if v := first.Do(t, "GET", "discover"); v.Text() != "yes" {
			t.Errorf("GET on the primary: %s %q", v.Kind, v.Str)
		}
		want := "primary mymaster is " + first.Addr() + " (from sentinel " + ss.SentinelAddrs()[0] + ")"
		if got := log.String(); got != want {
			t.Errorf("events:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("StaleSentinel", func(t *testing.T) {
		// A sentinel of its own that names a replica as the primary of
		// mymaster: a stale answer, which the client must refuse.
		stale := staleSentinel(t, ss.MasterName)
		addrs := append([]string{stale}, ss.SentinelAddrs()...)
		c, log := newClient(t, addrs, false)
		if v := do(t, c, "INCR", "stale"); v.Kind != resp.KindInt {
			t.Fatalf("INCR: %s %q", v.Kind, v.Str)
		}
		if got := addrOf(c); got != first.Addr() {
			t.Fatalf("connected to %s, want the primary %s\n%s", got, first.Addr(), log)
		}
		if !log.has("sentinel "+stale+" named ", "a stale answer; asking the next sentinel") {
			t.Errorf("no stale answer in the events:\n%s", log)
		}
		// The sentinel that answered moves to the front.
		if got := c.Sentinel().Addrs()[0]; got != ss.SentinelAddrs()[0] {
			t.Errorf("first sentinel now %s, want %s", got, ss.SentinelAddrs()[0])
		}
	})

	t.Run("ACL", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			sentinel redisx.Options
			node     redisx.Options
			want     string
			class    retry.Class
		}{
			{"wrong sentinel password", redisx.Options{User: sentWatcher, Password: "nope"}, node,
				"AUTH failed: WRONGPASS", retry.AuthenticationError},
			{"no sentinel password", redisx.Options{}, node,
				"NOAUTH", retry.AuthenticationError},
			{"wrong data password", redisx.Options{User: sentWatcher, Password: sentWatcherPass}, redisx.Options{Password: "nope"},
				"AUTH failed: WRONGPASS", retry.AuthenticationError},
		} {
			t.Run(tc.name, func(t *testing.T) {
				log := &eventLog{}
				s, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: ss.MasterName, Addrs: ss.SentinelAddrs(), Sentinel: tc.sentinel})
				if err != nil {
					t.Fatal(err)
				}
				c := redisx.NewSentinelClient(s, tc.node, false)
				defer c.Close()
				c.Retry = &retry.Retry{Policy: retry.Policy{Retries: 3, On: retry.DefaultOn()}}
				c.Observe = log.retried
				_, err = c.Do(ctx, redisx.Args("PING"))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one with %q", err, tc.want)
				}
				if got := retry.Classify(err); got != tc.class {
					t.Errorf("class %q, want %q (%v)", got, tc.class, err)
				}
				if log.String() != "" {
					t.Errorf("retried an authentication error:\n%s", log)
				}
			})
		}
		// The ACL user may not run ROLE on the sentinels, nor anything
		// beyond what it was given: the client needs no more.
		v, err := ss.Sentinels[0].Call("SENTINEL", "MASTERS")
		if err != nil || v.Kind == resp.KindError {
			t.Fatalf("SENTINEL MASTERS as the admin: %v %v", v, err)
		}
	})

	t.Run("ReplicaReads", func(t *testing.T) {
		c, log := newClient(t, ss.SentinelAddrs(), true)
		do(t, c, "SET", "rr", "v")
		if v := do(t, c, "WAIT", "2", "5000"); v.Int != 2 {
			t.Fatalf("WAIT 2: %v", v)
		}
		seen := map[string]bool{}
		for range 4 {
			if v := do(t, c, "GET", "rr"); v.Text() != "v" {
				t.Fatalf("GET from a replica: %s %q", v.Kind, v.Str)
			}
			// Round robin goes by connection: the next one picks the
			// next replica.
			c.Close()
		}
		for _, l := range strings.Split(log.String(), "\n") {
			if a, ok := strings.CutPrefix(l, "reading from replica "); ok {
				seen[strings.Fields(a)[0]] = true
			}
		}
		if len(seen) != 2 || seen[first.Addr()] {
			t.Fatalf("replicas read from: %v\n%s", seen, log)
		}
		// Writes and keyless commands go to the primary.
		if v := do(t, c, "INCR", "rr:n"); v.Int != 1 {
			t.Fatalf("INCR: %v", v)
		}
		if got := addrOf(c); got != first.Addr() {
			t.Fatalf("INCR went to %s", got)
		}

		t.Run("skips a replica that is down", func(t *testing.T) {
			down := ss.Nodes[1]
			if err := down.Pause(); err != nil {
				t.Skip(err)
			}
			defer down.Resume()
			awaitFlag(t, ss, down.Addr(), "s_down")
			log.reset()
			for range 3 {
				if v := do(t, c, "GET", "rr"); v.Text() != "v" {
					t.Fatalf("GET: %s %q", v.Kind, v.Str)
				}
				c.Close()
			}
			want := "reading from replica " + ss.Nodes[2].Addr() + " of mymaster (1 of 1, "
			if n := log.count(want); n != 3 {
				t.Fatalf("%d reads from %s, want 3:\n%s", n, ss.Nodes[2].Addr(), log)
			}
		})
		if _, err := ss.AwaitSettled(""); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Topology", func(t *testing.T) {
		s, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: ss.MasterName, Addrs: ss.SentinelAddrs()[:2],
			Sentinel: redisx.Options{User: sentWatcher, Password: sentWatcherPass}})
		if err != nil {
			t.Fatal(err)
		}
		topo, err := s.Topology(ctx, node)
		if err != nil {
			t.Fatal(err)
		}
		if topo.Primary.Addr != first.Addr() || topo.Primary.Role != "master" || topo.Primary.Quorum != 2 || topo.Primary.Offset <= 0 {
			t.Errorf("primary: %+v", topo.Primary)
		}
		if topo.Source != ss.SentinelAddrs()[0] || topo.LastFailover.Epoch != 0 || topo.LastFailover.InProgress {
			t.Errorf("source %s, last failover %+v", topo.Source, topo.LastFailover)
		}
		if len(topo.Replicas) != 2 {
			t.Fatalf("%d replicas: %+v", len(topo.Replicas), topo.Replicas)
		}
		for _, r := range topo.Replicas {
			if ss.Node(r.Addr) == nil || !r.Usable || r.Offset < 0 || r.LagBytes < 0 || r.LagSeconds < 0 {
				t.Errorf("replica: %+v", r)
			}
		}
		// Two sentinels given, the third found in the source's list.
		if len(topo.Sentinels) != 3 {
			t.Fatalf("%d sentinels: %+v", len(topo.Sentinels), topo.Sentinels)
		}
		for i, sv := range topo.Sentinels {
			if sv.Err != nil || !sv.Agrees || sv.Quorum != 2 || !strings.HasPrefix(sv.CkQuorum, "OK 3 usable") || sv.Given != (i < 2) {
				t.Errorf("sentinel %d: %+v", i, sv)
			}
		}
		if f := topo.Sentinels[0].Flags; len(f) != 1 || f[0] != "self" {
			t.Errorf("flags of the source: %v", f)
		}
		if f := topo.Sentinels[2].Flags; len(f) != 1 || f[0] != "sentinel" || topo.Sentinels[2].ID == "" {
			t.Errorf("flags of the third: %+v", topo.Sentinels[2])
		}
	})

	// From here on the primary moves.

	t.Run("ForcedFailover", func(t *testing.T) {
		// Three clients on the old primary: one that retries, one that
		// does not, and one that follows +switch-master.
		retrying, rlog := newClient(t, ss.SentinelAddrs(), false)
		retrying.Retry = &retry.Retry{Policy: retry.Policy{Retries: 3, On: retry.DefaultOn()}}
		once, _ := newClient(t, ss.SentinelAddrs(), false)
		watching, _ := newClient(t, ss.SentinelAddrs(), false)
		for _, c := range []*redisx.SentinelClient{retrying, once, watching} {
			do(t, c, "SET", "forced", "0")
			if got := addrOf(c); got != first.Addr() {
				t.Fatalf("on %s, want %s", got, first.Addr())
			}
		}
		// Two transactions open on the old primary through the watching
		// Sentinel: one is to run EXEC after the switch, the other to
		// queue a command.
		txExec := redisx.NewSentinelClient(watching.Sentinel(), node, false)
		txQueue := redisx.NewSentinelClient(watching.Sentinel(), node, false)
		for _, c := range []*redisx.SentinelClient{txExec, txQueue} {
			t.Cleanup(func() { c.Close() })
			do(t, c, "MULTI")
		}
		do(t, txExec, "SET", "forced-tx", "exec")
		switches := make(chan redisx.SentinelEvent, 4)
		stop := watching.Sentinel().Watch(ctx, func(ev redisx.SentinelEvent) {
			if ev.Kind == redisx.SentinelSwitch {
				switches <- ev
			}
		})
		defer stop()
		// A switch before the subscription would be missed.
		awaitSubscribers(t, ss, 1)

		second, err := ss.Failover()
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-switches:
			if ev.From != first.Addr() || ev.Addr != second {
				t.Fatalf("switch %s", ev)
			}
		case <-ctx.Done():
			t.Fatal("no +switch-master")
		}
		// The watching client leaves the old primary before its next
		// command, though that still accepts writes.
		if v := do(t, watching, "INCR", "forced"); v.Kind != resp.KindInt {
			t.Fatalf("INCR: %v", v)
		}
		if got := addrOf(watching); got != second {
			t.Fatalf("watching client on %s, want the new primary %s", got, second)
		}
		// The transactions are lost with their connections: nothing
		// more is written on the old primary.
		var lost *redisx.TxLostError
		if _, err := txQueue.Do(ctx, redisx.Args("SET", "forced-tx", "queued")); !errors.As(err, &lost) {
			t.Errorf("a command queued after the switch: %v, want the transaction lost", err)
		}
		if v, err := txExec.Do(ctx, redisx.Args("EXEC")); !errors.As(err, &lost) {
			t.Errorf("EXEC after the switch: %v %v, want the transaction lost", v, err)
		}
		if v := first.Do(t, "EXISTS", "forced-tx"); v.Int != 0 {
			t.Errorf("a transaction ran on the old primary after the switch")
		}

		// The sentinels turn the old primary into a replica within ten
		// seconds; doing it now, as they will, without closing the
		// clients' connections, makes it answer READONLY to writes.
		host, port, _ := net.SplitHostPort(second)
		if v := first.Do(t, "REPLICAOF", host, port); v.Kind != resp.KindStatus {
			t.Fatalf("REPLICAOF: %v", v)
		}
		v := do(t, retrying, "INCR", "forced")
		if v.Kind != resp.KindInt {
			t.Fatalf("INCR with retries: %s %q\n%s", v.Kind, v.Str, rlog)
		}
		if got := addrOf(retrying); got != second {
			t.Fatalf("retrying client on %s, want %s", got, second)
		}
		for _, want := range []string{
			"retry 1/3 in 0s after ConnectionError: " + first.Addr() + " is no longer the primary: READONLY ",
			"primary mymaster moved " + first.Addr() + " -> " + second + " (from sentinel ",
		} {
			if !rlog.has(want, "") {
				t.Errorf("no %q in the events:\n%s", want, rlog)
			}
		}
		// Without retries the READONLY is the reply; the next command
		// finds the new primary.
		if v := do(t, once, "INCR", "forced"); !strings.HasPrefix(v.Text(), "READONLY ") {
			t.Fatalf("INCR without retries: %s %q", v.Kind, v.Str)
		}
		if v := do(t, once, "INCR", "forced"); v.Kind != resp.KindInt {
			t.Fatalf("INCR after the READONLY: %v", v)
		}
		if v := ss.Node(second).Do(t, "GET", "forced"); v.Text() != "3" {
			t.Errorf("forced = %q on the new primary, want 3 (one INCR per client)", v.Str)
		}
		if _, err := ss.AwaitSettled(""); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("KillUnderLoad", func(t *testing.T) {
		testKillUnderLoad(t, ctx, ss, newClient)
	})

	t.Run("TopologyAfterFailovers", func(t *testing.T) {
		s, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: ss.MasterName, Addrs: ss.SentinelAddrs(),
			Sentinel: redisx.Options{User: sentWatcher, Password: sentWatcherPass}})
		if err != nil {
			t.Fatal(err)
		}
		topo, err := s.Topology(ctx, node)
		if err != nil {
			t.Fatal(err)
		}
		primary, _ := ss.PrimaryAddr()
		if topo.Primary.Addr != primary || topo.LastFailover.Epoch < 2 || topo.LastFailover.Since > time.Minute {
			t.Errorf("primary %s, last failover %+v; want %s and epoch 2 or more", topo.Primary.Addr, topo.LastFailover, primary)
		}
		// The killed primary is still listed, as a replica that is down.
		down := 0
		for _, r := range topo.Replicas {
			if !r.Usable {
				down++
			}
		}
		if len(topo.Replicas) != 2 || down != 1 {
			t.Errorf("replicas: %+v", topo.Replicas)
		}
	})
}

// testKillUnderLoad sends a bounded stream of INCRs in pipelined windows
// while the primary is SIGKILLed: the stream completes on the new
// primary, every INCR reported done is in the final counter, and the
// counter exceeds that count by at most the INCRs reported as "may have
// run".
func testKillUnderLoad(t *testing.T, ctx context.Context, ss *redistest.SentinelSet,
	newClient func(*testing.T, []string, bool) (*redisx.SentinelClient, *eventLog)) {
	const (
		total  = 4000
		window = 20
		killAt = 500
	)
	old := ss.Primary(t)
	c, log := newClient(t, ss.SentinelAddrs(), false)
	p := retry.DefaultPolicy()
	p.Retries, p.Deadline, p.Backoff, p.Base = retry.Forever, 30*time.Second, "constant", 50*time.Millisecond
	c.Retry = &retry.Retry{Policy: p}
	cmds := make([][][]byte, window)
	for i := range cmds {
		cmds[i] = redisx.Args("INCR", "load")
	}
	done, mayHaveRun := 0, 0
	// The kill comes from another goroutine, while a window is in
	// flight.
	kill := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		<-kill
		old.Kill()
	}()
	for sent := 0; sent < total; sent += window {
		err := c.Pipeline(ctx, cmds, func(i int, v resp.Value, err error) error {
			var mr *redisx.MayHaveRunError
			switch {
			case err == nil && v.Kind == resp.KindInt:
				done++
				if done == killAt {
					close(kill)
				}
			case errors.As(err, &mr):
				mayHaveRun++
			default:
				t.Fatalf("INCR %d: %v %v\n%s", sent+i, v, err, log)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("pipeline: %v\n%s", err, log)
		}
	}
	<-killed
	second, err := ss.AwaitSettled(old.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := addrOf(c); got != second {
		t.Fatalf("the stream ended on %s, want the new primary %s", got, second)
	}
	v := ss.Node(second).Do(t, "GET", "load")
	final, _ := strconv.Atoi(v.Text())
	t.Logf("%d INCRs done, %d may have run, counter %d", done, mayHaveRun, final)
	if done+mayHaveRun != total {
		t.Errorf("%d outcomes, want %d", done+mayHaveRun, total)
	}
	if final < done || final > done+mayHaveRun {
		t.Errorf("counter %d, want from %d (done) to %d (done + may have run)\n%s", final, done, done+mayHaveRun, log)
	}
	if !log.has("primary mymaster moved "+old.Addr()+" -> "+second, "") {
		t.Errorf("no move in the events:\n%s", log)
	}
}

// staleSentinel starts a sentinel of its own that names, as the primary
// of name, a server that is a replica, and returns its address.
func staleSentinel(t *testing.T, name string) string {
	primary := redistest.Start(t, redistest.WithPassword(sentDataPass))
	replica := redistest.Start(t, redistest.WithPassword(sentDataPass),
		redistest.WithConfig("replicaof", primary.Host, strconv.Itoa(primary.Port)))
	// Quorum 2 for a sentinel alone: it never starts a failover.
	s := redistest.Start(t, redistest.WithSentinelMode(), redistest.WithUser(sentWatcher, sentWatcherPass),
		redistest.WithConfig("sentinel", "monitor", name, replica.Host, strconv.Itoa(replica.Port), "2"))
	return s.Addr()
}

// awaitFlag waits until every sentinel flags the replica at addr with
// flag.
func awaitFlag(t *testing.T, ss *redistest.SentinelSet, addr, flag string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := 0
		for _, s := range ss.Sentinels {
			v := s.Do(t, "SENTINEL", "REPLICAS", ss.MasterName)
			for _, r := range v.Elems {
				f := map[string]string{}
				for i := 0; i+1 < len(r.Elems); i += 2 {
					f[r.Elems[i].Text()] = r.Elems[i+1].Text()
				}
				if net.JoinHostPort(f["ip"], f["port"]) == addr && strings.Contains(f["flags"], flag) {
					n++
				}
			}
		}
		if n == len(ss.Sentinels) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sentinels do not flag %s %s", addr, flag)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// awaitSubscribers waits until some sentinel has n subscribed clients
// (Sentinel has no PUBSUB command: CLIENT LIST tells).
func awaitSubscribers(t *testing.T, ss *redistest.SentinelSet, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, s := range ss.Sentinels {
			v := s.Do(t, "CLIENT", "LIST")
			if strings.Count(v.Text(), " sub=1 ") >= n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %d subscribed clients on the sentinels", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSentinelAllDown: no sentinel answers. The error says what each
// sentinel did, is a ConnectionError, and comes after the policy's
// attempts.
func TestSentinelAllDown(t *testing.T) {
	var addrs []string
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, l.Addr().String())
		l.Close()
	}
	log := &eventLog{}
	s, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: "mymaster", Addrs: addrs, OnEvent: log.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	c := redisx.NewSentinelClient(s, redisx.Options{}, false)
	defer c.Close()
	p := retry.DefaultPolicy()
	p.Retries, p.Backoff, p.Base = 2, "constant", 10*time.Millisecond
	c.Retry = &retry.Retry{Policy: p}
	c.Observe = log.retried
	_, err = c.Do(context.Background(), redisx.Args("INCR", "n"))
	var se *redisx.SentinelError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *SentinelError", err, err)
	}
	if got := retry.Classify(err); got != retry.ConnectionError {
		t.Errorf("class %q", got)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "no primary for mymaster from 3 sentinels: "+addrs[0]+": dial tcp "+addrs[0]+": connect: connection refused; ") {
		t.Errorf("message: %s", msg)
	}
	var re *retry.Error
	if !errors.As(err, &re) || re.Attempts != 3 || re.Reason != retry.ActionGiveUp {
		t.Errorf("retry error %+v, want 3 attempts and give up", re)
	}
	// A search that finds nothing is told once, by the retry line.
	if n := log.count("sentinel "); n != 0 {
		t.Errorf("%d sentinel events, want none:\n%s", n, log)
	}
	if n := log.count("retry "); n != 2 {
		t.Errorf("%d retries, want 2:\n%s", n, log)
	}
	if !log.has("giving up after 3 attempts: ConnectionError: no primary for mymaster from 3 sentinels: ", addrs[2]) {
		t.Errorf("no give-up line:\n%s", log)
	}

	t.Run("Unknown name", func(t *testing.T) {
		// A real sentinel that watches another name: a mistake to fix,
		// not retried.
		other := redistest.Start(t)
		sen := redistest.Start(t, redistest.WithSentinelMode(),
			redistest.WithConfig("sentinel", "monitor", "other", other.Host, strconv.Itoa(other.Port), "1"))
		s, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: "mymaster", Addrs: []string{sen.Addr()}})
		if err != nil {
			t.Fatal(err)
		}
		c := redisx.NewSentinelClient(s, redisx.Options{}, false)
		defer c.Close()
		c.Retry = &retry.Retry{Policy: retry.Policy{Retries: 5, On: retry.DefaultOn()}}
		_, err = c.Do(context.Background(), redisx.Args("PING"))
		if err == nil || err.Error() != "no primary for mymaster from 1 sentinel: no sentinel knows a primary named mymaster ("+sen.Addr()+")" {
			t.Fatalf("error %v", err)
		}
		if got := retry.Classify(err); got != "" {
			t.Errorf("class %q, want none", got)
		}
	})
}

func TestParseSentinelAddrs(t *testing.T) {
	got, err := redisx.ParseSentinelAddrs([]string{"10.0.0.1:26380, 10.0.0.2", "[::1]:5000,[::1]", "10.0.0.1:26380"})
	want := []string{"10.0.0.1:26380", "10.0.0.2:26379", "[::1]:5000", "[::1]:26379"}
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	for in, msg := range map[string]string{
		"":            `sentinel address "": empty address`,
		"a,,b":        `sentinel address "a,,b": empty address`,
		":26379":      `sentinel address ":26379": no host`,
		"h:0":         `sentinel address "h:0": port must be a number from 1 to 65535`,
		"h:x":         `sentinel address "h:x": port must be a number from 1 to 65535`,
		"::1":         `sentinel address "::1": an IPv6 address must be written in brackets, as in [::1]:26379`,
		"[::1":        `sentinel address "[::1": missing ']' after an IPv6 address`,
		"[::1]x":      `sentinel address "[::1]x": expected ':port' after ']'`,
		"h:65536":     `sentinel address "h:65536": port must be a number from 1 to 65535`,
		"h:+1":        `sentinel address "h:+1": port must be a number from 1 to 65535`,
		"host:1:2:3:": `sentinel address "host:1:2:3:": an IPv6 address must be written in brackets, as in [::1]:26379`,
	} {
		if _, err := redisx.ParseSentinelAddrs([]string{in}); err == nil || err.Error() != msg {
			t.Errorf("%q: %v, want %s", in, err, msg)
		}
	}
}

func TestSentinelReplicaUsable(t *testing.T) {
	for flags, want := range map[string]bool{
		"slave":                     true,
		"slave,s_down":              false,
		"slave,o_down":              false,
		"slave,disconnected":        false,
		"slave,s_down,disconnected": false,
		"slave,promoted":            true,
	} {
		r := redisx.SentinelReplica{Flags: strings.Split(flags, ",")}
		if got := r.Usable(); got != want {
			t.Errorf("%s: usable %v, want %v", flags, got, want)
		}
	}
}

// sentinel and retried add events to the log as their --verbose lines.
func (l *eventLog) sentinel(e redisx.SentinelEvent) {
	l.mu.Lock()
	l.lines = append(l.lines, e.String())
	l.mu.Unlock()
}

func (l *eventLog) retried(e retry.Event) {
	l.mu.Lock()
	l.lines = append(l.lines, retry.FormatEvent(e))
	l.mu.Unlock()
}

// has reports whether a line starts with prefix and contains rest.
func (l *eventLog) has(prefix, rest string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.HasPrefix(s, prefix) && strings.Contains(s, rest) {
			return true
		}
	}
	return false
}

func (l *eventLog) reset() {
	l.mu.Lock()
	l.lines = nil
	l.mu.Unlock()
}

// addrOf returns the server the client's next dial would reach, the one
// it is connected to.
func addrOf(c *redisx.SentinelClient) string {
	o := c.Options()
	return o.Addr()
}

// TestSentinelTLS: sentinels and data nodes that speak only TLS, reached
// with one client configuration.
func TestSentinelTLS(t *testing.T) {
	ss := redistest.StartSentinels(t, redistest.SentinelConfig{Replicas: 1, Sentinels: 2, TLS: true})
	cfg := ss.Sentinels[0].TLSConfig()
	if cfg == nil {
		t.Fatal("no TLS configuration")
	}
	s, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: ss.MasterName, Addrs: ss.SentinelAddrs(),
		Sentinel: redisx.Options{TLS: cfg}})
	if err != nil {
		t.Fatal(err)
	}
	c := redisx.NewSentinelClient(s, redisx.Options{TLS: cfg}, true)
	defer c.Close()
	ctx := context.Background()
	if v, err := c.Do(ctx, redisx.Args("SET", "tls", "yes")); err != nil || v.Text() != "OK" {
		t.Fatalf("SET: %v %v", v, err)
	}
	if got := addrOf(c); got != ss.Nodes[0].Addr() {
		t.Errorf("on %s, want the primary %s", got, ss.Nodes[0].Addr())
	}
	if v, err := c.Do(ctx, redisx.Args("WAIT", "1", "5000")); err != nil || v.Int != 1 {
		t.Fatalf("WAIT: %v %v", v, err)
	}
	if v, err := c.Do(ctx, redisx.Args("GET", "tls")); err != nil || v.Text() != "yes" {
		t.Fatalf("GET from the replica: %v %v", v, err)
	}
	// Plain TCP to a TLS sentinel fails, and says so.
	plain, err := redisx.NewSentinel(redisx.SentinelOptions{MasterName: ss.MasterName, Addrs: ss.SentinelAddrs()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	pc := redisx.NewSentinelClient(plain, redisx.Options{TLS: cfg}, false)
	defer pc.Close()
	if _, err := pc.Do(ctx, redisx.Args("PING")); err == nil || !strings.HasPrefix(err.Error(), "no primary for mymaster from 1 sentinel: "+ss.SentinelAddrs()[0]+": ") {
		t.Fatalf("PING over plain TCP to a TLS sentinel: %v", err)
	}
}
