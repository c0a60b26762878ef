package format

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redish/redish/redisx/commands"
)

// redisCLIHelp runs "redis-cli help ARGS..." (which needs no server) and
// returns its output, skipping the test when redis-cli is not installed.
func redisCLIHelp(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed")
	}
	// redis-cli tries to connect (quietly) even for help; give it a socket
	// path where nothing listens so the output is its built-in help alone.
	sock := filepath.Join(t.TempDir(), "none.sock")
	cmd := exec.Command(path, append([]string{"-s", sock, "help"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis-cli help %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

func TestHelpTextMatchesRedisCLI(t *testing.T) {
	tests := [][]string{
		{"SET"}, {"get"}, {"XADD"}, {"ZADD"}, {"client", "kill"}, {"GEOSEARCH"},
		{"MIGRATE"}, {"SORT"}, {"CONFIG"}, {"config", "get"}, {"CLIENT"},
		{"GEORADIUS"}, {"BITFIELD"}, {"XREAD"}, {"FUNCTION", "RESTORE"},
		{"nosuchcommand"}, {"set", "nx"}, {"@string"}, {"@SORTED-SET"},
		{"@nosuchgroup"}, {"@"}, {""},
	}
	for _, g := range commands.Groups() {
		tests = append(tests, []string{"@" + g})
	}
	for _, args := range tests {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			want := redisCLIHelp(t, args...)
			if got := HelpText(args, "7.0.15"); got != want {
				t.Errorf("HelpText(%q) differs from redis-cli:\n got: %q\nwant: %q", args, got, want)
			}
		})
	}
}

func TestHelpBannerMatchesRedisCLI(t *testing.T) {
	want := redisCLIHelp(t)
	// redis-cli names itself (and its version) in the banner; redish
	// names itself instead and otherwise prints the same text.
	first, rest, _ := strings.Cut(want, "\n")
	if !strings.HasPrefix(first, "redis-cli ") {
		t.Fatalf("unexpected redis-cli banner: %q", want)
	}
	want = "redish 1.2.3\n" + strings.NewReplacer(
		"To set redis-cli preferences", "To set redish preferences",
		"~/.redisclirc", "~/.redishrc",
	).Replace(rest)
	for _, args := range [][]string{nil, {}} {
		if got := HelpText(args, "1.2.3"); got != want {
			t.Errorf("HelpText(%q) = %q\nwant %q", args, got, want)
		}
	}
	if got := HelpDetail(nil, "1.2.3", false); got != want {
		t.Errorf("HelpDetail(nil) = %q\nwant %q", got, want)
	}
}

func TestCommandHelp(t *testing.T) {
	set := commands.LookupCommand("set")
	want := redisCLIHelp(t, "SET")
	if got := CommandHelp(set, true) + "\r\n"; got != want {
		t.Errorf("CommandHelp(SET, true) = %q\nwant %q", got, want)
	}
	if got := CommandHelp(set, false); strings.Contains(got, "group:") {
		t.Errorf("CommandHelp(SET, false) = %q, has a group line", got)
	}
}

func TestHelpDetail(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		color bool
		want  string
	}{
		{
			name: "plain",
			args: []string{"get"},
			want: "\r\n  GET key\r\n  summary: Get the value of a key\r\n  since: 1.0.0\r\n" +
				"  group: string\r\n  complexity: O(1)\r\n\r\n",
		},
		{
			name:  "colour",
			args:  []string{"GET"},
			color: true,
			want: "\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Get the value of a key\r\n" +
				"  \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n  \x1b[33mcomplexity:\x1b[0m O(1)\r\n\r\n",
		},
		{
			name: "deprecated",
			args: []string{"getset"},
			want: "\r\n  GETSET key value\r\n  summary: Set the string value of a key and return its old value\r\n" +
				"  since: 1.0.0\r\n  group: string\r\n  complexity: O(1)\r\n" +
				"  deprecated since: 6.2.0, replaced by `SET` with the `!GET` argument\r\n\r\n",
		},
		{name: "unknown", args: []string{"nosuch"}, want: "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HelpDetail(tt.args, "", tt.color); got != tt.want {
				t.Errorf("HelpDetail(%q) = %q\nwant %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestHelpTopics(t *testing.T) {
	topics := HelpTopics()
	for _, want := range []string{"@string", "@sorted-set", "SET", "CONFIG GET", "GEORADIUS_RO"} {
		if !slices.Contains(topics, want) {
			t.Errorf("HelpTopics() lacks %q", want)
		}
	}
	// Commands come in redis-cli's order (upper-case byte order).
	i, j := slices.Index(topics, "GEORADIUSBYMEMBER"), slices.Index(topics, "GEORADIUS_RO")
	if i < 0 || j < 0 || i > j {
		t.Errorf("GEORADIUSBYMEMBER at %d, GEORADIUS_RO at %d: want redis-cli's order", i, j)
	}
}
