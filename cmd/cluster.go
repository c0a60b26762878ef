package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
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

// The cluster client serves every mode a standalone client does.
var _ session = (*redisx.ClusterClient)(nil)

// probeTimeout bounds the reachability check of one node in --topology
// when no --connect-timeout is given.
const probeTimeout = 2 * time.Second

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
		return &exitError{code: 1, msg: "Options --primaries, --replicas, --all-nodes and --node are mutually exclusive."}
	}
	if !c.o.Cluster {
		for _, name := range []string{"cluster-seed", "read-from-replicas", "primaries", "replicas", "all-nodes", "node", "topology"} {
			if flagGiven(c.fs, name) {
				return &exitError{code: 1, msg: "Option --" + name + " needs -c (cluster mode)."}
			}
		}
	}
	if c.o.ClusterErrorAttempts < 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("Invalid --cluster-error-attempts %d: must be 0 or more.", c.o.ClusterErrorAttempts)}
	}
	for _, seed := range o.Seeds {
		if err := checkHostPort(seed); err != nil {
			return &exitError{code: 1, msg: "Option --cluster-seed " + strconv.Quote(seed) + ": " + err.Error()}
		}
	}
	if flagGiven(c.fs, "node") {
		if err := checkHostPort(o.Node); err != nil {
			return &exitError{code: 1, msg: "Option --node " + strconv.Quote(o.Node) + ": " + err.Error()}
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
func (c *config) newClusterClient(onPush func(resp.Value)) (session, error) {
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
		o.OnEvent = func(ev redisx.ClusterEvent) { fmt.Fprintln(c.ios.ErrOut, printableLine(ev.String())) }
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
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	return cc, nil
}

// runClusterMode runs --topology, the cluster mode that takes no command.
// It reports whether it handled the run.
func (c *config) runClusterMode(ctx context.Context, client session, p *printer) (bool, error) {
	if !c.o.Cluster {
		if err := c.checkClusterFlags(); err != nil {
			return true, err
		}
	}
	if !c.o.ClusterOpts.Topology {
		return false, nil
	}
	cc, ok := client.(*redisx.ClusterClient)
	if !ok {
		return true, &exitError{code: 1, msg: "Option --topology needs -c (cluster mode)."}
	}
	return true, c.runTopology(ctx, cc, p)
}

// runOnNodes sends args to the nodes --primaries, --replicas, --all-nodes
// or --node select and prints each reply under the node's address, or,
// with --json, one object keyed by address. It reports whether a node
// selection applied.
func (c *config) runOnNodes(ctx context.Context, client session, p *printer, args [][]byte) (bool, error) {
	sel, ok := c.o.ClusterOpts.selector()
	if !ok {
		return false, nil
	}
	cc, ok := client.(*redisx.ClusterClient)
	if !ok {
		return true, &exitError{code: 1, msg: "Node selection needs -c (cluster mode)."}
	}
	replies, err := cc.DoNodes(ctx, sel, args)
	if err != nil && len(replies) == 0 {
		return true, err
	}
	if c.format.Mode == format.JSON || c.format.Mode == format.QuotedJSON {
		obj := resp.Value{Kind: resp.KindMap}
		for _, r := range replies {
			obj.Elems = append(obj.Elems, resp.BulkString(r.Addr), nodeValue(r))
		}
		return true, p.reply(args, obj)
	}
	for _, r := range replies {
		head := r.Addr
		if r.Role != "" {
			head += " (" + r.Role + ")"
		}
		if err := p.text(head + ":\n"); err != nil {
			return true, err
		}
		if err := p.reply(args, nodeValue(r)); err != nil {
			return true, err
		}
	}
	return true, err
}

// nodeValue is the reply of one node, or its failure as an error reply.
func nodeValue(r redisx.NodeReply) resp.Value {
	if r.Err != nil {
		return resp.ErrorReply(describe(r.Err))
	}
	return r.Value
}

// nodeStatus is one row of --topology.
type nodeStatus struct {
	node  *redisx.ClusterNode
	probe error
}

// runTopology prints the topology as a table, or as JSON with --json.
func (c *config) runTopology(ctx context.Context, cc *redisx.ClusterClient, p *printer) error {
	t, err := cc.Topology(ctx)
	if err != nil {
		return err
	}
	rows := make([]nodeStatus, len(t.Nodes))
	for i := range t.Nodes {
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if c.conn.ConnectTimeout == 0 {
			pctx, cancel = context.WithTimeout(ctx, probeTimeout)
		}
		rows[i] = nodeStatus{node: &t.Nodes[i], probe: cc.Probe(pctx, t.Nodes[i].Addr)}
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if c.format.Mode == format.JSON || c.format.Mode == format.QuotedJSON {
		return p.reply(nil, topologyValue(t, rows))
	}
	var b strings.Builder
	writeTopology(&b, t, rows)
	return p.text(b.String())
}

// writeTopology writes the --topology table and its summary.
func writeTopology(w io.Writer, t *redisx.Topology, rows []nodeStatus) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tID\tROLE\tSLOTS\tLINKS\tHEALTH\tREACHABLE")
	for _, r := range rows {
		n := r.node
		id := n.ID
		if len(id) > 8 {
			id = id[:8]
		}
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			n.Addr, id, n.Role, slotsText(n), linksText(t, n), orDash(n.Health), probeText(r.probe))
	}
	tw.Flush()
	covered := redisx.SlotCount
	var gaps []string
	for _, r := range t.Uncovered() {
		covered -= r.Count()
		gaps = append(gaps, r.String())
	}
	fmt.Fprintf(w, "\n%s; %d of %d slots covered", nodeCounts(t), covered, redisx.SlotCount)
	if len(gaps) > 0 {
		fmt.Fprintf(w, " (not covered: %s)", strings.Join(gaps, ","))
	}
	fmt.Fprintf(w, "\nread from %s with %s\n", t.Source, t.Command)
}

// nodeCounts says how many primaries and replicas are alive, and how many
// nodes the cluster sees as failed: "3 primaries, 2 replicas, 1 failed
// node". A failed primary serves nothing: counting it with the primaries
// would overstate what the cluster has.
func nodeCounts(t *redisx.Topology) string {
	primaries, replicas, failed := 0, 0, 0
	for _, n := range t.Nodes {
		switch {
		case n.Health == "fail" || n.Health == "failed":
			failed++
		case n.Role == redisx.RolePrimary:
			primaries++
		default:
			replicas++
		}
	}
	s := count(primaries, "primary", "primaries") + ", " + count(replicas, "replica", "replicas")
	if failed > 0 {
		s += ", " + count(failed, "failed node", "failed nodes")
	}
	return s
}

func slotsText(n *redisx.ClusterNode) string {
	if n.Role != redisx.RolePrimary {
		return "-"
	}
	if len(n.Slots) == 0 {
		return "none"
	}
	parts := make([]string, len(n.Slots))
	for i, r := range n.Slots {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",") + " (" + strconv.Itoa(n.SlotCount()) + ")"
}

func linksText(t *redisx.Topology, n *redisx.ClusterNode) string {
	if n.Role == redisx.RoleReplica {
		if p := t.PrimaryOf(n); p != nil {
			return "replica of " + p.Addr
		}
		return "replica of ?"
	}
	var addrs []string
	for _, r := range t.ReplicasOf(n) {
		addrs = append(addrs, r.Addr)
	}
	if len(addrs) == 0 {
		return "no replica"
	}
	return "replicas " + strings.Join(addrs, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// probeText says whether redish could reach a node, in redis-cli's words.
func probeText(err error) string {
	if err == nil {
		return "yes"
	}
	var ce *redisx.ConnError
	if errors.As(err, &ce) && ce.Op == "dial" {
		return "no: " + dialReason(ce.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "no: timed out"
	}
	return "no: " + strings.TrimPrefix(describe(err), "Error: ")
}

// topologyValue is the --json form of --topology: an object with the
// nodes, the uncovered slots and where the topology was read.
func topologyValue(t *redisx.Topology, rows []nodeStatus) resp.Value {
	str := resp.BulkString
	obj := func(kv ...resp.Value) resp.Value { return resp.Value{Kind: resp.KindMap, Elems: kv} }
	nodes := make([]resp.Value, len(rows))
	for i, r := range rows {
		n := r.node
		slots := resp.Array()
		for _, s := range n.Slots {
			slots.Elems = append(slots.Elems, str(s.String()))
		}
		primary := resp.Nil()
		if p := t.PrimaryOf(n); p != nil {
			primary = str(p.Addr)
		}
		replicas := resp.Array()
		if n.Role == redisx.RolePrimary {
			for _, rep := range t.ReplicasOf(n) {
				replicas.Elems = append(replicas.Elems, str(rep.Addr))
			}
		}
		health := resp.Nil()
		if n.Health != "" {
			health = str(n.Health)
		}
		probe := resp.Nil()
		if r.probe != nil {
			probe = str(probeText(r.probe))
		}
		nodes[i] = obj(
			str("addr"), str(n.Addr),
			str("id"), str(n.ID),
			str("role"), str(n.Role),
			str("slots"), slots,
			str("slot_count"), resp.Int(int64(n.SlotCount())),
			str("primary"), primary,
			str("replicas"), replicas,
			str("health"), health,
			str("reachable"), resp.Value{Kind: resp.KindBool, Bool: r.probe == nil},
			str("error"), probe,
		)
	}
	uncovered := resp.Array()
	for _, r := range t.Uncovered() {
		uncovered.Elems = append(uncovered.Elems, str(r.String()))
	}
	return obj(
		str("source"), str(t.Source),
		str("command"), str(t.Command),
		str("nodes"), resp.Array(nodes...),
		str("uncovered"), uncovered,
	)
}
