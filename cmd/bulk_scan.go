package cmd

import (
	"context"
	"errors"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// defaultScanCount is the COUNT hint --scan sends when --count is not
// given. redis-cli sends 10, which costs a round trip per ten keys; a
// thousand keys per call lists a large keyspace many times faster and
// still keeps each SCAN call short on the server.
const defaultScanCount = 1000

// keyScanner lists keys with SCAN: redisx.Client scans its server,
// redisx.ClusterClient every primary at once.
type keyScanner interface {
	ScanKeys(ctx context.Context, o redisx.ScanOptions, fn func(keys []resp.Value) error) error
}

var (
	_ keyScanner = (*redisx.Client)(nil)
	_ keyScanner = (*redisx.ClusterClient)(nil)
)

// runScanMode is --scan: every key matching --pattern (or
// --quoted-pattern), one per line, quoted in the human format and as is
// otherwise, as redis-cli prints them. -i pauses after each SCAN call.
// Keys with a NUL byte are printed whole (redis-cli cuts them at the NUL).
func (c *config) runScanMode(ctx context.Context, client session, p *printer) error {
	b := &c.o.Bulk
	o := redisx.ScanOptions{
		Match:    b.Pattern,
		Count:    b.Count,
		Interval: time.Duration(c.o.Interval * float64(time.Second)),
	}
	if flagGiven(c.fs, "quoted-pattern") {
		u, err := cliargs.UnquoteArg(b.QuotedPattern)
		if err != nil {
			return &exitError{code: 1, msg: "Invalid quoted string specified for --quoted-pattern."}
		}
		o.Match = u
	}
	if o.Count <= 0 {
		o.Count = defaultScanCount
	}
	ks, ok := client.(keyScanner)
	if !ok {
		return &exitError{code: 1, msg: "--scan is not supported by this connection"}
	}
	tty := c.format.Mode == format.TTY
	ttyOpts := format.DefaultOptions(format.TTY)
	err := ks.ScanKeys(ctx, o, func(keys []resp.Value) error {
		for _, k := range keys {
			if tty {
				p.buf = format.Append(p.buf[:0], resp.Bulk(k.Str), ttyOpts)
				if _, err := p.w.Write(p.buf); err != nil {
					return err
				}
				continue
			}
			p.w.Write(k.Str)
			if err := p.w.WriteByte('\n'); err != nil {
				return err
			}
		}
		return p.flush()
	})
	if ferr := p.flush(); err == nil {
		err = ferr
	}
	var se *redisx.ScanError
	if errors.As(err, &se) {
		return &exitError{code: 1, msg: se.Error()}
	}
	return err
}
