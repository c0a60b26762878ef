// Package hotkeys is --hotkeys: it scans the keyspace, asks each key's
// access frequency (OBJECT FREQ, which needs an LFU maxmemory policy),
// and reports the 16 most accessed keys, printing what redis-cli prints,
// byte for byte.
package hotkeys

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Options configure a scan.
type Options struct {
	// Pattern is the SCAN MATCH pattern (--pattern); nil scans every key.
	Pattern []byte
	// Count is the SCAN COUNT hint (--count); nil sends none.
	Count []byte
	// Interval is a pause after every 100 SCAN calls (-i).
	Interval time.Duration
}

// Node is one server to scan: a *redisx.Client.
type Node interface {
	Pipeline(ctx context.Context, cmds [][][]byte, fn redisx.ReplyFunc) error
}

// Error is a failure redis-cli reports with a line of its own on stderr
// and exit status 1: Msg is that line.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// poolSize is how many hot keys are kept: redis-cli's HOTKEYS_SAMPLE.
const poolSize = 16

// sleepEvery is how many SCAN calls run between two -i pauses.
const sleepEvery = 100

// Header is what redis-cli prints before scanning.
const Header = "\n# Scanning the entire keyspace to find hot keys as well as\n" +
	"# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n" +
	"# per 100 SCAN commands (not usually needed).\n\n"

type scan struct {
	out     io.Writer
	errOut  io.Writer
	sleep   func(context.Context, time.Duration) error
	o       Options
	total   int64
	sampled uint64
	scans   uint64
	pct     float64
	// The eviction pool: counters ascending, the hottest last; a zero
	// counter is an empty place.
	counters [poolSize]uint64
	keys     [poolSize]string
}

// Run scans the nodes one after the other as one keyspace (the primaries
// of a cluster in slot order, or the one server) and writes redis-cli's
// report to out, its warnings to errOut. sleep waits for -i.
//
// When ctx ends (Ctrl-C) the summary of what was sampled is printed,
// with the progress reached, and ctx's error returned.
func Run(ctx context.Context, out, errOut io.Writer, nodes []Node, sleep func(context.Context, time.Duration) error, o Options) error {
	s := &scan{out: out, errOut: errOut, sleep: sleep, o: o}
	for _, n := range nodes {
		size, err := dbSize(ctx, n)
		if err != nil {
			return err
		}
		s.total += size
	}
	if _, err := io.WriteString(out, Header); err != nil {
		return err
	}
	var scanErr error
	for _, n := range nodes {
		if scanErr = s.scanNode(ctx, n); scanErr != nil {
			break
		}
	}
	interrupted := scanErr != nil && ctx.Err() != nil
	if scanErr != nil && !interrupted {
		return scanErr
	}
	if _, err := io.WriteString(out, s.summary(interrupted)); err != nil {
		return err
	}
	return scanErr
}

// do sends cmds in one round trip and returns their replies.
func do(ctx context.Context, n Node, cmds [][][]byte) ([]resp.Value, error) {
	replies := make([]resp.Value, len(cmds))
	err := n.Pipeline(ctx, cmds, func(i int, v resp.Value, err error) error {
		replies[i] = v
		return err
	})
	return replies, err
}

// dbSize returns DBSIZE, failing as redis-cli does.
func dbSize(ctx context.Context, n Node) (int64, error) {
	r, err := do(ctx, n, [][][]byte{redisx.Args("DBSIZE")})
	if err != nil {
		return 0, err
	}
	switch v := r[0]; v.Kind {
	case resp.KindInt:
		return v.Int, nil
	case resp.KindError:
		return 0, &Error{Msg: "Couldn't determine DBSIZE: " + string(v.Str)}
	}
	return 0, &Error{Msg: "Non INTEGER response from DBSIZE!"}
}

// scanNode scans one server. Each round trip carries the OBJECT FREQ of
// the keys of one SCAN reply and the SCAN that follows it, so a batch
// costs one round trip where redis-cli pays two; the report is the same,
// as the batches are recorded in order with the progress before each.
func (s *scan) scanNode(ctx context.Context, n Node) error {
	cursor := []byte("0")
	scanning := true
	var pending []resp.Value // keys of the last SCAN, to ask the frequency of
	var seq uint64           // the SCAN call pending came from
	for scanning || pending != nil {
		cmds := make([][][]byte, 0, len(pending)+1)
		for _, k := range pending {
			cmds = append(cmds, [][]byte{[]byte("OBJECT"), []byte("FREQ"), k.Str})
		}
		if scanning {
			cmds = append(cmds, s.scanCommand(cursor))
		}
		replies, err := do(ctx, n, cmds)
		if err != nil {
			return err
		}
		if pending != nil {
			if err := s.record(pending, replies[:len(pending)]); err != nil {
				return err
			}
			if s.o.Interval > 0 && seq%sleepEvery == 0 {
				if err := s.sleep(ctx, s.o.Interval); err != nil {
					return err
				}
			}
			pending = nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if scanning {
			keys, next, err := parseScan(replies[len(replies)-1])
			if err != nil {
				return err
			}
			s.scans++
			seq, pending, cursor = s.scans, keys, next
			scanning = string(cursor) != "0"
		}
	}
	return nil
}

// scanCommand is the SCAN from cursor, with MATCH and COUNT when given.
func (s *scan) scanCommand(cursor []byte) [][]byte {
	args := [][]byte{[]byte("SCAN"), cursor}
	if s.o.Pattern != nil {
		args = append(args, []byte("MATCH"), s.o.Pattern)
	}
	if s.o.Count != nil {
		args = append(args, []byte("COUNT"), s.o.Count)
	}
	return args
}

// parseScan returns the keys and the next cursor of a SCAN reply, failing
// as redis-cli does.
func parseScan(v resp.Value) ([]resp.Value, []byte, error) {
	switch {
	case v.Kind == resp.KindError:
		return nil, nil, &Error{Msg: "SCAN error: " + string(v.Str)}
	case v.Kind != resp.KindArray:
		return nil, nil, &Error{Msg: "Non ARRAY response from SCAN!"}
	case v.Len() != 2 || v.Elems[1].Kind != resp.KindArray:
		return nil, nil, &Error{Msg: "Invalid element count from SCAN!"}
	}
	keys := v.Elems[1].Elems
	if keys == nil {
		keys = []resp.Value{}
	}
	return keys, v.Elems[0].Str, nil
}

// record takes the OBJECT FREQ replies of keys and puts the keys through
// the eviction pool, printing each key that enters it. As in redis-cli,
// the replies are all read first: an error reply ends the run before any
// line of the batch, and a key gone since SCAN gets its warning (and
// counts as never accessed) before the batch's lines.
func (s *scan) record(keys, replies []resp.Value) error {
	s.pct = 100 * float64(s.sampled) / float64(s.total)
	freqs := make([]uint64, len(keys))
	for i, k := range keys {
		switch v := replies[i]; v.Kind {
		case resp.KindInt:
			freqs[i] = uint64(v.Int)
		case resp.KindError:
			return &Error{Msg: "Error: " + string(v.Str)}
		default:
			if _, err := fmt.Fprintf(s.errOut, "Warning: OBJECT freq on '%s' failed (may have been deleted)\n", format.Escape(nil, k.Str)); err != nil {
				return err
			}
		}
	}
	var lines []byte
	for i, k := range keys {
		s.sampled++
		if s.sampled%1000000 == 0 {
			lines = fmt.Appendf(lines, "[%s%%] Sampled %d keys so far\n", cPercent(s.pct), s.sampled)
		}
		if name := format.Escape(nil, k.Str); s.admit(freqs[i], string(name)) {
			lines = fmt.Appendf(lines, "[%s%%] Hot key '%s' found so far with counter %d\n", cPercent(s.pct), name, freqs[i])
		}
	}
	if len(lines) == 0 {
		return nil
	}
	_, err := s.out.Write(lines)
	return err
}

// admit puts a key of frequency freq in the pool when it is hotter than
// the coldest there, and reports whether it did. It is redis-cli's
// eviction pool, quirks included: the key takes the place of the hottest
// key colder than it, and the keys below move down one place only when
// that place was taken.
func (s *scan) admit(freq uint64, key string) bool {
	k := 0
	for k < poolSize && freq > s.counters[k] {
		k++
	}
	if k == 0 {
		return false
	}
	k--
	if k != 0 && s.counters[k] != 0 {
		copy(s.counters[:k], s.counters[1:k+1])
		copy(s.keys[:k], s.keys[1:k+1])
	}
	s.counters[k] = freq
	s.keys[k] = key
	return true
}

// summary is the report after the scan, the hottest key first;
// interrupted prefixes the count with the progress reached.
func (s *scan) summary(interrupted bool) string {
	b := []byte("\n-------- summary -------\n\n")
	if interrupted {
		b = fmt.Appendf(b, "[%s%%] ", cPercent(s.pct))
	}
	b = fmt.Appendf(b, "Sampled %d keys in the keyspace!\n", s.sampled)
	for k := poolSize - 1; k >= 0; k-- {
		if s.counters[k] > 0 {
			b = fmt.Appendf(b, "hot key found with counter: %d\tkeyname: %s\n", s.counters[k], s.keys[k])
		}
	}
	return string(b)
}

// cPercent formats a percentage as C's "%05.2f" does, including the NaN
// of 0/0 (keys found although DBSIZE said 0), which glibc prints " -nan".
func cPercent(f float64) string {
	if math.IsNaN(f) {
		return " -nan"
	}
	if math.IsInf(f, 1) {
		return "  inf"
	}
	return fmt.Sprintf("%05.2f", f)
}
