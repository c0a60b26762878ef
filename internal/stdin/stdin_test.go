package stdin

import (
	"context"
	"strings"
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

// run runs the commands of script against s with o, printing in mode,
// and returns stdout, stderr and Run's error.
func run(t *testing.T, s *redistest.Server, mode format.Mode, script string, o Options) (string, string, error) {
	t.Helper()
	ios, out, errOut := env.Test(script)
	client := redisx.NewClient(s.Options())
	defer client.Close()
	e := &env.Env{
		IO:      ios,
		Session: client,
		Printer: env.NewPrinter(ios, env.PrintOptions{Format: format.DefaultOptions(mode)}),
		Conn:    s.Options(),
		Retry:   &retry.Retry{Policy: retry.DefaultPolicy()},
	}
	err := Run(context.Background(), e, o)
	return out.String(), errOut.String(), err
}

// TestWindowsPrintAsOneByOne runs a script that mixes commands that can
// be pipelined with those that cannot (MULTI, SELECT, a blocking one),
// lines that print text, repeats and help, in windows of several sizes:
// the output is the same as one command at a time.
func TestWindowsPrintAsOneByOne(t *testing.T) {
	s := redistest.Start(t)
	script := strings.Join([]string{
		"SET a 1", "INCR a", "3 INCR a", `SET "unterminated`, "GET a",
		"MULTI", "INCR a", "EXEC", "SELECT 1", "SET b x", "SELECT 0",
		"RPUSH l v", "BLPOP l 1", "help GET", "", "GET nothing", "quit", "SET never 1",
	}, "\n") + "\n"
	for _, mode := range []format.Mode{format.Raw, format.TTY} {
		s.Do(t, "FLUSHALL")
		want, wantErr, err := run(t, s, mode, script, Options{Window: 1})
		if err != nil || wantErr != "" {
			t.Fatalf("one at a time: %v, stderr %q", err, wantErr)
		}
		if !strings.Contains(want, "Invalid argument(s)") || strings.Contains(want, "never") {
			t.Fatalf("one at a time printed:\n%s", want)
		}
		for _, window := range []int{2, 3, 1000} {
			s.Do(t, "FLUSHALL")
			got, gotErr, err := run(t, s, mode, script, Options{Window: window})
			if err != nil || gotErr != "" || got != want {
				t.Errorf("%v, window %d: %v, stderr %q, output:\n%q\nwant:\n%q", mode, window, err, gotErr, got, want)
			}
		}
	}
}
