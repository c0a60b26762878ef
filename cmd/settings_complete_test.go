package cmd

import (
	"slices"
	"strings"
	"testing"
)

// complete runs "redish __complete ARGS" in-process, as the shell scripts
// do, and returns the candidates (without descriptions) and the directive
// line.
func complete(t *testing.T, env map[string]string, args ...string) ([]string, string) {
	t.Helper()
	r := runRedish(t, env, "", append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %q: exit %d, stderr %q", args, r.code, r.err)
	}
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	directive := lines[len(lines)-1]
	var names []string
	for _, l := range lines[:len(lines)-1] {
		name, _, _ := strings.Cut(l, "\t")
		names = append(names, name)
	}
	return names, directive
}

func TestComplete(t *testing.T) {
	const noFiles, noFilesNoSpace, fileExt = ":4", ":6", ":8"
	path := writeConfig(t, "[profile.prod]\n[profile.staging]\n[profile.local]\n")
	env := map[string]string{"REDISH_CONFIG": path}
	tests := []struct {
		name          string
		args          []string
		want          []string // all present
		wantNot       []string // all absent
		exact         bool     // want is the whole list
		wantDirective string
	}{
		{name: "command names", args: []string{"GE"}, want: []string{"GET", "GETDEL", "GEOADD"}, wantNot: []string{"SET"}, wantDirective: noFiles},
		{name: "lower case follows the user", args: []string{"hs"}, want: []string{"hset", "hscan"}, wantNot: []string{"HSET"}, wantDirective: noFiles},
		{name: "first word lists commands, help and completion", args: []string{""}, want: []string{"GET", "HELP", "completion"}, wantNot: []string{"help"}, wantDirective: noFiles},
		{name: "after options", args: []string{"-p", "7000", "INCRB"}, want: []string{"INCRBY", "INCRBYFLOAT"}, exact: true, wantDirective: noFiles},
		{name: "after a flag with a value that looks like a command", args: []string{"-h", "GET", "PIN"}, want: []string{"PING"}, exact: true, wantDirective: noFiles},
		{name: "subcommands of a container", args: []string{"CONFIG", ""}, want: []string{"GET", "SET", "REWRITE", "RESETSTAT", "HELP"}, exact: true, wantDirective: noFiles},
		{name: "subcommands in lower case", args: []string{"client", "li"}, want: []string{"list"}, exact: true, wantDirective: noFiles},
		{name: "no subcommands for a plain command", args: []string{"GET", ""}, exact: true, wantDirective: noFiles},
		{name: "no third word", args: []string{"CONFIG", "GET", ""}, exact: true, wantDirective: noFiles},
		{name: "help topics", args: []string{"help", "@str"}, want: []string{"@string", "@stream"}, exact: true, wantDirective: noFiles},
		{name: "backoff names", args: []string{"--retry-backoff", ""}, want: []string{"none", "constant", "exponential", "full-jitter", "equal-jitter", "decorrelated-jitter", "exponential-jitter"}, exact: true, wantDirective: noFiles},
		{name: "backoff prefix", args: []string{"--retry-backoff", "ex"}, want: []string{"exponential", "exponential-jitter"}, exact: true, wantDirective: noFiles},
		{name: "error classes", args: []string{"--retry-on-error", "Conn"}, want: []string{"ConnectionError"}, exact: true, wantDirective: noFilesNoSpace},
		{name: "error list item", args: []string{"--retry-on-error", "TimeoutError,LO"}, want: []string{"TimeoutError,LOADING"}, exact: true, wantDirective: noFilesNoSpace},
		{name: "retry-sent values", args: []string{"--retry-sent", ""}, want: []string{"safe", "all", "none"}, exact: true, wantDirective: noFiles},
		{name: "show-pushes", args: []string{"--show-pushes", ""}, want: []string{"yes", "no"}, exact: true, wantDirective: noFiles},
		{name: "profiles from the file", args: []string{"--profile", ""}, want: []string{"local", "prod", "staging"}, exact: true, wantDirective: noFiles},
		{name: "profiles from --config", args: []string{"--config", path, "--profile", "s"}, want: []string{"staging"}, exact: true, wantDirective: noFiles},
		{name: "config files", args: []string{"--config", ""}, want: []string{"toml"}, exact: true, wantDirective: fileExt},
		{name: "no files for a host", args: []string{"-h", ""}, exact: true, wantDirective: noFiles},
		{name: "flags", args: []string{"--retry-b"}, want: []string{"--retry-backoff", "--retry-backoff-base", "--retry-backoff-cap"}, exact: true},
		{name: "completion shells", args: []string{"completion", ""}, want: []string{"bash", "zsh", "fish", "powershell"}, exact: true, wantDirective: noFiles},
		{name: "cluster manager subcommands", args: []string{"--cluster", ""}, want: []string{"create", "check", "info", "fix", "reshard", "rebalance", "add-node", "del-node", "call", "set-timeout", "import", "backup", "help"}, exact: true, wantDirective: noFiles},
		{name: "cluster manager subcommand prefix", args: []string{"-a", "pw", "--cluster", "re"}, want: []string{"reshard", "rebalance"}, exact: true, wantDirective: noFiles},
		{name: "cluster manager options", args: []string{"--cluster", "check", "127.0.0.1:7000", "--cluster-se"}, want: []string{"--cluster-search-multiple-owners", "--cluster-seed"}, exact: true},
		{name: "cluster manager option value", args: []string{"--cluster", "reshard", "127.0.0.1:7000", "--cluster-to", ""}, exact: true, wantDirective: noFiles},
		{name: "cluster manager address", args: []string{"--cluster", "check", ""}, exact: true, wantDirective: noFiles},
		{name: "cluster manager backup directory", args: []string{"--cluster", "backup", "127.0.0.1:7000", ""}, exact: true, wantDirective: ":16"},
		{name: "cluster manager options without --cluster", args: []string{"--cluster-rep"}, want: []string{"--cluster-replicas", "--cluster-replace", "--cluster-replica"}, exact: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, directive := complete(t, env, tt.args...)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q not offered; got %q", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if slices.Contains(got, w) {
					t.Errorf("%q offered; got %q", w, got)
				}
			}
			if tt.exact && len(got) != len(tt.want) {
				t.Errorf("got %q, want exactly %q", got, tt.want)
			}
			if tt.wantDirective != "" && directive != tt.wantDirective {
				t.Errorf("directive %s, want %s", directive, tt.wantDirective)
			}
		})
	}
}

func TestCompletionCommand(t *testing.T) {
	tests := []struct {
		shell string
		want  string
	}{
		{"bash", "# bash completion V2 for redish"},
		{"zsh", "#compdef redish"},
		{"fish", "# fish completion for redish"},
		{"powershell", "# powershell completion for redish"},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			r := runRedish(t, nil, "", "completion", tt.shell)
			if r.code != 0 || r.err != "" || !strings.HasPrefix(r.out, tt.want) {
				t.Fatalf("got exit %d, stderr %q, stdout starting %q; want %q", r.code, r.err, r.out[:min(len(r.out), 40)], tt.want)
			}
		})
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		r := runRedish(t, nil, "", args...)
		if r.code != 1 || r.out != "" || r.err == "" {
			t.Errorf("%q: got %+v, want exit 1 and a message", args, r)
		}
	}
}

// TestCommandsAreNotSubcommands: a Redis command runs as before next to the
// completion subcommand, even when an argument is called "completion".
func TestCommandsAreNotSubcommands(t *testing.T) {
	r := runRedish(t, nil, "", "-p", "1", "GET", "completion")
	if r.code != 1 || !strings.Contains(r.err, "Could not connect") {
		t.Fatalf("got %+v, want a connection attempt", r)
	}
}
