package redisx_test

import (
	"context"
	"fmt"
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

// The tests in this file run the cluster client against real clusters
// configured as the Redis documentation allows people to run them.

func clusterCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustDo(t *testing.T, ctx context.Context, c *redisx.ClusterClient, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(ctx, redisx.Args(args...))
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return v
}

// TestClusterUnknownEndpoint: with cluster-preferred-endpoint-type
// unknown-endpoint the nodes' endpoints are empty, which means the host
// the client used to reach the cluster, not the IP the nodes announce.
func TestClusterUnknownEndpoint(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0, redistest.WithConfig("cluster-preferred-endpoint-type", "unknown-endpoint"))
	ctx := clusterCtx(t)
	seed := net.JoinHostPort("localhost", strconv.Itoa(cl.Nodes[0].Port))
	log := &eventLog{}
	c := newClusterClient(t, redisx.ClusterOptions{Seeds: []string{seed}, OnEvent: log.add})
	for i := range 20 {
		k := "ep:" + strconv.Itoa(i)
		if v := mustDo(t, ctx, c, "SET", k, "v"); v.Text() != "OK" {
			t.Fatalf("SET %s: %s %q", k, v.Kind, v.Str)
		}
		if v := cl.NodeForKey(t, k).Do(t, "GET", k); v.Text() != "v" {
			t.Fatalf("%s is not on the node serving it", k)
		}
	}
	topo, err := c.Topology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Nodes) != 3 {
		t.Fatalf("topology: %+v", topo.Nodes)
	}
	for _, n := range topo.Nodes {
		host, port, _ := net.SplitHostPort(n.Addr)
		if host != "localhost" {
			t.Errorf("node %s: want the seed's host, localhost", n.Addr)
		}
		// The announced IP is only an alias, never dialed.
		if want := net.JoinHostPort("127.0.0.1", port); len(n.Aliases) != 1 || n.Aliases[0] != want {
			t.Errorf("node %s aliases %v, want [%s]", n.Addr, n.Aliases, want)
		}
	}
	if n := log.count("redirect"); n != 0 {
		t.Errorf("redirects:\n%s", log)
	}
}

// TestClusterACLTopology: an ACL user allowed CLUSTER SLOTS only reads
// the topology with it; a user allowed no CLUSTER subcommand works by
// following redirects, as with redis-cli -c.
func TestClusterACLTopology(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0,
		redistest.WithUser("slotsonly", "pw1", "~*", "&*", "+@all", "-cluster", "+cluster|slots"),
		redistest.WithUser("nocluster", "pw2", "~*", "&*", "+@all", "-cluster"))
	ctx := clusterCtx(t)
	keys := []string{"foo", "bar", "acl:1", "acl:2", "acl:3"}
	for _, tc := range []struct {
		user, pass string
		wantLines  []string // prefixes, in order, of the first command's events
		redirects  bool
	}{
		{"slotsonly", "pw1", []string{"topology read from " + cl.Nodes[0].Addr() + " (CLUSTER SLOTS): 3 primaries, 0 replicas, all 16384 slots covered"}, false},
		{"nocluster", "pw2", []string{"no cluster topology: " + cl.Nodes[0].Addr() + " (CLUSTER SLOTS: NOPERM"}, true},
	} {
		t.Run(tc.user, func(t *testing.T) {
			log := &eventLog{}
			node := cl.Nodes[0].Options()
			node.User, node.Password = tc.user, tc.pass
			c := newClusterClient(t, redisx.ClusterOptions{Seeds: []string{cl.Nodes[0].Addr()}, Node: node, OnEvent: log.add})
			for _, k := range keys {
				if v := mustDo(t, ctx, c, "SET", k, tc.user); v.Text() != "OK" {
					t.Fatalf("SET %s: %s %q\n%s", k, v.Kind, v.Str, log)
				}
				owner := cl.NodeForKey(t, k)
				if v := owner.Do(t, "GET", k); v.Text() != tc.user {
					t.Errorf("%s on %s: %q", k, owner.Addr(), v.Str)
				}
				if c.LastAddr() != owner.Addr() {
					t.Errorf("SET %s answered by %s, want %s", k, c.LastAddr(), owner.Addr())
				}
			}
			lines := strings.Split(log.String(), "\n")
			for i, w := range tc.wantLines {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Fatalf("events:\n%s\nwant line %d to start %q", log, i+1, w)
				}
			}
			if got := log.count("redirect MOVED") > 0; got != tc.redirects {
				t.Errorf("redirects %v, want %v:\n%s", got, tc.redirects, log)
			}
		})
	}
}

// TestClusterDemoteEveryName: a node the user named by hostname and the
// topology lists by IP is one node: when it fails, the refresh that
// follows does not try it again under its other name.
func TestClusterDemoteEveryName(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0, redistest.WithConfig("cluster-announce-hostname", "localhost"))
	ctx := clusterCtx(t)
	first := cl.Nodes[0] // serves slots 0-5460
	byName := net.JoinHostPort("localhost", strconv.Itoa(first.Port))
	policy := retry.DefaultPolicy()
	policy.Retries = 2
	var mu sync.Mutex
	var retries []retry.Event
	log := &eventLog{}
	c := newClusterClient(t, redisx.ClusterOptions{
		Seeds:         []string{byName},
		ErrorAttempts: 1,
		Retry:         &retry.Retry{Policy: policy, Clock: retrytest.NewClock()},
		OnRetry: func(e retry.Event) {
			mu.Lock()
			retries = append(retries, e)
			mu.Unlock()
		},
		OnEvent: log.add,
		Clock:   retrytest.NewClock(),
	})
	mustDo(t, ctx, c, "GET", "bar") // slot 5061: first's
	topo, _ := c.Topology(ctx)
	if n := topo.Node(first.Addr()); n == nil || len(n.Aliases) != 1 || n.Aliases[0] != byName {
		t.Fatalf("topology lists %s as %+v, want the alias %s", first.Addr(), n, byName)
	}
	first.Kill()
	if _, err := c.Do(ctx, redisx.Args("GET", "bar")); err == nil {
		t.Fatal("GET bar with its node killed succeeded")
	}
	mu.Lock()
	defer mu.Unlock()
	perNode := map[string]int{}
	for _, e := range retries {
		perNode[e.Node]++
	}
	// Two cluster-level attempts on the dead owner, three events each;
	// none on its other name, which the refresh between them skipped.
	if perNode[first.Addr()] != 6 || perNode[byName] != 0 || len(perNode) != 1 {
		t.Errorf("retry events per node %v, want 6 for %s only\nevents:\n%s", perNode, first.Addr(), log)
	}
	seeds := c.Seeds()
	tail := seeds[len(seeds)-2:]
	if !(tail[0] == byName && tail[1] == first.Addr()) {
		t.Errorf("seeds %v: want both names of the failed node last", seeds)
	}
	if want := "topology refreshed from " + cl.Nodes[1].Addr(); log.count(want) != 1 {
		t.Errorf("events:\n%s\nwant %q", log, want)
	}
}

// TestClusterReadFromReplicasFallbacks: reads leave a replica for its
// primary when its link to the primary is down (found before sending),
// when it answers MASTERDOWN or LOADING, or when it refuses the
// credentials; each time a --verbose line says so.
func TestClusterReadFromReplicasFallbacks(t *testing.T) {
	cl := redistest.StartCluster(t, 1, 1, redistest.WithUser("app", "pw", "~*", "&*", "+@all"))
	primary, replica := cl.Nodes[0], cl.Nodes[1]
	ctx := clusterCtx(t)
	const key = "foo"
	slot := redisx.HashSlot([]byte(key))
	primary.Do(t, "SET", key, "v")
	primary.Do(t, "WAIT", "1", "5000")

	newReader := func(t *testing.T) (*redisx.ClusterClient, *eventLog) {
		log := &eventLog{}
		node := primary.Options()
		node.User, node.Password = "app", "pw"
		c := newClusterClient(t, redisx.ClusterOptions{Seeds: []string{primary.Addr()}, Node: node, ReadFromReplicas: true, OnEvent: log.add})
		return c, log
	}
	waitLink := func(t *testing.T, status string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(replica.Do(t, "INFO", "replication").Text(), "master_link_status:"+status) {
			if time.Now().After(deadline) {
				t.Fatalf("replica link not %s", status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	breakLink := func(t *testing.T) {
		t.Helper()
		// The primary has no password: a replica that sends one cannot
		// sync again.
		replica.Do(t, "CONFIG", "SET", "masterauth", "wrong")
		replica.Do(t, "CLIENT", "KILL", "TYPE", "master")
		waitLink(t, "down")
		t.Cleanup(func() {
			replica.Do(t, "CONFIG", "SET", "masterauth", "")
			waitLink(t, "up")
		})
	}
	wantLine := func(t *testing.T, log *eventLog, why string) {
		t.Helper()
		want := fmt.Sprintf("replica %s cannot serve reads (%s", replica.Addr(), why)
		suffix := fmt.Sprintf("): reading slot %d from primary %s", slot, primary.Addr())
		lines := strings.Split(log.String(), "\n")
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, want) && strings.HasSuffix(l, suffix) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("events:\n%s\nwant one line %q...%q", log, want, suffix)
		}
	}
	get := func(t *testing.T, c *redisx.ClusterClient, from string) {
		t.Helper()
		if v := mustDo(t, ctx, c, "GET", key); v.Text() != "v" {
			t.Fatalf("GET %s: %s %q", key, v.Kind, v.Str)
		}
		if c.LastAddr() != from {
			t.Errorf("GET answered by %s, want %s", c.LastAddr(), from)
		}
	}

	t.Run("healthy", func(t *testing.T) {
		c, log := newReader(t)
		get(t, c, replica.Addr())
		if log.count("replica") != 0 {
			t.Errorf("events:\n%s", log)
		}
	})
	t.Run("link down", func(t *testing.T) {
		breakLink(t)
		c, log := newReader(t)
		get(t, c, primary.Addr())
		get(t, c, primary.Addr())
		wantLine(t, log, "master_link_status:down")
	})
	t.Run("link down, pipelined", func(t *testing.T) {
		breakLink(t)
		c, log := newReader(t)
		mustDo(t, ctx, c, "PING")
		cmds := [][][]byte{redisx.Args("GET", key), redisx.Args("GET", key), redisx.Args("GET", key)}
		err := c.Pipeline(ctx, cmds, func(i int, v resp.Value, err error) error {
			if err != nil || v.Text() != "v" {
				t.Errorf("command %d: %v %s %q", i, err, v.Kind, v.Str)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.LastAddr() != primary.Addr() {
			t.Errorf("last answer from %s, want the primary", c.LastAddr())
		}
		wantLine(t, log, "master_link_status:down")
	})
	t.Run("MASTERDOWN", func(t *testing.T) {
		replica.Do(t, "CONFIG", "SET", "replica-serve-stale-data", "no")
		t.Cleanup(func() { replica.Do(t, "CONFIG", "SET", "replica-serve-stale-data", "yes") })
		c, log := newReader(t)
		get(t, c, replica.Addr()) // the link is checked now, and is up
		breakLink(t)
		get(t, c, primary.Addr())
		wantLine(t, log, "MASTERDOWN")
	})
	t.Run("LOADING", func(t *testing.T) {
		// Enough keys, loaded slowly, for the replica to answer LOADING
		// while DEBUG RELOAD runs.
		for i := range 300 {
			primary.Do(t, "SET", "{foo}load:"+strconv.Itoa(i), strings.Repeat("x", 100))
		}
		primary.Do(t, "WAIT", "1", "5000")
		replica.Do(t, "CONFIG", "SET", "key-load-delay", "5000")
		replica.Do(t, "CONFIG", "SET", "loading-process-events-interval-bytes", "1024")
		t.Cleanup(func() { replica.Do(t, "CONFIG", "SET", "key-load-delay", "0") })
		c, log := newReader(t)
		mustDo(t, ctx, c, "PING") // the topology is read before the reload
		reloaded := make(chan error, 1)
		go func() {
			v, err := replica.Call("DEBUG", "RELOAD")
			if err == nil && v.Kind == resp.KindError {
				err = v.Err()
			}
			reloaded <- err
		}()
		deadline := time.Now().Add(30 * time.Second)
		for {
			v, err := replica.Call("INFO", "persistence")
			if err == nil && strings.Contains(v.Text(), "loading:1") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the replica never reported loading:1")
			}
			time.Sleep(5 * time.Millisecond)
		}
		get(t, c, primary.Addr())
		wantLine(t, log, "LOADING")
		replica.Do(t, "CONFIG", "SET", "key-load-delay", "0")
		if err := <-reloaded; err != nil {
			t.Fatalf("DEBUG RELOAD: %v", err)
		}
	})
	t.Run("credentials refused", func(t *testing.T) {
		replica.Do(t, "ACL", "DELUSER", "app")
		t.Cleanup(func() { replica.Do(t, "ACL", "SETUSER", "app", "on", ">pw", "~*", "&*", "+@all") })
		c, log := newReader(t)
		get(t, c, primary.Addr())
		wantLine(t, log, "AUTH failed: WRONGPASS")
	})
}
