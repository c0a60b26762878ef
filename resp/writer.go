package resp

import "strconv"

// AppendCommand appends args encoded as a RESP array of bulk strings, the
// form every Redis command is sent in, and returns the extended buffer.
func AppendCommand(buf []byte, args [][]byte) []byte { return appendCommand(buf, args) }

// AppendCommandStrings is AppendCommand for string arguments.
func AppendCommandStrings(buf []byte, args ...string) []byte { return appendCommand(buf, args) }

func appendCommand[T string | []byte](buf []byte, args []T) []byte {
	buf = appendHeader(buf, '*', int64(len(args)))
	for _, a := range args {
		buf = appendHeader(buf, '$', int64(len(a)))
		buf = append(buf, a...)
		buf = append(buf, '\r', '\n')
	}
	return buf
}

// AppendValue appends v in RESP3 wire form (with its attributes, if any).
// Servers written for tests use it to script replies; the fuzz target uses
// it to check that what the Reader accepts survives a round trip.
func AppendValue(buf []byte, v Value) []byte {
	if v.Attrs != nil {
		buf = appendHeader(buf, '|', int64(v.Attrs.Len()))
		for _, e := range v.Attrs.Elems {
			buf = AppendValue(buf, e)
		}
	}
	switch v.Kind {
	case KindStatus:
		buf = appendLine(buf, '+', v.Str)
	case KindError:
		if bytesHasCRLF(v.Str) {
			buf = appendHeader(buf, '!', int64(len(v.Str)))
			buf = append(append(buf, v.Str...), '\r', '\n')
		} else {
			buf = appendLine(buf, '-', v.Str)
		}
	case KindInt:
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, v.Int, 10)
		buf = append(buf, '\r', '\n')
	case KindBulk:
		buf = appendHeader(buf, '$', int64(len(v.Str)))
		buf = append(append(buf, v.Str...), '\r', '\n')
	case KindNil:
		buf = append(buf, '_', '\r', '\n')
	case KindDouble:
		buf = appendLine(buf, ',', v.Str)
	case KindBool:
		if v.Bool {
			buf = append(buf, "#t\r\n"...)
		} else {
			buf = append(buf, "#f\r\n"...)
		}
	case KindVerbatim:
		f := v.Format
		if len(f) != 3 {
			f = "txt"
		}
		buf = appendHeader(buf, '=', int64(len(v.Str)+4))
		buf = append(buf, f...)
		buf = append(buf, ':')
		buf = append(append(buf, v.Str...), '\r', '\n')
	case KindBigNumber:
		buf = appendLine(buf, '(', v.Str)
	case KindArray, KindSet, KindPush, KindMap:
		buf = appendHeader(buf, aggregateType(v.Kind), int64(v.Len()))
		for _, e := range v.Elems {
			buf = AppendValue(buf, e)
		}
	}
	return buf
}

// aggregateType returns the RESP type byte of an aggregate kind.
func aggregateType(k Kind) byte {
	switch k {
	case KindSet:
		return '~'
	case KindPush:
		return '>'
	case KindMap:
		return '%'
	}
	return '*'
}

func appendHeader(buf []byte, typ byte, n int64) []byte {
	buf = append(buf, typ)
	buf = strconv.AppendInt(buf, n, 10)
	return append(buf, '\r', '\n')
}

func appendLine(buf []byte, typ byte, s []byte) []byte {
	buf = append(buf, typ)
	buf = append(buf, s...)
	return append(buf, '\r', '\n')
}

func bytesHasCRLF(b []byte) bool {
	for _, c := range b {
		if c == '\r' || c == '\n' {
			return true
		}
	}
	return false
}
