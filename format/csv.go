package format

import (
	"strconv"

	"github.com/redish/redish/resp"
)

// appendCSV appends v in redis-cli's CSV format, without the newline that
// ends the line: strings quoted and escaped, nil as NULL, errors as
// ERROR,"...", aggregates (maps too) flattened and comma-separated.
// Attributes are not shown.
func appendCSV(buf []byte, v resp.Value) []byte {
	switch v.Kind {
	case resp.KindError:
		buf = append(buf, "ERROR,"...)
		buf = Escape(buf, cstr(v.Str))
	case resp.KindStatus, resp.KindBulk, resp.KindVerbatim:
		buf = Escape(buf, v.Str)
	case resp.KindInt:
		buf = strconv.AppendInt(buf, v.Int, 10)
	case resp.KindDouble:
		buf = append(buf, cstr(v.Str)...)
	case resp.KindBigNumber:
		buf = append(buf, v.Str...)
	case resp.KindBool:
		if v.Bool {
			buf = append(buf, "true"...)
		} else {
			buf = append(buf, "false"...)
		}
	case resp.KindArray, resp.KindSet, resp.KindPush, resp.KindMap:
		for i, e := range v.Elems {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendCSV(buf, e)
		}
	default:
		buf = append(buf, "NULL"...)
	}
	return buf
}
