package redisx

import (
	"errors"
	"io"
	"net"
	"strings"
)

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

// unexpectedEOF turns io.EOF into io.ErrUnexpectedEOF, for reads that
// the end of the stream cuts short: inside a reply, a command or a
// transfer.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ErrClosed is returned by operations on a closed Conn.
var ErrClosed = errors.New("redisx: connection closed")
