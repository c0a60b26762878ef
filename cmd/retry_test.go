package cmd

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// commandCalls returns how many times the server ran cmd (INFO commandstats).
func commandCalls(t *testing.T, s *redistest.Server, cmd string) int {
	t.Helper()
	info := s.Do(t, "INFO", "commandstats").Text()
	m := regexp.MustCompile(`cmdstat_` + cmd + `:calls=(\d+)`).FindStringSubmatch(info)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func proxyArgs(p *faultproxy.Proxy, args ...string) []string {
	return append([]string{"-p", strconv.Itoa(p.Port())}, args...)
}

// stderrLines splits stderr into lines, dropping the final empty one.
func stderrLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestRetryServerNotUpYet: the server comes up ~300ms after redish starts.
func TestRetryServerNotUpYet(t *testing.T) {
	s := redistest.Start(t)
	s.Stop()

	t.Run("no retry flags fail at once", func(t *testing.T) {
		r := runRedish(t, nil, "", portArgs(s, "PING")...)
		want := "Could not connect to Redis at " + s.Addr() + ": Connection refused\n"
		if r.code != 1 || r.out != "" || r.err != want {
			t.Fatalf("got %+v, want exit 1 and %q", r, want)
		}
	})

	t.Run("exponential backoff waits for it", func(t *testing.T) {
		done := make(chan result, 1)
		go func() {
			done <- runRedish(t, nil, "", portArgs(s, "--retries", "10", "--retry-backoff", "exponential", "PING")...)
		}()
		time.Sleep(300 * time.Millisecond)
		s.Restart(t)
		r := <-done
		if r.code != 0 || r.out != "PONG\n" || r.err != "" {
			t.Fatalf("got %+v, want PONG and a silent stderr", r)
		}
	})
}

// TestRetryResetAfterSend: the connection is reset after the request
// reached the server; the retry runs the command again and --verbose says
// it may already have run.
func TestRetryResetAfterSend(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	p.SetFor(1, faultproxy.ResetAfterSend().On("INCR"))

	r := runRedish(t, nil, "", proxyArgs(p, "--retries", "2", "--verbose", "INCR", "n")...)
	if r.code != 0 || r.out != "2\n" {
		t.Fatalf("got %+v, want 2 (the first INCR ran, its reply was lost)", r)
	}
	lines := stderrLines(r.err)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "retry 1/2 in 0s after ConnectionError") ||
		!strings.Contains(lines[0], "(request was sent: the command may already have run)") {
		t.Fatalf("verbose lines: %q", lines)
	}
	if got := commandCalls(t, s, "incr"); got != 2 {
		t.Fatalf("INCR ran %d times, want 2", got)
	}

	// Without retry flags the same fault is redis-cli's lost connection.
	p.SetFor(1, faultproxy.ResetAfterSend().On("INCR"))
	r = runRedish(t, nil, "", proxyArgs(p, "INCR", "n")...)
	if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, "Error: ") {
		t.Fatalf("without retries: got %+v", r)
	}
}

// TestRetryOnTimeout: --timeout 100ms --retry-on-timeout against a reply
// delayed 300ms is Retry(NoBackoff, 1): one retry, and the command ran
// twice on the server.
func TestRetryOnTimeout(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	p.SetFor(1, faultproxy.Delay(300*time.Millisecond))

	r := runRedish(t, nil, "", proxyArgs(p, "--timeout", "100ms", "--retry-on-timeout", "--verbose", "INCR", "n")...)
	if r.code != 0 || r.out != "2\n" {
		t.Fatalf("got %+v, want 2", r)
	}
	t.Logf("stderr:\n%s", r.err)
	lines := stderrLines(r.err)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "retry 1/1 in 0s after TimeoutError") {
		t.Fatalf("verbose lines: %q", lines)
	}
	if got := commandCalls(t, s, "incr"); got != 2 {
		t.Fatalf("INCR ran %d times, want 2", got)
	}

	// Both attempts delayed: the policy gives up after two.
	p.Set(faultproxy.Delay(300 * time.Millisecond))
	r = runRedish(t, nil, "", proxyArgs(p, "--timeout", "100ms", "--retry-on-timeout", "GET", "n")...)
	if r.code != 1 || r.err != "Error: timed out waiting for the reply (--timeout)\n" {
		t.Fatalf("got %+v", r)
	}
	if got := commandCalls(t, s, "get"); got != 2 {
		t.Fatalf("GET ran %d times, want 2", got)
	}
}

// TestRetryLoading: -LOADING is retried when BusyLoadingError, its parent
// ConnectionError or the raw code LOADING is listed, and returned at once
// otherwise.
func TestRetryLoading(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	loading := []byte("-LOADING Redis is loading the dataset in memory\r\n")
	for _, tc := range []struct {
		on      string
		retried bool
	}{
		{"BusyLoadingError", true},
		{"ConnectionError", true},
		{"LOADING", true},
		{"busyloadingerror", true},
		{"TimeoutError", false},
		{"ReadOnlyError", false},
	} {
		t.Run(tc.on, func(t *testing.T) {
			p.SetFor(1, faultproxy.Garbage(loading).On("PING"))
			conns := p.Conns()
			r := runRedish(t, nil, "", proxyArgs(p, "--retry-on-error", tc.on, "PING")...)
			if tc.retried {
				if r.code != 0 || r.out != "PONG\n" || r.err != "" || p.Conns()-conns != 2 {
					t.Fatalf("got %+v after %d connections, want PONG after 2", r, p.Conns()-conns)
				}
				return
			}
			if r.code != 0 || r.out != "LOADING Redis is loading the dataset in memory\n\n" || p.Conns()-conns != 1 {
				t.Fatalf("got %+v after %d connections, want the LOADING reply after 1", r, p.Conns()-conns)
			}
		})
	}
}

// TestWrongPasswordNeverRetried: AuthenticationError is not retried,
// whatever the flags say.
func TestWrongPasswordNeverRetried(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword("right"))
	p := faultproxy.New(t, s.Addr())
	for _, flags := range [][]string{
		{"--retries", "5"},
		{"--retries", "5", "--retry-backoff", "exponential", "--retry-on-error", "AuthenticationError,ConnectionError,ResponseError"},
		{"--retries", "-1", "--retry-on-error", "WRONGPASS"},
	} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			conns := p.Conns()
			args := append(proxyArgs(p, "--no-auth-warning", "-a", "wrong", "--verbose"), flags...)
			r := runRedish(t, nil, "", append(args, "PING")...)
			if r.code != 1 || r.out != "" || p.Conns()-conns != 1 {
				t.Fatalf("got %+v after %d connections, want exit 1 after 1", r, p.Conns()-conns)
			}
			if !strings.Contains(r.err, "AUTH failed: WRONGPASS") || strings.Contains(r.err, "retry 1/") {
				t.Fatalf("stderr: %q", r.err)
			}
		})
	}
}

// TestSessionRestoredAfterRestart: with -n 3 -3 --name x, the server
// restarts between two commands; the retried command runs on a new
// connection with the same database, protocol and name.
func TestSessionRestoredAfterRestart(t *testing.T) {
	s := redistest.Start(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ios, _, errOut := Test("")
	ios.In, ios.Out = inR, outW
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), portArgs(s, "-n", "3", "-3", "--name", "x",
			"--retries", "10", "--retry-backoff", "exponential", "--verbose"), ios)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	io.WriteString(inW, "SET k v\n")
	if line, _ := out.ReadString('\n'); line != "OK\n" {
		t.Fatalf("SET: %q", line)
	}
	s.Restart(t)
	io.WriteString(inW, "CLIENT INFO\n")
	info, _ := out.ReadString('\n')
	inW.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	fields := strings.Fields(info)
	for _, want := range []string{"db=3", "resp=3", "name=x"} {
		if !slices.Contains(fields, want) {
			t.Errorf("CLIENT INFO lacks %q: %s", want, info)
		}
	}
	if !strings.Contains(errOut.String(), "retry 1/10") {
		t.Errorf("no retry was reported: %q", errOut.String())
	}
}
