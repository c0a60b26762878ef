package faultproxy

import (
	"fmt"
	"strings"
	"time"
)

type kind uint8

const (
	kindPass kind = iota
	kindRefuse
	kindResetOnConnect
	kindResetBeforeSend
	kindResetAfterSend
	kindStall
	kindDelay
	kindTrickle
	kindTruncate
	kindGarbage
)

// Fault is how the proxy treats traffic: one of the constructors below.
// The zero Fault passes traffic through.
type Fault struct {
	kind     kind
	d        time.Duration
	n        int
	data     []byte
	commands []string // upper case; empty means every request
}

// Pass forwards everything unchanged.
func Pass() Fault { return Fault{} }

// Refuse closes the proxy's listener, so connects fail with ECONNREFUSED.
// Switching to any other fault listens again on the same port.
// Connections already open are not affected (see Proxy.ResetConns).
func Refuse() Fault { return Fault{kind: kindRefuse} }

// ResetOnConnect accepts each connection and resets it at once (RST): the
// connect succeeds, the first read or write fails with ECONNRESET.
func ResetOnConnect() Fault { return Fault{kind: kindResetOnConnect} }

// ResetBeforeSend reads the client's next request and resets the
// connection without forwarding it: the request never reaches the server.
func ResetBeforeSend() Fault { return Fault{kind: kindResetBeforeSend} }

// ResetAfterSend forwards the client's next request, waits for the first
// bytes of the server's reply (so the command has run), drops the reply
// and resets the client connection.
func ResetAfterSend() Fault { return Fault{kind: kindResetAfterSend} }

// Stall reads requests and never answers them: nothing is forwarded and
// the connection stays open until the client or the proxy closes it.
func Stall() Fault { return Fault{kind: kindStall} }

// Delay holds each chunk of reply bytes for d before passing it on.
func Delay(d time.Duration) Fault { return Fault{kind: kindDelay, d: d} }

// Trickle passes replies on n bytes at a time, waiting tick between
// pieces: Trickle(1, time.Millisecond) sends one byte per millisecond.
// n < 1 means 1.
func Trickle(n int, tick time.Duration) Fault {
	return Fault{kind: kindTrickle, n: max(n, 1), d: tick}
}

// Truncate passes on the first n bytes of reply and then closes the client
// connection (a clean close, not a reset). n < 0 means 0.
func Truncate(n int) Fault { return Fault{kind: kindTruncate, n: max(n, 0)} }

// Garbage answers the first request of each connection with b instead of
// forwarding it; later requests pass through.
func Garbage(b []byte) Fault {
	return Fault{kind: kindGarbage, data: append([]byte(nil), b...)}
}

// On limits a request fault (ResetBeforeSend, ResetAfterSend, Stall,
// Garbage) to requests whose command name is one of names, compared
// without regard to case; other requests pass through. It lets a test
// fail the command under test but not the handshake before it:
// ResetAfterSend().On("INCR"). Faults on replies and on connects ignore
// it.
func (f Fault) On(names ...string) Fault {
	f.commands = nil
	for _, n := range names {
		f.commands = append(f.commands, strings.ToUpper(n))
	}
	return f
}

// applies reports whether the fault applies to a request for command
// (upper case; "" when the request could not be parsed).
func (f Fault) applies(command string) bool {
	if len(f.commands) == 0 {
		return true
	}
	for _, c := range f.commands {
		if c == command {
			return true
		}
	}
	return false
}

// String describes the fault, for test logs.
func (f Fault) String() string {
	var s string
	switch f.kind {
	case kindPass:
		s = "Pass"
	case kindRefuse:
		s = "Refuse"
	case kindResetOnConnect:
		s = "ResetOnConnect"
	case kindResetBeforeSend:
		s = "ResetBeforeSend"
	case kindResetAfterSend:
		s = "ResetAfterSend"
	case kindStall:
		s = "Stall"
	case kindDelay:
		s = fmt.Sprintf("Delay(%v)", f.d)
	case kindTrickle:
		s = fmt.Sprintf("Trickle(%d, %v)", f.n, f.d)
	case kindTruncate:
		s = fmt.Sprintf("Truncate(%d)", f.n)
	case kindGarbage:
		s = fmt.Sprintf("Garbage(%q)", f.data)
	default:
		s = fmt.Sprintf("Fault(%d)", f.kind)
	}
	if len(f.commands) > 0 {
		s += ".On(" + strings.Join(f.commands, ", ") + ")"
	}
	return s
}
