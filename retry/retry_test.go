package retry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/backoff"
	"github.com/redish/redish/retry"
	"github.com/redish/redish/retry/retrytest"
)

const ms = time.Millisecond

// half is a Rand that always draws 0.5.
type half struct{}

func (half) Float64() float64 { return 0.5 }

var refused = &connErr{msg: "dial tcp 127.0.0.1:7000: connect: connection refused"}

// run records what the loop did.
type run struct {
	calls    int
	failures []error
	events   []retry.Event
	lines    []string
}

func (r *run) hooks() retry.Hooks {
	return retry.Hooks{
		OnFailure: func(err error) { r.failures = append(r.failures, err) },
		Observe: func(ev retry.Event) {
			r.events = append(r.events, ev)
			r.lines = append(r.lines, retry.FormatEvent(ev))
		},
	}
}

// failing returns an op that fails with errs[i] on call i (0-based),
// repeating the last error, and succeeds once past them if succeedAt > 0.
// It stops the test after maxCalls calls so no loop can run away.
func (r *run) failing(t *testing.T, succeedAt int, errs ...error) func(context.Context) error {
	const maxCalls = 10000
	return func(context.Context) error {
		r.calls++
		if r.calls > maxCalls {
			t.Fatalf("op called more than %d times", maxCalls)
		}
		if r.calls == succeedAt {
			return nil
		}
		return errs[min(r.calls, len(errs))-1]
	}
}

func newRetry(p retry.Policy) (*retry.Retry, *retrytest.Clock) {
	c := retrytest.NewClock()
	return &retry.Retry{Policy: p, Clock: c, Rand: half{}}, c
}

func exponential(retries int) retry.Policy {
	p := retry.DefaultPolicy()
	p.Retries, p.Backoff = retries, backoff.NameExponential
	return p
}

func TestDoCounts(t *testing.T) {
	wrongtype := replyErr("WRONGTYPE Operation against a key holding the wrong kind of value")
	auth := replyErr("WRONGPASS invalid username-password pair or user is disabled.")
	tests := []struct {
		name         string
		policy       retry.Policy
		succeedAt    int
		errs         []error
		wantCalls    int
		wantFailures int
		wantWaits    []time.Duration
		wantErr      error // nil: success; otherwise errors.Is target
		wantWrapped  bool  // the error is a *retry.Error
	}{
		{"success at once", exponential(6), 1, []error{refused}, 1, 0, nil, nil, false},
		{"success on the third attempt", exponential(6), 3, []error{refused}, 3, 2, []time.Duration{16 * ms, 32 * ms}, nil, false},
		{"retries spent", exponential(6), 0, []error{refused}, 7, 7,
			[]time.Duration{16 * ms, 32 * ms, 64 * ms, 128 * ms, 256 * ms, 512 * ms}, refused, true},
		{"no retries", exponential(0), 0, []error{refused}, 1, 1, nil, refused, true},
		{"no backoff never sleeps", retry.Policy{Retries: 3, On: retry.DefaultOn()}, 0, []error{refused}, 4, 4, nil, refused, true},
		{"not retryable", exponential(6), 0, []error{wrongtype}, 1, 0, nil, wrongtype, false},
		{"not retryable after a retryable one", exponential(6), 0, []error{refused, wrongtype}, 2, 1, []time.Duration{16 * ms}, wrongtype, false},
		{"auth never retried", retry.Policy{Retries: 5, On: []retry.Class{retry.ResponseError, retry.AuthenticationError, "WRONGPASS"}},
			0, []error{auth}, 1, 0, nil, auth, false},
		{"zero policy", retry.Policy{}, 0, []error{refused}, 1, 0, nil, refused, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, clock := newRetry(tt.policy)
			var rec run
			err := r.Do(context.Background(), rec.failing(t, tt.succeedAt, tt.errs...), rec.hooks())
			if rec.calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", rec.calls, tt.wantCalls)
			}
			if len(rec.failures) != tt.wantFailures {
				t.Errorf("fail hook calls = %d, want %d", len(rec.failures), tt.wantFailures)
			}
			if got := clock.Waits(); !slices.Equal(got, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tt.wantWaits)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Do = %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Do = %v, want %v", err, tt.wantErr)
			}
			if err.Error() != tt.wantErr.Error() {
				t.Errorf("message = %q, want the original %q", err, tt.wantErr)
			}
			var re *retry.Error
			if got := errors.As(err, &re); got != tt.wantWrapped {
				t.Errorf("errors.As(*retry.Error) = %v, want %v", got, tt.wantWrapped)
			}
			if re != nil && re.Attempts != tt.wantCalls {
				t.Errorf("Attempts = %d, want %d", re.Attempts, tt.wantCalls)
			}
		})
	}
}

func TestDoEvents(t *testing.T) {
	r, _ := newRetry(exponential(6))
	var rec run
	err := r.Do(context.Background(), rec.failing(t, 0, refused), rec.hooks())
	if err == nil {
		t.Fatal("Do succeeded")
	}
	want := []string{
		"retry 1/6 in 16ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]",
		"retry 2/6 in 32ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]",
		"retry 3/6 in 64ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]",
		"retry 4/6 in 128ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]",
		"retry 5/6 in 256ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]",
		"retry 6/6 in 512ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]",
		"giving up after 7 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused",
	}
	if !slices.Equal(rec.lines, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(rec.lines, "\n"), strings.Join(want, "\n"))
	}
	var re *retry.Error
	if !errors.As(err, &re) || re.Reason != retry.ActionGiveUp || re.Class != retry.ConnectionError {
		t.Errorf("Do = %#v, want a give-up *retry.Error of class ConnectionError", err)
	}
}

// TestDoHookOrder checks that the node is asked for before the fail hook
// closes the connection, and that events follow the fail hook.
func TestDoHookOrder(t *testing.T) {
	r, _ := newRetry(retry.Policy{Retries: 1, On: retry.DefaultOn()})
	var order []string
	timeout := &connErr{msg: "read: i/o timeout", timeout: true, sent: true}
	h := retry.Hooks{
		Node:      func() string { order = append(order, "node"); return "127.0.0.1:7000" },
		OnFailure: func(error) { order = append(order, "fail") },
		Observe:   func(ev retry.Event) { order = append(order, retry.FormatEvent(ev)) },
		Safe:      func() bool { return true }, // a read: sent again after its request left
	}
	err := r.Do(context.Background(), func(context.Context) error {
		order = append(order, "op")
		return timeout
	}, h)
	if !errors.Is(err, timeout) {
		t.Fatalf("Do = %v", err)
	}
	want := []string{
		"op", "node", "fail",
		"retry 1/1 in 0s after TimeoutError on 127.0.0.1:7000: read: i/o timeout (request was sent: the command may already have run) [none]",
		"op", "node", "fail",
		"giving up after 2 attempts: TimeoutError on 127.0.0.1:7000: read: i/o timeout (request was sent: the command may already have run)",
	}
	if !slices.Equal(order, want) {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
}

func TestDoForeverStopsOnCancel(t *testing.T) {
	p := exponential(retry.Forever)
	r, clock := newRetry(p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec run
	op := func(c context.Context) error {
		rec.calls++
		if rec.calls == 100 {
			cancel() // as Ctrl-C would, while the attempt fails
		}
		if rec.calls > 1000 {
			t.Fatal("the loop did not stop")
		}
		return refused
	}
	err := r.Do(ctx, op, rec.hooks())
	if rec.calls != 100 || len(rec.failures) != 100 || len(clock.Waits()) != 99 {
		t.Errorf("calls %d, fail hooks %d, waits %d; want 100, 100, 99", rec.calls, len(rec.failures), len(clock.Waits()))
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, refused) {
		t.Fatalf("Do = %v, want it to wrap context.Canceled and the last error", err)
	}
	if want := "context canceled after 100 attempts; last error: dial tcp 127.0.0.1:7000: connect: connection refused"; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
	if last := rec.lines[len(rec.lines)-1]; !strings.HasPrefix(last, "interrupted after 100 attempts: ConnectionError: ") {
		t.Errorf("last event = %q", last)
	}
}

func TestDoCancelEndsTheWait(t *testing.T) {
	r, clock := newRetry(exponential(retry.Forever))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.OnSleep = func(n int, _ time.Duration) {
		if n == 3 {
			cancel()
		}
	}
	var rec run
	err := r.Do(ctx, rec.failing(t, 0, refused), rec.hooks())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	var ce *connErr
	if !errors.As(err, &ce) || ce != refused {
		t.Errorf("errors.As did not find the last error in %v", err)
	}
	if got, want := clock.Waits(), []time.Duration{16 * ms, 32 * ms}; !slices.Equal(got, want) {
		t.Errorf("completed waits = %v, want %v", got, want)
	}
	if rec.calls != 3 {
		t.Errorf("calls = %d, want 3", rec.calls)
	}
	if last := rec.lines[len(rec.lines)-1]; !strings.HasPrefix(last, "interrupted after 3 attempts: ") {
		t.Errorf("last event = %q", last)
	}
}

func TestDoCanceledNotRetryable(t *testing.T) {
	r, _ := newRetry(exponential(retry.Forever))
	var rec run
	err := r.Do(context.Background(), rec.failing(t, 0, fmt.Errorf("GET: %w", context.Canceled)), rec.hooks())
	if !errors.Is(err, context.Canceled) || rec.calls != 1 || len(rec.failures) != 0 || len(rec.events) != 0 {
		t.Errorf("Do = %v after %d calls, %d fail hooks, %d events; want context.Canceled after 1, 0, 0",
			err, rec.calls, len(rec.failures), len(rec.events))
	}
}

func TestDoDeadline(t *testing.T) {
	constant := func(base, deadline time.Duration) retry.Policy {
		p := retry.DefaultPolicy()
		p.Retries, p.Backoff, p.Base, p.Deadline = retry.Forever, backoff.NameConstant, base, deadline
		return p
	}
	withDeadline := func(p retry.Policy, d time.Duration) retry.Policy { p.Deadline = d; return p }
	tests := []struct {
		name      string
		policy    retry.Policy
		opTakes   time.Duration
		wantCalls int
		wantWaits int
	}{
		// Failures at 0, 100ms, ..., 1s: the retry at exactly 1s still runs.
		{"constant waits", constant(100*ms, time.Second), 0, 11, 10},
		// 16ms and 32ms fit in 100ms; 64ms more would end at 112ms.
		{"exponential never sleeps past", withDeadline(exponential(retry.Forever), 100*ms), 0, 3, 2},
		// Failures at 30, 60, 90 and 120ms, no backoff.
		{"slow attempts", withDeadline(retry.Policy{Retries: retry.Forever, On: retry.DefaultOn()}, 100*ms), 30 * ms, 4, 0},
		// The retry count ends the loop before the deadline does.
		{"retries first", withDeadline(exponential(2), time.Hour), 0, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, clock := newRetry(tt.policy)
			var rec run
			op := func(ctx context.Context) error {
				clock.Advance(tt.opTakes)
				return rec.failing(t, 0, refused)(ctx)
			}
			start := clock.Now()
			err := r.Do(context.Background(), op, rec.hooks())
			if !errors.Is(err, refused) {
				t.Fatalf("Do = %v, want the last error", err)
			}
			if rec.calls != tt.wantCalls || len(clock.Waits()) != tt.wantWaits {
				t.Errorf("calls %d, waits %v; want %d calls, %d waits", rec.calls, clock.Waits(), tt.wantCalls, tt.wantWaits)
			}
			var slept time.Duration
			for _, w := range clock.Waits() {
				slept += w
			}
			if slept > tt.policy.Deadline {
				t.Errorf("slept %v in all, past the deadline %v", slept, tt.policy.Deadline)
			}
			if rec.calls > 1 && clock.Now().Sub(start)-tt.opTakes > tt.policy.Deadline {
				t.Errorf("last attempt started after the deadline")
			}
		})
	}
}

func TestDoDeadlineEvent(t *testing.T) {
	p := exponential(retry.Forever)
	p.Deadline = 100 * ms
	r, _ := newRetry(p)
	var rec run
	err := r.Do(context.Background(), rec.failing(t, 0, replyErr("LOADING Redis is loading the dataset in memory")), rec.hooks())
	var re *retry.Error
	if !errors.As(err, &re) || re.Reason != retry.ActionDeadline {
		t.Fatalf("Do = %v, want a deadline *retry.Error", err)
	}
	if got := retry.Classify(err); got != retry.BusyLoadingError {
		t.Errorf("Classify(result) = %q, want BusyLoadingError", got)
	}
	want := "giving up after 3 attempts (retry deadline 100ms): BusyLoadingError: LOADING Redis is loading the dataset in memory"
	if last := rec.lines[len(rec.lines)-1]; last != want {
		t.Errorf("last event = %q\nwant %q", last, want)
	}
}

// TestDoResetsBackoff checks that a stateful backoff starts over on every
// call of Do.
func TestDoResetsBackoff(t *testing.T) {
	p := exponential(3)
	p.Backoff = backoff.NameDecorrelatedJitter
	r, clock := newRetry(p)
	for range 2 {
		var rec run
		if err := r.Do(context.Background(), rec.failing(t, 0, refused), retry.Hooks{}); err == nil {
			t.Fatal("Do succeeded")
		}
	}
	want := []time.Duration{8 * ms, 16 * ms, 28 * ms, 8 * ms, 16 * ms, 28 * ms}
	if got := clock.Waits(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestDoConcurrent(t *testing.T) {
	p := exponential(4)
	p.Backoff = backoff.NameDecorrelatedJitter
	r, clock := newRetry(p)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := r.Do(context.Background(), func(context.Context) error { return refused }, retry.Hooks{}); !errors.Is(err, refused) {
				t.Errorf("Do = %v", err)
			}
		})
	}
	wg.Wait()
	if n := len(clock.Waits()); n != 8*4 {
		t.Errorf("waits = %d, want 32", n)
	}
}

func TestDoInvalid(t *testing.T) {
	tests := []struct {
		name string
		r    *retry.Retry
		op   func(context.Context) error
		want string
	}{
		{"policy", &retry.Retry{Policy: retry.Policy{Retries: -2}}, func(context.Context) error { return nil }, "retry: invalid policy: retries: -2 is out of range"},
		{"backoff", &retry.Retry{Policy: retry.Policy{Backoff: "bogus"}}, func(context.Context) error { return nil }, "retry: invalid policy: backoff: unknown backoff"},
		{"nil op", &retry.Retry{}, nil, "retry: nil operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Do(context.Background(), tt.op, retry.Hooks{})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Do = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSystemClockSleep(t *testing.T) {
	var c retry.SystemClock
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v", err)
	}
	if err := c.Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := c.Sleep(context.Background(), time.Microsecond); err != nil {
		t.Errorf("Sleep(1µs) = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Sleep(ctx, time.Hour) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep cancelled midway = %v", err)
	}
	if c.Now().IsZero() {
		t.Error("Now() is zero")
	}
}

func TestDoWithSystemClock(t *testing.T) {
	r := &retry.Retry{Policy: retry.Policy{Retries: 2, Backoff: "constant", Base: time.Microsecond, Cap: time.Second, On: retry.DefaultOn()}}
	var rec run
	if err := r.Do(context.Background(), rec.failing(t, 3, refused), retry.Hooks{}); err != nil || rec.calls != 3 {
		t.Errorf("Do = %v after %d calls, want success after 3", err, rec.calls)
	}
}

func TestFormatEvent(t *testing.T) {
	tests := []struct {
		name string
		ev   retry.Event
		want string
	}{
		{"forever", retry.Event{Action: retry.ActionRetry, Attempt: 3, Retries: retry.Forever, Wait: 64 * ms, Class: retry.ConnectionError, Err: refused, Backoff: "exponential"},
			"retry 3/∞ in 64ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]"},
		{"node already in message", retry.Event{Action: retry.ActionRetry, Attempt: 1, Retries: 6, Wait: 16 * ms, Class: retry.ConnectionError, Err: refused, Node: "127.0.0.1:7000", Backoff: "exponential"},
			"retry 1/6 in 16ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]"},
		{"line breaks", retry.Event{Action: retry.ActionRetry, Attempt: 1, Retries: 1, Class: retry.ResponseError, Err: replyErr("ERR a\r\nb\nc\rd"), Node: "[::1]:6379", Backoff: "none"},
			"retry 1/1 in 0s after ResponseError on [::1]:6379: ERR a b c d [none]"},
		{"give up, one attempt", retry.Event{Action: retry.ActionGiveUp, Attempt: 1, Class: retry.TimeoutError, Err: errors.New("i/o timeout"), Sent: true},
			"giving up after 1 attempt: TimeoutError: i/o timeout (request was sent: the command may already have run)"},
		{"interrupted", retry.Event{Action: retry.ActionInterrupt, Attempt: 2, Class: retry.ConnectionError, Err: refused},
			"interrupted after 2 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused"},
		{"deadline", retry.Event{Action: retry.ActionDeadline, Attempt: 4, Deadline: 10 * time.Second, Class: retry.ConnectionError, Err: refused},
			"giving up after 4 attempts (retry deadline 10s): ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused"},
		{"empty", retry.Event{}, "giving up after 0 attempts: error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retry.FormatEvent(tt.ev); got != tt.want {
				t.Errorf("FormatEvent =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestActionString(t *testing.T) {
	for a, want := range map[retry.Action]string{
		retry.ActionRetry: "retry", retry.ActionGiveUp: "give up", retry.ActionDeadline: "deadline",
		retry.ActionInterrupt: "interrupt", 0: "Action(0)",
	} {
		if got := a.String(); got != want {
			t.Errorf("Action(%d).String() = %q, want %q", int(a), got, want)
		}
	}
}

func BenchmarkDoSuccess(b *testing.B) {
	r := &retry.Retry{Policy: exponential(6)}
	op := func(context.Context) error { return nil }
	ctx := context.Background()
	for b.Loop() {
		_ = r.Do(ctx, op, retry.Hooks{})
	}
}

func TestErrorZero(t *testing.T) {
	var e retry.Error
	if got := e.Error(); got != "retry: no error" {
		t.Errorf("Error() = %q", got)
	}
}

// TestDoResend checks --retry-sent: a failure before the request left is
// retried under every value; after it left, safe sends again only a safe
// operation, all sends everything again and reports the unsafe re-sends,
// none sends nothing again. The error says whether the operation may have
// run, also when the last attempt failed before sending.
func TestDoResend(t *testing.T) {
	reset := &connErr{msg: "read: connection reset by peer", sent: true}
	tests := []struct {
		name      string
		resend    retry.Resend
		safe      bool
		errs      []error
		calls     int
		resends   int // OnResend calls
		reason    retry.Action
		sent      bool
		lastEvent string
	}{
		{"not sent: retried under none", retry.ResendNone, false, []error{refused}, 3, 0, retry.ActionGiveUp, false,
			"giving up after 3 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused"},
		{"sent, unsafe, safe", retry.ResendSafe, false, []error{reset}, 1, 0, retry.ActionNotResent, true,
			"not sending INCR ctr again (--retry-sent safe) after 1 attempt: ConnectionError: read: connection reset by peer (request was sent: the command may already have run)"},
		{"sent, safe, safe", retry.ResendSafe, true, []error{reset}, 3, 0, retry.ActionGiveUp, true,
			"giving up after 3 attempts: ConnectionError: read: connection reset by peer (request was sent: the command may already have run)"},
		{"sent, unsafe, all", retry.ResendAll, false, []error{reset}, 3, 2, retry.ActionGiveUp, true,
			"giving up after 3 attempts: ConnectionError: read: connection reset by peer (request was sent: the command may already have run)"},
		{"sent, safe, none", retry.ResendNone, true, []error{reset}, 1, 0, retry.ActionNotResent, true,
			"not sending INCR ctr again (--retry-sent none) after 1 attempt: ConnectionError: read: connection reset by peer (request was sent: the command may already have run)"},
		{"sent then refused: may have run", retry.ResendAll, false, []error{reset, refused}, 3, 1, retry.ActionGiveUp, true,
			"giving up after 3 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := retry.DefaultPolicy()
			p.Retries, p.Resend = 2, tt.resend
			r, _ := newRetry(p)
			var rec run
			h := rec.hooks()
			h.Safe = func() bool { return tt.safe }
			h.Command = func() string { return "INCR ctr" }
			var resent []string
			h.OnResend = func(ev retry.Event) { resent = append(resent, retry.FormatResend(ev)) }
			err := r.Do(context.Background(), rec.failing(t, 0, tt.errs...), h)
			var re *retry.Error
			if !errors.As(err, &re) || re.Reason != tt.reason {
				t.Fatalf("Do = %#v, want a *retry.Error for %v", err, tt.reason)
			}
			if rec.calls != tt.calls || len(resent) != tt.resends || retry.RequestSent(err) != tt.sent {
				t.Errorf("%d calls, %d re-sends reported, sent %v; want %d, %d, %v",
					rec.calls, len(resent), retry.RequestSent(err), tt.calls, tt.resends, tt.sent)
			}
			if last := rec.lines[len(rec.lines)-1]; last != tt.lastEvent {
				t.Errorf("last event %q\nwant       %q", last, tt.lastEvent)
			}
			for _, l := range resent {
				if want := "INCR ctr may run twice: sending it again after ConnectionError: read: connection reset by peer (--retry-sent all)"; l != want {
					t.Errorf("re-send line %q, want %q", l, want)
				}
			}
		})
	}
}

func TestParseResend(t *testing.T) {
	for _, s := range []string{"safe", "ALL", " none "} {
		r, err := retry.ParseResend(s)
		if err != nil || r.String() != strings.ToLower(strings.TrimSpace(s)) {
			t.Errorf("ParseResend(%q) = %v, %v", s, r, err)
		}
	}
	if _, err := retry.ParseResend("some"); err == nil || err.Error() != `"some" is not one of safe, all, none` {
		t.Errorf("ParseResend(some) error = %v", err)
	}
	if _, _, err := (retry.Flags{Sent: "twice"}).Policy(); err == nil || err.Error() != `--retry-sent: "twice" is not one of safe, all, none` {
		t.Errorf("Flags.Policy with --retry-sent twice: %v", err)
	}
	p, err := retry.DefaultPolicy().Apply("sent=all")
	if err != nil || p.Resend != retry.ResendAll || !strings.Contains(p.String(), " sent=all") {
		t.Errorf("Apply(sent=all) = %v, %v", p, err)
	}
}
