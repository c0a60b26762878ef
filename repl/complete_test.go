package repl

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	keys := []string{"user:1", "user:2", "user name", "session", "café", "日本", "bin\xff\x00"}
	lister := func(_ context.Context, prefix string, max int) []string {
		var out []string
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) && len(out) < max {
				out = append(out, k)
			}
		}
		return out
	}
	c := &completer{cmds: newCommandSet(nil), keys: lister}
	for _, tc := range []struct {
		line     string
		word     string
		want     []string // exactly these, when set
		contains []string // at least these
		absent   []string
	}{
		{line: "se", word: "se", contains: []string{"set", "select", "setex"}, absent: []string{"SET"}},
		{line: "SE", word: "SE", contains: []string{"SET", "SELECT"}, absent: []string{"set"}},
		{line: "Hel", word: "Hel", want: []string{"hello", "help"}},
		{line: "3 inc", word: "inc", want: []string{"incr", "incrby", "incrbyfloat"}},
		{line: ":s", word: ":s", want: []string{":set"}},
		{line: "CONFIG G", word: "G", want: []string{"GET"}},
		{line: "config re", word: "re", want: []string{"resetstat", "rewrite"}},
		{line: "client no-e", word: "no-e", want: []string{"no-evict"}},
		{line: "SET k v ", word: "", want: []string{"EX", "EXAT", "GET", "KEEPTTL", "NX", "PX", "PXAT", "XX"}},
		{line: "set k v e", word: "e", want: []string{"ex", "exat"}},
		{line: "SET k v NX ", word: "", want: []string{"EX", "EXAT", "GET", "KEEPTTL", "PX", "PXAT"}},
		{line: "ZRANGE k 0 -1 with", word: "with", want: []string{"withscores"}},
		// "user name" needs quotes: all are quoted, so that "us" can
		// become what they share, `"user`.
		{line: "GET us", word: "us", want: []string{`"user name"`, `"user:1"`, `"user:2"`}},
		{line: "GET user:", word: "user:", want: []string{"user:1", "user:2"}},
		{line: "GET ", word: "", want: []string{`"bin\xff\x00"`, `"user name"`, "café", "session", "user:1", "user:2", "日本"}},
		{line: "DEL a user:", word: "user:", want: []string{"user:1", "user:2"}},
		{line: "SET user:", word: "user:", want: []string{"user:1", "user:2"}},
		{line: "GET caf", word: "caf", want: []string{"café"}},
		{line: "GET 日", word: "日", want: []string{"日本"}},
		{line: "GET 'us", word: "'us", want: []string{"'user name'", "'user:1'", "'user:2'"}},
		{line: "GET bin", word: "bin", want: []string{`"bin\xff\x00"`}},
		{line: "SET k us", word: "us", want: nil},
		{line: "help ", word: "", contains: []string{"@string", "SET", "CONFIG"}},
		{line: "help @str", word: "@str", want: []string{"@stream", "@string"}},
		{line: "help config g", word: "g", want: []string{"get"}},
		{line: ":set no", word: "no", want: []string{"nohints", "nokeys"}},
		{line: ":verbose o", word: "o", want: []string{"off", "on"}},
		{line: ":retry ba", word: "ba", want: []string{"backoff=", "base="}},
		{line: ":retry c", word: "c", want: []string{"cap="}},
		{line: ":retry backoff=ex", word: "backoff=ex", want: []string{"backoff=exponential", "backoff=exponential-jitter"}},
		{line: `GET "us`, word: `"us`, want: []string{`"user name"`, `"user:1"`, `"user:2"`}},
		{line: `GET "user n`, word: `"user n`, want: []string{`"user name"`}},
		{line: `SET "a b`, word: `"a b`, want: nil},
		{line: "NOSUCHCMD ", word: "", want: nil},
	} {
		t.Run(tc.line, func(t *testing.T) {
			word, got := c.complete(tc.line)
			if word != tc.word {
				t.Errorf("word = %q, want %q", word, tc.word)
			}
			if tc.want != nil || (tc.contains == nil && tc.absent == nil) {
				if !slices.Equal(got, tc.want) {
					t.Errorf("complete(%q) = %q, want %q", tc.line, got, tc.want)
				}
			}
			for _, w := range tc.contains {
				if !slices.Contains(got, w) {
					t.Errorf("complete(%q) lacks %q", tc.line, w)
				}
			}
			for _, w := range tc.absent {
				if slices.Contains(got, w) {
					t.Errorf("complete(%q) has %q", tc.line, w)
				}
			}
		})
	}
}

func TestCompleteWithoutKeys(t *testing.T) {
	c := &completer{cmds: newCommandSet(nil)}
	if _, got := c.complete("GET us"); len(got) != 0 {
		t.Errorf("key completion off, got %q", got)
	}
}

func TestMatchCase(t *testing.T) {
	for _, tc := range []struct{ name, typed, want string }{
		{"set", "se", "set"},
		{"set", "SE", "SET"},
		{"set", "", "SET"},
		{"set", "sE", "set"},
		{":set", "", ":set"},
		{"retries=", "RE", "retries="},
		{"@string", "@S", "@STRING"},
		{"@string", "@", "@string"},
	} {
		t.Run(tc.name+"/"+tc.typed, func(t *testing.T) {
			if got := matchCase(tc.name, tc.typed); got != tc.want {
				t.Errorf("matchCase(%q, %q) = %q, want %q", tc.name, tc.typed, got, tc.want)
			}
		})
	}
}

func TestGlobEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"user:", "user:"},
		{"a*b?[c]", `a\*b\?\[c\]`},
		{`x\y`, `x\\y`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := globEscape(tc.in); got != tc.want {
				t.Errorf("globEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestReadlineCompletionSuffixes(t *testing.T) {
	e := &ReadlineEditor{}
	e.SetCompleter(func(string) (string, []string) { return "se", []string{"set", "select"} })
	got, n := e.doComplete([]rune("xx se"), 5)
	if n != 2 || len(got) != 2 || string(got[0]) != "t " || string(got[1]) != "lect " {
		t.Errorf("doComplete = %q, %d", got, n)
	}
	e.SetCompleter(func(string) (string, []string) { return "ba", []string{"backoff="} })
	got, _ = e.doComplete([]rune("ba"), 2)
	if len(got) != 1 || string(got[0]) != "ckoff=" {
		t.Errorf("doComplete = %q: a key= setting takes no space", got)
	}
}

func TestCompleteClusterRetry(t *testing.T) {
	c := &completer{cmds: newCommandSet(nil), cluster: true}
	if _, got := c.complete(":retry c"); !slices.Equal(got, []string{"cap=", "cluster-error-attempts="}) {
		t.Errorf("complete(:retry c) in cluster mode = %q", got)
	}
}
