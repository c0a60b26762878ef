// Package cliargs splits and quotes command lines the way redis-cli 7.0
// does: lines typed at the prompt or read from standard input
// (SplitArgs), arguments given with --quoted-input (UnquoteArg), and the
// quoting that SplitArgs reads back as one argument (QuoteArg).
package cliargs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors reported by SplitArgs and UnquoteArg. Each is wrapped with the
// byte offset where the problem was found; test for them with errors.Is.
var (
	// ErrUnterminatedQuote means a quoted argument ran to the end of the
	// line without its closing quote.
	ErrUnterminatedQuote = errors.New("unterminated quote")
	// ErrQuoteNotFollowedBySpace means a closing quote was followed by
	// something other than white space or the end of the line, as in
	// `"foo"bar`.
	ErrQuoteNotFollowedBySpace = errors.New("closing quote must be followed by a space or the end of the line")
	// ErrInvalidQuotedString means an argument given with --quoted-input
	// does not unquote to exactly one argument. redis-cli prints
	// "Invalid quoted string" for it.
	ErrInvalidQuotedString = errors.New("invalid quoted string")
)

// SplitArgs splits a command line into arguments the way redis-cli 7.0
// does for lines typed at its prompt or read from standard input (it is a
// port of sdssplitargs from the Redis sources).
//
// Arguments are separated by white space. A double-quoted part understands
// the escapes \xHH (two hex digits), \n, \r, \t, \b and \a; a backslash
// before any other character stands for that character, so \" and \\ give
// a quote and a backslash. A single-quoted part is taken literally except
// for \', which gives a quote. Quoted and unquoted parts may be joined
// (foo"bar" is one argument, foobar), but a closing quote must be followed
// by white space or the end of the line. A quote left open is an error.
//
// An empty or blank line gives an empty, non-nil slice. The split is binary
// safe: unlike the C original, which stops at the first NUL byte, SplitArgs
// treats a NUL in line as an ordinary character.
func SplitArgs(line string) ([]string, error) {
	args := []string{}
	p := 0
	for {
		for p < len(line) && isCSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return args, nil
		}
		arg, next, err := splitOne(line, p)
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		p = next
	}
}

// UnquoteArg unquotes one command-line argument given with --quoted-input:
// the argument is split like a line (see SplitArgs) and must give exactly
// one argument. The error wraps ErrInvalidQuotedString.
func UnquoteArg(s string) (string, error) {
	args, err := SplitArgs(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidQuotedString, err)
	}
	if len(args) != 1 {
		return "", fmt.Errorf("%w: %q gives %d arguments, not one", ErrInvalidQuotedString, s, len(args))
	}
	return args[0], nil
}

// splitOne reads the argument starting at line[p], which is not white
// space, and returns it with the offset just past it.
func splitOne(line string, p int) (string, int, error) {
	var cur strings.Builder
	const (
		plain = iota
		double
		single
	)
	state := plain
	for {
		if p == len(line) {
			if state != plain {
				return "", 0, fmt.Errorf("%w at byte %d", ErrUnterminatedQuote, p)
			}
			return cur.String(), p, nil
		}
		c := line[p]
		switch state {
		case double:
			switch {
			case c == '\\' && p+3 < len(line) && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]):
				cur.WriteByte(unhex(line[p+2])<<4 | unhex(line[p+3]))
				p += 3
			case c == '\\' && p+1 < len(line):
				p++
				cur.WriteByte(unescape(line[p]))
			case c == '"':
				if p+1 < len(line) && !isCSpace(line[p+1]) {
					return "", 0, fmt.Errorf("%w at byte %d", ErrQuoteNotFollowedBySpace, p+1)
				}
				return cur.String(), p + 1, nil
			default:
				cur.WriteByte(c)
			}
		case single:
			switch {
			case c == '\\' && p+1 < len(line) && line[p+1] == '\'':
				p++
				cur.WriteByte('\'')
			case c == '\'':
				if p+1 < len(line) && !isCSpace(line[p+1]) {
					return "", 0, fmt.Errorf("%w at byte %d", ErrQuoteNotFollowedBySpace, p+1)
				}
				return cur.String(), p + 1, nil
			default:
				cur.WriteByte(c)
			}
		default:
			switch c {
			// Only these end an unquoted argument, while the blanks
			// skipped between arguments also include \v and \f: a quirk
			// of the original kept for compatibility.
			case ' ', '\n', '\r', '\t':
				return cur.String(), p + 1, nil
			case '"':
				state = double
			case '\'':
				state = single
			default:
				cur.WriteByte(c)
			}
		}
		p++
	}
}

// QuoteArg returns s quoted so that SplitArgs gives it back as a single
// argument: s itself when it needs no quoting, else a double-quoted form
// using the escapes SplitArgs understands.
func QuoteArg(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r == '"' || r == '\'' || r == '\\' || r < 0x21 || r > 0x7e
	}) {
		return s
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if c >= 0x20 && c <= 0x7e {
				b = append(b, c)
			} else {
				b = append(b, '\\', 'x')
				b = strconv.AppendUint(b, uint64(c>>4), 16)
				b = strconv.AppendUint(b, uint64(c&0xf), 16)
			}
		}
	}
	return string(append(b, '"'))
}

// isCSpace reports whether c is white space for C's isspace in the C
// locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// unescape returns the byte a backslash followed by c stands for inside
// double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
