package bulk

import (
	"context"
	"errors"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// DefaultScanCount is the COUNT hint --scan sends when --count is not
// given. redis-cli sends 10, which costs a round trip per ten keys; a
// thousand keys per call lists a large keyspace many times faster and
// still keeps each SCAN call short on the server.
const DefaultScanCount = 1000

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
func runScan(ctx context.Context, e *env.Env, o Options) error {
	p := e.Printer
	so := redisx.ScanOptions{
		Match:    o.Match,
		Count:    o.Count,
		Interval: o.Interval,
	}
	if so.Count <= 0 {
		so.Count = DefaultScanCount
	}
	ks, ok := e.Session.(keyScanner)
	if !ok {
		return env.Fail("--scan is not supported by this connection")
	}
	tty := p.Format().Mode == format.TTY
	ttyOpts := format.DefaultOptions(format.TTY)
	var buf []byte
	err := ks.ScanKeys(ctx, so, func(keys []resp.Value) error {
		for _, k := range keys {
			if tty {
				buf = format.Append(buf[:0], resp.Bulk(k.Str), ttyOpts)
				if _, err := p.Writer().Write(buf); err != nil {
					return err
				}
				continue
			}
			p.Writer().Write(k.Str)
			if err := p.Writer().WriteByte('\n'); err != nil {
				return err
			}
		}
		return p.Flush()
	})
	if ferr := p.Flush(); err == nil {
		err = ferr
	}
	var se *redisx.ScanError
	if errors.As(err, &se) {
		return env.Fail(se.Error())
	}
	return err
}
