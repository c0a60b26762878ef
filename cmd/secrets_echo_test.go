package cmd

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// echoPassword is the password of TestPasswordsNeverEchoed; longPassword
// is longer than the 128 bytes of arguments Redis quotes in an "unknown
// command" error, which then holds only its beginning.
const echoPassword = "Ech0-PW-7c1d2e3f"

var longPassword = "L0ng-" + strings.Repeat("0123456789", 20)

// leaks reports where in out a password shows, whole or any 8 bytes of it.
func leaks(out string, passwords ...string) string {
	for _, pw := range passwords {
		for i := 0; i+8 <= len(pw); i++ {
			if j := strings.Index(out, pw[i:i+8]); j >= 0 {
				return out[max(0, j-60):min(len(out), j+60)]
			}
		}
	}
	return ""
}

// quotingServer is a server that refuses every command with an error that
// quotes all its arguments, whole: the worst a proxy or a hostile server
// can do with what it is sent.
func quotingServer(t *testing.T) (host string, port int) {
	t.Helper()
	addr := scriptedServer(t, func(args []string) string {
		var b strings.Builder
		b.WriteString("-ERR refused:")
		for _, a := range args {
			b.WriteString(" '" + strings.NewReplacer("\r", " ", "\n", " ").Replace(a) + "'")
		}
		return b.String() + "\r\n"
	})
	h, p, _ := net.SplitHostPort(addr)
	port, _ = strconv.Atoi(p)
	return h, port
}

// TestPasswordsNeverEchoed: servers that echo what they are sent (HELLO
// renamed, AUTH renamed, a server quoting every command in its errors, a
// cluster with AUTH renamed) get passwords in every way redish takes
// them, in every mode; the password never shows on stdout or stderr, nor
// in --print-config.
func TestPasswordsNeverEchoed(t *testing.T) {
	helloRenamed := redistest.Start(t, redistest.WithPassword(echoPassword), redistest.WithConfig("rename-command", "HELLO", ""))
	authRenamed := redistest.Start(t, redistest.WithConfig("rename-command", "AUTH", ""))
	cluster := redistest.StartCluster(t, 3, 0, redistest.WithConfig("rename-command", "AUTH", ""))
	qHost, qPort := quotingServer(t)

	type server struct {
		name    string
		host    string
		port    int
		cluster bool
	}
	servers := []server{
		{"HELLO renamed", "127.0.0.1", helloRenamed.Port, false},
		{"AUTH renamed", "127.0.0.1", authRenamed.Port, false},
		{"quoting server", qHost, qPort, false},
		{"cluster, AUTH renamed", "127.0.0.1", cluster.Nodes[0].Port, true},
		{"cluster mode, quoting server", qHost, qPort, true},
	}

	dir := t.TempDir()
	configFile := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// A way of giving the password: options, environment and stdin
	// for a server, and the password it gives.
	type way struct {
		name  string
		pw    string
		given func(s server) (args []string, env map[string]string, stdin string)
	}
	addr := func(s server) []string {
		args := []string{"-h", s.host, "-p", strconv.Itoa(s.port), "--no-auth-warning"}
		if s.cluster {
			args = append(args, "-c")
		}
		return args
	}
	uri := func(s server, pw string) string {
		return "redis://default:" + pw + "@" + net.JoinHostPort(s.host, strconv.Itoa(s.port))
	}
	ways := []way{
		{"-a", echoPassword, func(s server) ([]string, map[string]string, string) {
			return append(addr(s), "-a", echoPassword), nil, ""
		}},
		{"-a, long password", longPassword, func(s server) ([]string, map[string]string, string) {
			return append(addr(s), "-a", longPassword), nil, ""
		}},
		{"--pass and --user", echoPassword, func(s server) ([]string, map[string]string, string) {
			return append(addr(s), "--user", "default", "--pass", echoPassword), nil, ""
		}},
		{"-u", echoPassword, func(s server) ([]string, map[string]string, string) {
			args := []string{"-u", uri(s, echoPassword), "--no-auth-warning"}
			if s.cluster {
				args = append(args, "-c")
			}
			return args, nil, ""
		}},
		{"REDISCLI_AUTH", echoPassword, func(s server) ([]string, map[string]string, string) {
			return addr(s), map[string]string{"REDISCLI_AUTH": echoPassword}, ""
		}},
		{"configuration file pass", echoPassword, func(s server) ([]string, map[string]string, string) {
			return append(addr(s), "--config", configFile("pass.toml", "pass = \""+echoPassword+"\"\n")), nil, ""
		}},
		{"configuration file uri", echoPassword, func(s server) ([]string, map[string]string, string) {
			cf := configFile("uri-"+strconv.Itoa(s.port)+".toml", "uri = \""+uri(s, echoPassword)+"\"\n")
			args := []string{"--config", cf}
			if s.cluster {
				args = append(args, "-c")
			}
			return args, nil, ""
		}},
		{"--askpass", echoPassword, func(s server) ([]string, map[string]string, string) {
			return append(addr(s), "--askpass"), nil, echoPassword + "\n"
		}},
	}
	// Commands that carry a password, typed or read from stdin.
	typed := []string{
		"AUTH " + echoPassword,
		"AUTH default " + echoPassword,
		"HELLO 3 AUTH default " + echoPassword,
		"MIGRATE 127.0.0.1 1 k 0 100 AUTH " + echoPassword,
		"MIGRATE 127.0.0.1 1 k 0 100 AUTH2 default " + echoPassword,
		"ACL SETUSER echo-user >" + echoPassword,
		"CONFIG SET masterauth " + echoPassword,
		"AUTH " + longPassword,
	}
	verbose := []string{"--verbose", "--retries", "1", "--retry-on-error", "ResponseError,ConnectionError"}

	check := func(t *testing.T, r result, passwords ...string) {
		t.Helper()
		if at := leaks(r.out, passwords...); at != "" {
			t.Errorf("a password shows on stdout: ...%q...", at)
		}
		if at := leaks(r.err, passwords...); at != "" {
			t.Errorf("a password shows on stderr: ...%q...", at)
		}
		if t.Failed() {
			t.Logf("%+v", r)
		}
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			for _, w := range ways {
				t.Run(w.name, func(t *testing.T) {
					args, env, stdin := w.given(s)
					modes := map[string]func() result{
						"one-shot": func() result { return runRedish(t, env, stdin, append(args, "PING")...) },
						"RESP3":    func() result { return runRedish(t, env, stdin, append(args, "-3", "PING")...) },
						"stdin": func() result {
							if w.name == "--askpass" {
								return runRedish(t, env, stdin+"PING\n", args...)
							}
							return runRedish(t, env, "PING\n", args...)
						},
						"verbose":      func() result { return runRedish(t, env, stdin, append(append(args, verbose...), "-3", "PING")...) },
						"print-config": func() result { return runRedish(t, env, stdin, append(args, "--print-config")...) },
					}
					for name, run := range modes {
						t.Run(name, func(t *testing.T) { check(t, run(), w.pw) })
					}
				})
			}
			for _, line := range typed {
				name := strings.Fields(line)[0] + " " + strconv.Itoa(len(line))
				t.Run(name, func(t *testing.T) {
					base := addr(s)
					words := strings.Fields(line)
					check(t, runRedish(t, nil, "", append(base, words...)...), echoPassword, longPassword)
					check(t, runRedish(t, nil, line+"\nPING\n", base...), echoPassword, longPassword)
					check(t, runRedish(t, nil, line+"\n", append(base, verbose...)...), echoPassword, longPassword)
					check(t, runRedish(t, nil, "", append(append(base, "-e"), words...)...), echoPassword, longPassword)
				})
			}
		})
	}
}

// TestShellNeverEchoesPasswords types commands that carry passwords in
// the interactive shell of servers that echo them, with --verbose
// retries: the terminal never shows them (but for the line being typed),
// and the history file never holds them.
func TestShellNeverEchoesPasswords(t *testing.T) {
	authRenamed := redistest.Start(t, redistest.WithConfig("rename-command", "AUTH", ""))
	qHost, qPort := quotingServer(t)
	// The prompt is "not connected> " once a retried error has closed the
	// connection.
	const anyPrompt = "> "
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"AUTH renamed", []string{"-p", strconv.Itoa(authRenamed.Port)}},
		{"quoting server", []string{"-h", qHost, "-p", strconv.Itoa(qPort)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hist := filepath.Join(t.TempDir(), "history")
			args := append(tc.args, "--verbose", "--retries", "1", "--retry-on-error", "ResponseError")
			tm := startTerm(t, []string{"REDISH_HISTFILE=" + hist}, args...)
			tm.wait(anyPrompt)
			lines := []string{
				"AUTH " + echoPassword,
				"HELLO 3 AUTH default " + echoPassword,
				"MIGRATE 127.0.0.1 1 k 0 100 AUTH " + echoPassword,
				"ACL SETUSER echo-user >" + echoPassword,
				"CONFIG SET masterauth " + echoPassword,
				"AUTH " + longPassword,
			}
			// output returns what the terminal showed from the mark on,
			// up to the next prompt: redish's output for a line.
			output := func() string {
				from := tm.mark
				tm.wait(anyPrompt)
				tm.mu.Lock()
				defer tm.mu.Unlock()
				return tm.out.String()[from:tm.mark]
			}
			for _, line := range lines {
				tm.enter(line)
				if at := leaks(output(), echoPassword, longPassword); at != "" {
					t.Errorf("after %q the terminal shows a password: ...%q...", line, at)
				}
			}
			// A bare AUTH asks for the password without echo.
			tm.enter("AUTH")
			tm.wait("Password: ")
			tm.typeText(echoPassword + "\r")
			if at := leaks(output(), echoPassword); at != "" {
				t.Errorf("after a bare AUTH the terminal shows the password: ...%q...", at)
			}
			tm.enter("quit")
			tm.exit()
			b, err := os.ReadFile(hist)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if at := leaks(string(b), echoPassword, longPassword); at != "" {
				t.Errorf("the history file holds a password: ...%q...", at)
			}
		})
	}
}
