package cmd

import (
	"strconv"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

func TestInteractiveCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	seed := cl.Nodes[0]
	// Two keys served by another node than the seed.
	var keys []string
	for i := 0; len(keys) < 2 && i < 1000; i++ {
		k := "key" + strconv.Itoa(i)
		if cl.NodeForKey(t, k) != seed {
			keys = append(keys, k)
		}
	}
	owner := cl.NodeForKey(t, keys[0])

	tm := startTerm(t, nil, "-c", "-p", strconv.Itoa(seed.Port))
	tm.wait("cluster " + seed.Addr() + "> ")
	// The prompt names the node the last command went to.
	tm.run("SET "+keys[0]+" v", "OK")
	tm.wait("cluster " + owner.Addr() + "> ")

	// Move the (empty) slot of the second key to the seed behind the
	// shell's back: the next command on it is redirected.
	slot := redisx.HashSlot([]byte(keys[1]))
	seedID := seed.Do(t, "CLUSTER", "MYID").Text()
	for _, n := range cl.Nodes {
		if v := n.Do(t, "CLUSTER", "SETSLOT", strconv.Itoa(slot), "NODE", seedID); v.IsError() {
			t.Fatalf("CLUSTER SETSLOT on %s: %s", n.Addr(), v.Text())
		}
	}
	tm.run("SET "+keys[1]+" w", "-> Redirected to slot ["+strconv.Itoa(slot)+"] located at "+seed.Addr())
	tm.wait("OK")
	tm.wait("cluster " + seed.Addr() + "> ")

	tm.run("connect 127.0.0.1 1", "connect is not available in cluster mode")
	// Key completion scans every primary.
	tm.run("SET completion:unique x", "OK")
	tm.typeText("GET completion:u\t")
	tm.wait("completion:unique")
	tm.typeText("\x15\x04")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
