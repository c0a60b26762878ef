package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// firstN returns a Func fault that applies f to the first n requests of
// command cmd, or to the first n connections when cmd is "".
func firstN(n int, cmd string, f faultproxy.Fault) faultproxy.Fault {
	var mu sync.Mutex
	seen := 0
	return faultproxy.Func(func(r faultproxy.Request) faultproxy.Fault {
		mu.Lock()
		defer mu.Unlock()
		if cmd == "" && r.Accept || cmd != "" && r.Command == cmd {
			seen++
			if seen <= n {
				return f
			}
		}
		return faultproxy.Pass()
	})
}

// TestBatchedAttemptsMatchOneShot runs the same ten commands three ways,
// one-shot with -r, from stdin one at a time (--window 1) and from stdin
// batched, over faults that hit a command before it is written or that
// the server answers: each command gets the same attempts whatever the
// batching, so the proxy counts the same commands and connections, and
// stdout is the same.
func TestBatchedAttemptsMatchOneShot(t *testing.T) {
	fx := newFaultFixture(t, false)
	const n = 10
	loading := "LOADING Redis is loading the dataset in memory"
	faults := []struct {
		name     string
		fault    func() faultproxy.Fault
		received int // commands the proxy read
		conns    int
		out      string // one command's reply, as printed
	}{
		{"no fault", faultproxy.Pass, n, 1, "OK\n"},
		// A reply the policy retries: retries+1 sends each.
		{"LOADING always", func() faultproxy.Fault { return faultproxy.ErrorReply(loading).On("SET") }, 3 * n, 1, loading + "\n\n"},
		{"LOADING twice", func() faultproxy.Fault { return firstN(2, "SET", faultproxy.ErrorReply(loading)) }, n + 2, 1, "OK\n"},
		{"two connections reset", func() faultproxy.Fault { return firstN(2, "", faultproxy.ResetOnConnect()) }, n, 3, "OK\n"},
		{"two requests reset before send", func() faultproxy.Fault { return firstN(2, "SET", faultproxy.ResetBeforeSend()) }, n + 2, 3, "OK\n"},
	}
	modes := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"one-shot -r", "", []string{"-r", strconv.Itoa(n), "SET", "k", "v"}},
		{"stdin --window 1", strings.Repeat("SET k v\n", n), []string{"--window", "1"}},
		{"stdin batched", strings.Repeat("SET k v\n", n), nil},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			var first result
			for i, m := range modes {
				fx.reset(t)
				fx.proxy.Set(f.fault())
				received, conns := fx.proxy.Received(), fx.proxy.Conns()
				r := runBounded(t, m.stdin, append([]string{"-p", strconv.Itoa(fx.proxy.Port()), "--retries", "2"}, m.args...)...)
				received, conns = fx.proxy.Received()-received, fx.proxy.Conns()-conns
				fx.proxy.Set(faultproxy.Pass())
				t.Logf("%s: %d commands, %d connections, exit %d", m.name, received, conns, r.code)
				if received != f.received || conns != f.conns {
					t.Errorf("%s: the proxy read %d commands on %d connections, want %d on %d", m.name, received, conns, f.received, f.conns)
				}
				if i == 0 {
					first = r
					if r.code != 0 || r.err != "" || r.out != strings.Repeat(f.out, n) {
						t.Fatalf("%s: %+v", m.name, r)
					}
					continue
				}
				if r != first {
					t.Errorf("%s printed %+v\none-shot printed %+v", m.name, r, first)
				}
			}
		})
	}
}

// TestClusterUnreachableNode runs a script over a cluster one of whose
// primaries is dead: its commands fail, each reported, and every other
// node's commands run, in every stdin mode; the exit status is 1.
func TestClusterUnreachableNode(t *testing.T) {
	// No replicas and a long node timeout: the slots stay with the dead
	// node, and the others keep serving theirs.
	cl := redistest.StartCluster(t, 3, 0, redistest.WithNodeTimeout(60*time.Second))
	dead := cl.Nodes[2]
	var script strings.Builder
	var live, onDead []string
	for i := range 30 {
		k := fmt.Sprintf("u%d", i)
		fmt.Fprintf(&script, "SET %s v\n", k)
		if cl.NodeForKey(t, k) == dead {
			onDead = append(onDead, k)
		} else {
			live = append(live, k)
		}
	}
	if len(onDead) == 0 || len(live) == 0 {
		t.Fatalf("keys on the dead node: %q, elsewhere: %q", onDead, live)
	}
	dead.Kill()
	var outs []string
	for _, flags := range [][]string{nil, {"--window", "1"}} {
		for _, p := range cl.Nodes[:2] {
			p.Do(t, "FLUSHALL")
		}
		args := append([]string{"-c", "-p", strconv.Itoa(cl.Nodes[0].Port), "--retries", "1", "--cluster-error-attempts", "1"}, flags...)
		r := runBounded(t, script.String(), args...)
		refused := strings.Count(r.err, "Could not connect to Redis at "+dead.Addr()+": Connection refused")
		if r.code != 1 || r.out != strings.Repeat("OK\n", len(live)) || refused != len(onDead) {
			t.Fatalf("%v: exit %d, stdout %q, %d refusals reported (want %d OK and %d refusals); stderr:\n%s",
				flags, r.code, r.out, refused, len(live), len(onDead), r.err)
		}
		for _, k := range live {
			if v := cl.NodeForKey(t, k).Do(t, "GET", k); v.Text() != "v" {
				t.Errorf("%v: %s = %q", flags, k, v.Text())
			}
		}
		outs = append(outs, r.out)
	}
	if outs[0] != outs[1] {
		t.Errorf("batched and one at a time differ:\n%q\n%q", outs[0], outs[1])
	}
}
