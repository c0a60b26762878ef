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

// TestRetryServerNotUpYet: the server comes up once redish has found it
// down (its first --verbose line says so).
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
		ios, out, _ := Test("")
		errOut := newSignalWriter(" after ConnectionError")
		ios.ErrOut = errOut
		done := make(chan int, 1)
		go func() {
			done <- Run(context.Background(), portArgs(s, "--retries", "10", "--retry-backoff", "exponential", "--verbose", "PING"), ios)
		}()
		select {
		case <-errOut.seen:
		case <-time.After(waitTimeout):
			t.Fatal("redish never said it was retrying")
		}
		s.Restart(t)
		code := <-done
		for _, l := range stderrLines(errOut.String()) {
			if !strings.HasPrefix(l, "retry ") {
				t.Errorf("stderr line %q: want only --verbose retry lines", l)
			}
		}
		if code != 0 || out.String() != "PONG\n" {
			t.Fatalf("exit %d, stdout %q, want PONG", code, out)
		}
	})
}

// TestRetryResetAfterSend: the connection is reset after the request
// reached the server. INCR may have run: --retry-sent safe (the default)
// and none do not send it again and say so; all sends it again, reports
// it even without --verbose, and the command runs twice. --verbose says
// which case happened.
func TestRetryResetAfterSend(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	const mayHaveRun = "Error: Connection reset by peer; INCR n may have run: the connection was lost after it was sent"
	for _, tc := range []struct {
		name    string
		flags   []string
		code    int
		out     string
		runs    int      // INCR calls on the server
		stderr  []string // prefixes of the stderr lines
		verbose string   // a line --verbose must print
	}{
		{"default is safe", nil, 1, "", 1, []string{mayHaveRun},
			"not sending INCR n again (--retry-sent safe) after 1 attempt: ConnectionError:"},
		{"none", []string{"--retry-sent", "none"}, 1, "", 1, []string{mayHaveRun},
			"not sending INCR n again (--retry-sent none) after 1 attempt: ConnectionError:"},
		{"all", []string{"--retry-sent", "all"}, 0, "2\n", 2,
			[]string{"INCR n may run twice: sending it again after ConnectionError: "},
			"retry 1/2 in 0s after ConnectionError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Do(t, "DEL", "n")
			s.Do(t, "CONFIG", "RESETSTAT")
			for _, verbose := range []bool{false, true} {
				p.SetFor(1, faultproxy.ResetAfterSend().On("INCR"))
				args := append(proxyArgs(p, "--retries", "2"), tc.flags...)
				if verbose {
					args = append(args, "--verbose")
				}
				r := runRedish(t, nil, "", append(args, "INCR", "n")...)
				lines := stderrLines(r.err)
				if verbose {
					found := false
					for _, l := range lines {
						found = found || strings.HasPrefix(l, tc.verbose) && strings.Contains(l, "(request was sent: the command may already have run)")
					}
					if !found {
						t.Errorf("--verbose did not print %q: %q", tc.verbose, lines)
					}
					continue
				}
				if r.code != tc.code || r.out != tc.out || len(lines) != len(tc.stderr) {
					t.Fatalf("got %+v, want exit %d, stdout %q, stderr %q", r, tc.code, tc.out, tc.stderr)
				}
				for i, l := range lines {
					if !strings.HasPrefix(l, tc.stderr[i]) {
						t.Errorf("stderr line %q, want %q", l, tc.stderr[i])
					}
				}
				if got := commandCalls(t, s, "incr"); got != tc.runs {
					t.Fatalf("INCR ran %d times, want %d", got, tc.runs)
				}
			}
		})
	}

	// A read is sent again under the default: it cannot change data.
	p.SetFor(1, faultproxy.ResetAfterSend().On("GET"))
	if r := runRedish(t, nil, "", proxyArgs(p, "--retries", "2", "GET", "n")...); r.code != 0 || r.err != "" {
		t.Fatalf("GET: got %+v", r)
	}

	// Without retry flags the same fault is redis-cli's lost connection,
	// and INCR may have run.
	p.SetFor(1, faultproxy.ResetAfterSend().On("INCR"))
	r := runRedish(t, nil, "", proxyArgs(p, "INCR", "n")...)
	if r.code != 1 || r.out != "" || r.err != mayHaveRun+"\n" {
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

	r := runRedish(t, nil, "", proxyArgs(p, "--timeout", "100ms", "--retry-on-timeout", "--retry-sent", "all", "--verbose", "INCR", "n")...)
	if r.code != 0 || r.out != "2\n" {
		t.Fatalf("got %+v, want 2", r)
	}
	t.Logf("stderr:\n%s", r.err)
	lines := stderrLines(r.err)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "retry 1/1 in 0s after TimeoutError") ||
		!strings.HasPrefix(lines[1], "INCR n may run twice: sending it again after TimeoutError") {
		t.Fatalf("verbose lines: %q", lines)
	}
	if got := commandCalls(t, s, "incr"); got != 2 {
		t.Fatalf("INCR ran %d times, want 2", got)
	}

	// Under the default, INCR is not sent again: it may have run.
	p.SetFor(1, faultproxy.Delay(300*time.Millisecond))
	r = runRedish(t, nil, "", proxyArgs(p, "--timeout", "100ms", "--retry-on-timeout", "INCR", "n")...)
	if want := "Error: timed out waiting for the reply (--timeout); INCR n may have run: no reply came in time after it was sent\n"; r.code != 1 || r.err != want {
		t.Fatalf("got %+v, want exit 1 and %q", r, want)
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
// otherwise. The server answered: the retry uses the same connection.
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
				if r.code != 0 || r.out != "PONG\n" || r.err != "" || p.Conns()-conns != 1 {
					t.Fatalf("got %+v after %d connections, want PONG after 1", r, p.Conns()-conns)
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
// restarts between two commands; the next command finds its connection
// closed before sending anything, and runs on a new connection with the
// same database, protocol and name, quietly: nothing was sent, nothing
// failed.
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
	if errOut.String() != "" {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// TestRequestSentMarker: --verbose marks a retry "request was sent" only
// when the command's bytes were written, not when only the handshake was
// (here the SELECT of -n 3).
func TestRequestSentMarker(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	const marker = "(request was sent: the command may already have run)"
	for _, tc := range []struct {
		name  string
		fault faultproxy.Fault
		sent  bool
	}{
		{"handshake reset", faultproxy.ResetBeforeSend().On("SELECT"), false},
		{"handshake reply lost", faultproxy.ResetAfterSend().On("SELECT"), false},
		{"command reset", faultproxy.ResetAfterSend().On("GET"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.SetFor(1, tc.fault)
			r := runRedish(t, nil, "", proxyArgs(p, "-n", "3", "--retries", "1", "--verbose", "GET", "k")...)
			lines := stderrLines(r.err)
			if r.code != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "retry 1/1 ") || strings.Contains(lines[0], marker) != tc.sent {
				t.Fatalf("got %+v; want one retry line, marked as sent: %v", r, tc.sent)
			}
		})
	}
}
