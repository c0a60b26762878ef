package redisx

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redish/redish/retry"
)

// PipelineError reports a pipeline that stopped before every command got
// its reply. The first Done commands got theirs (and were passed to the
// caller); the others may or may not have run on the server.
type PipelineError struct {
	Done int   // commands whose replies were delivered
	Err  error // why the pipeline stopped: a connection failure, ctx
}

// Error returns the message of the failure that stopped the pipeline.
func (e *PipelineError) Error() string { return e.Err.Error() }

// Unwrap returns the failure that stopped the pipeline.
func (e *PipelineError) Unwrap() error { return e.Err }

// stopError carries an error of the caller's reply function through the
// retry loop. It does not unwrap: whatever the function returned (a
// broken stdout, say) must never look like a failure of the connection
// and be retried.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }

// ReplyFunc receives the reply to the command at index i of a pipeline.
// Replies arrive in the order of the commands. An error stops the
// pipeline and is returned by it as is.
type ReplyFunc func(i int, v Value) error

// Pipeline runs cmds on one connection: it writes them all at once, then
// reads the replies in order and passes each to fn as it arrives. A
// window of n commands costs one round trip instead of n.
//
// Under c.Retry, a connection lost in the middle of the window is dialed
// again (the session restored, as for Do) and only the commands without a
// reply are sent again: a reply received is never asked for twice. An
// error reply the policy retries (LOADING, BUSY, ...) is retried on its
// own, with Do, when its turn comes; the commands after it in the window
// have already run by then. When the retries are spent, or without a
// policy, the error is a *PipelineError that says how many replies were
// delivered.
//
// Inside MULTI the commands are sent one at a time with Do: a transaction
// is never retried, and its commands must not outrun a failure.
func (c *Client) Pipeline(ctx context.Context, cmds [][][]byte, fn ReplyFunc) error {
	if err := validatePipeline(cmds); err != nil {
		return err
	}
	if c.inTx {
		return c.oneByOne(ctx, cmds, fn)
	}
	r := c.Retry
	retried := func(v Value) bool {
		return r != nil && v.Kind == KindError && r.Policy.Retryable(&RedisError{Msg: string(v.Str)})
	}
	return c.pipeline(ctx, cmds, pipelineHooks{
		retry:   r,
		observe: c.Observe,
		node:    c.opts.Addr,
		deliver: func(i int, v Value) (bool, error) {
			if retried(v) {
				return true, nil
			}
			return false, fn(i, v)
		},
		late: func(i int, v Value) error {
			if retried(v) {
				var err error
				if v, err = c.Do(ctx, cmds[i]); err != nil {
					return &PipelineError{Done: i, Err: err}
				}
			}
			return fn(i, v)
		},
	})
}

// oneByOne runs cmds with Do, one after the other.
func (c *Client) oneByOne(ctx context.Context, cmds [][][]byte, fn ReplyFunc) error {
	for i, args := range cmds {
		v, err := c.Do(ctx, args)
		if err != nil {
			return &PipelineError{Done: i, Err: err}
		}
		if err := fn(i, v); err != nil {
			return err
		}
	}
	return nil
}

// pipelineHooks adapt the pipeline loop to a standalone client or to one
// node of a cluster.
type pipelineHooks struct {
	// retry is the policy for connection failures; nil makes one attempt.
	retry   *retry.Retry
	observe func(retry.Event)
	node    func() string
	// prepare, when set, runs on every connection before the commands
	// are written (READONLY on a replica).
	prepare func(ctx context.Context, conn *Conn) error
	// deliver receives each reply in order. It returns hold=true for a
	// reply that must be settled later (retried, redirected): from then
	// on, the replies are kept and passed to late, in order, once the
	// window has been read.
	deliver func(i int, v Value) (hold bool, err error)
	// late receives the held replies.
	late func(i int, v Value) error
	// push, when set, receives the push messages read before the reply
	// to command i, instead of the connection's OnPush.
	push func(i int, v Value)
}

// pipeline is the loop behind Client.Pipeline and the cluster's per-node
// pipelines.
func (c *Client) pipeline(ctx context.Context, cmds [][][]byte, h pipelineHooks) error {
	next := 0 // the first command without a reply
	var held []Value
	heldFrom := -1
	op := func(ctx context.Context) error {
		conn, err := c.Conn(ctx)
		if err != nil {
			return err
		}
		if h.prepare != nil {
			if err := h.prepare(ctx, conn); err != nil {
				c.Close()
				return err
			}
		}
		for _, args := range cmds[next:] {
			conn.Write(args...)
		}
		if err := conn.Flush(ctx); err != nil {
			c.Close()
			return err
		}
		onPush := conn.OnPush
		if h.push != nil {
			onPush = func(v Value) { h.push(next, v) }
		}
		for next < len(cmds) {
			v, err := conn.readReplyTo(ctx, cmds[next], onPush)
			if err != nil {
				c.Close()
				return err
			}
			c.track(cmds[next], v)
			if heldFrom < 0 {
				hold, err := h.deliver(next, v)
				if err != nil {
					c.Close() // the rest of the window's replies are unread
					return &stopError{err}
				}
				if hold {
					heldFrom = next
				}
			}
			if heldFrom >= 0 {
				held = append(held, v)
			}
			next++
		}
		return nil
	}
	var err error
	if h.retry == nil {
		err = op(ctx)
	} else {
		err = h.retry.Do(ctx, op, retry.Hooks{
			OnFailure: func(error) { c.Close() },
			Node:      h.node,
			Observe:   h.observe,
		})
	}
	if heldFrom >= 0 {
		for j, v := range held {
			if lerr := h.late(heldFrom+j, v); lerr != nil {
				return lerr
			}
		}
	}
	if err != nil {
		var se *stopError
		if errors.As(err, &se) {
			return se.err
		}
		done := next
		if heldFrom >= 0 {
			done = heldFrom + len(held)
		}
		return &PipelineError{Done: done, Err: err}
	}
	return nil
}

// validatePipeline rejects empty commands, which no server answers.
func validatePipeline(cmds [][][]byte) error {
	for i, args := range cmds {
		if len(args) == 0 {
			return fmt.Errorf("redisx: pipeline command %d is empty", i)
		}
	}
	return nil
}

// isPipelineBarrier reports whether args name a command that changes what
// the connection does next, so that no command may be pipelined behind
// it: callers run it alone (see CanPipeline).
func isPipelineBarrier(name string) bool {
	switch strings.ToUpper(name) {
	case "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
		"SELECT", "HELLO", "RESET", "AUTH", "CLIENT", "QUIT", "SHUTDOWN",
		"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
		"MONITOR", "SYNC", "PSYNC", "REPLCONF", "READONLY", "READWRITE", "ASKING",
		"FAILOVER", "REPLICAOF", "SLAVEOF", "DEBUG", "WAIT", "WAITAOF":
		return true
	}
	return false
}

// CanPipeline reports whether a command may be sent in a pipeline behind
// others and ahead of others without changing what any of them replies:
// not one that changes the connection's mode or session (MULTI, EXEC,
// WATCH, SELECT, HELLO, AUTH, RESET, CLIENT, SUBSCRIBE, MONITOR, ...),
// not a blocking command (BLPOP, XREAD, WAIT, ...), not one that may end
// the connection. Commands the table does not know may be pipelined: the
// server answers them with one reply, an error or not.
func CanPipeline(args [][]byte) bool {
	if len(args) == 0 || isPipelineBarrier(string(args[0])) {
		return false
	}
	cmd := LookupBytes(args)
	return cmd == nil || !cmd.Flags.Has(FlagBlocking)
}
