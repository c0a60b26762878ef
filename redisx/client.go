package redisx

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/redish/redish/retry"
)

// Client is a standalone client: one connection, dialed when first needed
// and dialed again after a failure, with the session (credentials,
// protocol, database, client name) restored on every new connection. The
// session follows the commands that change it (SELECT, HELLO, AUTH,
// CLIENT SETNAME, RESET), so a reconnect lands where the user was.
//
// Client is not safe for concurrent use.
type Client struct {
	opts Options
	conn *Conn
	// inTx is true between a successful MULTI and EXEC/DISCARD: commands
	// are queued on the server, and losing the connection loses them.
	inTx bool

	// Retry, when not nil, runs every command under its policy: a failed
	// attempt closes the connection, and the next one dials again and
	// restores the session. Nil makes one attempt.
	Retry *retry.Retry
	// Observe receives the retry loop's events (for --verbose).
	Observe func(retry.Event)

	// OnPush receives RESP3 push messages that arrive between replies.
	OnPush func(Value)
	// OnConnect, when set, is called after every successful dial.
	OnConnect func(*Conn)
}

// ErrTxLost is returned when the connection is lost inside MULTI: the
// queued commands are gone, and running the command outside the
// transaction would change its meaning.
var ErrTxLost = errors.New("connection lost inside MULTI: the transaction was discarded")

// NewClient returns a client for o. It does not dial.
func NewClient(o Options) *Client {
	return &Client{opts: o}
}

// Options returns the options the next dial will use, including session
// changes made by commands.
func (c *Client) Options() Options { return c.opts }

// SetOptions replaces the options (for the shell's connect command). The
// current connection is closed.
func (c *Client) SetOptions(o Options) {
	c.Close()
	c.opts = o
	c.inTx = false
}

// Connected reports whether the client holds a live connection.
func (c *Client) Connected() bool { return c.conn != nil && c.conn.Err() == nil }

// InTx reports whether a MULTI is open.
func (c *Client) InTx() bool { return c.inTx }

// Conn returns the live connection, dialing if needed.
func (c *Client) Conn(ctx context.Context) (*Conn, error) {
	if c.conn != nil && c.conn.Err() == nil {
		return c.conn, nil
	}
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	conn, err := Dial(ctx, &c.opts)
	if err != nil {
		return nil, err
	}
	conn.OnPush = c.OnPush
	c.conn = conn
	if c.OnConnect != nil {
		c.OnConnect(conn)
	}
	return conn, nil
}

// Do runs one command: dial when needed, send, read the reply, under the
// retry policy. A server error reply is a Value of KindError (also when the
// policy retried it and gave up); the error is for failures of the
// connection, after which the connection is closed and the next Do dials
// again.
//
// Inside MULTI nothing is retried: the queued commands live on the
// connection, and a lost connection is reported as a *TxLostError.
func (c *Client) Do(ctx context.Context, args [][]byte) (Value, error) {
	if c.inTx || c.Retry == nil {
		return c.attempt(ctx, args)
	}
	var v Value
	err := c.Retry.Do(ctx, func(ctx context.Context) error {
		var err error
		v, err = c.attempt(ctx, args)
		if err == nil && v.Kind == KindError && c.Retry.Policy.Retryable(&RedisError{Msg: string(v.Str)}) {
			// A retried error reply (LOADING, TRYAGAIN, a raw code).
			return &replyError{RedisError{Msg: string(v.Str)}}
		}
		return err
	}, retry.Hooks{
		OnFailure: func(error) { c.Close() },
		Node:      c.opts.Addr,
		Observe:   c.Observe,
	})
	var re *replyError
	if errors.As(err, &re) {
		// The retries are spent on an error reply: it is the reply.
		return v, nil
	}
	return v, err
}

// replyError carries an error reply through the retry loop; Do turns it
// back into the reply when the loop ends on it.
type replyError struct{ RedisError }

// attempt runs one command on the current connection, dialing if needed.
func (c *Client) attempt(ctx context.Context, args [][]byte) (Value, error) {
	wasTx := c.inTx
	conn, err := c.Conn(ctx)
	if err != nil {
		return Value{}, c.lost(wasTx, err)
	}
	v, err := conn.Do(ctx, args...)
	if err != nil {
		c.Close()
		return Value{}, c.lost(wasTx, err)
	}
	c.track(args, v)
	return v, nil
}

// lost turns a connection failure inside MULTI into ErrTxLost.
func (c *Client) lost(wasTx bool, err error) error {
	if wasTx {
		c.inTx = false
		return &TxLostError{Err: err}
	}
	return err
}

// TxLostError is a connection failure inside MULTI. It is not retried:
// the transaction is gone.
type TxLostError struct{ Err error }

func (e *TxLostError) Error() string {
	return ErrTxLost.Error() + ": " + e.Err.Error()
}

func (e *TxLostError) Unwrap() []error { return []error{ErrTxLost, e.Err} }

// ReadReply reads the next message on the current connection without
// sending anything: what the server pushes after SUBSCRIBE or MONITOR.
func (c *Client) ReadReply(ctx context.Context) (Value, error) {
	if c.conn == nil {
		return Value{}, &ConnError{Op: "read", Addr: c.opts.Addr(), Err: ErrClosed}
	}
	v, err := c.conn.ReadReply(ctx)
	if err != nil {
		c.Close()
	}
	return v, err
}

// Close closes the connection, if any.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}

// track updates the session the client restores after a reconnect from a
// command that succeeded.
func (c *Client) track(args [][]byte, v Value) {
	if len(args) == 0 || v.Kind == KindError {
		return
	}
	name := args[0]
	switch {
	case eqFold(name, "SELECT") && len(args) == 2:
		if n, err := strconv.Atoi(string(args[1])); err == nil {
			c.opts.DB = n
		}
	case eqFold(name, "MULTI"):
		c.inTx = true
	case eqFold(name, "EXEC"), eqFold(name, "DISCARD"):
		c.inTx = false
	case eqFold(name, "AUTH") && len(args) == 2:
		c.opts.User, c.opts.Password = "", string(args[1])
	case eqFold(name, "AUTH") && len(args) == 3:
		c.opts.User, c.opts.Password = string(args[1]), string(args[2])
	case eqFold(name, "CLIENT") && len(args) == 3 && eqFold(args[1], "SETNAME"):
		c.opts.Name = string(args[2])
	case eqFold(name, "HELLO"):
		c.trackHello(args)
	case eqFold(name, "RESET"):
		c.opts.DB, c.opts.Protocol, c.opts.Name = 0, 2, ""
		c.opts.User, c.opts.Password = "", ""
		c.inTx = false
	}
	if c.conn != nil {
		c.opts.Protocol = c.conn.proto
	}
}

func (c *Client) trackHello(args [][]byte) {
	if len(args) >= 2 {
		if n, err := strconv.Atoi(string(args[1])); err == nil && (n == 2 || n == 3) {
			if c.conn != nil {
				c.conn.proto = n
			}
		}
	}
	for i := 2; i < len(args); i++ {
		switch {
		case eqFold(args[i], "AUTH") && i+2 < len(args):
			c.opts.User, c.opts.Password = string(args[i+1]), string(args[i+2])
			i += 2
		case eqFold(args[i], "SETNAME") && i+1 < len(args):
			c.opts.Name = string(args[i+1])
			i++
		}
	}
}

func eqFold(b []byte, s string) bool {
	return len(b) == len(s) && strings.EqualFold(string(b), s)
}

// Args converts strings to the [][]byte form Do takes.
func Args(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// IsStreaming reports whether args turn the connection into a stream of
// messages the server pushes (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, MONITOR):
// after the first reply, the caller reads on with ReadReply.
func IsStreaming(args [][]byte) bool {
	if len(args) == 0 {
		return false
	}
	name := args[0]
	return eqFold(name, "SUBSCRIBE") || eqFold(name, "PSUBSCRIBE") ||
		eqFold(name, "SSUBSCRIBE") || eqFold(name, "MONITOR")
}
