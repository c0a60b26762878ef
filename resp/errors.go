package resp

import "strings"

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
