package cmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/redish/redish/internal/memserver"
)

// TestLabConfigFile checks that the lab takes the configuration file and
// profile like every run (but not where to connect: the file's host and
// TLS are for real servers), and that --no-config reads none.
func TestLabConfigFile(t *testing.T) {
	path := writeConfig(t, `retries = 3
retry-backoff = "constant"
host = "db.example"
tls = true

[profile.p]
retries = 7
retry-backoff-base = "20ms"
`)
	env := map[string]string{"REDISH_CONFIG": path}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"file", env, nil, "retry retries=3 backoff=constant(base=8ms) on=ConnectionError,TimeoutError sent=safe\n"},
		{"--profile", env, []string{"--profile", "p"}, "retry retries=7 backoff=constant(base=20ms) on=ConnectionError,TimeoutError sent=safe\n"},
		{"REDISH_PROFILE", map[string]string{"REDISH_CONFIG": path, "REDISH_PROFILE": "p"}, nil,
			"retry retries=7 backoff=constant(base=20ms) on=ConnectionError,TimeoutError sent=safe\n"},
		{"--config", nil, []string{"--config", path},
			"retry retries=3 backoff=constant(base=8ms) on=ConnectionError,TimeoutError sent=safe\n"},
		{"--no-config", env, []string{"--no-config"}, "retry retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe\n"},
		{"command line wins", env, []string{"--retries", "1"}, "retry retries=1 backoff=constant(base=8ms) on=ConnectionError,TimeoutError sent=safe\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"lab", "--embedded"}, tc.args...)
			r := runRedish(t, tc.env, "PING\n:retry\n", args...)
			if r.code != 0 || r.out != "PONG\n"+tc.want {
				t.Errorf("exit %d\nstdout %q\nwant   %q\nstderr %q", r.code, r.out, "PONG\n"+tc.want, r.err)
			}
		})
	}
}

// TestLabConfigFileUnknownProfile checks that the lab reports a profile
// the file lacks as every run does.
func TestLabConfigFileUnknownProfile(t *testing.T) {
	path := writeConfig(t, "[profile.p]\nretries = 7\n")
	r := runRedish(t, map[string]string{"REDISH_CONFIG": path}, "PING\n", "lab", "--embedded", "--profile", "nope")
	want := path + `: no such profile "nope" (profiles: p)` + "\n"
	if r.code != 1 || r.out != "" || r.err != want {
		t.Errorf("exit %d, stdout %q\nstderr %q\nwant   %q", r.code, r.out, r.err, want)
	}
}

// TestLabScript replays a fault scenario from stdin: the ":" lines run in
// redish (their output takes its place among the replies), the commands
// go to the server, one by one (--window 1) or pipelined.
func TestLabScript(t *testing.T) {
	script := `SET k 1
:retry retries=5 backoff=constant base=10ms
:verbose on
:lab pause 1 200ms
INCR k
:lab kill 1
:lab restart 1
GET k
:verbose
:retry
`
	want := regexp.MustCompile(`^OK
retry retries=5 backoff=constant\(base=10ms\) on=ConnectionError,TimeoutError sent=safe
node 1 \(127\.0\.0\.1:\d+\) paused for 200ms
2
node 1 \(127\.0\.0\.1:\d+\) killed
node 1 \(127\.0\.0\.1:\d+\) restarted

verbose on
retry retries=5 backoff=constant\(base=10ms\) on=ConnectionError,TimeoutError sent=safe
$`)
	for _, window := range []string{"1", "1000"} {
		t.Run("window "+window, func(t *testing.T) {
			r := runRedish(t, nil, script, "lab", "--embedded", "--window", window)
			if r.code != 0 || !want.MatchString(r.out) {
				t.Errorf("exit %d\nstdout %q\nwant   %s\nstderr %q", r.code, r.out, want, r.err)
			}
			// The GET after the restart finds its connection closed: before
			// it is sent (redish connects again quietly) or after, when the
			// proxy has not closed it yet (a retry, which :verbose on
			// prints, marked as sent). Either way it gets its reply.
			if strings.Contains(r.err, "\nretry ") && !strings.Contains(r.err, "(request was sent") {
				t.Errorf("stderr %q: a retry of the GET not marked as sent", r.err)
			}
		})
	}
}

// TestLabScriptErrors checks that a ":" line that cannot run ends the
// run with its message and exit code 1, before anything after it runs.
func TestLabScriptErrors(t *testing.T) {
	for _, tc := range []struct{ stdin, out, err string }{
		{":lab kill\nPING\n", "", "usage: :lab kill NODE\n"},
		{"PING\n:lab kill 9\nPING\n", "PONG\n", ":lab kill: no node 9"},
		{":retry retries=x\nPING\n", "", ":retry: "},
		{":verbose loud\nPING\n", "", ":verbose takes on or off\n"},
		{":set nohints\nPING\n", "", ":set changes the interactive shell's line editing: it does nothing to commands read from stdin\n"},
		{":nope\nPING\n", "", "unknown redish internal command ':nope' (:help lists them)\n"},
	} {
		t.Run(strings.Fields(tc.stdin)[0], func(t *testing.T) {
			r := runRedish(t, nil, tc.stdin, "lab", "--embedded")
			errLines := stderrLines(r.err)
			last := errLines[len(errLines)-1] + "\n"
			if r.code != 1 || r.out != tc.out || !strings.HasPrefix(last, tc.err) {
				t.Errorf("exit %d, stdout %q, last stderr line %q; want exit 1, %q, %q...", r.code, r.out, last, tc.out, tc.err)
			}
		})
	}
}

// TestStdinSendsColonLines checks that outside the lab a ":" line read
// from stdin goes to the server, as redis-cli sends it.
func TestStdinSendsColonLines(t *testing.T) {
	s, err := memserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	host, port, _ := strings.Cut(s.Addr(), ":")
	r := runRedish(t, nil, ":lab kill 1\nPING\n", "-h", host, "-p", port)
	if r.code != 0 || !strings.HasPrefix(r.out, "ERR unknown command") || !strings.HasSuffix(r.out, "\nPONG\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
}
