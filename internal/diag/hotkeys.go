package diag

import (
	"context"
	"fmt"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// hotKeysPool is how many hot keys are kept: redis-cli's HOTKEYS_SAMPLE.
const hotKeysPool = 16

// hotKeysHeader is what redis-cli prints before scanning for hot keys.
const hotKeysHeader = "\n# Scanning the entire keyspace to find hot keys as well as\n" +
	"# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n" +
	"# per 100 SCAN commands (not usually needed).\n\n"

// hotScan is one run of --hotkeys.
type hotScan struct {
	e        *env.Env
	progress *progressLine
	o        Options
	total    int64
	sampled  uint64
	scans    uint64
	pct      float64
	// The eviction pool: counters ascending, the hottest last; a zero
	// counter is an empty place.
	counters [hotKeysPool]uint64
	keys     [hotKeysPool]string
}

// runHotKeys runs --hotkeys: it scans the keyspace (with --pattern and
// --count as for --bigkeys), asks each key's access frequency with OBJECT
// FREQ, which needs an LFU maxmemory policy, and prints what redis-cli
// prints, byte for byte: each key that enters the pool of the 16 hottest
// as it is found, then the pool, hottest first. Each round trip carries
// the OBJECT FREQ of one SCAN batch and the next SCAN, so a batch costs
// one round trip where redis-cli pays two.
//
// With -c it scans every primary that serves slots, in slot order, as one
// keyspace. After Ctrl-C it prints the summary of what was sampled, with
// the progress reached, as redis-cli does.
func runHotKeys(ctx context.Context, e *env.Env, o Options) error {
	s := &hotScan{e: e, o: o, progress: &progressLine{w: e.IO.ErrOut, on: e.IO.ErrTTY}}
	return scanKeyspace(ctx, e, hotKeysHeader, s.progress, s)
}

func (s *hotScan) setTotal(n int64) { s.total = n }

// scanNode scans one server: each round trip asks the frequencies of the
// keys of the last SCAN and sends the next SCAN.
func (s *hotScan) scanNode(ctx context.Context, cl *redisx.Client, label string) error {
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
			cmds = append(cmds, scanCommand(cursor, s.o.Match, s.count()))
		}
		replies, err := pipeline(ctx, s.e, cl, cmds)
		if err != nil {
			return err
		}
		if pending != nil {
			if err := s.record(pending, replies[:len(pending)]); err != nil {
				return err
			}
			s.progress.show(fmt.Sprintf("[%s%%] %d of %d keys sampled%s", cPercent(s.pct), s.sampled, s.total, label))
			if s.o.Interval > 0 && seq%bigKeysSleepEvery == 0 {
				if err := s.e.Sleep(ctx, s.o.Interval); err != nil {
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
			if keys == nil {
				keys = []resp.Value{}
			}
			s.scans++
			seq, pending, cursor = s.scans, keys, next
			scanning = string(cursor) != "0"
		}
	}
	return nil
}

// count is the COUNT hint, nil when --count is not given.
func (s *hotScan) count() []byte {
	if !s.o.CountSet {
		return nil
	}
	return []byte(fmt.Sprint(s.o.Count))
}

// record takes the OBJECT FREQ replies of keys and puts the keys through
// the eviction pool, printing each key that enters it. As in redis-cli,
// the replies are all read first: an error reply (no LFU policy) ends the
// run before any line of the batch, and a key gone since SCAN gets its
// warning, and counts as never accessed, before the batch's lines.
func (s *hotScan) record(keys, replies []resp.Value) error {
	s.pct = 100 * float64(s.sampled) / float64(s.total)
	freqs := make([]uint64, len(keys))
	for i, k := range keys {
		switch v := replies[i]; v.Kind {
		case resp.KindInt:
			freqs[i] = uint64(v.Int)
		case resp.KindError:
			s.progress.clear()
			return env.Fail("Error: " + string(v.Str))
		default:
			s.progress.clear()
			if _, err := fmt.Fprintf(s.e.IO.ErrOut, "Warning: OBJECT freq on '%s' failed (may have been deleted)\n", format.Escape(nil, k.Str)); err != nil {
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
	s.progress.clear()
	return s.e.Printer.Text(string(lines))
}

// admit puts a key of frequency freq in the pool when it is hotter than
// the coldest there, and reports whether it did. It is redis-cli's
// eviction pool, quirks included: the key takes the place of the hottest
// key colder than it, and the keys below move down one place only when
// that place was taken.
func (s *hotScan) admit(freq uint64, key string) bool {
	k := 0
	for k < hotKeysPool && freq > s.counters[k] {
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
func (s *hotScan) summary(interrupted bool) string {
	b := []byte("\n-------- summary -------\n\n")
	if interrupted {
		b = fmt.Appendf(b, "[%s%%] ", cPercent(s.pct))
	}
	b = fmt.Appendf(b, "Sampled %d keys in the keyspace!\n", s.sampled)
	for k := hotKeysPool - 1; k >= 0; k-- {
		if s.counters[k] > 0 {
			b = fmt.Appendf(b, "hot key found with counter: %d\tkeyname: %s\n", s.counters[k], s.keys[k])
		}
	}
	return string(b)
}
