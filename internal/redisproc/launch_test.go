package redisproc_test

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/resp"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// call sends one command to s and fails the test when s cannot be reached.
func call(t *testing.T, s *redisproc.Server, args ...string) resp.Value {
	t.Helper()
	v, err := s.Call(args...)
	if err != nil {
		t.Fatalf("%s %v: %v", s.Addr(), args, err)
	}
	return v
}

func TestLaunchAndClose(t *testing.T) {
	redistest.RedisServer(t)
	s, err := redisproc.Launch()
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := s.PID(), s.Dir
	if v, err := s.Call("PING"); err != nil || v.Text() != "PONG" {
		t.Fatalf("PING: %v %v", v, err)
	}
	s.Close()
	s.Close()
	if !gone(pid) {
		t.Errorf("process %d still running after Close", pid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s: %v", dir, err)
	}
}

func TestLaunchWithoutRedisServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := redisproc.Launch(); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Launch: %v, want exec.ErrNotFound", err)
	}
	if _, err := redisproc.LaunchCluster(1, 0); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("LaunchCluster: %v, want exec.ErrNotFound", err)
	}
}

// TestLaunchClusterAnnounce puts a proxy in front of each node: the slot
// map names only the proxies, the replicas replicate through them, and
// a restarted node still announces its proxy.
func TestLaunchClusterAnnounce(t *testing.T) {
	redistest.RedisServer(t)
	proxies := map[int64]bool{}
	c, err := redisproc.LaunchCluster(2, 1, redisproc.WithAnnounce(func(s *redisproc.Server) (string, error) {
		p := faultproxy.New(t, s.Addr())
		proxies[int64(p.Port())] = true
		return p.Addr(), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if len(proxies) != 4 {
		t.Fatalf("%d proxies, want 4", len(proxies))
	}
	checkSlots := func() {
		t.Helper()
		v := call(t, c.Nodes[0], "CLUSTER", "SLOTS")
		for _, r := range v.Elems {
			for _, n := range r.Elems[2:] {
				if !proxies[n.Elems[1].Int] {
					t.Errorf("CLUSTER SLOTS names port %d, not a proxy's", n.Elems[1].Int)
				}
			}
		}
	}
	checkSlots()
	if err := c.Nodes[3].Relaunch(); err != nil {
		t.Fatal(err)
	}
	if got := call(t, c.Nodes[3], "CONFIG", "GET", "cluster-announce-port").Elems[1].Text(); got != strconv.Itoa(c.Nodes[3].AnnouncedPort) {
		t.Errorf("restarted node announces port %s, want %d", got, c.Nodes[3].AnnouncedPort)
	}
	if err := c.AwaitState("ok"); err != nil {
		t.Fatal(err)
	}
	checkSlots()
}
