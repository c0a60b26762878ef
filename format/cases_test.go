package format

import (
	"bufio"
	"bytes"
	"strconv"

	"github.com/redish/redish/resp"
)

// Helpers that build reply literals for the tables below.

func bulk(s string) resp.Value   { return resp.BulkString(s) }
func status(s string) resp.Value { return resp.Status(s) }
func integer(n int64) resp.Value { return resp.Int(n) }
func errReply(s string) resp.Value {
	return resp.ErrorReply(s)
}
func nilValue() resp.Value             { return resp.Nil() }
func array(e ...resp.Value) resp.Value { return resp.Array(e...) }
func set(e ...resp.Value) resp.Value {
	return resp.Value{Kind: resp.KindSet, Elems: e}
}
func push(e ...resp.Value) resp.Value {
	return resp.Value{Kind: resp.KindPush, Elems: e}
}
func hash(kv ...resp.Value) resp.Value {
	return resp.Value{Kind: resp.KindMap, Elems: kv}
}
func double(s string) resp.Value {
	return resp.Value{Kind: resp.KindDouble, Str: []byte(s)}
}
func boolean(b bool) resp.Value { return resp.Value{Kind: resp.KindBool, Bool: b} }
func verbatim(format, s string) resp.Value {
	return resp.Value{Kind: resp.KindVerbatim, Format: format, Str: []byte(s)}
}
func bigNumber(s string) resp.Value {
	return resp.Value{Kind: resp.KindBigNumber, Str: []byte(s)}
}
func withAttrs(v, attrs resp.Value) resp.Value {
	v.Attrs = &attrs
	return v
}

// intRange returns an array of the integers 1..n.
func intRange(n int) resp.Value {
	e := make([]resp.Value, n)
	for i := range e {
		e[i] = integer(int64(i + 1))
	}
	return array(e...)
}

// bulkRange returns an array of n bulk strings "member:1" ... .
func bulkRange(n int) resp.Value {
	e := make([]resp.Value, n)
	for i := range e {
		e[i] = bulk("member:" + strconv.Itoa(i+1))
	}
	return array(e...)
}

// allBytes holds every byte value once, in order.
var allBytes = func() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()

// formatCase is one reply of the golden corpus.
type formatCase struct {
	name string
	v    resp.Value
	// push formats v with AppendPush, as an out-of-band push message.
	push bool
	// verbatim formats v as the reply of INFO and the like.
	verbatim bool
}

// formatCases covers every reply shape and every escape class.
var formatCases = []formatCase{
	{name: "status", v: status("OK")},
	{name: "status-with-quotes", v: status(`a "b" \c`)},
	{name: "status-with-nul", v: status("before\x00after")},
	{name: "error", v: errReply("ERR unknown command 'FOO', with args beginning with: ")},
	{name: "error-wrongtype", v: errReply("WRONGTYPE Operation against a key holding the wrong kind of value")},
	{name: "error-with-quotes", v: errReply(`ERR bad "thing" \ here`)},
	{name: "integer", v: integer(42)},
	{name: "integer-negative", v: integer(-9223372036854775808)},
	{name: "bulk", v: bulk("bar")},
	{name: "bulk-empty", v: bulk("")},
	{name: "bulk-quotes-backslashes", v: bulk(`say "hi" \ C:\path\`)},
	{name: "bulk-control", v: bulk("a\nb\rc\td\ae\bf\fg\vh\x00i\x1bj\x7f")},
	{name: "bulk-utf8", v: bulk("héllo wörld ✓ 日本 🎉")},
	{name: "bulk-invalid-utf8", v: bulk("ok\xff\xfe\xc3(\xe2\x82 end\xc3")},
	{name: "bulk-all-bytes", v: bulk(allBytes)},
	{name: "bulk-looks-like-status", v: bulk("OK")},
	{name: "bulk-number", v: bulk("123")},
	{name: "nil", v: nilValue()},
	{name: "empty-array", v: array()},
	{name: "empty-map", v: hash()},
	{name: "empty-set", v: set()},
	{name: "empty-push", v: push()},
	{name: "array", v: array(bulk("a"), bulk("b"), bulk("c"))},
	{name: "array-mixed", v: array(status("OK"), integer(1), bulk("x\ny"), nilValue(), errReply("ERR inner"), boolean(true), double("1.5"))},
	{name: "array-nested", v: array(integer(1), array(integer(2), array(integer(3), bulk("x")), array()), bulk("a"))},
	{name: "array-of-arrays", v: array(array(bulk("k1"), bulk("v1")), array(bulk("k2"), bulk("v2")), array())},
	{name: "array-10", v: intRange(10)},
	{name: "array-11-nested", v: func() resp.Value {
		v := intRange(11)
		v.Elems[9] = array(bulk("a"), array(bulk("b"), bulk("c")))
		return v
	}()},
	{name: "array-100", v: bulkRange(100)},
	{name: "array-101-nested", v: func() resp.Value {
		v := bulkRange(101)
		v.Elems[0] = array(bulk("first"), intRange(12))
		v.Elems[99] = array(bulk("hundredth"), array(bulk("deep")))
		return v
	}()},
	{name: "map", v: hash(bulk("f1"), bulk("v1"), bulk("f2"), bulk("v2"))},
	{name: "map-int-keys", v: hash(integer(0), boolean(false), integer(1), boolean(true), integer(2), boolean(false))},
	{name: "map-odd-keys", v: hash(double("1.5"), bulk("d"), double("inf"), bulk("i"), boolean(true), bulk("b"), nilValue(), bulk("n"), bigNumber("12345678901234567890"), bulk("big"))},
	{name: "map-aggregate-keys", v: hash(array(bulk("a"), bulk("b")), integer(1), errReply("ERR k"), integer(2))},
	{name: "map-of-arrays", v: hash(bulk("list"), array(bulk("a"), bulk("b")), bulk("empty"), array(), bulk("scalar"), integer(7))},
	{name: "map-of-maps", v: hash(bulk("get"), hash(bulk("summary"), bulk("Get the value of a key"), bulk("arguments"), array(hash(bulk("name"), bulk("key"), bulk("type"), bulk("key")))))},
	{name: "map-12", v: func() resp.Value {
		var kv []resp.Value
		for i := 1; i <= 12; i++ {
			kv = append(kv, bulk("field:"+strconv.Itoa(i)), intRange(i%3))
		}
		return hash(kv...)
	}()},
	{name: "map-odd-length", v: hash(bulk("k1"), bulk("v1"), bulk("dangling"))},
	{name: "array-of-maps", v: array(hash(bulk("name"), bulk("key")), hash(), hash(bulk("a"), integer(1), bulk("b"), integer(2)))},
	{name: "set", v: set(integer(0), integer(1), integer(2))},
	{name: "set-of-arrays", v: set(array(bulk("x"), bulk("y")), bulk("z"))},
	{name: "double", v: double("3.141")},
	{name: "double-exponent", v: double("1.5e+300")},
	{name: "double-inf", v: double("inf")},
	{name: "double-neg-inf", v: double("-inf")},
	{name: "double-nan", v: double("nan")},
	{name: "true", v: boolean(true)},
	{name: "false", v: boolean(false)},
	{name: "verbatim", v: verbatim("txt", "This is a verbatim\nstring")},
	{name: "verbatim-markdown", v: verbatim("mkd", "# Title\n\"quoted\" \\ text")},
	{name: "big-number", v: bigNumber("1234567999999999999999999999999999999")},
	{name: "big-number-negative", v: bigNumber("-1234567999999999999999999999999999999")},
	{name: "big-number-plus", v: bigNumber("+12345678901234567890")},
	{name: "push", v: push(bulk("server-cpu-usage"), integer(42))},
	{name: "push-message", v: push(bulk("message"), bulk("chan"), bulk("hello \"world\""))},
	{name: "attribute", v: withAttrs(status("Some real reply following the attribute"), hash(bulk("key-popularity"), array(bulk("key:123"), integer(90))))},
	{name: "attribute-on-array", v: withAttrs(array(bulk("a"), bulk("b")), hash(bulk("ttl"), integer(3600)))},
	{name: "attribute-nested", v: array(bulk("a"), withAttrs(bulk("b"), hash(bulk("popularity"), double("0.5"))), hash(bulk("k"), withAttrs(array(integer(1), integer(2)), hash(bulk("m"), bulk("n")))))},
	{name: "attribute-empty", v: withAttrs(integer(1), hash())},
	{name: "exec-with-error", v: array(status("OK"), errReply("ERR value is not an integer or out of range"), integer(3))},
	{name: "unknown-kind", v: resp.Value{}},
	{name: "oob-push-invalidate", push: true, v: push(bulk("invalidate"), array(bulk("foo"), bulk("b\"ar\x00baz")))},
	{name: "oob-push-invalidate-one", push: true, v: push(bulk("invalidate"), array(bulk("foo")))},
	{name: "oob-push-invalidate-all", push: true, v: push(bulk("invalidate"), nilValue())},
	{name: "oob-push-other", push: true, v: push(bulk("server-cpu-usage"), integer(42))},
	{name: "verbatim-command-info", verbatim: true, v: bulk("# Keyspace\r\ndb0:keys=4,expires=0,avg_ttl=0\r\n")},
	{name: "verbatim-command-array", verbatim: true, v: array(bulk("a"), array(bulk("b"), integer(1)))},
	{name: "verbatim-command-error", verbatim: true, v: errReply("ERR syntax error")},
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
