// Package cliargs splits and quotes command lines the way redis-cli 7.0
// does: lines typed at the prompt or read from standard input
// (SplitArgs, and Scan for one word of a line being typed), arguments
// given with --quoted-input (UnquoteArg), and the quoting that SplitArgs
// reads back as one argument (QuoteArg).
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
	var buf []byte
	p := 0
	for {
		for p < len(line) && isCSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return args, nil
		}
		var err error
		buf, p, err = appendOne(buf[:0], line, p)
		if err != nil {
			return nil, err
		}
		args = append(args, string(buf))
	}
}

// AppendSplitArgs splits line as SplitArgs does, without allocating once
// its buffers have grown: it appends the bytes of the arguments to dst,
// one after another, and the offset in dst where each ends to ends. On an
// error dst and ends hold what was split before it.
func AppendSplitArgs(dst []byte, ends []int, line []byte) ([]byte, []int, error) {
	p := 0
	for {
		for p < len(line) && isCSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return dst, ends, nil
		}
		var err error
		dst, p, err = appendOne(dst, line, p)
		if err != nil {
			return dst, ends, err
		}
		ends = append(ends, len(dst))
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

// How a word ends, for Scan.
const (
	// WordDone: the word ended at white space or at the end of the line.
	WordDone = iota
	// WordOpen: the line ended inside a quote.
	WordOpen
	// WordBad: a closing quote is followed by something other than white
	// space (redis-cli's "Invalid argument(s)").
	WordBad
)

// Scan reads the word of line starting at p, which is not white space, as
// SplitArgs reads it, appending what it unquotes to cur. It returns cur,
// the offset just past the word (its closing quote included, the white
// space after it not), whether it has a quoted part, and how it ended
// (WordDone, WordOpen or WordBad). The shell scans the line being typed
// with it, where a quote left open is not an error.
func Scan[S ~string | ~[]byte](cur []byte, line S, p int) (out []byte, end int, quoted bool, how int) {
	const (
		plain = iota
		double
		single
	)
	state := plain
	for {
		if p == len(line) {
			if state != plain {
				return cur, p, quoted, WordOpen
			}
			return cur, p, quoted, WordDone
		}
		c := line[p]
		switch state {
		case double:
			switch {
			case c == '\\' && p+3 < len(line) && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]):
				cur = append(cur, unhex(line[p+2])<<4|unhex(line[p+3]))
				p += 3
			case c == '\\' && p+1 < len(line):
				p++
				cur = append(cur, unescape(line[p]))
			case c == '"':
				return closeQuote(cur, line, p, quoted)
			default:
				cur = append(cur, c)
			}
		case single:
			switch {
			case c == '\\' && p+1 < len(line) && line[p+1] == '\'':
				p++
				cur = append(cur, '\'')
			case c == '\'':
				return closeQuote(cur, line, p, quoted)
			default:
				cur = append(cur, c)
			}
		default:
			switch c {
			// Only these end an unquoted argument, while the blanks
			// skipped between arguments also include \v and \f: a quirk
			// of the original kept for compatibility.
			case ' ', '\n', '\r', '\t':
				return cur, p, quoted, WordDone
			case '"':
				state, quoted = double, true
			case '\'':
				state, quoted = single, true
			default:
				cur = append(cur, c)
			}
		}
		p++
	}
}

// closeQuote ends a word at the closing quote line[p]: WordDone when white
// space or the end of the line follows, WordBad otherwise.
func closeQuote[S ~string | ~[]byte](cur []byte, line S, p int, quoted bool) ([]byte, int, bool, int) {
	if p+1 < len(line) && !isCSpace(line[p+1]) {
		return cur, p + 1, quoted, WordBad
	}
	return cur, p + 1, quoted, WordDone
}

// appendOne reads the argument starting at line[p], which is not white
// space, appends it to cur and returns cur with the offset just past it,
// or the error a quote left open or followed by a letter is.
func appendOne[S ~string | ~[]byte](cur []byte, line S, p int) ([]byte, int, error) {
	cur, end, _, how := Scan(cur, line, p)
	switch how {
	case WordOpen:
		return cur, 0, fmt.Errorf("%w at byte %d", ErrUnterminatedQuote, end)
	case WordBad:
		return cur, 0, fmt.Errorf("%w at byte %d", ErrQuoteNotFollowedBySpace, end)
	}
	return cur, end, nil
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

// IsSpace reports whether c separates words: white space for C's isspace
// in the C locale.
func IsSpace(c byte) bool { return isCSpace(c) }

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
