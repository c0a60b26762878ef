package clustermgr

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

// TestLifecycle takes one cluster through the manager's life: created
// from bare nodes, checked against redis-cli, resharded and rebalanced
// with keys in it, grown and shrunk, reconfigured, backed up and filled
// from a standalone server. The steps share the cluster: each one starts
// from the state the previous one left.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	nodes := bareNodes(t, 8)
	spare := nodes[6:]
	nodes = nodes[:6]
	addr := nodes[0].Addr()
	const keys = 500

	if !t.Run("create", func(t *testing.T) {
		o := opts("create", addrs(nodes)...)
		o.Replicas = 1
		r := run(t, o, "yes\n", nil)
		mustOK(t, "create", r)
		for _, want := range []string{
			"Master[0] -> Slots 0 - 5460\nMaster[1] -> Slots 5461 - 10922\nMaster[2] -> Slots 10923 - 16383\n",
			"Can I set the above configuration? (type 'yes' to accept): ",
			">>> Nodes configuration updated\n", "[OK] All 16384 slots covered.\n",
		} {
			if !strings.Contains(r.out, want) {
				t.Errorf("create output lacks %q:\n%s", want, r.out)
			}
		}
		if r.err != "" {
			t.Errorf("stderr: %s", r.err)
		}
		waitFor(t, "agreement on roles", func() string { return rolesSettled(t, nodes) })
		// A node serves its slots once its cluster state is ok, a moment
		// after it knows them all (CLUSTERDOWN until then).
		waitFor(t, "cluster_state:ok on every node", func() string {
			for _, n := range nodes {
				if info := n.Do(t, "CLUSTER", "INFO").Text(); !strings.Contains(info, "cluster_state:ok\r\n") {
					return n.Addr() + " is not ok yet"
				}
			}
			return ""
		})
		if got := len(slotsOf(t, nodes[0])); got != 3 {
			t.Errorf("%d primaries serve slots, want 3", got)
		}
		fill(t, addr, "k", keys)
	}) {
		return
	}

	t.Run("check info call as redis-cli", func(t *testing.T) {
		for _, args := range [][]string{
			{"check", addr},
			{"info", addr},
			{"check", nodes[3].Addr()},
			{"info", "127.0.0.1", itoa(nodes[4].Port)},
			{"call", addr, "DBSIZE"},
			{"call", addr, "CONFIG", "GET", "cluster-node-timeout"},
			{"call", addr, "NOSUCHCOMMAND"},
		} {
			got := run(t, opts(args[0], args[1:]...), "", nil)
			want := cli(t, "", append([]string{"--cluster"}, args...)...)
			sameAsCLI(t, strings.Join(args, " "), got, want)
		}
		o := opts("call", addr, "ROLE")
		o.OnlyMaster = true
		sameAsCLI(t, "call --cluster-only-masters", run(t, o, "", nil), cli(t, "", "--cluster", "call", addr, "ROLE", "--cluster-only-masters"))
		o = opts("call", addr, "ROLE")
		o.OnlyRepl = true
		sameAsCLI(t, "call --cluster-only-replicas", run(t, o, "", nil), cli(t, "", "--cluster", "call", addr, "ROLE", "--cluster-only-replicas"))
	})

	// The three primaries, as the cluster numbers them now.
	var primaries []*redistest.Server
	for _, n := range nodes {
		if n.Do(t, "ROLE").Elems[0].Text() == "master" {
			primaries = append(primaries, n)
		}
	}
	if len(primaries) != 3 {
		t.Fatalf("%d primaries", len(primaries))
	}

	if !t.Run("reshard", func(t *testing.T) {
		from, to := primaries[0], primaries[1]
		before := slotsOf(t, nodes[0])
		// The reshard takes from's 300 lowest slots.
		movedKeys, lowest := 0, lowestSlots(t, from, 300)
		for _, k := range numbered("k", keys) {
			if lowest[redisx.HashSlot([]byte(k))] {
				movedKeys++
			}
		}
		o := opts("reshard", addr)
		o.From, o.FromSet = myID(t, from), true
		o.To, o.ToSet = myID(t, to), true
		o.Slots, o.Yes = 300, true
		r := run(t, o, "", nil)
		mustOK(t, "reshard", r)
		if n := strings.Count(r.out, "\nMoving slot "); n != 300 {
			t.Errorf("%d slots moved, want 300", n)
		}
		// A dot per key moved: as many as the moved slots held.
		if got := keysMoved(r.out); got != movedKeys {
			t.Errorf("%d keys moved, the slots held %d", got, movedKeys)
		}
		waitCheck(t, addr)
		after := slotsOf(t, nodes[0])
		if after[from.Addr()] != before[from.Addr()]-300 || after[to.Addr()] != before[to.Addr()]+300 {
			t.Errorf("slots before %v, after %v", before, after)
		}
		if good := verify(t, addr, "k", keys); good != keys {
			t.Errorf("%d of %d keys after the reshard", good, keys)
		}
	}) {
		return
	}

	t.Run("rebalance", func(t *testing.T) {
		heavy := myID(t, primaries[2])
		// A weight that names no primary, or several, is refused
		// before anything moves (redis-cli takes the first node that
		// matches, a replica's weight doing nothing).
		var replicaID string
		for _, n := range nodes {
			if n.Do(t, "ROLE").Elems[0].Text() == "slave" {
				replicaID = myID(t, n)
				break
			}
		}
		for _, w := range []string{replicaID + "=2", "=2"} {
			o := opts("rebalance", addr)
			o.Weights = []string{w}
			name, _, _ := strings.Cut(w, "=")
			r := run(t, o, "", nil)
			if r.code != 1 || r.out != "*** No such master node "+name+"\n" {
				t.Errorf("weight %s: exit status %d\n%s%s", w, r.code, r.out, r.err)
			}
		}
		// Weights that would give no share: refused before anything moves.
		for _, tc := range []struct {
			weights []string
			want    string
		}{
			{[]string{heavy[:8] + "=-1"}, "*** Invalid weight -1 for node " + heavy[:8] + ": give a number, 0 or more\n"},
			{[]string{heavy[:8] + "=2," + myID(t, primaries[0])[:8] + "=3"}, "*** Invalid weight 2," + myID(t, primaries[0])[:8] + "=3 for node " + heavy[:8] + ": give a number, 0 or more\n"},
			{[]string{myID(t, primaries[0]) + "=0", myID(t, primaries[1]) + "=0", heavy + "=0"}, "*** The weights of the primaries add up to 0: give at least one a weight above 0\n"},
		} {
			o := opts("rebalance", addr)
			o.Weights = tc.weights
			r := run(t, o, "", nil)
			if r.code != 1 || !strings.HasSuffix(r.out, tc.want) {
				t.Errorf("weights %v: exit status %d\n%s%s", tc.weights, r.code, r.out, r.err)
			}
		}
		o := opts("rebalance", addr)
		o.Weights = []string{heavy[:8] + "=1.1"}
		o.Simulate = true
		sim := run(t, o, "", nil)
		mustOK(t, "rebalance --cluster-simulate", sim)
		sameAsCLI(t, "rebalance --cluster-simulate", sim, cli(t, "", "--cluster", "rebalance", addr, "--cluster-weight", heavy[:8]+"=1.1", "--cluster-simulate"))
		if !strings.Contains(sim.out, "Total weight = 3.10") || !strings.Contains(sim.out, "#") {
			t.Errorf("simulation:\n%s", sim.out)
		}
		if got := slotsOf(t, nodes[0]); got[primaries[2].Addr()] != 5461 {
			t.Errorf("--cluster-simulate moved slots: %v", got)
		}
		o.Simulate = false
		mustOK(t, "rebalance", run(t, o, "", nil))
		waitCheck(t, addr)
		got := slotsOf(t, nodes[0])
		// 16384 / 3.1 * 1.1, rounded as redis-cli rounds.
		if n := got[primaries[2].Addr()]; n < 5813-2 || n > 5813+2 {
			t.Errorf("weight 1.1 of 3.1 holds %d slots: %v", n, got)
		}
		if good := verify(t, addr, "k", keys); good != keys {
			t.Errorf("%d of %d keys after the rebalance", good, keys)
		}
		// Balanced within the threshold now.
		r := run(t, o, "", nil)
		mustOK(t, "rebalance again", r)
		if !strings.Contains(r.out, "*** No rebalancing needed! All nodes are within the 2.00% threshold.") {
			t.Errorf("second rebalance:\n%s", r.out)
		}
	})

	if !t.Run("add-node", func(t *testing.T) {
		// A replica named as the primary is refused before the node
		// joins (redis-cli joins it, then fails to REPLICATE).
		for _, n := range nodes {
			if n.Do(t, "ROLE").Elems[0].Text() != "slave" {
				continue
			}
			o := opts("add-node", spare[1].Addr(), addr)
			o.Replica = true
			o.MasterID, o.MasterSet = myID(t, n), true
			r := run(t, o, "", nil)
			if r.code != 1 || !strings.HasSuffix(r.out, "[ERR] No such master ID "+o.MasterID+"\n") {
				t.Errorf("add-node as the replica of a replica: status %d\n%s%s", r.code, r.out, r.err)
			}
			if got := spare[1].Do(t, "CLUSTER", "INFO").Text(); !strings.Contains(got, "cluster_known_nodes:1\r\n") {
				t.Fatalf("the refused node joined:\n%s", got)
			}
			break
		}
		mustOK(t, "add-node", run(t, opts("add-node", spare[0].Addr(), addr), "", nil))
		o := opts("add-node", spare[1].Addr(), addr)
		o.Replica = true
		o.MasterID, o.MasterSet = myID(t, primaries[0]), true
		r := run(t, o, "", nil)
		mustOK(t, "add-node --cluster-slave", r)
		if !strings.Contains(r.out, ">>> Configure node as replica of "+primaries[0].Addr()+".\n") {
			t.Errorf("add-node --cluster-slave:\n%s", r.out)
		}
		all := append(append([]*redistest.Server{}, nodes...), spare...)
		waitFor(t, "the new nodes' roles", func() string { return rolesSettled(t, all) })
		waitFor(t, "the new replica", func() string {
			role := spare[1].Do(t, "ROLE")
			if role.Elems[0].Text() != "slave" || role.Elems[2].Int != int64(primaries[0].Port) {
				return "ROLE " + role.Elems[0].Text()
			}
			return ""
		})
		if spare[0].Do(t, "ROLE").Elems[0].Text() != "master" {
			t.Errorf("%s is not a primary", spare[0].Addr())
		}
		waitCheck(t, addr)
	}) {
		return
	}

	t.Run("del-node", func(t *testing.T) {
		id := myID(t, spare[0])
		r := run(t, opts("del-node", addr, id), "", nil)
		mustOK(t, "del-node", r)
		for _, n := range nodes {
			if strings.Contains(n.Do(t, "CLUSTER", "NODES").Text(), id) {
				t.Errorf("%s still knows %s", n.Addr(), id)
			}
		}
		if got := spare[0].Do(t, "CLUSTER", "INFO").Text(); !strings.Contains(got, "cluster_known_nodes:1\r\n") {
			t.Errorf("the deleted node was not reset:\n%s", got)
		}
		// A node that serves slots cannot go.
		r = run(t, opts("del-node", addr, myID(t, primaries[1])), "", nil)
		if r.code != 1 || !strings.Contains(r.out, "is not empty! Reshard data away and try again.") {
			t.Errorf("del-node of a primary with slots: %d\n%s", r.code, r.out)
		}
	})

	t.Run("set-timeout", func(t *testing.T) {
		r := run(t, opts("set-timeout", addr, "2500"), "", nil)
		mustOK(t, "set-timeout", r)
		if !strings.Contains(r.out, ">>> New node timeout set. 7 OK, 0 ERR.") {
			t.Errorf("set-timeout:\n%s", r.out)
		}
		for _, n := range append(nodes, spare[1]) {
			if got := n.Do(t, "CONFIG", "GET", "cluster-node-timeout").Elems[1].Text(); got != "2500" {
				t.Errorf("%s: cluster-node-timeout %s", n.Addr(), got)
			}
		}
	})

	t.Run("backup", func(t *testing.T) {
		backupTest(t, addr, primaries)
	})

	t.Run("import", func(t *testing.T) {
		importTest(t, addr)
	})
}

// backupTest backs the cluster up and checks the files: nodes.json lists
// every node, and each primary's RDB holds its keys (a server started on
// it has as many).
func backupTest(t *testing.T, addr string, primaries []*redistest.Server) {
	dir := t.TempDir()
	r := run(t, opts("backup", addr, dir), "", nil)
	mustOK(t, "backup", r)
	if !strings.Contains(r.out, "[OK] Backup created into: "+dir+"\n") {
		t.Errorf("backup:\n%s", r.out)
	}
	if strings.Count(r.err, "Transfer finished with success") != 3 {
		t.Errorf("backup stderr:\n%s", r.err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "nodes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var nodes []struct {
		Name      string  `json:"name"`
		Port      int     `json:"port"`
		Replicate *string `json:"replicate"`
		Slots     [][]int `json:"slots"`
		Count     int     `json:"slots_count"`
	}
	if err := json.Unmarshal(data, &nodes); err != nil {
		t.Fatalf("nodes.json: %v\n%s", err, data)
	}
	if len(nodes) != 7 {
		t.Errorf("nodes.json has %d nodes, want 7", len(nodes))
	}
	slots := 0
	for _, n := range nodes {
		slots += n.Count
	}
	if slots != 16384 {
		t.Errorf("nodes.json covers %d slots", slots)
	}
	for _, p := range primaries {
		file := "redis-node-127.0.0.1-" + itoa(p.Port) + "-" + myID(t, p) + ".rdb"
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !bytes.HasPrefix(b, []byte("REDIS")) {
			t.Errorf("%s is not an RDB: %q", file, b[:min(len(b), 16)])
		}
	}
	// The keys are in the files.
	p := primaries[0]
	want := p.Do(t, "DBSIZE").Int
	file := "redis-node-127.0.0.1-" + itoa(p.Port) + "-" + myID(t, p) + ".rdb"
	restored := redistest.Start(t, redistest.WithConfig("dir", dir), redistest.WithConfig("dbfilename", file))
	if got := restored.Do(t, "DBSIZE").Int; got != want || want == 0 {
		t.Errorf("the RDB of %s holds %d keys, the node %d", p.Addr(), got, want)
	}
}

// importTest imports a standalone server's keys: copied first, then
// moved over the copies with --cluster-replace; a key the cluster has
// already stops a plain import.
func importTest(t *testing.T, addr string) {
	src := redistest.Start(t)
	const n = 200
	for _, k := range numbered("imp", n) {
		src.Do(t, "SET", k, valueOf(k))
	}
	o := opts("import", addr)
	o.From, o.FromSet = src.Addr(), true
	o.Copy = true
	r := run(t, o, "", nil)
	mustOK(t, "import --cluster-copy", r)
	if got := strings.Count(r.out, ": OK\n"); got != n {
		t.Errorf("%d keys imported, want %d", got, n)
	}
	if !strings.Contains(r.out, "*** Importing 200 keys from DB 0\n") {
		t.Errorf("import:\n%s", r.out)
	}
	if got := verify(t, addr, "imp", n); got != n {
		t.Errorf("%d of %d keys copied", got, n)
	}
	if got := src.Do(t, "DBSIZE").Int; got != n {
		t.Errorf("--cluster-copy left %d keys on the source", got)
	}

	// Without REPLACE, a key that exists stops the import.
	o.Copy = false
	r = run(t, o, "", nil)
	if r.code != 1 || !strings.Contains(r.out, "BUSYKEY Target key name already exists.") {
		t.Errorf("import over existing keys: %d\n%s", r.code, r.out)
	}
	o.Replace = true
	r = run(t, o, "", nil)
	mustOK(t, "import --cluster-replace", r)
	if got := src.Do(t, "DBSIZE").Int; got != 0 {
		t.Errorf("import left %d keys on the source", got)
	}
	if got := verify(t, addr, "imp", n); got != n {
		t.Errorf("%d of %d keys imported", got, n)
	}

	// The source must not be a cluster node.
	o = opts("import", addr)
	o.From, o.FromSet = addr, true
	r = run(t, o, "", nil)
	if r.code != 1 || !strings.Contains(r.out, "[ERR] The source node should not be a cluster node.\n") {
		t.Errorf("import from a cluster node: %d\n%s", r.code, r.out)
	}
}

// lowestSlots returns the n lowest slots s serves.
func lowestSlots(t *testing.T, s *redistest.Server, n int) map[int]bool {
	t.Helper()
	out := map[int]bool{}
	for line := range strings.SplitSeq(s.Do(t, "CLUSTER", "NODES").Text(), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.Contains(f[2], "myself") {
			continue
		}
		for _, r := range f[8:] {
			first, last, ok := strings.Cut(r, "-")
			if !ok {
				last = first
			}
			for slot := atoi(first); slot <= atoi(last) && len(out) < n; slot++ {
				out[slot] = true
			}
		}
	}
	return out
}
