package oneshot

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// run runs o against s with stdin holding in, in raw output, and returns
// stdout and Run's error.
func run(t *testing.T, s *redistest.Server, in string, o Options) (string, error) {
	t.Helper()
	ios, out, _ := env.Test(in)
	client := redisx.NewClient(s.Options())
	defer client.Close()
	e := &env.Env{
		IO:      ios,
		Session: client,
		Printer: env.NewPrinter(ios, env.PrintOptions{Format: format.DefaultOptions(format.Raw)}),
		Conn:    s.Options(),
		Retry:   &retry.Retry{Policy: retry.DefaultPolicy()},
	}
	err := Run(context.Background(), e, o)
	return out.String(), err
}

func TestRun(t *testing.T) {
	s := redistest.Start(t)
	script := filepath.Join(t.TempDir(), "sum.lua")
	if err := os.WriteFile(script, []byte("return redis.call('INCRBY', KEYS[1], ARGV[1])"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   string // stdin
		o    Options
		want string
	}{
		{"repeat", "", Options{Args: []string{"INCR", "r"}, Repeat: 3}, "1\n2\n3\n"},
		{"last argument from stdin", "from stdin", Options{Args: []string{"ECHO"}, StdinLast: true, Repeat: 1}, "from stdin\n"},
		{"tagged argument from stdin", "tagged", Options{Args: []string{"ECHO", "@"}, ReplaceTag: true, Tag: "@", Repeat: 1}, "tagged\n"},
		{"quoted input", "", Options{Args: []string{"ECHO", `"a\x41 b"`}, QuotedInput: true, Repeat: 1}, "aA b\n"},
		{"eval", "", Options{Args: []string{"e", ",", "5"}, Eval: true, Script: script, Repeat: 2}, "5\n10\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, s, tc.in, tc.o)
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	s := redistest.Start(t)
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no tag", Options{Args: []string{"ECHO", "x"}, ReplaceTag: true, Tag: "@", Repeat: 1}, `-X: no argument equal to the tag "@" in the command.`},
		{"bad quoting", Options{Args: []string{`"open`}, QuotedInput: true, Repeat: 1}, "Invalid quoted string"},
		{"no script", Options{Eval: true, Script: filepath.Join(t.TempDir(), "none.lua"), Repeat: 1}, "Can't open file '"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, s, "", tc.o)
			if err == nil || len(err.Error()) < len(tc.want) || err.Error()[:len(tc.want)] != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
