// Package retry runs operations under a retry policy: which failures are
// retried (error classes after redis-py's exception hierarchy), how often,
// and how long to wait in between (a strategy of the backoff package).
//
// A Policy is built from the command-line flags (Flags.Policy) or changed
// from key=value settings (Policy.Apply). Retry.Do runs the loop, calls the
// caller's hooks after every failure and reports every retry as an Event
// that FormatEvent turns into the --verbose line. The package knows no
// client: it classifies errors by the methods they have (RedisCode,
// Timeout, ConnectionFailure, RequestSent), through errors.As.
package retry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redish/redish/backoff"
)

// Clock is the time source of the retry loop, injected so that tests never
// sleep.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done, whichever comes first. It
	// returns nil after a full wait and ctx.Err() otherwise.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the Clock of the time package.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d on a timer, or until ctx is done.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retry runs operations under a Policy. The zero Retry makes one attempt.
// Do builds a fresh backoff for every call, so one Retry may serve several
// goroutines at once as long as its fields are not changed meanwhile.
type Retry struct {
	Policy Policy
	// Clock is the time source; nil means SystemClock.
	Clock Clock
	// Rand is the random source of the jittered backoffs; nil means the
	// global source of math/rand/v2. A shared Retry needs a Rand that is
	// safe for concurrent use.
	Rand backoff.Rand
}

// Hooks connect the retry loop to its caller. Every field is optional.
type Hooks struct {
	// OnFailure runs after every retryable failure, the last one included,
	// before any wait: the place to close the broken connection so that
	// the next attempt dials again. It does not run for errors the policy
	// does not retry.
	OnFailure func(err error)
	// Node names the server the failed attempt talked to ("host:port"), for
	// events. It is called after the failure, before OnFailure.
	Node func() string
	// Observe receives an Event for every retry and one when the loop
	// stops after a retryable failure (given up, deadline, interrupted).
	Observe func(Event)
}

// Action is what the loop does after a retryable failure.
type Action int

// The actions, in the order the loop considers them.
const (
	// ActionRetry: wait, then make another attempt.
	ActionRetry Action = iota + 1
	// ActionInterrupt: stop, the context was cancelled (Ctrl-C).
	ActionInterrupt
	// ActionGiveUp: stop, the retries are spent.
	ActionGiveUp
	// ActionDeadline: stop, the next attempt would start after the deadline.
	ActionDeadline
)

// String returns "retry", "interrupt", "give up" or "deadline".
func (a Action) String() string {
	switch a {
	case ActionRetry:
		return "retry"
	case ActionInterrupt:
		return "interrupt"
	case ActionGiveUp:
		return "give up"
	case ActionDeadline:
		return "deadline"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Error is returned by Do when it stops after a retryable failure. It wraps
// the last error of the operation, so errors.As still finds the server
// reply or the connection error in it, and, when the context ended the
// loop, the context's error too.
type Error struct {
	Err      error  // the last error of the operation
	Class    Class  // the class of Err
	Attempts int    // the attempts made, all failed
	Reason   Action // ActionGiveUp, ActionDeadline or ActionInterrupt
	Cause    error  // for ActionInterrupt, the context's error
}

// Error returns the message of the last error unchanged, so that a caller
// prints the same thing with or without retries; when the context ended
// the loop, the message says so first.
func (e *Error) Error() string {
	if e.Err == nil {
		return "retry: no error"
	}
	if e.Cause != nil {
		return fmt.Sprintf("%v after %s; last error: %v", e.Cause, attempts(e.Attempts), e.Err)
	}
	return e.Err.Error()
}

// Unwrap returns the context's error, if any, and the last error.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Cause, e.Err}
	}
	return []error{e.Err}
}

// Do runs op under the policy, as follows:
//
//	reset the backoff
//	loop:
//	    err = op(ctx); if nil: return nil
//	    if the policy does not retry err: return err as is (no hook, no event)
//	    run OnFailure (also after the last failure)
//	    ctx done: return the last error (ActionInterrupt)
//	    retries spent: return the last error (ActionGiveUp)
//	    next attempt would start after the deadline: return it (ActionDeadline)
//	    report ActionRetry, wait backoff(failures) unless it is 0
//
// Attempts are Retries+1, or unlimited for Forever. There is no wait
// before the first attempt nor after the last. A cancelled ctx ends a wait
// at once; the returned *Error then wraps both ctx.Err() and the last
// error. An invalid policy is reported before any attempt.
func (r *Retry) Do(ctx context.Context, op func(context.Context) error, h Hooks) error {
	if op == nil {
		return errors.New("retry: nil operation")
	}
	p := r.Policy
	if err := p.Validate(); err != nil {
		return fmt.Errorf("retry: invalid policy: %w", err)
	}
	bo, berr := p.NewBackoff(r.Rand)
	if berr != nil {
		return fmt.Errorf("retry: invalid policy: %w", berr)
	}
	clock := r.Clock
	if clock == nil {
		clock = SystemClock{}
	}

	bo.Reset()
	start := clock.Now()
	for failures := 1; ; failures++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if !p.Retryable(err) {
			return err
		}
		ev := Event{
			Attempt:  failures,
			Retries:  p.Retries,
			Class:    Classify(err),
			Err:      err,
			Sent:     RequestSent(err),
			Backoff:  p.BackoffName(),
			Deadline: p.Deadline,
		}
		if h.Node != nil {
			ev.Node = h.Node()
		}
		if h.OnFailure != nil {
			h.OnFailure(err)
		}
		stop := func(a Action, cause error) error {
			ev.Action = a
			if h.Observe != nil {
				h.Observe(ev)
			}
			return &Error{Err: err, Class: ev.Class, Attempts: failures, Reason: a, Cause: cause}
		}

		if cerr := ctx.Err(); cerr != nil {
			return stop(ActionInterrupt, cerr)
		}
		if p.Retries != Forever && failures > p.Retries {
			return stop(ActionGiveUp, nil)
		}
		wait := bo.Compute(failures)
		if p.Deadline > 0 {
			if left := p.Deadline - clock.Now().Sub(start); left <= 0 || wait > left {
				return stop(ActionDeadline, nil)
			}
		}
		ev.Action, ev.Wait = ActionRetry, wait
		if h.Observe != nil {
			h.Observe(ev)
		}
		if wait > 0 {
			if cerr := clock.Sleep(ctx, wait); cerr != nil {
				ev.Wait = 0
				return stop(ActionInterrupt, cerr)
			}
		}
	}
}
