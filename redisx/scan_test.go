package redisx_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// scanFixture fills s with n keys "sk:<i>" and returns them sorted, and a
// client of s through a fault proxy with a retry policy.
func scanFixture(t *testing.T, n int) (*redistest.Server, *faultproxy.Proxy, *redisx.Client, []string) {
	t.Helper()
	s := redistest.Start(t)
	var want []string
	args := []string{"MSET"}
	for i := range n {
		k := fmt.Sprintf("sk:%d", i)
		want = append(want, k)
		args = append(args, k, "v")
	}
	s.Do(t, args...)
	slices.Sort(want)
	p := faultproxy.New(t, s.Addr())
	o := s.Options()
	o.Host, o.Port = "127.0.0.1", p.Port()
	c := redisx.NewClient(o)
	t.Cleanup(func() { c.Close() })
	pol := retry.DefaultPolicy()
	pol.Retries, pol.Backoff, pol.Base = 20, "constant", time.Millisecond
	c.Retry = &retry.Retry{Policy: pol}
	return s, p, c, want
}

// scanAll lists the keys with ScanKeys, copying them as fn must.
func scanAll(ctx context.Context, c *redisx.Client, o redisx.ScanOptions) ([]string, error) {
	var got []string
	err := c.ScanKeys(ctx, o, func(keys []resp.Value) error {
		for _, k := range keys {
			got = append(got, k.Text())
		}
		return nil
	})
	slices.Sort(got)
	return got, err
}

// TestScanKeysResumesAfterFaults resets the connection after every fifth
// SCAN has run on the server, and before every seventh reaches it: each is
// sent again from its cursor on a new connection, and every key is listed
// exactly once (the keyspace does not change meanwhile).
func TestScanKeysResumesAfterFaults(t *testing.T) {
	_, p, c, want := scanFixture(t, 400)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n := 0
	p.Set(faultproxy.Func(func(r faultproxy.Request) faultproxy.Fault {
		if r.Command != "SCAN" {
			return faultproxy.Pass()
		}
		n++
		switch {
		case n%5 == 0:
			return faultproxy.ResetAfterSend()
		case n%7 == 0:
			return faultproxy.ResetBeforeSend()
		}
		return faultproxy.Pass()
	}))
	got, err := scanAll(ctx, c, redisx.ScanOptions{Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d keys, want the %d keys once each", len(got), len(want))
	}
	if p.Resets() == 0 {
		t.Fatal("no connection was reset: the test tested nothing")
	}
}

// TestScanKeysStopsClean: when fn fails, the SCAN already sent for the
// next batch must not be read as the reply to the client's next command.
func TestScanKeysStopsClean(t *testing.T) {
	_, _, c, _ := scanFixture(t, 100)
	ctx := context.Background()
	stop := errors.New("stop")
	err := c.ScanKeys(ctx, redisx.ScanOptions{Count: 5}, func([]resp.Value) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("ScanKeys returned %v, want fn's error", err)
	}
	v, err := c.Do(ctx, redisx.Args("ECHO", "next"))
	if err != nil || v.Text() != "next" {
		t.Fatalf("the next command read %q, %v", v.Text(), err)
	}
}

// TestScanKeysNoRetry: without a policy, a lost connection ends the scan
// with the connection's error.
func TestScanKeysNoRetry(t *testing.T) {
	_, p, c, _ := scanFixture(t, 100)
	c.Retry = nil
	p.Set(faultproxy.ResetBeforeSend().On("SCAN").Every(3))
	_, err := scanAll(context.Background(), c, redisx.ScanOptions{Count: 5})
	if retry.Classify(err) != retry.ConnectionError {
		t.Fatalf("ScanKeys returned %v, want a connection error", err)
	}
}

// TestScanKeysErrorReply: an error reply to SCAN is a *ScanError, retried
// first when the policy retries its class.
func TestScanKeysErrorReply(t *testing.T) {
	_, p, c, want := scanFixture(t, 50)
	ctx := context.Background()
	p.Set(faultproxy.ErrorReply("LOADING Redis is loading the dataset in memory").On("SCAN").Every(3))
	got, err := scanAll(ctx, c, redisx.ScanOptions{Count: 5})
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("with every third SCAN answered LOADING: %d keys, %v; want %d keys", len(got), err, len(want))
	}
	c.Retry = nil
	var se *redisx.ScanError
	if _, err := scanAll(ctx, c, redisx.ScanOptions{Count: 5}); !errors.As(err, &se) || se.Msg != "LOADING Redis is loading the dataset in memory" {
		t.Fatalf("LOADING without retries: %v, want a *ScanError", err)
	}
	p.Set(faultproxy.ErrorReply("ERR scan refused").On("SCAN"))
	if _, err := scanAll(ctx, c, redisx.ScanOptions{Count: 5}); !errors.As(err, &se) || se.Msg != "ERR scan refused" {
		t.Fatalf("ScanKeys returned %v, want a *ScanError", err)
	}
}
