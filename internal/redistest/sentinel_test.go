package redistest

import (
	"github.com/redish/redish/resp"
	"net"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
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

func TestSentinelsAnnounce(t *testing.T) {
	t.Parallel()
	// Every process behind a proxy of its own, as the lab runs them.
	proxies := map[*Server]*faultproxy.Proxy{}
	ss := StartSentinels(t, SentinelConfig{
		Replicas: 1, Sentinels: 2, Password: "nodepw", SentinelPassword: "sentpw",
		Announce: func(s *Server) (string, error) {
			p := faultproxy.New(t, s.Addr())
			proxies[s] = p
			return p.Addr(), nil
		},
	})
	addr, err := ss.PrimaryAddr()
	if err != nil {
		t.Fatal(err)
	}
	if want := proxies[ss.Nodes[0]].Addr(); addr != want {
		t.Fatalf("primary %s, want its proxy %s", addr, want)
	}
	for i, s := range ss.Sentinels {
		if got, want := ss.SentinelAddrs()[i], proxies[s].Addr(); got != want {
			t.Errorf("sentinel %d at %s, want its proxy %s", i, got, want)
		}
		others := entriesOf(s.Do(t, "SENTINEL", "SENTINELS", ss.MasterName))
		if len(others) != 1 || net.JoinHostPort(others[0]["ip"], others[0]["port"]) != proxies[ss.Sentinels[1-i]].Addr() {
			t.Errorf("sentinel %d knows %v, want the other's proxy", i, others)
		}
	}
	// The replica replicates through the primary's proxy.
	if proxies[ss.Nodes[0]].Conns() == 0 {
		t.Error("nothing went through the primary's proxy")
	}
}
