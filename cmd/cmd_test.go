package cmd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// result is what one run printed and returned.
type result struct {
	out, err string
	code     int
}

// runRedish runs redish in-process with stdin and env as given.
func runRedish(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ios, out, errOut := Test(stdin)
	ios.Getenv = func(k string) string { return env[k] }
	code := Run(context.Background(), args, ios)
	return result{out: dropTimings(out.String()), err: errOut.String(), code: code}
}

// runCLI runs redis-cli, the reference, with the same stdin and env.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(redistest.RedisCLI(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("redis-cli: %v", err)
	}
	return result{out: dropTimings(out.String()), err: errOut.String(), code: code}
}

// timingLine is the "(0.81s)" line both shells print after a command of
// 500ms or more in the human format: how long a command takes depends on
// the machine's load, so comparisons leave these lines out.
var timingLine = regexp.MustCompile(`(?m)^\(\d+\.\d\ds\)\n`)

func dropTimings(s string) string { return timingLine.ReplaceAllString(s, "") }

func portArgs(s *redistest.Server, args ...string) []string {
	return append([]string{"-p", strconv.Itoa(s.Port)}, args...)
}

// diffBytes reports the first difference between two outputs, with context.
func diffBytes(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-80)
	return "first difference at byte " + strconv.Itoa(i) +
		"\nredis-cli: " + strconv.Quote(want[from:min(len(want), i+80)]) +
		"\nredish:    " + strconv.Quote(got[from:min(len(got), i+80)])
}

func TestCommandLineOptionsEndAtTheCommand(t *testing.T) {
	s := redistest.Start(t)
	s.Do(t, "SET", "k", "10")
	r := runRedish(t, nil, "", portArgs(s, "INCRBY", "k", "-5")...)
	if r.code != 0 || r.out != "5\n" || r.err != "" {
		t.Fatalf("INCRBY k -5: got %+v", r)
	}
}

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "Unrecognized option or bad number of args for: '--bogus'\n"},
		{[]string{"-p"}, "Unrecognized option or bad number of args for: '-p'\n"},
		{[]string{"-x", "-X", "tag", "SET", "k", "tag"}, "Options -x and -X are mutually exclusive.\n"},
		{[]string{"-2", "-3", "PING"}, "Options -2 and -3 are mutually exclusive.\n"},
		{[]string{"-c", "-s", "/nonexistent.sock", "PING"}, "Options -c and -s are mutually exclusive.\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runRedish(t, nil, "", tc.args...)
			if r.code != 1 || r.err != tc.want || r.out != "" {
				t.Fatalf("got %+v, want exit 1 and stderr %q", r, tc.want)
			}
			ref := runCLI(t, nil, "", tc.args...)
			if ref.err != tc.want || ref.code != 1 {
				t.Fatalf("redis-cli now says %+v", ref)
			}
		})
	}
}

func TestConnectionErrorsMatchRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	s.Stop()
	for _, args := range [][]string{
		{"-p", port, "PING"},
		{"-h", "nonexistent.invalid", "PING"},
		{"-s", t.TempDir() + "/missing.sock", "PING"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := runCLI(t, nil, "", args...)
			got := runRedish(t, nil, "", args...)
			if got != want {
				t.Fatalf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}

func TestErrorReplies(t *testing.T) {
	s := redistest.Start(t)
	s.Do(t, "SET", "str", "abc")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"raw", []string{"INCR", "str"}, nil},
		{"tty", []string{"--no-raw", "INCR", "str"}, nil},
		{"faketty", []string{"INCR", "str"}, map[string]string{"FAKETTY": "1"}},
		{"errexit raw", []string{"-e", "INCR", "str"}, nil},
		{"errexit tty", []string{"-e", "--no-raw", "INCR", "str"}, nil},
		{"errexit json", []string{"-e", "--json", "INCR", "str"}, nil},
		{"errexit ok", []string{"-e", "GET", "str"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := portArgs(s, tc.args...)
			want := runCLI(t, tc.env, "", args...)
			got := runRedish(t, tc.env, "", args...)
			if got != want {
				t.Fatalf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}

func TestFailedSelectSendsNothing(t *testing.T) {
	s := redistest.Start(t)
	r := runRedish(t, nil, "", portArgs(s, "-n", "99", "SET", "k", "v")...)
	if r.code != 1 || r.out != "" || r.err != "SELECT 99 failed: ERR DB index is out of range\n" {
		t.Fatalf("got %+v", r)
	}
	// INFO keyspace lists every database that holds a key.
	info := s.Do(t, "INFO", "keyspace").Text()
	if strings.Contains(info, "keys=") {
		t.Fatalf("a key was written: %s", info)
	}
}

func TestFailedAuthSendsNothing(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword("right"))
	r := runRedish(t, nil, "", portArgs(s, "--no-auth-warning", "-a", "wrong", "SET", "k", "v")...)
	if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, "AUTH failed: WRONGPASS") {
		t.Fatalf("got %+v", r)
	}
	if info := s.Do(t, "INFO", "keyspace").Text(); strings.Contains(info, "keys=") {
		t.Fatalf("a key was written: %s", info)
	}
	r = runRedish(t, nil, "", portArgs(s, "-a", "right", "PING")...)
	if r.code != 0 || r.out != "PONG\n" || r.err != authWarning+"\n" {
		t.Fatalf("got %+v", r)
	}
	r = runRedish(t, map[string]string{"REDISCLI_AUTH": "right"}, "", portArgs(s, "PING")...)
	if r.code != 0 || r.out != "PONG\n" || r.err != "" {
		t.Fatalf("REDISCLI_AUTH: got %+v", r)
	}
}

// TestSlowCommandShowsItsTime: like redis-cli, a command of 500ms or more
// read from stdin prints "(0.60s)" after its reply, in the human format
// only.
func TestSlowCommandShowsItsTime(t *testing.T) {
	s := redistest.Start(t)
	script := "DEBUG SLEEP 0.6\nPING\n"
	ios, out, _ := Test(script)
	if code := Run(context.Background(), portArgs(s, "--no-raw"), ios); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !regexp.MustCompile(`^OK\n\(\d+\.\d\ds\)\nPONG\n$`).MatchString(out.String()) {
		t.Fatalf("--no-raw: %q", out.String())
	}
	r := runRedish(t, nil, script, portArgs(s)...)
	if r.out != "OK\nPONG\n" {
		t.Fatalf("raw: %q", r.out)
	}
}

// TestRunningCommandsMatchRedisCLI compares -r, -i, -x, -X, --eval,
// --quoted-input, -d and -D with redis-cli, stdout, stderr and exit code.
func TestRunningCommandsMatchRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	script := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(script, []byte("return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		reset string // a key deleted before each run
	}{
		{"repeat", "", []string{"-r", "3", "INCR", "r"}, "r"},
		{"repeat tty", "", []string{"--no-raw", "-r", "2", "INCR", "r"}, "r"},
		{"interval", "", []string{"-r", "2", "-i", "0.05", "PING"}, ""},
		{"stdin last", "from stdin\n", []string{"-x", "SET", "x"}, ""},
		{"stdin last read", "", []string{"GET", "x"}, ""},
		{"stdin tag", "tagged", []string{"-X", "@", "SET", "@", "v"}, ""},
		{"stdin tag read", "", []string{"GET", "tagged"}, ""},
		{"eval", "", []string{"--eval", script, "k1", "k2", ",", "a1"}, ""},
		{"eval no comma", "", []string{"--eval", script, "k1"}, ""},
		{"eval missing file", "", []string{"--eval", script + ".missing"}, ""},
		{"quoted input", "", []string{"--quoted-input", "ECHO", `"a\x00b\n"`}, ""},
		{"bad quoted input", "", []string{"--quoted-input", "ECHO", `"abc`}, ""},
		{"delimiters", "", []string{"-d", ",", "-D", ";", "MGET", "x", "nosuch", "tagged"}, ""},
		{"errexit stops repeat", "", []string{"-e", "-r", "3", "INCR", "x"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := portArgs(s, tc.args...)
			if tc.reset != "" {
				s.Do(t, "DEL", tc.reset)
			}
			want := runCLI(t, nil, tc.stdin, args...)
			if tc.reset != "" {
				s.Do(t, "DEL", tc.reset)
			}
			got := runRedish(t, nil, tc.stdin, args...)
			if got != want {
				t.Fatalf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}
