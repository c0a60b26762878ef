package diag

import (
	"context"
	"testing"
	"time"

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

// runDiag runs o against s as cmd runs it, printing in the format mode,
// on clock, and returns what it printed on stdout and stderr and its
// error.
func runDiag(ctx context.Context, t *testing.T, s *redistest.Server, mode format.Mode, clock retry.Clock, o Options) (string, string, error) {
	t.Helper()
	ios, out, errOut := env.Test("")
	client := redisx.NewClient(s.Options())
	defer client.Close()
	e := &env.Env{
		IO:      ios,
		Session: client,
		Printer: env.NewPrinter(ios, env.PrintOptions{Format: format.DefaultOptions(mode)}),
		Clock:   clock,
		Conn:    s.Options(),
		Retry:   &retry.Retry{Policy: retry.DefaultPolicy()},
	}
	err := Run(ctx, e, o)
	return out.String(), errOut.String(), err
}

// fakeClock is a clock whose sleeps return at once and move time on.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1700000000, 0)} }

func (c *fakeClock) Now() time.Time { return c.t }

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	return nil
}

// hookClock is the system clock with sleeps replaced by sleep.
type hookClock struct {
	sleep func(ctx context.Context, d time.Duration) error
}

func (c *hookClock) Now() time.Time { return time.Now() }

func (c *hookClock) Sleep(ctx context.Context, d time.Duration) error { return c.sleep(ctx, d) }
