package resp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unsafe"
)

// Limits applied by a Reader unless configured otherwise.
const (
	// DefaultMaxBulk is the largest bulk string, blob error, verbatim
	// string or streamed string accepted: 512 MiB, the largest value
	// Redis stores.
	DefaultMaxBulk = 512 << 20
	// DefaultMaxLine is the longest line accepted: a status or error
	// reply, a number, a length. Redis's own status and error lines are
	// short (an "unknown command" error quotes at most 128 bytes of each
	// argument), but a script or a module may return a long error
	// message, so the limit is generous; a line that never ends costs at
	// most a few MiB before it is refused.
	DefaultMaxLine = 1 << 20
	// DefaultMaxDepth bounds the nesting of aggregates (and attributes).
	DefaultMaxDepth = 128
	// DefaultMaxElems bounds the declared element count of one aggregate.
	// It is a sanity check, not what bounds memory: storage for elements
	// grows with the elements that arrive (see MemPerByte).
	DefaultMaxElems = 1 << 30
)

// The memory a reply may cost. The reader plans every allocation it makes
// for a reply (element slices, strings, long lines) against a budget of
// MemPerByte bytes for each byte of the reply received so far, plus
// MemAllowance: a declared length or count is trusted only as far as the
// bytes that arrived pay for it, and what it does not pay for is
// allocated as the data arrives. The bound holds whatever a server
// declares; only nesting adds to it, at most a few hundred bytes per
// level.
const (
	// MemPerByte is 64: a reply element is a 96-byte Value and the
	// smallest element on the wire ("_\r\n") is 3 bytes, and an aggregate
	// whose declared count cannot be trusted yet is gathered in chunks
	// and copied once into its final slice: twice 32.
	MemPerByte = 64
	// MemAllowance is what a reply may allocate before any byte pays for
	// it: small aggregates and strings are allocated at their declared
	// size at once, as fast as possible.
	MemAllowance = 1 << 20
)

// valueSize is what one element of an aggregate costs in memory.
const valueSize = int64(unsafe.Sizeof(Value{}))

// bulkChunk is the most of a large bulk allocated ahead of the bytes
// actually arriving, so a hostile length does not allocate 512 MiB at once;
// minBulkChunk the least, when the budget has no room left.
const (
	bulkChunk    = 1 << 20
	minBulkChunk = 64
)

// Elements gathered before their aggregate can be allocated whole go in
// chunks of at most maxChunkElems elements, and at least minChunkElems
// when the budget has no room left: a declared count the bytes do not back
// costs at most minChunkElems values ahead of the data, per nesting level.
const (
	minChunkElems = 4
	maxChunkElems = 1024
)

// Reader reads RESP2 and RESP3 replies from a buffered stream.
//
// Any error it returns other than a clean io.EOF before the first byte of a
// reply is fatal for the stream: after a *ProtocolError or a short read the
// connection must be closed.
//
// Reading a reply of B bytes allocates at most MemPerByte·B bytes plus
// MemAllowance, plus a few hundred bytes per level of nesting, whatever
// lengths and counts the reply declares.
type Reader struct {
	br       *bufio.Reader
	MaxBulk  int // 0 means DefaultMaxBulk
	MaxLine  int // 0 means DefaultMaxLine
	MaxDepth int // 0 means DefaultMaxDepth

	// The current reply's bytes received and bytes allocated, and the
	// allowance (0 means MemAllowance; tests lower it).
	got, held, allowance int64
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

func (r *Reader) maxLine() int {
	if r.MaxLine > 0 {
		return r.MaxLine
	}
	return DefaultMaxLine
}

func (r *Reader) maxDepth() int {
	if r.MaxDepth > 0 {
		return r.MaxDepth
	}
	return DefaultMaxDepth
}

// room returns how many more bytes the current reply may allocate now.
func (r *Reader) room() int64 {
	allowance := r.allowance
	if allowance == 0 {
		allowance = MemAllowance
	}
	return MemPerByte*r.got + allowance - r.held
}

// afford reports whether n bytes fit in the reply's budget now.
func (r *Reader) afford(n int64) bool { return n <= r.room() }

// ReadValue reads one complete reply, including any attribute that
// precedes it. It returns io.EOF only when the stream ended cleanly before
// the reply's first byte, and io.ErrUnexpectedEOF when it ended inside one.
func (r *Reader) ReadValue() (Value, error) {
	r.got, r.held = 0, 0
	return r.readValue(0)
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
		if len(line)-3 > r.maxLine() {
			return nil, protoErr("line longer than %d bytes", r.maxLine())
		}
		r.got += int64(len(line))
		return line[:len(line)-2], nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, eofErr(err, first && len(line) == 0)
	}
	// A line longer than the buffer: gathered up to the limit (which
	// counts neither the type byte nor the CRLF), never beyond it.
	var buf []byte
	for {
		if len(buf)+len(line) > r.maxLine()+3 {
			return nil, protoErr("line longer than %d bytes", r.maxLine())
		}
		before := cap(buf)
		buf = append(buf, line...)
		if cap(buf) != before {
			r.held += int64(cap(buf))
		}
		r.got += int64(len(line))
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, eofErr(err, false)
		}
		line, err = r.br.ReadSlice('\n')
	}
	if len(buf) < 2 || buf[len(buf)-2] != '\r' {
		return nil, protoErr("line not terminated by CRLF")
	}
	return buf[:len(buf)-2], nil
}

// clone copies a line's bytes into the reply.
func (r *Reader) clone(b []byte) []byte {
	r.held += int64(len(b))
	return append([]byte{}, b...)
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
		return Value{Kind: KindStatus, Str: r.clone(rest)}, nil
	case '-':
		return Value{Kind: KindError, Str: r.clone(rest)}, nil
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
		return Value{Kind: KindDouble, Str: r.clone(rest)}, nil
	case '#':
		if len(rest) != 1 || (rest[0] != 't' && rest[0] != 'f') {
			return Value{}, protoErr("invalid boolean %q", trunc(rest))
		}
		return Value{Kind: KindBool, Bool: rest[0] == 't'}, nil
	case '(':
		if !validBigNumber(rest) {
			return Value{}, protoErr("invalid big number %q", trunc(rest))
		}
		return Value{Kind: KindBigNumber, Str: r.clone(rest)}, nil
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

// readBytes reads n bytes and the CRLF after them. A length the budget
// affords is allocated at once; a larger one grows with the bytes that
// really arrive, doubling from what the budget affords (at most
// bulkChunk), until the budget affords the whole length: a large value is
// held once, not twice.
func (r *Reader) readBytes(n int) ([]byte, error) {
	var b []byte
	if r.afford(int64(n)) {
		b = make([]byte, n)
		r.held += int64(n)
		m, err := io.ReadFull(r.br, b)
		r.got += int64(m)
		if err != nil {
			return nil, eofErr(err, false)
		}
	} else {
		first := min(bulkChunk, max(minBulkChunk, r.room()))
		b = make([]byte, 0, first)
		r.held += first
		for len(b) < n {
			if len(b) == cap(b) {
				size := min(n, 2*cap(b))
				if int64(n) <= r.room()+int64(cap(b)) {
					size = n // affordable once b is dropped
				}
				nb := make([]byte, len(b), size)
				// The smaller buffer is dropped: what the reply holds
				// grows by the difference.
				r.held += int64(size - cap(b))
				copy(nb, b)
				b = nb
			}
			m, err := io.ReadFull(r.br, b[len(b):cap(b)])
			b = b[:len(b)+m]
			r.got += int64(m)
			if err != nil {
				return nil, eofErr(err, false)
			}
		}
	}
	if err := r.readCRLF(); err != nil {
		return nil, err
	}
	return b, nil
}

// readCRLF reads the CRLF that ends a string.
func (r *Reader) readCRLF() error {
	cr, err := r.br.ReadByte()
	if err != nil {
		return eofErr(err, false)
	}
	lf, err := r.br.ReadByte()
	if err != nil {
		return eofErr(err, false)
	}
	if cr != '\r' || lf != '\n' {
		return protoErr("bulk not terminated by CRLF")
	}
	r.got += 2
	return nil
}

// readStreamedString reads the chunks of a streamed string ($?) into
// blocks that grow with the string (from minBulkChunk to bulkChunk), and
// joins the blocks once at the end: whatever the chunk sizes, each byte is
// held at most twice, plus the unused end of the last block.
func (r *Reader) readStreamedString() (Value, error) {
	var blocks [][]byte
	var cur []byte
	total := 0
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
			break
		}
		if n > int64(r.maxBulk()-total) {
			return Value{}, protoErr("streamed string exceeds the %d byte limit", r.maxBulk())
		}
		for left := int(n); left > 0; {
			if len(cur) == cap(cur) {
				if cur != nil {
					if cap(blocks) == len(blocks) {
						r.held += int64(2*len(blocks)+1) * int64(unsafe.Sizeof(cur))
					}
					blocks = append(blocks, cur)
				}
				size := min(bulkChunk, max(minBulkChunk, total))
				cur = make([]byte, 0, size)
				r.held += int64(size)
			}
			m, err := io.ReadFull(r.br, cur[len(cur):len(cur)+min(left, cap(cur)-len(cur))])
			cur = cur[:len(cur)+m]
			r.got += int64(m)
			total += m
			left -= m
			if err != nil {
				return Value{}, eofErr(err, false)
			}
		}
		if err := r.readCRLF(); err != nil {
			return Value{}, err
		}
	}
	if len(blocks) == 0 {
		if cur == nil {
			cur = []byte{}
		}
		return Value{Kind: KindBulk, Str: cur}, nil
	}
	buf := make([]byte, 0, total)
	r.held += int64(total)
	for _, b := range blocks {
		buf = append(buf, b...)
	}
	return Value{Kind: KindBulk, Str: append(buf, cur...)}, nil
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
		elems, err := r.readElems(-1, depth)
		if err != nil {
			return Value{}, err
		}
		if len(elems)%per != 0 {
			return Value{}, protoErr("streamed map with an odd number of elements")
		}
		return Value{Kind: kind, Elems: elems}, nil
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
	elems, err := r.readElems(int(n)*per, depth)
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: kind, Elems: elems}, nil
}

// readElems reads the count elements of an aggregate, or those of a
// streamed aggregate up to its end marker when count is -1.
//
// A count the budget affords gets its slice at once. Otherwise the
// elements are gathered in chunks as they arrive, sized by the room left
// in the budget, until the budget affords the whole count (the chunks are
// then copied into a slice of that size, which takes the rest directly)
// or the aggregate ends (the chunks are copied into a slice of the size
// that arrived).
func (r *Reader) readElems(count, depth int) ([]Value, error) {
	if count == 0 {
		return []Value{}, nil
	}
	if count > 0 && r.afford(int64(count)*valueSize) {
		return r.readElemsInto(make([]Value, count), 0, depth)
	}
	var (
		chunks [][]Value
		cur    []Value
		n      int
	)
	for count < 0 || n < count {
		if count < 0 {
			end, err := r.streamEnd()
			if err != nil {
				return nil, err
			}
			if end {
				break
			}
			if n >= DefaultMaxElems {
				return nil, protoErr("streamed aggregate exceeds the element limit")
			}
		}
		if len(cur) == cap(cur) {
			if count > 0 && r.afford(int64(count)*valueSize) {
				return r.readElemsInto(joinChunks(make([]Value, count), chunks, cur), n, depth)
			}
			if cur != nil {
				if cap(chunks) == len(chunks) {
					r.held += int64(2*len(chunks)+1) * int64(unsafe.Sizeof(cur))
				}
				chunks = append(chunks, cur)
			}
			size := min(maxChunkElems, max(minChunkElems, r.room()/valueSize))
			if count > 0 {
				size = min(size, int64(count-n))
			}
			cur = make([]Value, 0, size)
			r.held += size * valueSize
		}
		e, err := r.readValue(depth + 1)
		if err != nil {
			return nil, err
		}
		cur = append(cur, e)
		n++
	}
	if n == 0 {
		return []Value{}, nil
	}
	if len(chunks) == 0 && len(cur) == cap(cur) {
		return cur, nil
	}
	r.held += int64(n) * valueSize
	return joinChunks(make([]Value, n), chunks, cur), nil
}

// readElemsInto reads elements into elems from index i on. It charges
// elems to the budget.
func (r *Reader) readElemsInto(elems []Value, i, depth int) ([]Value, error) {
	r.held += int64(len(elems)) * valueSize
	for ; i < len(elems); i++ {
		e, err := r.readValue(depth + 1)
		if err != nil {
			return nil, err
		}
		elems[i] = e
	}
	return elems, nil
}

// joinChunks copies the chunks, then last, to the start of dst.
func joinChunks(dst []Value, chunks [][]Value, last []Value) []Value {
	i := 0
	for _, c := range chunks {
		i += copy(dst[i:], c)
	}
	copy(dst[i:], last)
	return dst
}

// streamEnd reports whether the end marker of a streamed aggregate comes
// next, and consumes it.
func (r *Reader) streamEnd() (bool, error) {
	b, err := r.br.Peek(1)
	if err != nil {
		return false, eofErr(err, false)
	}
	if b[0] != '.' {
		return false, nil
	}
	b, err = r.br.Peek(3)
	if err != nil {
		return false, eofErr(err, false)
	}
	if b[1] != '\r' || b[2] != '\n' {
		return false, protoErr("invalid end of streamed aggregate")
	}
	r.br.Discard(3)
	r.got += 3
	return true, nil
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
