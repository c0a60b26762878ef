package redisx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits applied by a Reader unless configured otherwise.
const (
	// DefaultMaxBulk is the largest bulk string, blob error, verbatim
	// string or line accepted: 512 MiB, the largest value Redis stores.
	DefaultMaxBulk = 512 << 20
	// DefaultMaxDepth bounds the nesting of aggregates (and attributes).
	DefaultMaxDepth = 128
	// DefaultMaxElems bounds the declared element count of one aggregate.
	DefaultMaxElems = 1 << 30
)

// bulkChunk is how much of a large bulk is allocated ahead of the bytes
// actually arriving, so a hostile length does not allocate 512 MiB at once.
const bulkChunk = 1 << 20

// bulkFullShare: once 1/bulkFullShare of a large bulk has arrived, its
// buffer is allocated at its full size; until then the buffer doubles from
// bulkChunk. A declared length thus costs at most bulkFullShare times the
// bytes really sent, and the smaller buffers left behind while growing add
// at most bulkChunk, or less than 4/bulkFullShare (1/16) of the value when
// that is more, to the peak: a large value is held once, not twice.
const bulkFullShare = 64

// Reader reads RESP2 and RESP3 replies from a buffered stream.
//
// Any error it returns other than a clean io.EOF before the first byte of a
// reply is fatal for the stream: after a *ProtocolError or a short read the
// connection must be closed.
type Reader struct {
	br       *bufio.Reader
	MaxBulk  int // 0 means DefaultMaxBulk
	MaxDepth int // 0 means DefaultMaxDepth
}

// NewReader returns a Reader over br with the default limits.
func NewReader(br *bufio.Reader) *Reader {
	return &Reader{br: br}
}

// Buffered returns the number of bytes read ahead and not yet consumed.
func (r *Reader) Buffered() int { return r.br.Buffered() }

func (r *Reader) maxBulk() int {
	if r.MaxBulk > 0 {
		return r.MaxBulk
	}
	return DefaultMaxBulk
}

func (r *Reader) maxDepth() int {
	if r.MaxDepth > 0 {
		return r.MaxDepth
	}
	return DefaultMaxDepth
}

// ReadValue reads one complete reply, including any attribute that
// precedes it. It returns io.EOF only when the stream ended cleanly before
// the reply's first byte, and io.ErrUnexpectedEOF when it ended inside one.
func (r *Reader) ReadValue() (Value, error) {
	v, err := r.readValue(0)
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

func protoErr(format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, args...)}
}

// readLine returns the line without its CRLF. The slice is only valid until
// the next read.
func (r *Reader) readLine(first bool) ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == nil {
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return nil, protoErr("line not terminated by CRLF")
		}
		return line[:len(line)-2], nil
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		buf := append([]byte(nil), line...)
		for {
			line, err = r.br.ReadSlice('\n')
			buf = append(buf, line...)
			if len(buf) > r.maxBulk()+32 {
				return nil, protoErr("line longer than %d bytes", r.maxBulk())
			}
			if err == nil {
				break
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return nil, eofErr(err, false)
			}
		}
		if len(buf) < 2 || buf[len(buf)-2] != '\r' {
			return nil, protoErr("line not terminated by CRLF")
		}
		return buf[:len(buf)-2], nil
	}
	return nil, eofErr(err, first && len(line) == 0)
}

// eofErr turns an io.EOF inside a reply into io.ErrUnexpectedEOF.
func eofErr(err error, clean bool) error {
	if err == io.EOF && !clean {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) readValue(depth int) (Value, error) {
	if depth > r.maxDepth() {
		return Value{}, protoErr("reply nested deeper than %d levels", r.maxDepth())
	}
	line, err := r.readLine(depth == 0)
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, protoErr("empty line where a reply was expected")
	}
	typ, rest := line[0], line[1:]
	switch typ {
	case '+':
		return Value{Kind: KindStatus, Str: clone(rest)}, nil
	case '-':
		return Value{Kind: KindError, Str: clone(rest)}, nil
	case ':':
		n, err := parseInt(rest)
		if err != nil {
			return Value{}, protoErr("invalid integer %q", trunc(rest))
		}
		return Value{Kind: KindInt, Int: n}, nil
	case '_':
		if len(rest) != 0 {
			return Value{}, protoErr("invalid null %q", trunc(line))
		}
		return Value{Kind: KindNil}, nil
	case ',':
		if !validDouble(rest) {
			return Value{}, protoErr("invalid double %q", trunc(rest))
		}
		return Value{Kind: KindDouble, Str: clone(rest)}, nil
	case '#':
		if len(rest) != 1 || (rest[0] != 't' && rest[0] != 'f') {
			return Value{}, protoErr("invalid boolean %q", trunc(rest))
		}
		return Value{Kind: KindBool, Bool: rest[0] == 't'}, nil
	case '(':
		if !validBigNumber(rest) {
			return Value{}, protoErr("invalid big number %q", trunc(rest))
		}
		return Value{Kind: KindBigNumber, Str: clone(rest)}, nil
	case '$', '!', '=':
		return r.readBlob(typ, rest)
	case '*', '~', '>', '%':
		return r.readAggregate(typ, rest, depth)
	case '|':
		attrs, err := r.readAggregate('%', rest, depth)
		if err != nil {
			return Value{}, err
		}
		v, err := r.readValue(depth + 1)
		if err != nil {
			return Value{}, err
		}
		if v.Attrs != nil {
			// Consecutive attributes annotate the same reply: keep them all.
			attrs.Elems = append(attrs.Elems, v.Attrs.Elems...)
		}
		v.Attrs = &attrs
		return v, nil
	default:
		return Value{}, protoErr("unknown reply type byte %q", typ)
	}
}

func (r *Reader) readBlob(typ byte, rest []byte) (Value, error) {
	kind := KindBulk
	switch typ {
	case '!':
		kind = KindError
	case '=':
		kind = KindVerbatim
	}
	if typ == '$' && len(rest) == 1 && rest[0] == '?' {
		return r.readStreamedString()
	}
	n, err := parseInt(rest)
	if err != nil || n < -1 {
		return Value{}, protoErr("invalid length %q", trunc(rest))
	}
	if n == -1 {
		if typ != '$' {
			return Value{}, protoErr("invalid length -1 for type %q", typ)
		}
		return Value{Kind: KindNil}, nil
	}
	if n > int64(r.maxBulk()) {
		return Value{}, protoErr("bulk of %d bytes exceeds the %d byte limit", n, r.maxBulk())
	}
	b, err := r.readBytes(int(n))
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: kind, Str: b}
	if kind == KindVerbatim {
		if len(b) < 4 || b[3] != ':' {
			return Value{}, protoErr("verbatim string without a format prefix")
		}
		v.Format = string(b[:3])
		v.Str = b[4:]
	}
	return v, nil
}

// readBytes reads n bytes and the CRLF after them. Large payloads are read
// into a buffer that grows with the bytes that really arrive (see
// bulkFullShare).
func (r *Reader) readBytes(n int) ([]byte, error) {
	b := make([]byte, 0, min(n, bulkChunk))
	for len(b) < n {
		if len(b) == cap(b) {
			size := min(n, 2*cap(b))
			if len(b) >= n/bulkFullShare {
				size = n
			}
			nb := make([]byte, len(b), size)
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(r.br, b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err != nil {
			return nil, eofErr(err, false)
		}
	}
	var crlf [2]byte
	if _, err := io.ReadFull(r.br, crlf[:]); err != nil {
		return nil, eofErr(err, false)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return nil, protoErr("bulk not terminated by CRLF")
	}
	return b, nil
}

func (r *Reader) readStreamedString() (Value, error) {
	var buf []byte
	for {
		line, err := r.readLine(false)
		if err != nil {
			return Value{}, err
		}
		if len(line) == 0 || line[0] != ';' {
			return Value{}, protoErr("invalid streamed string chunk header %q", trunc(line))
		}
		n, err := parseInt(line[1:])
		if err != nil || n < 0 {
			return Value{}, protoErr("invalid streamed string chunk length %q", trunc(line[1:]))
		}
		if n == 0 {
			if buf == nil {
				buf = []byte{}
			}
			return Value{Kind: KindBulk, Str: buf}, nil
		}
		if n > int64(r.maxBulk()-len(buf)) {
			return Value{}, protoErr("streamed string exceeds the %d byte limit", r.maxBulk())
		}
		chunk, err := r.readBytes(int(n))
		if err != nil {
			return Value{}, err
		}
		buf = append(buf, chunk...)
	}
}

func (r *Reader) readAggregate(typ byte, rest []byte, depth int) (Value, error) {
	var kind Kind
	switch typ {
	case '*':
		kind = KindArray
	case '~':
		kind = KindSet
	case '>':
		kind = KindPush
	case '%':
		kind = KindMap
	}
	per := 1
	if kind == KindMap {
		per = 2
	}
	if len(rest) == 1 && rest[0] == '?' {
		return r.readStreamedAggregate(kind, per, depth)
	}
	n, err := parseInt(rest)
	if err != nil || n < -1 {
		return Value{}, protoErr("invalid aggregate length %q", trunc(rest))
	}
	if n == -1 {
		return Value{Kind: KindNil}, nil
	}
	if n > DefaultMaxElems {
		return Value{}, protoErr("aggregate of %d elements exceeds the limit", n)
	}
	total := int(n) * per
	// Pre-allocate only what a sane reply would hold; a hostile count grows
	// with the elements that really arrive.
	elems := make([]Value, 0, min(total, 1024))
	for i := 0; i < total; i++ {
		e, err := r.readValue(depth + 1)
		if err != nil {
			return Value{}, err
		}
		elems = append(elems, e)
	}
	return Value{Kind: kind, Elems: elems}, nil
}

func (r *Reader) readStreamedAggregate(kind Kind, per, depth int) (Value, error) {
	elems := []Value{}
	for {
		b, err := r.br.Peek(3)
		if err != nil {
			return Value{}, eofErr(err, false)
		}
		if b[0] == '.' {
			if b[1] != '\r' || b[2] != '\n' {
				return Value{}, protoErr("invalid end of streamed aggregate")
			}
			r.br.Discard(3)
			if len(elems)%per != 0 {
				return Value{}, protoErr("streamed map with an odd number of elements")
			}
			return Value{Kind: kind, Elems: elems}, nil
		}
		if len(elems) >= DefaultMaxElems {
			return Value{}, protoErr("streamed aggregate exceeds the element limit")
		}
		e, err := r.readValue(depth + 1)
		if err != nil {
			return Value{}, err
		}
		elems = append(elems, e)
	}
}

func clone(b []byte) []byte {
	return append([]byte{}, b...)
}

func trunc(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// parseInt parses a signed decimal with no leading '+', no spaces and no
// overflow. Lengths are parsed on every reply, so short numbers avoid the
// allocation of strconv.
func parseInt(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, errBadInt
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 {
		return 0, errBadInt
	}
	if len(digits) > 18 {
		if digits[0] == '+' {
			return 0, errBadInt
		}
		return strconv.ParseInt(string(b), 10, 64)
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, errBadInt
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

var errBadInt = errors.New("bad integer")

func validDouble(b []byte) bool {
	switch string(bytes.ToLower(b)) {
	case "inf", "-inf", "+inf", "nan", "-nan":
		return true
	}
	if len(b) == 0 || len(b) > 400 {
		return false
	}
	_, err := strconv.ParseFloat(string(b), 64)
	if err == nil {
		return true
	}
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

func validBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
