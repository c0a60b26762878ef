package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsSecretLine(t *testing.T) {
	for _, tc := range []struct {
		line   string
		secret bool
	}{
		{"AUTH secret", true},
		{"auth user secret", true},
		{"Auth", true},
		{"3 AUTH secret", true},
		{"HELLO 3 AUTH default secret", true},
		{"hello 3 setname me auth default secret", true},
		{"2 hello 2 AUTH u p", true},
		{"HELLO 3", false},
		{"HELLO 3 SETNAME me", false},
		{"ACL SETUSER alice on >pw", true},
		{"acl getuser alice", true},
		{"Acl DelUser alice", true},
		{"ACL LIST", false},
		{"ACL WHOAMI", false},
		{"CONFIG SET requirepass pw", true},
		{"config set masterauth pw", true},
		{"CONFIG SET masteruser bob", true},
		{"config set MasterAuth pw", true},
		{"CONFIG SET maxmemory 10mb requirepass pw", true},
		{"CONFIG SET tls-auth-clients no", true},
		{"CONFIG SET maxmemory 10mb", false},
		{"CONFIG GET requirepass", false},
		{"5 config set requirepass pw", true},
		{"MIGRATE h 6379 k 0 1000 AUTH pw", true},
		{"migrate h 6379 \"\" 0 1000 auth2 user pw KEYS a b", true},
		{"MIGRATE h 6379 k 0 1000 COPY", false},
		{"SENTINEL SET mymaster auth-pass pw", true},
		{"sentinel set mymaster AUTH-PASS pw", true},
		{"SENTINEL SET mymaster auth-user bob", true},
		{"SENTINEL CONFIG SET sentinel-pass pw", true},
		{"SENTINEL MASTERS", false},
		{"SET auth pw", false},
		{"GET password", false},
		{"", false},
		{`AUTH "unterminated`, true},
		{"PING", false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			if got := IsSecretLine(tc.line); got != tc.secret {
				t.Errorf("IsSecretLine(%q) = %v, want %v", tc.line, got, tc.secret)
			}
		})
	}
}

func TestHistoryPath(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name string
		env  func(string) string
		want string
	}{
		{"home", env("HOME", "/home/u"), "/home/u/.redish_history"},
		{"override", env("HOME", "/home/u", "REDISH_HISTFILE", "/tmp/h"), "/tmp/h"},
		{"disabled", env("HOME", "/home/u", "REDISH_HISTFILE", "/dev/null"), ""},
		{"no home", env(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HistoryPath(tc.env); got != tc.want {
				t.Errorf("HistoryPath = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHistoryFile(t *testing.T) {
	old := setUmask(t, 0)
	defer setUmask(t, old)
	for _, umask := range []int{0, 0o022, 0o077, 0o277} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			setUmask(t, umask)
			path := filepath.Join(t.TempDir(), "history")
			h, lines, err := OpenHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 0 {
				t.Fatalf("new history has %q", lines)
			}
			for _, l := range []string{"SET k v", "AUTH secret", "  ", "config set requirepass x", "GET k"} {
				if _, err := h.Add(l); err != nil {
					t.Fatal(err)
				}
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode().Perm())
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(b), "SET k v\nGET k\n"; got != want {
				t.Errorf("file %q, want %q", got, want)
			}
			_, lines, err = OpenHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(lines, "|") != "SET k v|GET k" {
				t.Errorf("reloaded %q", lines)
			}
		})
	}
}

func TestHistoryTrimmedAndNarrowed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	var b strings.Builder
	for i := range historyMax + 50 {
		fmt.Fprintf(&b, "GET k%d\n\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, lines, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != historyMax || lines[0] != "GET k50" {
		t.Fatalf("loaded %d lines starting %q, want %d starting GET k50", len(lines), lines[0], historyMax)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != historyMax {
		t.Errorf("file has %d lines after trimming, want %d", n, historyMax)
	}
}

func TestHistoryOff(t *testing.T) {
	h, lines, err := OpenHistory("")
	if err != nil || lines != nil {
		t.Fatalf("OpenHistory(\"\") = %v, %v", lines, err)
	}
	kept, err := h.Add("GET k")
	if !kept || err != nil {
		t.Errorf("Add = %v, %v; want kept in memory, no error", kept, err)
	}
	if kept, _ := h.Add("AUTH pw"); kept {
		t.Error("a secret was kept")
	}
}
