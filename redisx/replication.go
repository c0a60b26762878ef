package redisx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/redish/redish/resp"
)

// The replication handshake, as a replica (or redis-cli --rdb and
// --replica) speaks it:
//
//	REPLCONF capa eof          -> +OK   the replica accepts a diskless payload
//	REPLCONF rdb-only 1        -> +OK   close the link after the RDB (Redis 7)
//	REPLCONF rdb-filter-only F -> +OK   only the parts F of the RDB (Redis 7)
//	SYNC                       -> payload, then the stream of commands
//	PSYNC replid offset        -> +FULLRESYNC replid offset, payload, stream
//	                           -> +CONTINUE [replid], stream
//
// The payload is an RDB file introduced by one of two headers:
//
//	$<len>\r\n<len bytes>                  written from a file on disk
//	$EOF:<40 random bytes>\r\n<rdb><mark>  streamed (diskless): the RDB ends
//	                                       where the 40 bytes appear again
//
// While the primary prepares the RDB it sends single "\n" bytes to keep the
// link alive; they come before the header and are skipped.

// EOFMarkLen is the length of the marker that ends a diskless payload.
const EOFMarkLen = 40

// maxSyncLine bounds a header line of the replication handshake
// ("+FULLRESYNC <40 bytes> <offset>" is about 70 bytes).
const maxSyncLine = 1024

// ReplConf sends REPLCONF with args and waits for the reply. An error
// reply is returned as a *resp.RedisError and leaves the connection usable;
// servers older than the option refuse it that way.
func (c *Conn) ReplConf(ctx context.Context, args ...string) error {
	all := make([][]byte, 0, len(args)+1)
	all = append(all, []byte("REPLCONF"))
	for _, a := range args {
		all = append(all, []byte(a))
	}
	v, err := c.Do(ctx, all...)
	if err != nil {
		return err
	}
	if v.Kind == resp.KindError {
		return &resp.RedisError{Msg: string(v.Str)}
	}
	return nil
}

// ReplAck sends REPLCONF ACK offset, to which a primary sends no reply.
// Unlike the other methods it writes straight to the connection, so it may
// be called from one goroutine while another waits in ReadReply for the
// replication stream. It must not run at the same time as another write.
func (c *Conn) ReplAck(offset int64) error {
	b := resp.AppendCommandStrings(nil, "REPLCONF", "ACK", strconv.FormatInt(offset, 10))
	if _, err := c.nc.Write(b); err != nil {
		return &ConnError{Op: "write", Addr: c.addr, Err: err, Sent: true}
	}
	return nil
}

// Sync sends SYNC and returns the RDB payload the primary answers with.
// Read the payload to its end (io.EOF) before reading the replication
// stream with ReadReply; a primary told REPLCONF rdb-only closes the
// connection after the payload instead.
//
// A refusal ("-ERR ...") is returned as a *resp.RedisError. The payload's reads
// honour ctx and the options' Timeout, which then bounds each read, not
// the whole transfer.
func (c *Conn) Sync(ctx context.Context) (*RDBPayload, error) {
	c.Write([]byte("SYNC"))
	if err := c.Flush(ctx); err != nil {
		return nil, err
	}
	line, err := c.readSyncLine(ctx)
	if err != nil {
		return nil, err
	}
	return c.payload(ctx, line)
}

// PSyncResult is a primary's answer to PSYNC.
type PSyncResult struct {
	// FullResync is true for +FULLRESYNC: Payload holds the RDB, and the
	// stream follows it. It is false for +CONTINUE: the stream follows at
	// once and Payload is nil.
	FullResync bool
	// ReplID is the primary's replication ID (empty when a +CONTINUE does
	// not name one).
	ReplID string
	// Offset is the replication offset the RDB corresponds to
	// (+FULLRESYNC only).
	Offset int64
	// Payload is the RDB of a full resynchronisation.
	Payload *RDBPayload
}

// PSync sends PSYNC replID offset ("?" and -1 ask for a full
// resynchronisation) and reads the answer. A refusal is a *resp.RedisError.
// The payload's reads honour ctx, as for Sync.
func (c *Conn) PSync(ctx context.Context, replID string, offset int64) (*PSyncResult, error) {
	c.Write([]byte("PSYNC"), []byte(replID), strconv.AppendInt(nil, offset, 10))
	if err := c.Flush(ctx); err != nil {
		return nil, err
	}
	line, err := c.readSyncLine(ctx)
	if err != nil {
		return nil, err
	}
	if msg, ok := strings.CutPrefix(line, "-"); ok {
		return nil, &resp.RedisError{Msg: msg}
	}
	fields := strings.Fields(line)
	switch {
	case len(fields) == 3 && fields[0] == "+FULLRESYNC":
		off, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return nil, c.fail(ctx, &resp.ProtocolError{Msg: "PSYNC: bad offset in " + strconv.Quote(line)})
		}
		header, err := c.readSyncLine(ctx)
		if err != nil {
			return nil, err
		}
		p, err := c.payload(ctx, header)
		if err != nil {
			return nil, err
		}
		return &PSyncResult{FullResync: true, ReplID: fields[1], Offset: off, Payload: p}, nil
	case len(fields) >= 1 && len(fields) <= 2 && fields[0] == "+CONTINUE":
		r := &PSyncResult{}
		if len(fields) == 2 {
			r.ReplID = fields[1]
		}
		return r, nil
	}
	return nil, c.fail(ctx, &resp.ProtocolError{Msg: "PSYNC: unexpected answer " + strconv.Quote(line)})
}

// readSyncLine reads one line of the handshake, skipping the keep-alive
// newlines a primary sends while it prepares the RDB. Each newline renews
// the Timeout, so a long BGSAVE does not count against it.
func (c *Conn) readSyncLine(ctx context.Context) (string, error) {
	if c.err != nil {
		return "", c.err
	}
	stop := c.arm(ctx)
	defer func() { stop() }()
	var line []byte
	for {
		b, err := c.br.ReadByte()
		if err != nil {
			return "", c.fail(ctx, &ConnError{Op: "read", Addr: c.addr, Err: unexpectedEOF(err), Sent: true})
		}
		if b == '\n' {
			if len(line) == 0 {
				stop()
				stop = c.arm(ctx)
				continue
			}
			break
		}
		line = append(line, b)
		if len(line) > maxSyncLine {
			return "", c.fail(ctx, &resp.ProtocolError{Msg: "replication header longer than " + strconv.Itoa(maxSyncLine) + " bytes"})
		}
	}
	return strings.TrimSuffix(string(line), "\r"), nil
}

// payload parses the header of an RDB payload.
func (c *Conn) payload(ctx context.Context, line string) (*RDBPayload, error) {
	if msg, ok := strings.CutPrefix(line, "-"); ok {
		return nil, &resp.RedisError{Msg: msg}
	}
	rest, ok := strings.CutPrefix(line, "$")
	if !ok {
		return nil, c.fail(ctx, &resp.ProtocolError{Msg: "expected an RDB payload, got " + strconv.Quote(line)})
	}
	p := &RDBPayload{c: c, ctx: ctx}
	if mark, ok := strings.CutPrefix(rest, "EOF:"); ok && len(mark) >= EOFMarkLen {
		p.size = -1
		p.mark = []byte(mark[:EOFMarkLen])
		p.hold = make([]byte, 0, EOFMarkLen)
		return p, nil
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n < 0 {
		return nil, c.fail(ctx, &resp.ProtocolError{Msg: "bad RDB payload length " + strconv.Quote(line)})
	}
	p.size, p.left = n, n
	return p, nil
}

// RDBPayload is the RDB file a primary sends after SYNC or a full PSYNC.
// It is an io.Reader over the file's bytes: the header is gone and, for a
// diskless payload, so is the end marker. It never holds more than the
// connection's read buffer and one marker's length in memory, whatever
// the size of the RDB.
//
// Read returns io.EOF at the end of the payload; an error of the
// connection is a *ConnError (io.ErrUnexpectedEOF when the primary closed
// the link early), after which the Conn is broken.
type RDBPayload struct {
	c   *Conn
	ctx context.Context

	size int64 // declared length; -1 for a diskless payload
	left int64 // bytes of a sized payload not yet read

	mark    []byte // the end marker of a diskless payload
	hold    []byte // the last bytes seen, which may start the marker
	out     []byte // bytes known to be payload, not yet returned
	scratch []byte

	n    int64 // bytes returned so far
	done bool
	err  error
}

// Size returns the payload's length as the header declared it, or -1 for
// a diskless payload, whose length is known only at its end.
func (p *RDBPayload) Size() int64 { return p.size }

// Diskless reports whether the payload ends with an EOF marker.
func (p *RDBPayload) Diskless() bool { return p.size < 0 }

// N returns the number of payload bytes read so far.
func (p *RDBPayload) N() int64 { return p.n }

// Read reads payload bytes into b.
func (p *RDBPayload) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if len(b) == 0 {
		return 0, nil
	}
	if p.size >= 0 {
		return p.readSized(b)
	}
	for len(p.out) == 0 {
		if p.done {
			return 0, io.EOF
		}
		if err := p.fill(); err != nil {
			p.err = err
			return 0, err
		}
	}
	n := copy(b, p.out)
	p.out = p.out[n:]
	p.n += int64(n)
	return n, nil
}

func (p *RDBPayload) readSized(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	c := p.c
	stop := c.arm(p.ctx)
	n, err := c.br.Read(b)
	stop()
	p.left -= int64(n)
	p.n += int64(n)
	if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
		p.err = c.fail(p.ctx, &ConnError{Op: "read", Addr: c.addr, Err: unexpectedEOF(err), Sent: true})
		return n, p.err
	}
	return n, nil
}

// fill reads what the connection has buffered (at least one byte) and
// moves to p.out every byte that cannot belong to the end marker. The
// bytes after the marker stay in the connection's buffer: they are the
// start of the replication stream.
func (p *RDBPayload) fill() error {
	c := p.c
	stop := c.arm(p.ctx)
	_, err := c.br.Peek(1)
	stop()
	if err != nil {
		return c.fail(p.ctx, &ConnError{Op: "read", Addr: c.addr, Err: unexpectedEOF(err), Sent: true})
	}
	chunk, _ := c.br.Peek(c.br.Buffered())
	p.scratch = append(append(p.scratch[:0], p.hold...), chunk...)
	if i := bytes.Index(p.scratch, p.mark); i >= 0 {
		// The marker ends in chunk, since hold is shorter than it.
		c.br.Discard(i + len(p.mark) - len(p.hold))
		p.out = p.scratch[:i]
		p.hold = p.hold[:0]
		p.done = true
		return nil
	}
	c.br.Discard(len(chunk))
	keep := min(len(p.scratch), len(p.mark)-1)
	release := len(p.scratch) - keep
	p.hold = append(p.hold[:0], p.scratch[release:]...)
	p.out = p.scratch[:release]
	return nil
}
