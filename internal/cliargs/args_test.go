package cliargs

import (
	"errors"
	"slices"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"empty", "", []string{}},
		{"blank", " \t\r\n\v\f ", []string{}},
		{"one", "PING", []string{"PING"}},
		{"several", "SET key value", []string{"SET", "key", "value"}},
		{"runs of blanks", "  SET \t key\r\nvalue  ", []string{"SET", "key", "value"}},
		{"double quotes", `SET "hello world" x`, []string{"SET", "hello world", "x"}},
		{"single quotes", `SET 'hello world' x`, []string{"SET", "hello world", "x"}},
		{"empty double", `SET "" x`, []string{"SET", "", "x"}},
		{"empty single", `SET '' x`, []string{"SET", "", "x"}},
		{"empty at end", `SET k ""`, []string{"SET", "k", ""}},
		{"hex escape", `"\x41\x42\x00\xff\xFf"`, []string{"AB\x00\xff\xff"}},
		{"hex escape needs two digits", `"\x4" "\xg1" "\x"`, []string{"x4", "xg1", "x"}},
		{"letter escapes", `"\n\r\t\b\a"`, []string{"\n\r\t\b\a"}},
		{"quote and backslash escapes", `"\"\\"`, []string{`"\`}},
		{"other escapes are the char", `"\q\0\'\ "`, []string{`q0' `}},
		{"single quote escape", `'it\'s'`, []string{"it's"}},
		{"single quotes are literal", `'a\nb\x41\\c'`, []string{`a\nb\x41\\c`}},
		{"double inside single", `'say "hi"'`, []string{`say "hi"`}},
		{"single inside double", `"it's"`, []string{"it's"}},
		{"unquoted then quoted", `foo"bar baz"`, []string{"foobar baz"}},
		{"unquoted then single", `foo'bar baz'`, []string{"foobar baz"}},
		{"backslash unquoted is literal", `a\nb \x41`, []string{`a\nb`, `\x41`}},
		{"backslash unquoted does not escape a quote", `a\"b c"`, []string{`a\b c`}},
		{"quote followed by tab", "\"a\"\tb", []string{"a", "b"}},
		{"quote followed by vertical tab", "\"a\"\vb", []string{"a", "b"}},
		{"quote followed by newline", "'a'\nb", []string{"a", "b"}},
		{"vertical tab inside unquoted", "a\vb \fc", []string{"a\vb", "c"}},
		{"leading form feed skipped", "\f\va", []string{"a"}},
		{"crlf line end", "GET k\r\n", []string{"GET", "k"}},
		{"binary bytes", "\xff\xfe \xe2\x82\xac", []string{"\xff\xfe", "€"}},
		{"nul is an ordinary byte", "a\x00b \"c\x00\"", []string{"a\x00b", "c\x00"}},
		// From redis' own tests of redis-cli.
		{"quoted input nul", `"\x00\x00"`, []string{"\x00\x00"}},
		{"quoted input hex", `"\x41\x41"`, []string{"AA"}},
		{"two quoted args", `"arg1" "arg2"`, []string{"arg1", "arg2"}},
		{"lua script", `EVAL "return redis.call('get', KEYS[1])" 1 k`,
			[]string{"EVAL", "return redis.call('get', KEYS[1])", "1", "k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitArgs(tt.line)
			if err != nil {
				t.Fatalf("SplitArgs(%q): %v", tt.line, err)
			}
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("SplitArgs(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestSplitArgsErrors(t *testing.T) {
	tests := []struct {
		name string
		line string
		want error
	}{
		{"unterminated double", `SET "foo`, ErrUnterminatedQuote},
		{"unterminated single", `SET 'foo`, ErrUnterminatedQuote},
		{"lone double", `"`, ErrUnterminatedQuote},
		{"lone single", `'`, ErrUnterminatedQuote},
		{"escaped closing double", `"foo\"`, ErrUnterminatedQuote},
		{"escaped closing single", `'foo\'`, ErrUnterminatedQuote},
		{"backslash at end in double", `"foo\`, ErrUnterminatedQuote},
		{"backslash at end in single", `'foo\`, ErrUnterminatedQuote},
		{"unterminated after unquoted", `foo"bar`, ErrUnterminatedQuote},
		{"text after double", `"foo"bar`, ErrQuoteNotFollowedBySpace},
		{"text after single", `'foo'bar`, ErrQuoteNotFollowedBySpace},
		{"quote after double", `"foo""bar"`, ErrQuoteNotFollowedBySpace},
		{"single after double", `"foo"'bar'`, ErrQuoteNotFollowedBySpace},
		{"text after empty quotes", `""x`, ErrQuoteNotFollowedBySpace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitArgs(tt.line)
			if !errors.Is(err, tt.want) {
				t.Fatalf("SplitArgs(%q) = %q, %v; want error %v", tt.line, got, err, tt.want)
			}
			if got != nil {
				t.Errorf("SplitArgs(%q) returned args %q with its error", tt.line, got)
			}
		})
	}
}

func TestUnquoteArg(t *testing.T) {
	tests := []struct {
		name    string
		arg     string
		want    string
		wantErr bool
	}{
		{"plain", "foo", "foo", false},
		{"hex", `"\x41\x41"`, "AA", false},
		{"nul", `"\x00\x00"`, "\x00\x00", false},
		{"single", `'a b'`, "a b", false},
		{"surrounding blanks", "  foo  ", "foo", false},
		{"empty quotes", `""`, "", false},
		{"empty", "", "", true},
		{"blank", "   ", "", true},
		{"two args", `"arg1" "arg2"`, "", true},
		{"unterminated", `"Unterminated`, "", true},
		{"text after quote", `"a"b`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnquoteArg(tt.arg)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidQuotedString) {
					t.Fatalf("UnquoteArg(%q) = %q, %v; want ErrInvalidQuotedString", tt.arg, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("UnquoteArg(%q) = %q, %v; want %q", tt.arg, got, err, tt.want)
			}
		})
	}
}

func TestQuoteArg(t *testing.T) {
	tests := []struct {
		arg, want string
	}{
		{"foo", "foo"},
		{"", `""`},
		{"a b", `"a b"`},
		{`it's`, `"it's"`},
		{`say "hi"`, `"say \"hi\""`},
		{`a\b`, `"a\\b"`},
		{"\n\r\t\a\b", `"\n\r\t\a\b"`},
		{"\x00\x7f\xff", `"\x00\x7f\xff"`},
		{"€", `"\xe2\x82\xac"`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got := QuoteArg(tt.arg)
			if got != tt.want {
				t.Errorf("QuoteArg(%q) = %s, want %s", tt.arg, got, tt.want)
			}
			back, err := UnquoteArg(got)
			if err != nil || back != tt.arg {
				t.Errorf("UnquoteArg(QuoteArg(%q)) = %q, %v", tt.arg, back, err)
			}
		})
	}
}
