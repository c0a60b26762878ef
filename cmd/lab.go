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

// labShellFlags are the shell's flags that redish lab takes as they are:
// the lab chooses where to connect, everything else about the shell is
// the user's, above all the retry settings the lab exists to try. The
// configuration file and profile apply as in every run, but only to these
// flags: its host, port, TLS and credentials are for real servers. --help
// is cobra's.
var labShellFlags = []string{
	"db", "name", "resp2", "resp3", "connect-timeout", "timeout",
	"errexit", "window",
	"raw", "no-raw", "csv", "json", "quoted-json", "delimiter", "command-delimiter", "no-color",
	"retries", "retry-backoff", "retry-backoff-base", "retry-backoff-cap", "retry-on-error", "retry-on-timeout", "retry-deadline", "retry-sent", "verbose",
	"cluster", "cluster-error-attempts", "read-from-replicas",
	"config", "no-config", "profile",
}

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
through its proxy. Everything it started stops when redish exits.

Without redis-server on PATH (or with --embedded) it runs a small embedded
in-memory server instead, which knows a subset of Redis's commands.

In the shell, :lab commands make the servers flaky on demand, to try retry
settings: :lab nodes, :lab kill NODE, :lab restart NODE, :lab pause NODE
DURATION, :lab failover NODE and :lab latency NODE DURATION. With stdin not
a terminal, the lab runs the lines read from stdin instead, :lab, :retry
and :verbose lines included, so a fault scenario can be replayed from a
file; a ":" line that fails ends the run with exit code 1.

The configuration file and profile apply as in every run (--config,
--profile, --no-config), except for where to connect.`,
		Example: `  redish lab
  redish lab --cluster --retries 5 --retry-backoff exponential --verbose
  redish lab --cluster --primaries 2 --replicas 2 --node-timeout 2s
  printf 'SET a 1\nINCR a\n' | redish lab
  redish lab --embedded < scenario.txt`,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			o, lo := &Options{}, &labOptions{}
			fs := c.Flags()
			addLabFlags(fs, o, lo)
			if err := fs.Parse(args); err != nil {
				return &env.ExitError{Code: 1, Msg: "redish lab: " + err.Error()}
			}
			if help, _ := fs.GetBool("help"); help {
				printHelp(ios.Out, c)
				return nil
			}
			if fs.NArg() > 0 {
				return &env.ExitError{Code: 1, Msg: "redish lab takes no command: it opens the shell (or reads commands from stdin)."}
			}
			return runLab(c.Context(), ios, intr, o, lo, fs)
		},
	}
}

// addLabFlags adds the shell's flags the lab passes through (see
// labShellFlags) and the lab's own to fs.
func addLabFlags(fs *pflag.FlagSet, o *Options, lo *labOptions) {
	fs.SortFlags = false
	shell := pflag.NewFlagSet("redish", pflag.ContinueOnError)
	addFlags(shell, o)
	for _, name := range labShellFlags {
		fs.AddFlag(shell.Lookup(name))
	}
	fs.Lookup("cluster").Usage = "Start a cluster and open a cluster shell"
	fs.IntVar(&lo.Primaries, "primaries", 3, "Primaries of the cluster (`N`)")
	fs.IntVar(&lo.Replicas, "replicas", 1, "Replicas of each primary (`N`)")
	fs.Var(&lo.NodeTimeout, "node-timeout", "cluster-node-timeout (`duration`; default 1s): how soon a failed primary is replaced")
	for _, name := range []string{"primaries", "replicas", "node-timeout"} {
		fs.SetAnnotation(name, flagGroupAnnotation, []string{"Cluster"})
	}
	fs.BoolVar(&lo.Embedded, "embedded", false, "Use the embedded in-memory server even when redis-server is on PATH")
}

// runLab starts the lab, runs the shell (or stdin mode) on it, and stops
// everything it started whichever way the run ends.
func runLab(ctx context.Context, ios *IOStreams, intr *env.Interrupts, o *Options, lo *labOptions, fs *pflag.FlagSet) error {
	if err := applySettings(ios, o, fs); err != nil {
		return err
	}
	if !o.Cluster {
		for _, name := range []string{"primaries", "replicas", "node-timeout"} {
			if flagGiven(fs, name) {
				return &env.ExitError{Code: 1, Msg: "redish lab: --" + name + " needs --cluster."}
			}
		}
	}
	shell := func(ctx context.Context, addrs []string, builtin repl.Builtin) error {
		_, portText, _ := net.SplitHostPort(addrs[0])
		port, err := strconv.Atoi(portText)
		if err != nil {
			return fmt.Errorf("lab: proxy address %s: %w", addrs[0], err)
		}
		o.Host, o.Port = "127.0.0.1", port
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
			return &interruptedError{what: cfg.activity(), err: ctx.Err()}
		}
		return err
	}
	err := lab.Run(ctx, &env.Env{IO: ios, Interrupts: intr}, lab.Options{
		Cluster:     o.Cluster,
		Primaries:   lo.Primaries,
		Replicas:    lo.Replicas,
		NodeTimeout: lo.NodeTimeout.d,
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

// labOptions are the flags of redish lab beyond the shell's.
type labOptions struct {
	Primaries   int      // --primaries
	Replicas    int      // --replicas, per primary
	NodeTimeout duration // --node-timeout
	Embedded    bool     // --embedded
}
