package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// sameAsCLI runs redish and redis-cli with args and fails the test unless
// they print the same bytes on stdout and stderr and exit alike. TERM is
// dumb: on an xterm redis-cli colours the manager's lines even into a
// pipe, where redish does not.
func sameAsCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	env["TERM"] = "dumb"
	got := runBin(t, env, stdin, args...)
	want := runCLI(t, env, stdin, args...)
	if got.out != want.out {
		t.Errorf("%s: stdout differs from redis-cli: %s", strings.Join(args, " "), diffBytes(want.out, got.out))
	}
	if got.err != want.err {
		t.Errorf("%s: stderr differs from redis-cli: %s", strings.Join(args, " "), diffBytes(want.err, got.err))
	}
	if got.code != want.code {
		t.Errorf("%s: exit status %d, redis-cli %d", strings.Join(args, " "), got.code, want.code)
	}
	return got
}

// closedAddr returns an address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestClusterManagerCommandLine checks what needs no cluster: --cluster
// help, --cluster alone, and the errors, against redis-cli.
func TestClusterManagerCommandLine(t *testing.T) {
	closed := closedAddr(t)
	for _, args := range [][]string{
		{"--cluster", "help"},
		{"-p", "1", "--cluster", "help", "--verbose"},
		{"--cluster", "bogus"},
		{"--cluster", "check"},
		{"--cluster", "check", "nocolon"},
		{"--cluster", "check", closed},
		{"--cluster", "info", "127.0.0.1", strings.Split(closed, ":")[1]},
		{"--cluster", "check", "--cluster-search-multiple-owners", closed},
		{"--cluster", "set-timeout", closed, "10"},
		{"--cluster", "import", closed},
		{"--cluster", "create", closed, closed, closed},
		{"--cluster", "call", closed, "PING"},
		{"--cluster", "reshard", closed, "--cluster-slot", "5"},
		{"--cluster", "info", closed, "--bogus", "x"},
	} {
		// In parallel: a refused connection is retried (the manager's
		// own policy) before it fails.
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := sameAsCLI(t, nil, "", args...)
			if r.code != 1 {
				t.Errorf("exit status %d, want 1", r.code)
			}
		})
	}

	// --cluster alone: the usage on stderr, exit 1, as redis-cli.
	got, want := runBin(t, nil, "", "--cluster"), runCLI(t, nil, "", "--cluster")
	if got.code != 1 || want.code != 1 || got.out != "" || want.out != "" || !strings.Contains(got.err, "Usage:") || !strings.Contains(got.err, "--cluster SUBCOMMAND") {
		t.Errorf("--cluster alone: redish %d %q, redis-cli %d %q\n%s", got.code, got.out, want.code, want.out, got.err)
	}

	// Where redis-cli ignores a word, redish says so.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cluster-yes", "PING"}, "Option --cluster-yes needs --cluster SUBCOMMAND (the cluster manager).\n"},
		{[]string{"--cluster", "rebalance", closed, "--cluster-weight"}, "Option --cluster-weight needs NODE=WEIGHT values (for example --cluster-weight 3f2a=2 9c81=0.5).\n"},
		{[]string{"--cluster", "call", closed, "PING", "--cluster-only-masters", "extra"}, "Unexpected argument \"extra\": the arguments of --cluster call come right after it, before the options.\n"},
		{[]string{"--cluster", "reshard", closed, "--cluster-pipeline", "0"}, "Invalid --cluster-pipeline 0: must be 1 or more.\n"},
		{[]string{"--cluster", "set-timeout", closed, "99999999999999999999"}, "Invalid node timeout 99999999999999999999: at most 2147483647 milliseconds.\n"},
		{[]string{"--cluster", "rebalance", closed, "--cluster-threshold", "0"}, "Invalid --cluster-threshold 0: must be more than 0 (a percentage, such as 0.5).\n"},
		{[]string{"--cluster", "reshard", closed, "--cluster-slots", "16385"}, "Invalid --cluster-slots 16385: must be from 1 to 16384.\n"},
		{[]string{"--cluster", "call", closed, "PING", "--cluster-only-masters", "--cluster-only-replicas"}, "Options --cluster-only-masters and --cluster-only-replicas are mutually exclusive.\n"},
		{[]string{"--cluster", "add-node", closed, closed, "--cluster-master-id", "x"}, "[ERR] --cluster-master-id adds the node as a replica: give --cluster-slave (or --cluster-replica) too.\n"},
		{[]string{"--cluster", "import", closed, "--cluster-from", ""}, "Option --cluster-from was given an empty value: give a value, or leave the option out.\n"},
		{[]string{"--cluster", "check", closed, "--cluster", "info"}, "Usage:"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runBin(t, nil, "", tc.args...)
			if r.code != 1 || !strings.Contains(r.err, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", r.code, r.err, tc.want)
			}
		})
	}
}

// TestClusterManagerMatchesRedisCLI compares check, info, call and the
// other read-only runs with redis-cli's on one cluster, with the options
// where redis-cli takes them: before --cluster, after the subcommand's
// arguments, and the address as one word or two.
func TestClusterManagerMatchesRedisCLI(t *testing.T) {
	c := redistest.StartCluster(t, 3, 1)
	a := c.Nodes[0]
	addr, port := a.Addr(), strconv.Itoa(a.Port)
	var cmds [][][]byte
	for i := range 200 {
		cmds = append(cmds, redisx.Args("SET", "k:"+strconv.Itoa(i), "v"))
	}
	cc, err := redisx.NewClusterClient(redisx.ClusterOptions{Seeds: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	if err := cc.Pipeline(t.Context(), cmds, func(int, resp.Value, error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	waitForRoles(t, c)
	id := c.Nodes[2].Do(t, "CLUSTER", "MYID").Text()
	for _, args := range [][]string{
		{"--cluster", "check", addr},
		{"--cluster", "info", addr},
		{"--cluster", "check", "127.0.0.1", port},
		{"--cluster", "check", "--cluster-search-multiple-owners", addr},
		{"--verbose", "--cluster", "info", c.Nodes[4].Addr()},
		{"--cluster", "call", addr, "DBSIZE"},
		{"-d", ",", "--cluster", "call", addr, "CONFIG", "GET", "cluster-*-timeout"},
		{"--cluster", "call", addr, "ROLE", "--cluster-only-replicas"},
		{"--cluster", "call", addr, "NOSUCH"},
		{"--cluster", "rebalance", addr, "--cluster-weight", id[:6] + "=3", "--cluster-simulate"},
		{"--cluster", "rebalance", addr, "--cluster-threshold", "5"},
		{"--cluster", "reshard", addr, "--cluster-to", "nosuch", "--cluster-slots", "5", "--cluster-from", "all"},
		{"--cluster", "del-node", addr, "0000000000000000000000000000000000000000"},
	} {
		sameAsCLI(t, nil, "", args...)
	}
	// -x and -X give the subcommand an argument from stdin, as redis-cli.
	for _, args := range [][]string{
		{"-x", "--cluster", "call", addr, "GET", "--cluster-only-masters"},
		{"-X", "TAG", "--cluster", "call", addr, "GET", "TAG", "--cluster-only-masters"},
	} {
		if r := sameAsCLI(t, nil, "k:7", args...); !strings.Contains(r.out, ": v\n") {
			t.Errorf("%s: no node answered GET k:7\n%s", strings.Join(args, " "), r.out)
		}
	}
	// A plan refused: reshard prints it and stops (exit 1), as redis-cli.
	r := sameAsCLI(t, nil, "no\n", "--cluster", "reshard", addr, "--cluster-from", "all", "--cluster-to", id, "--cluster-slots", "3")
	if r.code != 1 || !strings.HasSuffix(r.out, "Do you want to proceed with the proposed reshard plan (yes/no)? ") {
		t.Errorf("reshard answered no: %d\n%s", r.code, r.out)
	}

	// --json: one document, the exit status of check.
	for _, sub := range []string{"check", "info"} {
		r := runBin(t, nil, "", "--cluster", sub, addr, "--json")
		var rep struct {
			Nodes []struct {
				Role string `json:"role"`
			} `json:"nodes"`
			Keys  int `json:"keys"`
			Check *struct {
				OK bool `json:"ok"`
			} `json:"check"`
		}
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil || r.code != 0 || r.err != "" {
			t.Fatalf("--cluster %s --json: %d %v\n%s%s", sub, r.code, err, r.out, r.err)
		}
		if len(rep.Nodes) != 6 || rep.Keys != 200 || (sub == "check") != (rep.Check != nil) || (rep.Check != nil && !rep.Check.OK) {
			t.Errorf("--cluster %s --json:\n%s", sub, r.out)
		}
	}
}

// waitForRoles waits until every node of c sees the same roles as every
// other: until then two runs may print different views.
func waitForRoles(t *testing.T, c *redistest.Cluster) {
	t.Helper()
	redistest.WaitUntil(t, 30*time.Second, "the nodes to agree on the roles", func() bool {
		var first string
		for i, n := range c.Nodes {
			v, err := n.Call("CLUSTER", "NODES")
			if err != nil {
				return false
			}
			var roles []string
			for line := range strings.SplitSeq(strings.TrimSpace(v.Text()), "\n") {
				f := strings.Fields(line)
				if len(f) < 4 {
					return false
				}
				roles = append(roles, f[0]+" "+strings.TrimPrefix(f[2], "myself,")+" "+f[3])
			}
			sig := strings.Join(sortedCopy(roles), "\n")
			if i == 0 {
				first = sig
			} else if sig != first {
				return false
			}
		}
		return true
	})
}

func sortedCopy(s []string) []string {
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

// TestClusterManagerStoppedReshard stops a reshard through the binary in
// the middle of a slot, by SIGKILL (a crash) and by Ctrl-C: each time
// check reports the slot left open, fix closes it, and no key is lost.
// The move is held in MIGRATE by the source's proxy, so the stop always
// lands while the slot is open. Before that, a reshard through a proxy
// that answers TRYAGAIN to MIGRATE succeeds under the manager's own
// retries, shown with --verbose.
func TestClusterManagerStoppedReshard(t *testing.T) {
	var mu sync.Mutex
	proxies := map[int]*faultproxy.Proxy{}
	c := redistest.StartCluster(t, 3, 0, redisproc.WithAnnounce(func(s *redisproc.Server) (string, error) {
		p := faultproxy.New(t, s.Addr())
		mu.Lock()
		proxies[s.Port] = p
		mu.Unlock()
		return p.Addr(), nil
	}))
	a, b := c.Nodes[0], c.Nodes[1]
	pa := proxies[a.Port]
	addr := pa.Addr()
	aID, bID := a.Do(t, "CLUSTER", "MYID").Text(), b.Do(t, "CLUSTER", "MYID").Text()
	// 20 keys in each of a's first 40 slots, which the reshards move.
	var keys []string
	for slot := range 40 {
		for i := 0; ; i++ {
			tag := "t" + strconv.Itoa(i)
			if redisx.HashSlot([]byte(tag)) == slot {
				for j := range 20 {
					keys = append(keys, "{"+tag+"}:"+strconv.Itoa(j))
				}
				break
			}
		}
	}
	cc, err := redisx.NewClusterClient(redisx.ClusterOptions{Seeds: []string{addr}, ErrorAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	var cmds [][][]byte
	for _, k := range keys {
		cmds = append(cmds, redisx.Args("SET", k, "v-"+k))
	}
	if err := cc.Pipeline(t.Context(), cmds, func(i int, v resp.Value, err error) error { return err }); err != nil {
		t.Fatal(err)
	}
	reshard := []string{"--cluster", "reshard", addr, "--cluster-from", aID, "--cluster-to", bID, "--cluster-slots", "10", "--cluster-pipeline", "5"}

	t.Run("TRYAGAIN under the default retries", func(t *testing.T) {
		pa.Set(faultproxy.ErrorReply("TRYAGAIN Multiple keys request during rehashing of slot").On("MIGRATE").Every(3))
		r := runBin(t, map[string]string{"REDISCLI_CLUSTER_YES": "1"}, "", append(reshard, "--verbose")...)
		pa.Set(faultproxy.Pass())
		if r.code != 0 || !strings.Contains(r.err, "MIGRATE (5 keys): retry 1/3 in 200ms after TryAgainError") {
			t.Fatalf("reshard: %d\n%s\n%s", r.code, r.out, r.err)
		}
		waitManagerCheck(t, addr)
		verifyKeys(t, cc, keys)
	})

	for _, stop := range []struct {
		name   string
		signal os.Signal
		code   int
		says   string
	}{
		{"SIGKILL", syscall.SIGKILL, -1, ""},
		{"Ctrl-C", os.Interrupt, 130, "is left open: run --cluster fix " + addr + " to close it.\nInterrupted while running --cluster reshard."},
	} {
		t.Run(stop.name, func(t *testing.T) {
			var n, held sync.Mutex
			migrates := 0
			stalled := make(chan struct{})
			held.Lock()
			pa.Set(faultproxy.Func(func(r faultproxy.Request) faultproxy.Fault {
				if r.Command != "MIGRATE" {
					return faultproxy.Pass()
				}
				n.Lock()
				defer n.Unlock()
				if migrates++; migrates == 3 {
					close(stalled)
				}
				if migrates >= 3 {
					return faultproxy.Stall()
				}
				return faultproxy.Pass()
			}))
			ctx, cancel := context.WithTimeout(t.Context(), binTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, redishBin, append(reshard, "--cluster-yes")...)
			cmd.Env = []string{"HOME=" + t.TempDir()}
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-stalled:
			case <-ctx.Done():
				t.Fatalf("the reshard never reached its third MIGRATE:\n%s\n%s", out.String(), errOut.String())
			}
			cmd.Process.Signal(stop.signal)
			err := cmd.Wait()
			pa.Set(faultproxy.Pass())
			pa.ResetConns()
			code := cmd.ProcessState.ExitCode()
			if code != stop.code || (stop.says != "" && !strings.Contains(errOut.String(), stop.says)) {
				t.Errorf("stopped reshard: %v, status %d\n%s\n%s", err, code, out.String(), errOut.String())
			}
			r := runBin(t, nil, "", "--cluster", "check", addr)
			if r.code != 1 || !strings.Contains(r.out, "[WARNING] Node "+addr+" has slots in migrating state ") {
				t.Errorf("check after the stop: %d\n%s", r.code, r.out)
			}
			r = runBin(t, nil, "", "--cluster", "fix", addr)
			if r.code != 0 || !strings.Contains(r.out, ">>> Fixing open slot ") {
				t.Errorf("fix: %d\n%s\n%s", r.code, r.out, r.err)
			}
			waitManagerCheck(t, addr)
			verifyKeys(t, cc, keys)
		})
	}
}

// waitManagerCheck runs --cluster check until it passes: after a change
// the nodes agree only once gossip has reached them all.
func waitManagerCheck(t *testing.T, addr string) {
	t.Helper()
	var last result
	redistest.WaitUntil(t, 30*time.Second, "a passing --cluster check", func() bool {
		last = runBin(t, nil, "", "--cluster", "check", addr)
		return last.code == 0
	})
}

// verifyKeys checks that every key reads back with its value.
func verifyKeys(t *testing.T, cc *redisx.ClusterClient, keys []string) {
	t.Helper()
	var cmds [][][]byte
	for _, k := range keys {
		cmds = append(cmds, redisx.Args("GET", k))
	}
	good := 0
	err := cc.Pipeline(t.Context(), cmds, func(i int, v resp.Value, err error) error {
		if err == nil && v.Text() == "v-"+keys[i] {
			good++
		}
		return nil
	})
	if err != nil || good != len(keys) {
		t.Errorf("%d of %d keys read back (%v)", good, len(keys), err)
	}
}

// TestSplitManager checks how --cluster is read among the options, as
// redis-cli reads it.
func TestSplitManager(t *testing.T) {
	fs := NewRootForDocs().Flags()
	for _, tc := range []struct {
		argv string
		rest string // the options left for the parser, "|" between words
		sub  string
		args string
		err  string
	}{
		{argv: "--cluster check 127.0.0.1:7000", sub: "check", args: "127.0.0.1:7000"},
		{argv: "-a pw --cluster check h 7000 --cluster-search-multiple-owners --verbose", rest: "-a|pw|--cluster-search-multiple-owners|--verbose", sub: "check", args: "h|7000"},
		{argv: "--cluster check --cluster-yes h:1", rest: "--cluster-yes", sub: "check", args: "h:1"},
		{argv: "-p 7000 --cluster call h:1 CONFIG GET x -d ,", rest: "-p|7000|-d|,", sub: "call", args: "h:1|CONFIG|GET|x"},
		{argv: "-p7000 -e --cluster info h:1", rest: "-p7000|-e", sub: "info", args: "h:1"},
		{argv: "--cluster rebalance h:1 --cluster-weight a=1 b=2 --cluster-simulate", rest: "--cluster-weight|a=1|--cluster-weight|b=2|--cluster-simulate", sub: "rebalance", args: "h:1"},
		{argv: "--cluster rebalance h:1 --cluster-weight --cluster-simulate", err: "Option --cluster-weight needs NODE=WEIGHT"},
		{argv: "--cluster call h:1 PING --cluster-only-masters extra", err: `Unexpected argument "extra"`},
		{argv: "--cluster check h:1 --cluster info", err: "--cluster is given twice"},
		{argv: "--cluster", sub: ""},
		{argv: "-h --cluster PING", rest: "-h|--cluster|PING"},
		{argv: "GET --cluster", rest: "GET|--cluster"},
		{argv: "-c GET k", rest: "-c|GET|k"},
		{argv: "lab --cluster", rest: "lab|--cluster"},
		{argv: "-- --cluster check", rest: "--|--cluster|check"},
	} {
		rest, m, err := splitManager(fs, strings.Fields(tc.argv))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.argv, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.argv, err)
			continue
		}
		wantGiven := strings.Contains(tc.argv, "--cluster ") && tc.sub != "" || tc.argv == "--cluster"
		if got := strings.Join(rest, "|"); got != tc.rest || m.given != wantGiven || m.sub != tc.sub || strings.Join(m.args, "|") != tc.args {
			t.Errorf("%q: rest %q given %v sub %q args %q; want %q %v %q %q", tc.argv, got, m.given, m.sub, strings.Join(m.args, "|"), tc.rest, wantGiven, tc.sub, tc.args)
		}
	}
}
