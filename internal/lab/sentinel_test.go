package lab

import (
	"io"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/internal/redistest"
)

// TestLabSentinel drives the :lab commands of a Sentinel lab through the
// lab's Go API: the nodes and their roles, a forced failover, killing the
// primary by name, and Close.
func TestLabSentinel(t *testing.T) {
	l := startTestLab(t, Options{Sentinel: true})
	if len(l.nodes) != 6 {
		t.Fatalf("%d nodes, want 6", len(l.nodes))
	}
	pids := serverPIDs(l)
	roles := map[string]int{}
	for i, r := range nodeRows(t, l) {
		if len(r) != 5 || r[2] != l.nodes[i].proxy.Addr() || r[4] != "up" {
			t.Errorf("row %d: %q", i+1, r)
		}
		roles[r[1]]++
	}
	if roles["primary"] != 1 || roles["replica"] != 2 || roles["sentinel"] != 3 {
		t.Fatalf("roles %v", roles)
	}
	// The shell goes through the sentinels' proxies.
	if got, want := strings.Join(l.ShellAddrs(), " "), strings.Join(l.set.SentinelAddrs(), " "); got != want {
		t.Errorf("shell addresses %s, want the sentinels' %s", got, want)
	}
	for i, s := range l.set.Sentinels {
		if want := l.nodes[3+i].proxy.Addr(); s.PublicAddr() != want {
			t.Errorf("sentinel %d announces %s, want its proxy %s", i+1, s.PublicAddr(), want)
		}
	}
	if !strings.Contains(l.Summary(), "a primary, 2 replicas and 3 sentinels watching them as mymaster") {
		t.Errorf("summary %q", l.Summary())
	}

	first, err := l.set.PrimaryAddr()
	if err != nil {
		t.Fatal(err)
	}
	if first != l.nodes[0].proxy.Addr() {
		t.Fatalf("the sentinels name %s, want node 1's proxy %s", first, l.nodes[0].proxy.Addr())
	}

	t.Run("failover", func(t *testing.T) {
		if out := labCmd(t, l, "failover"); !strings.Contains(out, "SENTINEL FAILOVER mymaster started") {
			t.Errorf("failover: %q", out)
		}
		redistest.WaitUntil(t, waitTimeout, "a new primary", func() bool {
			addr, err := l.set.PrimaryAddr()
			return err == nil && addr != first
		})
	})

	t.Run("kill primary", func(t *testing.T) {
		if _, err := l.set.AwaitSettled(first); err != nil {
			t.Fatal(err)
		}
		i, n, err := l.node("primary")
		if err != nil {
			t.Fatal(err)
		}
		addr := n.proxy.Addr()
		if out := labCmd(t, l, "kill primary"); !strings.Contains(out, "killed") {
			t.Errorf("kill primary: %q", out)
		}
		if got := nodeRows(t, l)[i-1]; got[4] != "killed" {
			t.Errorf("node %d: %q", i, got)
		}
		next, err := l.set.AwaitSettled(addr)
		if err != nil {
			t.Fatal(err)
		}
		if next == addr {
			t.Errorf("the sentinels still name %s", addr)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct{ line, want string }{
			{"failover 1", "usage: :lab failover"},
			{"pause primary", "usage: :lab pause NODE DURATION"},
		} {
			err := l.run(io.Discard, strings.Fields(tc.line))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf(":lab %s: %v, want %q", tc.line, err, tc.want)
			}
		}
	})

	l.Close()
	for _, pid := range pids {
		if !redistest.ProcessGone(pid) {
			t.Errorf("server process %d still running after Close", pid)
		}
	}
}

// TestLabPrimaryNeedsSentinel: "primary" names a node only in a Sentinel
// lab.
func TestLabPrimaryNeedsSentinel(t *testing.T) {
	l := &lab{nodes: []*labNode{{server: &redisproc.Server{}}}}
	err := l.run(io.Discard, []string{"kill", "primary"})
	if err == nil || !strings.Contains(err.Error(), "primary names a node only in a Sentinel lab (redish lab --sentinel)") {
		t.Errorf("kill primary: %v", err)
	}
}
