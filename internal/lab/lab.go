// Package lab runs redish lab: throwaway servers (a redis-server from
// PATH, a cluster of them, or the embedded in-memory server), each behind
// a fault proxy, and the shell on them with a :lab command that makes the
// servers flaky on demand. Servers are started through internal/redisproc.
package lab

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/repl"
)

// Options are the settings of a lab.
type Options struct {
	// Cluster starts a cluster of Primaries primaries with Replicas
	// replicas each, whose nodes fail over within NodeTimeout
	// (cluster-node-timeout; 0 keeps the default of 1s).
	Cluster     bool
	Primaries   int
	Replicas    int
	NodeTimeout time.Duration
	// Sentinel starts a primary with two replicas, watched by three
	// sentinels (real redis-server --sentinel processes) under the name
	// MasterName.
	Sentinel bool
	// Embedded uses the embedded in-memory server even when redis-server
	// is on PATH.
	Embedded bool
	// Shell runs the shell, or the commands read from stdin, on the lab:
	// addrs are the addresses of the nodes' proxies (a standalone lab has
	// one; a Sentinel lab gives its sentinels'), and builtin is the :lab
	// command to add to the shell.
	Shell func(ctx context.Context, addrs []string, builtin repl.Builtin) error
}

// MasterName is the name the sentinels of a Sentinel lab know the primary
// by.
const MasterName = "mymaster"

// Run starts the lab, says what it started on e.IO.ErrOut, runs o.Shell on
// it and stops everything it started whichever way the run ends. When ctx
// ends while the servers start, it returns ctx's error once they are
// stopped.
func Run(ctx context.Context, e *env.Env, o Options) error {
	l, err := startLab(o)
	if err != nil {
		return env.Fail(err.Error())
	}
	defer l.Close()
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.embedded {
		notice := "lab: using the embedded in-memory server (a subset of Redis commands)"
		if !o.Embedded {
			notice = "lab: redis-server is not on PATH: using the embedded in-memory server (a subset of Redis commands)"
		}
		fmt.Fprintln(e.IO.ErrOut, notice)
	}
	summary := l.Summary()
	if e.IO.InTTY {
		summary += "; :lab for help"
	}
	fmt.Fprintln(e.IO.ErrOut, summary)
	return o.Shell(ctx, l.ShellAddrs(), l.builtin())
}

// labUsage is the help of :lab, shown by :lab alone and by :help.
const labUsage = `:lab nodes                         list the lab's nodes: role, address (through the proxy), server, state
:lab kill NODE                     kill the node's server (SIGKILL)
:lab restart NODE                  start the node's server again (empty; a cluster node rejoins)
:lab pause NODE DURATION           freeze the node's server for DURATION (SIGSTOP, then SIGCONT)
:lab failover NODE [force|takeover]  promote the replica NODE, or a replica of the primary NODE
:lab failover                      with --sentinel: make the sentinels fail the primary over (SENTINEL FAILOVER)
:lab latency NODE DURATION         delay every reply of the node by DURATION (0 removes the delay)
                                   NODE is a number from :lab nodes, a host:port, or, with --sentinel,
                                   primary (the node the sentinels name); DURATION is 500ms, 2s, ...`

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
		if l.sentinel {
			words, required, syntax = nil, 0, ""
		}
	}
	if len(args)-1 < required || len(args)-1 > len(words) {
		return fmt.Errorf("usage: %s", strings.TrimSpace(":lab "+sub+" "+syntax))
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
		if l.sentinel {
			msg, err = l.SentinelFailover()
			break
		}
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
