package cmd

import (
	"fmt"
	"math/rand"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/internal/bulk"
	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// barrierScript is mixedScript with, every few hundred lines, the
// commands that cannot be pipelined: SELECT, MULTI/EXEC, WATCH, a
// blocking command, CLIENT, RESET, HELLO.
func barrierScript(n int, seed int64) string {
	lines := strings.Split(strings.TrimSuffix(mixedScript(n, seed), "\n"), "\n")
	rnd := rand.New(rand.NewSource(seed))
	snippets := [][]string{
		{"SELECT 1", "SET key:1 other-db", "GET key:1", "SELECT 0", "GET key:1"},
		{"MULTI", "INCR tx", "GET tx", "EXEC"},
		{"WATCH key:2", "MULTI", "SET key:2 watched", "EXEC", "UNWATCH"},
		{"RPUSH bl a b", "BLPOP bl 1", "BRPOP bl 1"},
		{"CLIENT SETNAME script", "CLIENT GETNAME"},
		{"RESET", "GET key:3"},
		{"HELLO 2"},
		{"2 SET rep2 x", "3 GET rep2"},
	}
	var out []string
	for i, l := range lines {
		out = append(out, l)
		if i > 0 && i%300 == 0 {
			out = append(out, snippets[rnd.Intn(len(snippets))]...)
		}
	}
	return strings.Join(out[:n], "\n") + "\n"
}

// TestStdinPipelinedMatchesLineByLine runs a 100,000-line mixed script
// (10,000 with -short) through redis-cli, redish pipelined and redish
// line by line (--window 1), each on its own server at the same time, and
// compares the bytes of stdout and stderr and the exit codes.
func TestStdinPipelinedMatchesLineByLine(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 10000
	}
	script := barrierScript(n, 7)
	for _, mode := range [][]string{nil, {"--no-raw"}} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			if mode != nil {
				script = barrierScript(5000, 8)
			}
			servers := []*redistest.Server{redistest.Start(t), redistest.Start(t), redistest.Start(t)}
			results := make([]result, 3)
			var wg sync.WaitGroup
			wg.Add(3)
			go func() { defer wg.Done(); results[0] = runCLI(t, nil, script, portArgs(servers[0], mode...)...) }()
			go func() { defer wg.Done(); results[1] = runRedish(t, nil, script, portArgs(servers[1], mode...)...) }()
			go func() {
				defer wg.Done()
				results[2] = runRedish(t, nil, script, portArgs(servers[2], append([]string{"--window", "1"}, mode...)...)...)
			}()
			wg.Wait()
			want := results[0]
			for i, name := range []string{"pipelined", "line by line"} {
				got := results[i+1]
				if got.out != want.out {
					t.Errorf("%s: stdout differs from redis-cli's: %s", name, diffBytes(want.out, got.out))
				}
				if got.err != want.err || got.code != want.code {
					t.Errorf("%s: stderr/exit %q %d, redis-cli %q %d", name, got.err, got.code, want.err, want.code)
				}
			}
		})
	}
}

// TestStdinPipelinedErrExit checks that -e stops at the first error reply,
// with the output line-by-line execution gives.
func TestStdinPipelinedErrExit(t *testing.T) {
	s := redistest.Start(t)
	script := "SET a 1\nINCR a\nInvalid \"x\nLPUSH a b\nGET a\nSET b 2\n"
	want := result{out: "OK\n2\nInvalid argument(s)\n", err: "WRONGTYPE Operation against a key holding the wrong kind of value\n", code: 1}
	for _, window := range []string{"1000", "1"} {
		s.Do(t, "FLUSHALL")
		got := runRedish(t, nil, script, portArgs(s, "-e", "--window", window)...)
		if got != want {
			t.Errorf("--window %s: got %+v, want %+v", window, got, want)
		}
	}
}

// TestStdinPipelinedLostConnection kills the connection in the middle of
// a window: the replies received are printed in order; the commands
// without a reply may have run, and are sent again only when --retries and
// --retry-sent allow it, each reported otherwise.
func TestStdinPipelinedLostConnection(t *testing.T) {
	s := redistest.Start(t)
	var sb strings.Builder
	for i := range 10 {
		fmt.Fprintf(&sb, "INCR n%d\n", i)
	}
	var mayHaveRun strings.Builder
	for i := 3; i < 10; i++ {
		fmt.Fprintf(&mayHaveRun, "Error: Server closed the connection; INCR n%d may have run: the connection was lost after it was sent\n", i)
	}
	tests := []struct {
		name  string
		flags []string
		want  result
	}{
		{"no retries", nil, result{out: "1\n1\n1\n", err: mayHaveRun.String(), code: 1}},
		{"retries, safe", []string{"--retries", "1"}, result{out: "1\n1\n1\n", err: mayHaveRun.String(), code: 1}},
		// The seven resent commands ran once or twice: the server may have
		// run them before the connection was cut; each re-send is reported.
		{"retries, all", []string{"--retries", "1", "--retry-sent", "all"}, result{out: "1\n1\n1\n" + strings.Repeat("[12]\n", 7),
			err: "(INCR n[3-9] may run twice: sending it again after ConnectionError: read 127.0.0.1:[0-9]+: EOF \\(--retry-sent all\\)\n){7}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Do(t, "FLUSHALL")
			p := faultproxy.New(t, s.Addr())
			p.SetFor(1, faultproxy.Truncate(3*4)) // three ":1\r\n", then a close
			got := runRedish(t, nil, sb.String(), append([]string{"-p", strconv.Itoa(p.Port())}, tt.flags...)...)
			errRe := regexp.QuoteMeta(tt.want.err)
			if strings.Contains(tt.name, "all") {
				errRe = tt.want.err
			}
			if !regexp.MustCompile(`^`+tt.want.out+`$`).MatchString(got.out) || !regexp.MustCompile(`^`+errRe+`$`).MatchString(got.err) || got.code != tt.want.code {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// pipeInput mixes RESP and inline commands, error replies included.
const pipeInput = "SET a 1\r\nINCR a\nGET a\nLPUSH a x\n*1\r\n$4\r\nPING\r\n\n*0\r\n" +
	"ECHO \"hi there\"\nNOSUCHCOMMAND\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$3\r\n\x00\r\n\r\nGET b"

// TestPipeMatchesRedisCLI compares --pipe with redis-cli's: the summary
// on stdout, the error replies on stderr, the exit code; standalone, and
// with -c against redis-cli talking to the node that serves the keys.
func TestPipeMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	tests := []struct{ name, in string }{
		{"mixed", pipeInput},
		{"no errors", "SET a 1\nGET a\n"},
		{"empty", ""},
		{"many", strings.Repeat("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nINCR n\n", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Do(t, "FLUSHALL")
			want := runCLI(t, nil, tt.in, portArgs(s, "--pipe")...)
			s.Do(t, "FLUSHALL")
			got := runRedish(t, nil, tt.in, portArgs(s, "--pipe")...)
			if got != want {
				t.Fatalf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}

// TestPipeTimeout gives up waiting for replies that never come.
func TestPipeTimeout(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	p.Set(faultproxy.Stall())
	got := runRedish(t, nil, "SET a 1\n", "-p", strconv.Itoa(p.Port()), "--pipe", "--pipe-timeout", "1")
	want := result{
		out:  bulk.MsgAllTransferred + "errors: 1, replies: 0\n",
		err:  "No replies for 1 seconds: exiting.\n",
		code: 1,
	}
	if got != want {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// sortedLines returns the lines of s, sorted: --scan lists keys in no
// particular order.
func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// TestScanMatchesRedisCLI compares the keys --scan lists with redis-cli's,
// in the raw and the human format, with every option.
func TestScanMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	var sb strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&sb, "SET key:%d v\n", i)
	}
	sb.WriteString("SET \"odd \\\"key\\\"\\n\\xff\" v\nSET \"q*x\" v\n")
	if r := runCLI(t, nil, sb.String(), portArgs(s)...); r.code != 0 {
		t.Fatalf("seeding: %+v", r)
	}
	tests := [][]string{
		{"--scan"},
		{"--scan", "--pattern", "key:1*"},
		{"--scan", "--pattern", "key:2?"},
		{"--scan", "--quoted-pattern", `"q\x2a*"`},
		{"--scan", "--pattern", "*odd*"},
		{"--scan", "-i", "0.001", "--pattern", "key:12*"},
		{"--no-raw", "--scan"},
		{"--no-raw", "--scan", "--pattern", "*\\\"*"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := runCLI(t, nil, "", portArgs(s, args...)...)
			got := runRedish(t, nil, "", portArgs(s, args...)...)
			if got.err != want.err || got.code != want.code {
				t.Fatalf("stderr/exit: redish %q %d, redis-cli %q %d", got.err, got.code, want.err, want.code)
			}
			if g, w := sortedLines(got.out), sortedLines(want.out); !slices.Equal(g, w) {
				t.Fatalf("redish listed %d keys, redis-cli %d: %q... vs %q...", len(g), len(w), g[:min(5, len(g))], w[:min(5, len(w))])
			}
		})
	}
	t.Run("count", func(t *testing.T) {
		// redis-cli 7.0 has no --count: it always sends COUNT 10.
		want := runCLI(t, nil, "", portArgs(s, "--scan", "--pattern", "key:1*")...)
		got := runRedish(t, nil, "", portArgs(s, "--scan", "--pattern", "key:1*", "--count", "7")...)
		if got.code != 0 || !slices.Equal(sortedLines(got.out), sortedLines(want.out)) {
			t.Fatalf("--count 7: exit %d %q, %d keys, redis-cli listed %d", got.code, got.err, len(sortedLines(got.out)), len(sortedLines(want.out)))
		}
	})
	t.Run("bad quoted pattern", func(t *testing.T) {
		want := result{err: "Invalid quoted string specified for --quoted-pattern.\n", code: 1}
		if got := runRedish(t, nil, "", portArgs(s, "--scan", "--quoted-pattern", `"a`)...); got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}

var redirectLine = regexp.MustCompile(`(?m)^-> Redirected to slot \[\d+\] located at .*\n`)

// TestClusterBulk runs the bulk modes with -c: a script pipelined per
// node gives the output of redis-cli -c and of line-by-line execution;
// --scan lists the keys of every primary; --pipe sends each command to
// its node.
func TestClusterBulk(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	seed := cl.Primaries()[0]
	flush := func() {
		for _, p := range cl.Primaries() {
			p.Do(t, "FLUSHALL")
		}
	}
	var sb strings.Builder
	rnd := rand.New(rand.NewSource(3))
	for i := range 3000 {
		k := "ck:" + strconv.Itoa(rnd.Intn(200))
		switch i % 5 {
		case 0:
			fmt.Fprintf(&sb, "SET %s v%d\n", k, i)
		case 1:
			fmt.Fprintf(&sb, "GET %s\n", k)
		case 2:
			fmt.Fprintf(&sb, "INCR c:%d\n", rnd.Intn(10))
		case 3:
			fmt.Fprintf(&sb, "RPUSH l:%d %s\n", rnd.Intn(5), k)
		case 4:
			fmt.Fprintf(&sb, "LLEN l:%d\n", rnd.Intn(5))
		}
	}
	script := sb.String()

	t.Run("stdin", func(t *testing.T) {
		flush()
		want := runCLI(t, nil, script, portArgs(seed, "-c")...)
		// redis-cli -c says where each redirect took it, even on a pipe;
		// redish says so only in the interactive shell.
		want.out = redirectLine.ReplaceAllString(want.out, "")
		for _, window := range []string{"1000", "1"} {
			flush()
			got := runRedish(t, nil, script, portArgs(seed, "-c", "--window", window)...)
			if got.out != want.out || got.err != want.err || got.code != want.code {
				t.Errorf("--window %s: %s\nstderr/exit %q %d, redis-cli %q %d", window, diffBytes(want.out, got.out), got.err, got.code, want.err, want.code)
			}
		}
	})

	t.Run("scan", func(t *testing.T) {
		flush()
		if r := runRedish(t, nil, script, portArgs(seed, "-c")...); r.code != 0 {
			t.Fatalf("seeding: %+v", r)
		}
		var want []string
		for _, p := range cl.Primaries() {
			for _, k := range p.Do(t, "KEYS", "ck:1*").Elems {
				want = append(want, k.Text())
			}
		}
		slices.Sort(want)
		got := runRedish(t, nil, "", portArgs(seed, "-c", "--scan", "--pattern", "ck:1*", "--count", "20")...)
		if g := sortedLines(got.out); !slices.Equal(g, want) || got.code != 0 {
			t.Fatalf("--scan listed %d keys (exit %d, %q), the primaries hold %d", len(g), got.code, got.err, len(want))
		}
	})

	t.Run("pipe", func(t *testing.T) {
		flush()
		in := strings.ReplaceAll(script, "\n", "\r\n") + "LPUSH c:1 x\n"
		got := runRedish(t, nil, in, portArgs(seed, "-c", "--pipe")...)
		want := result{
			out:  bulk.MsgAllTransferred + bulk.MsgLastReceived + "errors: 1, replies: 3001\n",
			err:  "WRONGTYPE Operation against a key holding the wrong kind of value\n",
			code: 1,
		}
		if got != want {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
		if r := runRedish(t, nil, "GET ck:0\nLLEN l:0\n", portArgs(seed, "-c")...); r.code != 0 || r.out == "\n\n" {
			t.Fatalf("after --pipe: %+v", r)
		}
	})
}
