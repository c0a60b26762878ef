package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// TestEmptyValuesMatchRedisCLI: an option given an empty value means what
// redis-cli means by it, run side by side with redis-cli on the same
// server.
func TestEmptyValuesMatchRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	t.Run("--eval '' cannot open the file", func(t *testing.T) {
		s.Do(t, "SET", "important", "1")
		args := []string{"-p", port, "--eval", "", "important", ",", "x"}
		got, want := runRedish(t, nil, "", args...), runCLI(t, nil, "", args...)
		if got != want || got.code != 1 || got.err != "Can't open file '': No such file or directory\n" {
			t.Errorf("redish %+v\nredis-cli %+v", got, want)
		}
		if v := s.Do(t, "GET", "important"); v.Text() != "1" {
			t.Errorf("important = %q", v.Str)
		}
	})
	t.Run("-X '' replaces the empty argument", func(t *testing.T) {
		for _, run := range []func(*testing.T, map[string]string, string, ...string) result{runRedish, runCLI} {
			s.Do(t, "DEL", "tagged")
			r := run(t, nil, "from stdin", "-p", port, "-X", "", "SET", "tagged", "")
			if r.code != 0 {
				t.Fatalf("%+v", r)
			}
			if v := s.Do(t, "GET", "tagged"); v.Text() != "from stdin" {
				t.Errorf("tagged = %q, want the bytes of stdin", v.Str)
			}
		}
	})
	t.Run("-X '' with no empty argument stores nothing", func(t *testing.T) {
		s.Do(t, "DEL", "tagged")
		got := runRedish(t, nil, "from stdin", "-p", port, "-X", "", "SET", "tagged", "v")
		want := runCLI(t, nil, "from stdin", "-p", port, "-X", "", "SET", "tagged", "v")
		if got.code != 1 || want.code != 1 || !strings.Contains(got.err, `-X: no argument equal to the tag ""`) {
			t.Errorf("redish %+v\nredis-cli %+v", got, want)
		}
		if v := s.Do(t, "EXISTS", "tagged"); v.Int != 0 {
			t.Error("the key was stored")
		}
	})
	for _, flag := range []string{"-a", "--pass"} {
		t.Run(flag+" '' sends AUTH with the empty password", func(t *testing.T) {
			args := []string{"-p", port, flag, "", "--no-auth-warning", "PING"}
			got, want := runRedish(t, nil, "", args...), runCLI(t, nil, "", args...)
			// Both say what the server said; redish then stops (an
			// improvement: the command does not run unauthenticated).
			line := "AUTH failed: ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\n"
			if got.err != line || got.code != 1 || !strings.HasPrefix(want.err, line) || want.out != "PONG\n" {
				t.Errorf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
	t.Run("-d '' and -D '' join with nothing", func(t *testing.T) {
		s.Do(t, "DEL", "list")
		s.Do(t, "RPUSH", "list", "a", "b", "c")
		for _, args := range [][]string{
			{"-p", port, "--raw", "-d", "", "LRANGE", "list", "0", "-1"},
			{"-p", port, "--raw", "-D", "", "LRANGE", "list", "0", "-1"},
		} {
			got, want := runRedish(t, nil, "", args...), runCLI(t, nil, "", args...)
			if got != want {
				t.Errorf("%q: redish %+v\nredis-cli %+v", args, got, want)
			}
		}
	})
}

// TestEmptyValuesRefused: every other option given an empty value, on the
// command line or in the configuration file, is an error naming it; so
// are port 0, a user without a password and a cluster seed that is not
// HOST:PORT. Where redis-cli has the option, it is run too: it either
// fails as well or silently does something else than asked.
func TestEmptyValuesRefused(t *testing.T) {
	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	empty := func(flag string) string {
		return "Option " + flag + " was given an empty value: give a value, or leave the option out.\n"
	}
	for _, tc := range []struct {
		args []string
		err  string // all of stderr
		// cli is what redis-cli prints for the same arguments (a part of
		// its stdout and stderr), where it has the option: it fails too,
		// or silently does something else than asked.
		cli string
	}{
		{[]string{"-u", "", "PING"}, "Invalid URI: unknown scheme \"\": the scheme must be redis://, rediss:// or unix:// (redis-sentinel:// or rediss-sentinel:// for Sentinel)\n", "Invalid URI scheme"},
		{[]string{"--user", "", "-a", "x", "--no-auth-warning", "PING"}, empty("--user"), "AUTH failed: WRONGPASS"}, // then PING
		{[]string{"--user", "", "PING"}, empty("--user"), "PONG"}, // the default user
		{[]string{"--user", "alice", "PING"}, "Option --user needs a password: give -a, --pass, --askpass, REDISCLI_AUTH or a URI with one.\n", "PONG"}, // the default user
		{[]string{"-n", "", "PING"}, "-n, --db: \"\" must be an integer\n", "PONG"},                                                                     // in db 0
		{[]string{"-p", "0", "PING"}, "Invalid port 0 (-p, --port): must be between 1 and 65535.\n", "Could not connect to Redis at 127.0.0.1:0: Connection refused"},
		{[]string{"-h", "", "PING"}, empty("-h, --host"), "Name or service not known"},
		{[]string{"-s", "", "PING"}, empty("-s, --socket"), "Could not connect to Redis at : Connection refused"},
		{[]string{"--sni", "", "PING"}, empty("--sni"), ""},
		{[]string{"--name", "", "PING"}, empty("--name"), ""},
		{[]string{"--config", "", "PING"}, empty("--config"), ""},
		{[]string{"--profile", "", "PING"}, empty("--profile"), ""},
		{[]string{"--retry-on-error", "", "PING"}, empty("--retry-on-error"), ""},
		{[]string{"--pattern", "", "--scan"}, empty("--pattern"), ""}, // SCAN MATCH "": only an empty key
		{[]string{"--rdb", "", "PING"}, empty("--rdb"), ""},
		{[]string{"-c", "--cluster-seed", "", "PING"}, empty("--cluster-seed"), ""},
		{[]string{"-c", "--cluster-seed", "127.0.0.1", "PING"}, "Option --cluster-seed \"127.0.0.1\": not HOST:PORT (IPv6 hosts in brackets: [::1]:7000)\n", ""},
		{[]string{"-c", "--cluster-seed", "127.0.0.1:0", "PING"}, "Option --cluster-seed \"127.0.0.1:0\": port \"0\": must be a number from 1 to 65535\n", ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"-p", port}, tc.args...)
			r := runRedish(t, nil, "", args...)
			if r.code != 1 || r.out != "" || r.err != tc.err {
				t.Errorf("got %+v, want exit 1 and %q", r, tc.err)
			}
			if tc.cli != "" {
				if cli := runCLI(t, nil, "", args...); !strings.Contains(cli.out+cli.err, tc.cli) {
					t.Errorf("redis-cli printed %+v, not %q", cli, tc.cli)
				}
			}
		})
	}
	t.Run("in the configuration file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(file, []byte("[profile.x]\nhost = \"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runRedish(t, nil, "", "--config", file, "--profile", "x", "PING")
		want := "Option -h, --host was given an empty value (in " + file + ", [profile.x]): give a value, or leave the option out.\n"
		if r.code != 1 || r.err != want {
			t.Errorf("got %+v, want %q", r, want)
		}
	})
}
