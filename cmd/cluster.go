package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/fanout"
	"github.com/redish/redish/redisx"
)

// clusterOptions are the flags of cluster mode beyond -c and
// --cluster-error-attempts.
type clusterOptions struct {
	Seeds            []string // --cluster-seed, repeatable
	Primaries        bool     // --primaries
	Replicas         bool     // --replicas
	AllNodes         bool     // --all-nodes
	Node             string   // --node HOST:PORT
	ReadFromReplicas bool     // --read-from-replicas
	Topology         bool     // --topology
}

func addClusterFlags(fs *pflag.FlagSet, o *clusterOptions) {
	fs.StringArrayVar(&o.Seeds, "cluster-seed", nil, "Startup node `host:port` (repeatable); with it, -h/-p are a seed only when given")
	fs.BoolVar(&o.ReadFromReplicas, "read-from-replicas", false, "Send read-only commands to replicas")
	fs.BoolVar(&o.Primaries, "primaries", false, "Send the command to every primary and print each reply under its address")
	fs.BoolVar(&o.Replicas, "replicas", false, "Send the command to every replica and print each reply under its address")
	fs.BoolVar(&o.AllNodes, "all-nodes", false, "Send the command to every node and print each reply under its address")
	fs.StringVar(&o.Node, "node", "", "Send the command to the node at `host:port`")
	fs.BoolVar(&o.Topology, "topology", false, "Print the cluster's nodes, roles, slots, replicas and health (--json for JSON)")
	for _, name := range []string{"cluster-seed", "read-from-replicas", "primaries", "replicas", "all-nodes", "node", "topology"} {
		fs.SetAnnotation(name, flagGroupAnnotation, []string{"Cluster"})
	}
}

// selector returns the node selection the flags ask for, if any.
func (o *clusterOptions) selector() (redisx.NodeSelector, bool) {
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

// check rejects cluster flags that contradict each other or need -c.
func (c *config) checkClusterFlags() error {
	o := &c.o.ClusterOpts
	if countTrue(o.Primaries, o.Replicas, o.AllNodes, o.Node != "") > 1 {
		return &env.ExitError{Code: 1, Msg: "Options --primaries, --replicas, --all-nodes and --node are mutually exclusive."}
	}
	if !c.o.Cluster {
		for _, name := range []string{"cluster-seed", "read-from-replicas", "primaries", "replicas", "all-nodes", "node", "topology"} {
			if flagGiven(c.fs, name) {
				return &env.ExitError{Code: 1, Msg: "Option --" + name + " needs -c (cluster mode)."}
			}
		}
	}
	if c.o.ClusterErrorAttempts < 0 {
		return &env.ExitError{Code: 1, Msg: fmt.Sprintf("Invalid --cluster-error-attempts %d: must be 0 or more.", c.o.ClusterErrorAttempts)}
	}
	for _, seed := range o.Seeds {
		if err := checkHostPort(seed); err != nil {
			return &env.ExitError{Code: 1, Msg: "Option --cluster-seed " + strconv.Quote(seed) + ": " + err.Error()}
		}
	}
	if flagGiven(c.fs, "node") {
		if err := checkHostPort(o.Node); err != nil {
			return &env.ExitError{Code: 1, Msg: "Option --node " + strconv.Quote(o.Node) + ": " + err.Error()}
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

// clusterSeeds returns the startup nodes: the --cluster-seed values, after
// the -h/-p (or -u) address when that was given or no seed was.
func (c *config) clusterSeeds() []string {
	var seeds []string
	explicit := flagGiven(c.fs, "host") || flagGiven(c.fs, "port") || flagGiven(c.fs, "uri")
	if explicit || len(c.o.ClusterOpts.Seeds) == 0 {
		seeds = append(seeds, c.conn.Addr())
	}
	return append(seeds, c.o.ClusterOpts.Seeds...)
}

// newClusterClient returns the client for -c; onPush receives the push
// messages that arrive between replies.
func (c *config) newClusterClient(onPush func(redisx.Value)) (env.Session, error) {
	if err := c.checkClusterFlags(); err != nil {
		return nil, err
	}
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
		return nil, &env.ExitError{Code: 1, Msg: err.Error()}
	}
	return cc, nil
}

// runClusterMode runs --topology, the cluster mode that takes no command.
// It reports whether it handled the run.
func (c *config) runClusterMode(ctx context.Context, client env.Session, p *env.Printer) (bool, error) {
	if !c.o.Cluster {
		if err := c.checkClusterFlags(); err != nil {
			return true, err
		}
	}
	if !c.o.ClusterOpts.Topology {
		return false, nil
	}
	return true, fanout.Run(ctx, c.env(client, p), fanout.Options{})
}
