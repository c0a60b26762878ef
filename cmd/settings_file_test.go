package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

func TestParseConfigFile(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantErr  string            // substring; "" means success
		problems map[string]string // profile: its problems, one per line
	}{
		{name: "empty", text: ""},
		{name: "defaults and profiles", text: `
retries = 3
retry-backoff = "exponential"
default-profile = "prod"

[profile.prod]
host = "redis.example"
port = 6380
tls = true
cluster-seed = ["a:1", "b:2"]
retry-on-error = ["ConnectionError", "LOADING"]
`},
		{name: "unknown top-level key names file and line", text: "retries = 1\nhots = \"x\"\n",
			wantErr: `config.toml:2: unknown setting "hots" (did you mean "host"?)`},
		{name: "unknown key in a profile", text: "[profile.prod]\nport = 1\nretry-bakoff = \"none\"\n",
			problems: map[string]string{"prod": `config.toml:3: unknown setting "retry-bakoff" in [profile.prod] (did you mean "retry-backoff"?)`}},
		{name: "unknown key far from any", text: "\n\nzzzzzzzz = 1\n",
			wantErr: `config.toml:3: unknown setting "zzzzzzzz" (settings are named after long options`},
		{name: "a profile that is not a table", text: "[profile]\nprod = 1\n",
			problems: map[string]string{"prod": `config.toml:2:8: profile.prod: profiles are tables: [profile.prod]`}},
		{name: "wrong type", text: "port = \"6380\"\n", wantErr: "config.toml:1:8: port: expected an integer"},
		{name: "wrong type in a profile", text: "[profile.p]\ncluster-seed = \"a:1\"\n",
			problems: map[string]string{"p": "config.toml:2:16: cluster-seed: expected an array of strings"}},
		{name: "a float for an integer", text: "retries = 1.5\n", wantErr: "config.toml:1:11: retries: expected an integer"},
		{name: "wrong type for default-profile", text: "default-profile = 1\n", wantErr: "config.toml:1:19: default-profile: expected a string"},
		{name: "syntax error", text: "port = \n", wantErr: "config.toml:1:"},
		{name: "syntax error in a profile", text: "[profile.p]\nport = \n", wantErr: "config.toml:2:"},
		{name: "a top-level problem is the file's", text: "hots = 1\n[profile.p]\nprot = 1\n",
			wantErr: `config.toml:1: unknown setting "hots" (did you mean "host"?)`},
		{name: "bad backoff", text: "[profile.x]\nretry-backoff = \"linear\"\n",
			problems: map[string]string{"x": `config.toml:2: [profile.x] retry-backoff: unknown backoff "linear"`}},
		{name: "bad error class", text: "retry-on-error = [\"Nope\"]\n",
			wantErr: `config.toml:1: retry-on-error: unknown error class "Nope"`},
		{name: "bad show-pushes", text: "\nshow-pushes = \"maybe\"\n",
			wantErr: `config.toml:2: show-pushes: "maybe" is not yes or no`},
		{name: "default profile missing", text: "default-profile = \"qa\"\n[profile.prod]\n",
			wantErr: `config.toml:1: default-profile: no such profile "qa" (profiles: prod)`},
		{name: "a problem in one profile leaves the others alone", text: "[profile.a]\nhots = 1\n[profile.b]\nport = 1\n",
			problems: map[string]string{"a": `config.toml:2: unknown setting "hots" in [profile.a] (did you mean "host"?)`}},
		{name: "every broken profile, each with its own lines", text: `retries = 1

[profile.a]
hots = "x"
prot = 1

[profile.b]
retry-backoff = "linear"

[profile.c]
port = 1

[profile.a.extra]
x = 1
`, problems: map[string]string{
			"a": "config.toml:4: unknown setting \"hots\" in [profile.a] (did you mean \"host\"?)\n" +
				"config.toml:5: unknown setting \"prot\" in [profile.a] (did you mean \"port\"?)\n" +
				"config.toml:13: unknown setting \"extra\" in [profile.a] (settings are named after long options: host, port, retries, ...)",
			"b": `config.toml:8: [profile.b] retry-backoff: unknown backoff "linear" (valid: none, constant, exponential, full-jitter, equal-jitter, decorrelated-jitter, exponential-jitter)`,
		}},
		{name: "a default profile with a problem", text: "default-profile = \"p\"\n[profile.p]\nhots = 1\n",
			problems: map[string]string{"p": `config.toml:3: unknown setting "hots" in [profile.p] (did you mean "host"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, err := parseConfigFile("config.toml", []byte(tt.text))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q, want it to contain %q", err, tt.wantErr)
			case err != nil:
				return
			}
			got := map[string]string{}
			for name, lines := range cf.Problems {
				got[name] = strings.Join(lines, "\n")
			}
			if len(got) == 0 {
				got = nil
			}
			for name, want := range tt.problems {
				if !strings.HasPrefix(got[name], want) {
					t.Errorf("problems of %s:\n%s\nwant\n%s", name, got[name], want)
				}
			}
			if len(got) != len(tt.problems) {
				t.Errorf("problems %q, want %q", got, tt.problems)
			}
			for name := range cf.Problems {
				if _, ok := cf.Profiles[name]; ok {
					t.Errorf("profile %s has problems and is in Profiles", name)
				}
				if !slices.Contains(cf.ProfileNames(), name) {
					t.Errorf("profile %s is not in profileNames: %q", name, cf.ProfileNames())
				}
			}
		})
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.toml")
	if cf, err := loadConfigFile(missing, false); cf != nil || err != nil {
		t.Errorf("optional missing file: got %v, %v; want nothing", cf, err)
	}
	if _, err := loadConfigFile(missing, true); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("named missing file: got %v, want a not-exist error", err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[profile.b]\n[profile.a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cf, err := loadConfigFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.ProfileNames(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("profiles = %q, want [a b]", got)
	}
}

func TestConfigPath(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantPath string
		wantMust bool
	}{
		{"XDG", nil, map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/redish/config.toml", false},
		{"relative XDG is ignored", nil, map[string]string{"XDG_CONFIG_HOME": "x", "HOME": "/h"}, "/h/.config/redish/config.toml", false},
		{"HOME", nil, map[string]string{"HOME": "/h"}, "/h/.config/redish/config.toml", false},
		{"no home", nil, nil, "", false},
		{"env", nil, map[string]string{"REDISH_CONFIG": "/e.toml", "HOME": "/h"}, "/e.toml", true},
		{"flag over env", []string{"--config", "/f.toml"}, map[string]string{"REDISH_CONFIG": "/e.toml"}, "/f.toml", true},
		{"--no-config", []string{"--no-config"}, map[string]string{"REDISH_CONFIG": "/e.toml"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := NewRootForDocs()
			if err := root.Flags().Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			o := &settingsOptions{}
			o.Config, _ = root.Flags().GetString("config")
			o.NoConfig, _ = root.Flags().GetBool("no-config")
			path, _, must := configPath(o, root.Flags(), func(k string) string { return tt.env[k] })
			if path != tt.wantPath || must != tt.wantMust {
				t.Errorf("got %q, must=%v; want %q, must=%v", path, must, tt.wantPath, tt.wantMust)
			}
		})
	}
}

// TestConfigSettingsAreFlags: every key of the file is a flag of the same
// kind, so applying it cannot fail on a name or a type.
func TestConfigSettingsAreFlags(t *testing.T) {
	fs := NewRootForDocs().Flags()
	for _, row := range fileOptions() {
		name, fileType := row.name, row.value.fileType()
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("setting %q is not a flag", name)
			continue
		}
		var want []string
		switch fileType.String() {
		case "*bool":
			want = []string{"bool"}
		case "*int":
			want = []string{"int"}
		case "*string":
			want = []string{"string", "duration"}
		case "[]string":
			want = []string{"stringSlice", "stringArray"}
		}
		if !slices.Contains(want, f.Value.Type()) {
			t.Errorf("setting %q is %s, its flag is %s", name, fileType, f.Value.Type())
		}
	}
}

// TestConfigFilePasswordPermissions: a configuration file that holds a
// password (pass, or a URI with one) and that group or others may read
// gets a one-line warning naming it and the fix; the run goes on.
func TestConfigFilePasswordPermissions(t *testing.T) {
	s := redistest.Start(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		body string
		mode os.FileMode
		who  string // "" for no warning
	}{
		{"pass, 0644", `pass = "pw"`, 0o644, "group and others"},
		{"pass, 0640", `pass = "pw"`, 0o640, "group"},
		{"pass, 0604", `pass = "pw"`, 0o604, "others"},
		{"pass, 0600", `pass = "pw"`, 0o600, ""},
		{"pass in a profile, 0644", "[profile.p]\npass = \"pw\"", 0o644, "group and others"},
		{"uri with a password, 0644", `uri = "redis://:pw@127.0.0.1:1"`, 0o644, "group and others"},
		{"uri without a password, 0644", `uri = "redis://127.0.0.1:1"`, 0o644, ""},
		{"no password, 0644", `retries = 1`, 0o644, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.NewReplacer(" ", "-", ",", "").Replace(tc.name)+" x.toml")
			if err := os.WriteFile(file, []byte(tc.body+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(file, tc.mode); err != nil {
				t.Fatal(err)
			}
			r := runRedish(t, nil, "", "--config", file, "--print-config")
			want := ""
			if tc.who != "" {
				want = fmt.Sprintf("Warning: %s holds a password and is readable by %s (mode %04o): run chmod 600 '%s'\n", file, tc.who, tc.mode, file)
			}
			if r.code != 0 || r.err != want {
				t.Errorf("got exit %d, stderr %q; want %q", r.code, r.err, want)
			}
		})
	}
	t.Run("the run goes on", func(t *testing.T) {
		file := filepath.Join(dir, "open.toml")
		if err := os.WriteFile(file, []byte("port = "+strconv.Itoa(s.Port)+"\nuser = \"default\"\npass = \"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runRedish(t, nil, "", "--config", file, "PING")
		if !strings.HasPrefix(r.err, "Warning: "+file+" holds a password") || strings.Count(r.err, "\n") != 1 || r.out != "PONG\n" {
			t.Errorf("got %+v", r)
		}
	})
}
