package cmd

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// TestClusterCommandLine runs redish -c against one cluster of 3 primaries
// and 3 replicas, shared by the subtests.
func TestClusterCommandLine(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 1)
	seed := cl.Nodes[0]
	c := func(args ...string) []string { return append([]string{"-c", "-p", strconv.Itoa(seed.Port)}, args...) }

	t.Run("RoutesAndRedirectsQuietly", func(t *testing.T) {
		r := runRedish(t, nil, "SET foo bar\nGET foo\nSET bar 1\nINCR bar\n", c()...)
		if r.code != 0 || r.out != "OK\nbar\nOK\n2\n" || r.err != "" {
			t.Fatalf("code %d, out %q, err %q", r.code, r.out, r.err)
		}
	})

	t.Run("Verbose", func(t *testing.T) {
		r := runRedish(t, nil, "", c("--verbose", "GET", "foo")...)
		want := fmt.Sprintf("topology read from %s (CLUSTER SHARDS): 3 primaries, 3 replicas, all 16384 slots covered\n", seed.Addr())
		if r.code != 0 || r.out != "bar\n" || r.err != want {
			t.Fatalf("code %d, out %q, err %q, want err %q", r.code, r.out, r.err, want)
		}
	})

	t.Run("ClusterSeeds", func(t *testing.T) {
		dead := deadPort(t)
		// Without -h/-p, the seeds alone are used: the first is dead, the
		// second answers.
		r := runRedish(t, nil, "", "-c", "--cluster-seed", "127.0.0.1:"+dead, "--cluster-seed", cl.Nodes[4].Addr(), "GET", "foo")
		if r.code != 0 || r.out != "bar\n" {
			t.Fatalf("code %d, out %q, err %q", r.code, r.out, r.err)
		}
	})

	t.Run("MultiKey", func(t *testing.T) {
		in := "MSET a 1 b 2 c 3 d 4\nMGET d c b a nokey\nEXISTS a b c d nokey\nDEL a b c\nSUNIONSTORE x a b\n"
		r := runRedish(t, nil, in, c()...)
		want := "OK\n4\n3\n2\n1\n\n4\n3\n" +
			"CROSSSLOT Keys in request don't hash to the same slot (\"x\": slot 16287, \"a\": slot 15495, \"b\": slot 3300; use a {hash tag} to keep keys together)\n\n"
		if r.code != 0 || r.out != want {
			t.Fatalf("code %d, err %q, out:\n%s\nwant:\n%s", r.code, r.err, r.out, want)
		}
	})

	t.Run("ClusterWide", func(t *testing.T) {
		var in strings.Builder
		in.WriteString("FLUSHALL\n")
		for i := range 20 {
			fmt.Fprintf(&in, "SET wide:%d x\n", i)
		}
		in.WriteString("DBSIZE\n")
		r := runRedish(t, nil, in.String(), c()...)
		if r.code != 0 || !strings.HasSuffix(r.out, "\n20\n") {
			t.Fatalf("code %d, err %q, out %q", r.code, r.err, r.out)
		}
		r = runRedish(t, nil, "", c("KEYS", "wide:*")...)
		keys := strings.Fields(r.out)
		if len(keys) != 20 {
			t.Errorf("KEYS: %d keys, want 20", len(keys))
		}
		r = runRedish(t, nil, "", c("--scan", "--pattern", "wide:1*", "--count", "3")...)
		got := strings.Fields(r.out)
		slices.Sort(got)
		want := []string{"wide:1", "wide:10", "wide:11", "wide:12", "wide:13", "wide:14", "wide:15", "wide:16", "wide:17", "wide:18", "wide:19"}
		if r.code != 0 || !slices.Equal(got, want) {
			t.Errorf("--scan: code %d, err %q, keys %q, want %q", r.code, r.err, got, want)
		}
	})

	t.Run("NodeSelectors", func(t *testing.T) {
		for _, tc := range []struct {
			flags []string
			nodes []*redistest.Server
		}{
			{[]string{"--primaries"}, cl.Nodes[:3]},
			{[]string{"--replicas"}, cl.Nodes[3:]},
			{[]string{"--node", cl.Nodes[4].Addr()}, cl.Nodes[4:5]},
		} {
			t.Run(tc.flags[0], func(t *testing.T) {
				r := runRedish(t, nil, "", c(append(tc.flags, "ECHO", "hi")...)...)
				var want strings.Builder
				for _, n := range tc.nodes {
					role := "primary"
					if slices.Contains(cl.Nodes[3:], n) {
						role = "replica"
					}
					fmt.Fprintf(&want, "%s (%s):\nhi\n", n.Addr(), role)
				}
				if tc.flags[0] == "--node" {
					// A node asked for by address is shown without a role
					// until the topology has been read.
					want.Reset()
					fmt.Fprintf(&want, "%s:\nhi\n", cl.Nodes[4].Addr())
				}
				if r.code != 0 || r.out != want.String() {
					t.Fatalf("code %d, err %q, out:\n%s\nwant:\n%s", r.code, r.err, r.out, want.String())
				}
			})
		}
		t.Run("--all-nodes --json", func(t *testing.T) {
			r := runRedish(t, nil, "", c("--all-nodes", "--json", "DBSIZE")...)
			var got map[string]int
			if err := json.Unmarshal([]byte(r.out), &got); err != nil {
				t.Fatalf("%v in %q (err %q)", err, r.out, r.err)
			}
			if len(got) != 6 {
				t.Errorf("%d nodes in %v, want 6", len(got), got)
			}
			for _, n := range cl.Nodes {
				if _, ok := got[n.Addr()]; !ok {
					t.Errorf("%s missing from %v", n.Addr(), got)
				}
			}
		})
	})

	t.Run("ReadFromReplicas", func(t *testing.T) {
		r := runRedish(t, nil, "SET rr:key v\nWAIT 1 5000\nGET rr:key\n", c("--read-from-replicas", "--verbose")...)
		lines := strings.Split(r.out, "\n")
		if r.code != 0 || len(lines) < 3 || lines[2] != "v" {
			t.Fatalf("code %d, err %q, out %q", r.code, r.err, r.out)
		}
	})

	t.Run("Topology", func(t *testing.T) {
		r := runRedish(t, nil, "", c("--topology")...)
		if r.code != 0 {
			t.Fatalf("code %d, err %q", r.code, r.err)
		}
		lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
		if len(lines) != 10 || !strings.HasPrefix(lines[0], "NODE") {
			t.Fatalf("table:\n%s", r.out)
		}
		header := regexp.MustCompile(`^NODE +ID +ROLE +SLOTS +LINKS +HEALTH +REACHABLE$`)
		if !header.MatchString(lines[0]) {
			t.Errorf("header %q", lines[0])
		}
		for i, n := range cl.Nodes {
			role, links, slots := "replica", "replica of "+cl.Nodes[i%3].Addr(), "-"
			if i < 3 {
				role, links, slots = "primary", "replicas "+cl.Nodes[i+3].Addr(), `\d+-\d+ \(\d+\)`
			}
			// Rows: each primary followed by its replica.
			row := lines[1+2*(i%3)+i/3]
			pattern := fmt.Sprintf(`^%s +[0-9a-f]{8} +%s +%s +%s +online +yes$`,
				regexp.QuoteMeta(n.Addr()), role, slots, regexp.QuoteMeta(links))
			if !regexp.MustCompile(pattern).MatchString(row) {
				t.Errorf("row %q, want %s", row, pattern)
			}
		}
		if want := "3 primaries, 3 replicas; 16384 of 16384 slots covered"; lines[8] != want {
			t.Errorf("summary %q, want %q", lines[8], want)
		}
		r = runRedish(t, nil, "", c("--topology", "--json")...)
		var topo struct {
			Source string
			Nodes  []struct {
				Addr, Role string
				Slots      []string
				Reachable  bool
			}
		}
		if err := json.Unmarshal([]byte(r.out), &topo); err != nil {
			t.Fatalf("%v in %q", err, r.out)
		}
		if topo.Source != seed.Addr() || len(topo.Nodes) != 6 || topo.Nodes[0].Slots[0] != "0-5460" || !topo.Nodes[5].Reachable {
			t.Errorf("JSON topology %+v", topo)
		}
	})

	t.Run("FlagErrors", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--topology"}, "Option --topology needs -c (cluster mode) or --sentinel.\n"},
			{[]string{"--primaries", "PING"}, "Option --primaries needs -c (cluster mode).\n"},
			{c("--primaries", "--replicas", "PING"), "Options --primaries, --replicas, --all-nodes and --node are mutually exclusive.\n"},
			{c("--cluster-error-attempts", "-1", "PING"), "Invalid --cluster-error-attempts -1: must be 0 or more.\n"},
		} {
			t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
				r := runRedish(t, nil, "", tc.args...)
				if r.code != 1 || r.err != tc.want {
					t.Errorf("code %d, err %q, want 1 and %q", r.code, r.err, tc.want)
				}
			})
		}
	})
}

// deadPort returns a loopback port nothing listens on.
func deadPort(t *testing.T) string {
	t.Helper()
	s := redistest.Start(t)
	s.Stop()
	return strconv.Itoa(s.Port)
}

// TestClusterRetryWalkthrough reproduces the product brief's walkthrough:
// the node owning the key's slot is dead; with 6 node-level retries with
// exponential backoff and 1 cluster-level attempt, --verbose shows 7
// connect attempts with exponential waits, one topology refresh, a second
// cycle of 7, and the final outcome.
func TestClusterRetryWalkthrough(t *testing.T) {
	// No replicas and a long node timeout: the slot stays with the dead
	// node for the whole run.
	cl := redistest.StartCluster(t, 3, 0, redistest.WithNodeTimeout(60*time.Second))
	alive, dead := cl.Nodes[0], cl.Nodes[2]
	key := "foo" // slot 12182, served by the third primary
	if cl.NodeForKey(t, key) != dead {
		t.Fatalf("%s is not on %s", key, dead.Addr())
	}
	dead.Kill()
	holdPort(t, dead.Port)

	start := time.Now()
	r := runRedish(t, nil, "", "-c", "-p", strconv.Itoa(alive.Port),
		"--retries", "6", "--retry-backoff", "exponential", "--cluster-error-attempts", "1", "--verbose",
		"GET", key)
	elapsed := time.Since(start)
	t.Logf("redish -c --retries 6 --retry-backoff exponential --cluster-error-attempts 1 --verbose GET foo (%v):\n%s", elapsed.Round(time.Millisecond), r.err)

	refused := "ConnectionError: dial tcp " + dead.Addr() + ": connect: connection refused"
	var want []string
	want = append(want, "topology read from "+alive.Addr()+" (CLUSTER SHARDS): 3 primaries, 0 replicas, all 16384 slots covered")
	cycle := func() {
		for i, w := range []int{16, 32, 64, 128, 256, 512} {
			want = append(want, fmt.Sprintf("retry %d/6 in %dms after %s [exponential]", i+1, w, refused))
		}
		want = append(want, "giving up after 7 attempts: "+refused)
	}
	cycle()
	want = append(want,
		"cluster attempt 2/2 after "+refused+": refreshing topology ("+dead.Addr()+" moved to end of startup nodes)",
		// The refresh counts only the slots of nodes redish can reach.
		"topology refreshed from "+alive.Addr()+" (CLUSTER SHARDS): 3 primaries, 0 replicas, 10923 of 16384 slots served by reachable nodes (unreachable: "+dead.Addr()+")")
	cycle()
	want = append(want,
		"cluster attempt 2/2 failed, giving up: "+refused,
		"Could not connect to Redis at "+dead.Addr()+": Connection refused")
	got := strings.Split(strings.TrimSuffix(r.err, "\n"), "\n")
	if r.code != 1 || r.out != "" || !slices.Equal(got, want) {
		t.Fatalf("code %d, out %q, stderr:\n%s\nwant:\n%s", r.code, r.out, r.err, strings.Join(want, "\n"))
	}
}

// TestClusterFailover streams INCR commands through redish in stdin mode
// while the primary serving the counter is killed: once its replica is
// promoted the stream completes, every INCR redish reported is in the
// counter, and the counter exceeds the reported count by at most the
// number of retries made after the request was sent.
func TestClusterFailover(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 1)
	const key = "failover:counter"
	primary := cl.NodeForKey(t, key)
	var replica *redistest.Server
	for i, n := range cl.Nodes[:3] {
		if n == primary {
			replica = cl.Nodes[3+i]
		}
	}
	s := startStream(t, "-c", "-p", strconv.Itoa(cl.Nodes[0].Port),
		"--retries", "6", "--retry-backoff", "exponential", "--cluster-error-attempts", "30", "--verbose")

	const batch = 50
	s.send(t, strings.Repeat("INCR "+key+"\n", batch))
	first := s.readLines(t, batch)
	// Make sure the replica has every acknowledged write before the
	// primary dies: Redis replicates asynchronously, and a write the
	// replica never saw would be lost by any client.
	waitReplicated(t, primary, replica)
	primary.Kill()
	s.send(t, strings.Repeat("INCR "+key+"\n", batch))
	s.closeInput()
	rest := s.readAll(t)
	code, stderr := s.wait(t)

	lines := append(first, rest...)
	reported := 0
	prev := int64(0)
	for _, l := range lines {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			t.Errorf("unexpected output line %q", l)
			continue
		}
		if n <= prev {
			t.Errorf("counter went from %d to %d", prev, n)
		}
		prev = n
		reported++
	}
	cl.WaitForState(t, "ok")
	final, err := strconv.ParseInt(cl.NodeForKey(t, key).Do(t, "GET", key).Text(), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	sentRetries := strings.Count(stderr, "(request was sent: the command may already have run)")
	t.Logf("exit %d; %d INCR reported, final counter %d, %d retries after sending; --verbose:\n%s",
		code, reported, final, sentRetries, stderr)
	if code != 0 || reported != 2*batch {
		t.Fatalf("exit %d, %d INCR reported, want 0 and %d; stderr:\n%s", code, reported, 2*batch, stderr)
	}
	if final < int64(reported) || prev > final {
		t.Errorf("final counter %d is below the %d INCR reported (last %d)", final, reported, prev)
	}
	if final-int64(reported) > int64(sentRetries) {
		t.Errorf("final counter %d exceeds the %d reported by more than the %d retries after sending", final, reported, sentRetries)
	}
	if !strings.Contains(stderr, "cluster attempt 2/31") || !strings.Contains(stderr, "topology refreshed") {
		t.Errorf("no cluster-level attempt in stderr:\n%s", stderr)
	}
	newPrimary := cl.NodeForKey(t, key)
	if newPrimary != replica {
		t.Errorf("%s serves the key, want the promoted replica %s", newPrimary.Addr(), replica.Addr())
	}

	// The topology view shows the dead node as failed and unreachable,
	// and cluster-wide commands skip it: it serves no slot any more.
	seed := []string{"-c", "-p", strconv.Itoa(replica.Port)}
	r := runRedish(t, nil, "", append(seed, "--topology")...)
	t.Logf("redish -c --topology after the failover:\n%s", r.out)
	row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(primary.Addr()) + ` +[0-9a-f]{8} +primary +none +no replica +fail(ed)? +no: Connection refused$`)
	if r.code != 0 || !row.MatchString(r.out) {
		t.Errorf("--topology: code %d, err %q, no failed row for %s in:\n%s", r.code, r.err, primary.Addr(), r.out)
	}
	// The dead primary counts as failed, not as a primary.
	if summary := "\n3 primaries, 2 replicas, 1 failed node; 16384 of 16384 slots covered\n"; !strings.Contains(r.out, summary) {
		t.Errorf("--topology: no summary %q in:\n%s", summary, r.out)
	}
	if r := runRedish(t, nil, "", append(seed, "DBSIZE")...); r.code != 0 || r.out != "1\n" {
		t.Errorf("DBSIZE after the failover: code %d, out %q, err %q", r.code, r.out, r.err)
	}
}

// waitReplicated waits until the replica's replication offset has reached
// the primary's.
func waitReplicated(t *testing.T, primary, replica *redistest.Server) {
	t.Helper()
	offset := func(s *redistest.Server, field string) string {
		for _, l := range strings.Split(s.Do(t, "INFO", "replication").Text(), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), field+":"); ok {
				return v
			}
		}
		return ""
	}
	want := offset(primary, "master_repl_offset")
	for range 500 {
		if offset(replica, "slave_repl_offset") == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("replica %s did not reach offset %s", replica.Addr(), want)
}

func TestScanStandalone(t *testing.T) {
	s := redistest.Start(t)
	for i := range 15 {
		s.Do(t, "SET", "sc:"+strconv.Itoa(i), "x")
	}
	s.Do(t, "SET", "other", "x")
	r := runRedish(t, nil, "", portArgs(s, "--scan", "--pattern", "sc:1*", "--count", "2")...)
	got := strings.Fields(r.out)
	slices.Sort(got)
	want := []string{"sc:1", "sc:10", "sc:11", "sc:12", "sc:13", "sc:14"}
	if r.code != 0 || !slices.Equal(got, want) {
		t.Errorf("code %d, err %q, keys %q, want %q", r.code, r.err, got, want)
	}
}

// holdPort binds a socket to the loopback port of a killed server without
// listening on it, until the test ends: connecting is still refused, and
// no server another test starts meanwhile can take the port and answer.
func holdPort(t *testing.T, port int) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		// A connection the server closed may keep the port in TIME_WAIT:
		// then it cannot be held, and the test runs as it did before.
		syscall.Close(fd)
		t.Logf("not holding port %d: %v", port, err)
		return
	}
	t.Cleanup(func() { syscall.Close(fd) })
}
