package redisx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Transactions and lost connections.
//
// WATCH and MULTI put state on the connection: the watched keys, the
// queued commands. When the connection is lost, that state is gone, and
// sending the commands that follow on a new connection would run them
// outside the transaction: one by one, unguarded by the watch, perhaps
// retried. So the client remembers the loss and drops every command up to
// the end of the transaction (EXEC or DISCARD; UNWATCH for a watch
// without MULTI; RESET in any case), reporting each; the user decides
// what to run again.
//
// EXEC is the one exception. If its connection is lost, the transaction
// ran entirely or not at all; the client may run it again (MULTI, the
// queued commands, EXEC) on a new connection under the retry policy, as
// redis-py does with a transactional pipeline, when --retry-sent allows
// every queued command (or the request never left) and no key was
// watched (a new connection has no watch: the guard would be gone).

// txState is what the client knows of the transaction on its connection.
type txState struct {
	// conn is the connection WATCH or MULTI ran on; nil when neither did.
	conn *Conn
	// multi is set between a successful MULTI and EXEC or DISCARD.
	multi bool
	// watch is set between a successful WATCH and EXEC, DISCARD or UNWATCH.
	watch bool
	// queued are the commands sent after MULTI, in order, for running
	// the transaction again.
	queued [][][]byte
	// lost is set when the connection was lost inside the transaction:
	// the commands up to its end are dropped.
	lost *TxLostError
}

// ErrTxLost is returned when the connection is lost inside MULTI: the
// queued commands are gone, and running the command outside the
// transaction would change its meaning.
var ErrTxLost = errors.New("connection lost inside MULTI: the transaction was discarded")

// TxLostError is a connection failure inside a transaction: after WATCH
// (the keys are no longer watched) or inside MULTI (the queued commands
// were discarded by the server and none of them ran). It is not retried.
// Unless Ended, the commands that follow, up to the end of the
// transaction, are not sent (TxDroppedError).
type TxLostError struct {
	// Err is the failure of the connection.
	Err error
	// Multi is set when MULTI was open, Watch when keys were watched.
	Multi, Watch bool
	// Ended is set when the failed command ended the transaction itself
	// (DISCARD, UNWATCH, RESET, or EXEC that was not sent): nothing
	// after it is dropped.
	Ended bool
}

// Error says what was lost.
func (e *TxLostError) Error() string {
	return e.Lost() + ": " + e.Err.Error()
}

// Lost says what was lost with the connection, without the failure.
func (e *TxLostError) Lost() string {
	if e.Multi {
		return "the transaction was discarded (the connection was lost inside MULTI) and none of its commands ran"
	}
	return "the keys are no longer watched (the connection was lost after WATCH)"
}

// Unwrap returns ErrTxLost (inside MULTI) and the connection's failure.
func (e *TxLostError) Unwrap() []error {
	if e.Multi {
		return []error{ErrTxLost, e.Err}
	}
	return []error{e.Err}
}

// TxDroppedError is a command that was not sent because the transaction
// it belongs to lost its connection (the *TxLostError Lost): sent on a
// new connection, it would have run outside the transaction. End is set
// for the command that ends the transaction (EXEC, DISCARD, UNWATCH):
// the commands after it are sent again as usual.
type TxDroppedError struct {
	Cmd  string // the command, as CommandLabel names it
	End  bool
	Lost *TxLostError
}

// Error says that the command was not sent, and why.
func (e *TxDroppedError) Error() string {
	if e.End {
		if e.Lost.Multi {
			return e.Cmd + " not sent: the transaction was discarded when its connection was lost, and none of its commands ran"
		}
		return e.Cmd + " not sent: the keys were no longer watched after the connection was lost"
	}
	if e.Lost.Multi {
		return e.Cmd + " not sent: it belongs to a transaction that was discarded when its connection was lost (EXEC or DISCARD ends it)"
	}
	return e.Cmd + " not sent: the connection was lost after WATCH, and the keys are no longer watched (EXEC, DISCARD or UNWATCH ends this)"
}

// Unwrap returns the loss the command was dropped for.
func (e *TxDroppedError) Unwrap() error { return e.Lost }

// MayHaveRunError is a command that can change data whose request was
// sent and that got no reply: it may have run on the server. It was not
// sent again, because --retry-sent did not allow it or the retries were
// spent. For EXEC, Queued counts the commands of the transaction, which
// ran all or none.
type MayHaveRunError struct {
	Cmd    string // the command, as CommandLabel names it
	Queued int
	Err    error
}

// Error names the command and the failure.
func (e *MayHaveRunError) Error() string {
	return e.Cmd + " may have run: " + e.Reason() + ": " + e.Err.Error()
}

// Reason says why the command may have run: "the connection was lost
// after it was sent", or that no reply came in time.
func (e *MayHaveRunError) Reason() string {
	if retry.Classify(e.Err) == retry.TimeoutError {
		return "no reply came in time after it was sent"
	}
	return "the connection was lost after it was sent"
}

// Unwrap returns the failure.
func (e *MayHaveRunError) Unwrap() error { return e.Err }

// RequestSent reports true: the request was sent.
func (e *MayHaveRunError) RequestSent() bool { return true }

// admit decides what happens to a command while the transaction is lost:
// the command that ends it ends the loss (RESET is sent; EXEC, DISCARD
// and UNWATCH are not), every other command is dropped.
func (t *txState) admit(args [][]byte) (send bool, err error) {
	lost := t.lost
	switch {
	case eqFold(args[0], "RESET"):
		*t = txState{}
		return true, nil
	case eqFold(args[0], "EXEC"), eqFold(args[0], "DISCARD"),
		!lost.Multi && eqFold(args[0], "UNWATCH"):
		*t = txState{}
		return false, &TxDroppedError{Cmd: CommandLabel(args), End: true, Lost: lost}
	}
	return false, &TxDroppedError{Cmd: CommandLabel(args), Lost: lost}
}

// endsTx reports whether args end the transaction state tx is in.
func (t *txState) endsTx(args [][]byte) bool {
	switch {
	case eqFold(args[0], "RESET"), eqFold(args[0], "DISCARD"):
		return true
	case eqFold(args[0], "UNWATCH"):
		return !t.multi
	}
	return false
}

// inTx runs a command after WATCH or inside MULTI: one attempt, on the
// connection the transaction started on.
func (c *Client) inTx(ctx context.Context, args [][]byte) (resp.Value, error) {
	conn := c.conn
	if conn == nil || conn != c.tx.conn || !conn.Usable() {
		// The server closed the connection while it sat idle: nothing
		// was sent, but the transaction is gone with it.
		c.Close()
		return resp.Value{}, c.loseTx(args, closedIdle(c.opts.Addr()))
	}
	if err := c.retired(conn); err != nil {
		// The primary moved: what the transaction wrote would be lost.
		c.Close()
		return resp.Value{}, c.loseTx(args, err)
	}
	v, err := conn.Do(ctx, args...)
	if err != nil {
		c.Close()
		return resp.Value{}, c.loseTx(args, err)
	}
	if c.tx.multi && !c.tx.endsTx(args) {
		c.tx.queued = append(c.tx.queued, cloneArgs(args))
	}
	if !c.tx.multi || c.tx.endsTx(args) || eqFold(args[0], "MULTI") {
		c.track(args, v)
	}
	return v, nil
}

// loseTx records that the transaction lost its connection at args and
// returns the error for it.
func (c *Client) loseTx(args [][]byte, err error) error {
	e := &TxLostError{Err: err, Multi: c.tx.multi, Watch: c.tx.watch, Ended: c.tx.endsTx(args)}
	c.tx = txState{}
	if !e.Ended {
		c.tx.lost = e
	}
	return e
}

// exec runs EXEC. If the connection is lost, the transaction runs again
// on a new connection (MULTI, then the queued commands and EXEC) under
// the retry policy, when that cannot run it twice for the worse: the
// request never left, or --retry-sent allows every queued command; and
// never after WATCH. Whatever happens, the transaction is over.
func (c *Client) exec(ctx context.Context, args [][]byte) (resp.Value, error) {
	tx := c.tx
	c.tx = txState{}
	var v resp.Value
	first := true
	op := func(ctx context.Context) error {
		if first {
			first = false
			conn := c.conn
			if conn == nil || conn != tx.conn || !conn.Usable() {
				c.Close()
				return closedIdle(c.opts.Addr())
			}
			if err := c.retired(conn); err != nil {
				c.Close()
				return err
			}
			var err error
			if v, err = conn.Do(ctx, args...); err != nil {
				c.Close()
			}
			return err
		}
		var err error
		if v, err = c.replay(ctx, tx.queued, args); err != nil {
			c.Close()
		}
		return err
	}
	var err error
	if c.Retry == nil || tx.watch {
		err = op(ctx)
	} else {
		err = c.Retry.Do(ctx, op, retry.Hooks{
			OnFailure: func(error) { c.Close() },
			Node:      c.nodeAddr,
			Observe:   c.Observe,
			Safe: func() bool {
				for _, q := range tx.queued {
					if !Resendable(q) {
						return false
					}
				}
				return true
			},
			Command:  func() string { return txLabel(args, len(tx.queued)) },
			OnResend: c.OnResend,
		})
	}
	if err != nil {
		if retry.RequestSent(err) {
			return resp.Value{}, &MayHaveRunError{Cmd: txLabel(args, len(tx.queued)), Queued: len(tx.queued), Err: err}
		}
		return resp.Value{}, &TxLostError{Err: err, Multi: true, Watch: tx.watch, Ended: true}
	}
	// The queued commands ran now: the session ones change the session.
	if v.Kind == resp.KindArray && len(v.Elems) == len(tx.queued) {
		for i, q := range tx.queued {
			c.track(q, v.Elems[i])
		}
	}
	return v, nil
}

// txLabel names EXEC and the size of its transaction in messages.
func txLabel(args [][]byte, queued int) string {
	s := "s"
	if queued == 1 {
		s = ""
	}
	return fmt.Sprintf("%s (a transaction of %d command%s)", strings.ToUpper(string(args[0])), queued, s)
}

// replay runs a transaction on the current connection, dialing if needed:
// MULTI alone first, so that no queued command is ever sent if MULTI
// failed, then the queued commands and EXEC at once. It returns EXEC's
// reply.
func (c *Client) replay(ctx context.Context, queued [][][]byte, exec [][]byte) (resp.Value, error) {
	conn, err := c.Conn(ctx)
	if err != nil {
		return resp.Value{}, err
	}
	v, err := conn.Do(ctx, []byte("MULTI"))
	if err != nil || v.Kind == resp.KindError {
		return v, err
	}
	for _, q := range queued {
		conn.Write(q...)
	}
	conn.Write(exec...)
	if err := conn.Flush(ctx); err != nil {
		return resp.Value{}, err
	}
	for _, q := range queued {
		if _, err = conn.ReadReplyTo(ctx, q); err != nil {
			return resp.Value{}, err
		}
	}
	return conn.ReadReplyTo(ctx, exec)
}

// closedIdle is the failure of a connection the server closed while it
// sat idle, found before anything was written on it.
func closedIdle(addr string) error {
	return &ConnError{Op: "write", Addr: addr, Err: io.EOF}
}

// cloneArgs copies a command: callers may reuse the memory of theirs.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}
