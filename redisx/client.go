package redisx

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Client is a standalone client: one connection, dialed when first needed
// and dialed again after a failure, with the session (credentials,
// protocol, database, client name, client-side caching) restored on every
// new connection. The session follows the commands that change it
// (SELECT, HELLO, AUTH, CLIENT SETNAME, CLIENT TRACKING, RESET), so a
// reconnect lands where the user was.
//
// A transaction is never split: from WATCH or MULTI to its end, the
// commands go to the connection it started on, with no retry, and when
// that connection is lost the commands up to EXEC or DISCARD are not sent
// at all (see TxLostError and TxDroppedError).
//
// Client is not safe for concurrent use.
type Client struct {
	opts Options
	conn *Conn
	tx   txState
	// subs are what the connection is subscribed to: a stream read under
	// Retry subscribes a new connection to them again.
	subs subscriptions
	// tracking holds the options of the last CLIENT TRACKING ON that
	// succeeded (BCAST, PREFIX p, ...), nil when tracking is off: every
	// new connection turns it on again, so invalidations keep coming.
	tracking [][]byte

	// Retry, when not nil, runs every command under its policy: a failed
	// attempt closes the connection, and the next one dials again and
	// restores the session. Nil makes one attempt.
	Retry *retry.Retry
	// Observe receives the retry loop's events (for --verbose).
	Observe func(retry.Event)
	// OnResend receives every retry that sends again a command that may
	// have run and is not safe to run twice (--retry-sent all), to be
	// reported even when Observe is nil.
	OnResend func(retry.Event)

	// OnPush receives RESP3 push messages that arrive between replies.
	OnPush func(resp.Value)
	// OnConnect, when set, is called after every successful dial.
	OnConnect func(*Conn)

	// source, when set, finds the server to dial instead of opts' Host
	// and Port: a Sentinel's primary or replica (see SentinelClient).
	source nodeSource
}

// nodeSource finds the server a Client dials, for a client whose server
// may move (Sentinel): it dials the server to use now, says when a
// connection must be given up, and turns a reply showing that the server
// is no longer the right one into a failure, so that the retry loop
// dials again.
type nodeSource interface {
	// dial connects with o to the server to use now and points o at it.
	dial(ctx context.Context, o *Options) (*Conn, error)
	// retired reports whether conn must be given up before its next
	// command (the primary moved away from it).
	retired(conn *Conn) bool
	// misdirected returns a *NotPrimaryError when v, read on conn, shows
	// that the server is no longer the one to use (READONLY from a
	// former primary), nil otherwise.
	misdirected(conn *Conn, v resp.Value) error
}

// NewClient returns a client for o. It does not dial.
func NewClient(o Options) *Client {
	return &Client{opts: o}
}

// Options returns the options the next dial will use, including session
// changes made by commands.
func (c *Client) Options() Options { return c.opts }

// SetOptions replaces the options (for the shell's connect command). The
// current connection is closed, and with it any transaction.
func (c *Client) SetOptions(o Options) {
	c.Close()
	c.opts = o
	c.tx = txState{}
}

// Connected reports whether the client holds a live connection.
func (c *Client) Connected() bool { return c.conn != nil && c.conn.Err() == nil }

// InTx reports whether a MULTI is open, or was lost with its connection
// and its commands are being dropped until EXEC or DISCARD.
func (c *Client) InTx() bool { return c.tx.multi || c.tx.lost != nil && c.tx.lost.Multi }

// Conn returns the live connection, dialing if needed. A connection the
// server closed while it sat idle is replaced quietly: nothing was sent
// on it.
func (c *Client) Conn(ctx context.Context) (*Conn, error) {
	if c.conn != nil && c.conn.Usable() && c.retired(c.conn) == nil {
		return c.conn, nil
	}
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	// Subscriptions live and die with a connection; only a stream read
	// makes them again (see ReadReply).
	c.subs = subscriptions{}
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.restoreTracking(ctx, conn); err != nil {
		conn.Close()
		// Part of setting the connection up: no command of the caller's
		// was written.
		return nil, &notSentError{err}
	}
	conn.OnPush = c.OnPush
	c.conn = conn
	if c.OnConnect != nil {
		c.OnConnect(conn)
	}
	return conn, nil
}

// errRetired is why a connection to a primary that +switch-master moved
// away from is given up.
var errRetired = errors.New("the primary moved to another server (+switch-master): the connection to this one was given up")

// retired returns the failure of conn when the source gives it up before
// its next command (the primary moved away from it), nil otherwise.
// Nothing was written on it: the failure is not sent.
func (c *Client) retired(conn *Conn) error {
	if c.source == nil || !c.source.retired(conn) {
		return nil
	}
	return &ConnError{Op: "write", Addr: conn.Addr(), Err: errRetired}
}

// dial connects to the server of the options, or to the one the source
// finds.
func (c *Client) dial(ctx context.Context) (*Conn, error) {
	if c.source != nil {
		return c.source.dial(ctx, &c.opts)
	}
	return Dial(ctx, &c.opts)
}

// nodeAddr names the server of the client in retry events: "" while a
// source has found none yet.
func (c *Client) nodeAddr() string {
	if c.source != nil && c.opts.Host == "" && c.opts.Socket == "" {
		return ""
	}
	return c.opts.Addr()
}

// misdirected returns the source's verdict on the reply v to the last
// command (see nodeSource), nil without a source.
func (c *Client) misdirected(v resp.Value) error {
	if c.source == nil || v.Kind != resp.KindError || c.conn == nil {
		return nil
	}
	return c.source.misdirected(c.conn, v)
}

// restoreTracking turns client-side caching on again on a new connection
// when the user had turned it on. Tracking the server no longer accepts
// (a REDIRECT to a client that is gone) is reported once, as a
// *HandshakeError, and then left off: otherwise no connection could ever
// be made again.
func (c *Client) restoreTracking(ctx context.Context, conn *Conn) error {
	if c.tracking == nil {
		return nil
	}
	args := append(Args("CLIENT", "TRACKING", "ON"), c.tracking...)
	v, err := conn.Do(ctx, args...)
	if err != nil {
		return err
	}
	if v.Kind == resp.KindError {
		c.tracking = nil
		return &HandshakeError{Step: TrackingStep, Err: &resp.RedisError{Msg: v.Text()}}
	}
	return nil
}

// Do runs one command: dial when needed, send, read the reply, under the
// retry policy. A server error reply is a Value of KindError (also when the
// policy retried it and gave up); the error is for failures of the
// connection, after which the connection is closed and the next Do dials
// again.
//
// A command whose request was sent and that got no reply is sent again
// only when Retry's Policy.Resend allows it (see Resendable); otherwise,
// or once the retries are spent, the error is a *MayHaveRunError for a
// command that can change data.
//
// Inside WATCH or MULTI nothing is retried: the state lives on the
// connection, and a lost connection is reported as a *TxLostError; the
// commands after it, up to EXEC or DISCARD, get a *TxDroppedError
// without being sent. EXEC alone may run the transaction again on a new
// connection (see exec).
func (c *Client) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	if len(args) == 0 {
		return resp.Value{}, errors.New("redisx: empty command")
	}
	switch {
	case c.tx.lost != nil:
		send, err := c.tx.admit(args)
		if !send {
			return resp.Value{}, err
		}
	case c.tx.multi && eqFold(args[0], "EXEC"):
		return c.exec(ctx, args)
	case c.tx.conn != nil:
		return c.inTx(ctx, args)
	}
	v, err := c.do(ctx, args)
	if err != nil && ctx.Err() == nil && (eqFold(args[0], "MULTI") || eqFold(args[0], "WATCH")) {
		// The transaction the script or the user starts never started:
		// what follows, up to its end, must not run on its own.
		e := &TxLostError{Err: err, Multi: eqFold(args[0], "MULTI"), Watch: eqFold(args[0], "WATCH")}
		c.tx = txState{lost: e}
		return v, e
	}
	return v, err
}

// do runs a command outside any transaction, under the retry policy.
func (c *Client) do(ctx context.Context, args [][]byte) (resp.Value, error) {
	var v resp.Value
	var replied bool // the last failure was an error reply, not the connection
	op := func(ctx context.Context) error {
		var err error
		replied = false
		v, err = c.attempt(ctx, args)
		if err == nil {
			if merr := c.misdirected(v); merr != nil {
				// Not run: the next attempt finds the server again.
				c.Close()
				return merr
			}
		}
		if err == nil && v.Kind == resp.KindError && c.Retry != nil && c.Retry.Policy.Retryable(&resp.RedisError{Msg: string(v.Str)}) {
			// A retried error reply (LOADING, TRYAGAIN, a raw code). The
			// connection is fine: the next attempt uses it again.
			replied = true
			return &replyError{resp.RedisError{Msg: string(v.Str)}}
		}
		return err
	}
	var err error
	if c.Retry == nil {
		err = op(ctx)
	} else {
		err = c.Retry.Do(ctx, op, retry.Hooks{
			OnFailure: func(error) {
				if !replied {
					c.Close()
				}
			},
			Node:     c.nodeAddr,
			Observe:  c.Observe,
			Safe:     func() bool { return Resendable(args) },
			Command:  func() string { return CommandLabel(args) },
			OnResend: c.OnResend,
		})
	}
	var re *replyError
	var np *NotPrimaryError
	if errors.As(err, &re) || errors.As(err, &np) {
		// The retries are spent on an error reply: it is the reply.
		return v, nil
	}
	return v, mayHaveRun(args, err)
}

// mayHaveRun wraps a failure after which a command that can change data
// may have run in a *MayHaveRunError. A read, or a command whose effect
// lived on the lost connection (SELECT, MULTI, ...), changed nothing that
// survives it.
func mayHaveRun(args [][]byte, err error) error {
	if err == nil || !retry.RequestSent(err) || ReadOnly(args) || connectionScoped(args) {
		return err
	}
	var mr *MayHaveRunError
	if errors.As(err, &mr) {
		return err
	}
	return &MayHaveRunError{Cmd: CommandLabel(args), Err: err}
}

// replyError carries an error reply through the retry loop; Do turns it
// back into the reply when the loop ends on it.
type replyError struct{ resp.RedisError }

// attempt runs one command on the current connection, dialing if needed.
func (c *Client) attempt(ctx context.Context, args [][]byte) (resp.Value, error) {
	conn, err := c.Conn(ctx)
	if err != nil {
		return resp.Value{}, err
	}
	v, err := conn.Do(ctx, args...)
	if err != nil {
		c.Close()
		return resp.Value{}, err
	}
	c.track(args, v)
	return v, nil
}

// ReadReply reads the next message on the current connection without
// sending anything: what the server pushes after SUBSCRIBE or MONITOR.
//
// Under Retry, a subscribed connection that fails is dialed again, the
// session restored, and subscribed again to every channel, pattern and
// shard channel it had, as redis-py's PubSub does: the server's
// confirmations are the next messages read, so the reader sees where the
// stream resumed. Messages published in between are lost: pub/sub does
// not keep them.
func (c *Client) ReadReply(ctx context.Context) (resp.Value, error) {
	return c.readStream(ctx, c.Retry, c.Observe)
}

// readStream is ReadReply under the policy r (nil: one attempt).
func (c *Client) readStream(ctx context.Context, r *retry.Retry, observe func(retry.Event)) (resp.Value, error) {
	subs := c.subs
	if r == nil || subs.empty() {
		return c.readOnce(ctx)
	}
	var v resp.Value
	err := r.Do(ctx, func(ctx context.Context) error {
		if !c.Connected() {
			if err := c.resubscribe(ctx, subs); err != nil {
				return err
			}
		}
		var err error
		v, err = c.readOnce(ctx)
		return streamError(err)
	}, retry.Hooks{
		OnFailure: func(error) { c.Close() },
		Node:      c.nodeAddr,
		Observe:   observe,
	})
	return v, err
}

// readOnce reads the next message on the current connection.
func (c *Client) readOnce(ctx context.Context) (resp.Value, error) {
	if c.conn == nil {
		return resp.Value{}, &ConnError{Op: "read", Addr: c.opts.Addr(), Err: ErrClosed}
	}
	v, err := c.conn.ReadReply(ctx)
	if err != nil {
		c.Close()
	}
	return v, err
}

// streamError marks a failed read of a subscribed connection as one with
// no request in flight: nothing was sent that could have run twice.
func streamError(err error) error {
	var ce *ConnError
	if errors.As(err, &ce) && ce.Sent {
		cp := *ce
		cp.Sent = false
		return &cp
	}
	return err
}

// resubscribe dials and sends the subscriptions subs, without reading
// the confirmations: they come as the next messages of the stream.
func (c *Client) resubscribe(ctx context.Context, subs subscriptions) error {
	conn, err := c.Conn(ctx)
	if err != nil {
		return err
	}
	for _, cmd := range subs.commands() {
		conn.Write(cmd...)
	}
	if err := conn.Flush(ctx); err != nil {
		c.Close()
		return err
	}
	c.subs = subs
	return nil
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

// track updates the session the client restores after a reconnect, and
// the transaction state, from a command that got its reply.
func (c *Client) track(args [][]byte, v resp.Value) {
	if len(args) == 0 {
		return
	}
	name := args[0]
	ok := v.Kind != resp.KindError
	// A transaction ends with EXEC or DISCARD whatever the reply: an
	// EXECABORT or a WATCH that fails the EXEC end it too.
	switch {
	case eqFold(name, "MULTI"):
		if ok && !c.tx.multi {
			c.tx.multi, c.tx.conn, c.tx.queued = true, c.conn, nil
		}
		return
	case eqFold(name, "EXEC"), eqFold(name, "DISCARD"):
		if c.tx.multi {
			c.tx = txState{}
		}
		return
	case eqFold(name, "WATCH"):
		if ok && !c.tx.multi {
			c.tx.watch, c.tx.conn = true, c.conn
		}
		return
	case eqFold(name, "UNWATCH"):
		if ok && !c.tx.multi {
			c.tx = txState{}
		}
		return
	}
	if !ok {
		return
	}
	switch {
	case eqFold(name, "SELECT") && len(args) == 2:
		if n, err := strconv.Atoi(string(args[1])); err == nil {
			c.opts.DB = n
		}
	case eqFold(name, "AUTH") && len(args) == 2:
		c.opts.User, c.opts.Password = "", string(args[1])
	case eqFold(name, "AUTH") && len(args) == 3:
		c.opts.User, c.opts.Password = string(args[1]), string(args[2])
	case eqFold(name, "CLIENT") && len(args) == 3 && eqFold(args[1], "SETNAME"):
		c.opts.Name = string(args[2])
	case eqFold(name, "CLIENT") && len(args) >= 3 && eqFold(args[1], "TRACKING"):
		c.tracking = nil
		if eqFold(args[2], "ON") {
			c.tracking = make([][]byte, 0, len(args)-3)
			for _, a := range args[3:] {
				c.tracking = append(c.tracking, slices.Clone(a))
			}
		}
	case eqFold(name, "HELLO"):
		c.trackHello(args)
	case eqFold(name, "RESET"):
		// The server is back to a new connection's state: RESP2, db 0, no
		// name, the default user, no tracking, no MULTI, no subscriptions.
		c.opts.DB, c.opts.Protocol, c.opts.Name = 0, 2, ""
		c.opts.User, c.opts.Password = "", ""
		c.tracking = nil
		c.tx = txState{}
		c.subs = subscriptions{}
		if c.conn != nil {
			c.conn.proto = 2
		}
	case isPubSubCommand(name):
		c.subs.track(args)
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

// subscriptions are the channels, patterns and shard channels a
// connection is subscribed to, in the order they were first named.
type subscriptions struct {
	channels, patterns, shards []string
}

func (s subscriptions) empty() bool {
	return len(s.channels) == 0 && len(s.patterns) == 0 && len(s.shards) == 0
}

// track follows a pub/sub command the server accepted: SUBSCRIBE adds its
// channels, UNSUBSCRIBE removes its channels or, alone, every channel;
// likewise for the pattern (P) and shard (S) forms.
func (s *subscriptions) track(args [][]byte) {
	list := &s.channels
	subscribe := false
	switch strings.ToUpper(string(args[0])) {
	case "SUBSCRIBE":
		subscribe = true
	case "PSUBSCRIBE":
		list, subscribe = &s.patterns, true
	case "SSUBSCRIBE":
		list, subscribe = &s.shards, true
	case "PUNSUBSCRIBE":
		list = &s.patterns
	case "SUNSUBSCRIBE":
		list = &s.shards
	}
	names := make([]string, len(args)-1)
	for i, a := range args[1:] {
		names[i] = string(a)
	}
	if subscribe {
		for _, n := range names {
			if !slices.Contains(*list, n) {
				*list = append(*list, n)
			}
		}
		return
	}
	if len(names) == 0 {
		*list = nil
		return
	}
	*list = slices.DeleteFunc(slices.Clone(*list), func(n string) bool { return slices.Contains(names, n) })
}

// commands returns the commands that subscribe a new connection to s:
// one SUBSCRIBE for the channels, one PSUBSCRIBE for the patterns and one
// SSUBSCRIBE per shard channel (a cluster refuses shard channels of
// different slots in one command).
func (s subscriptions) commands() [][][]byte {
	var out [][][]byte
	add := func(cmd string, names []string) {
		if len(names) == 0 {
			return
		}
		args := [][]byte{[]byte(cmd)}
		for _, n := range names {
			args = append(args, []byte(n))
		}
		out = append(out, args)
	}
	add("SUBSCRIBE", s.channels)
	add("PSUBSCRIBE", s.patterns)
	for _, n := range s.shards {
		add("SSUBSCRIBE", []string{n})
	}
	return out
}
