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
	// stops after a retryable failure (given up, deadline, interrupted,
	// not sent again).
	Observe func(Event)
	// Safe reports that the operation cannot change data, or leaves the
	// data as it was after its first run when it runs twice: Policy.Resend
	// ResendSafe sends it again after its request was sent. Nil means not
	// safe, the careful answer. It is called after a failure only.
	Safe func() bool
	// Command names the operation in events ("INCR ctr"); nil for none.
	// It is called after a failure only.
	Command func() string
	// OnResend receives the Event of every retry that sends again a
	// request that was sent and is not Safe (under ResendAll), whether or
	// not Observe is set: such a retry is reported even without
	// --verbose.
	OnResend func(Event)
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
	// ActionNotResent: stop, the request was sent and Policy.Resend does
	// not send it again: the operation may have run.
	ActionNotResent
)

// String returns "retry", "interrupt", "give up", "deadline" or "not
// resent".
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
	case ActionNotResent:
		return "not resent"
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
	Reason   Action // ActionGiveUp, ActionDeadline, ActionInterrupt or ActionNotResent
	Cause    error  // for ActionInterrupt, the context's error
	// Sent is true when any attempt had sent its request: the operation
	// may have run, even when the last attempt failed before sending.
	Sent bool
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

// RequestSent reports whether any attempt had sent its request.
func (e *Error) RequestSent() bool { return e.Sent }

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
//	    request sent, and Resend does not send it again: return it (ActionNotResent)
//	    next attempt would start after the deadline: return it (ActionDeadline)
//	    report ActionRetry, wait backoff(failures) unless it is 0
//
// Attempts are Retries+1, or unlimited for Forever. There is no wait
// before the first attempt nor after the last. A cancelled ctx ends a wait
// at once; the returned *Error then wraps both ctx.Err() and the last
// error. An invalid policy is reported before any attempt.
//
// When an attempt had sent its request, the error returned reports it
// through RequestSent (see the package function), even if a later attempt
// failed before sending.
func (r *Retry) Do(ctx context.Context, op func(context.Context) error, h Hooks) error {
	if op == nil {
		return errors.New("retry: nil operation")
	}
	var a Attempts
	if err := r.begin(&a); err != nil {
		return err
	}
	for {
		err := op(ctx)
		if err == nil {
			return nil
		}
		wait, final := a.Fail(ctx, err, h)
		if final != nil {
			return final
		}
		if err := a.Wait(ctx, wait, h); err != nil {
			return err
		}
	}
}

// Attempts follows the attempts of one operation under a Retry: Do keeps
// one, and a caller that runs many operations at once (a pipeline of
// commands) keeps one per operation and decides for each after every
// failure. It is not safe for concurrent use.
type Attempts struct {
	p        Policy
	clock    Clock
	bo       backoff.Backoff
	start    time.Time
	failures int
	sent     bool
	last     Event // the event of the last failure
}

// Begin starts following an operation: it checks the policy and resets a
// fresh backoff.
func (r *Retry) Begin() (*Attempts, error) {
	a := &Attempts{}
	if err := r.begin(a); err != nil {
		return nil, err
	}
	return a, nil
}

// begin sets a up for a new operation.
func (r *Retry) begin(a *Attempts) error {
	p := r.Policy
	if err := p.Validate(); err != nil {
		return fmt.Errorf("retry: invalid policy: %w", err)
	}
	bo, err := p.NewBackoff(r.Rand)
	if err != nil {
		return fmt.Errorf("retry: invalid policy: %w", err)
	}
	clock := r.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	bo.Reset()
	*a = Attempts{p: p, clock: clock, bo: bo, start: clock.Now()}
	return nil
}

// Failures returns the attempts that failed so far.
func (a *Attempts) Failures() int { return a.failures }

// Sent reports whether any attempt so far had sent its request.
func (a *Attempts) Sent() bool { return a.sent }

// Fail records that an attempt failed with err and decides, as Do does,
// what comes next: either another attempt after wait (final is nil) or
// the end, with final the error to return. It runs the hooks and reports
// the events of Do.
func (a *Attempts) Fail(ctx context.Context, err error, h Hooks) (wait time.Duration, final error) {
	p := a.p
	if !p.Retryable(err) {
		if a.sent && !RequestSent(err) {
			return 0, &sentError{err}
		}
		return 0, err
	}
	a.failures++
	sent := RequestSent(err)
	a.sent = a.sent || sent
	ev := Event{
		Attempt:  a.failures,
		Retries:  p.Retries,
		Class:    Classify(err),
		Err:      err,
		Sent:     sent,
		Backoff:  p.BackoffName(),
		Deadline: p.Deadline,
		Resend:   p.Resend,
	}
	if h.Command != nil {
		ev.Command = h.Command()
	}
	safe := sent && h.Safe != nil && h.Safe()
	if h.Node != nil {
		ev.Node = h.Node()
	}
	if h.OnFailure != nil {
		h.OnFailure(err)
	}
	a.last = ev
	if cerr := ctx.Err(); cerr != nil {
		return 0, a.stop(ActionInterrupt, cerr, h)
	}
	if p.Retries != Forever && a.failures > p.Retries {
		return 0, a.stop(ActionGiveUp, nil, h)
	}
	if sent && !p.Resend.Allows(safe) {
		return 0, a.stop(ActionNotResent, nil, h)
	}
	wait = a.bo.Compute(a.failures)
	if p.Deadline > 0 {
		if left := p.Deadline - a.clock.Now().Sub(a.start); left <= 0 || wait > left {
			return 0, a.stop(ActionDeadline, nil, h)
		}
	}
	ev.Action, ev.Wait = ActionRetry, wait
	ev.Unsafe = sent && !safe
	a.last = ev
	if h.Observe != nil {
		h.Observe(ev)
	}
	if ev.Unsafe && h.OnResend != nil {
		h.OnResend(ev)
	}
	return wait, nil
}

// Wait sleeps wait, unless it is 0, before the next attempt. A cancelled
// ctx ends the wait: the operation stops, and the error to return is
// reported as Do reports it.
func (a *Attempts) Wait(ctx context.Context, wait time.Duration, h Hooks) error {
	if wait <= 0 {
		return nil
	}
	if cerr := a.clock.Sleep(ctx, wait); cerr != nil {
		a.last.Wait = 0
		return a.stop(ActionInterrupt, cerr, h)
	}
	return nil
}

// Interrupt ends the operation because ctx was cancelled while the caller
// waited for something else than Wait (other operations of a pipeline).
// It returns the error to return, as Do reports it.
func (a *Attempts) Interrupt(cause error, h Hooks) error {
	return a.stop(ActionInterrupt, cause, h)
}

// stop reports the end of the operation after its last failure and
// returns the error for it.
func (a *Attempts) stop(act Action, cause error, h Hooks) error {
	ev := a.last
	ev.Action, ev.Wait, ev.Unsafe = act, 0, false
	if h.Observe != nil {
		h.Observe(ev)
	}
	return &Error{Err: ev.Err, Class: ev.Class, Attempts: a.failures, Reason: act, Cause: cause, Sent: a.sent}
}
