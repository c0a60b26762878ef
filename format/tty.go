package format

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/redish/redish/resp"
)

// attributePrefix introduces the attribute map shown before a reply in TTY
// mode; the lines of the map after the first are indented by its width.
const attributePrefix = "(attribute) "

// ttyStyle are the options of the human format: term escapes the control
// bytes of unquoted text (see Options.Terminal), utf8 keeps valid UTF-8 in
// strings (see Options.UTF8).
type ttyStyle struct{ term, utf8 bool }

// appendTTY appends v in redis-cli's human format. indent is the number of
// spaces that starts every line after the first: redis-cli's "prefix",
// which only ever holds spaces. term escapes the control bytes of
// unquoted text (see Options.Terminal).
func appendTTY(buf []byte, v resp.Value, indent int, st ttyStyle) []byte {
	if v.Attrs != nil {
		buf = append(buf, attributePrefix...)
		buf = appendTTY(buf, *v.Attrs, indent+len(attributePrefix), st)
		buf = appendSpaces(buf, indent)
	}
	text := func(s []byte) []byte {
		if st.term {
			return AppendPrintable(buf, s)
		}
		return append(buf, s...)
	}
	switch v.Kind {
	case resp.KindError:
		buf = append(buf, "(error) "...)
		buf = text(cstr(v.Str))
	case resp.KindStatus:
		buf = text(cstr(v.Str))
	case resp.KindInt:
		buf = append(buf, "(integer) "...)
		buf = strconv.AppendInt(buf, v.Int, 10)
	case resp.KindDouble:
		buf = append(buf, "(double) "...)
		buf = text(cstr(v.Str))
	case resp.KindBulk:
		if st.utf8 {
			buf = EscapeUTF8(buf, v.Str)
		} else {
			buf = Escape(buf, v.Str)
		}
	case resp.KindVerbatim:
		buf = text(v.Str)
	case resp.KindBool:
		if v.Bool {
			buf = append(buf, "(true)"...)
		} else {
			buf = append(buf, "(false)"...)
		}
	case resp.KindBigNumber:
		buf = append(buf, "(big number) "...)
		buf = append(buf, v.Str...)
	case resp.KindArray, resp.KindSet, resp.KindPush, resp.KindMap:
		return appendTTYAggregate(buf, v, indent, st)
	default:
		buf = append(buf, "(nil)"...)
	}
	return append(buf, '\n')
}

// appendTTYAggregate appends a numbered aggregate: "N) " for arrays and
// pushes, "N~ " for sets, "N# key => value" for maps, N right-aligned to
// the width of the element count. The first element continues the line the
// caller started; later ones start after indent spaces, and their own
// nested lines are indented by the width of the "N) " prefix as well.
func appendTTYAggregate(buf []byte, v resp.Value, indent int, st ttyStyle) []byte {
	n := v.Len()
	isMap := v.Kind == resp.KindMap
	if isMap && len(v.Elems)%2 == 1 {
		n++ // the last key prints with a nil value
	}
	if n == 0 {
		switch v.Kind {
		case resp.KindMap:
			return append(buf, "(empty hash)\n"...)
		case resp.KindSet:
			return append(buf, "(empty set)\n"...)
		case resp.KindPush:
			return append(buf, "(empty push)\n"...)
		default:
			return append(buf, "(empty array)\n"...)
		}
	}
	sep := byte(')')
	switch v.Kind {
	case resp.KindSet:
		sep = '~'
	case resp.KindMap:
		sep = '#'
	}
	width := digits(n)
	child := indent + width + 2
	for i := 0; i < n; i++ {
		if i > 0 {
			buf = appendSpaces(buf, indent)
		}
		buf = appendPadded(buf, i+1, width)
		buf = append(buf, sep, ' ')
		if !isMap {
			buf = appendTTY(buf, v.Elems[i], child, st)
			continue
		}
		buf = appendTTY(buf, v.Elems[2*i], child, st)
		buf = buf[:len(buf)-1] // the key's newline: the value follows on its line
		buf = append(buf, " => "...)
		val := resp.Nil()
		if 2*i+1 < len(v.Elems) {
			val = v.Elems[2*i+1]
		}
		// A value that prints on one line stays after the "=>"; one that
		// spans several starts on the next line, indented.
		start := len(buf)
		buf = appendTTY(buf, val, child, st)
		if bytes.Count(buf[start:], newline) > 1 {
			buf = slices.Insert(buf, start, '\n')
			buf = slices.Insert(buf, start+1, bytes.Repeat([]byte{' '}, child)...)
		}
	}
	return buf
}

// digits returns the number of decimal digits of n >= 0.
func digits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// appendPadded appends n right-aligned in a field of width characters.
func appendPadded(buf []byte, n, width int) []byte {
	buf = appendSpaces(buf, width-digits(n))
	return strconv.AppendInt(buf, int64(n), 10)
}

const spaces = "                                                                "

// appendSpaces appends n spaces.
func appendSpaces(buf []byte, n int) []byte {
	for n > len(spaces) {
		buf = append(buf, spaces...)
		n -= len(spaces)
	}
	if n > 0 {
		buf = append(buf, spaces[:n]...)
	}
	return buf
}

var newline = []byte{'\n'}
