// Package retrytest provides a fake clock for tests of code that retries,
// so that no test sleeps through a backoff.
package retrytest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/redish/redish/retry"
)

var _ retry.Clock = (*Clock)(nil)

// Clock is a fake retry.Clock. Sleep returns at once, records the wait and
// moves the clock forward by it. It is safe for concurrent use.
type Clock struct {
	// OnSleep, when set, runs at the start of every Sleep with the 1-based
	// number of the call and the wait, before the context is checked: a
	// test can cancel the context there to interrupt that wait.
	OnSleep func(n int, d time.Duration)

	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

// NewClock returns a Clock set to a fixed date.
func NewClock() *Clock {
	return &Clock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep records d and advances the clock by it, unless ctx is done, in
// which case it returns ctx.Err() and records nothing.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	n := len(c.waits) + 1
	hook := c.OnSleep
	c.mu.Unlock()
	if hook != nil {
		hook(n, d)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

// Waits returns the completed waits, in order.
func (c *Clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}
