// Package diag runs redis-cli's diagnostic modes: --bigkeys, --memkeys,
// --hotkeys, --latency, --latency-history, --latency-dist,
// --intrinsic-latency, --lru-test, --stat, --rdb, --functions-rdb and
// --replica, with redis-cli's output, byte for byte where redis-cli's is
// deterministic.
package diag

import (
	"context"
	"fmt"
	"time"

	"github.com/redish/redish/internal/env"
)

// Mode is one of the diagnostic modes.
type Mode int

// The diagnostic modes.
const (
	BigKeys          Mode = iota + 1 // --bigkeys
	MemKeys                          // --memkeys, --memkeys-samples
	Latency                          // --latency
	LatencyHistory                   // --latency-history
	Stat                             // --stat
	RDB                              // --rdb
	FunctionsRDB                     // --functions-rdb
	Replica                          // --replica
	HotKeys                          // --hotkeys
	LatencyDist                      // --latency-dist
	IntrinsicLatency                 // --intrinsic-latency
	LRUTest                          // --lru-test
)

// Options are the settings of a diagnostic run.
type Options struct {
	// Mode is what to run.
	Mode Mode
	// Interval is -i: the pause of --bigkeys after every 100 SCAN calls,
	// the period of --stat, of --latency off a terminal and of
	// --latency-history's lines; 0 keeps each mode's default.
	Interval time.Duration
	// File is where --rdb and --functions-rdb write the RDB, "-" for
	// stdout.
	File string
	// Samples is --memkeys-samples: MEMORY USAGE ... SAMPLES n; 0 leaves
	// the server's default.
	Samples int
	// Match is the SCAN MATCH pattern of --bigkeys, --memkeys and
	// --hotkeys; nil for none.
	Match []byte
	// Count is the COUNT hint of every SCAN of --bigkeys, --memkeys and
	// --hotkeys, sent when CountSet (redis-cli 7.0 sends none).
	Count    int
	CountSet bool
	// Mono is --mono: --latency-dist's spectrum in greys.
	Mono bool
	// Duration is how long --intrinsic-latency measures.
	Duration time.Duration
	// Keys is the number of keys of --lru-test.
	Keys int64
	// MaxSamples, when positive, ends --latency, --latency-history and
	// --stat after that many samples, with success. No option sets it:
	// tests bound the endless modes with it.
	MaxSamples int
}

// Run runs the diagnostic mode o.Mode: on e.Session for --bigkeys,
// --memkeys, --latency and --stat (on every primary of a cluster for the
// key scans), on a replication connection of its own for --rdb,
// --functions-rdb and --replica.
func Run(ctx context.Context, e *env.Env, o Options) error {
	switch o.Mode {
	case Latency, LatencyHistory:
		return runLatency(ctx, e, o)
	case Replica:
		return runReplica(ctx, e)
	case RDB:
		return runRDB(ctx, e, o.File, false)
	case FunctionsRDB:
		return runRDB(ctx, e, o.File, true)
	case BigKeys:
		return runBigKeys(ctx, e, o, false)
	case MemKeys:
		return runBigKeys(ctx, e, o, true)
	case Stat:
		return runStat(ctx, e, o)
	case HotKeys:
		return runHotKeys(ctx, e, o)
	case LatencyDist:
		return runLatencyDist(ctx, e, o)
	case IntrinsicLatency:
		return runIntrinsic(ctx, e, o)
	case LRUTest:
		return runLRUTest(ctx, e, o)
	}
	return fmt.Errorf("diag: unknown mode %d", o.Mode)
}
