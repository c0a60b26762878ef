package redisx_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// text renders a reply or a push for comparisons: "push:[invalidate [k]]".
func text(v resp.Value) string {
	switch {
	case v.Kind.IsAggregate():
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = strings.TrimPrefix(text(e), "bulk:")
		}
		return v.Kind.String() + ":[" + strings.Join(parts, " ") + "]"
	case v.Kind == resp.KindInt:
		return fmt.Sprintf("integer:%d", v.Int)
	}
	return v.Kind.String() + ":" + v.Text()
}

// resp3Client returns a client of s that speaks RESP3, closed when the
// test ends.
func resp3Client(t *testing.T, s *redistest.Server) *redisx.Client {
	o := s.Options()
	o.Protocol, o.ForceProtocol = 3, true
	c := redisx.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// trackingScript makes the server send an invalidation push to the client
// that runs it, between the replies to SET and the second GET.
var trackingScript = [][]string{
	{"CLIENT", "TRACKING", "on"}, {"GET", "k"}, {"SET", "k", "2"}, {"GET", "k"}, {"INCR", "c"}, {"PING"},
}

var trackingReplies = []string{"status:OK", "nil:", "status:OK", "bulk:2", "integer:1", "status:PONG"}

// TestPushesAreNeverReplies runs the tracking script over RESP3 with Do
// and with Pipeline, with and without a push handler: every reply lands on
// its own command, and the invalidation goes to the handler, in its place.
func TestPushesAreNeverReplies(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	for _, handler := range []bool{true, false} {
		for _, pipelined := range []bool{false, true} {
			t.Run(fmt.Sprintf("handler=%v pipelined=%v", handler, pipelined), func(t *testing.T) {
				s.Do(t, "FLUSHALL")
				c := resp3Client(t, s)
				var got, pushes []string
				if handler {
					c.OnPush = func(v resp.Value) {
						pushes = append(pushes, fmt.Sprintf("before %d: %s", len(got), text(v)))
					}
				}
				v, err := c.Do(ctx, redisx.Args(trackingScript[0]...))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, text(v))
				rest := trackingScript[1:]
				if pipelined {
					cmds := make([][][]byte, len(rest))
					for i, cmd := range rest {
						cmds[i] = redisx.Args(cmd...)
					}
					err = c.Pipeline(ctx, cmds, func(_ int, v resp.Value, err error) error {
						if err != nil {
							return err
						}
						got = append(got, text(v))
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				} else {
					for _, cmd := range rest {
						v, err := c.Do(ctx, redisx.Args(cmd...))
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, text(v))
					}
				}
				if !slices.Equal(got, trackingReplies) {
					t.Errorf("replies %q, want %q", got, trackingReplies)
				}
				var want []string
				if handler {
					want = []string{"before 3: push:[invalidate array:[k]]"}
				}
				if !slices.Equal(pushes, want) {
					t.Errorf("pushes %q, want %q", pushes, want)
				}
			})
		}
	}
}

// TestPubSubRepliesAreRESP3Pushes: RESP3 confirms SUBSCRIBE and
// UNSUBSCRIBE with pushes, which are their replies; the messages that
// arrive while another command waits go to the push handler.
func TestPubSubRepliesAreRESP3Pushes(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	c := resp3Client(t, s)
	var pushes []string
	c.OnPush = func(v resp.Value) { pushes = append(pushes, text(v)) }
	do := func(args ...string) string {
		t.Helper()
		v, err := c.Do(ctx, redisx.Args(args...))
		if err != nil {
			t.Fatalf("%s: %v", args, err)
		}
		return text(v)
	}
	if got, want := do("SUBSCRIBE", "a", "b"), "push:[subscribe a integer:1]"; got != want {
		t.Errorf("SUBSCRIBE a b: %q, want %q", got, want)
	}
	v, err := c.ReadReply(ctx)
	if err != nil || text(v) != "push:[subscribe b integer:2]" {
		t.Fatalf("second confirmation: %q %v", text(v), err)
	}
	// The message is in the socket before PING is sent: it comes first.
	if n := s.Do(t, "PUBLISH", "a", "hello"); n.Int != 1 {
		t.Fatalf("PUBLISH: %d receivers", n.Int)
	}
	if got := do("PING"); got != "status:PONG" {
		t.Errorf("PING: %q", got)
	}
	if want := []string{"push:[message a hello]"}; !slices.Equal(pushes, want) {
		t.Errorf("pushes %q, want %q", pushes, want)
	}
	if got, want := do("UNSUBSCRIBE", "a"), "push:[unsubscribe a integer:1]"; got != want {
		t.Errorf("UNSUBSCRIBE a: %q, want %q", got, want)
	}
	if got, want := do("PUNSUBSCRIBE"), "push:[punsubscribe nil: integer:1]"; got != want {
		t.Errorf("PUNSUBSCRIBE: %q, want %q", got, want)
	}
}

// clientInfo returns the fields of CLIENT INFO.
func clientInfo(t *testing.T, c *redisx.Client) map[string]string {
	t.Helper()
	v, err := c.Do(context.Background(), redisx.Args("CLIENT", "INFO"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for f := range strings.FieldsSeq(v.Text()) {
		k, val, _ := strings.Cut(f, "=")
		out[k] = val
	}
	return out
}

// trackingInfo returns CLIENT TRACKINGINFO's flags and prefixes.
func trackingInfo(t *testing.T, c *redisx.Client) string {
	t.Helper()
	v, err := c.Do(context.Background(), redisx.Args("CLIENT", "TRACKINGINFO"))
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, kv := range v.Pairs() {
		if k := kv[0].Text(); k == "flags" || k == "prefixes" {
			parts = append(parts, k+"="+text(kv[1]))
		}
	}
	return strings.Join(parts, " ")
}

// TestResetIsTracked: after RESET, a new connection is what RESET left:
// RESP2 (no HELLO 3), db 0, no name, no tracking, no transaction.
func TestResetIsTracked(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	c := resp3Client(t, s)
	for _, cmd := range [][]string{
		{"SELECT", "2"}, {"CLIENT", "SETNAME", "before"}, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "k"},
	} {
		if v, err := c.Do(ctx, redisx.Args(cmd...)); err != nil || v.Kind == resp.KindError {
			t.Fatalf("%s: %v %s", cmd, err, v.Str)
		}
	}
	// A reconnect restores all of it, tracking included.
	c.Close()
	info := clientInfo(t, c)
	if info["resp"] != "3" || info["db"] != "2" || info["name"] != "before" {
		t.Fatalf("after a reconnect: resp=%s db=%s name=%s, want 3, 2, before", info["resp"], info["db"], info["name"])
	}
	if got, want := trackingInfo(t, c), "flags=set:[on bcast] prefixes=array:[k]"; got != want {
		t.Fatalf("tracking after a reconnect: %s, want %s", got, want)
	}
	if v, err := c.Do(ctx, redisx.Args("MULTI")); err != nil || v.Kind == resp.KindError || !c.InTx() {
		t.Fatalf("MULTI: %v %s, in transaction %v", err, v.Str, c.InTx())
	}
	if v, err := c.Do(ctx, redisx.Args("RESET")); err != nil || v.Text() != "RESET" {
		t.Fatalf("RESET: %v %q", err, v.Str)
	}
	if c.InTx() {
		t.Error("still in a transaction after RESET")
	}
	if got := c.Options(); got.Protocol != 2 || got.DB != 0 || got.Name != "" {
		t.Errorf("options after RESET: protocol %d, db %d, name %q", got.Protocol, got.DB, got.Name)
	}
	c.Close()
	info = clientInfo(t, c)
	if info["resp"] != "2" || info["db"] != "0" || info["name"] != "" {
		t.Errorf("after RESET and a reconnect: resp=%s db=%s name=%s, want 2, 0 and no name", info["resp"], info["db"], info["name"])
	}
	if got, want := trackingInfo(t, c), "flags=array:[off] prefixes=array:[]"; got != want {
		t.Errorf("tracking after RESET and a reconnect: %s, want %s", got, want)
	}
}

// TestTrackingThatCannotBeRestored: tracking redirected to a client that
// is gone fails the reconnect once, clearly, and is then left off.
func TestTrackingThatCannotBeRestored(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	target := redisx.NewClient(s.Options())
	defer target.Close()
	id, err := target.Do(ctx, redisx.Args("CLIENT", "ID"))
	if err != nil {
		t.Fatal(err)
	}
	c := redisx.NewClient(s.Options())
	defer c.Close()
	if v, err := c.Do(ctx, redisx.Args("CLIENT", "TRACKING", "on", "REDIRECT", fmt.Sprint(id.Int))); err != nil || v.Kind == resp.KindError {
		t.Fatalf("CLIENT TRACKING on REDIRECT: %v %s", err, v.Str)
	}
	target.Close()
	c.Close()
	_, err = c.Do(ctx, redisx.Args("PING"))
	var he *redisx.HandshakeError
	if !errors.As(err, &he) || he.Step != redisx.TrackingStep || !strings.Contains(err.Error(), "tracking is off now") {
		t.Fatalf("PING after the redirect target left: %v, want a CLIENT TRACKING handshake error", err)
	}
	if v, err := c.Do(ctx, redisx.Args("PING")); err != nil || v.Text() != "PONG" {
		t.Fatalf("next PING: %v %q", err, v.Str)
	}
	if got, want := trackingInfo(t, c), "flags=array:[off] prefixes=array:[]"; got != want {
		t.Errorf("tracking: %s, want %s", got, want)
	}
}

// stream reads messages with ReadReply in a goroutine until the client
// fails.
type stream struct {
	msgs chan string
	done chan error
}

func readStream(ctx context.Context, c *redisx.Client) *stream {
	st := &stream{msgs: make(chan string, 64), done: make(chan error, 1)}
	go func() {
		for {
			v, err := c.ReadReply(ctx)
			if err != nil {
				st.done <- err
				close(st.msgs)
				return
			}
			st.msgs <- text(v)
		}
	}()
	return st
}

// want waits for the messages in want, in order, and fails on any other.
func (st *stream) want(t *testing.T, want ...string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for _, w := range want {
		select {
		case got, ok := <-st.msgs:
			if !ok {
				t.Fatalf("stream ended (%v), want %q", <-st.done, w)
			}
			if got != w {
				t.Fatalf("message %q, want %q", got, w)
			}
		case <-timeout:
			t.Fatalf("no message %q within 20s", w)
		}
	}
}

// TestSubscriptionsSurviveReconnects: under a retry policy, a subscribed
// client whose connection is reset, or whose server restarts, subscribes
// again to its channels, patterns and shard channels, and reads on.
func TestSubscriptionsSurviveReconnects(t *testing.T) {
	s := redistest.Start(t)
	for _, tc := range []struct {
		name    string
		proto   int
		restart bool
	}{
		{"RESP2 reset", 2, false},
		{"RESP3 reset", 3, false},
		{"RESP2 server restart", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			p := faultproxy.New(t, s.Addr())
			o := s.Options()
			o.Host, o.Port = "127.0.0.1", p.Port()
			o.Protocol = tc.proto
			c := redisx.NewClient(o)
			defer c.Close()
			pol := retry.DefaultPolicy()
			pol.Retries, pol.Backoff, pol.Base = 100, "constant", 50*time.Millisecond
			c.Retry = &retry.Retry{Policy: pol}
			kind := "array"
			if tc.proto == 3 {
				kind = "push"
			}
			for _, cmd := range [][]string{{"SUBSCRIBE", "a"}, {"PSUBSCRIBE", "p*"}, {"SSUBSCRIBE", "s"}} {
				if v, err := c.Do(ctx, redisx.Args(cmd...)); err != nil || v.Kind.String() != kind {
					t.Fatalf("%s: %v %s", cmd, err, text(v))
				}
			}
			st := readStream(ctx, c)
			publish := func() {
				s.Do(t, "PUBLISH", "a", "1")
				s.Do(t, "PUBLISH", "p1", "2")
				s.Do(t, "SPUBLISH", "s", "3")
				st.want(t, kind+":[message a 1]", kind+":[pmessage p* p1 2]", kind+":[smessage s 3]")
			}
			publish()
			if tc.restart {
				s.Restart(t)
			} else {
				p.ResetConns()
			}
			st.want(t, kind+":[subscribe a integer:1]", kind+":[psubscribe p* integer:2]", kind+":[ssubscribe s integer:1]")
			publish()
			cancel()
			if err := <-st.done; !errors.Is(err, context.Canceled) {
				t.Errorf("stream ended with %v, want the cancellation", err)
			}
		})
	}
}

// TestSubscriptionEndsWithoutRetries: with no policy, a lost subscribed
// connection ends the stream with the error.
func TestSubscriptionEndsWithoutRetries(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	o := s.Options()
	o.Host, o.Port = "127.0.0.1", p.Port()
	c := redisx.NewClient(o)
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Do(ctx, redisx.Args("SUBSCRIBE", "a")); err != nil {
		t.Fatal(err)
	}
	st := readStream(ctx, c)
	p.ResetConns()
	select {
	case err := <-st.done:
		if retry.Classify(err) != retry.ConnectionError {
			t.Errorf("stream ended with %v, want a ConnectionError", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("stream still running 20s after the reset")
	}
}
