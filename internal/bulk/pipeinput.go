package bulk

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"

	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/resp"
)

// Limits of PipeInput, the server's own (redis.conf and server.h).
const (
	// MaxInlineLen is the longest inline command line (PROTO_INLINE_MAX_SIZE).
	MaxInlineLen = 64 << 10
	// MaxPipeArgs is the largest argument count of one command.
	MaxPipeArgs = 1 << 20
	// MaxPipeBulk is the longest argument (proto-max-bulk-len).
	MaxPipeBulk = 512 << 20
)

// PipeInput reads commands in the forms a Redis server accepts on its
// socket, and redis-cli --pipe sends: RESP arrays of bulk strings, and
// inline commands (one per line, split by SplitArgs, as the server splits
// them). It follows the server's rules: an empty line and an array of
// zero or negative length are no command; anything else malformed is a
// *resp.ProtocolError worded as the server words it, after which the stream
// cannot be trusted.
//
// Memory is bounded by the command being read: the arguments Next returns
// point into a buffer reused by the next call.
type PipeInput struct {
	br   *bufio.Reader
	args [][]byte
	buf  []byte
	ends []int
}

// NewPipeInput returns a PipeInput reading r.
func NewPipeInput(r io.Reader) *PipeInput {
	return &PipeInput{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the arguments of the next command. They are valid until
// the next call. At the end of the input it returns io.EOF; input that
// ends inside a command is io.ErrUnexpectedEOF.
func (p *PipeInput) Next() ([][]byte, error) {
	for {
		first, err := p.br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, err
		}
		var args [][]byte
		if first[0] == '*' {
			args, err = p.readArray()
		} else {
			args, err = p.readInline()
		}
		if err != nil || len(args) > 0 {
			return args, err
		}
	}
}

// readLine reads a line of at most limit bytes and returns it without
// its "\n" (and without a "\r" before it). A last line without "\n" is
// returned with io.EOF when allowEOF.
func (p *PipeInput) readLine(limit int, tooBig string, allowEOF bool) ([]byte, error) {
	p.buf = p.buf[:0]
	for {
		chunk, err := p.br.ReadSlice('\n')
		p.buf = append(p.buf, chunk...)
		if len(p.buf) > limit {
			return nil, &resp.ProtocolError{Msg: "Protocol error: " + tooBig}
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(p.buf[:len(p.buf)-1], []byte("\r")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && allowEOF && len(p.buf) > 0:
			return bytes.TrimSuffix(p.buf, []byte("\r")), io.EOF
		case err == io.EOF:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// readInline reads one inline command; an empty line gives no arguments.
func (p *PipeInput) readInline() ([][]byte, error) {
	line, err := p.readLine(MaxInlineLen, "too big inline request", true)
	if err != nil && err != io.EOF {
		return nil, err
	}
	words, serr := cliargs.SplitArgs(string(line))
	if serr != nil {
		return nil, &resp.ProtocolError{Msg: "Protocol error: unbalanced quotes in request"}
	}
	p.args = p.args[:0]
	for _, w := range words {
		p.args = append(p.args, []byte(w))
	}
	return p.args, nil
}

// readArray reads "*N\r\n" and N bulk strings.
func (p *PipeInput) readArray() ([][]byte, error) {
	line, err := p.readLine(MaxInlineLen, "too big mbulk count string", false)
	if err != nil {
		return nil, err
	}
	n, ok := parseLen(line[1:])
	if !ok || n > MaxPipeArgs {
		return nil, &resp.ProtocolError{Msg: "Protocol error: invalid multibulk length"}
	}
	if n <= 0 {
		return nil, nil
	}
	// The arguments are appended to one buffer and sliced at the end, so
	// that growing the buffer does not leave earlier slices behind.
	p.buf, p.ends = p.buf[:0], p.ends[:0]
	for range n {
		head, err := p.br.ReadSlice('\n')
		if err != nil {
			if err == io.EOF {
				return nil, io.ErrUnexpectedEOF
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				return nil, &resp.ProtocolError{Msg: "Protocol error: too big bulk count string"}
			}
			return nil, err
		}
		if head[0] != '$' {
			return nil, &resp.ProtocolError{Msg: "Protocol error: expected '$', got '" + string(head[:1]) + "'"}
		}
		if len(head) < 3 || head[len(head)-2] != '\r' {
			return nil, &resp.ProtocolError{Msg: "Protocol error: invalid bulk length"}
		}
		size, ok := parseLen(head[1 : len(head)-2])
		if !ok || size < 0 || size > MaxPipeBulk {
			return nil, &resp.ProtocolError{Msg: "Protocol error: invalid bulk length"}
		}
		if err := p.readN(size + 2); err != nil {
			return nil, err
		}
		if p.buf[len(p.buf)-2] != '\r' || p.buf[len(p.buf)-1] != '\n' {
			return nil, &resp.ProtocolError{Msg: "Protocol error: bulk string not terminated by CRLF"}
		}
		p.buf = p.buf[:len(p.buf)-2]
		p.ends = append(p.ends, len(p.buf))
	}
	p.args = p.args[:0]
	from := 0
	for _, to := range p.ends {
		p.args = append(p.args, p.buf[from:to:to])
		from = to
	}
	return p.args, nil
}

// readN appends the next n bytes of input to p.buf. The buffer grows
// with the bytes that arrive, not with the length announced.
func (p *PipeInput) readN(n int) error {
	for n > 0 {
		chunk := min(n, 64<<10)
		start := len(p.buf)
		p.buf = slices.Grow(p.buf, chunk)[:start+chunk]
		if _, err := io.ReadFull(p.br, p.buf[start:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the input ends inside a command
			}
			return err
		}
		n -= chunk
	}
	return nil
}

// parseLen parses a length as the server's string2ll does: an optional
// minus sign and decimal digits, no leading zeros, no plus sign, no
// spaces.
func parseLen(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	if len(b) > 1 && (b[0] == '0' || b[0] == '-' && b[1] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || b[0] == '+' {
		return 0, false
	}
	return int(n), true
}
