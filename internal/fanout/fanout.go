// Package fanout runs cluster-wide work: one command on the nodes a
// selection names (--primaries, --replicas, --all-nodes, --node), each
// reply printed under its node's address, and --topology, the cluster's
// nodes, roles, slots and health.
package fanout

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

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Do sends args to the nodes sel selects and prints each reply under the
// node's address, or, with --json, one object keyed by address.
func Do(ctx context.Context, e *env.Env, sel redisx.NodeSelector, args [][]byte) error {
	p := e.Printer
	cc, ok := e.Session.(*redisx.ClusterClient)
	if !ok {
		return env.Fail("Node selection needs -c (cluster mode).")
	}
	replies, err := cc.DoNodes(ctx, sel, args)
	if err != nil && len(replies) == 0 {
		return err
	}
	if mode := p.Format().Mode; mode == format.JSON || mode == format.QuotedJSON {
		obj := resp.Value{Kind: resp.KindMap}
		for _, r := range replies {
			obj.Elems = append(obj.Elems, resp.BulkString(r.Addr), nodeValue(r))
		}
		return p.Reply(args, obj)
	}
	for _, r := range replies {
		head := r.Addr
		if r.Role != "" {
			head += " (" + r.Role + ")"
		}
		if err := p.Text(head + ":\n"); err != nil {
			return err
		}
		if err := p.Reply(args, nodeValue(r)); err != nil {
			return err
		}
	}
	return err
}

// nodeValue is the reply of one node, or its failure as an error reply.
func nodeValue(r redisx.NodeReply) resp.Value {
	if r.Err != nil {
		return resp.ErrorReply(env.Describe(r.Err))
	}
	return r.Value
}

// nodeStatus is one row of --topology.
type nodeStatus struct {
	node  *redisx.ClusterNode
	probe error
}

// Options are the settings of --topology. It has none of its own: the
// output format is the printer's, and the reachability check of each node
// is bounded by the connect timeout of e.Conn, or probeTimeout without one.
type Options struct{}

// probeTimeout bounds the reachability check of one node in --topology
// when no --connect-timeout is given.
const probeTimeout = 2 * time.Second

// Run runs --topology: it prints the cluster's nodes as a table, or as
// JSON with --json.
func Run(ctx context.Context, e *env.Env, _ Options) error {
	p := e.Printer
	cc, ok := e.Session.(*redisx.ClusterClient)
	if !ok {
		return env.Fail("Option --topology needs -c (cluster mode).")
	}
	t, err := cc.Topology(ctx)
	if err != nil {
		return err
	}
	rows := make([]nodeStatus, len(t.Nodes))
	for i := range t.Nodes {
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if e.Conn.ConnectTimeout == 0 {
			pctx, cancel = context.WithTimeout(ctx, probeTimeout)
		}
		rows[i] = nodeStatus{node: &t.Nodes[i], probe: cc.Probe(pctx, t.Nodes[i].Addr)}
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if mode := p.Format().Mode; mode == format.JSON || mode == format.QuotedJSON {
		return p.Reply(nil, topologyValue(t, rows))
	}
	var b strings.Builder
	writeTopology(&b, t, rows)
	return p.Text(b.String())
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
	s := env.Count(primaries, "primary", "primaries") + ", " + env.Count(replicas, "replica", "replicas")
	if failed > 0 {
		s += ", " + env.Count(failed, "failed node", "failed nodes")
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
		return "no: " + env.DialReason(ce.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "no: timed out"
	}
	return "no: " + strings.TrimPrefix(env.Describe(err), "Error: ")
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
