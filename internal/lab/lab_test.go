package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait of these tests.
const waitTimeout = 30 * time.Second

// startTestLab starts a lab through its Go API and closes it when the
// test ends.
func startTestLab(t *testing.T, o Options) *lab {
	t.Helper()
	if !o.Embedded {
		redistest.RedisServer(t)
	}
	l, err := startLab(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// labCmd runs a :lab command and returns its output.
func labCmd(t *testing.T, l *lab, line string) string {
	t.Helper()
	var out bytes.Buffer
	if err := l.run(&out, strings.Fields(line)); err != nil {
		t.Fatalf(":lab %s: %v", line, err)
	}
	return out.String()
}

// nodeRows returns the rows of :lab nodes, without the header, as fields.
func nodeRows(t *testing.T, l *lab) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(labCmd(t, l, "nodes")), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "NODE") {
		t.Fatalf(":lab nodes: no header in %q", lines)
	}
	var rows [][]string
	for _, line := range lines[1:] {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

func serverPIDs(l *lab) []int {
	var pids []int
	for _, n := range l.nodes {
		if s, ok := n.server.(*redisproc.Server); ok {
			pids = append(pids, s.PID())
		}
	}
	return pids
}

// TestLabCluster drives every :lab command on a real cluster through the
// lab's Go API, and checks that Close leaves no server running.
func TestLabCluster(t *testing.T) {
	l := startTestLab(t, Options{Cluster: true, Primaries: 3, Replicas: 1})
	if len(l.nodes) != 6 {
		t.Fatalf("%d nodes, want 6", len(l.nodes))
	}
	pids := serverPIDs(l)

	rows := nodeRows(t, l)
	roles := map[string]int{}
	for i, r := range rows {
		if len(r) != 5 || r[0] != strconv.Itoa(i+1) || r[2] != l.nodes[i].proxy.Addr() || r[3] != l.nodes[i].server.Addr() || r[4] != "up" {
			t.Errorf("row %d: %q", i+1, r)
		}
		roles[r[1]]++
	}
	if roles["primary"] != 3 || roles["replica"] != 3 {
		t.Errorf("roles %v, want 3 primaries and 3 replicas", roles)
	}

	t.Run("the cluster announces the proxies", func(t *testing.T) {
		proxies := map[int64]bool{}
		for _, a := range l.Addrs() {
			p, _ := strconv.Atoi(portOf(a))
			proxies[int64(p)] = true
		}
		v, err := l.nodes[0].server.Call("CLUSTER", "SLOTS")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range v.Elems {
			for _, n := range r.Elems[2:] {
				if !proxies[n.Elems[1].Int] {
					t.Errorf("CLUSTER SLOTS names port %d, not a proxy's", n.Elems[1].Int)
				}
			}
		}
	})

	t.Run("latency", func(t *testing.T) {
		if out := labCmd(t, l, "latency 2 20ms"); !strings.Contains(out, "delayed by 20ms") {
			t.Errorf("latency: %q", out)
		}
		if got := nodeRows(t, l)[1]; strings.Join(got[4:], " ") != "up, latency 20ms" {
			t.Errorf("node 2: %q", got)
		}
		labCmd(t, l, "latency "+l.nodes[1].proxy.Addr()+" 0")
		if got := nodeRows(t, l)[1]; got[4] != "up" || len(got) != 5 {
			t.Errorf("node 2 after latency 0: %q", got)
		}
	})

	t.Run("failover of a primary promotes its replica", func(t *testing.T) {
		replica, _ := l.replicaOf(l.nodes[0])
		if replica == nil {
			t.Fatal("node 1 has no replica")
		}
		labCmd(t, l, "failover 1")
		redistest.WaitUntil(t, waitTimeout, "promotion", func() bool { return l.role(replica) == "primary" && l.role(l.nodes[0]) == "replica" })
	})

	t.Run("pause, restart, kill", func(t *testing.T) {
		labCmd(t, l, "pause 3 1m")
		if got := nodeRows(t, l)[2]; got[1] != "-" || got[4] != "paused" {
			t.Errorf("node 3 paused: %q", got)
		}
		labCmd(t, l, "restart 3")
		if got := nodeRows(t, l)[2]; got[4] != "up" {
			t.Errorf("node 3 restarted: %q", got)
		}
		killed := l.nodes[4].server.(*redisproc.Server).PID()
		labCmd(t, l, "kill 5")
		if !redistest.ProcessGone(killed) {
			t.Errorf("node 5's process %d is still running", killed)
		}
		if got := nodeRows(t, l)[4]; got[4] != "killed" {
			t.Errorf("node 5 killed: %q", got)
		}
		labCmd(t, l, "restart 5")
		pids = append(pids, serverPIDs(l)...)
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct{ line, want string }{
			{"bogus", ":lab bogus: unknown"},
			{"kill", "usage: :lab kill NODE"},
			{"kill 7", "no node 7"},
			{"kill 127.0.0.1:1", "no node at 127.0.0.1:1"},
			{"kill x", `"x" is not a node`},
			{"pause 1", "usage: :lab pause NODE DURATION"},
			{"pause 1 soon", `"soon" is not a duration`},
			{"pause 1 1h", "at most 10m0s"},
			{"latency 1 -1s", "from 0 to 10m0s"},
			{"failover 1 now", `failover option "now"`},
		} {
			err := l.run(io.Discard, strings.Fields(tc.line))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf(":lab %s: %v, want %q", tc.line, err, tc.want)
			}
		}
	})

	dir := l.dir
	l.Close()
	for _, pid := range pids {
		if !redistest.ProcessGone(pid) {
			t.Errorf("server process %d still running after Close", pid)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lab's directory is still there: %v", err)
	}
}

// TestLabStandaloneFaults checks :lab on a single server, redis-server's
// and the embedded one: the faults are seen by a client of the proxy.
func TestLabStandaloneFaults(t *testing.T) {
	for _, embedded := range []bool{false, true} {
		t.Run("embedded="+strconv.FormatBool(embedded), func(t *testing.T) {
			l := startTestLab(t, Options{Embedded: embedded})
			ping := func() error {
				port, _ := strconv.Atoi(portOf(l.Addrs()[0]))
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				c, err := redisx.Dial(ctx, &redisx.Options{Port: port})
				if err != nil {
					return err
				}
				defer c.Close()
				_, err = c.DoStrings(ctx, "PING")
				return err
			}
			if err := ping(); err != nil {
				t.Fatal(err)
			}
			labCmd(t, l, "kill 1")
			if ping() == nil {
				t.Error("PING answered after kill")
			}
			labCmd(t, l, "restart 1")
			if err := ping(); err != nil {
				t.Errorf("after restart: %v", err)
			}
			labCmd(t, l, "pause 1 1m")
			if ping() == nil {
				t.Error("PING answered while paused")
			}
			labCmd(t, l, "restart 1")
			labCmd(t, l, "latency 1 1s")
			if ping() == nil {
				t.Error("PING answered within 200ms with 1s latency")
			}
			labCmd(t, l, "latency 1 0")
			if err := ping(); err != nil {
				t.Errorf("after latency 0: %v", err)
			}
			if err := l.run(io.Discard, []string{"failover", "1"}); err == nil || !strings.Contains(err.Error(), "needs a cluster") {
				t.Errorf("failover: %v", err)
			}
		})
	}
}

// TestLabStdin runs redish lab in-process with commands on stdin.
// noPauseServer is a lab server on a system without SIGSTOP: its Pause
// fails as redisproc.Server's does on Windows.
type noPauseServer struct{ labServer }

func (noPauseServer) Running() bool { return true }
func (noPauseServer) Pause() error  { return fmt.Errorf("pause 127.0.0.1:1: %w", redisproc.ErrNoPause) }

// TestLabPauseWithoutSIGSTOP checks what :lab pause says where a server
// cannot be paused (Windows), and that the node is not marked paused.
func TestLabPauseWithoutSIGSTOP(t *testing.T) {
	l := &lab{nodes: []*labNode{{server: noPauseServer{}}}}
	var out bytes.Buffer
	err := l.run(&out, []string{"pause", "1", "2s"})
	want := ":lab pause: node 1: pausing a process needs a Unix system (SIGSTOP and SIGCONT); :lab latency NODE DURATION delays its replies instead"
	if err == nil || err.Error() != want || out.Len() != 0 {
		t.Errorf("err %v, out %q\nwant %q", err, out.String(), want)
	}
	if n := l.nodes[0]; n.resume != nil || !n.pausedUntil.IsZero() {
		t.Error("the node is marked paused")
	}
}
