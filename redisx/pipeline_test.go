package redisx_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

// collect runs a pipeline and returns the replies' texts in the order fn
// received them, failing the test on a gap or a repeat.
func collect(t *testing.T, run func(redisx.ReplyFunc) error) ([]string, error) {
	t.Helper()
	var got []string
	err := run(func(i int, v redisx.Value) error {
		if i != len(got) {
			t.Fatalf("reply %d delivered after %d replies", i, len(got))
		}
		s := v.Text()
		if v.Kind == redisx.KindInt {
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
// replies of a window of ten: the retry sends the seven commands without
// a reply again, and never the three that had one.
func TestClientPipelineResendsOnlyUnreplied(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		retries int
		wantErr bool
	}{
		{"with retries", 2, false},
		{"without retries", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.Do(t, "FLUSHALL")
			p := faultproxy.New(t, s.Addr())
			// Each reply is ":1\r\n": three whole replies, then a close.
			p.SetFor(1, faultproxy.Truncate(3*4))
			o := s.Options()
			o.Host, o.Port = "127.0.0.1", p.Port()
			c := redisx.NewClient(o)
			defer c.Close()
			var events []retry.Event
			c.Retry = &retry.Retry{Policy: retry.Policy{Retries: tt.retries, On: retry.DefaultOn()}}
			c.Observe = func(ev retry.Event) { events = append(events, ev) }
			var cmds [][][]byte
			for i := range 10 {
				cmds = append(cmds, redisx.Args("INCR", fmt.Sprintf("n%d", i)))
			}
			got, err := collect(t, func(fn redisx.ReplyFunc) error { return c.Pipeline(ctx, cmds, fn) })
			if tt.wantErr {
				pe, ok := err.(*redisx.PipelineError)
				if !ok || pe.Done != 3 || len(got) != 3 {
					t.Fatalf("error %v (%T), %d replies; want a PipelineError after 3", err, err, len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 10 {
				t.Fatalf("%d replies, want 10: %q", len(got), got)
			}
			// The three answered commands were not sent again; the seven
			// others were, and ran once or twice (the server may have run
			// them before the connection was cut).
			for i := range 10 {
				got := s.Do(t, "GET", fmt.Sprintf("n%d", i)).Text()
				if i < 3 && got != "1" || i >= 3 && got != "1" && got != "2" {
					t.Errorf("n%d = %q", i, got)
				}
			}
			if len(events) != 1 || !events[0].Sent {
				t.Errorf("retry events %+v, want one, marked as sent", events)
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
