package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/memserver"
	"github.com/redish/redish/internal/redistest"
)

// writeConfig writes a configuration file and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// printedSetting is one "key = value  # source" line of --print-config.
type printedSetting struct{ value, source string }

// printConfig runs redish --print-config and returns its settings by key
// and its comment lines.
func printConfig(t *testing.T, env map[string]string, args ...string) (map[string]printedSetting, []string) {
	t.Helper()
	r := runRedish(t, env, "", append(args, "--print-config")...)
	if r.code != 0 {
		t.Fatalf("--print-config: exit %d, stderr %q", r.code, r.err)
	}
	settings := map[string]printedSetting{}
	var comments []string
	for _, line := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
		if strings.HasPrefix(line, "# ") {
			comments = append(comments, strings.TrimPrefix(line, "# "))
			continue
		}
		kv, source, ok := strings.Cut(line, "  # ")
		key, value, ok2 := strings.Cut(kv, " = ")
		if !ok || !ok2 {
			continue
		}
		settings[key] = printedSetting{strings.TrimSpace(value), source}
	}
	return settings, comments
}

const testConfig = `
retries = 3
retry-backoff = "exponential"
host = "default.example"

[profile.prod]
host = "prod.example"
port = 6380
user = "app"
pass = "s3cret"
retries = 10
retry-on-error = ["ConnectionError", "LOADING"]
cluster-seed = ["10.0.0.1:6379", "10.0.0.2:6379"]

[profile.local]
uri = "redis://:fromuri@127.0.0.1:7000/4"
`

// TestSettingsPrecedence: defaults < file < profile < environment <
// command line, each setting saying where it came from.
func TestSettingsPrecedence(t *testing.T) {
	path := writeConfig(t, testConfig)
	env := map[string]string{"REDISH_CONFIG": path}
	type want struct{ key, value, source string }
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []want
	}{
		{"top level", nil, nil, []want{
			{"retry-sent", `"safe"`, "default"},
			{"host", `"default.example"`, "file"},
			{"port", "6379", "default"},
			{"retries", "3", "file"},
			{"retry-backoff", `"exponential"`, "file"},
			{"pass", `""`, "default"},
		}},
		{"profile over top level", nil, []string{"--profile", "prod"}, []want{
			{"host", `"prod.example"`, "profile prod"},
			{"port", "6380", "profile prod"},
			{"retries", "10", "profile prod"},
			{"retry-backoff", `"exponential"`, "file"},
			{"retry-on-error", `["ConnectionError", "LOADING"]`, "profile prod"},
			{"cluster-seed", `["10.0.0.1:6379", "10.0.0.2:6379"]`, "profile prod"},
			{"pass", `"****"`, "profile prod"},
		}},
		{"REDISH_PROFILE", map[string]string{"REDISH_PROFILE": "prod"}, nil, []want{
			{"host", `"prod.example"`, "profile prod"},
		}},
		{"env over profile", map[string]string{"REDISCLI_AUTH": "fromenv"}, []string{"--profile", "prod"}, []want{
			{"pass", `"****"`, "env REDISCLI_AUTH"},
		}},
		{"retry-sent from the command line", nil, []string{"--retry-sent", "all"}, []want{
			{"retry-sent", `"all"`, "command line"},
		}},
		{"command line over all", map[string]string{"REDISCLI_AUTH": "fromenv"}, []string{"--profile", "prod", "-p", "7001", "--retries", "1", "-a", "cli"}, []want{
			{"host", `"prod.example"`, "profile prod"},
			{"port", "7001", "command line"},
			{"retries", "1", "command line"},
			{"pass", `"****"`, "command line"},
		}},
		{"a URI on the command line brings its own credentials", nil, []string{"--profile", "prod", "-u", "redis://other:7002"}, []want{
			{"host", `"other"`, "uri, command line"},
			{"port", "7002", "uri, command line"},
			{"user", `""`, "default"},
			{"pass", `""`, "default"},
			{"retries", "10", "profile prod"},
		}},
		{"-h replaces the profile's URI", nil, []string{"--profile", "local", "-h", "10.1.1.1"}, []want{
			{"host", `"10.1.1.1"`, "command line"},
			{"port", "6379", "default"},
			{"db", "0", "default"},
			{"uri", `""`, "default"},
		}},
		{"the profile's URI replaces the top level's host", nil, []string{"--profile", "local"}, []want{
			{"host", `"127.0.0.1"`, "uri, profile local"},
			{"port", "7000", "uri, profile local"},
			{"db", "4", "uri, profile local"},
			{"uri", `"redis://:****@127.0.0.1:7000/4"`, "profile local"},
			{"pass", `"****"`, "uri, profile local"},
		}},
		{"env password over the profile's URI", map[string]string{"REDISCLI_AUTH": "fromenv"}, []string{"--profile", "local"}, []want{
			{"pass", `"****"`, "env REDISCLI_AUTH"},
		}},
		{"--no-config", nil, []string{"--no-config"}, []want{
			{"host", `"127.0.0.1"`, "default"},
			{"retries", "0", "default"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			for k, v := range tt.env {
				e[k] = v
			}
			got, _ := printConfig(t, e, tt.args...)
			for _, w := range tt.want {
				if g := got[w.key]; g.value != w.value || g.source != w.source {
					t.Errorf("%s = %s  # %s; want %s  # %s", w.key, g.value, g.source, w.value, w.source)
				}
			}
		})
	}
}

// TestPrintConfigMasksPasswords: no password reaches the output, from a
// flag, a URI, the environment or the file.
func TestPrintConfigMasksPasswords(t *testing.T) {
	path := writeConfig(t, "[profile.p]\npass = \"filesecret\"\n[profile.u]\nuri = \"redis://user:urisecret@h\"\n")
	runs := [][]string{
		{"-a", "flagsecret"},
		{"-u", "redis://flagurisecret@h:1"},
		{"-u", "redis://alice:flagurisecret@h:1"},
		{"--profile", "p"},
		{"--profile", "u"},
		{},
	}
	env := map[string]string{"REDISH_CONFIG": path, "REDISCLI_AUTH": "envsecret"}
	for _, args := range runs {
		r := runRedish(t, env, "", append(args, "--print-config")...)
		if r.code != 0 {
			t.Fatalf("%q: exit %d, %q", args, r.code, r.err)
		}
		if strings.Contains(r.out, "secret") || !strings.Contains(r.out, `pass = "****"`) {
			t.Errorf("%q: a password is shown, or pass is not masked:\n%s", args, r.out)
		}
	}
}

// TestPrintConfigDescribesTheRun: the comments say which file, profile,
// address, output mode and retry policy the run would use.
func TestPrintConfigDescribesTheRun(t *testing.T) {
	path := writeConfig(t, testConfig)
	_, comments := printConfig(t, map[string]string{"REDISH_CONFIG": path, "REDISH_HISTFILE": "/dev/null"},
		"--profile", "prod", "--csv", "--retry-backoff", "constant", "-c")
	for _, want := range []string{
		"config file: " + path + " (env REDISH_CONFIG)",
		"profile: prod (--profile)",
		"history file: none (env REDISH_HISTFILE)",
		"address: prod.example:6380, RESP2, cluster mode",
		"output: csv (--csv, command line)",
		"policy: retries=10 backoff=constant(base=8ms) on=ConnectionError,LOADING sent=safe",
	} {
		found := false
		for _, c := range comments {
			found = found || c == want
		}
		if !found {
			t.Errorf("no comment %q in %q", want, comments)
		}
	}
}

func TestSettingsErrors(t *testing.T) {
	good := writeConfig(t, testConfig)
	noProfiles := writeConfig(t, "retries = 1\n")
	typo := writeConfig(t, "[profile.prod]\nhots = \"x\"\n")
	badValue := writeConfig(t, "connect-timeout = \"soon\"\n")
	badProfileValue := writeConfig(t, "[profile.p]\nretry-deadline = \"-1s\"\n")
	badResend := writeConfig(t, "retry-sent = \"twice\"\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown profile lists the profiles", map[string]string{"REDISH_CONFIG": good}, []string{"--profile", "qa"},
			good + `: no such profile "qa" (profiles: local, prod)`},
		{"a file without profiles", map[string]string{"REDISH_CONFIG": noProfiles}, []string{"--profile", "qa"},
			noProfiles + `: no such profile "qa": the file defines no profiles`},
		{"a profile without a file", map[string]string{"HOME": t.TempDir()}, []string{"--profile", "qa"},
			"--profile qa: no configuration file ("},
		{"unknown key in the profile chosen", map[string]string{"REDISH_CONFIG": typo}, []string{"--profile", "prod"},
			typo + `:2: unknown setting "hots" in [profile.prod] (did you mean "host"?)`},
		{"bad value", map[string]string{"REDISH_CONFIG": badValue}, nil,
			badValue + `: connect-timeout: "soon" is not a duration`},
		{"bad value in a profile", map[string]string{"REDISH_CONFIG": badProfileValue}, []string{"--profile", "p"},
			badProfileValue + `: [profile.p] retry-deadline: "-1s" is negative`},
		{"missing --config file", nil, []string{"--config", filepath.Join(t.TempDir(), "nope.toml")},
			"configuration file: open "},
		{"bad retry-sent", map[string]string{"REDISH_CONFIG": badResend}, nil,
			badResend + `:1: retry-sent: "twice" is not one of safe, all, none`},
		{"bad --retry-sent", nil, []string{"--no-config", "--retry-sent", "twice"},
			`--retry-sent: "twice" is not one of safe, all, none`},
		{"empty --retry-sent", nil, []string{"--no-config", "--retry-sent", ""},
			`--retry-sent: "" is not one of safe, all, none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runRedish(t, tt.env, "", append(tt.args, "PING")...)
			if r.code != 1 || r.out != "" || !strings.Contains(r.err, tt.want) {
				t.Fatalf("got %+v, want exit 1 and stderr containing %q", r, tt.want)
			}
		})
	}
}

// TestProfileProblemsAreLocal: a problem in a profile the run does not
// use is a warning naming the file and line, and the run goes on with the
// rest of the file.
func TestProfileProblemsAreLocal(t *testing.T) {
	s, err := memserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	_, port, _ := strings.Cut(s.Addr(), ":")
	path := writeConfig(t, "port = "+port+"\n\n[profile.prod]\nhots = \"x\"\n\n[profile.dev]\nretries = 2\n")
	env := map[string]string{"REDISH_CONFIG": path}
	warning := "Warning: ignoring profile prod: " + path + `:4: unknown setting "hots" in [profile.prod] (did you mean "host"?)` + "\n"
	for _, args := range [][]string{{"PING"}, {"--profile", "dev", "PING"}} {
		r := runRedish(t, env, "", args...)
		if r.code != 0 || r.out != "PONG\n" || r.err != warning {
			t.Errorf("%q: exit %d, stdout %q\nstderr %q\nwant   %q", args, r.code, r.out, r.err, warning)
		}
	}
	r := runRedish(t, env, "", "--print-config")
	if r.code != 0 || !strings.Contains(r.out, "port = "+port+" ") || r.err != warning {
		t.Errorf("--print-config: exit %d, stdout %q\nstderr %q\nwant   %q", r.code, r.out, r.err, warning)
	}
	r = runRedish(t, env, "", "--profile", "prod", "PING")
	if want := path + `:4: unknown setting "hots" in [profile.prod] (did you mean "host"?)` + "\n"; r.code != 1 || r.out != "" || r.err != want {
		t.Errorf("--profile prod: exit %d, stdout %q\nstderr %q\nwant   %q", r.code, r.out, r.err, want)
	}
}

// TestProfileConnects: a profile's settings are the ones the run uses.
func TestProfileConnects(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword("pw"))
	s.Do(t, "SELECT", "3")
	path := writeConfig(t, "[profile.test]\nport = "+strconv.Itoa(s.Port)+"\ndb = 3\npass = \"pw\"\n")
	env := map[string]string{"REDISH_CONFIG": path}

	r := runRedish(t, env, "", "--profile", "test", "SET", "k", "v")
	if r.code != 0 || r.out != "OK\n" || r.err != "" {
		t.Fatalf("SET with the profile: got %+v, want OK and no warning", r)
	}
	// The key went to database 3.
	if got := runRedish(t, env, "", "--profile", "test", "-n", "0", "EXISTS", "k"); got.out != "0\n" {
		t.Errorf("EXISTS k in db 0: got %+v, want 0", got)
	}
	if got := runRedish(t, env, "", "--profile", "test", "GET", "k"); got.out != "v\n" {
		t.Errorf("GET k in the profile's db: got %+v, want v", got)
	}
	// REDISCLI_AUTH outranks the file's password.
	env["REDISCLI_AUTH"] = "wrong"
	if got := runRedish(t, env, "", "--profile", "test", "PING"); got.code != 1 || !strings.Contains(got.err, "AUTH failed") {
		t.Errorf("PING with a wrong REDISCLI_AUTH: got %+v, want AUTH failed", got)
	}
}
