package clustermgr

import (
	"context"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// TestCreatePlan compares create's plan, and its refusals, with
// redis-cli's on the same bare nodes. Answering "no" leaves the nodes as
// they were, so both tools see the same ones.
func TestCreatePlan(t *testing.T) {
	t.Parallel()
	nodes := bareNodes(t, 7)
	plain := redistest.Start(t)
	busy := redistest.Start(t, redistest.WithCluster())
	busy.Do(t, "SET", "k", "v")
	for _, tc := range []struct {
		name     string
		args     []string
		replicas int
	}{
		{"seven primaries", addrs(nodes), 0},
		{"too few primaries", addrs(nodes), 2},
		{"not a cluster node", append(addrs(nodes[:2]), plain.Addr()), 0},
		{"not empty", append(addrs(nodes[:3]), busy.Addr()), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts("create", tc.args...)
			o.Replicas = tc.replicas
			got := run(t, o, "no\n", nil)
			args := append([]string{"--cluster", "create"}, tc.args...)
			if tc.replicas > 0 {
				args = append(args, "--cluster-replicas", itoa(tc.replicas))
			}
			sameAsCLI(t, "create", got, cli(t, "no\n", args...))
		})
	}
	got := run(t, opts("create", addrs(nodes)...), "no\n", nil)
	if !strings.Contains(got.out, "Master[6] -> Slots 14043 - 16383\n") || !strings.HasSuffix(got.out, "Can I set the above configuration? (type 'yes' to accept): ") {
		t.Errorf("plan:\n%s", got.out)
	}
	for _, n := range nodes {
		if info := n.Do(t, "CLUSTER", "INFO").Text(); !strings.Contains(info, "cluster_slots_assigned:0\r\n") {
			t.Errorf("%s changed after a no", n.Addr())
		}
	}
}

// TestCreateSameNodeTwice: a node given twice, under the same address or
// another name of it, is refused before anything changes (the join
// would wait forever for a node count the cluster never reaches).
func TestCreateSameNodeTwice(t *testing.T) {
	t.Parallel()
	nodes := bareNodes(t, 3)
	a, b := nodes[0].Addr(), nodes[1].Addr()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{a, b, a}, "[ERR] Node " + a + " is the same node as " + a + " (" + myID(t, nodes[0]) + "): give each node once.\n"},
		{[]string{a, b, "localhost:" + itoa(nodes[1].Port)}, "[ERR] Node localhost:" + itoa(nodes[1].Port) + " is the same node as " + b + " (" + myID(t, nodes[1]) + "): give each node once.\n"},
	} {
		o := opts("create", tc.args...)
		o.Yes = true
		// Bounded: before the fix, the join waited forever.
		ctx, cancel := context.WithTimeout(t.Context(), settleTimeout)
		got := runCtx(t, ctx, o, "", nil)
		cancel()
		if got.code != 1 || got.out != tc.want {
			t.Errorf("create %v: exit status %d\n--- stdout\n%s--- want\n%s--- stderr\n%s", tc.args, got.code, got.out, tc.want, got.err)
		}
	}
	for _, n := range nodes {
		if info := n.Do(t, "CLUSTER", "INFO").Text(); !strings.Contains(info, "cluster_slots_assigned:0\r\n") {
			t.Errorf("%s changed", n.Addr())
		}
	}
}
