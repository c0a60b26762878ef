package ldb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

// lines reads lines from a string, as a shell reads a pipe: no prompt.
type lines struct {
	sc      *bufio.Scanner
	history []string
}

func newLines(s string) *lines { return &lines{sc: bufio.NewScanner(strings.NewReader(s))} }

func (l *lines) ReadLine(string) (string, error) {
	if !l.sc.Scan() {
		return "", io.EOF
	}
	return l.sc.Text(), nil
}

func (l *lines) AddHistory(line string) { l.history = append(l.history, line) }

const script = `local a = 1
local b = redis.call('INCR', KEYS[1])
redis.debug('b is', b)
local c = a + b
return c
`

// evalLoader returns a Load that reads the script file and builds EVAL
// as redish --eval does: keys, then the arguments after a comma.
func evalLoader(path string, keys, args []string) func() ([][]byte, error) {
	return func() ([][]byte, error) {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		eval := redisx.Args("EVAL", string(src), strconv.Itoa(len(keys)))
		return append(eval, redisx.Args(append(keys, args...)...)...), nil
	}
}

// runRedisCLI runs redis-cli's session with input on stdin.
func runRedisCLI(t *testing.T, s *redistest.Server, term, input string, args ...string) string {
	t.Helper()
	cmd := exec.Command(redistest.RedisCLI(t), append([]string{"-p", strconv.Itoa(s.Port)}, args...)...)
	cmd.Env = append(os.Environ(), "TERM="+term)
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis-cli: %v\n%s", err, out.String())
	}
	return out.String()
}

func runSession(t *testing.T, s *redistest.Server, o settings, input string) string {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := s.Options()
	d := deps{
		Out:   &out,
		Lines: newLines(input),
		Dial: func(ctx context.Context) (Conn, error) {
			return redisx.Dial(ctx, &opts)
		},
	}
	if o.Delim == "" {
		o.Delim, o.CmdDelim = "\n", "\n"
	}
	o.Prompt = s.Addr() + "> "
	if err := run(ctx, d, o); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	return out.String()
}

// TestMatchesRedisCLI runs the same sessions through redis-cli and Run on
// one server and compares the bytes.
func TestMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "s.lua")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.lua")
	if err := os.WriteFile(bad, []byte("return (\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	load := evalLoader(file, []string{"k"}, []string{"x"})
	for _, tc := range []struct {
		name  string
		sync  bool
		color bool
		file  string
		input string
	}{
		{name: "step print break eval redis maxlen", input: "s\np\nb 4\nb\nc\np a\np\nm 3\nm\nr GET k\nr\ne return 1+1\neval  redis.call('SET','e','1')\nt\nl\nl 2 1\nw\nhelp\nnosuch\n2 s\nGET k\nrestart\nc\nGET k\nquit\n"},
		{name: "colours", color: true, input: "s\np\nb 4\nc\nm 1\nr GET k\ne return 1+1\nnosuch\nh\nl\nc\n"},
		{name: "abort", input: "s\nabort\nGET k\nexit\n"},
		{name: "sync keeps changes", sync: true, input: "c\nGET k\nrestart\ns\na\n"},
		{name: "bad lines", input: "\n   \np \"a\n0 s\n-1 s\nc\nPING\n3 PING\n"},
		{name: "does not compile", file: bad, input: "s\n"},
		{name: "end of input mid-session", input: "s\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, l := file, load
			if tc.file != "" {
				f, l = tc.file, evalLoader(tc.file, []string{"k"}, []string{"x"})
			}
			mode := "--ldb"
			if tc.sync {
				mode = "--ldb-sync-mode"
			}
			term := "dumb"
			if tc.color {
				term = "xterm-256color"
			}
			s.Do(t, "SET", "k", "10")
			want := runRedisCLI(t, s, term, tc.input, mode, "--eval", f, "k", ",", "x")
			s.Do(t, "SET", "k", "10")
			got := runSession(t, s, settings{Load: l, Sync: tc.sync, Color: tc.color}, tc.input)
			if got != want {
				t.Errorf("got:\n%s\nredis-cli:\n%s", got, want)
			}
			if len(got) < 200 {
				t.Errorf("a short session:\n%s", got)
			}
		})
	}
	t.Run("sync mode changes stay", func(t *testing.T) {
		s.Do(t, "SET", "k", "10")
		runSession(t, s, settings{Load: load, Sync: true}, "c\n")
		if v := s.Do(t, "GET", "k"); v.Text() != "11" {
			t.Errorf("k = %q after a sync session, want 11", v.Str)
		}
		runSession(t, s, settings{Load: load}, "c\n")
		if v := s.Do(t, "GET", "k"); v.Text() != "11" {
			t.Errorf("k = %q after a forked session, want 11 (rolled back)", v.Str)
		}
	})
}

// TestAfterTheSession: the lines typed after the session ended go to
// Exec; help during the session is the debugger's.
func TestAfterTheSession(t *testing.T) {
	s := redistest.Start(t)
	file := filepath.Join(t.TempDir(), "s.lua")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var ran [][]string
	opts := s.Options()
	in := newLines("help\nc\nhelp\n2 help set\nrestart\nquit\n")
	err := run(context.Background(), deps{
		Out:   &out,
		Lines: in,
		Dial:  func(ctx context.Context) (Conn, error) { return redisx.Dial(ctx, &opts) },
		Exec: func(_ context.Context, args []string) error {
			ran = append(ran, args)
			return nil
		},
	}, settings{Load: evalLoader(file, []string{"k"}, nil), Delim: "\n", CmdDelim: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "Redis Lua debugger help:"); got != 1 {
		t.Errorf("debugger help %d times:\n%s", got, out.String())
	}
	if fmt.Sprint(ran) != "[[help] [help set] [help set]]" {
		t.Errorf("Exec ran %q", ran)
	}
	if got := strings.Count(out.String(), Banner); got != 2 {
		t.Errorf("%d sessions, want 2 (restart)", got)
	}
	if fmt.Sprint(in.history) != "[help c help 2 help set restart quit]" {
		t.Errorf("history %q", in.history)
	}
}

func TestScriptFileGone(t *testing.T) {
	s := redistest.Start(t)
	var out bytes.Buffer
	opts := s.Options()
	err := run(context.Background(), deps{
		Out:   &out,
		Lines: newLines(""),
		Dial:  func(ctx context.Context) (Conn, error) { return redisx.Dial(ctx, &opts) },
	}, settings{Load: evalLoader(filepath.Join(t.TempDir(), "gone.lua"), nil, nil), Delim: "\n", CmdDelim: "\n"})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Run: %v, want the file's error", err)
	}
}

func TestLineColor(t *testing.T) {
	for _, tc := range []struct {
		line       string
		bold, code int
	}{
		{"* Stopped at 1, stop reason = step over", 0, 37},
		{"-> 1   local a = 1", 0, 33},
		{"->#4   local c = a + b", 0, 33},
		{"  #4   local c = a + b", 1, 37},
		{"   3   redis.debug('b is', b)", 0, 37},
		{"<debug> line 3: \"b is\", 1", 1, 37},
		{"<redis> GET k", 0, 32},
		{"<reply> \"1\"", 0, 36},
		{"<error> Unknown Redis Lua debugger command or wrong number of arguments.", 0, 31},
		{"<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.", 1, 37},
		{"<value> a = 1", 0, 35},
		{"<retval> 2", 0, 35},
	} {
		if b, c := lineColor(tc.line); b != tc.bold || c != tc.code {
			t.Errorf("%q: %d;%d, want %d;%d", tc.line, b, c, tc.bold, tc.code)
		}
	}
}
