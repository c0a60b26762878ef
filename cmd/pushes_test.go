package cmd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/internal/bulk"
	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// binTimeout bounds one run of the redish binary in these tests.
const binTimeout = 30 * time.Second

// runBin runs the redish binary with stdin and env, as a user would.
func runBin(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), binTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, redishBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("redish: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("redish %s ran for over %v", strings.Join(args, " "), binTimeout)
	}
	return result{out: dropTimings(out.String()), err: errOut.String(), code: code}
}

// pushScripts make the server send invalidation pushes to the client
// running them, between replies: client-side caching of the keys read
// (the default mode) and of a prefix (BCAST, which also reports the
// client's own writes). A line that does not parse sits where a push
// arrives, so the push must follow its text.
var pushScripts = map[string]string{
	"default": "CLIENT TRACKING on\nGET k\nSET k 2\nGET k\nINCR c\nSET k 3\n\"unclosed\nGET k\nPING\n",
	"bcast":   "CLIENT TRACKING on BCAST PREFIX k\nSET k 1\nGET k\nSET k2 2\nSET other 1\nMSET k 5 k3 6\nINCR c\nPING\n",
}

// pushCell is one output configuration: flags given to both programs,
// and the environment.
type pushCell struct {
	name  string
	flags []string
	env   map[string]string
}

var pushCells = []pushCell{
	{"raw, pushes off by default", []string{"-3"}, nil},
	{"raw --show-pushes yes", []string{"-3", "--show-pushes", "yes"}, nil},
	{"raw -d --show-pushes y", []string{"-3", "--raw", "-d", ",", "--show-pushes", "y"}, nil},
	{"tty, pushes on by default", []string{"-3"}, map[string]string{"FAKETTY": "1"}},
	{"tty --show-pushes no", []string{"-3", "--show-pushes", "no"}, map[string]string{"FAKETTY": "1"}},
	{"--no-raw --show-pushes y", []string{"-3", "--no-raw", "--show-pushes", "y"}, nil},
	{"--csv --show-pushes y", []string{"-3", "--csv", "--show-pushes", "y"}, nil},
	{"--json (RESP3 implied)", []string{"--json"}, nil},
	{"--json --show-pushes y", []string{"--json", "--show-pushes", "y"}, nil},
	{"-3 --json --show-pushes y", []string{"-3", "--json", "--show-pushes", "y"}, nil},
	{"-3 --json tty", []string{"-3", "--json"}, map[string]string{"FAKETTY": "1"}},
}

// TestPushesMatchRedisCLI runs the push scripts through redis-cli and the
// redish binary in every output configuration, pipelined (the default)
// and one command at a time, and compares the bytes: every reply is
// printed against its own command, and the pushes where redis-cli prints
// them, or nowhere.
func TestPushesMatchRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	for name, script := range pushScripts {
		for _, cell := range pushCells {
			t.Run(name+"/"+cell.name, func(t *testing.T) {
				args := portArgs(s, cell.flags...)
				s.Do(t, "FLUSHALL")
				want := runCLI(t, cell.env, script, args...)
				if want.code != 0 || want.err != "" {
					t.Fatalf("redis-cli: %+v", want)
				}
				for _, window := range [][]string{nil, {"--window", "1"}} {
					s.Do(t, "FLUSHALL")
					got := runBin(t, cell.env, script, append(args, window...)...)
					if got.out != want.out {
						t.Errorf("%v: stdout differs: %s", window, diffBytes(want.out, got.out))
					}
					if got.err != want.err || got.code != want.code {
						t.Errorf("%v: stderr/exit: redish %q %d, redis-cli %q %d", window, got.err, got.code, want.err, want.code)
					}
				}
			})
		}
	}
	// The comparison means something only if the pushes were printed.
	s.Do(t, "FLUSHALL")
	r := runBin(t, map[string]string{"FAKETTY": "1"}, pushScripts["default"], portArgs(s, "-3")...)
	if !strings.Contains(r.out, "-> invalidate: 'k'\n\"2\"\n") {
		t.Fatalf("no invalidation before the second GET:\n%s", r.out)
	}
}

// TestPushesPipeMatchesRedisCLI: --pipe counts replies, not pushes, and
// prints the pushes as redis-cli's push handler does. Where a push lands
// relative to "All data transferred" depends on timing in both programs,
// so that line is left out of the comparison.
func TestPushesPipeMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	script := strings.ReplaceAll("CLIENT TRACKING on\nGET k\nSET k 2\nGET k\nINCR c\nPING\n", "\n", "\r\n")
	without := func(out string) string {
		return strings.Replace(out, bulk.MsgAllTransferred, "", 1)
	}
	for _, cell := range []pushCell{
		{"raw", []string{"-3"}, nil},
		{"raw --show-pushes y", []string{"-3", "--show-pushes", "y"}, nil},
		{"tty", []string{"-3"}, map[string]string{"FAKETTY": "1"}},
		{"--json --show-pushes y", []string{"--json", "--show-pushes", "y"}, nil},
	} {
		t.Run(cell.name, func(t *testing.T) {
			args := portArgs(s, append(cell.flags, "--pipe")...)
			s.Do(t, "FLUSHALL")
			want := runCLI(t, cell.env, script, args...)
			s.Do(t, "FLUSHALL")
			got := runBin(t, cell.env, script, args...)
			if !strings.Contains(want.out, "replies: 6") {
				t.Fatalf("redis-cli: %+v", want)
			}
			if without(got.out) != without(want.out) || got.err != want.err || got.code != want.code {
				t.Errorf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}

// TestPushesCluster: with -c the pushes of a node connection are printed
// in their place too, and a shard channel subscription survives a lost
// connection under --retries. On keys of the seed node redis-cli keeps its one
// connection and is the reference; across nodes (redis-cli reconnects on
// every redirect and loses the tracking) the expected output is written
// out.
func TestPushesCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	seed := cl.Nodes[0]
	var local, remote []string // keys on the seed, keys elsewhere
	for i := 0; (len(local) < 1 || len(remote) < 2) && i < 1000; i++ {
		k := "key" + strconv.Itoa(i)
		if cl.NodeForKey(t, k) == seed {
			local = append(local, k)
		} else if len(remote) < 2 && (len(remote) == 0 || cl.NodeForKey(t, k) != cl.NodeForKey(t, remote[0])) {
			remote = append(remote, k)
		}
	}
	k := local[0]
	args := []string{"-c", "-p", strconv.Itoa(seed.Port), "-3"}
	flush := func() {
		for _, n := range cl.Primaries() {
			n.Do(t, "FLUSHALL")
		}
	}
	tty := map[string]string{"FAKETTY": "1"}

	script := "CLIENT TRACKING on\nGET " + k + "\nSET " + k + " 2\nGET " + k + "\nPING\n"
	for _, window := range [][]string{nil, {"--window", "1"}} {
		for _, env := range []map[string]string{nil, tty} {
			flush()
			want := runCLI(t, env, script, args...)
			flush()
			got := runBin(t, env, script, append(args, window...)...)
			if got.out != want.out || got.err != want.err || got.code != want.code {
				t.Errorf("%v %v: redish %+v\nredis-cli %+v", window, env, got, want)
			}
		}
	}

	// The seed's commands are pipelined with other nodes' commands: the
	// invalidation still comes right before the reply it preceded.
	script = "CLIENT TRACKING on\nGET " + k + "\nSET " + k + " 2\nGET " + remote[0] + "\nGET " + k + "\nGET " + remote[1] + "\nPING\n"
	flush()
	got := runBin(t, tty, script, args...)
	want := "OK\n(nil)\nOK\n(nil)\n-> invalidate: '" + k + "'\n\"2\"\n(nil)\nPONG\n"
	if got.out != want || got.err != "" || got.code != 0 {
		t.Errorf("across nodes: %+v\nwant stdout %q", got, want)
	}

	// SSUBSCRIBE under --retries: the node drops the subscribed
	// connection; redish connects to it again and subscribes again.
	owner := cl.NodeForKey(t, remote[0])
	p := startProc(t, nil, redishBin, append(args, "--retries", "3", "SSUBSCRIBE", remote[0])...)
	p.waitLines(t, "ssubscribe", remote[0], "1")
	if n := owner.Do(t, "CLIENT", "KILL", "TYPE", "pubsub"); n.Int != 1 {
		t.Fatalf("CLIENT KILL TYPE pubsub killed %d clients", n.Int)
	}
	p.waitLines(t, "ssubscribe", remote[0], "1")
	owner.Do(t, "SPUBLISH", remote[0], "after")
	p.waitLines(t, "smessage", remote[0], "after")
}

// proc is the redish binary or redis-cli running with its stdout read
// line by line.
type proc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	out   strings.Builder
	errB  bytes.Buffer
	lines chan string
	done  chan struct{}
}

func startProc(t *testing.T, env map[string]string, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), lines: make(chan string, 1024), done: make(chan struct{})}
	p.cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.errB}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if line != "" {
				p.mu.Lock()
				p.out.WriteString(line)
				p.mu.Unlock()
				p.lines <- strings.TrimSuffix(line, "\n")
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// waitLines waits for the lines in want, in order, skipping others.
func (p *proc) waitLines(t *testing.T, want ...string) {
	t.Helper()
	timer := time.NewTimer(binTimeout)
	defer timer.Stop()
	for _, w := range want {
		for found := false; !found; {
			select {
			case l, ok := <-p.lines:
				if !ok {
					t.Fatalf("output ended before %q:\n%s\nstderr:\n%s", w, p.output(), p.stderr())
				}
				found = l == w
			case <-timer.C:
				t.Fatalf("no line %q after %v:\n%s\nstderr:\n%s", w, binTimeout, p.output(), p.stderr())
			}
		}
	}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errB.String()
}

// wait waits for the process to end and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(binTimeout):
		t.Fatalf("still running after %v:\n%s", binTimeout, p.output())
	}
	return p.cmd.ProcessState.ExitCode()
}

// TestPubSubRESP3MatchesRedisCLI subscribes redis-cli and the redish
// binary to the same channel and pattern over RESP3, publishes, and
// compares what each printed: the confirmations and the messages, which
// RESP3 sends as pushes, print as replies.
func TestPubSubRESP3MatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	for _, cell := range []pushCell{
		{"raw", []string{"-3"}, nil},
		{"--no-raw", []string{"-3", "--no-raw"}, nil},
		{"tty", []string{"-3"}, map[string]string{"FAKETTY": "1"}},
		{"--csv", []string{"-3", "--csv"}, nil},
		{"--json", []string{"--json"}, nil},
	} {
		t.Run(cell.name, func(t *testing.T) {
			args := portArgs(s, append(cell.flags, "PSUBSCRIBE", "news.*")...)
			cli := startProc(t, cell.env, redistest.RedisCLI(t), args...)
			bin := startProc(t, cell.env, redishBin, args...)
			deadline := time.Now().Add(binTimeout)
			for strings.Count(s.Do(t, "CLIENT", "LIST").Text(), " psub=1 ") != 2 {
				if time.Now().After(deadline) {
					t.Fatal("the subscriptions never showed on the server")
				}
				time.Sleep(10 * time.Millisecond)
			}
			s.Do(t, "PUBLISH", "news.a", "first")
			s.Do(t, "PUBLISH", "news.b", "last message")
			for _, p := range []*proc{cli, bin} {
				deadline := time.Now().Add(binTimeout)
				for !strings.Contains(p.output(), "last message") {
					if time.Now().After(deadline) {
						t.Fatalf("no message printed:\n%s", p.output())
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			if got, want := bin.output(), cli.output(); got != want {
				t.Errorf("stdout differs: %s", diffBytes(want, got))
			}
			if e := bin.stderr(); e != "" {
				t.Errorf("redish stderr: %q", e)
			}
		})
	}
}

// TestSubscribeSurvivesReconnects: SUBSCRIBE under --retries subscribes
// again after the connection is reset or the server restarts, prints the
// server's confirmation again and goes on printing messages; without
// --retries the first loss ends the run, as before.
func TestSubscribeSurvivesReconnects(t *testing.T) {
	s := redistest.Start(t)
	px := faultproxy.New(t, s.Addr())
	retries := []string{"--retries", "50", "--retry-backoff", "constant", "--retry-backoff-base", "50ms"}
	for _, tc := range []struct {
		name    string
		restart bool
	}{{"proxy reset", false}, {"server restart", true}} {
		t.Run(tc.name, func(t *testing.T) {
			port := px.Port()
			if tc.restart {
				port = s.Port
			}
			args := append([]string{"-p", strconv.Itoa(port), "--verbose"}, retries...)
			p := startProc(t, nil, redishBin, append(args, "SUBSCRIBE", "ch1", "ch2")...)
			p.waitLines(t, "subscribe", "ch1", "1", "subscribe", "ch2", "2")
			s.Do(t, "PUBLISH", "ch1", "before")
			p.waitLines(t, "message", "ch1", "before")
			if tc.restart {
				s.Restart(t)
			} else {
				px.ResetConns()
			}
			p.waitLines(t, "subscribe", "ch1", "1", "ch2", "2")
			s.Do(t, "PUBLISH", "ch2", "after")
			p.waitLines(t, "message", "ch2", "after")
			if e := p.stderr(); !strings.Contains(e, "retry 1/50 in ") || strings.Contains(e, "request was sent") {
				t.Errorf("stderr %q, want a retry line without the request marker", e)
			}
		})
	}
	t.Run("without retries", func(t *testing.T) {
		p := startProc(t, nil, redishBin, "-p", strconv.Itoa(px.Port()), "SUBSCRIBE", "ch1")
		p.waitLines(t, "1")
		px.ResetConns()
		if code := p.wait(t); code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		if e := p.stderr(); !strings.HasPrefix(e, "Error: ") {
			t.Errorf("stderr %q", e)
		}
	})
}

// TestResetSurvivesReconnects: after RESET a reconnect speaks RESP2 in
// db 0 with no name and no tracking, as RESET left the connection.
func TestResetSurvivesReconnects(t *testing.T) {
	s := redistest.Start(t)
	px := faultproxy.New(t, s.Addr())
	sess := startSession(t, "-p", strconv.Itoa(px.Port()), "-3", "-n", "3", "--retries", "3", "--window", "1")
	for _, cmd := range []string{"CLIENT SETNAME before", "CLIENT TRACKING on"} {
		if got := sess.line(t, cmd); got != "OK\n" {
			t.Fatalf("%s: %q", cmd, got)
		}
	}
	// GET may be sent again whatever --retry-sent says: the reset shows
	// on it, and CLIENT INFO runs on the new connection.
	reset := func() {
		t.Helper()
		conns := px.Conns()
		px.ResetConns()
		if got := sess.line(t, "GET nosuch"); got != "\n" {
			t.Fatalf("GET after a reset: %q", got)
		}
		if px.Conns() == conns {
			t.Fatal("no new connection after the reset")
		}
	}
	reset()
	// A reconnect before RESET restores RESP3, the database, the name and
	// the tracking.
	info := sess.line(t, "CLIENT INFO")
	for _, w := range []string{" db=3 ", " name=before ", " resp=3", " flags=t "} {
		if !strings.Contains(info, w) {
			t.Errorf("CLIENT INFO after a reset: %q lacks %q", info, w)
		}
	}
	if got := sess.line(t, "RESET"); got != "RESET\n" {
		t.Fatalf("RESET: %q", got)
	}
	reset()
	info = sess.line(t, "CLIENT INFO")
	for _, w := range []string{" db=0 ", " name= ", " resp=2", " flags=N "} {
		if !strings.Contains(info, w) {
			t.Errorf("CLIENT INFO after RESET and a reset: %q lacks %q", info, w)
		}
	}
	if r := sess.end(t, ""); r.code != 0 {
		t.Errorf("exit %d, stderr %q", r.code, r.err)
	}
}

// TestShowPushesFlag: bad values are refused as bad input.
func TestShowPushesFlag(t *testing.T) {
	for _, v := range []string{"maybe", ""} {
		r := runRedish(t, nil, "", "--show-pushes", v, "-p", "1", "PING")
		if r.code != 1 || !strings.Contains(r.err, "Unknown --show-pushes value '"+v+"'") {
			t.Errorf("--show-pushes %q: %+v", v, r)
		}
	}
	s := redistest.Start(t)
	for _, v := range []string{"y", "YES", "n", "No"} {
		if r := runRedish(t, nil, "", portArgs(s, "--show-pushes", v, "PING")...); r.code != 0 || r.out != "PONG\n" {
			t.Errorf("--show-pushes %q: %+v", v, r)
		}
	}
}
