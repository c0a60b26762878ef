package repl

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Sentinel adapts a *redisx.SentinelClient (--sentinel) to Client. The
// prompt names the primary's name and address, "sentinel mymaster
// 127.0.0.1:6380> ", and follows +switch-master while the shell waits
// for input (see Watcher).
type Sentinel struct {
	c *redisx.SentinelClient
	// scan is the connection used for key completion, made when first
	// needed.
	scan *redisx.SentinelClient
	// connected is false after a failure to reach the primary, until a
	// command or Connect succeeds.
	connected bool
	// switched is set by +switch-master (from the watch's goroutine) and
	// cleared by the next command: after a failure to reach the old
	// primary the prompt names the new one, not "not connected".
	switched atomic.Bool
}

// A Sentinel shell's policy and what it prints can change live (:retry,
// :verbose), and it follows failovers at the prompt.
var (
	_ RetryControl = (*Sentinel)(nil)
	_ EventControl = (*Sentinel)(nil)
	_ Watcher      = (*Sentinel)(nil)
)

// ErrNoConnectSentinel is returned by Sentinel.SetAddr: the sentinels say
// where the primary is.
var ErrNoConnectSentinel = errors.New("connect is not available with --sentinel: the sentinels name the primary (start redish again with -h and -p to reach another server)")

// NewSentinel returns the shell's view of c. The shell owns c from then
// on: Close closes it.
func NewSentinel(c *redisx.SentinelClient) *Sentinel { return &Sentinel{c: c} }

// Do runs one command on the primary (or, for reads with
// --read-from-replicas, a replica).
func (s *Sentinel) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	s.switched.Store(false)
	v, err := s.c.Do(ctx, args)
	s.connected = err == nil || s.c.Connected()
	return v, err
}

// ReadReply reads the next pushed message.
func (s *Sentinel) ReadReply(ctx context.Context) (resp.Value, error) {
	return s.c.ReadReply(ctx)
}

// Connect finds the primary and connects to it, when there is no live
// connection.
func (s *Sentinel) Connect(ctx context.Context) error {
	s.switched.Store(false)
	_, err := s.c.Conn(ctx)
	s.connected = err == nil
	return err
}

// SetAddr is not supported with Sentinel: it returns
// ErrNoConnectSentinel.
func (s *Sentinel) SetAddr(string, int) error { return ErrNoConnectSentinel }

// State names the primary: the address the last +switch-master named, or
// else the one connected to.
func (s *Sentinel) State() State {
	o := s.c.Options()
	st := State{DB: o.DB, InTx: s.c.InTx(), Connected: s.connected || s.switched.Load(), Sentinel: s.c.Sentinel().MasterName()}
	switch {
	case s.c.Sentinel().Switched() != "":
		st.Addr = s.c.Sentinel().Switched()
	case o.Host != "":
		st.Addr = o.Addr()
	default:
		st.Addr = s.c.Sentinel().Primary()
	}
	return st
}

// ScanKeys runs SCAN MATCH prefix* on a second connection to the primary,
// found through the same sentinels, until the keyspace is covered, max
// keys are found or ctx ends.
func (s *Sentinel) ScanKeys(ctx context.Context, prefix string, max int) []string {
	o := s.c.Options()
	if s.scan == nil {
		s.scan = redisx.NewSentinelClient(s.c.Sentinel().Quiet(), o, false)
	} else if so := s.scan.Options(); so.DB != o.DB || so.User != o.User || so.Password != o.Password {
		s.scan.SetOptions(o)
	}
	return scanKeys(ctx, s.scan.Do, prefix, max)
}

// Close closes the connections.
func (s *Sentinel) Close() error {
	var err error
	if s.scan != nil {
		err = s.scan.Close()
	}
	return errors.Join(s.c.Close(), err)
}

// RetryPolicy returns the client's policy: no retries when it has none.
func (s *Sentinel) RetryPolicy() retry.Policy {
	if s.c.Retry == nil {
		return retry.DefaultPolicy()
	}
	return s.c.Retry.Policy
}

// SetRetryPolicy replaces the client's policy, keeping its clock and
// random source.
func (s *Sentinel) SetRetryPolicy(p retry.Policy) {
	r := retry.Retry{}
	if s.c.Retry != nil {
		r = *s.c.Retry
	}
	r.Policy = p
	s.c.Retry = &r
}

// Observer returns the client's retry event hook.
func (s *Sentinel) Observer() func(retry.Event) { return s.c.Observe }

// SetObserver sets the client's retry event hook.
func (s *Sentinel) SetObserver(f func(retry.Event)) { s.c.Observe = f }

// SetEventLines prints what the searches for the primary find (a move, a
// stale sentinel, the replica reads go to) with f, as --verbose does; nil
// silences them.
func (s *Sentinel) SetEventLines(f func(string)) {
	if f == nil {
		s.c.Sentinel().SetOnEvent(nil)
		return
	}
	s.c.Sentinel().SetOnEvent(func(ev redisx.SentinelEvent) { f(ev.String()) })
}

// Watch follows +switch-master (see redisx.Sentinel.Watch): a switch is
// a Notice with the new address, a lost subscription one with a line
// only.
func (s *Sentinel) Watch(ctx context.Context, notice func(Notice)) (stop func()) {
	return s.c.Sentinel().Watch(ctx, func(ev redisx.SentinelEvent) {
		n := Notice{Line: ev.String()}
		if ev.Kind == redisx.SentinelSwitch {
			s.switched.Store(true)
			n.Addr = ev.Addr
		}
		notice(n)
	})
}
