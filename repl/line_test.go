package repl

import (
	"slices"
	"testing"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		line   string
		kind   LineKind
		repeat int
		words  []string
	}{
		{"blank", "   \r\n", LineEmpty, 0, nil},
		{"empty", "", LineEmpty, 0, nil},
		{"command", "SET k v\n", LineCommand, 1, []string{"SET", "k", "v"}},
		{"quoted", `set "a b" 'c d'`, LineCommand, 1, []string{"set", "a b", "c d"}},
		{"crlf", "PING\r\n", LineCommand, 1, []string{"PING"}},
		{"open quote", `set "a b`, LineInvalid, 0, nil},
		{"quote then letter", `set "a"b`, LineInvalid, 0, nil},
		{"quit", "quit", LineQuit, 1, []string{"quit"}},
		{"exit any case", "EXIT now", LineQuit, 1, []string{"EXIT", "now"}},
		{"repeat", "3 INCR k", LineCommand, 3, []string{"INCR", "k"}},
		{"repeat with sign", "+2 PING", LineCommand, 2, []string{"PING"}},
		{"repeat zero", "0 PING", LineBadRepeat, 0, nil},
		{"repeat negative", "-1 PING", LineBadRepeat, 0, nil},
		{"repeat overflow", "99999999999999999999 PING", LineBadRepeat, 0, nil},
		{"repeat capped", "9999999999 PING", LineCommand, 1 << 31, []string{"PING"}},
		{"number alone is a command", "42", LineCommand, 1, []string{"42"}},
		{"not a number", "3x PING", LineCommand, 1, []string{"3x", "PING"}},
		{"repeat then quit is a command", "2 quit", LineCommand, 2, []string{"quit"}},
		{"help", "help", LineHelp, 1, []string{}},
		{"help topic", "HELP set", LineHelp, 1, []string{"set"}},
		{"question mark", "? @string", LineHelp, 1, []string{"@string"}},
		{"repeat help", "2 help get", LineHelp, 2, []string{"get"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := ParseLine(tc.line)
			if l.Kind != tc.kind || l.Repeat != tc.repeat || !slices.Equal(l.Words, tc.words) {
				t.Errorf("ParseLine(%q) = %+v, want kind %v repeat %d words %q", tc.line, l, tc.kind, tc.repeat, tc.words)
			}
		})
	}
}

func TestLineMessage(t *testing.T) {
	for _, tc := range []struct {
		line, want string
	}{
		{`"open`, "Invalid argument(s)\n"},
		{"0 PING", "Invalid redis-cli repeat command option value.\n"},
		{"PING", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			if got := ParseLine(tc.line).Message(); got != tc.want {
				t.Errorf("Message() = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"SET k v", "3 INCR k", `"a\x00b"`, "help @list", "-1 x", `'a`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := ParseLine(s)
		if l.Kind == LineCommand && (len(l.Words) == 0 || l.Repeat < 1) {
			t.Fatalf("ParseLine(%q) = %+v", s, l)
		}
	})
}
