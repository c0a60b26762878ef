package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/lab"
	"github.com/redish/redish/repl"
)

// newLabCmd returns the lab subcommand: throwaway servers and the shell on
// them. Its flags are made and parsed only when it runs, so that other
// runs do not pay for them.
func newLabCmd(ios *IOStreams, intr *env.Interrupts) *cobra.Command {
	return &cobra.Command{
		Use:   "lab [options]",
		Short: "Start a throwaway server or cluster, each node behind a fault proxy, and open the shell on it",
		Long: `redish lab starts a throwaway redis-server from PATH on a free port, in a
temporary directory, behind a fault proxy, and opens the shell on it. With
--cluster it starts a cluster (3 primaries with 1 replica each by default),
and each node announces its proxy's address, so clients reach every node
through its proxy. With --sentinel it starts a primary with 2 replicas and 3
sentinels watching it as mymaster (down-after-milliseconds 1000, so a primary
that does not answer for a second is failed over), each behind a proxy, and
opens the shell through the sentinels: its prompt names the primary and
follows failovers. Everything it started stops when redish exits.

Without redis-server on PATH (or with --embedded) it runs a small embedded
in-memory server instead, which knows a subset of Redis's commands.

In the shell, :lab commands make the servers flaky on demand, to try retry
settings: :lab nodes, :lab kill NODE, :lab restart NODE, :lab pause NODE
DURATION, :lab failover NODE (with --sentinel: :lab failover, SENTINEL
FAILOVER) and :lab latency NODE DURATION; with --sentinel, NODE may be
"primary", the node the sentinels name. With stdin not a terminal, the lab
runs the lines read from stdin instead, :lab, :retry and :verbose lines
included, so a fault scenario can be replayed from a file; a ":" line that
fails ends the run with exit code 1.

The configuration file and profile apply as in every run (--config,
--profile, --no-config), except for where to connect.`,
		Example: `  redish lab
  redish lab --cluster --retries 5 --retry-backoff exponential --verbose
  redish lab --cluster --primaries 2 --replicas 2 --node-timeout 2s
  redish lab --sentinel --retries -1 --retry-deadline 30s --retry-backoff constant --retry-backoff-base 200ms
  printf 'SET a 1\nINCR a\n' | redish lab
  redish lab --embedded < scenario.txt`,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			o, lo := &Options{}, &labOptions{}
			fs := c.Flags()
			addLabFlags(fs, o, lo)
			if err := fs.Parse(args); err != nil {
				return env.Fail("redish lab: " + err.Error())
			}
			if help, _ := fs.GetBool("help"); help {
				printHelp(ios.Out, c)
				return nil
			}
			if fs.NArg() > 0 {
				return env.Fail("redish lab takes no command: it opens the shell (or reads commands from stdin).")
			}
			return runLab(c.Context(), ios, intr, o, lo, fs)
		},
	}
}

// addLabFlags adds the options of the shell that the lab takes as they are
// (the rows of the option table marked lab: the lab chooses where to
// connect, everything else about the shell is the user's, above all the
// retry settings the lab exists to try) and the lab's own to fs. The
// configuration file and profile apply as in every run, but only to these
// options: its host, port, TLS and credentials are for real servers.
// --help is cobra's.
func addLabFlags(fs *pflag.FlagSet, o *Options, lo *labOptions) {
	fs.SortFlags = false
	for _, row := range optionTable(o) {
		if !row.lab {
			continue
		}
		usage := row.usage
		if row.labUsage != "" {
			usage = row.labUsage
		}
		registerOne(fs, &row, usage)
	}
	own := labTable(lo)
	register(fs, own)
	for _, row := range own {
		// The configuration file's settings are the shell's, even where
		// a name is the same (the file's sentinel = [...] is not the
		// lab's --sentinel).
		fs.SetAnnotation(row.name, labOwnAnnotation, []string{"true"})
	}
}

// labOwnAnnotation marks the lab's own flags, which the configuration
// file does not set.
const labOwnAnnotation = "redish_lab_own"

// runLab starts the lab, runs the shell (or stdin mode) on it, and stops
// everything it started whichever way the run ends.
func runLab(ctx context.Context, ios *IOStreams, intr *env.Interrupts, o *Options, lo *labOptions, fs *pflag.FlagSet) error {
	if _, err := applySettings(ios, o, fs); err != nil {
		return err
	}
	if o.Cluster && lo.Sentinel {
		return env.Fail("redish lab: --cluster and --sentinel are mutually exclusive.")
	}
	if !o.Cluster {
		for _, name := range []string{"primaries", "replicas", "node-timeout"} {
			if flagGiven(fs, name) {
				return env.Fail("redish lab: --" + name + " needs --cluster.")
			}
		}
	}
	shell := func(ctx context.Context, addrs []string, builtin repl.Builtin) error {
		if lo.Sentinel {
			// The sentinels name the primary; host and port keep their
			// defaults, unused.
			o.Host, o.Port = "127.0.0.1", 6379
			o.SentinelOpts.Addrs, o.SentinelOpts.MasterName = addrs, lab.MasterName
		} else {
			_, portText, _ := net.SplitHostPort(addrs[0])
			port, err := strconv.Atoi(portText)
			if err != nil {
				return fmt.Errorf("lab: proxy address %s: %w", addrs[0], err)
			}
			o.Host, o.Port = "127.0.0.1", port
		}
		if o.Cluster {
			o.ClusterOpts.Seeds = addrs
		}
		// The lab's servers have no password: one from the environment
		// would only make AUTH fail.
		labIOS := *ios
		labIOS.Getenv = func(name string) string {
			if name == authEnv {
				return ""
			}
			return ios.Getenv(name)
		}
		if !ios.InTTY {
			// A read of stdin does not end when a signal cancels ctx:
			// without this a SIGTERM would wait for the next line.
			labIOS.In = env.ContextReader(ctx, ios.In)
		}
		cfg, err := buildConfig(&labIOS, o, fs, nil)
		if err != nil {
			return err
		}
		cfg.builtins = map[string]repl.Builtin{"lab": builtin}
		cfg.interrupts = intr
		err = cfg.run(ctx)
		if ctx.Err() != nil && !ios.InTTY {
			// Stdin mode saw the signal as a failed read; say what
			// happened.
			return &interruptedError{what: cfg.activity(modeStdin), err: ctx.Err()}
		}
		return err
	}
	// The lab starts servers that a signal must stop.
	intr.Listen()
	err := lab.Run(ctx, &env.Env{IO: ios, Interrupts: intr}, lab.Options{
		Cluster:     o.Cluster,
		Primaries:   lo.Primaries,
		Replicas:    lo.Replicas,
		NodeTimeout: lo.NodeTimeout.d,
		Sentinel:    lo.Sentinel,
		Embedded:    lo.Embedded,
		Shell:       shell,
	})
	var ie *interruptedError
	if err != nil && ctx.Err() != nil && !errors.As(err, &ie) {
		// Ctrl-C or SIGTERM while the servers started.
		return &interruptedError{what: "while starting the lab", err: ctx.Err()}
	}
	return err
}
