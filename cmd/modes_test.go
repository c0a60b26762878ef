package cmd

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// The tests in this file run the modes of issue 14 through the binary and
// compare them with redis-cli on the same server.

// spectrumLine is one line of --latency-dist on a terminal: black text,
// 31 buckets each on its background colour.
var spectrumLine = regexp.MustCompile(`\x1b\[38;5;0m(\x1b\[48;5;\d+m[-.*#1-9A-Q?]){31}\x1b\[0m`)

// latencyDistLegend is the legend both print on a terminal.
const latencyDistLegend = "---------------------------------------------\r\n" +
	". - * #          .01 .125 .25 .5 milliseconds\r\n" +
	"1,2,3,...,9      from 1 to 9     milliseconds\r\n" +
	"A,B,C,D,E        10,20,30,40,50  milliseconds\r\n" +
	"F,G,H,I,J        .1,.2,.3,.4,.5       seconds\r\n" +
	"K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\r\n" +
	"From 0 to 100%: \x1b[48;5;0m \x1b[48;5;233m \x1b[48;5;234m \x1b[48;5;235m \x1b[48;5;237m \x1b[48;5;239m \x1b[48;5;241m \x1b[48;5;243m \x1b[48;5;245m \x1b[48;5;247m \x1b[48;5;144m \x1b[48;5;143m \x1b[48;5;142m \x1b[48;5;184m \x1b[48;5;226m \x1b[48;5;214m \x1b[48;5;208m \x1b[48;5;202m \x1b[48;5;196m \x1b[0m\r\n" +
	"---------------------------------------------\r\n"

// TestLatencyDistMatchesRedisCLI runs --latency-dist in a terminal with
// redis-cli and redish: the same legend, byte for byte, then spectrum
// lines of the same shape every -i seconds, until Ctrl-C.
func TestLatencyDistMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	args := []string{"-p", strconv.Itoa(s.Port), "--latency-dist", "-i", "0.3"}
	for _, tc := range []struct {
		name string
		bin  string
	}{
		{"redis-cli", redistest.RedisCLI(t)},
		{"redish", redishBin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := startTermBin(t, tc.bin, []string{"NO_COLOR="}, args...)
			tm.wait(latencyDistLegend)
			for range 2 {
				tm.wait("\x1b[0m\r\n")
			}
			lines := strings.Split(tm.screen(), "\r\n")
			if got := spectrumLine.FindAllString(tm.screen(), -1); len(got) < 2 {
				t.Fatalf("spectrum lines %q in:\n%q", got, lines)
			}
			tm.typeText("\x03")
			code := tm.exit()
			if tc.name == "redish" && code != 130 {
				t.Errorf("exit code %d after Ctrl-C, want 130", code)
			}
		})
	}
	t.Run("mono", func(t *testing.T) {
		tm := startTermBin(t, redishBin, []string{"NO_COLOR="}, append(args, "--mono")...)
		tm.wait("From 0 to 100%: \x1b[48;5;0m \x1b[48;5;233m \x1b[48;5;234m \x1b[48;5;235m \x1b[48;5;237m \x1b[48;5;239m \x1b[48;5;241m \x1b[48;5;243m \x1b[48;5;245m \x1b[48;5;247m \x1b[48;5;249m \x1b[48;5;251m \x1b[48;5;253m \x1b[0m\r\n")
		tm.wait("\x1b[0m\r\n")
		tm.typeText("\x03")
		tm.exit()
	})
	t.Run("plain off a terminal", func(t *testing.T) {
		cmd := exec.Command(redishBin, args...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		rd := bufio.NewReader(out)
		var lines []string
		sample := regexp.MustCompile(`^[0-9]+ samples?: [-.*#1-9A-Q?] [0-9]+\.[0-9]%(, [-.*#1-9A-Q?] [0-9]+\.[0-9]%)*$`)
		for len(lines) < 9 {
			l, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("after %q: %v", lines, err)
			}
			lines = append(lines, strings.TrimSuffix(l, "\n"))
		}
		if want := strings.ReplaceAll(strings.Split(latencyDistLegend, "From")[0], "\r\n", "\n"); strings.Join(lines[:6], "\n")+"\n" != want {
			t.Errorf("legend:\n%s", strings.Join(lines[:7], "\n"))
		}
		for _, l := range lines[7:] {
			if !sample.MatchString(l) {
				t.Errorf("line %q", l)
			}
		}
		cmd.Process.Signal(syscall.SIGINT)
		err = cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 130 || errOut.String() != "Interrupted during --latency-dist.\n" {
			t.Errorf("exit %d (%v), stderr %q", code, err, errOut.String())
		}
	})
}

// TestIntrinsicLatencyMatchesRedisCLI: the same report, in the same
// words, with no server (the port is dead), exit 0.
func TestIntrinsicLatencyMatchesRedisCLI(t *testing.T) {
	dead := deadPort(t)
	shape := regexp.MustCompile(`^(Max latency so far: [1-9][0-9]* microseconds\.\n)+\n[1-9][0-9]* total runs \(avg latency: [0-9]+\.[0-9]{4} microseconds / [0-9]+\.[0-9]{2} nanoseconds per run\)\.\nWorst run took [0-9]+x longer than the average latency\.\n$`)
	want := runCLI(t, nil, "", "-p", dead, "--intrinsic-latency", "1")
	got := runBinary(t, "", "-p", dead, "--intrinsic-latency", "1")
	for _, r := range []result{want, got} {
		if r.code != 0 || r.err != "" || !shape.MatchString(r.out) {
			t.Errorf("code %d, stderr %q, stdout:\n%s", r.code, r.err, r.out)
		}
	}
	for _, tc := range []struct{ arg, err string }{
		{"-1", "Invalid --intrinsic-latency -1: seconds must be 0 or more.\n"},
		{"x", "--intrinsic-latency: \"x\" must be an integer\n"},
	} {
		r := runBinary(t, "", "--intrinsic-latency", tc.arg)
		if r.code != 1 || r.err != tc.err || r.out != "" {
			t.Errorf("--intrinsic-latency %s: code %d, stderr %q, stdout %q", tc.arg, r.code, r.err, r.out)
		}
	}
}

// runBinary runs the redish binary with stdin and returns what it printed.
func runBinary(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(redishBin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out: out.String(), err: errOut.String(), code: code}
}

// TestHotKeysMatchesRedisCLI: --hotkeys on a server with an LFU policy,
// and without one, as redis-cli prints it; with -c on a cluster, every
// primary is scanned.
func TestHotKeysMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t, redistest.WithConfig("maxmemory-policy", "allkeys-lfu"), redistest.WithConfig("lfu-log-factor", "0"))
	for i := range 40 {
		k := "hot:" + strconv.Itoa(i)
		s.Do(t, "SET", k, "v")
		for range i % 23 {
			s.Do(t, "GET", k)
		}
	}
	for _, args := range [][]string{
		{"--hotkeys"},
		{"--hotkeys", "--pattern", "hot:2*"},
	} {
		want := runCLI(t, nil, "", portArgs(s, args...)...)
		got := runRedish(t, nil, "", portArgs(s, args...)...)
		if got != want || !strings.Contains(got.out, "hot key found with counter: 27\tkeyname: \"hot:22\"\n") {
			t.Errorf("%q: redish %d\n%s%q\nredis-cli %d\n%s%q", args, got.code, got.out, got.err, want.code, want.out, want.err)
		}
	}
	s.Do(t, "CONFIG", "SET", "maxmemory-policy", "noeviction")
	want := runCLI(t, nil, "", portArgs(s, "--hotkeys")...)
	got := runRedish(t, nil, "", portArgs(s, "--hotkeys")...)
	if got != want || got.code != 1 || !strings.HasPrefix(got.err, "Error: ERR An LFU maxmemory policy is not selected") {
		t.Errorf("without LFU: redish %d %q %q, redis-cli %d %q %q", got.code, got.out, got.err, want.code, want.out, want.err)
	}

	t.Run("cluster", func(t *testing.T) {
		cl := redistest.StartCluster(t, 3, 0, redistest.WithConfig("maxmemory-policy", "allkeys-lfu"), redistest.WithConfig("lfu-log-factor", "0"))
		keys := []string{"foo", "bar", "baz"} // in slots of three primaries
		for i, k := range keys {
			n := cl.NodeForKey(t, k)
			n.Do(t, "SET", k, "v")
			for range 10 * (i + 1) {
				n.Do(t, "GET", k)
			}
		}
		r := runRedish(t, nil, "", "-c", "-p", strconv.Itoa(cl.Nodes[0].Port), "--hotkeys")
		want := "Sampled 3 keys in the keyspace!\n" +
			"hot key found with counter: 35\tkeyname: \"baz\"\n" +
			"hot key found with counter: 25\tkeyname: \"bar\"\n" +
			"hot key found with counter: 15\tkeyname: \"foo\"\n"
		if r.code != 0 || !strings.HasSuffix(r.out, want) {
			t.Errorf("code %d, stderr %q, stdout:\n%s", r.code, r.err, r.out)
		}
	})
}

// lruLine is a line of --lru-test.
var lruLine = regexp.MustCompile(`^[0-9]+ Gets/sec \| Hits: [0-9]+ \([0-9]+\.[0-9]{2}%\) \| Misses: [0-9]+ \([0-9]+\.[0-9]{2}%\)$`)

// TestLRUTestMatchesRedisCLI runs --lru-test with both on a server with an
// eviction policy: lines of the same shape every second, until Ctrl-C;
// the keys are lru:N.
func TestLRUTestMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t, redistest.WithConfig("maxmemory", "2mb"), redistest.WithConfig("maxmemory-policy", "allkeys-lru"))
	for _, bin := range []string{redistest.RedisCLI(t), redishBin} {
		t.Run(filepath.Base(bin), func(t *testing.T) {
			tm := startTermBin(t, bin, nil, "-p", strconv.Itoa(s.Port), "--lru-test", "100000")
			tm.wait(")\r\n")
			tm.wait(")\r\n")
			tm.typeText("\x03")
			tm.exit()
			var lines []string
			for _, l := range strings.Split(tm.screen(), "\r\n") {
				if strings.Contains(l, "Gets/sec") {
					lines = append(lines, l)
				}
			}
			if len(lines) < 2 {
				t.Fatalf("lines %q", lines)
			}
			for _, l := range lines {
				if !lruLine.MatchString(l) {
					t.Errorf("line %q", l)
				}
			}
		})
	}
	if v := s.Do(t, "RANDOMKEY"); !strings.HasPrefix(v.Text(), "lru:") {
		t.Errorf("RANDOMKEY %q", v.Str)
	}
	r := runBinary(t, "", "-p", strconv.Itoa(s.Port), "--lru-test", "0")
	if r.code != 1 || r.err != "Invalid --lru-test 0: the number of keys must be 1 or more.\n" {
		t.Errorf("--lru-test 0: %d %q", r.code, r.err)
	}
}

const ldbScript = `local a = 1
local b = redis.call('INCR', KEYS[1])
redis.debug('b is', b)
local c = a + b
return c
`

// TestLDBMatchesRedisCLI runs debugging sessions with the commands read
// from stdin through both: the same bytes, colours included under an
// xterm; then a session in a terminal.
func TestLDBMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "s.lua")
	if err := os.WriteFile(file, []byte(ldbScript), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		input string
	}{
		{"forked", map[string]string{"TERM": "dumb"}, []string{"--ldb"},
			"s\np\nb 4\nc\np a\nm 3\nr GET k\ne return 1+1\nl\nw\nt\nnosuch\nc\nGET k\nrestart\ns\nabort\nquit\n"},
		{"synchronous", map[string]string{"TERM": "dumb"}, []string{"--ldb-sync-mode"}, "c\nGET k\n"},
		{"colours", map[string]string{"TERM": "xterm"}, []string{"--ldb"}, "s\np\nb 4\nc\nr GET k\ne return 1+1\nnosuch\nh\nc\n"},
		{"delimiters", map[string]string{"TERM": "dumb"}, []string{"--ldb", "-d", "|", "-D", "#"}, "s\nl\nc\n"},
		{"database", map[string]string{"TERM": "dumb"}, []string{"--ldb", "-n", "2"}, "c\nGET k\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(portArgs(s, tc.args...), "--eval", file, "k", ",", "x")
			s.Do(t, "FLUSHALL")
			s.Do(t, "SET", "k", "10")
			want := runCLI(t, tc.env, tc.input, args...)
			s.Do(t, "FLUSHALL")
			s.Do(t, "SET", "k", "10")
			got := runRedish(t, tc.env, tc.input, args...)
			if got != want {
				t.Errorf("redish %d %q\n%s\nredis-cli %d %q\n%s", got.code, got.err, got.out, want.code, want.err, want.out)
			}
			if len(got.out) < 300 {
				t.Errorf("a short session:\n%s", got.out)
			}
		})
	}
	r := runRedish(t, nil, "", portArgs(s, "--ldb", "PING")...)
	want := runCLI(t, nil, "", portArgs(s, "--ldb", "PING")...)
	first := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
	if r.code != 1 || r.code != want.code || r.out != "" || first(r.err) != first(want.err) ||
		r.err != "Options --ldb and --ldb-sync-mode require --eval.\nTry redish --help for more information.\n" {
		t.Errorf("--ldb without --eval: redish %+v, redis-cli %+v", r, want)
	}

	t.Run("terminal", func(t *testing.T) {
		s.Do(t, "SET", "k", "10")
		tm := startTerm(t, nil, append(portArgs(s, "--ldb"), "--eval", file, "k", ",", "x")...)
		tm.wait("help    -- Show Lua script debugging commands.")
		tm.wait("-> 1   local a = 1")
		tm.wait("lua debugger> ")
		tm.run("step", "-> 2   local b = redis.call('INCR', KEYS[1])")
		tm.run("print", "<value> a = 1")
		tm.run("break 5", "#5   return c")
		tm.run("continue", "* Stopped at 5, stop reason = break point")
		tm.run("eval return 5 * 2", "<retval> 10")
		tm.run("redis GET k", `<reply> "11"`)
		tm.run("maxlen 70", "<value> replies are truncated at 70 bytes.")
		tm.run("print c", "<value> 12")
		tm.run("continue", "(integer) 12")
		tm.wait("(Lua debugging session ended -- dataset changes rolled back)")
		tm.wait(prompt(s))
		tm.run("GET k", `"10"`)
		tm.run("help", "To get help about Redis commands type:")
		tm.run("restart", "Lua debugging session started, please use:")
		tm.wait("lua debugger> ")
		tm.run("abort", "(error) ERR script aborted for user request")
		tm.wait(prompt(s))
		tm.enter("quit")
		if code := tm.exit(); code != 0 {
			t.Errorf("exit code %d", code)
		}
	})
}

// TestClusterModeOnAnyServer: -c against servers that give no topology
// works as redis-cli -c does, with one --verbose line saying so.
func TestClusterModeOnAnyServer(t *testing.T) {
	t.Run("standalone", func(t *testing.T) {
		s := redistest.Start(t)
		in := "SET foo bar\nMSET a 1 b 2\nMGET a b foo\nDBSIZE\nKEYS *\nMULTI\nINCR a\nINCR b\nEXEC\n"
		want := runCLI(t, nil, in, portArgs(s, "-c")...)
		s.Do(t, "FLUSHALL")
		got := runRedish(t, nil, in, portArgs(s, "-c")...)
		got.out, want.out = sortLines(got.out), sortLines(want.out)
		if got != want || got.code != 0 {
			t.Errorf("redish %+v\nredis-cli %+v", got, want)
		}
		r := runRedish(t, nil, "", portArgs(s, "-c", "--verbose", "GET", "foo")...)
		wantErr := "no cluster topology: " + s.Addr() + " (CLUSTER SLOTS: ERR This instance has cluster support disabled); sending commands to " + s.Addr() + " and following MOVED and ASK redirects\n"
		if r.code != 0 || r.out != "bar\n" || r.err != wantErr {
			t.Errorf("--verbose: %+v", r)
		}
		r = runRedish(t, nil, "", portArgs(s, "-c", "--scan")...)
		if r.code != 0 || sortLines(r.out) != "a\nb\nfoo\n" {
			t.Errorf("--scan: %+v", r)
		}
		r = runRedish(t, nil, "", portArgs(s, "-c", "--primaries", "PING")...)
		if r.code != 1 || !strings.Contains(r.err, "cannot read the cluster topology from "+s.Addr()) {
			t.Errorf("--primaries: %+v", r)
		}
	})
	t.Run("shell", func(t *testing.T) {
		s := redistest.Start(t)
		tm := startTerm(t, nil, portArgs(s, "-c")...)
		tm.wait("cluster " + s.Addr() + "> ")
		tm.run("MSET a 1 b 2", "OK")
		tm.run("DBSIZE", "(integer) 2")
		tm.wait("cluster " + s.Addr() + "> ")
		tm.enter("quit")
		if code := tm.exit(); code != 0 || strings.Contains(tm.screen(), "not connected") || strings.Contains(tm.screen(), "Error") {
			t.Errorf("exit %d", code)
		}
	})
	t.Run("ASK from scripted nodes", func(t *testing.T) {
		// The redis-cli test suite's ASK scenario: p1 answers SET foo bar
		// with -ASK, p2 expects ASKING then the command.
		p2 := scriptedNode(t, "ASKING", "+OK", "SET foo bar", "+OK")
		p1 := scriptedNode(t, "SET foo bar", "-ASK 12182 "+p2.addr)
		want := runCLI(t, nil, "", "-c", "-p", p1.port(), "SET", "foo", "bar")
		got := runRedish(t, nil, "", "-c", "-p", p1.port(), "SET", "foo", "bar")
		if got != want || got.out != "OK\n" {
			t.Errorf("redish %+v\nredis-cli %+v", got, want)
		}
		if u := p2.unexpected(); len(u) != 0 {
			t.Errorf("%s did not expect %q", p2.addr, u)
		}
	})
	t.Run("MOVED from scripted nodes", func(t *testing.T) {
		p2 := scriptedNode(t, "GET foo", "$3\r\nbar")
		p1 := scriptedNode(t, "GET foo", "-MOVED 12182 "+p2.addr)
		want := runCLI(t, nil, "", "-c", "-p", p1.port(), "GET", "foo")
		got := runRedish(t, nil, "", "-c", "-p", p1.port(), "GET", "foo")
		if got != want || got.out != "bar\n" {
			t.Errorf("redish %+v\nredis-cli %+v", got, want)
		}
	})
}

// sortLines sorts the lines of s: KEYS and --scan list keys in no set
// order.
func sortLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && lines[j] < lines[j-1]; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// scripted is a node replaying a fixed exchange on every connection, as
// the redis-cli test suite's fake_redis_node.tcl does: the commands it
// expects in order and its reply to each (RESP without the final CRLF);
// an unexpected command gets -ERR and the connection is closed.
type scripted struct {
	addr string

	mu    sync.Mutex
	wrong []string
}

func scriptedNode(t *testing.T, script ...string) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &scripted{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				rd := bufio.NewReader(c)
				for i := 0; i+1 < len(script); i += 2 {
					cmd, err := readCommand(rd)
					if err != nil {
						return
					}
					if !strings.EqualFold(cmd, script[i]) {
						n.mu.Lock()
						n.wrong = append(n.wrong, cmd)
						n.mu.Unlock()
						io.WriteString(c, "-ERR unexpected command "+cmd+"\r\n")
						return
					}
					io.WriteString(c, script[i+1]+"\r\n")
				}
			}()
		}
	}()
	return n
}

func (n *scripted) port() string {
	_, p, _ := net.SplitHostPort(n.addr)
	return p
}

// unexpected returns the commands other than topology reads that the node
// did not expect.
func (n *scripted) unexpected() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, c := range n.wrong {
		if !strings.HasPrefix(strings.ToUpper(c), "CLUSTER ") {
			out = append(out, c)
		}
	}
	return out
}

// readCommand reads one RESP command and returns its words joined by
// spaces.
func readCommand(rd *bufio.Reader) (string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	if err != nil || !strings.HasPrefix(line, "*") {
		return strings.TrimSpace(line), nil
	}
	words := make([]string, n)
	for i := range words {
		l, err := rd.ReadString('\n')
		if err != nil {
			return "", err
		}
		size, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(l, "$")))
		b := make([]byte, size+2)
		if _, err := io.ReadFull(rd, b); err != nil {
			return "", err
		}
		words[i] = string(b[:size])
	}
	return strings.Join(words, " "), nil
}

// TestHelpAlone: -h with no host prints the usage and exits 0, as in
// redis-cli; -h with a host is the host.
func TestHelpAlone(t *testing.T) {
	help := runRedish(t, nil, "", "--help")
	for _, args := range [][]string{{"-h"}, {"-p", "7000", "-h"}} {
		r := runRedish(t, nil, "", args...)
		cli := runCLI(t, nil, "", args...)
		if r.code != 0 || cli.code != 0 || r.err != "" || r.out != help.out || !strings.Contains(r.out, "Usage:") {
			t.Errorf("%q: redish %d %q\n%s\nredis-cli %d", args, r.code, r.err, r.out, cli.code)
		}
	}
	dead := deadPort(t)
	r := runRedish(t, nil, "", "-h", "127.0.0.1", "-p", dead, "PING")
	if r.code != 1 || !strings.HasPrefix(r.err, "Could not connect to Redis at 127.0.0.1:"+dead) {
		t.Errorf("-h HOST: %+v", r)
	}
}

// TestClusterTopologyAsDocumented runs the cases of the topology as Redis
// documents it through the binary, with their --verbose lines.
func TestClusterTopologyAsDocumented(t *testing.T) {
	cl := redistest.StartCluster(t, 1, 1, redistest.WithUser("nocluster", "pw", "~*", "&*", "+@all", "-cluster"))
	primary, replica := cl.Nodes[0], cl.Nodes[1]
	primary.Do(t, "SET", "foo", "bar")
	primary.Do(t, "WAIT", "1", "5000")
	port := strconv.Itoa(primary.Port)

	// An ACL user allowed no CLUSTER subcommand follows redirects.
	r := runRedish(t, map[string]string{"REDISCLI_AUTH": "pw"}, "", "-c", "-p", port, "--user", "nocluster", "--verbose", "GET", "foo")
	want := "no cluster topology: " + primary.Addr() + " (CLUSTER SLOTS: NOPERM this user has no permissions to run the 'cluster|slots' command); sending commands to " + primary.Addr() + " and following MOVED and ASK redirects\n"
	if r.code != 0 || r.out != "bar\n" || r.err != want {
		t.Errorf("NOPERM: %+v", r)
	}

	// A replica whose link to its primary is down does not serve reads.
	r = runRedish(t, nil, "", "-c", "-p", port, "--read-from-replicas", "GET", "foo")
	if r.code != 0 || r.out != "bar\n" || r.err != "" {
		t.Fatalf("healthy replica: %+v", r)
	}
	replica.Do(t, "CONFIG", "SET", "masterauth", "wrong")
	replica.Do(t, "CLIENT", "KILL", "TYPE", "master")
	redistest.WaitUntil(t, 30*time.Second, "replica link down", func() bool {
		return strings.Contains(replica.Do(t, "INFO", "replication").Text(), "master_link_status:down")
	})
	r = runRedish(t, nil, "", "-c", "-p", port, "--read-from-replicas", "--verbose", "GET", "foo")
	wantLine := "replica " + replica.Addr() + " cannot serve reads (master_link_status:down): reading slot 12182 from primary " + primary.Addr() + "\n"
	if r.code != 0 || r.out != "bar\n" || !strings.HasSuffix(r.err, wantLine) {
		t.Errorf("link down: %+v", r)
	}
}
