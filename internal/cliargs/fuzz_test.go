package cliargs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzSplitArgs checks that SplitArgs never panics, and that the arguments
// of a line it splits, quoted with QuoteArg and joined, split back to the
// same arguments.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{
		"", "SET key value", `SET "a b" 'c d'`, `"\x41\x00\xff\n\r\t\b\a\\\"\q"`,
		`'it\'s'`, `foo"bar baz"`, `"foo"bar`, `"unterminated`, "a\vb \fc\t\r\n",
		"\xff\x00 \"\x00\"", `"\x4" '\'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args, err := SplitArgs(line)
		if err != nil {
			if args != nil {
				t.Fatalf("SplitArgs(%q) returned %q with error %v", line, args, err)
			}
			if !errors.Is(err, ErrUnterminatedQuote) && !errors.Is(err, ErrQuoteNotFollowedBySpace) {
				t.Fatalf("SplitArgs(%q): unexpected error %v", line, err)
			}
			return
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = QuoteArg(a)
			if back, err := UnquoteArg(quoted[i]); err != nil || back != a {
				t.Fatalf("UnquoteArg(QuoteArg(%q)) = %q, %v", a, back, err)
			}
		}
		joined := strings.Join(quoted, " ")
		again, err := SplitArgs(joined)
		if err != nil || !slices.Equal(again, args) {
			t.Fatalf("SplitArgs(%q) = %q, %v; want %q (from line %q)", joined, again, err, args, line)
		}
	})
}
