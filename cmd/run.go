package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/redish/redish/internal/bulk"
	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/internal/diag"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/fanout"
	"github.com/redish/redish/internal/interactive"
	"github.com/redish/redish/internal/ldb"
	"github.com/redish/redish/internal/oneshot"
	"github.com/redish/redish/internal/sentinelview"
	"github.com/redish/redish/internal/stdin"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// run runs the mode the options choose. An error of a run that a signal
// interrupted says what the run was doing (see activity).
func (c *config) run(ctx context.Context) error {
	m, err := choose(c.o, c.args, c.ios.InTTY)
	if err != nil {
		return err
	}
	err = c.runMode(ctx, m)
	if err != nil && ctx.Err() != nil {
		return &interruptedError{what: c.activity(m), err: err}
	}
	return err
}

// runMode builds the environment of mode m and the mode's options, and
// runs it.
func (c *config) runMode(ctx context.Context, m mode) error {
	if c.waits(m) {
		c.interrupts.Listen()
		c.listening = true
	}
	p := env.NewPrinter(c.ios, env.PrintOptions{Format: c.format, ErrExit: c.o.ErrExit, ShowPushes: c.showPushes})
	defer p.Flush()
	if m == modeRedisHelp {
		return c.env(nil, p).RedisHelp(c.args[1:])
	}
	if m == modeClusterManager {
		return c.runManager(ctx, p)
	}
	client, err := c.newClient(p)
	if err != nil {
		return err
	}
	defer client.Close()
	e := c.env(client, p)
	if sc, ok := client.(*redisx.SentinelClient); ok {
		if err := c.prepareSentinel(ctx, m, sc, e); err != nil {
			return err
		}
		if stop := c.watchSentinel(ctx, m, sc); stop != nil {
			defer stop()
		}
	}
	interval := time.Duration(c.o.Interval * float64(time.Second))
	var nodes *redisx.NodeSelector
	if sel, ok := c.selector(); ok {
		nodes = &sel
	}

	switch m {
	case modePipe, modeScan:
		o := bulk.Options{Mode: bulk.Pipe, PipeTimeout: c.o.Bulk.PipeTimeout, Count: c.o.Bulk.Count, Interval: interval}
		if m == modeScan {
			match, err := c.scanPattern()
			if err != nil {
				return err
			}
			o.Mode, o.Match = bulk.Scan, string(match)
		}
		return bulk.Run(ctx, e, o)
	case modeLatency, modeLatencyHistory, modeReplica, modeRDB, modeFunctionsRDB, modeBigKeys, modeMemKeys, modeStat,
		modeLatencyDist, modeHotKeys, modeLRUTest, modeIntrinsic:
		o, err := c.diagOptions(m, interval)
		if err != nil {
			return err
		}
		return diag.Run(ctx, e, o)
	case modeTopology:
		return fanout.Run(ctx, e, fanout.Options{})
	case modeSentinelTopology:
		return sentinelview.Run(ctx, e, sentinelview.Options{})
	case modeLDB:
		return ldb.Run(ctx, e, ldb.Options{Script: c.o.Eval, Args: c.args, Sync: c.o.Diag.LDBSync})
	case modeOneShot, modeEval:
		return oneshot.Run(ctx, e, oneshot.Options{
			Args:        c.args,
			QuotedInput: c.o.QuotedInput,
			StdinLast:   c.o.StdinLast,
			ReplaceTag:  c.o.isGiven("stdin-tag"),
			Tag:         c.o.StdinTag,
			Eval:        m == modeEval,
			Script:      c.o.Eval,
			Repeat:      c.o.Repeat,
			Interval:    interval,
			Nodes:       nodes,
		})
	case modeStdin:
		return stdin.Run(ctx, e, stdin.Options{Window: c.o.Bulk.Window, Nodes: nodes, Builtins: c.builtins})
	case modeShell:
		return interactive.Run(ctx, e, interactive.Options{Interval: interval, Builtins: c.builtins, NoConfirm: c.o.NoConfirm})
	}
	return fmt.Errorf("no way to run %v", m)
}

// waits reports whether a run of mode m may wait for something a user
// may give up on with Ctrl-C: every mode but one command that returns at
// once. Such a run handles signals from its start (see signalDelay);
// one command handles them once it lasts, or once it retries.
func (c *config) waits(m mode) bool {
	switch m {
	case modeRedisHelp:
		return false
	case modeOneShot:
		if c.o.Repeat != 1 || c.o.StdinLast || c.o.isGiven("stdin-tag") || len(c.args) == 0 {
			return true
		}
		args := make([][]byte, len(c.args))
		for i, a := range c.args {
			args[i] = []byte(a)
		}
		if redisx.IsStreaming(args) {
			return true
		}
		cmd := commands.LookupBytes(args)
		return cmd != nil && cmd.Flags.Has(commands.FlagBlocking)
	}
	return true
}

// diagOptions returns the options of the diagnostic mode m.
func (c *config) diagOptions(m mode, interval time.Duration) (diag.Options, error) {
	o := diag.Options{Interval: interval}
	switch m {
	case modeLatency:
		o.Mode = diag.Latency
	case modeLatencyHistory:
		o.Mode = diag.LatencyHistory
	case modeReplica:
		o.Mode = diag.Replica
	case modeRDB:
		o.Mode, o.File = diag.RDB, c.o.Diag.RDB
	case modeFunctionsRDB:
		o.Mode, o.File = diag.FunctionsRDB, c.o.Diag.FunctionsRDB
	case modeStat:
		o.Mode = diag.Stat
	case modeLatencyDist:
		o.Mode, o.Mono = diag.LatencyDist, c.o.Diag.Mono
	case modeLRUTest:
		o.Mode, o.Keys = diag.LRUTest, int64(c.o.Diag.LRUTest)
	case modeIntrinsic:
		o.Mode, o.Duration = diag.IntrinsicLatency, time.Duration(c.o.Diag.IntrinsicLatency)*time.Second
	case modeBigKeys, modeMemKeys, modeHotKeys:
		o.Mode = diag.BigKeys
		if m == modeHotKeys {
			o.Mode = diag.HotKeys
		}
		if m == modeMemKeys {
			o.Mode = diag.MemKeys
			if c.o.isGiven("memkeys-samples") {
				o.Samples = c.o.Diag.MemKeysSamples
			}
		}
		match, err := c.scanPattern()
		if err != nil {
			return o, err
		}
		o.Match = match
		o.Count, o.CountSet = c.o.Bulk.Count, c.o.isGiven("count")
	}
	return o, nil
}

// scanPattern returns the MATCH pattern of --pattern or --quoted-pattern,
// nil when neither is given.
func (c *config) scanPattern() ([]byte, error) {
	if c.o.isGiven("quoted-pattern") {
		u, err := cliargs.UnquoteArg(c.o.Bulk.QuotedPattern)
		if err != nil {
			return nil, env.Fail("Invalid quoted string specified for --quoted-pattern.")
		}
		return []byte(u), nil
	}
	if c.o.isGiven("pattern") {
		return []byte(c.o.Bulk.Pattern), nil
	}
	return nil, nil
}

// selector returns the node selection the options ask for, if any.
func (c *config) selector() (redisx.NodeSelector, bool) {
	o := &c.o.ClusterOpts
	switch {
	case o.Primaries:
		return redisx.SelectPrimaries, true
	case o.Replicas:
		return redisx.SelectReplicas, true
	case o.AllNodes:
		return redisx.SelectAllNodes, true
	case o.Node != "":
		return redisx.SelectNode(o.Node), true
	}
	return redisx.NodeSelector{}, false
}

// activity says what a run of mode m does, for the line printed when a
// signal interrupts it: "during --bigkeys", "while running BLPOP".
func (c *config) activity(m mode) string {
	switch m {
	case modeRedisHelp, modeShell:
		return ""
	case modeClusterManager:
		return "while running --cluster " + c.o.Manager.sub
	case modeEval:
		return "while running the script " + c.o.Eval
	case modeLDB:
		return "while debugging the script " + c.o.Eval
	case modeOneShot:
		return "while running " + commandName(c.args[0])
	case modeStdin:
		if c.builtins != nil {
			return "while running the lab's commands read from stdin"
		}
		return "while running commands read from stdin"
	}
	return "during " + m.String()
}

// env returns the environment of a mode that runs on client (nil for
// none) and prints with p.
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

// newClient returns the client of the run; push messages that arrive
// between replies are printed by p when --show-pushes says so.
func (c *config) newClient(p *env.Printer) (env.Session, error) {
	var onPush func(resp.Value)
	if c.showPushes {
		onPush = p.Push
	}
	if c.o.Cluster {
		return c.newClusterClient(onPush)
	}
	if c.sentinel != nil {
		return c.newSentinelClient(p)
	}
	client := redisx.NewClient(c.conn)
	client.Retry = c.retry
	client.Observe = c.observe()
	client.OnResend = c.onResend()
	client.OnPush = onPush
	return client, nil
}

// newClusterClient returns the client for -c; onPush receives the push
// messages that arrive between replies.
func (c *config) newClusterClient(onPush func(resp.Value)) (env.Session, error) {
	o := redisx.ClusterOptions{
		Seeds:            c.clusterSeeds(),
		Node:             c.conn,
		ErrorAttempts:    c.o.ClusterErrorAttempts,
		ReadFromReplicas: c.o.ClusterOpts.ReadFromReplicas,
		Retry:            c.retry,
		OnRetry:          c.observe(),
		OnResend:         c.onResend(),
		OnPush:           onPush,
	}
	if c.o.Verbose {
		o.OnEvent = func(ev redisx.ClusterEvent) { fmt.Fprintln(c.ios.ErrOut, env.PrintableLine(ev.String())) }
	}
	if c.ios.InTTY && c.ios.OutTTY && len(c.args) == 0 {
		// The interactive shell says where a redirect took the user, as
		// redis-cli does.
		o.OnRedirect = func(_ string, slot int, addr string) {
			fmt.Fprintf(c.ios.Out, "-> Redirected to slot [%d] located at %s\n", slot, addr)
		}
	}
	cc, err := redisx.NewClusterClient(o)
	if err != nil {
		return nil, env.Fail(err.Error())
	}
	return cc, nil
}

// clusterSeeds returns the startup nodes: the --cluster-seed values, after
// the -h/-p (or -u) address when that was given or no seed was.
func (c *config) clusterSeeds() []string {
	var seeds []string
	explicit := c.o.isGiven("host") || c.o.isGiven("port") || c.o.isGiven("uri")
	if explicit || len(c.o.ClusterOpts.Seeds) == 0 {
		seeds = append(seeds, c.conn.Addr())
	}
	return append(seeds, c.o.ClusterOpts.Seeds...)
}
