package resp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// readerCase is one valid reply on the wire and the value it reads as.
type readerCase struct {
	name string
	in   string
	want Value
}

func kv(kind Kind, elems ...Value) Value { return Value{Kind: kind, Elems: elems} }

func withAttrs(v Value, attrs ...Value) Value {
	a := kv(KindMap, attrs...)
	v.Attrs = &a
	return v
}

// validReplies holds one or more replies of every RESP2 and RESP3 type.
// The fuzz seed corpus under testdata is made of the same shapes.
var validReplies = []readerCase{
	{"status", "+OK\r\n", Status("OK")},
	{"status empty", "+\r\n", Status("")},
	{"status with lone CR", "+a\rb\r\n", Status("a\rb")},
	{"error", "-ERR unknown command 'foo'\r\n", ErrorReply("ERR unknown command 'foo'")},
	{"error empty", "-\r\n", ErrorReply("")},
	{"integer zero", ":0\r\n", Int(0)},
	{"integer", ":42\r\n", Int(42)},
	{"integer negative", ":-1\r\n", Int(-1)},
	{"integer leading zeros", ":007\r\n", Int(7)},
	{"integer max int64", ":9223372036854775807\r\n", Int(9223372036854775807)},
	{"integer min int64", ":-9223372036854775808\r\n", Int(-9223372036854775808)},
	{"bulk", "$3\r\nfoo\r\n", BulkString("foo")},
	{"bulk empty", "$0\r\n\r\n", BulkString("")},
	{"bulk binary", "$6\r\n\x00\r\n\xff\n\r\r\n", Bulk([]byte("\x00\r\n\xff\n\r"))},
	{"bulk large", "$5000\r\n" + strings.Repeat("x", 5000) + "\r\n", BulkString(strings.Repeat("x", 5000))},
	{"nil bulk", "$-1\r\n", Nil()},
	{"nil array", "*-1\r\n", Nil()},
	{"null", "_\r\n", Nil()},
	{"array empty", "*0\r\n", Array()},
	{"array", "*3\r\n$1\r\na\r\n:1\r\n_\r\n", Array(BulkString("a"), Int(1), Nil())},
	{"map", "%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n", kv(KindMap, Status("b"), Int(1), Status("a"), Int(2))},
	{"map empty", "%0\r\n", kv(KindMap)},
	{"set", "~2\r\n+x\r\n:1\r\n", kv(KindSet, Status("x"), Int(1))},
	{"set empty", "~0\r\n", kv(KindSet)},
	{"double", ",1.5\r\n", Value{Kind: KindDouble, Str: []byte("1.5")}},
	{"double integral", ",10\r\n", Value{Kind: KindDouble, Str: []byte("10")}},
	{"double negative zero", ",-0\r\n", Value{Kind: KindDouble, Str: []byte("-0")}},
	{"double exponent", ",1.5e-3\r\n", Value{Kind: KindDouble, Str: []byte("1.5e-3")}},
	{"double exponent upper", ",-2E+10\r\n", Value{Kind: KindDouble, Str: []byte("-2E+10")}},
	{"double out of range", ",1e999\r\n", Value{Kind: KindDouble, Str: []byte("1e999")}},
	{"double inf", ",inf\r\n", Value{Kind: KindDouble, Str: []byte("inf")}},
	{"double minus inf", ",-inf\r\n", Value{Kind: KindDouble, Str: []byte("-inf")}},
	{"double nan", ",nan\r\n", Value{Kind: KindDouble, Str: []byte("nan")}},
	{"boolean true", "#t\r\n", Value{Kind: KindBool, Bool: true}},
	{"boolean false", "#f\r\n", Value{Kind: KindBool}},
	{"verbatim", "=15\r\ntxt:Some string\r\n", Value{Kind: KindVerbatim, Format: "txt", Str: []byte("Some string")}},
	{"verbatim markdown with CRLF", "=9\r\nmkd:# a\r\n\r\n", Value{Kind: KindVerbatim, Format: "mkd", Str: []byte("# a\r\n")}},
	{"verbatim empty", "=4\r\ntxt:\r\n", Value{Kind: KindVerbatim, Format: "txt", Str: []byte{}}},
	{"big number", "(3492890328409238509324850943850943825024385\r\n", Value{Kind: KindBigNumber, Str: []byte("3492890328409238509324850943850943825024385")}},
	{"big number negative", "(-12345678901234567890\r\n", Value{Kind: KindBigNumber, Str: []byte("-12345678901234567890")}},
	{"blob error", "!21\r\nSYNTAX invalid syntax\r\n", ErrorReply("SYNTAX invalid syntax")},
	{"blob error with CRLF", "!11\r\nERR a\r\nb\r\nc\r\n", ErrorReply("ERR a\r\nb\r\nc")},
	{"push", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", kv(KindPush, BulkString("message"), BulkString("ch"), BulkString("hi"))},
	{
		"attribute before a reply",
		"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
		withAttrs(Array(Int(2039123), Int(9543892)),
			Status("key-popularity"),
			kv(KindMap, BulkString("a"), Value{Kind: KindDouble, Str: []byte("0.1923")}, BulkString("b"), Value{Kind: KindDouble, Str: []byte("0.0012")})),
	},
	{
		"attribute before an element",
		"*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n:3\r\n",
		Array(Int(1), withAttrs(Int(2), Status("ttl"), Int(3600)), Int(3)),
	},
	{"attribute empty", "|0\r\n+OK\r\n", withAttrs(Status("OK"))},
	{"attributes in a row", "|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n+OK\r\n", withAttrs(Status("OK"), Status("a"), Int(1), Status("b"), Int(2))},
	{"streamed string", "$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", BulkString("Hello word")},
	{"streamed string binary", "$?\r\n;2\r\n\r\n\r\n;0\r\n", BulkString("\r\n")},
	{"streamed string empty", "$?\r\n;0\r\n", BulkString("")},
	{"streamed array", "*?\r\n:1\r\n:2\r\n.\r\n", Array(Int(1), Int(2))},
	{"streamed array empty", "*?\r\n.\r\n", Array()},
	{"streamed map", "%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n", kv(KindMap, Status("a"), Int(1), Status("b"), Int(2))},
	{"streamed set", "~?\r\n+a\r\n.\r\n", kv(KindSet, Status("a"))},
	{"streamed nested", "*?\r\n*?\r\n.\r\n$?\r\n;1\r\n.\r\n;0\r\n.\r\n", Array(Array(), BulkString("."))},
	{
		"nested aggregates",
		"*3\r\n*2\r\n%1\r\n+k\r\n~1\r\n:1\r\n_\r\n>1\r\n*0\r\n%1\r\n*1\r\n:1\r\n#t\r\n",
		Array(
			Array(kv(KindMap, Status("k"), kv(KindSet, Int(1))), Nil()),
			kv(KindPush, Array()),
			kv(KindMap, Array(Int(1)), Value{Kind: KindBool, Bool: true}),
		),
	},
}

// equalValue reports whether a and b are the same reply. Nil and empty
// byte slices and element lists are equal: the wire cannot tell them apart.
func equalValue(a, b Value) bool {
	if a.Kind != b.Kind || !bytes.Equal(a.Str, b.Str) || a.Int != b.Int ||
		a.Bool != b.Bool || a.Format != b.Format || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !equalValue(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	if (a.Attrs == nil) != (b.Attrs == nil) {
		return false
	}
	return a.Attrs == nil || equalValue(*a.Attrs, *b.Attrs)
}

// show formats v for failure messages.
func show(v Value) string {
	var b strings.Builder
	if v.Attrs != nil {
		b.WriteString("|" + show(*v.Attrs) + "| ")
	}
	b.WriteString(v.Kind.String())
	switch {
	case v.Kind == KindInt:
		fmt.Fprintf(&b, " %d", v.Int)
	case v.Kind == KindBool:
		fmt.Fprintf(&b, " %t", v.Bool)
	case v.Kind.IsAggregate():
		b.WriteString(" [")
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(show(e))
		}
		b.WriteString("]")
	case v.Kind != KindNil:
		if v.Format != "" {
			b.WriteString(" " + v.Format + ":")
		}
		fmt.Fprintf(&b, " %q", v.Str)
	}
	return b.String()
}

func readOne(in string, size int) (Value, error) {
	return NewReader(bufio.NewReaderSize(strings.NewReader(in), size)).ReadValue()
}

func TestReaderValid(t *testing.T) {
	for _, tt := range validReplies {
		t.Run(tt.name, func(t *testing.T) {
			// 16 bytes is bufio's smallest buffer: lines longer than it
			// take the slow path.
			for _, size := range []int{4096, 16} {
				got, err := readOne(tt.in, size)
				if err != nil {
					t.Fatalf("buffer %d: ReadValue(%q): %v", size, tt.in, err)
				}
				if !equalValue(got, tt.want) {
					t.Errorf("buffer %d: ReadValue(%q)\n got %s\nwant %s", size, tt.in, show(got), show(tt.want))
				}
			}
		})
	}
}

func TestReaderOneByteAtATime(t *testing.T) {
	for _, tt := range validReplies {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tt.in)), 16))
			got, err := r.ReadValue()
			if err != nil || !equalValue(got, tt.want) {
				t.Fatalf("ReadValue(%q) = %s, %v; want %s", tt.in, show(got), err, show(tt.want))
			}
			if _, err := r.ReadValue(); err != io.EOF {
				t.Errorf("after the reply: %v, want io.EOF", err)
			}
		})
	}
}

func TestReaderSequence(t *testing.T) {
	var in strings.Builder
	for _, tt := range validReplies {
		in.WriteString(tt.in)
	}
	r := NewReader(bufio.NewReader(strings.NewReader(in.String())))
	for i, tt := range validReplies {
		got, err := r.ReadValue()
		if err != nil {
			t.Fatalf("reply %d (%s): %v", i, tt.name, err)
		}
		if !equalValue(got, tt.want) {
			t.Fatalf("reply %d (%s)\n got %s\nwant %s", i, tt.name, show(got), show(tt.want))
		}
	}
	if _, err := r.ReadValue(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	if n := r.Buffered(); n != 0 {
		t.Errorf("Buffered() = %d at the end, want 0", n)
	}
}

func TestReaderBuffered(t *testing.T) {
	r := NewReader(bufio.NewReader(strings.NewReader("+OK\r\n:1\r\n")))
	if _, err := r.ReadValue(); err != nil {
		t.Fatal(err)
	}
	if n := r.Buffered(); n != 4 {
		t.Errorf("Buffered() = %d, want 4", n)
	}
}

// TestReaderTruncated cuts every valid reply at every byte offset: the
// Reader must report the short input, never return a value or panic.
func TestReaderTruncated(t *testing.T) {
	for _, tt := range validReplies {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < len(tt.in); i++ {
				got, err := readOne(tt.in[:i], 16)
				var pe *ProtocolError
				switch {
				case i == 0 && err == io.EOF:
				case i > 0 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &pe)):
				default:
					t.Errorf("ReadValue(%q) = %s, %v; want io.ErrUnexpectedEOF or a ProtocolError", tt.in[:i], show(got), err)
				}
			}
		})
	}
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(bufio.NewReaderSize(io.MultiReader(strings.NewReader("*2\r\n:1\r\n"), iotest.ErrReader(boom)), 16))
	if _, err := r.ReadValue(); !errors.Is(err, boom) {
		t.Errorf("ReadValue = %v, want the reader's error", err)
	}
}

func TestReaderProtocolErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		maxBulk  int
		maxDepth int
		want     string // a part of the message
	}{
		{"unknown type byte", "?x\r\n", 0, 0, "unknown reply type byte '?'"},
		{"unknown type byte dot", ".\r\n", 0, 0, "unknown reply type byte '.'"},
		{"empty line", "\r\n", 0, 0, "empty line"},
		{"missing CR", "+OK\n", 0, 0, "not terminated by CRLF"},
		{"missing CR in long line", "+" + strings.Repeat("a", 40) + "\n", 0, 0, "not terminated by CRLF"},
		{"line longer than the cap", "+" + strings.Repeat("a", 200) + "\r\n", 100, 0, "line longer than 100 bytes"},
		{"line longer than the default cap", "-" + strings.Repeat("a", DefaultMaxLine+1) + "\r\n", 0, 0, "line longer than 1048576 bytes"},
		{"line without end", "+" + strings.Repeat("a", 2*DefaultMaxLine), 0, 0, "line longer than 1048576 bytes"},
		{"integer empty", ":\r\n", 0, 0, "invalid integer"},
		{"integer letters", ":abc\r\n", 0, 0, "invalid integer"},
		{"integer plus", ":+1\r\n", 0, 0, "invalid integer"},
		{"integer space", ": 1\r\n", 0, 0, "invalid integer"},
		{"integer minus only", ":-\r\n", 0, 0, "invalid integer"},
		{"integer fraction", ":1.5\r\n", 0, 0, "invalid integer"},
		{"integer overflow", ":9223372036854775808\r\n", 0, 0, "invalid integer"},
		{"integer underflow", ":-9223372036854775809\r\n", 0, 0, "invalid integer"},
		{"integer long plus", ":+9223372036854775807\r\n", 0, 0, "invalid integer"},
		{"integer too long", ":000000000000000000001\r\n", 0, 0, "invalid integer"},
		{"null with payload", "_x\r\n", 0, 0, "invalid null"},
		{"double empty", ",\r\n", 0, 0, "invalid double"},
		{"double letters", ",abc\r\n", 0, 0, "invalid double"},
		{"double two points", ",1.5.5\r\n", 0, 0, "invalid double"},
		{"boolean empty", "#\r\n", 0, 0, "invalid boolean"},
		{"boolean other", "#x\r\n", 0, 0, "invalid boolean"},
		{"boolean long", "#tt\r\n", 0, 0, "invalid boolean"},
		{"big number empty", "(\r\n", 0, 0, "invalid big number"},
		{"big number sign only", "(-\r\n", 0, 0, "invalid big number"},
		{"big number letters", "(12a\r\n", 0, 0, "invalid big number"},
		{"bulk length empty", "$\r\n", 0, 0, "invalid length"},
		{"bulk length letters", "$abc\r\n", 0, 0, "invalid length"},
		{"bulk length negative", "$-2\r\n", 0, 0, "invalid length"},
		{"bulk length overflow", "$99999999999999999999\r\n", 0, 0, "invalid length"},
		{"bulk not terminated", "$3\r\nfooX\r\n", 0, 0, "bulk not terminated by CRLF"},
		{"bulk shorter than its length", "$3\r\nfo\r\n\r\n", 0, 0, "bulk not terminated by CRLF"},
		{"bulk over the cap", "$9\r\n123456789\r\n", 8, 0, "exceeds the 8 byte limit"},
		{"bulk over the default cap", "$536870913\r\n", 0, 0, "exceeds the 536870912 byte limit"},
		{"blob error nil", "!-1\r\n", 0, 0, "invalid length -1"},
		{"verbatim nil", "=-1\r\n", 0, 0, "invalid length -1"},
		{"verbatim short", "=3\r\ntxt\r\n", 0, 0, "without a format prefix"},
		{"verbatim no colon", "=5\r\ntxt;x\r\n", 0, 0, "without a format prefix"},
		{"streamed verbatim", "=?\r\n", 0, 0, "invalid length"},
		{"streamed chunk header", "$?\r\n:1\r\n", 0, 0, "invalid streamed string chunk header"},
		{"streamed chunk empty header", "$?\r\n\r\n", 0, 0, "invalid streamed string chunk header"},
		{"streamed chunk length", "$?\r\n;x\r\n", 0, 0, "invalid streamed string chunk length"},
		{"streamed chunk negative", "$?\r\n;-1\r\n", 0, 0, "invalid streamed string chunk length"},
		{"streamed chunk not terminated", "$?\r\n;1\r\naa\r\n", 0, 0, "bulk not terminated by CRLF"},
		{"streamed string over the cap", "$?\r\n;5\r\n12345\r\n;5\r\n12345\r\n;0\r\n", 8, 0, "exceeds the 8 byte limit"},
		{"streamed chunk huge", "$?\r\n;1\r\na\r\n;9223372036854775807\r\n", 0, 0, "exceeds the 536870912 byte limit"},
		{"aggregate length letters", "*x\r\n", 0, 0, "invalid aggregate length"},
		{"aggregate length negative", "*-2\r\n", 0, 0, "invalid aggregate length"},
		{"aggregate length overflow", "*99999999999999999999\r\n", 0, 0, "invalid aggregate length"},
		{"aggregate over the limit", "*1073741825\r\n", 0, 0, "exceeds the limit"},
		{"map over the limit", "%1073741825\r\n", 0, 0, "exceeds the limit"},
		{"streamed aggregate bad end", "*?\r\n.x\r\n", 0, 0, "invalid end of streamed aggregate"},
		{"streamed map odd", "%?\r\n+a\r\n.\r\n", 0, 0, "odd number of elements"},
		{"bad element", "*2\r\n:1\r\n?\r\n", 0, 0, "unknown reply type byte"},
		{"bad attribute", "|1\r\n+a\r\n", 0, 0, "unexpected EOF"},
		{"nesting over MaxDepth", strings.Repeat("*1\r\n", 4) + ":1\r\n", 0, 3, "nested deeper than 3 levels"},
		{"nesting over the default depth", strings.Repeat("*1\r\n", 200) + ":1\r\n", 0, 0, "nested deeper than 128 levels"},
		{"streamed nesting over MaxDepth", strings.Repeat("*?\r\n", 4) + ":1\r\n", 0, 3, "nested deeper than 3 levels"},
		{"attribute nesting over MaxDepth", strings.Repeat("|1\r\n+a\r\n+b\r\n", 4) + ":1\r\n", 0, 3, "nested deeper than 3 levels"},
		{"attribute value nesting over MaxDepth", "|1\r\n+a\r\n" + strings.Repeat("*1\r\n", 3) + ":1\r\n:1\r\n", 0, 3, "nested deeper than 3 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bufio.NewReaderSize(strings.NewReader(tt.in), 16))
			r.MaxBulk, r.MaxLine, r.MaxDepth = tt.maxBulk, tt.maxBulk, tt.maxDepth
			got, err := r.ReadValue()
			if err == nil {
				t.Fatalf("ReadValue(%q) = %s, want an error", trunc([]byte(tt.in)), show(got))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadValue(%q) error %q does not contain %q", trunc([]byte(tt.in)), err, tt.want)
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("ReadValue(%q) error %v (%T) is neither a ProtocolError nor io.ErrUnexpectedEOF", tt.in, err, err)
			}
			if pe != nil && !pe.ConnectionFailure() {
				t.Errorf("ProtocolError.ConnectionFailure() = false")
			}
		})
	}
}

func TestReaderLimitsAtTheBoundary(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		maxBulk  int
		maxDepth int
	}{
		{"bulk at the cap", "$8\r\n12345678\r\n", 8, 0},
		{"streamed string at the cap", "$?\r\n;4\r\n1234\r\n;4\r\n5678\r\n;0\r\n", 8, 0},
		{"nesting at MaxDepth", strings.Repeat("*1\r\n", 3) + ":1\r\n", 0, 3},
		{"nesting at the default depth", strings.Repeat("*1\r\n", 128) + ":1\r\n", 0, 0},
		{"line at the cap", "+" + strings.Repeat("a", 100) + "\r\n", 100, 0},
		{"line at the default cap", "-" + strings.Repeat("a", DefaultMaxLine) + "\r\n", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bufio.NewReaderSize(strings.NewReader(tt.in), 16))
			r.MaxBulk, r.MaxLine, r.MaxDepth = tt.maxBulk, tt.maxBulk, tt.maxDepth
			if _, err := r.ReadValue(); err != nil {
				t.Errorf("ReadValue(%q): %v", trunc([]byte(tt.in)), err)
			}
		})
	}
}

// TestReaderHostileLength checks that a huge declared length does not
// allocate ahead of the bytes that really arrive.
func TestReaderHostileLength(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"bulk", "$" + strconv.Itoa(DefaultMaxBulk) + "\r\nshort"},
		{"streamed chunk", "$?\r\n;" + strconv.Itoa(DefaultMaxBulk) + "\r\nshort"},
		{"array", "*" + strconv.Itoa(DefaultMaxElems) + "\r\n:1\r\n"},
		{"map", "%" + strconv.Itoa(DefaultMaxElems) + "\r\n:1\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := readOne(tt.in, 4096)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("ReadValue: %v, want io.ErrUnexpectedEOF", err)
			}
			// The limits are hundreds of MiB; what a truncated reply may
			// cost is the first chunk.
			if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
				t.Errorf("%d bytes allocated for a truncated reply of %d bytes", n, len(tt.in))
			}
		})
	}
}
