package cmd

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
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
	l, err := startLab(*lo, o.Cluster)
	if err != nil {
		return &env.ExitError{Code: 1, Msg: err.Error()}
	}
	defer l.Close()
	// Ctrl-C or SIGTERM while the servers started: stop them and end.
	if ctx.Err() != nil {
		return &interruptedError{what: "while starting the lab", err: ctx.Err()}
	}
	if l.embedded {
		notice := "lab: using the embedded in-memory server (a subset of Redis commands)"
		if !lo.Embedded {
			notice = "lab: redis-server is not on PATH: using the embedded in-memory server (a subset of Redis commands)"
		}
		fmt.Fprintln(ios.ErrOut, notice)
	}
	summary := l.Summary()
	if ios.InTTY {
		summary += "; :lab for help"
	}
	fmt.Fprintln(ios.ErrOut, summary)

	addrs := l.Addrs()
	port, err := strconv.Atoi(portOf(addrs[0]))
	if err != nil {
		return fmt.Errorf("lab: proxy address %s: %w", addrs[0], err)
	}
	o.Host, o.Port = "127.0.0.1", port
	if o.Cluster {
		o.ClusterOpts.Seeds = addrs
	}
	// The lab's servers have no password: one from the environment would
	// only make AUTH fail.
	labIOS := *ios
	labIOS.Getenv = func(name string) string {
		if name == authEnv {
			return ""
		}
		return ios.Getenv(name)
	}
	if !ios.InTTY {
		// A read of stdin does not end when a signal cancels ctx: without
		// this a SIGTERM would wait for the next line.
		labIOS.In = &ctxReader{ctx: ctx, r: ios.In}
	}
	cfg, err := buildConfig(&labIOS, o, fs, nil)
	if err != nil {
		return err
	}
	cfg.builtins = map[string]repl.Builtin{"lab": l.builtin()}
	cfg.interrupts = intr
	err = cfg.run(ctx)
	if ctx.Err() != nil && !ios.InTTY {
		// Stdin mode saw the signal as a failed read; say what happened.
		return &interruptedError{what: cfg.activity(), err: ctx.Err()}
	}
	return err
}

// labUsage is the help of :lab, shown by :lab alone and by :help.
const labUsage = `:lab nodes                         list the lab's nodes: role, address (through the proxy), server, state
:lab kill NODE                     kill the node's server (SIGKILL)
:lab restart NODE                  start the node's server again (empty; a cluster node rejoins)
:lab pause NODE DURATION           freeze the node's server for DURATION (SIGSTOP, then SIGCONT)
:lab failover NODE [force|takeover]  promote the replica NODE, or a replica of the primary NODE
:lab latency NODE DURATION         delay every reply of the node by DURATION (0 removes the delay)
                                   NODE is a number from :lab nodes or a host:port; DURATION is 500ms, 2s, ...`

// builtin returns the :lab command of the shell.
func (l *lab) builtin() repl.Builtin {
	return repl.Builtin{
		Usage: labUsage,
		Words: []string{"nodes", "kill", "restart", "pause", "failover", "latency"},
		Run: func(_ context.Context, out io.Writer, args []string) error {
			return l.run(out, args)
		},
	}
}

// run runs one :lab command; its output goes to out.
func (l *lab) run(out io.Writer, args []string) error {
	if len(args) == 0 {
		_, err := fmt.Fprintln(out, labUsage)
		return err
	}
	sub := strings.ToLower(args[0])
	want := map[string]string{
		"nodes":    "",
		"kill":     "NODE",
		"restart":  "NODE",
		"pause":    "NODE DURATION",
		"latency":  "NODE DURATION",
		"failover": "NODE [force|takeover]",
	}
	syntax, ok := want[sub]
	if !ok {
		return fmt.Errorf(":lab %s: unknown; :lab alone lists the lab's commands", args[0])
	}
	words := strings.Fields(syntax)
	required := len(words)
	if sub == "failover" {
		required = 1
	}
	if len(args)-1 < required || len(args)-1 > len(words) {
		return fmt.Errorf("usage: :lab %s %s", sub, syntax)
	}
	var msg string
	var err error
	switch sub {
	case "nodes":
		return l.WriteNodes(out)
	case "kill":
		msg, err = l.Kill(args[1])
	case "restart":
		msg, err = l.Restart(args[1])
	case "failover":
		option := ""
		if len(args) > 2 {
			option = args[2]
		}
		msg, err = l.Failover(args[1], option)
	case "pause", "latency":
		d, perr := time.ParseDuration(args[2])
		if perr != nil {
			return fmt.Errorf(":lab %s: %q is not a duration (examples: 500ms, 2s)", sub, args[2])
		}
		if sub == "pause" {
			msg, err = l.Pause(args[1], d)
		} else {
			msg, err = l.Latency(args[1], d)
		}
	}
	if err != nil {
		return fmt.Errorf(":lab %s: %w", sub, err)
	}
	_, err = fmt.Fprintln(out, msg)
	return err
}

// ctxReader is a reader whose Read returns ctx's error once ctx is done,
// even while the underlying Read blocks. That Read goes on in the
// background and its result is dropped; redish exits soon after.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	pend chan readResult // the read in flight, if any
}

type readResult struct {
	b   []byte
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.pend == nil {
		c.pend = make(chan readResult, 1)
		buf := make([]byte, len(p))
		go func(ch chan<- readResult) {
			n, err := c.r.Read(buf)
			ch <- readResult{buf[:n], err}
		}(c.pend)
	}
	select {
	case res := <-c.pend:
		c.pend = nil
		return copy(p, res.b), res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}
