package format

import (
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// reprEscapes maps the bytes that Escape writes as a backslash and one
// character to that character; 0 means the byte has no short escape.
var reprEscapes = [256]byte{
	'\\': '\\',
	'"':  '"',
	'\n': 'n',
	'\r': 'r',
	'\t': 't',
	'\a': 'a',
	'\b': 'b',
}

// Escape appends s quoted and escaped as redis-cli prints strings in TTY
// and CSV mode (its sdscatrepr), and returns the extended buffer: the bytes
// are wrapped in double quotes; backslash and double quote are escaped with
// a backslash; newline, carriage return, tab, bell and backspace are
// written \n \r \t \a \b; other printable ASCII (0x20 to 0x7e) is kept; every
// other byte, UTF-8 included, is written \xhh with lower-case hex digits.
func Escape(buf, s []byte) []byte {
	buf = append(buf, '"')
	buf = appendRepr(buf, s)
	return append(buf, '"')
}

// EscapeUTF8 is Escape keeping text: each valid UTF-8 sequence of a
// printable character (unicode.IsPrint: letters, marks, symbols, CJK,
// emoji) is kept as it is; every other byte is escaped as Escape escapes
// it (\xhh for control characters, invalid UTF-8 and the C1 range).
func EscapeUTF8(buf, s []byte) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '\\' && c != '"' {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			if r, size := utf8.DecodeRune(s[i:]); (r != utf8.RuneError || size > 1) && unicode.IsPrint(r) {
				i += size
				continue
			}
		}
		buf = append(buf, s[start:i]...)
		buf = appendRepr(buf, s[i:i+1])
		i++
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// appendRepr appends the escaped form of s without the surrounding quotes.
func appendRepr(buf, s []byte) []byte {
	start := 0
	for i, c := range s {
		if c >= 0x20 && c <= 0x7e && c != '\\' && c != '"' {
			continue
		}
		buf = append(buf, s[start:i]...)
		start = i + 1
		if e := reprEscapes[c]; e != 0 {
			buf = append(buf, '\\', e)
		} else {
			buf = append(buf, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return append(buf, s[start:]...)
}

// jsonEscapes maps the bytes that JSON strings write as a backslash and one
// character to that character; 0 means the byte has no short escape.
var jsonEscapes = [256]byte{
	'\\': '\\',
	'"':  '"',
	'\n': 'n',
	'\f': 'f',
	'\r': 'r',
	'\t': 't',
	'\b': 'b',
}

// appendJSONString appends s as a JSON string. The escapes are redis-cli's
// (\\ \" \n \f \r \t \b, \u00xx for other control bytes, DEL kept); valid
// UTF-8 is kept as it is and each byte outside a valid UTF-8 sequence is
// written \u00xx, so the result is always valid JSON.
func appendJSONString(buf, s []byte) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			if c < utf8.RuneSelf {
				i++
				continue
			}
			if r, size := utf8.DecodeRune(s[i:]); r != utf8.RuneError || size > 1 {
				i += size
				continue
			}
		}
		buf = append(buf, s[start:i]...)
		if e := jsonEscapes[c]; e != 0 {
			buf = append(buf, '\\', e)
		} else {
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// appendQuotedJSONString appends s as --quoted-json prints it: the JSON
// string whose content is Escape's output without its quotes. redis-cli
// doubles the backslashes of that text but leaves its quotes bare, which
// is not valid JSON; here a quote becomes \\\" (an escaped backslash and
// an escaped quote), and everything else is as redis-cli prints it.
func appendQuotedJSONString(buf, s []byte) []byte {
	buf = append(buf, '"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c <= 0x7e && c != '\\' && c != '"' {
			continue
		}
		buf = append(buf, s[start:i]...)
		start = i + 1
		switch e := reprEscapes[c]; e {
		case '"':
			buf = append(buf, `\\\"`...)
		case '\\':
			buf = append(buf, `\\\\`...)
		case 0:
			buf = append(buf, '\\', '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			buf = append(buf, '\\', '\\', e)
		}
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// AppendPrintable appends s with every byte a terminal would act on
// written \xhh (lower-case hex), and returns the extended buffer: C0
// control bytes (ESC starts the sequences that move the cursor, clear the
// screen or set the window title), DEL, and C1 controls (U+0080 to U+009F,
// and the bytes 0x80 to 0x9f outside a valid UTF-8 sequence, which some
// terminals read as CSI and OSC). Newline and tab are kept, and carriage
// return before a newline (text with CRLF line ends); printable ASCII,
// other valid UTF-8 and other bytes are kept. A backslash is kept as it
// is: the text is not quoted, and stays as the server sent it where it is
// printable.
func AppendPrintable(buf, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		n := unsafeAt(s, i)
		if n == 0 {
			size := 1
			if s[i] >= utf8.RuneSelf {
				_, size = utf8.DecodeRune(s[i:])
			}
			i += size
			continue
		}
		buf = append(buf, s[start:i]...)
		for _, b := range s[i : i+n] {
			buf = append(buf, '\\', 'x', hexDigits[b>>4], hexDigits[b&0xf])
		}
		i += n
		start = i
	}
	return append(buf, s[start:]...)
}

// printable reports whether AppendPrintable would keep s as it is.
func printable(s []byte) bool {
	for i := 0; i < len(s); {
		if s[i] >= 0x20 && s[i] < 0x7f {
			i++
			continue
		}
		if unsafeAt(s, i) != 0 {
			return false
		}
		size := 1
		if s[i] >= utf8.RuneSelf {
			_, size = utf8.DecodeRune(s[i:])
		}
		i += size
	}
	return true
}

// unsafeAt returns the length of the control character at s[i] that
// AppendPrintable escapes, or 0 when s[i] starts something it keeps.
func unsafeAt(s []byte, i int) int {
	c := s[i]
	switch {
	case c >= 0x20 && c < 0x7f, c == '\n', c == '\t':
		return 0
	case c == '\r':
		if i+1 < len(s) && s[i+1] == '\n' {
			return 0
		}
		return 1
	case c < utf8.RuneSelf:
		return 1 // other C0 control bytes, DEL
	}
	r, size := utf8.DecodeRune(s[i:])
	if r == utf8.RuneError && size == 1 {
		// Not UTF-8: a C1 control byte for a terminal that reads bytes.
		if c <= 0x9f {
			return 1
		}
		return 0
	}
	if r >= 0x80 && r <= 0x9f {
		return size
	}
	return 0
}
