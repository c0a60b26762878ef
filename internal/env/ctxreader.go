package env

import (
	"context"
	"io"
)

// ContextReader returns a reader of r whose Read returns ctx's error once
// ctx is done, even while r's Read blocks. That Read goes on in the
// background and its result is dropped: use it for a stream read until
// the program exits (stdin).
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return &ctxReader{ctx: ctx, r: r}
}

type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	pend chan readResult // the read in flight, if any
}

type readResult struct {
	b   []byte
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.pend == nil {
		c.pend = make(chan readResult, 1)
		buf := make([]byte, len(p))
		go func(ch chan<- readResult) {
			n, err := c.r.Read(buf)
			ch <- readResult{buf[:n], err}
		}(c.pend)
	}
	select {
	case res := <-c.pend:
		c.pend = nil
		return copy(p, res.b), res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}
