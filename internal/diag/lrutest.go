package diag

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// --lru-test KEYS loads a server as a cache with keys drawn from KEYS
// names on an 80-20 curve (a few keys are asked for far more often than
// the rest), half writes and half reads, and prints every second the
// share of reads that found their key. Run against a server with
// maxmemory and an eviction policy, it shows how well the policy keeps
// the keys that are asked for: redis-cli's LRU test.

// pipeliner sends commands in one round trip and passes each outcome to
// fn in order: a *redisx.Client or a *redisx.ClusterClient.
type pipeliner interface {
	Pipeline(ctx context.Context, cmds [][][]byte, fn redisx.ReplyFunc) error
}

// lruRand is the random source: Float64 in [0, 1), IntN in [0, n).
type lruRand interface {
	Float64() float64
	IntN(n int) int
}

// lruCycle and lruBatch are redis-cli's: each line covers a cycle of
// about a second of batches of lruBatch SETs then lruBatch GETs, each
// batch one round trip.
const (
	lruCycle = time.Second
	lruBatch = 250
)

// runLRUTest runs --lru-test on e.Session (every primary of a cluster
// takes its keys).
func runLRUTest(ctx context.Context, e *env.Env, o Options) error {
	p, ok := e.Session.(pipeliner)
	if !ok {
		return fmt.Errorf("--lru-test: unsupported client %T", e.Session)
	}
	seed := uint64(time.Now().UnixNano())
	return lruTest(ctx, textWriter{e.Printer}, e.IO.ErrOut, p, e.Now, rand.New(rand.NewPCG(seed, seed>>32^uint64(os.Getpid()))), o.Keys)
}

// lruAlpha makes powerLawRand follow the 80-20 rule: 20% of the keys get
// 80% of the requests.
const lruAlpha = 6.2

// lruTest runs cycles until ctx ends or the connection fails, writing a
// line per cycle to out:
//
//	500 Gets/sec | Hits: 394 (78.80%) | Misses: 106 (21.20%)
//
// The error replies of the GETs are printed on errOut, one per line, as
// redis-cli prints them; those of the SETs are not looked at, as in
// redis-cli. now reads the clock.
func lruTest(ctx context.Context, out, errOut io.Writer, p pipeliner, now func() time.Time, rnd lruRand, keys int64) error {
	if keys < 1 {
		return fmt.Errorf("--lru-test: %d keys: need at least 1", keys)
	}
	sets := make([][][]byte, lruBatch)
	gets := make([][][]byte, lruBatch)
	for {
		start := now()
		var hits, misses int64
		for now().Sub(start) < lruCycle {
			if err := ctx.Err(); err != nil {
				return err
			}
			for j := range sets {
				val := make([]byte, 5)
				for i := range val {
					val[i] = byte('A' + rnd.IntN('z'-'A'))
				}
				sets[j] = [][]byte{[]byte("SET"), lruKey(rnd, keys), val}
			}
			if err := p.Pipeline(ctx, sets, func(_ int, _ resp.Value, err error) error { return err }); err != nil {
				return err
			}
			for j := range gets {
				gets[j] = [][]byte{[]byte("GET"), lruKey(rnd, keys)}
			}
			err := p.Pipeline(ctx, gets, func(_ int, v resp.Value, err error) error {
				switch {
				case err != nil:
					return err
				case v.Kind == resp.KindError:
					_, err := fmt.Fprintf(errOut, "%s\n", v.Str)
					return err
				case v.Kind == resp.KindNil:
					misses++
				default:
					hits++
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		total := hits + misses
		if _, err := fmt.Fprintf(out, "%d Gets/sec | Hits: %d (%s%%) | Misses: %d (%s%%)\n",
			total, hits, lruPercent(hits, total), misses, lruPercent(misses, total)); err != nil {
			return err
		}
	}
}

// lruKey returns a key name among keys, on the 80-20 curve.
func lruKey(rnd lruRand, keys int64) []byte {
	return strconv.AppendInt([]byte("lru:"), powerLawRand(rnd, 1, keys, lruAlpha), 10)
}

// powerLawRand returns an integer from lo to hi, both included, drawn on
// a power law: the greater alpha, the more often the low values come
// (redis-cli's powerLawRand, with its arithmetic).
func powerLawRand(rnd lruRand, lo, hi int64, alpha float64) int64 {
	hi++
	r := rnd.Float64()
	pl := math.Pow((math.Pow(float64(hi), alpha+1)-math.Pow(float64(lo), alpha+1))*r+math.Pow(float64(lo), alpha+1), 1/(alpha+1))
	return hi - 1 - int64(pl) + lo
}

// lruPercent is part/total*100 with 2 decimals, as C's printf writes it,
// "-nan" when there were no reads.
func lruPercent(part, total int64) string {
	if total == 0 {
		return "-nan"
	}
	return strconv.FormatFloat(float64(part)/float64(total)*100, 'f', 2, 64)
}
