package redisx

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// ReplyFunc receives the outcome of the command at index i of a pipeline:
// its reply, or err when it got none (the error Do would have returned
// for it). Outcomes arrive in the order of the commands. An error
// returned by ReplyFunc stops the pipeline and is returned by it as is.
type ReplyFunc func(i int, v resp.Value, err error) error

// Pipeline runs cmds on one connection: it writes them all at once, then
// reads the replies in order and passes each to fn as it arrives. A
// window of n commands costs one round trip instead of n.
//
// Each command gets the attempts Do would give it, whatever the batching.
// A failure before the commands were written (a dial, the handshake)
// counts against the first command without a reply; the others are sent
// on the next connection. A connection lost after they were written fails
// an attempt of every command without a reply: each is sent again if
// --retry-sent allows it (see Resendable) and its retries are not spent,
// and otherwise gets its error (a *MayHaveRunError for one that can change
// data), while the pipeline goes on with the others. An error reply the
// policy retries (LOADING, BUSY, ...) is sent again in the next round; the
// commands after it have run by then, and their replies wait for it, so
// that fn still gets every outcome in order.
//
// A command that changes what the connection does next (MULTI, EXEC,
// WATCH, SELECT, SUBSCRIBE, ...; see CanPipeline) runs alone with Do, and
// inside a transaction every command does: a transaction is never retried
// nor split.
func (c *Client) Pipeline(ctx context.Context, cmds [][][]byte, fn ReplyFunc) error {
	if err := validatePipeline(cmds); err != nil {
		return err
	}
	for start := 0; start < len(cmds); {
		if c.tx.conn != nil || c.tx.lost != nil || isPipelineBarrier(cmds[start][0]) {
			v, err := c.Do(ctx, cmds[start])
			if ferr := fn(start, v, err); ferr != nil {
				return ferr
			}
			start++
			continue
		}
		end := start + 1
		for end < len(cmds) && !isPipelineBarrier(cmds[end][0]) {
			end++
		}
		base := start
		err := c.pipeline(ctx, cmds[start:end], pipelineHooks{
			retry:    c.Retry,
			observe:  c.Observe,
			onResend: c.OnResend,
			node:     c.nodeAddr,
			misdirected: func(v resp.Value) error {
				return c.misdirected(v)
			},
			retriedReply: func(v resp.Value) bool {
				return c.Retry != nil && v.Kind == resp.KindError && c.Retry.Policy.Retryable(&resp.RedisError{Msg: string(v.Str)})
			},
			deliver: func(i int, v resp.Value, err error) error { return fn(base+i, v, err) },
		})
		if err != nil {
			return err
		}
		start = end
	}
	return nil
}

// pipelineHooks adapt the pipeline loop to a standalone client or to one
// node of a cluster.
type pipelineHooks struct {
	// retry is the policy for connection failures; nil makes one attempt.
	retry    *retry.Retry
	observe  func(retry.Event)
	onResend func(retry.Event)
	node     func() string
	// prepare, when set, runs on every connection before the commands
	// are written (READONLY on a replica).
	prepare func(ctx context.Context, conn *Conn) error
	// misdirected, when set, returns an error for a reply showing that
	// the server is no longer the one to use (READONLY from a former
	// primary): the command is sent again as one more attempt, and the
	// connection is given up once the round's replies are read.
	misdirected func(v resp.Value) error
	// retriedReply reports whether an error reply is retried like a
	// failure: sent again, as one more attempt of its command.
	retriedReply func(v resp.Value) bool
	// deliver receives the outcome of each command, in order; an error
	// stops the pipeline.
	deliver func(i int, v resp.Value, err error) error
	// push, when set, receives the push messages read before the reply
	// to command i, instead of the connection's OnPush.
	push func(i int, v resp.Value)
}

// outcome is the result of one command of a pipeline, once final.
type outcome struct {
	v    resp.Value
	err  error
	done bool
}

// pipeline is the loop behind Client.Pipeline and the cluster's per-node
// pipelines. It works in rounds: each round writes every command still
// without a final outcome, in order, and reads their replies.
func (c *Client) pipeline(ctx context.Context, cmds [][][]byte, h pipelineHooks) error {
	n := len(cmds)
	// out holds the outcomes that cannot be delivered yet (one before
	// them has none); made when first needed: most replies are
	// delivered as they are read.
	var out []outcome
	store := func(i int, o outcome) {
		if out == nil {
			out = make([]outcome, n)
		}
		out[i] = o
	}
	var att []*retry.Attempts
	next := 0 // the next outcome to deliver
	deliver := func() error {
		for next < n && out != nil && out[next].done {
			o := out[next]
			out[next] = outcome{done: true}
			if err := h.deliver(next, o.v, o.err); err != nil {
				return err
			}
			next++
		}
		return nil
	}
	hooks := func(i int) retry.Hooks {
		return retry.Hooks{
			Node:     h.node,
			Observe:  h.observe,
			OnResend: h.onResend,
			Safe:     func() bool { return Resendable(cmds[i]) },
			Command:  func() string { return CommandLabel(cmds[i]) },
		}
	}
	// fail records a failed attempt of command i; v is the error reply
	// when the server answered. It reports the wait before the next
	// attempt, or that the outcome is final.
	fail := func(i int, v resp.Value, err error) (time.Duration, bool) {
		var final error
		var wait time.Duration
		if h.retry == nil {
			final = err
		} else {
			if att == nil {
				att = make([]*retry.Attempts, n)
			}
			if att[i] == nil {
				if att[i], final = h.retry.Begin(); final != nil {
					att[i] = nil
				}
			}
			if att[i] != nil {
				wait, final = att[i].Fail(ctx, err, hooks(i))
			}
		}
		if final == nil {
			return wait, false
		}
		var re *replyError
		var np *NotPrimaryError
		if (errors.As(final, &re) || errors.As(final, &np)) && v.Kind == resp.KindError {
			store(i, outcome{v: v, done: true}) // the retries are spent on the reply: it is the reply
		} else {
			store(i, outcome{err: mayHaveRun(cmds[i], final), done: true})
		}
		return 0, true
	}

	todo := make([]int, n)
	for i := range todo {
		todo[i] = i
	}
	// interrupt ends every command left when ctx is done: one that was
	// sent before may have run.
	interrupt := func(cerr error) {
		for _, i := range todo {
			err := cerr
			if att != nil && att[i] != nil {
				err = att[i].Interrupt(cerr, hooks(i))
			}
			store(i, outcome{err: mayHaveRun(cmds[i], err), done: true})
		}
	}
	// solo is set once a connection was lost after a round was written:
	// from then on the rest goes one command per round, as it would
	// without batching, so that a flaky connection does not fail every
	// command of the window again at each attempt.
	solo := false
	for len(todo) > 0 {
		if cerr := ctx.Err(); cerr != nil {
			// Interrupted: what is left is not sent (again).
			interrupt(cerr)
			return deliver()
		}
		var again []int
		var wait time.Duration
		retryLater := func(i int, w time.Duration) {
			again = append(again, i)
			wait = max(wait, w)
		}
		var rest []int // left for the next rounds, one at a time
		if solo {
			todo, rest = todo[:1], todo[1:]
		}
		conn, err := c.Conn(ctx)
		if err == nil && h.prepare != nil {
			if err = h.prepare(ctx, conn); err != nil {
				c.Close()
				err = &notSentError{err} // none of the commands was written
			}
		}
		if err == nil {
			for _, i := range todo {
				conn.Write(cmds[i]...)
			}
			if err = conn.Flush(ctx); err != nil {
				c.Close()
			}
		}
		switch {
		case err != nil && !retry.RequestSent(err):
			// Nothing left: the failure is an attempt of the first
			// command only, as it would be without batching.
			if w, final := fail(todo[0], resp.Value{}, err); !final {
				retryLater(todo[0], w)
			}
			again = append(again, todo[1:]...)
		case err != nil:
			solo = true
			for _, i := range todo {
				if w, final := fail(i, resp.Value{}, err); !final {
					retryLater(i, w)
				}
			}
		default:
			onPush := conn.OnPush
			reading := 0 // the command whose reply is being read
			if h.push != nil {
				onPush = func(v resp.Value) { h.push(reading, v) }
			}
			misdirected := false
			for k, i := range todo {
				reading = i
				v, err := conn.readReplyTo(ctx, cmds[i], onPush)
				if err != nil {
					c.Close()
					solo = solo || retry.RequestSent(err)
					for _, j := range todo[k:] {
						if w, final := fail(j, resp.Value{}, err); !final {
							retryLater(j, w)
						}
					}
					break
				}
				c.track(cmds[i], v)
				var merr error
				if h.misdirected != nil {
					merr = h.misdirected(v)
				}
				if merr != nil {
					misdirected = true
					if w, final := fail(i, v, merr); !final {
						retryLater(i, w)
					}
				} else if h.retriedReply != nil && h.retriedReply(v) {
					if w, final := fail(i, v, &replyError{resp.RedisError{Msg: string(v.Str)}}); !final {
						retryLater(i, w)
					}
				} else if i == next {
					if err := h.deliver(i, v, nil); err != nil {
						if k < len(todo)-1 {
							c.Close() // the rest of the round's replies are unread
						}
						return err
					}
					next++
				} else {
					store(i, outcome{v: v, done: true})
				}
				if err := deliver(); err != nil {
					if k < len(todo)-1 {
						c.Close() // the rest of the round's replies are unread
					}
					return err
				}
			}
			if misdirected {
				// The server is no longer the one to use: the next round
				// finds it again.
				c.Close()
			}
		}
		if err := deliver(); err != nil {
			return err
		}
		todo = append(again, rest...)
		if len(todo) > 0 && wait > 0 {
			if cerr := pipelineSleep(ctx, h.retry, wait); cerr != nil {
				interrupt(cerr)
				return deliver()
			}
		}
	}
	return nil
}

// notSentError marks a failure before a command was written, whatever
// the request that failed (READONLY before the commands of a replica).
type notSentError struct{ err error }

func (e *notSentError) Error() string     { return e.err.Error() }
func (e *notSentError) Unwrap() error     { return e.err }
func (e *notSentError) RequestSent() bool { return false }

// pipelineSleep waits d on the policy's clock.
func pipelineSleep(ctx context.Context, r *retry.Retry, d time.Duration) error {
	var clock retry.Clock = retry.SystemClock{}
	if r != nil && r.Clock != nil {
		clock = r.Clock
	}
	return clock.Sleep(ctx, d)
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

// isPipelineBarrier reports whether name names a command that changes what
// the connection does next, so that no command may be pipelined behind
// it: callers run it alone (see CanPipeline). It does not allocate: it
// runs for every command of a window.
func isPipelineBarrier(name []byte) bool {
	var up [16]byte
	if len(name) > len(up) {
		return false
	}
	for i, c := range name {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	switch string(up[:len(name)]) {
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
	if len(args) == 0 || isPipelineBarrier(args[0]) {
		return false
	}
	cmd := commands.LookupBytes(args)
	return cmd == nil || !cmd.Flags.Has(commands.FlagBlocking)
}
