package format

import "unicode/utf8"

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
