package resp

import (
	"bufio"
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestAppendCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", nil, "*0\r\n"},
		{"one", []string{"PING"}, "*1\r\n$4\r\nPING\r\n"},
		{"several", []string{"SET", "k", "v"}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"},
		{"empty argument", []string{"ECHO", ""}, "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"},
		{"binary argument", []string{"ECHO", "\x00\r\n\xff"}, "*2\r\n$4\r\nECHO\r\n$4\r\n\x00\r\n\xff\r\n"},
		{"long argument", []string{strings.Repeat("a", 10)}, "*1\r\n$10\r\naaaaaaaaaa\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([][]byte, len(tt.args))
			for i, a := range tt.args {
				args[i] = []byte(a)
			}
			prefix := []byte("prefix")
			if got := AppendCommand(prefix, args); string(got) != "prefix"+tt.want {
				t.Errorf("AppendCommand(%q) = %q, want %q", tt.args, got, "prefix"+tt.want)
			}
			if got := AppendCommandStrings(nil, tt.args...); string(got) != tt.want {
				t.Errorf("AppendCommandStrings(%q) = %q, want %q", tt.args, got, tt.want)
			}
			// A command is an array of bulk strings to the Reader too.
			v, err := NewReader(bufio.NewReader(strings.NewReader(tt.want))).ReadValue()
			if err != nil {
				t.Fatal(err)
			}
			want := Array()
			for _, a := range tt.args {
				want.Elems = append(want.Elems, BulkString(a))
			}
			if !equalValue(v, want) {
				t.Errorf("read back %s, want %s", show(v), show(want))
			}
		})
	}
}

func TestAppendValue(t *testing.T) {
	double := func(s string) Value { return Value{Kind: KindDouble, Str: []byte(s)} }
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"status", Status("OK"), "+OK\r\n"},
		{"error", ErrorReply("ERR no"), "-ERR no\r\n"},
		{"error with CRLF is a blob error", ErrorReply("ERR a\r\nb"), "!8\r\nERR a\r\nb\r\n"},
		{"error with LF is a blob error", ErrorReply("a\nb"), "!3\r\na\nb\r\n"},
		{"integer", Int(-42), ":-42\r\n"},
		{"integer min", Int(math.MinInt64), ":-9223372036854775808\r\n"},
		{"integer max", Int(math.MaxInt64), ":9223372036854775807\r\n"},
		{"bulk", BulkString("foo"), "$3\r\nfoo\r\n"},
		{"bulk empty", BulkString(""), "$0\r\n\r\n"},
		{"bulk nil bytes", Bulk(nil), "$0\r\n\r\n"},
		{"bulk binary", Bulk([]byte("\x00\r\n")), "$3\r\n\x00\r\n\r\n"},
		{"nil", Nil(), "_\r\n"},
		{"double", double("1.5"), ",1.5\r\n"},
		{"double inf", double("-inf"), ",-inf\r\n"},
		{"true", Value{Kind: KindBool, Bool: true}, "#t\r\n"},
		{"false", Value{Kind: KindBool}, "#f\r\n"},
		{"verbatim", Value{Kind: KindVerbatim, Format: "mkd", Str: []byte("# hi")}, "=8\r\nmkd:# hi\r\n"},
		{"verbatim without format", Value{Kind: KindVerbatim, Str: []byte("hi")}, "=6\r\ntxt:hi\r\n"},
		{"big number", Value{Kind: KindBigNumber, Str: []byte("-123456789012345678901")}, "(-123456789012345678901\r\n"},
		{"array empty", Array(), "*0\r\n"},
		{"array", Array(Int(1), BulkString("a")), "*2\r\n:1\r\n$1\r\na\r\n"},
		{"map", kv(KindMap, Status("b"), Int(1), Status("a"), Int(2)), "%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n"},
		{"set", kv(KindSet, Int(1)), "~1\r\n:1\r\n"},
		{"push", kv(KindPush, BulkString("message")), ">1\r\n$7\r\nmessage\r\n"},
		{"nested", Array(Array(Nil()), kv(KindMap)), "*2\r\n*1\r\n_\r\n%0\r\n"},
		{"attribute", withAttrs(Int(1), Status("ttl"), Int(3600)), "|1\r\n+ttl\r\n:3600\r\n:1\r\n"},
		{"attribute on an element", Array(withAttrs(Nil(), Status("a"), Status("b"))), "*1\r\n|1\r\n+a\r\n+b\r\n_\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendValue([]byte("x"), tt.v)
			if string(got) != "x"+tt.want {
				t.Fatalf("AppendValue(%s) = %q, want %q", show(tt.v), got, "x"+tt.want)
			}
			back, err := NewReader(bufio.NewReader(bytes.NewReader(got[1:]))).ReadValue()
			if err != nil {
				t.Fatalf("reading %q back: %v", got[1:], err)
			}
			want := tt.v
			if want.Kind == KindVerbatim && want.Format == "" {
				want.Format = "txt"
			}
			if !equalValue(back, want) {
				t.Errorf("read back %s, want %s", show(back), show(want))
			}
		})
	}
}

// TestRoundTrip reads every valid reply, writes it with AppendValue and
// reads it again: the value must survive, whatever wire form it came in.
func TestRoundTrip(t *testing.T) {
	for _, tt := range validReplies {
		t.Run(tt.name, func(t *testing.T) {
			v, err := readOne(tt.in, 4096)
			if err != nil {
				t.Fatal(err)
			}
			wire := AppendValue(nil, v)
			back, err := readOne(string(wire), 4096)
			if err != nil {
				t.Fatalf("reading %q back: %v", wire, err)
			}
			if !equalValue(back, v) {
				t.Errorf("round trip through %q\n got %s\nwant %s", wire, show(back), show(v))
			}
		})
	}
}

func BenchmarkAppendCommand(b *testing.B) {
	args := [][]byte{[]byte("SET"), []byte("key:000001"), bytes.Repeat([]byte("v"), 64)}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCommand(buf[:0], args)
	}
}

func BenchmarkReadValue(b *testing.B) {
	var in []byte
	for _, tt := range validReplies {
		in = append(in, tt.in...)
	}
	rd := bytes.NewReader(in)
	br := bufio.NewReader(rd)
	r := NewReader(br)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(in)
		br.Reset(rd)
		for range validReplies {
			if _, err := r.ReadValue(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
