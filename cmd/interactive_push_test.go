package cmd

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

// TestInteractivePushes: in the shell with -3 an invalidation prints as
// redis-cli prints it, before the reply it arrived ahead of, and never as
// a reply; --show-pushes no hides it.
func TestInteractivePushes(t *testing.T) {
	srv := redistest.Start(t)
	p := prompt(srv)
	for _, show := range []bool{true, false} {
		srv.Do(t, "DEL", "k")
		args := []string{"-3", "-p", strconv.Itoa(srv.Port)}
		if !show {
			args = append(args, "--show-pushes", "no")
		}
		tm := startTerm(t, nil, args...)
		tm.wait(p)
		tm.run("CLIENT TRACKING on", "OK")
		tm.run("GET k", "(nil)")
		tm.run("SET k 2", "OK")
		tm.wait(p)
		if show {
			tm.run("GET k", "-> invalidate: 'k'\r\n\"2\"\r\n")
		} else {
			tm.run("GET k", "\"2\"\r\n")
		}
		tm.run("PING", "PONG")
		tm.wait(p)
		if got := strings.Contains(tm.screen(), "invalidate"); got != show {
			t.Errorf("--show-pushes %v: an invalidation printed: %v", show, got)
		}
		tm.typeText("\x04")
		if code := tm.exit(); code != 0 {
			t.Errorf("exit code %d", code)
		}
	}
}

// TestInteractiveClusterVerbose: in a cluster shell, :verbose on prints
// the lines --verbose prints (redirects, cluster attempts, topology
// reads), and :retry sets the cluster-level attempts.
func TestInteractiveClusterVerbose(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0, redistest.WithNodeTimeout(60*time.Second))
	seed := cl.Nodes[0]
	var keys []string // on other nodes than the seed
	for i := 0; len(keys) < 3 && i < 1000; i++ {
		k := "key" + strconv.Itoa(i)
		if cl.NodeForKey(t, k) != seed {
			keys = append(keys, k)
		}
	}
	// moveToSeed gives the (empty) slot of key to the seed behind the
	// shells' backs: the next command on it is redirected.
	seedID := seed.Do(t, "CLUSTER", "MYID").Text()
	moveToSeed := func(key string) int {
		slot := redisx.HashSlot([]byte(key))
		for _, n := range cl.Nodes {
			if v := n.Do(t, "CLUSTER", "SETSLOT", strconv.Itoa(slot), "NODE", seedID); v.IsError() {
				t.Fatalf("CLUSTER SETSLOT on %s: %s", n.Addr(), v.Text())
			}
		}
		return slot
	}
	port := strconv.Itoa(seed.Port)

	// Started with --verbose.
	tm := startTerm(t, nil, "-c", "-p", port, "--verbose")
	tm.wait("topology read from " + seed.Addr() + " (CLUSTER SHARDS): 3 primaries, 0 replicas, all 16384 slots covered")
	tm.wait("cluster " + seed.Addr() + "> ")
	tm.run("GET "+keys[0], "(nil)")
	slot := moveToSeed(keys[0])
	tm.run("GET "+keys[0], "redirect MOVED slot "+strconv.Itoa(slot)+" -> "+seed.Addr())
	// Keys are typed only at a prompt: the line editor reads them.
	ready := func() {
		tm.wait("\r\n")
		tm.wait("> ")
	}
	tm.wait("(nil)")
	ready()
	tm.typeText("\x04")
	tm.exit()

	// Started without, then :verbose on: the same line.
	tm = startTerm(t, nil, "-c", "-p", port)
	tm.wait("cluster " + seed.Addr() + "> ")
	tm.run("GET "+keys[1], "(nil)")
	slot = moveToSeed(keys[1])
	tm.run(":verbose on", "cluster ")
	tm.run("GET "+keys[1], "redirect MOVED slot "+strconv.Itoa(slot)+" -> "+seed.Addr())
	tm.wait("(nil)")
	ready()

	// :retry sets the cluster attempts, which the next failure uses.
	tm.run(":retry cluster-error-attempts=1", "cluster ")
	tm.run(":retry", "retry retries=0 backoff=none on=ConnectionError,TimeoutError cluster-error-attempts=1")
	ready()
	dead := cl.NodeForKey(t, keys[2])
	dead.Kill()
	tm.run("GET "+keys[2], "cluster attempt 2/2 after ConnectionError")
	tm.wait("topology refreshed from ")
	tm.wait("slots served by reachable nodes (unreachable: " + dead.Addr() + ")")
	tm.wait("cluster attempt 2/2 failed, giving up")
	tm.wait("Could not connect")
	ready()
	tm.run(":verbose off", "> ")
	from := len(tm.screen())
	tm.run("GET "+keys[2], "Could not connect to Redis at "+dead.Addr())
	ready()
	if out := tm.screen()[from:]; strings.Contains(out, "cluster attempt") {
		t.Errorf("cluster lines after :verbose off: %q", out)
	}
	tm.typeText("\x04")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
