package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// password is the password of these tests: no output may contain it.
const password = "s3cr3t-PW-9f8e7d"

// noSecret fails the test when r printed the password anywhere.
func noSecret(t *testing.T, r result) {
	t.Helper()
	for name, s := range map[string]string{"stdout": r.out, "stderr": r.err} {
		if strings.Contains(s, password) {
			t.Errorf("the password appears on %s:\n%s", name, s)
		}
	}
}

// TestAuthWarningMatchesRedisCLI: -a and a password in -u print
// redis-cli's warning, word for word; --no-auth-warning and
// REDISCLI_AUTH do not.
func TestAuthWarningMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword(password))
	port := strconv.Itoa(s.Port)
	uri := "redis://default:" + password + "@127.0.0.1:" + port
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		warn bool
	}{
		{"-a", nil, []string{"-p", port, "-a", password, "PING"}, true},
		{"--pass", nil, []string{"-p", port, "--pass", password, "PING"}, true},
		{"-u", nil, []string{"-u", uri, "PING"}, true},
		{"-a --no-auth-warning", nil, []string{"-p", port, "-a", password, "--no-auth-warning", "PING"}, false},
		{"-u --no-auth-warning", nil, []string{"--no-auth-warning", "-u", uri, "PING"}, false},
		{"REDISCLI_AUTH", map[string]string{"REDISCLI_AUTH": password}, []string{"-p", port, "PING"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runRedish(t, tc.env, "", tc.args...)
			want := runCLI(t, tc.env, "", tc.args...)
			if got != want {
				t.Errorf("redish %+v\nredis-cli %+v", got, want)
			}
			wantErr := ""
			if tc.warn {
				wantErr = authWarning + "\n"
			}
			if got.code != 0 || got.out != "PONG\n" || got.err != wantErr {
				t.Errorf("got %+v, want PONG and stderr %q", got, wantErr)
			}
			noSecret(t, got)
		})
	}
}

// TestSecretsStayOutOfMessages: error messages and --verbose lines never
// repeat a password, whatever fails: a wrong password (retried flags or
// not), a malformed URI, a dial failure, a connection reset during AUTH,
// a TLS failure.
func TestSecretsStayOutOfMessages(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword("right"), redistest.WithUser("alice", "alice-pw"))
	tlsSrv := redistest.Start(t, redistest.WithTLS(), redistest.WithPassword("right"))
	p := faultproxy.New(t, s.Addr())
	port, pport, tport := strconv.Itoa(s.Port), strconv.Itoa(p.Port()), strconv.Itoa(tlsSrv.Port)
	dead := deadPort(t)
	retries := []string{"--retries", "2", "--verbose"}
	for _, tc := range []struct {
		name  string
		arm   func()
		args  []string
		code  int
		wants string // a part of stderr: the failure is reported
	}{
		{"wrong password", nil, []string{"-p", port, "-a", password, "PING"}, 1, "AUTH failed: WRONGPASS"},
		{"wrong password with retries", nil, append([]string{"-p", port, "-a", password}, append(retries, "PING")...), 1, "AUTH failed: WRONGPASS"},
		{"wrong password RESP3", nil, []string{"-3", "-p", port, "-a", password, "PING"}, 1, "AUTH failed: WRONGPASS"},
		{"wrong ACL password", nil, []string{"-p", port, "--user", "alice", "-a", password, "PING"}, 1, "AUTH failed: WRONGPASS"},
		{"wrong password in URI", nil, []string{"-u", "redis://alice:" + password + "@127.0.0.1:" + port, "PING"}, 1, "AUTH failed: WRONGPASS"},
		{"URI with a bad port", nil, []string{"-u", "redis://alice:" + password + "@127.0.0.1:notaport", "PING"}, 1, "Invalid URI"},
		{"URI with a bad database", nil, []string{"-u", "redis://:" + password + "@127.0.0.1:" + port + "/x", "PING"}, 1, "Invalid URI"},
		{"URI with a bad escape", nil, []string{"-u", "redis://alice:" + password + "%zz@127.0.0.1", "PING"}, 1, "Invalid URI"},
		{"URI with a bad scheme", nil, []string{"-u", "http://alice:" + password + "@127.0.0.1", "PING"}, 1, "Invalid URI"},
		{"URI with an unknown parameter", nil, []string{"-u", "redis://alice:" + password + "@127.0.0.1?bogus=1", "PING"}, 1, "Invalid URI"},
		{"URI with a bad IPv6 host", nil, []string{"-u", "redis://alice:" + password + "@[::1:" + port, "PING"}, 1, "Invalid URI"},
		{"dial failure with retries", nil, append([]string{"-u", "redis://alice:" + password + "@127.0.0.1:" + dead}, append(retries, "PING")...), 1, "Could not connect"},
		{"reset during AUTH", func() { p.Set(faultproxy.ResetAfterSend().On("AUTH")) },
			append([]string{"-p", pport, "-a", password}, append(retries, "PING")...), 1, "Error: Connection reset by peer"},
		{"garbage answering AUTH", func() { p.Set(faultproxy.Garbage([]byte("@garbage\r\n")).On("AUTH")) },
			append([]string{"-p", pport, "-a", password}, append(retries, "PING")...), 1, "Protocol error"},
		{"TLS unverified", nil, []string{"--tls", "-p", tport, "-a", password, "PING"}, 1, "certificate signed by unknown authority"},
		// A plain server waits for the end of a line that never comes: the
		// connect timeout bounds the handshake.
		{"TLS to a plain server", nil, []string{"--tls", "--insecure", "-t", "300ms", "-p", port, "-a", password, "PING"}, 1, "Could not connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Set(faultproxy.Pass())
			if tc.arm != nil {
				tc.arm()
			}
			args := append([]string{"--no-auth-warning"}, tc.args...)
			r := runBounded(t, "", args...)
			if r.code != tc.code || !strings.Contains(r.err, tc.wants) {
				t.Errorf("got %+v, want exit %d and %q on stderr", r, tc.code, tc.wants)
			}
			noSecret(t, r)
		})
	}
}

// TestTLSVerification: certificates and host names are verified unless
// --insecure.
func TestTLSVerification(t *testing.T) {
	s := redistest.Start(t, redistest.WithTLS())
	port := strconv.Itoa(s.Port)
	for _, tc := range []struct {
		name string
		args []string
		ok   bool
		err  string // a part of stderr when !ok
	}{
		{"no CA", []string{"--tls", "-p", port}, false, "x509: certificate signed by unknown authority"},
		{"rediss:// without a CA", []string{"-u", "rediss://127.0.0.1:" + port}, false, "x509: certificate signed by unknown authority"},
		{"CA", []string{"--tls", "--cacert", s.CACert, "-p", port}, true, ""},
		{"CA directory", []string{"--tls", "--cacertdir", s.Dir, "-p", port}, true, ""},
		{"CA, host name", []string{"--tls", "--cacert", s.CACert, "-h", "localhost", "-p", port}, true, ""},
		{"CA, client certificate", []string{"--tls", "--cacert", s.CACert, "--cert", s.CertFile, "--key", s.KeyFile, "-p", port}, true, ""},
		{"CA, wrong name", []string{"--tls", "--cacert", s.CACert, "--sni", "wrong.example", "-p", port}, false, "x509: certificate is valid for localhost, not wrong.example"},
		{"CA that did not sign it", []string{"--tls", "--cacert", s.CertFile, "-p", port}, false, "x509: certificate signed by unknown authority"},
		{"insecure", []string{"--tls", "--insecure", "-p", port}, true, ""},
		{"insecure, wrong name", []string{"--tls", "--insecure", "--sni", "wrong.example", "-p", port}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runBounded(t, "", append(tc.args, "PING")...)
			if tc.ok {
				if r.code != 0 || r.out != "PONG\n" || r.err != "" {
					t.Errorf("got %+v, want PONG", r)
				}
				return
			}
			if r.code != 1 || r.out != "" || !strings.Contains(r.err, tc.err) ||
				!strings.HasPrefix(r.err, "Could not connect to Redis at ") ||
				!strings.HasSuffix(r.err, "(check --cacert, --sni, or use --insecure)\n") {
				t.Errorf("got %+v, want exit 1 and %q", r, tc.err)
			}
		})
	}
}

// TestAskPassDoesNotEcho types a password at --askpass in a terminal: it
// must authenticate, and never appear on the screen.
func TestAskPassDoesNotEcho(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword(password))
	tm := startTerm(t, nil, "--askpass", "-p", strconv.Itoa(s.Port), "PING")
	tm.wait("Please input password: ")
	tm.typeText(password + "\r")
	tm.wait("PONG")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit %d", code)
	}
	if screen := tm.screen(); strings.Contains(screen, password) {
		t.Errorf("the password was echoed:\n%q", screen)
	}

}

// TestAskPassAtEndOfInput: --askpass whose stdin ends before a password
// runs without one, as redis-cli does (same stdout and exit status on a
// server without a password); an empty line is the empty password, which
// such a server refuses (redish stops there, see README).
func TestAskPassAtEndOfInput(t *testing.T) {
	s := redistest.Start(t)
	args := []string{"--askpass", "-p", strconv.Itoa(s.Port), "PING"}
	got, want := runRedish(t, nil, "", args...), runCLI(t, nil, "", args...)
	if got.out != "PONG\n" || got.code != 0 || got.out != want.out || got.code != want.code {
		t.Errorf("stdin at its end: redish exit %d %q, redis-cli exit %d %q; want PONG from both", got.code, got.out, want.code, want.out)
	}
	if r := runRedish(t, nil, "\n", args...); r.code != 1 || !strings.Contains(r.err, "AUTH failed: ERR AUTH <password> called without any password configured") {
		t.Errorf("an empty line: %+v, want AUTH \"\" refused", r)
	}
}

// TestHistoryKeepsNoSecret: a session that authenticates with AUTH and
// changes a password leaves none of it in the history file.
func TestHistoryKeepsNoSecret(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword(password))
	tm := startTerm(t, []string{"REDISCLI_AUTH=" + password}, "-p", strconv.Itoa(s.Port))
	p := prompt(s)
	tm.wait(p)
	for _, line := range []string{
		"AUTH " + password,
		"AUTH default " + password,
		"CONFIG SET requirepass " + password,
		"ACL SETUSER carol on >" + password,
		"PING",
	} {
		tm.run(line, p)
	}
	tm.enter("quit")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit %d", code)
	}
	b, err := os.ReadFile(filepath.Join(tm.home, ".redish_history"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), password) || !strings.Contains(string(b), "PING") {
		t.Errorf("history file:\n%s", b)
	}
}
