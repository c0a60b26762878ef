package clustermgr

import (
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
