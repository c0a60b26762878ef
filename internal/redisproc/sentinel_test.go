package redisproc_test

import (
	"net"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/resp"
)

// TestSentinelsAnnounce: every process behind a proxy of its own, as the
// lab runs them. The sentinels know the primary, the replica and each
// other by their proxies' addresses, and the replica replicates through
// the primary's proxy.
func TestSentinelsAnnounce(t *testing.T) {
	t.Parallel()
	redistest.RedisServer(t)
	proxies := map[*redisproc.Server]*faultproxy.Proxy{}
	ss, err := redisproc.LaunchSentinels(redisproc.SentinelConfig{
		Replicas: 1, Sentinels: 2, Password: "nodepw", SentinelPassword: "sentpw", Dir: t.TempDir(),
		Announce: func(s *redisproc.Server) (string, error) {
			p := faultproxy.New(t, s.Addr())
			proxies[s] = p
			return p.Addr(), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ss.Close)
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
		others := fields(call(t, s, "SENTINEL", "SENTINELS", ss.MasterName))
		if len(others) != 1 || net.JoinHostPort(others[0]["ip"], others[0]["port"]) != proxies[ss.Sentinels[1-i]].Addr() {
			t.Errorf("sentinel %d knows %v, want the other's proxy", i, others)
		}
		replicas := fields(call(t, s, "SENTINEL", "REPLICAS", ss.MasterName))
		if len(replicas) != 1 || net.JoinHostPort(replicas[0]["ip"], replicas[0]["port"]) != proxies[ss.Nodes[1]].Addr() {
			t.Errorf("sentinel %d knows the replicas %v, want the replica's proxy", i, replicas)
		}
	}
	if proxies[ss.Nodes[0]].Conns() == 0 {
		t.Error("nothing went through the primary's proxy")
	}
}

// fields reads SENTINEL SENTINELS or REPLICAS.
func fields(v resp.Value) []map[string]string {
	var out []map[string]string
	for _, e := range v.Elems {
		m := map[string]string{}
		for i := 0; i+1 < len(e.Elems); i += 2 {
			m[e.Elems[i].Text()] = e.Elems[i+1].Text()
		}
		out = append(out, m)
	}
	return out
}
