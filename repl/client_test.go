package repl

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

func TestStandalone(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	c := NewStandalone(redisx.NewClient(srv.Options()))
	t.Cleanup(func() { c.Close() })

	if st := c.State(); st.Connected || st.Addr != srv.Addr() {
		t.Fatalf("state before connecting: %+v", st)
	}
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"SELECT", "2"}, {"MULTI"}} {
		if v, err := c.Do(ctx, redisx.Args(args...)); err != nil || v.IsError() {
			t.Fatalf("%v: %v %v", args, v, err)
		}
	}
	if st := c.State(); !st.Connected || st.DB != 2 || !st.InTx {
		t.Errorf("state in MULTI: %+v", st)
	}
	if v, err := c.Do(ctx, redisx.Args("DISCARD")); err != nil || v.IsError() {
		t.Fatal(v, err)
	}

	t.Run("ScanKeys", func(t *testing.T) {
		for i := range 30 {
			c.Do(ctx, redisx.Args("SET", "user:"+strconv.Itoa(i), "x"))
		}
		c.Do(ctx, redisx.Args("SET", "a*b", "x"))
		c.Do(ctx, redisx.Args("SET", "a*c", "x"))
		c.Do(ctx, redisx.Args("SET", "abc", "x"))
		c.Do(ctx, redisx.Args("MULTI")) // key completion must not queue SCAN
		defer c.Do(ctx, redisx.Args("DISCARD"))
		if got := c.ScanKeys(ctx, "user:", 100); len(got) != 30 {
			t.Errorf("ScanKeys(user:) found %d keys, want 30", len(got))
		}
		if got := c.ScanKeys(ctx, "user:", 5); len(got) != 5 {
			t.Errorf("ScanKeys(user:, max 5) found %d keys", len(got))
		}
		got := c.ScanKeys(ctx, "a*", 100)
		slices.Sort(got)
		if !slices.Equal(got, []string{"a*b", "a*c"}) {
			t.Errorf("ScanKeys(a*) = %q: the prefix is not a pattern", got)
		}
		if got := c.ScanKeys(ctx, "user:", 100); len(got) != 30 {
			t.Errorf("second ScanKeys found %d keys", len(got))
		}
		// The scan connection follows the selected database.
		c.Do(ctx, redisx.Args("DISCARD"))
		c.Do(ctx, redisx.Args("SELECT", "3"))
		if got := c.ScanKeys(ctx, "user:", 100); len(got) != 0 {
			t.Errorf("ScanKeys in db 3 found %q", got)
		}
		c.Do(ctx, redisx.Args("SELECT", "2"))
	})

	t.Run("RetryControl", func(t *testing.T) {
		if got := c.RetryPolicy(); got.Retries != 0 {
			t.Errorf("default policy %v", got)
		}
		p, err := c.RetryPolicy().Apply("retries=3")
		if err != nil {
			t.Fatal(err)
		}
		c.SetRetryPolicy(p)
		if c.c.Retry == nil || c.c.Retry.Policy.Retries != 3 {
			t.Errorf("client retry %+v", c.c.Retry)
		}
		seen := false
		c.SetObserver(func(retry.Event) { seen = true })
		if c.Observer() == nil {
			t.Error("observer not set")
		}
		c.SetObserver(nil)
		if c.Observer() != nil || seen {
			t.Error("observer not cleared")
		}
	})

	t.Run("SetAddr", func(t *testing.T) {
		other := redistest.Start(t)
		c.SetAddr(other.Host, other.Port)
		if st := c.State(); st.Connected || st.Addr != other.Addr() || st.DB != 2 {
			t.Errorf("state after SetAddr: %+v", st)
		}
		if err := c.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := c.Do(ctx, redisx.Args("CLIENT", "INFO"))
		if err != nil {
			t.Fatal(err)
		}
		if s := v.Text(); !strings.Contains(s, "db=2") {
			t.Errorf("CLIENT INFO after connect: %s", s)
		}
	})
}

func TestStandaloneSocketState(t *testing.T) {
	srv := redistest.Start(t, redistest.WithUnixSocket())
	c := NewStandalone(redisx.NewClient(redisx.Options{Socket: srv.Socket}))
	t.Cleanup(func() { c.Close() })
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.State()
	if st.Socket != srv.Socket || !st.Connected {
		t.Errorf("state %+v", st)
	}
	if got, want := renderPrompt(st, newPalette(false, false)), "redis "+srv.Socket+"> "; got != want {
		t.Errorf("prompt %q, want %q", got, want)
	}
}
