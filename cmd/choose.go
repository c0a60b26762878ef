package cmd

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/redish/redish/internal/env"
)

// mode is a way of running: each is run by a package under internal/
// (see runMode).
type mode int

// The modes, by the package that runs them.
const (
	modeRedisHelp mode = iota + 1 // "redish help SET": the printer (env.Env.RedisHelp)

	modeOneShot // the command on the command line: oneshot
	modeEval    // --eval: oneshot
	modeStdin   // commands read from stdin: stdin
	modeShell   // the interactive shell: interactive

	modePipe // --pipe: bulk
	modeScan // --scan: bulk

	modeLatency        // --latency: diag
	modeLatencyHistory // --latency-history: diag
	modeReplica        // --replica: diag
	modeRDB            // --rdb: diag
	modeFunctionsRDB   // --functions-rdb: diag
	modeBigKeys        // --bigkeys: diag
	modeMemKeys        // --memkeys, --memkeys-samples: diag
	modeStat           // --stat: diag
	modeLatencyDist    // --latency-dist: diag
	modeHotKeys        // --hotkeys: diag
	modeLRUTest        // --lru-test: diag
	modeIntrinsic      // --intrinsic-latency: diag
	modeLDB            // --ldb, --ldb-sync-mode with --eval: ldb

	modeTopology         // --topology with -c: fanout
	modeSentinelTopology // --topology with --sentinel: sentinelview

	modeClusterManager // --cluster SUBCOMMAND: clustermgr
)

// String names the mode as --help does: by its option, or in words.
func (m mode) String() string {
	switch m {
	case modeEval:
		return "--eval"
	case modePipe:
		return "--pipe"
	case modeScan:
		return "--scan"
	case modeLatency:
		return "--latency"
	case modeLatencyHistory:
		return "--latency-history"
	case modeReplica:
		return "--replica"
	case modeRDB:
		return "--rdb"
	case modeFunctionsRDB:
		return "--functions-rdb"
	case modeBigKeys:
		return "--bigkeys"
	case modeMemKeys:
		return "--memkeys"
	case modeStat:
		return "--stat"
	case modeLatencyDist:
		return "--latency-dist"
	case modeHotKeys:
		return "--hotkeys"
	case modeLRUTest:
		return "--lru-test"
	case modeIntrinsic:
		return "--intrinsic-latency"
	case modeLDB:
		return "--ldb"
	case modeTopology, modeSentinelTopology:
		return "--topology"
	case modeClusterManager:
		return "--cluster"
	case modeRedisHelp:
		return "help"
	case modeOneShot:
		return "one-shot"
	case modeStdin:
		return "stdin"
	case modeShell:
		return "shell"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// choose decides how a run goes from its options, the words after them
// (args) and whether stdin is a terminal, or says why the options
// contradict each other. It does nothing else: no I/O, no connection.
//
// When several modes are asked for, the one redis-cli would run wins:
// the cluster manager (--cluster SUBCOMMAND), --pipe, --scan, then the
// diagnostic modes in redis-cli's order
// (latency, latency-dist, replica, rdb, bigkeys, memkeys, hotkeys, stat,
// lru-test, intrinsic-latency), then --topology, --eval (with --ldb, the
// debugger), a command, stdin, the shell. The options that need -c are checked first
// with -c and after the modes that ignore them without.
func choose(o *Options, args []string, stdinTTY bool) (mode, error) {
	if len(args) > 0 && isHelpWord(args[0]) {
		return modeRedisHelp, nil
	}
	if err := checkManagerOptions(o); err != nil {
		return 0, err
	}
	if o.Manager.given {
		return modeClusterManager, nil
	}
	if o.Cluster {
		if err := checkClusterOptions(o); err != nil {
			return 0, err
		}
	}
	d := &o.Diag
	if (d.LDB || d.LDBSync) && !o.isGiven("eval") {
		return 0, env.Fail("Options --ldb and --ldb-sync-mode require --eval.\nTry redish --help for more information.")
	}
	if o.isGiven("lru-test") && d.LRUTest < 1 {
		return 0, env.Fail(fmt.Sprintf("Invalid --lru-test %d: the number of keys must be 1 or more.", d.LRUTest))
	}
	if o.isGiven("intrinsic-latency") && d.IntrinsicLatency < 0 {
		return 0, env.Fail(fmt.Sprintf("Invalid --intrinsic-latency %d: seconds must be 0 or more.", d.IntrinsicLatency))
	}
	switch {
	case o.Bulk.Pipe:
		return modePipe, nil
	case o.Bulk.Scan:
		return modeScan, nil
	}
	rdb, functionsRDB := o.isGiven("rdb"), o.isGiven("functions-rdb")
	if rdb && functionsRDB {
		return 0, env.Fail("Option --functions-rdb and --rdb are mutually exclusive.")
	}
	switch {
	case d.LatencyHistory:
		return modeLatencyHistory, nil
	case d.Latency:
		return modeLatency, nil
	case d.LatencyDist:
		return modeLatencyDist, nil
	case d.Replica:
		return modeReplica, nil
	case rdb:
		return modeRDB, nil
	case functionsRDB:
		return modeFunctionsRDB, nil
	case d.BigKeys:
		return modeBigKeys, nil
	case d.MemKeys || o.isGiven("memkeys-samples"):
		return modeMemKeys, nil
	case d.HotKeys:
		return modeHotKeys, nil
	case d.Stat:
		return modeStat, nil
	case o.isGiven("lru-test"):
		return modeLRUTest, nil
	case o.isGiven("intrinsic-latency"):
		return modeIntrinsic, nil
	}
	if !o.Cluster {
		if err := checkClusterOptions(o); err != nil {
			return 0, err
		}
	}
	switch {
	case o.ClusterOpts.Topology && !o.Cluster:
		return modeSentinelTopology, nil
	case o.ClusterOpts.Topology:
		return modeTopology, nil
	case o.isGiven("eval") && (d.LDB || d.LDBSync):
		return modeLDB, nil
	case o.isGiven("eval"):
		return modeEval, nil
	case len(args) > 0:
		return modeOneShot, nil
	case !stdinTTY:
		return modeStdin, nil
	}
	return modeShell, nil
}

func isHelpWord(s string) bool {
	return strings.EqualFold(s, "help") || s == "?"
}

// checkClusterOptions rejects cluster options that contradict each other
// or need -c.
func checkClusterOptions(o *Options) error {
	c := &o.ClusterOpts
	if countTrue(c.Primaries, c.Replicas, c.AllNodes, c.Node != "") > 1 {
		return env.Fail("Options --primaries, --replicas, --all-nodes and --node are mutually exclusive.")
	}
	if !o.Cluster && len(o.given) > 0 {
		rows := o.rows
		if rows == nil {
			rows = optionTable(&Options{})
		}
		sentinel := o.sentinelMode()
		for _, row := range rows {
			if !row.clusterOnly || !o.isGiven(row.name) || row.sentinelToo && sentinel {
				continue
			}
			if row.sentinelToo {
				return env.Fail("Option --" + row.name + " needs -c (cluster mode) or --sentinel.")
			}
			return env.Fail("Option --" + row.name + " needs -c (cluster mode).")
		}
	}
	if o.ClusterErrorAttempts < 0 {
		return env.Fail(fmt.Sprintf("Invalid --cluster-error-attempts %d: must be 0 or more.", o.ClusterErrorAttempts))
	}
	for _, seed := range c.Seeds {
		if err := checkHostPort(seed); err != nil {
			return env.Fail("Option --cluster-seed " + strconv.Quote(seed) + ": " + err.Error())
		}
	}
	if o.isGiven("node") {
		if err := checkHostPort(c.Node); err != nil {
			return env.Fail("Option --node " + strconv.Quote(c.Node) + ": " + err.Error())
		}
	}
	return nil
}

// checkHostPort checks a node address given as HOST:PORT.
func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return errors.New("not HOST:PORT (IPv6 hosts in brackets: [::1]:7000)")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q: must be a number from 1 to 65535", port)
	}
	return nil
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
