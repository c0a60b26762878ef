package redistest

import (
	"testing"
	"time"

	"github.com/redish/redish/resp"
)

func TestSentinels(t *testing.T) {
	t.Parallel()
	ss := StartSentinels(t, SentinelConfig{})
	if len(ss.Nodes) != 3 || len(ss.Sentinels) != 3 || ss.Quorum != 2 {
		t.Fatalf("%d nodes, %d sentinels, quorum %d; want 3, 3, 2", len(ss.Nodes), len(ss.Sentinels), ss.Quorum)
	}
	first := ss.Primary(t)
	if first != ss.Nodes[0] {
		t.Fatalf("primary %s, want %s", first.Addr(), ss.Nodes[0].Addr())
	}
	for _, s := range ss.Sentinels {
		v := s.Do(t, "SENTINEL", "CKQUORUM", ss.MasterName)
		if v.Kind != resp.KindStatus {
			t.Errorf("CKQUORUM on %s: %s %q", s.Addr(), v.Kind, v.Str)
		}
	}

	t.Run("Failover", func(t *testing.T) {
		addr, err := ss.Failover()
		if err != nil {
			t.Fatal(err)
		}
		if addr == first.Addr() || ss.Node(addr) == nil {
			t.Fatalf("primary after the failover: %s (was %s)", addr, first.Addr())
		}
	})

	t.Run("Kill", func(t *testing.T) {
		p := ss.Primary(t)
		p.Kill()
		start := time.Now()
		addr, err := ss.AwaitSettled(p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("new primary %s after %v", addr, time.Since(start).Round(time.Millisecond))
		if v := ss.Node(addr).Do(t, "ROLE"); v.Len() == 0 || v.Elems[0].Text() != "master" {
			t.Fatalf("ROLE on %s: %v", addr, v)
		}
	})
}
