// Package lrutest is --lru-test KEYS: it loads a server as a cache with
// keys drawn from KEYS names on an 80-20 curve (a few keys are asked for
// far more often than the rest), half writes and half reads, and prints
// every second the share of reads that found their key. Run against a
// server with maxmemory and an eviction policy, it shows how well the
// policy keeps the keys that are asked for: redis-cli's LRU test.
package lrutest

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Options configure the test.
type Options struct {
	// Keys is the number of distinct keys, lru:1 to lru:KEYS.
	Keys int64
}

// Pipeliner sends commands in one round trip and passes each outcome to
// fn in order: a *redisx.Client or a *redisx.ClusterClient.
type Pipeliner interface {
	Pipeline(ctx context.Context, cmds [][][]byte, fn redisx.ReplyFunc) error
}

// Rand is the random source: Float64 in [0, 1], IntN in [0, n).
type Rand interface {
	Float64() float64
	IntN(n int) int
}

// Cycle and Batch are redis-cli's: each line covers a cycle of about a
// second of batches of Batch SETs then Batch GETs, each batch one round
// trip.
const (
	Cycle = time.Second
	Batch = 250
)

// alpha makes powerLawRand follow the 80-20 rule: 20% of the keys get
// 80% of the requests.
const alpha = 6.2

// Run runs cycles until ctx ends or the connection fails, writing a line
// per cycle to out:
//
//	500 Gets/sec | Hits: 394 (78.80%) | Misses: 106 (21.20%)
//
// The error replies of the GETs are printed on errOut, one per line, as
// redis-cli prints them; those of the SETs are not looked at, as in
// redis-cli. now reads the clock.
func Run(ctx context.Context, out, errOut io.Writer, p Pipeliner, now func() time.Time, rnd Rand, o Options) error {
	if o.Keys < 1 {
		return fmt.Errorf("lrutest: %d keys: need at least 1", o.Keys)
	}
	sets := make([][][]byte, Batch)
	gets := make([][][]byte, Batch)
	for {
		start := now()
		var hits, misses int64
		for now().Sub(start) < Cycle {
			if err := ctx.Err(); err != nil {
				return err
			}
			for j := range sets {
				val := make([]byte, 5)
				for i := range val {
					val[i] = byte('A' + rnd.IntN('z'-'A'))
				}
				sets[j] = [][]byte{[]byte("SET"), key(rnd, o.Keys), val}
			}
			if err := p.Pipeline(ctx, sets, func(_ int, _ resp.Value, err error) error { return err }); err != nil {
				return err
			}
			for j := range gets {
				gets[j] = [][]byte{[]byte("GET"), key(rnd, o.Keys)}
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
			total, hits, percent(hits, total), misses, percent(misses, total)); err != nil {
			return err
		}
	}
}

// key returns a key name among keys, on the 80-20 curve.
func key(rnd Rand, keys int64) []byte {
	return strconv.AppendInt([]byte("lru:"), powerLawRand(rnd, 1, keys, alpha), 10)
}

// powerLawRand returns an integer from lo to hi, both included, drawn on
// a power law: the greater alpha, the more often the low values come
// (redis-cli's powerLawRand, with its arithmetic).
func powerLawRand(rnd Rand, lo, hi int64, alpha float64) int64 {
	hi++
	r := rnd.Float64()
	pl := math.Pow((math.Pow(float64(hi), alpha+1)-math.Pow(float64(lo), alpha+1))*r+math.Pow(float64(lo), alpha+1), 1/(alpha+1))
	return hi - 1 - int64(pl) + lo
}

// percent is part/total*100 with 2 decimals, as C's printf writes it,
// "-nan" when there were no reads.
func percent(part, total int64) string {
	if total == 0 {
		return "-nan"
	}
	return strconv.FormatFloat(float64(part)/float64(total)*100, 'f', 2, 64)
}
