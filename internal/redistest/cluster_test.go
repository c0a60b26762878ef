package redistest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/resp"
)

func TestCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, 1)
	if len(c.Nodes) != 6 {
		t.Fatalf("%d nodes, want 6", len(c.Nodes))
	}
	if p, r := len(c.Primaries()), len(c.Replicas()); p != 3 || r != 3 {
		t.Fatalf("%d primaries and %d replicas, want 3 and 3", p, r)
	}
	for _, s := range c.Nodes {
		if v := s.Do(t, "CLUSTER", "INFO"); !strings.Contains(v.Text(), "cluster_state:ok") {
			t.Errorf("%s: %s", s.Addr(), v.Str)
		}
	}

	t.Run("NodeForSlot", func(t *testing.T) {
		for _, tc := range []struct {
			slot int
			want *Server
		}{
			{0, c.Nodes[0]},
			{5460, c.Nodes[0]},
			{5461, c.Nodes[1]},
			{10922, c.Nodes[1]},
			{10923, c.Nodes[2]},
			{16383, c.Nodes[2]},
		} {
			t.Run(strconv.Itoa(tc.slot), func(t *testing.T) {
				if got := c.NodeForSlot(t, tc.slot); got != tc.want {
					t.Errorf("slot %d on %s, want %s", tc.slot, got.Addr(), tc.want.Addr())
				}
			})
		}
	})

	t.Run("NodeForKey", func(t *testing.T) {
		// "foo" hashes to slot 12182.
		n := c.NodeForKey(t, "foo")
		if n != c.Nodes[2] {
			t.Fatalf("foo on %s, want %s", n.Addr(), c.Nodes[2].Addr())
		}
		if v := n.Do(t, "SET", "foo", "bar"); v.Kind != resp.KindStatus {
			t.Fatalf("SET foo on its node: %s %q", v.Kind, v.Str)
		}
		if v := c.Nodes[0].Do(t, "GET", "foo"); !strings.HasPrefix(v.Text(), "MOVED 12182 ") {
			t.Fatalf("GET foo elsewhere: %s %q, want MOVED", v.Kind, v.Str)
		}
	})

	t.Run("failover", func(t *testing.T) {
		old := c.Nodes[0]
		old.Kill()
		c.WaitForState(t, "ok")
		if n := c.NodeForSlot(t, 0); n != c.Nodes[3] {
			t.Fatalf("slot 0 on %s after failover, want the replica %s", n.Addr(), c.Nodes[3].Addr())
		}
		if p := len(c.Primaries()); p != 3 {
			t.Fatalf("%d primaries after failover, want 3", p)
		}
	})
}

func TestClusterTLSPassword(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 1, 1, WithTLS(), WithPassword("pw"), WithNodeTimeout(2000*time.Millisecond))
	for _, s := range c.Nodes {
		if s.CACert != c.Nodes[0].CACert {
			t.Fatalf("nodes do not share a CA")
		}
		if v := s.Do(t, "CONFIG", "GET", "cluster-node-timeout"); v.Len() != 2 || v.Elems[1].Text() != "2000" {
			t.Errorf("cluster-node-timeout = %+v", v)
		}
	}
	if p, r := c.Primaries(), c.Replicas(); len(p) != 1 || len(r) != 1 || p[0] != c.Nodes[0] {
		t.Fatalf("roles: %d primaries, %d replicas", len(p), len(r))
	}
	c.WaitForState(t, "ok")
}
