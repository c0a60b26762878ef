package cmd

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
)

// txScript is a transaction between two commands. Its keys share a slot,
// so that it runs in cluster mode too.
const txScript = "SET {t}x 0\nMULTI\nINCR {t}a\nINCR {t}b\nRPUSH {t}l v\nEXEC\nINCR {t}c\n"

// txLost is what redish says when the connection is lost at INCR {t}b.
var txLost = []string{
	"Error: Connection reset by peer; the transaction was discarded (the connection was lost inside MULTI) and none of its commands ran; the commands up to EXEC or DISCARD will not be sent",
	"Error: RPUSH {t}l not sent: it belongs to a transaction that was discarded when its connection was lost (EXEC or DISCARD ends it)",
	"Error: EXEC not sent: the transaction was discarded when its connection was lost, and none of its commands ran",
}

// TestTransactionNeverSplit loses the connection inside MULTI, at its
// second command, in every mode that reads commands: nothing of the
// transaction runs, neither inside nor outside it, nothing is retried,
// every command dropped is named, the command after EXEC runs, and the
// exit status is 1.
func TestTransactionNeverSplit(t *testing.T) {
	standalone := newFaultFixture(t, false)
	cluster := newFaultFixture(t, true)
	for _, tc := range []struct {
		name  string
		fx    *faultFixture
		flags []string
		out   string
		lines []string
	}{
		{"stdin", standalone, nil, "OK\nOK\nQUEUED\n1\n", txLost},
		{"stdin --window 1", standalone, []string{"--window", "1"}, "OK\nOK\nQUEUED\n1\n", txLost},
		{"cluster", cluster, nil, "OK\nOK\nQUEUED\n1\n", txLost},
		{"cluster --window 1", cluster, []string{"--window", "1"}, "OK\nOK\nQUEUED\n1\n", txLost},
		{"cluster --pipe", cluster, []string{"--pipe"},
			"All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 3, replies: 4\n", txLost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := tc.fx
			fx.reset(t)
			fx.srv.Do(t, "DEL", "{t}a", "{t}b", "{t}c", "{t}l")
			// The second INCR, {t}b, is reset before it reaches the server.
			fx.proxy.Set(faultproxy.ResetBeforeSend().On("INCR").Every(2))
			received := fx.proxy.Received()
			args := []string{"-p", strconv.Itoa(fx.proxy.Port()), "--retries", "3"}
			if fx.cluster != nil {
				args = []string{"-c", "-p", strconv.Itoa(fx.srv.Port), "--retries", "3"}
			}
			r := runBounded(t, txScript, append(args, tc.flags...)...)
			if got := stderrLines(r.err); r.code != 1 || r.out != tc.out || strings.Join(got, "\n") != strings.Join(tc.lines, "\n") {
				t.Fatalf("got exit %d, stdout %q, stderr:\n%s\nwant exit 1, stdout %q, stderr:\n%s", r.code, r.out, r.err, tc.out, strings.Join(tc.lines, "\n"))
			}
			for _, k := range []string{"{t}a", "{t}b", "{t}l"} {
				if v := fx.srv.Do(t, "EXISTS", k); v.Int != 0 {
					t.Errorf("%s exists: part of the transaction ran", k)
				}
			}
			if v := fx.srv.Do(t, "GET", "{t}c"); v.Text() != "1" {
				t.Errorf("{t}c = %q, want 1", v.Text())
			}
			// SET, MULTI, INCR {t}a, INCR {t}b (reset), INCR {t}c: no
			// command of the transaction was sent again.
			if got := fx.proxy.Received() - received; got != 5 {
				t.Errorf("the proxy received %d commands, want 5", got)
			}
		})
	}
}

// TestTransactionExecResent loses the connection after EXEC was sent:
// the transaction ran entirely or not at all. It runs again on a new
// connection only when --retry-sent allows every queued command; when
// EXEC could not be sent at all (the server restarted while the
// transaction was being typed), nothing ran and it always runs again.
func TestTransactionExecResent(t *testing.T) {
	fx := newFaultFixture(t, false)
	for _, tc := range []struct {
		name   string
		script string
		flags  []string
		code   int
		out    string
		stderr string
		value  string // of {t}n after the run
	}{
		{"safe commands: sent again", "MULTI\nSET {t}n 5\nEXEC\n", nil, 0, "OK\nQUEUED\nOK\n", "", "5"},
		{"INCR: may have run", "MULTI\nINCR {t}n\nEXEC\n", nil, 1, "OK\nQUEUED\n",
			"Error: Connection reset by peer; EXEC (a transaction of 1 command) may have run: the connection was lost after it was sent\n", "1"},
		{"INCR, --retry-sent all: sent again and reported", "MULTI\nINCR {t}n\nEXEC\n", []string{"--retry-sent", "all"}, 0, "OK\nQUEUED\n2\n",
			"EXEC (a transaction of 1 command) may run twice: sending it again after ConnectionError: ", "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx.reset(t)
			fx.srv.Do(t, "DEL", "{t}n")
			// The first connection is reset after its EXEC ran.
			fx.proxy.SetFor(1, faultproxy.ResetAfterSend().On("EXEC"))
			args := append([]string{"-p", strconv.Itoa(fx.proxy.Port()), "--retries", "2"}, tc.flags...)
			r := runBounded(t, tc.script, args...)
			if r.code != tc.code || r.out != tc.out || !strings.HasPrefix(r.err, tc.stderr) || tc.stderr == "" && r.err != "" {
				t.Fatalf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr %q", r.code, r.out, r.err, tc.code, tc.out, tc.stderr)
			}
			if v := fx.srv.Do(t, "GET", "{t}n"); v.Text() != tc.value {
				t.Errorf("{t}n = %q, want %q", v.Text(), tc.value)
			}
		})
	}

	t.Run("EXEC not sent: runs again", func(t *testing.T) {
		fx.reset(t)
		fx.srv.Do(t, "DEL", "{t}n")
		fx.srv.Do(t, "SAVE") // the restart loads the saved data set
		s := startSession(t, "-p", strconv.Itoa(fx.srv.Port), "--retries", "2", "--window", "1")
		out := s.line(t, "MULTI")
		out += s.line(t, "INCR {t}n")
		fx.restart(t)
		out += s.line(t, "EXEC")
		r := s.end(t, out)
		if r.code != 0 || r.out != "OK\nQUEUED\n1\n" || r.err != "" {
			t.Fatalf("got %+v, want the transaction run again on a new connection", r)
		}
	})
}

// TestTransactionStateEnds checks that EXECABORT, DISCARD and RESET end
// the transaction: the command after them is retried when its connection
// is lost before it reached the server, which nothing inside a
// transaction is.
func TestTransactionStateEnds(t *testing.T) {
	fx := newFaultFixture(t, false)
	for _, tc := range []struct {
		name, script string
	}{
		{"EXECABORT", "MULTI\nNOSUCHCOMMAND\nEXEC\nSET {t}z 1\n"},
		{"DISCARD", "MULTI\nSET {t}z 0\nDISCARD\nSET {t}z 1\n"},
		{"RESET", "MULTI\nSET {t}z 0\nRESET\nSET {t}z 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx.reset(t)
			fx.srv.Do(t, "DEL", "{t}z")
			// The SET after the transaction is reset before it reaches
			// the server.
			if tc.name == "EXECABORT" {
				fx.proxy.SetFor(1, faultproxy.ResetBeforeSend().On("SET"))
			} else {
				fx.proxy.Set(faultproxy.ResetBeforeSend().On("SET").Every(2))
			}
			r := runBounded(t, tc.script, "-p", strconv.Itoa(fx.proxy.Port()), "--retries", "1", "--window", "1")
			if r.code != 0 || !strings.HasSuffix(r.out, "\nOK\n") || r.err != "" {
				t.Fatalf("got %+v, want the last SET retried", r)
			}
			if v := fx.srv.Do(t, "GET", "{t}z"); v.Text() != "1" {
				t.Errorf("{t}z = %q, want 1", v.Text())
			}
		})
	}
}

// TestWatchLost loses the connection after WATCH: the keys are no
// longer watched, so the transaction that follows is not sent.
func TestWatchLost(t *testing.T) {
	fx := newFaultFixture(t, false)
	fx.reset(t)
	fx.srv.Do(t, "DEL", "{t}w")
	fx.proxy.Set(faultproxy.ResetBeforeSend().On("GET"))
	r := runBounded(t, "WATCH {t}w\nGET {t}w\nMULTI\nSET {t}w 1\nEXEC\nECHO after\n",
		"-p", strconv.Itoa(fx.proxy.Port()), "--retries", "2", "--window", "1")
	want := []string{
		"Error: Connection reset by peer; the keys are no longer watched (the connection was lost after WATCH); the commands up to EXEC, DISCARD or UNWATCH will not be sent",
		"Error: MULTI not sent: the connection was lost after WATCH, and the keys are no longer watched (EXEC, DISCARD or UNWATCH ends this)",
		"Error: SET {t}w not sent: the connection was lost after WATCH, and the keys are no longer watched (EXEC, DISCARD or UNWATCH ends this)",
		"Error: EXEC not sent: the keys were no longer watched after the connection was lost",
	}
	if got := stderrLines(r.err); r.code != 1 || r.out != "OK\nafter\n" || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got exit %d, stdout %q, stderr:\n%s\nwant:\n%s", r.code, r.out, r.err, strings.Join(want, "\n"))
	}
	if v := fx.srv.Do(t, "EXISTS", "{t}w"); v.Int != 0 {
		t.Errorf("the unguarded transaction ran")
	}
}

// TestInteractiveTransactionLost drives the shell through a transaction
// whose connection is lost: the loss and every command dropped after it
// are reported (the shell is not connected until a command is sent
// again), and the command after EXEC runs. EXECABORT ends the (TX) prompt too, standalone and in
// cluster mode.
func TestInteractiveTransactionLost(t *testing.T) {
	fx := newFaultFixture(t, false)
	fx.reset(t)
	fx.srv.Do(t, "DEL", "{t}a", "{t}b", "{t}c", "{t}l")
	tm := startTerm(t, nil, "-p", strconv.Itoa(fx.proxy.Port()), "--retries", "2")
	p, ptx := fx.proxy.Addr()+"> ", fx.proxy.Addr()+"(TX)> "
	tm.wait(p)
	tm.run("MULTI", ptx)
	tm.run("INCR {t}a", "QUEUED")
	tm.wait(ptx)
	fx.proxy.Set(faultproxy.ResetBeforeSend().On("INCR"))
	tm.run("INCR {t}b", "the commands up to EXEC or DISCARD will not be sent")
	tm.wait("not connected> ")
	fx.proxy.Set(faultproxy.Pass())
	tm.run("RPUSH {t}l v", "RPUSH {t}l not sent: it belongs to a transaction that was discarded")
	tm.wait("not connected> ")
	tm.run("EXEC", "EXEC not sent: the transaction was discarded")
	tm.wait("not connected> ")
	tm.run("INCR {t}c", "(integer) 1")
	tm.wait(p)
	for _, k := range []string{"{t}a", "{t}b", "{t}l"} {
		if v := fx.srv.Do(t, "EXISTS", k); v.Int != 0 {
			t.Errorf("%s exists: part of the transaction ran", k)
		}
	}

	tm.run("MULTI", ptx)
	tm.run("NOSUCHCOMMAND", "ERR unknown command")
	tm.wait(ptx)
	tm.run("EXEC", "EXECABORT")
	tm.wait(p)
	tm.enter("quit")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit %d", code)
	}

	cl := newFaultFixture(t, true)
	tm = startTerm(t, nil, "-c", "-p", strconv.Itoa(cl.srv.Port))
	tm.wait("> ")
	tm.run("MULTI", "(TX)> ")
	tm.run("SET {t}k v", "QUEUED")
	tm.run("NOSUCHCOMMAND", "ERR unknown command")
	tm.run("EXEC", "EXECABORT")
	tm.wait(cl.proxy.Addr() + "> ")
	tm.enter("quit")
	if code := tm.exit(); code != 0 {
		t.Errorf("cluster shell: exit %d", code)
	}
}
