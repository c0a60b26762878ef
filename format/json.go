package format

import (
	"strconv"

	"github.com/redish/redish/resp"
)

// appendJSON appends v as one JSON value, without the newline that ends the
// line. quoted selects --quoted-json string escaping. Attributes are not
// shown.
func appendJSON(buf []byte, v resp.Value, quoted bool) []byte {
	switch v.Kind {
	case resp.KindError:
		buf = append(buf, `{"error":`...)
		buf = appendJSONText(buf, v.Str, quoted)
		buf = append(buf, '}')
	case resp.KindStatus, resp.KindBulk, resp.KindVerbatim:
		buf = appendJSONText(buf, v.Str, quoted)
	case resp.KindInt:
		buf = strconv.AppendInt(buf, v.Int, 10)
	case resp.KindDouble, resp.KindBigNumber:
		buf = appendJSONNumber(buf, v.Str)
	case resp.KindBool:
		if v.Bool {
			buf = append(buf, "true"...)
		} else {
			buf = append(buf, "false"...)
		}
	case resp.KindArray, resp.KindSet, resp.KindPush:
		buf = append(buf, '[')
		for i, e := range v.Elems {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, e, quoted)
		}
		buf = append(buf, ']')
	case resp.KindMap:
		buf = append(buf, '{')
		for i := 0; i < len(v.Elems); i += 2 {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONKey(buf, v.Elems[i], quoted)
			buf = append(buf, ':')
			if i+1 < len(v.Elems) {
				buf = appendJSON(buf, v.Elems[i+1], quoted)
			} else {
				buf = append(buf, "null"...)
			}
		}
		buf = append(buf, '}')
	default:
		buf = append(buf, "null"...)
	}
	return buf
}

func appendJSONText(buf, s []byte, quoted bool) []byte {
	if quoted {
		return appendQuotedJSONString(buf, s)
	}
	return appendJSONString(buf, s)
}

// appendJSONKey appends a map key as a JSON string. Strings are written as
// strings; any other key is written as its JSON text inside a string, as
// redis-cli does ("1", "true", "null"), escaped so that keys whose JSON
// text holds quotes (errors, aggregates) stay valid.
func appendJSONKey(buf []byte, k resp.Value, quoted bool) []byte {
	switch k.Kind {
	case resp.KindStatus, resp.KindBulk, resp.KindVerbatim:
		return appendJSONText(buf, k.Str, quoted)
	case resp.KindInt:
		buf = append(buf, '"')
		buf = strconv.AppendInt(buf, k.Int, 10)
		return append(buf, '"')
	case resp.KindDouble, resp.KindBigNumber:
		if jsonNumber(k.Str) {
			buf = append(buf, '"')
			buf = append(buf, k.Str...)
			return append(buf, '"')
		}
		return appendJSONString(buf, k.Str)
	case resp.KindBool, resp.KindNil:
		buf = append(buf, '"')
		buf = appendJSON(buf, k, quoted)
		return append(buf, '"')
	}
	if k.Kind == 0 || k.Kind > resp.KindPush {
		return append(buf, `"null"`...)
	}
	// Errors and aggregates: their JSON text, escaped. Rare enough that
	// the temporary copy does not matter.
	text := appendJSON(nil, k, quoted)
	return appendJSONString(buf, text)
}

// appendJSONNumber appends a double or big number: bare when its text is a
// JSON number, else (inf, -inf, nan, a leading '+') as a JSON string.
func appendJSONNumber(buf, s []byte) []byte {
	if jsonNumber(s) {
		return append(buf, s...)
	}
	return appendJSONString(buf, s)
}

// jsonNumber reports whether s matches the JSON number grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i == len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
