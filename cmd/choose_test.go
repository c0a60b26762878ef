package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// parseOptions parses a command line with the option table, as a run
// does, without reading a configuration file.
func parseOptions(t *testing.T, args []string) (*Options, []string) {
	t.Helper()
	o := &Options{}
	fs := pflag.NewFlagSet("redish", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	register(fs, optionTable(o))
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	o.given = map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { o.given[f.Name] = true })
	return o, fs.Args()
}

func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		argv     string
		tty      bool // stdin is a terminal
		want     mode
		activity string // what an interrupted run says it was doing
		err      string // a substring of the error, when the options contradict
	}{
		{argv: "PING", want: modeOneShot, activity: "while running PING"},
		{argv: "-r 3 -i 0.5 incr k", want: modeOneShot, activity: "while running INCR"},
		{argv: "", want: modeStdin, activity: "while running commands read from stdin"},
		{argv: "", tty: true, want: modeShell},
		{argv: "-x SET k", tty: true, want: modeOneShot, activity: "while running SET"},
		{argv: "help SET", want: modeRedisHelp},
		{argv: "? @string", want: modeRedisHelp},
		{argv: "--pipe help", want: modeRedisHelp},
		{argv: "--eval f.lua k1 , a1", want: modeEval, activity: "while running the script f.lua"},
		{argv: "--pipe", want: modePipe, activity: "during --pipe"},
		{argv: "--pipe --scan --bigkeys", want: modePipe, activity: "during --pipe"},
		{argv: "--scan --latency", want: modeScan, activity: "during --scan"},
		// The diagnostic modes in redis-cli's order.
		{argv: "--bigkeys --latency", want: modeLatency, activity: "during --latency"},
		{argv: "--latency --latency-history", want: modeLatencyHistory, activity: "during --latency-history"},
		{argv: "--stat --replica --rdb f", want: modeReplica, activity: "during --replica"},
		{argv: "--bigkeys --rdb f", want: modeRDB, activity: "during --rdb"},
		{argv: "--bigkeys --functions-rdb f", want: modeFunctionsRDB, activity: "during --functions-rdb"},
		{argv: "--rdb f --functions-rdb g", err: "Option --functions-rdb and --rdb are mutually exclusive."},
		{argv: "--memkeys --bigkeys", want: modeBigKeys, activity: "during --bigkeys"},
		{argv: "--memkeys-samples 3", want: modeMemKeys, activity: "during --memkeys"},
		{argv: "--stat PING", want: modeStat, activity: "during --stat"},
		{argv: "--latency-dist --replica", want: modeLatencyDist, activity: "during --latency-dist"},
		{argv: "--latency --latency-dist", want: modeLatency, activity: "during --latency"},
		{argv: "--hotkeys --stat", want: modeHotKeys, activity: "during --hotkeys"},
		{argv: "--memkeys --hotkeys", want: modeMemKeys, activity: "during --memkeys"},
		{argv: "--lru-test 100 --intrinsic-latency 1", want: modeLRUTest, activity: "during --lru-test"},
		{argv: "--stat --lru-test 100", want: modeStat, activity: "during --stat"},
		{argv: "--intrinsic-latency 5 PING", want: modeIntrinsic, activity: "during --intrinsic-latency"},
		{argv: "--intrinsic-latency 0", want: modeIntrinsic, activity: "during --intrinsic-latency"},
		{argv: "--intrinsic-latency -1", err: "Invalid --intrinsic-latency -1: seconds must be 0 or more."},
		{argv: "--lru-test 0", err: "Invalid --lru-test 0: the number of keys must be 1 or more."},
		// The Lua debugger.
		{argv: "--ldb --eval f.lua k , a", tty: true, want: modeLDB, activity: "while debugging the script f.lua"},
		{argv: "--ldb-sync-mode --eval f.lua", want: modeLDB, activity: "while debugging the script f.lua"},
		{argv: "--ldb PING", err: "Options --ldb and --ldb-sync-mode require --eval."},
		{argv: "--ldb-sync-mode", err: "Options --ldb and --ldb-sync-mode require --eval."},
		// Cluster options.
		{argv: "-c --topology", want: modeTopology, activity: "during --topology"},
		{argv: "--topology", err: "Option --topology needs -c (cluster mode) or --sentinel."},
		// Sentinel: --topology and --read-from-replicas take --sentinel
		// or a Sentinel URI instead of -c.
		{argv: "--sentinel s:1 --master-name m --topology", want: modeSentinelTopology, activity: "during --topology"},
		{argv: "-u redis-sentinel://s:1#m --topology", want: modeSentinelTopology, activity: "during --topology"},
		{argv: "-u redis://s:1?master_name=m --read-from-replicas GET k", want: modeOneShot, activity: "while running GET"},
		{argv: "--read-from-replicas GET k", err: "Option --read-from-replicas needs -c (cluster mode) or --sentinel."},
		{argv: "--sentinel s:1 --primaries PING", err: "Option --primaries needs -c (cluster mode)."},
		{argv: "--primaries PING", err: "Option --primaries needs -c (cluster mode)."},
		{argv: "--cluster-seed a:1 PING", err: "Option --cluster-seed needs -c (cluster mode)."},
		{argv: "--cluster-yes PING", err: "Option --cluster-yes needs --cluster SUBCOMMAND (the cluster manager)."},
		{argv: "-c --cluster-replicas 1", err: "Option --cluster-replicas needs --cluster SUBCOMMAND (the cluster manager)."},
		{argv: "-c --primaries DBSIZE", want: modeOneShot, activity: "while running DBSIZE"},
		{argv: "-c --node 127.0.0.1:7000", want: modeStdin, activity: "while running commands read from stdin"},
		{argv: "-c --primaries --replicas PING", err: "mutually exclusive"},
		{argv: "-c --node nowhere PING", err: `Option --node "nowhere": not HOST:PORT`},
		{argv: "-c --cluster-seed 127.0.0.1:0", err: `Option --cluster-seed "127.0.0.1:0": port "0"`},
		{argv: "-c --cluster-error-attempts -1 PING", err: "Invalid --cluster-error-attempts -1"},
		// Without -c the modes that ignore the cluster options win, as in
		// redis-cli; with -c the options are checked first.
		{argv: "--pipe --primaries", want: modePipe, activity: "during --pipe"},
		{argv: "--bigkeys --topology", want: modeBigKeys, activity: "during --bigkeys"},
		{argv: "-c --pipe --primaries --replicas", err: "mutually exclusive"},
	} {
		t.Run(tc.argv, func(t *testing.T) {
			var argv []string
			for _, w := range strings.Fields(tc.argv) {
				argv = append(argv, strings.ReplaceAll(w, "''", ""))
			}
			o, args := parseOptions(t, argv)
			got, err := choose(o, args, tc.tty)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("choose = %v, %v; want the error %q", got, err, tc.err)
			case tc.err != "":
				return
			case err != nil || got != tc.want:
				t.Fatalf("choose = %v, %v; want %v", got, err, tc.want)
			}
			c := &config{o: o, args: args}
			if a := c.activity(got); a != tc.activity {
				t.Errorf("activity %q, want %q", a, tc.activity)
			}
		})
	}
}

// TestChooseManager checks that --cluster SUBCOMMAND wins over every other
// mode, as in redis-cli, and checks its options.
func TestChooseManager(t *testing.T) {
	for _, tc := range []struct {
		argv string
		err  string
	}{
		{argv: "--pipe --bigkeys -c --topology"},
		{argv: "--cluster-yes --cluster-slots 10"},
		{argv: "--cluster-slots 0", err: "Invalid --cluster-slots 0: must be from 1 to 16384."},
		{argv: "--cluster-replicas -1", err: "Invalid --cluster-replicas -1: must be 0 or more."},
		{argv: "--cluster-timeout -5", err: "Invalid --cluster-timeout -5"},
		{argv: "--cluster-threshold -1", err: "Invalid --cluster-threshold -1"},
		{argv: "--cluster-from-askpass --cluster-from-pass x", err: "mutually exclusive"},
		{argv: "--cluster-weight nodeq", err: `Invalid --cluster-weight "nodeq": give NODE=WEIGHT.`},
	} {
		o, args := parseOptions(t, strings.Fields(tc.argv))
		o.Manager = managerArgs{given: true, sub: "check", args: []string{"127.0.0.1:7000"}}
		got, err := choose(o, args, false)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: choose = %v, %v; want the error %q", tc.argv, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != modeClusterManager {
			t.Errorf("%q: choose = %v, %v", tc.argv, got, err)
		}
		c := &config{o: o, args: args}
		if a := c.activity(got); a != "while running --cluster check" {
			t.Errorf("activity %q", a)
		}
	}
}
