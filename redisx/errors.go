package redisx

import (
	"errors"
	"net"
	"strings"
)

// RedisError is an error reply sent by the server ("-ERR ...", "-WRONGTYPE
// ...", or a RESP3 blob error). The connection stays usable.
type RedisError struct {
	Msg string
}

func (e *RedisError) Error() string { return e.Msg }

// RedisCode returns the error code: the first word of the message
// ("ERR", "WRONGTYPE", "LOADING", "MOVED").
func (e *RedisError) RedisCode() string {
	code, _, _ := strings.Cut(e.Msg, " ")
	return code
}

// ProtocolError reports a reply that violates RESP: an unknown type byte,
// a malformed length, a bulk longer than the cap, nesting deeper than the
// bound. The connection it came from is closed: nothing after it can be
// trusted.
type ProtocolError struct {
	Msg string
}

func (e *ProtocolError) Error() string { return "protocol error: " + e.Msg }

// ConnectionFailure marks protocol errors as connection-level failures: the
// connection is gone and a retry must dial again.
func (e *ProtocolError) ConnectionFailure() bool { return true }

// ConnError is a failure of the connection itself: dialing, the TLS
// handshake, writing the request or reading the reply.
type ConnError struct {
	Op   string // "dial", "write" or "read"
	Addr string // the address as the user gave it ("127.0.0.1:6379", "/tmp/redis.sock")
	Err  error
	// Sent is true when the request bytes were written before the failure:
	// the command may already have run on the server.
	Sent bool
}

func (e *ConnError) Error() string {
	msg := e.Err.Error()
	if strings.Contains(msg, e.Addr) {
		return msg // "dial tcp 127.0.0.1:6379: connect: connection refused"
	}
	return e.Op + " " + e.Addr + ": " + msg
}

func (e *ConnError) Unwrap() error { return e.Err }

// ConnectionFailure reports that the error is a connection-level failure.
func (e *ConnError) ConnectionFailure() bool { return true }

// RequestSent reports whether the request may have reached the server.
func (e *ConnError) RequestSent() bool { return e.Sent }

// Timeout reports whether a deadline passed.
func (e *ConnError) Timeout() bool {
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// ErrClosed is returned by operations on a closed Conn.
var ErrClosed = errors.New("redisx: connection closed")
