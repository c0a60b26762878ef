package redisx_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// collect runs a pipeline and returns the outcomes' texts in the order
// fn received them ("error:..." for a reply, "failed:..." for a command
// that got none), failing the test on a gap or a repeat.
func collect(t *testing.T, run func(redisx.ReplyFunc) error) ([]string, error) {
	t.Helper()
	var got []string
	err := run(func(i int, v resp.Value, err error) error {
		if i != len(got) {
			t.Fatalf("reply %d delivered after %d replies", i, len(got))
		}
		if err != nil {
			got = append(got, "failed:"+err.Error())
			return nil
		}
		s := v.Text()
		if v.Kind == resp.KindInt {
			s = strconv.FormatInt(v.Int, 10)
		}
		got = append(got, v.Kind.String()+":"+s)
		return nil
	})
	return got, err
}

func TestClientPipeline(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	tests := []struct {
		name string
		cmds [][]string
		want []string
	}{
		{"mixed replies", [][]string{
			{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}, {"LPUSH", "a", "x"}, {"GET", "nosuch"},
		}, []string{"status:OK", "integer:2", "bulk:2", "error:WRONGTYPE Operation against a key holding the wrong kind of value", "nil:"}},
		{"one command", [][]string{{"PING"}}, []string{"status:PONG"}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := redisx.NewClient(s.Options())
			defer c.Close()
			cmds := make([][][]byte, len(tt.cmds))
			for i, cmd := range tt.cmds {
				cmds[i] = redisx.Args(cmd...)
			}
			got, err := collect(t, func(fn redisx.ReplyFunc) error { return c.Pipeline(ctx, cmds, fn) })
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("replies %q, want %q", got, tt.want)
			}
		})
	}
}

// TestClientPipelineInsideMulti checks that inside MULTI the commands are
// queued one by one, as with Do.
func TestClientPipelineInsideMulti(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	c := redisx.NewClient(s.Options())
	defer c.Close()
	if v, err := c.Do(ctx, redisx.Args("MULTI")); err != nil || v.Text() != "OK" {
		t.Fatalf("MULTI: %v %v", v, err)
	}
	got, err := collect(t, func(fn redisx.ReplyFunc) error {
		return c.Pipeline(ctx, [][][]byte{redisx.Args("INCR", "n"), redisx.Args("INCR", "n")}, fn)
	})
	if err != nil || !slices.Equal(got, []string{"status:QUEUED", "status:QUEUED"}) {
		t.Fatalf("inside MULTI: %q %v", got, err)
	}
	if v, err := c.Do(ctx, redisx.Args("EXEC")); err != nil || v.Len() != 2 {
		t.Fatalf("EXEC: %v %v", v, err)
	}
}

// TestClientPipelineResendsOnlyUnreplied loses the connection after three
// replies of a window of ten: the commands that had a reply are never
// sent again; the seven others may have run, and are sent again only
// when --retry-sent allows it (INCR: with all; SET: with safe).
func TestClientPipelineResendsOnlyUnreplied(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		cmd     string
		retries int
		resend  retry.Resend
		resent  bool // the seven are sent again
	}{
		{"INCR, all", "INCR", 2, retry.ResendAll, true},
		{"INCR, safe", "INCR", 2, retry.ResendSafe, false},
		{"SET, safe", "SET", 2, retry.ResendSafe, true},
		{"SET, none", "SET", 2, retry.ResendNone, false},
		{"without retries", "INCR", 0, retry.ResendAll, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.Do(t, "FLUSHALL")
			p := faultproxy.New(t, s.Addr())
			// Each reply is ":1\r\n" or "+OK\r\n": three replies, then a close.
			reply := 4
			if tt.cmd == "SET" {
				reply = 5
			}
			p.SetFor(1, faultproxy.Truncate(3*reply))
			o := s.Options()
			o.Host, o.Port = "127.0.0.1", p.Port()
			c := redisx.NewClient(o)
			defer c.Close()
			var events []retry.Event
			var resends int
			c.Retry = &retry.Retry{Policy: retry.Policy{Retries: tt.retries, On: retry.DefaultOn(), Resend: tt.resend}}
			c.Observe = func(ev retry.Event) { events = append(events, ev) }
			c.OnResend = func(retry.Event) { resends++ }
			var cmds [][][]byte
			for i := range 10 {
				args := []string{tt.cmd, fmt.Sprintf("n%d", i)}
				if tt.cmd == "SET" {
					args = append(args, "1")
				}
				cmds = append(cmds, redisx.Args(args...))
			}
			got, err := collect(t, func(fn redisx.ReplyFunc) error { return c.Pipeline(ctx, cmds, fn) })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 10 {
				t.Fatalf("%d outcomes, want 10: %q", len(got), got)
			}
			for i, g := range got {
				failed := strings.HasPrefix(g, "failed:")
				if i < 3 && failed || i >= 3 && failed == tt.resent {
					t.Errorf("outcome %d: %q", i, g)
				}
				if failed && !strings.Contains(g, " may have run: ") {
					t.Errorf("outcome %d does not say it may have run: %q", i, g)
				}
			}
			// The three answered commands were not sent again; the seven
			// others ran once, or twice when sent again (the server may
			// have run them before the connection was cut).
			for i := range 10 {
				got := s.Do(t, "GET", fmt.Sprintf("n%d", i)).Text()
				if i < 3 && got != "1" || i >= 3 && got != "1" && got != "2" && got != "" {
					t.Errorf("n%d = %q", i, got)
				}
			}
			wantResends := 0
			if tt.resent && tt.cmd == "INCR" {
				wantResends = 7
			}
			if resends != wantResends {
				t.Errorf("%d re-sends reported, want %d", resends, wantResends)
			}
			for _, ev := range events {
				if !ev.Sent {
					t.Errorf("retry event not marked as sent: %+v", ev)
				}
			}
		})
	}
}

func TestCanPipeline(t *testing.T) {
	tests := []struct {
		cmd  []string
		want bool
	}{
		{[]string{"SET", "k", "v"}, true},
		{[]string{"get", "k"}, true},
		{[]string{"NOSUCHCOMMAND"}, true},
		{[]string{"select", "1"}, false},
		{[]string{"MULTI"}, false},
		{[]string{"WATCH", "k"}, false},
		{[]string{"HELLO", "3"}, false},
		{[]string{"RESET"}, false},
		{[]string{"SUBSCRIBE", "c"}, false},
		{[]string{"MONITOR"}, false},
		{[]string{"BLPOP", "l", "0"}, false},
		{[]string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, false},
		{[]string{"WAIT", "1", "0"}, false},
		{[]string{"CLIENT", "REPLY", "OFF"}, false},
	}
	for _, tt := range tests {
		if got := redisx.CanPipeline(redisx.Args(tt.cmd...)); got != tt.want {
			t.Errorf("CanPipeline(%q) = %v, want %v", tt.cmd, got, tt.want)
		}
	}
}
