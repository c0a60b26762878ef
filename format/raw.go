package format

import (
	"strconv"

	"github.com/redish/redish/resp"
)

// appendRaw appends v in redis-cli's raw format, without the CmdDelim that
// follows a whole reply: strings as they are, errors followed by "\n", nil
// as nothing, aggregates flattened with delim and map entries as
// "key value". Attributes are not shown.
func appendRaw(buf []byte, v resp.Value, delim string) []byte {
	switch v.Kind {
	case resp.KindError:
		buf = append(buf, v.Str...)
		buf = append(buf, '\n')
	case resp.KindStatus, resp.KindBulk, resp.KindVerbatim, resp.KindBigNumber:
		buf = append(buf, v.Str...)
	case resp.KindDouble:
		buf = append(buf, cstr(v.Str)...)
	case resp.KindInt:
		buf = strconv.AppendInt(buf, v.Int, 10)
	case resp.KindBool:
		if v.Bool {
			buf = append(buf, "(true)"...)
		} else {
			buf = append(buf, "(false)"...)
		}
	case resp.KindArray, resp.KindSet, resp.KindPush:
		for i, e := range v.Elems {
			if i > 0 {
				buf = append(buf, delim...)
			}
			buf = appendRaw(buf, e, delim)
		}
	case resp.KindMap:
		for i := 0; i < len(v.Elems); i += 2 {
			if i > 0 {
				buf = append(buf, delim...)
			}
			buf = appendRaw(buf, v.Elems[i], delim)
			buf = append(buf, ' ')
			if i+1 < len(v.Elems) {
				buf = appendRaw(buf, v.Elems[i+1], delim)
			}
		}
	}
	return buf
}
