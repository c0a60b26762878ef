package format

import (
	"strconv"

	"github.com/redish/redish/redisx"
)

// appendCSV appends v in redis-cli's CSV format, without the newline that
// ends the line: strings quoted and escaped, nil as NULL, errors as
// ERROR,"...", aggregates (maps too) flattened and comma-separated.
// Attributes are not shown.
func appendCSV(buf []byte, v redisx.Value) []byte {
	switch v.Kind {
	case redisx.KindError:
		buf = append(buf, "ERROR,"...)
		buf = Escape(buf, cstr(v.Str))
	case redisx.KindStatus, redisx.KindBulk, redisx.KindVerbatim:
		buf = Escape(buf, v.Str)
	case redisx.KindInt:
		buf = strconv.AppendInt(buf, v.Int, 10)
	case redisx.KindDouble:
		buf = append(buf, cstr(v.Str)...)
	case redisx.KindBigNumber:
		buf = append(buf, v.Str...)
	case redisx.KindBool:
		if v.Bool {
			buf = append(buf, "true"...)
		} else {
			buf = append(buf, "false"...)
		}
	case redisx.KindArray, redisx.KindSet, redisx.KindPush, redisx.KindMap:
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
