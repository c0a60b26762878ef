package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redish/redish/retry"
	"github.com/redish/redish/retry/retrytest"
)

func ExampleFlags_Policy() {
	// redish --retries 6 --retry-backoff exponential --retry-on-error ConnectionError,LOADING
	f := retry.Flags{
		Retries: 6, RetriesSet: true,
		Backoff: "exponential", BackoffSet: true,
		OnError: []string{"ConnectionError,LOADING"},
	}
	p, warnings, err := f.Policy()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p)
	fmt.Println(len(warnings), "warnings")
	// Output:
	// retries=6 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,LOADING sent=safe
	// 0 warnings
}

func ExamplePolicy_Apply() {
	p, err := retry.DefaultPolicy().Apply("retries=5", "backoff=exponential", "base=10ms", "cap=1s", "deadline=10s")
	fmt.Println(p, err)
	_, err = p.Apply("cap=0")
	fmt.Println(err)
	// Output:
	// retries=5 backoff=exponential(base=10ms,cap=1s) on=ConnectionError,TimeoutError sent=safe deadline=10s <nil>
	// cap: 0s is out of range (must be > 0)
}

func ExampleRetry_Do() {
	p, _, _ := retry.Flags{Retries: 2, Backoff: "exponential"}.Policy()
	r := &retry.Retry{Policy: p, Clock: retrytest.NewClock()} // a fake clock: no real sleeping
	refused := errors.New("dial tcp 127.0.0.1:7000: connect: connection refused")
	err := r.Do(context.Background(), func(context.Context) error {
		return &dialError{refused}
	}, retry.Hooks{
		OnFailure: func(error) { /* close the broken connection */ },
		Observe:   func(ev retry.Event) { fmt.Println(retry.FormatEvent(ev)) },
	})
	fmt.Println("error:", err)
	// Output:
	// retry 1/2 in 16ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]
	// retry 2/2 in 32ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]
	// giving up after 3 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused
	// error: dial tcp 127.0.0.1:7000: connect: connection refused
}

// dialError stands for a client's connection error: it has the
// ConnectionFailure method the classifier looks for.
type dialError struct{ err error }

func (e *dialError) Error() string           { return e.err.Error() }
func (e *dialError) Unwrap() error           { return e.err }
func (e *dialError) ConnectionFailure() bool { return true }

func ExampleFormatEvent() {
	fmt.Println(retry.FormatEvent(retry.Event{
		Action:  retry.ActionRetry,
		Attempt: 2, Retries: retry.Forever,
		Wait:    32 * time.Millisecond,
		Class:   retry.TimeoutError,
		Err:     errors.New("read: i/o timeout"),
		Node:    "127.0.0.1:6379",
		Sent:    true,
		Backoff: "exponential",
	}))
	// Output:
	// retry 2/∞ in 32ms after TimeoutError on 127.0.0.1:6379: read: i/o timeout (request was sent: the command may already have run) [exponential]
}
