package retry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
)

// Class names a kind of failure a policy can retry. It is either one of
// the named classes below, which form a small hierarchy (a class matches
// its subclasses), or a raw Redis error code in capitals ("LOADING",
// "BUSY", "OOM") that matches the error replies whose first word is that
// code. The empty Class means "not retryable": no class at all.
type Class string

// The named classes, after redis-py's exception hierarchy. The comments
// show the parent class.
const (
	ConnectionError     Class = "ConnectionError"     // dial failure, reset, EOF, TLS failure, "max number of clients reached"
	BusyLoadingError    Class = "BusyLoadingError"    // ConnectionError: -LOADING
	TimeoutError        Class = "TimeoutError"        // connect, read or write deadline passed
	ResponseError       Class = "ResponseError"       // any other error reply
	ReadOnlyError       Class = "ReadOnlyError"       // ResponseError: -READONLY
	TryAgainError       Class = "TryAgainError"       // ResponseError: -TRYAGAIN
	ClusterDownError    Class = "ClusterDownError"    // ResponseError: -CLUSTERDOWN
	MasterDownError     Class = "MasterDownError"     // ClusterDownError: -MASTERDOWN
	MovedError          Class = "MovedError"          // ResponseError: -MOVED
	AskError            Class = "AskError"            // ResponseError: -ASK
	CrossSlotError      Class = "CrossSlotError"      // ResponseError: -CROSSSLOT
	NoScriptError       Class = "NoScriptError"       // ResponseError: -NOSCRIPT
	AuthenticationError Class = "AuthenticationError" // ResponseError: -WRONGPASS, -NOAUTH; never retried
)

// classes lists the named classes in documentation order.
var classes = []Class{
	ConnectionError,
	BusyLoadingError,
	TimeoutError,
	ResponseError,
	ReadOnlyError,
	TryAgainError,
	ClusterDownError,
	MasterDownError,
	MovedError,
	AskError,
	CrossSlotError,
	NoScriptError,
	AuthenticationError,
}

var parents = map[Class]Class{
	BusyLoadingError:    ConnectionError,
	ReadOnlyError:       ResponseError,
	TryAgainError:       ResponseError,
	ClusterDownError:    ResponseError,
	MasterDownError:     ClusterDownError,
	MovedError:          ResponseError,
	AskError:            ResponseError,
	CrossSlotError:      ResponseError,
	NoScriptError:       ResponseError,
	AuthenticationError: ResponseError,
}

// replyClasses maps error codes to the class of the reply.
var replyClasses = map[string]Class{
	"LOADING":     BusyLoadingError,
	"READONLY":    ReadOnlyError,
	"TRYAGAIN":    TryAgainError,
	"CLUSTERDOWN": ClusterDownError,
	"MASTERDOWN":  MasterDownError,
	"MOVED":       MovedError,
	"ASK":         AskError,
	"CROSSSLOT":   CrossSlotError,
	"NOSCRIPT":    NoScriptError,
	"WRONGPASS":   AuthenticationError,
	"NOAUTH":      AuthenticationError,
}

// ErrUnknownClass is wrapped by the error ParseClass returns for a name
// that is neither a class nor an error code.
var ErrUnknownClass = errors.New("unknown error class")

// Classes returns the named classes in documentation order. The slice is a
// copy the caller may modify.
func Classes() []Class {
	return append([]Class(nil), classes...)
}

// ParseClass returns the class called s, ignoring case ("connectionerror"
// is ConnectionError), or, for a word in capitals that is not a class
// name, the raw error code s ("LOADING"). Surrounding spaces are ignored.
func ParseClass(s string) (Class, error) {
	s = strings.TrimSpace(s)
	for _, c := range classes {
		if strings.EqualFold(s, string(c)) {
			return c, nil
		}
	}
	if isCode(s) {
		return Class(s), nil
	}
	names := make([]string, len(classes))
	for i, c := range classes {
		names[i] = string(c)
	}
	return "", fmt.Errorf("%w %q (valid: %s, or a Redis error code in capitals such as LOADING)",
		ErrUnknownClass, s, strings.Join(names, ", "))
}

// isCode reports whether s looks like a Redis error code: a capital letter
// followed by capitals, digits or underscores.
func isCode(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if b := s[i]; (b < 'A' || b > 'Z') && (b < '0' || b > '9') && b != '_' {
			return false
		}
	}
	return true
}

// Valid reports whether c is a named class or a raw error code.
func (c Class) Valid() bool {
	return isCode(string(c)) || slices.Contains(classes, c)
}

// IsCode reports whether c is a raw Redis error code rather than a named
// class.
func (c Class) IsCode() bool {
	return isCode(string(c)) && !slices.Contains(classes, c)
}

// Parent returns the class c is a subclass of, or "" for a root class or a
// raw code.
func (c Class) Parent() Class { return parents[c] }

// Is reports whether c is target or one of its subclasses:
// BusyLoadingError.Is(ConnectionError) is true. A raw code is only itself.
func (c Class) Is(target Class) bool {
	if c == "" {
		return false
	}
	// The hierarchy is three levels deep; the bound only guards the loop.
	for range len(classes) {
		if c == target {
			return true
		}
		if c = parents[c]; c == "" {
			return false
		}
	}
	return false
}

// Match reports whether err belongs to c: for a named class, whether the
// class of err (see Classify) is c or a subclass of it; for a raw code,
// whether err is a server error reply with that code (see Code).
func (c Class) Match(err error) bool {
	if c.IsCode() {
		return Code(err) == string(c)
	}
	return Classify(err).Is(c)
}

// String returns the class name or code.
func (c Class) String() string { return string(c) }

// redisCoder is implemented by server error replies; the code is the first
// word of the reply ("ERR", "WRONGTYPE", "LOADING").
type redisCoder interface {
	error
	RedisCode() string
}

type timeouter interface{ Timeout() bool }

type connectionFailer interface {
	error
	ConnectionFailure() bool
}

type requestSenter interface {
	error
	RequestSent() bool
}

// Classify returns the class of err, or "" when err is nil or of no
// retryable kind. It inspects the chain of err with errors.As, in order:
//
//  1. A server error reply (an error with a RedisCode() string method) is
//     classified by its code and message: LOADING is BusyLoadingError,
//     WRONGPASS, NOAUTH and the "invalid password" messages are
//     AuthenticationError, "ERR max number of clients reached" is
//     ConnectionError, an unlisted code is ResponseError, and so on.
//  2. context.Canceled anywhere in the chain: no class (the user gave up).
//  3. A timeout (os.ErrDeadlineExceeded, or an error whose Timeout method
//     returns true, other than context.DeadlineExceeded itself) is
//     TimeoutError.
//  4. context.DeadlineExceeded: no class.
//  5. A connection failure (an error whose ConnectionFailure method returns
//     true, io.EOF, io.ErrUnexpectedEOF, *net.OpError, net.ErrClosed,
//     ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE or a TLS failure) is
//     ConnectionError.
//
// Everything else has no class.
func Classify(err error) Class {
	if err == nil {
		return ""
	}
	if rc, ok := errors.AsType[redisCoder](err); ok {
		return classifyReply(rc.RedisCode(), rc.Error())
	}
	if errors.Is(err, context.Canceled) {
		return ""
	}
	if isTimeout(err) {
		return TimeoutError
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ""
	}
	if isConnectionFailure(err) {
		return ConnectionError
	}
	return ""
}

// authMessages are the auth failures that carry no WRONGPASS or NOAUTH
// code (older servers reply "-ERR invalid password"). The last two are
// the replies to AUTH on a server without a password, which redis-py also
// classifies as authentication errors.
var authMessages = []string{
	"invalid password",
	"invalid username-password pair",
	"client sent auth, but no password is set",
	"called without any password configured for the default user",
}

func classifyReply(code, msg string) Class {
	if c, ok := replyClasses[code]; ok {
		return c
	}
	lower := strings.ToLower(msg)
	for _, m := range authMessages {
		if strings.Contains(lower, m) {
			return AuthenticationError
		}
	}
	if strings.HasPrefix(msg, "ERR max number of clients reached") {
		return ConnectionError
	}
	return ResponseError
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	// Walk the chain by hand: context.DeadlineExceeded has a Timeout method
	// too, but only a deadline the operation set for itself is a timeout;
	// the caller's context running out is not.
	var found bool
	walk(err, func(e error) bool {
		if e == context.DeadlineExceeded { // the sentinel itself, not a wrapper
			return false
		}
		if t, ok := e.(timeouter); ok && t.Timeout() {
			found = true
			return true
		}
		return false
	})
	return found
}

func isConnectionFailure(err error) bool {
	if cf, ok := errors.AsType[connectionFailer](err); ok && cf.ConnectionFailure() {
		return true
	}
	for _, target := range []error{
		io.EOF, io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.AlertError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	return false
}

// walk calls f on err and on every error in its chain, depth first, until
// f returns true. Chains are finite trees, so the walk ends.
func walk(err error, f func(error) bool) bool {
	if err == nil {
		return false
	}
	if f(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walk(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if walk(e, f) {
				return true
			}
		}
	}
	return false
}

// Code returns the Redis error code of err ("LOADING", "WRONGTYPE") when
// its chain holds a server error reply, and "" otherwise.
func Code(err error) string {
	if rc, ok := errors.AsType[redisCoder](err); ok {
		return rc.RedisCode()
	}
	return ""
}

// RequestSent reports whether the request bytes had been written when err
// happened, so the command may already have run on the server. It is true
// when the chain holds an error whose RequestSent method returns true.
func RequestSent(err error) bool {
	rs, ok := errors.AsType[requestSenter](err)
	return ok && rs.RequestSent()
}
