package clustermgr

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// settleTimeout bounds the waits for a cluster to agree after a change.
const settleTimeout = 30 * time.Second

// bareNodes starts n cluster-enabled servers that know no other node.
func bareNodes(t *testing.T, n int, o ...redistest.Option) []*redistest.Server {
	t.Helper()
	var out []*redistest.Server
	for range n {
		out = append(out, redistest.Start(t, append([]redistest.Option{redistest.WithCluster()}, o...)...))
	}
	return out
}

func addrs(servers []*redistest.Server) []string {
	var out []string
	for _, s := range servers {
		out = append(out, s.Addr())
	}
	return out
}

// client returns a cluster client seeded with addr, closed at the end of
// the test. An addr of the form "password@host:port" authenticates.
func client(t *testing.T, addr string) *redisx.ClusterClient {
	t.Helper()
	password := ""
	if p, a, ok := strings.Cut(addr, "@"); ok {
		password, addr = p, a
	}
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{
		Seeds: []string{addr}, ErrorAttempts: 3,
		Node: redisx.Options{Password: password, Timeout: 10 * time.Second, ConnectTimeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// pipeline runs cmds through a cluster client and returns the replies.
func pipeline(t *testing.T, addr string, cmds [][][]byte) []resp.Value {
	t.Helper()
	out := make([]resp.Value, len(cmds))
	err := client(t, addr).Pipeline(context.Background(), cmds, func(i int, v resp.Value, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", cmds[i][0], err)
		}
		out[i] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// numbered returns the keys prefix:0 .. prefix:n-1.
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + ":" + strconv.Itoa(i)
	}
	return out
}

// keysIn returns perSlot keys in each of slots, named with a hash tag.
func keysIn(slots []int, perSlot int) []string {
	var out []string
	for _, slot := range slots {
		for i := 0; ; i++ {
			tag := "t" + strconv.Itoa(i)
			if redisx.HashSlot([]byte(tag)) != slot {
				continue
			}
			for j := range perSlot {
				out = append(out, "{"+tag+"}:"+strconv.Itoa(j))
			}
			break
		}
	}
	return out
}

// valueOf is the value fillKeys writes for key.
func valueOf(key string) string { return "v-" + key }

// fillKeys writes keys through the cluster, each with valueOf(key).
func fillKeys(t *testing.T, addr string, keys []string) {
	t.Helper()
	var cmds [][][]byte
	for _, k := range keys {
		cmds = append(cmds, redisx.Args("SET", k, valueOf(k)))
	}
	for i, v := range pipeline(t, addr, cmds) {
		if v.Kind == resp.KindError {
			t.Fatalf("SET %s: %s", keys[i], v.Str)
		}
	}
}

// verifyKeys checks that every key fillKeys wrote reads back with its
// value through the cluster, and returns how many do.
func verifyKeys(t *testing.T, addr string, keys []string) int {
	t.Helper()
	var cmds [][][]byte
	for _, k := range keys {
		cmds = append(cmds, redisx.Args("GET", k))
	}
	good := 0
	for i, v := range pipeline(t, addr, cmds) {
		if v.Kind == resp.KindBulk && v.Text() == valueOf(keys[i]) {
			good++
		} else {
			t.Errorf("GET %s: %s %q", keys[i], v.Kind, v.Str)
		}
	}
	return good
}

// fill writes the keys prefix:0 .. prefix:n-1.
func fill(t *testing.T, addr, prefix string, n int) {
	t.Helper()
	fillKeys(t, addr, numbered(prefix, n))
}

// verify checks the keys fill wrote and returns how many read back.
func verify(t *testing.T, addr, prefix string, n int) int {
	t.Helper()
	return verifyKeys(t, addr, numbered(prefix, n))
}

// slotsOf returns, for each primary address, the number of slots it
// serves according to the node at addr.
func slotsOf(t *testing.T, s *redistest.Server) map[string]int {
	t.Helper()
	v := s.Do(t, "CLUSTER", "SLOTS")
	out := map[string]int{}
	for _, r := range v.Elems {
		p := r.Elems[2]
		out[p.Elems[0].Text()+":"+strconv.FormatInt(p.Elems[1].Int, 10)] += int(r.Elems[1].Int - r.Elems[0].Int + 1)
	}
	return out
}

// myID returns the cluster ID of s.
func myID(t *testing.T, s *redistest.Server) string {
	t.Helper()
	return s.Do(t, "CLUSTER", "MYID").Text()
}

// waitCheck runs check on addr until it passes, and fails the test with
// the last output when the cluster does not settle in time: after a
// change the nodes agree only once gossip has reached them all.
func waitCheck(t *testing.T, addr string) result {
	t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for {
		r := run(t, opts("check", addr), "", nil)
		if r.code == 0 {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster at %s did not settle in %v:\n%s\n%s", addr, settleTimeout, r.out, r.err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor polls cond until it returns "" (bounded), and fails the test
// with its last answer.
func waitFor(t *testing.T, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v: %s", what, settleTimeout, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rolesSettled reports "" once every node agrees on every node's role
// (the view check and redis-cli print), or what is still in flux.
func rolesSettled(t *testing.T, servers []*redistest.Server) string {
	t.Helper()
	var first string
	for i, s := range servers {
		v, err := s.Call("CLUSTER", "NODES")
		if err != nil {
			return err.Error()
		}
		var roles []string
		for line := range strings.SplitSeq(strings.TrimSpace(v.Text()), "\n") {
			f := strings.Fields(line)
			if len(f) < 4 {
				return "short line"
			}
			flags := strings.ReplaceAll(strings.ReplaceAll(f[2], "myself,", ""), ",nofailover", "")
			if strings.Contains(flags, "fail") || strings.Contains(flags, "handshake") || strings.Contains(flags, "noaddr") {
				return s.Addr() + ": " + line
			}
			roles = append(roles, f[0]+" "+flags+" "+f[3])
		}
		sig := strings.Join(sortStrings(roles), "\n")
		if i == 0 {
			first = sig
		} else if sig != first {
			return s.Addr() + " sees the roles differently"
		}
	}
	return ""
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// keysMoved counts the dots reshard prints, one per key moved, after each
// "Moving slot ... : " line.
func keysMoved(out string) int {
	n := 0
	for line := range strings.SplitSeq(out, "\n") {
		if !strings.HasPrefix(line, "Moving slot ") {
			continue
		}
		if i := strings.LastIndex(line, ": "); i >= 0 {
			n += strings.Count(line[i:], ".")
		}
	}
	return n
}
