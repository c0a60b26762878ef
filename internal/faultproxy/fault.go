package faultproxy

import (
	"fmt"
	"strings"
	"time"

	"github.com/redish/redish/resp"
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
	kindErrorReply
)

// Fault is how the proxy treats traffic: one of the constructors below.
// The zero Fault passes traffic through.
type Fault struct {
	kind     kind
	d        time.Duration
	n        int
	data     []byte
	commands []string // upper case; empty means every request
	every    int      // > 1: only every every-th request it applies to
	decide   func(Request) Fault
}

// Request is what a Func fault decides on: a request, or a new
// connection before any request.
type Request struct {
	// Conn numbers the connection, from 1, in the order the proxy
	// accepted them.
	Conn int
	// Command is the request's command name in upper case ("" when it
	// could not be parsed), or "" with Accept set.
	Command string
	// Accept is set for a new connection: the fault decided acts on the
	// connection itself (ResetOnConnect), before any request.
	Accept bool
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
// Under Func, the connection stalls from the request it is decided for on.
func Stall() Fault { return Fault{kind: kindStall} }

// Func decides the fault of each request, and of each new connection, by
// calling decide: a seeded random schedule, for example. decide is called
// one call at a time, from the proxy's goroutines. For a new connection
// (Request.Accept) only ResetOnConnect acts; for a request,
// ResetBeforeSend, ResetAfterSend and Stall do, and anything else passes
// it through.
func Func(decide func(Request) Fault) Fault { return Fault{kind: kindPass, decide: decide} }

// Every limits a request fault to every n-th request it applies to (the
// n-th, the 2n-th, ...), counted across connections from the Set or
// SetFor that put it in place: ResetAfterSend().On("INCR").Every(3)
// resets after every third INCR. n <= 1 means every request.
func (f Fault) Every(n int) Fault {
	f.every = n
	return f
}

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

// ErrorReply answers every request with the error reply msg ("LOADING
// Redis is loading the dataset in memory"), as a server in that state
// would: the request does not run. The reply comes in order with the
// replies to the requests around it, which pass through: the proxy sends
// the server, in place of the request, a script that returns the error.
func ErrorReply(msg string) Fault {
	script := "return redis.error_reply(" + luaQuote(msg) + ")"
	return Fault{kind: kindErrorReply, data: resp.AppendCommandStrings(nil, "EVAL", script, "0")}
}

// luaQuote returns s as a Lua string literal.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' || c < ' ' || c > '~' {
			fmt.Fprintf(&b, "\\%03d", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// On limits a request fault (ResetBeforeSend, ResetAfterSend, Stall,
// Garbage, ErrorReply) to requests whose command name is one of names, compared
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
	case kindErrorReply:
		s = "ErrorReply"
	default:
		s = fmt.Sprintf("Fault(%d)", f.kind)
	}
	if f.decide != nil {
		s = "Func"
	}
	if len(f.commands) > 0 {
		s += ".On(" + strings.Join(f.commands, ", ") + ")"
	}
	if f.every > 1 {
		s += fmt.Sprintf(".Every(%d)", f.every)
	}
	return s
}
