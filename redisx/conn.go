package redisx

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redish/redish/resp"
)

// Conn is one connection to one server, set up with the handshake of
// Options. It is not safe for concurrent use: a shell sends one command at
// a time, and pipelining callers use Write/Flush and ReadReply in order.
//
// Any error other than a server error reply leaves the Conn broken; the
// caller must Close it and dial again.
type Conn struct {
	nc    net.Conn
	br    *bufio.Reader
	rd    *resp.Reader
	wbuf  []byte
	addr  string
	opts  Options
	proto int
	err   error // first fatal error; every later call returns it

	// OnPush, when not nil, receives the RESP3 push messages that arrive
	// while Do or ReadReplyTo waits for a reply (client-side caching
	// invalidations, pub/sub messages on a connection that also runs
	// commands). When nil they are dropped. Either way a push is never
	// returned as the reply to another command.
	OnPush func(resp.Value)

	// The cancellation of the operation in progress (see arm): the stop
	// func of its context callback, nil when disarmed, and a count of the
	// callback while it runs. interruptFn and disarmFn are c.interrupt
	// and c.disarm, made once so that arming allocates nothing of its own.
	stopCallback          func() bool
	callback              sync.WaitGroup
	interruptFn, disarmFn func()
	hooks                 *armHooks // for tests only
}

// Dial connects to the server of o and runs the handshake: AUTH, HELLO,
// SELECT and CLIENT SETNAME as the options ask. Dialing and the TLS
// handshake are bounded by o.ConnectTimeout; the handshake commands by
// o.Timeout. A failed handshake step is returned as a *HandshakeError and
// the connection is closed: no command is ever sent on a session that is
// not the one the user asked for.
func Dial(ctx context.Context, o *Options) (*Conn, error) {
	if o.badAddr != "" {
		return nil, &ConnError{Op: "dial", Addr: o.badAddr, Err: errNoPort}
	}
	addr := o.Addr()
	nc, err := dial(ctx, o)
	if err != nil {
		return nil, &ConnError{Op: "dial", Addr: addr, Err: err}
	}
	c := newConn(nc, o)
	if err := c.handshake(ctx); err != nil {
		c.Close()
		// Only the handshake was written: no command of the caller's.
		var ce *ConnError
		if errors.As(err, &ce) {
			ce.Sent = false
		}
		return nil, err
	}
	return c, nil
}

func newConn(nc net.Conn, o *Options) *Conn {
	br := bufio.NewReaderSize(nc, 64<<10)
	c := &Conn{
		nc:    nc,
		br:    br,
		rd:    resp.NewReader(br),
		addr:  o.Addr(),
		opts:  *o,
		proto: 2,
	}
	c.interruptFn, c.disarmFn = c.interrupt, c.disarm
	return c
}

func dial(ctx context.Context, o *Options) (net.Conn, error) {
	if o.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.ConnectTimeout)
		defer cancel()
	}
	d := net.Dialer{KeepAlive: 15 * time.Second}
	nc, err := d.DialContext(ctx, o.Network(), o.dialAddr())
	if err != nil {
		return nil, err
	}
	if o.TLS == nil {
		return nc, nil
	}
	cfg := o.TLS
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify && o.Socket == "" {
		cfg = cfg.Clone()
		cfg.ServerName = o.host()
	}
	if o.ConnectTimeout <= 0 {
		// A server that does not speak TLS may never answer the
		// ClientHello: without a bound the handshake would wait forever.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTLSHandshakeTimeout)
		defer cancel()
	}
	tc := tls.Client(nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		nc.Close()
		return nil, &TLSError{Err: err}
	}
	return tc, nil
}

// DefaultTLSHandshakeTimeout bounds the TLS handshake when no connect
// timeout is given.
const DefaultTLSHandshakeTimeout = 10 * time.Second

func (o *Options) dialAddr() string {
	if o.Socket != "" {
		return o.Socket
	}
	return net.JoinHostPort(o.host(), strconv.Itoa(o.port()))
}

// TLSError is a failed TLS handshake (bad certificate, wrong host name,
// server not speaking TLS).
type TLSError struct{ Err error }

func (e *TLSError) Error() string { return "TLS handshake: " + e.Err.Error() }
func (e *TLSError) Unwrap() error { return e.Err }

// HandshakeError is a session set-up step the server refused: AUTH,
// HELLO, SELECT, CLIENT SETNAME or CLIENT TRACKING. Err is the server's
// *resp.RedisError.
type HandshakeError struct {
	Step string // "AUTH", "HELLO", "SELECT 99", "CLIENT SETNAME", TrackingStep
	Err  error
}

// TrackingStep is the HandshakeError step of a CLIENT TRACKING that could
// not be turned on again after a reconnect.
const TrackingStep = "CLIENT TRACKING"

func (e *HandshakeError) Error() string {
	if e.Step == TrackingStep {
		return e.Step + " could not be turned on again after a reconnect: " + e.Err.Error() + " (tracking is off now)"
	}
	return e.Step + " failed: " + e.Err.Error()
}
func (e *HandshakeError) Unwrap() error { return e.Err }

// handshake pipelines the set-up commands and reads their replies in
// order, so a session costs one round trip (two when HELLO 3 is refused
// by a server older than Redis 6 and a client name is wanted).
//
// Credentials go in AUTH, never inside HELLO, as redis-cli sends them: a
// server that does not know HELLO (Redis 5, a proxy, a renamed command)
// answers with an error that quotes the command's arguments, and HELLO's
// would include the password.
func (c *Conn) handshake(ctx context.Context) error {
	o := &c.opts
	type step struct {
		name string
		args []string
	}
	var steps []step
	if o.authenticates() {
		args := []string{"AUTH", o.Password}
		if o.User != "" {
			args = []string{"AUTH", o.User, o.Password}
		}
		steps = append(steps, step{"AUTH", args})
	}
	setName := step{"CLIENT SETNAME", []string{"CLIENT", "SETNAME", o.Name}}
	if o.Protocol == 3 {
		args := []string{"HELLO", "3"}
		if o.Name != "" {
			args = append(args, "SETNAME", o.Name)
		}
		steps = append(steps, step{"HELLO", args})
	} else if o.Name != "" {
		steps = append(steps, setName)
	}
	if o.DB != 0 {
		n := strconv.Itoa(o.DB)
		steps = append(steps, step{"SELECT " + n, []string{"SELECT", n}})
	}
	if len(steps) == 0 {
		return nil
	}
	for _, s := range steps {
		c.wbuf = resp.AppendCommandStrings(c.wbuf, s.args...)
	}
	if err := c.Flush(ctx); err != nil {
		return err
	}
	var first error
	helloRefused := false
	for _, s := range steps {
		v, err := c.readReplyTo(ctx, nil, nil)
		if err != nil {
			return err
		}
		if first != nil {
			continue
		}
		if v.Kind != resp.KindError {
			if s.name == "HELLO" {
				c.proto = 3
			}
			continue
		}
		rerr := &resp.RedisError{Msg: string(v.Str)}
		if s.name == "HELLO" && isUnknownCommand(rerr) && !o.ForceProtocol {
			// A server without HELLO (Redis < 6) speaks RESP2; only the
			// client name HELLO carried is left to set.
			helloRefused = true
			continue
		}
		step := s.name
		if s.name == "HELLO" && isAuthError(rerr) {
			step = "AUTH"
		}
		first = &HandshakeError{Step: step, Err: rerr}
	}
	if first != nil || !helloRefused || o.Name == "" {
		return first
	}
	v, err := c.DoStrings(ctx, setName.args...)
	if err != nil {
		return err
	}
	if v.Kind == resp.KindError {
		return &HandshakeError{Step: setName.name, Err: &resp.RedisError{Msg: string(v.Str)}}
	}
	return nil
}

func isUnknownCommand(e *resp.RedisError) bool {
	return strings.HasPrefix(e.Msg, "ERR unknown command")
}

func isAuthError(e *resp.RedisError) bool {
	code := e.RedisCode()
	return code == "WRONGPASS" || code == "NOAUTH" || strings.Contains(e.Msg, "invalid password")
}

// Protocol returns the protocol the session speaks: 2 or 3.
func (c *Conn) Protocol() int { return c.proto }

// Addr returns the server address as given in the options.
func (c *Conn) Addr() string { return c.addr }

// Err returns the error that broke the connection, or nil.
func (c *Conn) Err() error { return c.err }

// Do sends one command and reads its reply. An error reply from the server
// is returned as a Value of KindError with a nil error; a non-nil error
// means the connection is broken.
func (c *Conn) Do(ctx context.Context, args ...[]byte) (resp.Value, error) {
	c.Write(args...)
	if err := c.Flush(ctx); err != nil {
		return resp.Value{}, err
	}
	return c.ReadReplyTo(ctx, args)
}

// ReadReplyTo reads the reply to the command args, sent earlier. The push
// messages read before it go to OnPush, except the one that is itself the
// reply: RESP3 confirms SUBSCRIBE, UNSUBSCRIBE and their pattern and shard
// forms with a push named after the command.
func (c *Conn) ReadReplyTo(ctx context.Context, args [][]byte) (resp.Value, error) {
	return c.readReplyTo(ctx, args, c.OnPush)
}

// readReplyTo is ReadReplyTo with the push handler given: a pipeline
// that reads several connections at once keeps each push in its place.
func (c *Conn) readReplyTo(ctx context.Context, args [][]byte, onPush func(resp.Value)) (resp.Value, error) {
	for {
		v, err := c.ReadReply(ctx)
		if err != nil {
			return resp.Value{}, err
		}
		if v.Kind != resp.KindPush || pushAnswers(args, v) {
			return v, nil
		}
		if onPush != nil {
			onPush(v)
		}
	}
}

// pushAnswers reports whether the push v is the reply to args: the
// confirmation of a pub/sub command ("subscribe", "punsubscribe", ...),
// which RESP3 sends as a push named after the command.
func pushAnswers(args [][]byte, v resp.Value) bool {
	if len(args) == 0 || len(v.Elems) == 0 || !isPubSubCommand(args[0]) {
		return false
	}
	kind := v.Elems[0]
	return (kind.Kind == resp.KindBulk || kind.Kind == resp.KindStatus) && strings.EqualFold(string(kind.Str), string(args[0]))
}

// isPubSubCommand reports whether name is SUBSCRIBE, UNSUBSCRIBE or one of
// their pattern (P) and shard (S) forms.
func isPubSubCommand(name []byte) bool {
	switch strings.ToUpper(string(name)) {
	case "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE":
		return true
	}
	return false
}

// DoStrings is Do with string arguments.
func (c *Conn) DoStrings(ctx context.Context, args ...string) (resp.Value, error) {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	return c.Do(ctx, bs...)
}

// Write buffers a command; Flush sends everything buffered.
func (c *Conn) Write(args ...[]byte) {
	c.wbuf = resp.AppendCommand(c.wbuf, args)
}

// WriteRaw buffers bytes that are already RESP-encoded (for --pipe).
func (c *Conn) WriteRaw(b []byte) {
	c.wbuf = append(c.wbuf, b...)
}

// Buffered returns the number of bytes waiting for Flush.
func (c *Conn) Buffered() int { return len(c.wbuf) }

// Flush writes the buffered commands, bounded by the options' Timeout and
// by ctx.
func (c *Conn) Flush(ctx context.Context) error {
	if c.err != nil {
		return c.err
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	stop := c.arm(ctx)
	n, err := c.nc.Write(c.wbuf)
	stop()
	c.wbuf = c.wbuf[:0]
	if cap(c.wbuf) > 1<<20 {
		c.wbuf = nil
	}
	if err != nil {
		// A partial write may have delivered a whole command already; a
		// write that took nothing delivered nothing.
		return c.fail(ctx, &ConnError{Op: "write", Addr: c.addr, Err: err, Sent: n > 0})
	}
	return nil
}

// Usable reports whether the connection can carry a command: no error
// broke it, and the server has not closed it while it sat idle (a server
// timeout, a restart, CLIENT KILL). The check reads nothing: it peeks at
// the socket without waiting. When it finds the connection closed, the
// connection is closed on this side too.
func (c *Conn) Usable() bool {
	if c.err != nil {
		return false
	}
	if c.br.Buffered() > 0 {
		return true // a reply or push is waiting: the server is there
	}
	if peerClosed(c.nc) {
		c.Close()
		return false
	}
	return true
}

// ReadReply reads the next message, bounded by the options' Timeout and by
// ctx: a reply or, unlike ReadReplyTo, a push (what a subscribed
// connection reads). A server error reply is a Value, not an error.
func (c *Conn) ReadReply(ctx context.Context) (resp.Value, error) {
	if c.err != nil {
		return resp.Value{}, c.err
	}
	stop := c.arm(ctx)
	v, err := c.rd.ReadValue()
	stop()
	if err != nil {
		var pe *resp.ProtocolError
		if errors.As(err, &pe) {
			return resp.Value{}, c.fail(ctx, pe)
		}
		return resp.Value{}, c.fail(ctx, &ConnError{Op: "read", Addr: c.addr, Err: err, Sent: true})
	}
	return v, nil
}

// arm sets the read/write deadline for one operation and makes ctx
// cancellation interrupt it. The returned func disarms both; it may be
// called more than once. An operation is disarmed before the next one is
// armed.
//
// When ctx is cancelled just as the operation ends (a Ctrl-C as the reply
// arrives), the callback that interrupts it may already be running when
// the operation disarms. Disarming then waits for the callback to finish,
// so that its deadline in the past lands on this operation, never on the
// next one, whose own arm replaces it.
func (c *Conn) arm(ctx context.Context) func() {
	if c.opts.Timeout > 0 {
		c.nc.SetDeadline(time.Now().Add(c.opts.Timeout))
	} else {
		c.nc.SetDeadline(time.Time{})
	}
	if ctx.Done() == nil {
		return func() {}
	}
	c.callback.Add(1)
	c.stopCallback = context.AfterFunc(ctx, c.interruptFn)
	return c.disarmFn
}

// interrupt is the callback of a cancelled operation: a deadline in the
// past ends the read or write in progress.
func (c *Conn) interrupt() {
	defer c.callback.Done()
	if c.hooks != nil && c.hooks.interrupting != nil {
		c.hooks.interrupting()
	}
	c.nc.SetDeadline(time.Unix(1, 0))
}

// disarm stops the callback of the operation in progress or, when it has
// started, waits for it to finish.
func (c *Conn) disarm() {
	if c.stopCallback == nil {
		return
	}
	stopped := c.stopCallback()
	c.stopCallback = nil
	if stopped {
		c.callback.Done() // in its place: it will never run
		return
	}
	if c.hooks != nil && c.hooks.waiting != nil {
		c.hooks.waiting()
	}
	c.callback.Wait()
}

// armHooks let a test hold arm's cancellation callback while it runs, to
// show that disarming waits for it. They are nil outside tests.
type armHooks struct {
	// interrupting is called by the callback before it sets its deadline.
	interrupting func()
	// waiting is called by the disarming func when it finds the callback
	// started, before it waits for it to finish.
	waiting func()
}

// fail records the error that broke the connection and closes it. When
// ctx was cancelled, the deadline error is replaced by the context's.
func (c *Conn) fail(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	c.err = err
	c.nc.Close()
	return err
}

// Close closes the connection. It is safe to call more than once.
func (c *Conn) Close() error {
	if c.err == nil {
		c.err = ErrClosed
	}
	return c.nc.Close()
}

// NetConn returns the underlying connection (for --rdb and --replica, which
// read a raw replication stream after the handshake).
func (c *Conn) NetConn() net.Conn { return c.nc }

// BufReader returns the buffered reader of the connection, which may hold
// bytes already read from the server.
func (c *Conn) BufReader() *bufio.Reader { return c.br }
