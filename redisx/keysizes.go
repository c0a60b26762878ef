package redisx

import (
	"bytes"
	"context"
	"errors"
	"strconv"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// SizedScanOptions say what ScanSized scans and how it sizes keys.
type SizedScanOptions struct {
	// Match is SCAN's MATCH pattern; nil sends none ("" is a pattern).
	Match []byte
	// Count is SCAN's COUNT as given on the command line; nil sends none.
	Count []byte
	// Memory sizes every key with MEMORY USAGE, in bytes, instead of the
	// length command of its type (STRLEN, LLEN, SCARD, HLEN, ZCARD, XLEN).
	Memory bool
	// Samples is MEMORY USAGE's SAMPLES; 0 sends none.
	Samples int
	// Budget is how many keys one call sizes, at most, before it returns:
	// it bounds how long one call holds the server. 0 means
	// DefaultSizedBudget.
	Budget int
}

// DefaultSizedBudget is the keys one ScanSized call sizes on the server:
// a few hundred keys, well under a millisecond of the server's time.
const DefaultSizedBudget = 256

// SizedBatch is the outcome of one SCAN call of ScanSized: the keys SCAN
// returned, in its order, each key's type as TYPE names it, and its size
// (-1 when it has none: a type with no length command, without Memory; a
// key gone). Next is the cursor SCAN returned. Everything in it is valid
// only until the function it was passed to returns.
type SizedBatch struct {
	Keys  []resp.Value
	Types []resp.Value
	Sizes []resp.Value
	Next  []byte
}

// ScriptsUnavailableError says why ScanSized stopped before the end: the
// server did not run the script, or ran it somewhere else than plain
// commands run (a proxy), or answered it with an error. Cursor is where
// the scan stands: every batch before it was passed on, none after, so a
// scan with plain commands can go on from there.
type ScriptsUnavailableError struct {
	Cursor []byte
	Reason string
}

func (e *ScriptsUnavailableError) Error() string {
	return "the server does not run the scan as a script: " + e.Reason
}

// sizedScanScript runs SCAN calls from a cursor, as a client would send
// them one after another, and TYPE and a size for every key they return,
// until the budget of keys is spent or the cursor is back to 0. It
// returns, for each SCAN call: the next cursor, the keys, their types,
// their sizes (-1 for none). It only reads (flags=no-writes), so a replica
// and a server out of memory run it too.
//
// ARGV: cursor, budget, "1" for MEMORY USAGE, SAMPLES or "", "1" and the
// MATCH pattern or "0" and "", "1" and the COUNT or "0" and "".
const sizedScanScript = `#!lua flags=no-writes,allow-cross-slot-keys
local cursor, budget, mem, samples = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1', ARGV[4]
local scan = {'SCAN', cursor}
if ARGV[5] == '1' then scan[#scan+1] = 'MATCH'; scan[#scan+1] = ARGV[6] end
if ARGV[7] == '1' then scan[#scan+1] = 'COUNT'; scan[#scan+1] = ARGV[8] end
local lengths = {string='STRLEN', list='LLEN', set='SCARD', hash='HLEN', zset='ZCARD', stream='XLEN'}
local out, n = {}, 0
repeat
  scan[2] = cursor
  local r = redis.call(unpack(scan))
  cursor = r[1]
  local keys, types, sizes = r[2], {}, {}
  for i = 1, #keys do
    local k = keys[i]
    local t = redis.call('TYPE', k)['ok']
    local size = -1
    if mem then
      if t ~= 'none' then
        local u
        if samples == '' then u = redis.call('MEMORY', 'USAGE', k) else u = redis.call('MEMORY', 'USAGE', k, 'SAMPLES', samples) end
        if u then size = u end
      end
    elseif lengths[t] then
      size = redis.call(lengths[t], k)
    end
    types[i], sizes[i] = t, size
  end
  out[#out+1] = cursor
  out[#out+1] = keys
  out[#out+1] = types
  out[#out+1] = sizes
  n = n + #keys
until cursor == '0' or n >= budget
return out
`

// ScanSized scans the keyspace as redis-cli --bigkeys and --memkeys do,
// from cursor (nil: from the start) until the cursor is back to 0, and
// passes fn each SCAN call's keys with their types and sizes, in order.
//
// The SCAN calls are the ones a client sending SCAN from the same cursor
// would make, so the batches (and redis-cli's percentages, counted per
// batch) are the same; but the calls, and the TYPE and size of each key,
// run on the server in short read-only scripts, a budget of keys each,
// instead of one round trip per SCAN call. Where that is not possible it
// returns a *ScriptsUnavailableError with the cursor to go on from with
// plain commands: a server older than Redis 7 or one that refuses
// scripts (ACL, a disabled EVAL), an error inside the script, or a script
// whose first SCAN does not return what a plain SCAN returns (a proxy that
// sends the two to different servers; writes between the two). An error
// from fn stops the scan and is returned.
//
// Each call runs under the client's retry policy; it only reads, so it
// is sent again after a lost connection.
func (c *Client) ScanSized(ctx context.Context, cursor []byte, o SizedScanOptions, fn func(SizedBatch) error) error {
	return c.scanSized(ctx, cursor, o, c.Retry, c.Observe, c.OnResend, fn)
}

func (c *Client) scanSized(ctx context.Context, cursor []byte, o SizedScanOptions, r *retry.Retry, observe, onResend func(retry.Event), fn func(SizedBatch) error) error {
	if cursor == nil {
		cursor = []byte("0")
	}
	cursor = append([]byte(nil), cursor...)
	budget := o.Budget
	if budget <= 0 {
		budget = DefaultSizedBudget
	}
	args := [][]byte{[]byte("EVAL"), []byte(sizedScanScript), []byte("0"), nil, []byte(strconv.Itoa(budget)), []byte("0"), nil, []byte("0"), nil, []byte("0"), nil}
	if o.Memory {
		args[5] = []byte("1")
	}
	if o.Samples != 0 {
		args[6] = []byte(strconv.Itoa(o.Samples))
	}
	if o.Match != nil {
		args[7], args[8] = []byte("1"), o.Match
	}
	if o.Count != nil {
		args[9], args[10] = []byte("1"), o.Count
	}
	// The first call goes with a plain SCAN from the same cursor: the two
	// must agree, or the script does not scan what plain commands scan.
	check := [][]byte{[]byte("SCAN"), nil}
	if o.Match != nil {
		check = append(check, []byte("MATCH"), o.Match)
	}
	if o.Count != nil {
		check = append(check, []byte("COUNT"), o.Count)
	}
	first := true
	unavailable := func(reason string) error {
		return &ScriptsUnavailableError{Cursor: cursor, Reason: reason}
	}
	for {
		args[3] = cursor
		check[1] = cursor
		var plain, v resp.Value
		op := func(ctx context.Context) error {
			conn, err := c.Conn(ctx)
			if err != nil {
				return err
			}
			if first {
				conn.Write(check...)
			}
			conn.Write(args...)
			if err := conn.Flush(ctx); err != nil {
				c.Close()
				return err
			}
			if first {
				if plain, err = conn.ReadReplyTo(ctx, check); err != nil {
					c.Close()
					return err
				}
			}
			if v, err = conn.ReadReplyScratch(ctx, args); err != nil {
				c.Close()
				return err
			}
			return nil
		}
		var err error
		if r == nil {
			err = op(ctx)
		} else {
			err = r.Do(ctx, op, retry.Hooks{
				OnFailure: func(error) { c.Close() },
				Node:      c.opts.Addr,
				Observe:   observe,
				Safe:      func() bool { return true },
				Command:   func() string { return "EVAL" },
				OnResend:  onResend,
			})
		}
		if err != nil {
			return err
		}
		if v.Kind == resp.KindError {
			return unavailable(v.Text())
		}
		if v.Kind != resp.KindArray || len(v.Elems) == 0 || len(v.Elems)%4 != 0 {
			return unavailable("the script returned a " + v.Kind.String())
		}
		batches := v.Elems
		for i := 0; i < len(batches); i += 4 {
			b := SizedBatch{Next: batches[i].Str, Keys: batches[i+1].Elems, Types: batches[i+2].Elems, Sizes: batches[i+3].Elems}
			if batches[i].Kind != resp.KindBulk || len(b.Types) != len(b.Keys) || len(b.Sizes) != len(b.Keys) {
				return unavailable("the script returned batches of another shape")
			}
			if first {
				first = false
				if !sameScan(plain, b) {
					return unavailable("the script's SCAN and a plain SCAN differ")
				}
			}
			if err := fn(b); err != nil {
				return err
			}
			cursor = append(cursor[:0], b.Next...)
			if string(cursor) == "0" {
				return nil
			}
		}
	}
}

// sameScan reports whether the plain SCAN reply v holds b's cursor and
// keys.
func sameScan(v resp.Value, b SizedBatch) bool {
	if v.Kind != resp.KindArray || len(v.Elems) != 2 || !bytes.Equal(v.Elems[0].Str, b.Next) || len(v.Elems[1].Elems) != len(b.Keys) {
		return false
	}
	for i, k := range v.Elems[1].Elems {
		if !bytes.Equal(k.Str, b.Keys[i].Str) {
			return false
		}
	}
	return true
}

// IsScriptsUnavailable reports whether err is a *ScriptsUnavailableError,
// and returns it.
func IsScriptsUnavailable(err error) (*ScriptsUnavailableError, bool) {
	var su *ScriptsUnavailableError
	ok := errors.As(err, &su)
	return su, ok
}
