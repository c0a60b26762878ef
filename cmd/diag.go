package cmd

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/retry"
)

// diagOptions are the flags of the diagnostic modes: redis-cli's
// --bigkeys, --memkeys, --latency, --latency-history, --stat, --rdb,
// --functions-rdb and --replica. The intervals come from -i.
type diagOptions struct {
	BigKeys        bool
	MemKeys        bool
	MemKeysSamples int // --memkeys-samples N; it implies --memkeys
	Latency        bool
	LatencyHistory bool
	Stat           bool
	RDB            string // --rdb FILE, "-" for stdout
	FunctionsRDB   string // --functions-rdb FILE
	Replica        bool

	// hooks replace the clock and bound the loops in tests.
	hooks diagHooks
}

// diagHooks let tests run the endless modes (--latency, --stat) for a few
// samples, on a clock that does not wait.
type diagHooks struct {
	// now and sleep replace time.Now and a context-aware sleep.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// maxSamples, when positive, ends --latency, --latency-history and
	// --stat after that many samples, with success.
	maxSamples int
}

func (h *diagHooks) clock() (func() time.Time, func(context.Context, time.Duration) error) {
	now, sleep := h.now, h.sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = retry.SystemClock{}.Sleep
	}
	return now, sleep
}

// diagGroup is the --help section of the diagnostic flags.
const diagGroup = "Bulk and diagnostic modes"

func addDiagFlags(fs *pflag.FlagSet, o *diagOptions) {
	fs.BoolVar(&o.BigKeys, "bigkeys", false, "Sample keys with SCAN and report the biggest key of each type (every primary with -c)")
	fs.BoolVar(&o.MemKeys, "memkeys", false, "Like --bigkeys, sizing keys by MEMORY USAGE")
	fs.IntVar(&o.MemKeysSamples, "memkeys-samples", 0, "--memkeys with MEMORY USAGE ... SAMPLES `N`")
	fs.BoolVar(&o.Latency, "latency", false, "Measure PING round trips continuously (one line after 1s or -i seconds when stdout is not a terminal)")
	fs.BoolVar(&o.LatencyHistory, "latency-history", false, "Like --latency, starting a new line every 15s (or -i seconds)")
	fs.BoolVar(&o.Stat, "stat", false, "Print keys, memory, clients and requests every second (or -i seconds)")
	fs.StringVar(&o.RDB, "rdb", "", "Copy the server's RDB to `file` (- for stdout) with the replication protocol")
	fs.StringVar(&o.FunctionsRDB, "functions-rdb", "", "Like --rdb, with only the functions, to `file` (Redis 7)")
	fs.BoolVar(&o.Replica, "replica", false, "Act as a replica and print the commands the primary sends (CSV)")
	for _, name := range []string{"bigkeys", "memkeys", "memkeys-samples", "latency", "latency-history", "stat", "rdb", "functions-rdb", "replica"} {
		fs.SetAnnotation(name, flagGroupAnnotation, []string{diagGroup})
	}
}

// runDiagMode runs a diagnostic mode when its flag is given, and reports
// whether it did. When several are given, the one redis-cli would run
// wins, in its order: latency, replica, rdb, bigkeys, memkeys, stat.
func (c *config) runDiagMode(ctx context.Context, client env.Session, p *env.Printer) (bool, error) {
	o := &c.o.Diag
	rdb, functionsRDB := flagGiven(c.fs, "rdb"), flagGiven(c.fs, "functions-rdb")
	if rdb && functionsRDB {
		return true, &env.ExitError{Code: 1, Msg: "Option --functions-rdb and --rdb are mutually exclusive."}
	}
	switch {
	case o.Latency || o.LatencyHistory:
		return true, c.runLatency(ctx, client, p)
	case o.Replica:
		return true, c.runReplica(ctx, p)
	case rdb:
		return true, c.runRDB(ctx, o.RDB, false)
	case functionsRDB:
		return true, c.runRDB(ctx, o.FunctionsRDB, true)
	case o.BigKeys:
		return true, c.runBigKeys(ctx, client, p, false)
	case o.MemKeys || flagGiven(c.fs, "memkeys-samples"):
		return true, c.runBigKeys(ctx, client, p, true)
	case o.Stat:
		return true, c.runStat(ctx, client, p)
	}
	return false, nil
}
