package format

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redish/redish/resp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenModes are the option sets with a golden file each.
var goldenModes = []struct {
	file string
	opts Options
}{
	{"tty.golden", DefaultOptions(TTY)},
	{"raw.golden", DefaultOptions(Raw)},
	{"raw-delim.golden", Options{Mode: Raw, Delim: ",", CmdDelim: "|\n"}},
	{"csv.golden", DefaultOptions(CSV)},
	{"json.golden", DefaultOptions(JSON)},
	{"quoted-json.golden", DefaultOptions(QuotedJSON)},
}

// caseHeader starts each case in a golden file: "#### name (N bytes)\n",
// followed by exactly the N bytes the formatter produced, which need not
// end in a newline.
const caseHeader = "#### "

func formatOne(c formatCase, o Options) []byte {
	o.Verbatim = c.verbatim
	if c.push {
		return AppendPush(nil, c.v, o)
	}
	return Append(nil, c.v, o)
}

func TestGolden(t *testing.T) {
	for _, m := range goldenModes {
		t.Run(strings.TrimSuffix(m.file, ".golden"), func(t *testing.T) {
			var got []byte
			outs := make(map[string][]byte, len(formatCases))
			for _, c := range formatCases {
				out := formatOne(c, m.opts)
				outs[c.name] = out
				got = fmt.Appendf(got, "%s%s (%d bytes)\n", caseHeader, c.name, len(out))
				got = append(got, out...)
				if len(out) > 0 && out[len(out)-1] != '\n' {
					got = append(got, '\n')
				}
			}
			path := filepath.Join("testdata", m.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./format -update to create it)", err)
			}
			if bytes.Equal(got, want) {
				return
			}
			wantCases := splitGolden(want)
			for _, c := range formatCases {
				if w, ok := wantCases[c.name]; !ok {
					t.Errorf("%s: case missing from %s", c.name, path)
				} else if !bytes.Equal(outs[c.name], w) {
					t.Errorf("%s:\n got: %q\nwant: %q", c.name, outs[c.name], w)
				}
			}
			if !t.Failed() {
				t.Errorf("%s differs (stale cases?); run go test ./format -update", path)
			}
		})
	}
}

// splitGolden splits a golden file into its cases.
func splitGolden(b []byte) map[string][]byte {
	cases := make(map[string][]byte)
	for len(b) > 0 {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok || !bytes.HasPrefix(line, []byte(caseHeader)) {
			break
		}
		var name string
		var n int
		head := strings.TrimPrefix(string(line), caseHeader)
		i := strings.LastIndex(head, " (")
		if i < 0 {
			break
		}
		name = head[:i]
		if _, err := fmt.Sscanf(head[i:], " (%d bytes)", &n); err != nil || n > len(rest) {
			break
		}
		cases[name] = rest[:n]
		b = rest[n:]
		if n > 0 && rest[n-1] != '\n' {
			b = bytes.TrimPrefix(b, []byte("\n"))
		}
	}
	return cases
}

func TestJSONAlwaysValid(t *testing.T) {
	for _, mode := range []Mode{JSON, QuotedJSON} {
		for _, c := range formatCases {
			if c.verbatim {
				continue // printed raw, like redis-cli
			}
			t.Run(mode.String()+"/"+c.name, func(t *testing.T) {
				out := formatOne(c, DefaultOptions(mode))
				if !bytes.HasSuffix(out, []byte("\n")) || bytes.Count(out, []byte("\n")) != 1 {
					t.Fatalf("want exactly one line, got %q", out)
				}
				if !json.Valid(out) {
					t.Fatalf("invalid JSON: %q", out)
				}
			})
		}
	}
}

func TestJSONStringRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the decoded JSON string
	}{
		{"ascii", "plain", "plain"},
		{"quotes-backslashes", `a "b" \c`, `a "b" \c`},
		{"controls", "\x00\x01\n\r\t\b\f\x1f\x7f", "\x00\x01\n\r\t\b\f\x1f\x7f"},
		{"utf8", "héllo ✓ 🎉", "héllo ✓ 🎉"},
		{"invalid-utf8", "a\xffb\xc3", "a\u00ffb\u00c3"},
		{"truncated-sequence", "\xe2\x82", "\u00e2\u0082"},
		{"surrogate-half", "\xed\xa0\x80", "\u00ed\u00a0\u0080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := appendJSONString(nil, []byte(tt.in))
			var got string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%q: %v", out, err)
			}
			if got != tt.want {
				t.Errorf("decoded %q, want %q (JSON %q)", got, tt.want, out)
			}
			if utf8.ValidString(tt.in) && bytes.Contains(out, []byte(`\u00`)) != strings.ContainsFunc(tt.in, isControl) {
				t.Errorf("valid UTF-8 must only have control bytes \\u-escaped: %q", out)
			}
		})
	}
}

func isControl(r rune) bool { return r < 0x20 }

func TestQuotedJSONDecodesToEscape(t *testing.T) {
	for _, in := range []string{"", "plain", `a "b" \c`, "\x00\n\r\t\a\b\x7f", "héllo", allBytes} {
		out := appendQuotedJSONString(nil, []byte(in))
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if want := string(Escape(nil, []byte(in))); `"`+got+`"` != want {
			t.Errorf("%q: decoded %q, want the content of %q", in, got, want)
		}
		for _, c := range out {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("%q: non-ASCII byte %#x in %q", in, c, out)
			}
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"printable", "hello world ~", `"hello world ~"`},
		{"quote-backslash", `"\`, `"\"\\"`},
		{"short-escapes", "\n\r\t\a\b", `"\n\r\t\a\b"`},
		{"hex-escapes", "\x00\x0b\x0c\x1b\x7f\x80\xff", `"\x00\x0b\x0c\x1b\x7f\x80\xff"`},
		{"utf8", "é", `"\xc3\xa9"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Escape([]byte("prefix:"), []byte(tt.in))); got != "prefix:"+tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, "prefix:"+tt.want)
			}
		})
	}
}

func TestVerbatimCommand(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{[]string{"INFO"}, true},
		{[]string{"info", "keyspace"}, true},
		{[]string{"LOLWUT", "VERSION", "5"}, true},
		{[]string{"client", "list"}, true},
		{[]string{"CLIENT", "INFO"}, true},
		{[]string{"CLIENT", "KILL", "x"}, false},
		{[]string{"CLIENT"}, false},
		{[]string{"cluster", "nodes"}, true},
		{[]string{"cluster", "info"}, true},
		{[]string{"cluster", "nodes", "extra"}, false},
		{[]string{"MEMORY", "DOCTOR"}, true},
		{[]string{"memory", "malloc-stats"}, true},
		{[]string{"MEMORY", "USAGE", "k"}, false},
		{[]string{"latency", "doctor"}, true},
		{[]string{"latency", "doctor", "x"}, false},
		{[]string{"LATENCY", "GRAPH", "command"}, true},
		{[]string{"LATENCY", "GRAPH"}, false},
		{[]string{"DEBUG", "HTSTATS", "0"}, true},
		{[]string{"debug", "htstats-key", "k"}, true},
		{[]string{"DEBUG", "CLIENT-EVICTION"}, true},
		{[]string{"DEBUG", "SLEEP", "0"}, false},
		{[]string{"PROXY", "INFO"}, true},
		{[]string{"GET", "info"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			if got := VerbatimCommand(tt.args); got != tt.want {
				t.Errorf("VerbatimCommand(%q) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
}

func TestErrorLine(t *testing.T) {
	tests := []struct {
		name string
		v    resp.Value
		want string
	}{
		{"error", errReply("ERR value is not an integer or out of range"), "ERR value is not an integer or out of range\n"},
		{"not-an-error", bulk("x"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(ErrorLine(nil, tt.v, false)); got != tt.want {
				t.Errorf("ErrorLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{TTY: "tty", Raw: "raw", CSV: "csv", JSON: "json", QuotedJSON: "quoted-json", Mode(9): "mode(9)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}

// FuzzAppend checks that any reply the Reader accepts formats without
// panicking in every mode, and that JSON output stays valid.
func FuzzAppend(f *testing.F) {
	for _, c := range formatCases {
		f.Add(resp.AppendValue(nil, c.v))
	}
	f.Add([]byte("|1\r\n+a\r\n:1\r\n%1\r\n*1\r\n:1\r\n~0\r\n"))
	f.Fuzz(func(t *testing.T, wire []byte) {
		r := resp.NewReader(bufioReader(wire))
		r.MaxDepth = 16
		v, err := r.ReadValue()
		if err != nil {
			return
		}
		for _, m := range goldenModes {
			Append(nil, v, m.opts)
			AppendPush(nil, v, m.opts)
		}
		for _, mode := range []Mode{JSON, QuotedJSON} {
			if out := Append(nil, v, DefaultOptions(mode)); !json.Valid(out) {
				t.Fatalf("%s: invalid JSON %q for %q", mode, out, wire)
			}
		}
	})
}

// TestTerminalEscapesControlBytes: on a terminal, the text the human
// format prints unquoted has its control bytes escaped, so a server
// cannot send escape sequences to the terminal; raw mode, and the human
// format into a pipe, keep the bytes as redis-cli does.
func TestTerminalEscapesControlBytes(t *testing.T) {
	const hostile = "a\x1b]0;title\x07b\x1b[2Jc\rd\x9be\u009bf\x7fg"
	const safe = `a\x1b]0;title\x07b\x1b[2Jc\x0dd\x9be\xc2\x9bf\x7fg`
	term := Options{Mode: TTY, Delim: "\n", CmdDelim: "\n", Terminal: true}
	tests := []struct {
		name string
		v    resp.Value
		o    Options
		want string
	}{
		{"status", resp.Status(hostile), term, safe + "\n"},
		{"error", resp.ErrorReply(hostile), term, "(error) " + safe + "\n"},
		{"verbatim", resp.Value{Kind: resp.KindVerbatim, Format: "txt", Str: []byte(hostile)}, term, safe + "\n"},
		{"double", resp.Value{Kind: resp.KindDouble, Str: []byte("1\x1b")}, term, "(double) 1\\x1b\n"},
		{"nested", resp.Array(resp.Int(1), resp.Value{Kind: resp.KindMap, Elems: []resp.Value{resp.Status("k\x1b"), resp.ErrorReply("e\x1b")}}),
			term, "1) (integer) 1\n2) 1# k\\x1b => (error) e\\x1b\n"},
		{"push", resp.Value{Kind: resp.KindPush, Elems: []resp.Value{resp.BulkString("message"), resp.Status("s\x1b")}}, term, "1) \"message\"\n2) s\\x1b\n"},
		{"bulk, as always", resp.BulkString("b\x1b"), term, "\"b\\x1b\"\n"},
		{"text kept: UTF-8, tab, CRLF, newline", resp.Value{Kind: resp.KindVerbatim, Format: "txt", Str: []byte("é\tx\r\ny\nz\\")}, term, "é\tx\r\ny\nz\\\n"},
		{"Latin-1 bytes kept", resp.Status("caf\xe9"), term, "caf\xe9\n"},
		{"verbatim command", resp.BulkString("# Server\r\nredis_version:7\x1b[31m\r\n"), Options{Mode: TTY, Verbatim: true, Terminal: true},
			"# Server\r\nredis_version:7\\x1b[31m\r\n"},
		{"not a terminal", resp.Status(hostile), DefaultOptions(TTY), hostile + "\n"},
		{"raw on a terminal", resp.Status(hostile), Options{Mode: Raw, CmdDelim: "\n", Terminal: true}, hostile + "\n"},
		{"verbatim command, raw", resp.BulkString("x\x1b"), Options{Mode: Raw, Verbatim: true, Terminal: true}, "x\x1b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Append(nil, tt.v, tt.o)); got != tt.want {
				t.Errorf("Append = %q, want %q", got, tt.want)
			}
		})
	}
	inval := resp.Value{Kind: resp.KindPush, Elems: []resp.Value{resp.BulkString("invalidate"), resp.Array(resp.BulkString("k\x1b[1m"))}}
	if got, want := string(AppendPush(nil, inval, term)), "-> invalidate: 'k\\x1b[1m'\n"; got != want {
		t.Errorf("AppendPush = %q, want %q", got, want)
	}
	if got, want := string(ErrorLine(nil, resp.ErrorReply("ERR \x1b]0;x\x07"), true)), "ERR \\x1b]0;x\\x07\n"; got != want {
		t.Errorf("ErrorLine on a terminal = %q, want %q", got, want)
	}
	if got, want := string(ErrorLine(nil, resp.ErrorReply("ERR \x1b"), false)), "ERR \x1b\n"; got != want {
		t.Errorf("ErrorLine = %q, want %q", got, want)
	}
}

// TestAppendPrintable: what is escaped and what is kept, byte by byte.
func TestAppendPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"plain text":       "plain text",
		"\x00\x01\x1f":     `\x00\x01\x1f`,
		"a\rb":             `a\x0db`,
		"a\r\nb\n\tc":      "a\r\nb\n\tc",
		"end\r":            `end\x0d`,
		"\x7f":             `\x7f`,
		"\u0085\u009f":     `\xc2\x85\xc2\x9f`,
		"\u00a0é€😀":        "\u00a0é€😀",
		"\x80\x9b\xa0\xff": `\x80\x9b` + "\xa0\xff",
		"\xef\xbf\xbd":     "\xef\xbf\xbd", // U+FFFD itself is text
	} {
		if got := string(AppendPrintable(nil, []byte(in))); got != want {
			t.Errorf("AppendPrintable(%q) = %q, want %q", in, got, want)
		}
		if printable([]byte(in)) != (in == want) {
			t.Errorf("printable(%q) = %v", in, printable([]byte(in)))
		}
	}
}
