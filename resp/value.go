// Package resp reads and writes RESP2 and RESP3, the protocol of Redis:
// typed replies (Value), a Reader that bounds what a reply may cost
// (limits on lengths, nesting and memory), the encoding of commands and
// replies, and the two errors of the protocol: an error reply sent by the
// server (RedisError) and a violation of the protocol (ProtocolError).
//
// Replies keep the distinctions a shell has to print: a status reply is not
// a bulk string, a set is not an array, and map entries stay in the order
// the server sent them.
//
// The package imports nothing else of redish.
package resp

import (
	"strconv"
)

// Kind is the type of a reply as it came off the wire.
type Kind uint8

// Reply kinds. The comment after each shows its wire shape.
const (
	KindStatus    Kind = iota + 1 // +OK\r\n
	KindError                     // -ERR message\r\n or !<len>\r\n<bytes>\r\n (blob error)
	KindInt                       // :42\r\n
	KindBulk                      // $3\r\nfoo\r\n (also streamed $?\r\n;3\r\nfoo\r\n;0\r\n)
	KindNil                       // $-1\r\n, *-1\r\n or _\r\n
	KindArray                     // *2\r\n...
	KindMap                       // %1\r\n<key><value>
	KindSet                       // ~2\r\n...
	KindDouble                    // ,1.5\r\n
	KindBool                      // #t\r\n
	KindVerbatim                  // =7\r\ntxt:abc\r\n
	KindBigNumber                 // (12345678901234567890\r\n
	KindPush                      // >3\r\n...
)

var kindNames = [...]string{
	KindStatus:    "status",
	KindError:     "error",
	KindInt:       "integer",
	KindBulk:      "bulk",
	KindNil:       "nil",
	KindArray:     "array",
	KindMap:       "map",
	KindSet:       "set",
	KindDouble:    "double",
	KindBool:      "boolean",
	KindVerbatim:  "verbatim",
	KindBigNumber: "big number",
	KindPush:      "push",
}

// String returns the kind's name as used in messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// IsAggregate reports whether values of this kind hold elements.
func (k Kind) IsAggregate() bool {
	return k == KindArray || k == KindMap || k == KindSet || k == KindPush
}

// Value is one reply. Which fields are meaningful depends on Kind:
//
//   - Status, Error, Bulk, BigNumber, Double: Str holds the bytes as sent
//     (for Double the server's own text, so "inf" and "1.5" print as sent).
//   - Verbatim: Str holds the text without its three-letter format and
//     colon; Format holds the format ("txt", "mkd").
//   - Int: Int. Bool: Bool.
//   - Array, Set, Push: Elems. Map: Elems holds keys and values
//     interleaved (k0, v0, k1, v1, ...), in the server's order.
//
// Attrs, when not nil, is the RESP3 attribute map (KindMap) that preceded
// this reply on the wire.
type Value struct {
	Kind   Kind
	Str    []byte
	Int    int64
	Bool   bool
	Format string
	Elems  []Value
	Attrs  *Value
}

// Len returns the number of entries of an aggregate: elements for arrays,
// sets and pushes, key/value pairs for maps, 0 otherwise.
func (v Value) Len() int {
	if v.Kind == KindMap {
		return len(v.Elems) / 2
	}
	return len(v.Elems)
}

// Pairs returns the key/value pairs of a map, or of an array of
// alternating keys and values (how RESP2 sends a map: HGETALL, CONFIG GET,
// COMMAND DOCS). It returns nil for other kinds; an odd last element is
// left out.
func (v Value) Pairs() [][2]Value {
	if v.Kind != KindMap && v.Kind != KindArray {
		return nil
	}
	out := make([][2]Value, 0, len(v.Elems)/2)
	for i := 0; i+1 < len(v.Elems); i += 2 {
		out = append(out, [2]Value{v.Elems[i], v.Elems[i+1]})
	}
	return out
}

// Text returns Str as a string.
func (v Value) Text() string { return string(v.Str) }

// IsError reports whether the reply is an error reply.
func (v Value) IsError() bool { return v.Kind == KindError }

// Err returns the reply as a *RedisError if it is an error reply, else nil.
func (v Value) Err() error {
	if v.Kind != KindError {
		return nil
	}
	return &RedisError{Msg: string(v.Str)}
}

// Double returns the value of a double reply.
func (v Value) Double() (float64, error) {
	return strconv.ParseFloat(string(v.Str), 64)
}

// Convenience constructors, used by tests and by merged cluster replies.

// Status returns a status reply.
func Status(s string) Value { return Value{Kind: KindStatus, Str: []byte(s)} }

// Bulk returns a bulk string reply.
func Bulk(b []byte) Value { return Value{Kind: KindBulk, Str: b} }

// BulkString returns a bulk string reply holding s.
func BulkString(s string) Value { return Value{Kind: KindBulk, Str: []byte(s)} }

// Int returns an integer reply.
func Int(n int64) Value { return Value{Kind: KindInt, Int: n} }

// Nil returns a nil reply.
func Nil() Value { return Value{Kind: KindNil} }

// Array returns an array reply.
func Array(elems ...Value) Value { return Value{Kind: KindArray, Elems: elems} }

// ErrorReply returns an error reply with the given message ("ERR ...").
func ErrorReply(msg string) Value { return Value{Kind: KindError, Str: []byte(msg)} }
