package cmd

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/diag"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
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
	d := diag.Options{Interval: time.Duration(c.o.Interval * float64(time.Second))}
	switch {
	case o.LatencyHistory:
		d.Mode = diag.LatencyHistory
	case o.Latency:
		d.Mode = diag.Latency
	case o.Replica:
		d.Mode = diag.Replica
	case rdb:
		d.Mode, d.File = diag.RDB, o.RDB
	case functionsRDB:
		d.Mode, d.File = diag.FunctionsRDB, o.FunctionsRDB
	case o.BigKeys:
		d.Mode = diag.BigKeys
	case o.MemKeys || flagGiven(c.fs, "memkeys-samples"):
		d.Mode, d.Samples = diag.MemKeys, o.MemKeysSamples
	case o.Stat:
		d.Mode = diag.Stat
	default:
		return false, nil
	}
	if d.Mode == diag.BigKeys || d.Mode == diag.MemKeys {
		pattern, err := c.scanPattern()
		if err != nil {
			return true, err
		}
		d.Match = pattern
		if flagGiven(c.fs, "count") {
			d.Count, d.CountSet = c.o.Bulk.Count, true
		}
	}
	return true, diag.Run(ctx, c.env(client, p), d)
}

// scanPattern returns the MATCH pattern of --pattern or --quoted-pattern,
// nil when neither is given.
func (c *config) scanPattern() ([]byte, error) {
	if flagGiven(c.fs, "quoted-pattern") {
		u, err := redisx.UnquoteArg(c.o.Bulk.QuotedPattern)
		if err != nil {
			return nil, &env.ExitError{Code: 1, Msg: "Invalid quoted string specified for --quoted-pattern."}
		}
		return []byte(u), nil
	}
	if flagGiven(c.fs, "pattern") {
		return []byte(c.o.Bulk.Pattern), nil
	}
	return nil, nil
}

// env returns the environment of a mode that runs on client and prints
// with p.
func (c *config) env(client env.Session, p *env.Printer) *env.Env {
	ios := *c.ios
	ios.NoColor = c.o.NoColor || ios.Getenv("NO_COLOR") != ""
	return &env.Env{
		IO:         &ios,
		Session:    client,
		Printer:    p,
		Clock:      retry.SystemClock{},
		Interrupts: c.interrupts,
		Conn:       c.conn,
		Retry:      c.retry,
		Observe:    c.observe(),
		Version:    versionNumber,
	}
}
