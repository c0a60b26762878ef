package redisx

import (
	"context"
	"errors"
	"fmt"
	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
	"strings"

	"github.com/redish/redish/retry"
)

// TopologyUnavailableError reports that the nodes answer but give no
// topology: they refuse CLUSTER SHARDS and CLUSTER SLOTS (cluster support
// disabled, NOPERM, a renamed CLUSTER, a proxy) or answer them with
// something that is not a slot map. The cluster client then works as
// redis-cli -c does: it sends each command to the node it talks to and
// follows MOVED and ASK redirects. The commands that need the whole
// topology (DoNodes, Topology) return this error.
type TopologyUnavailableError struct {
	// Addr is the node that refused.
	Addr string
	// Command is the last topology command tried ("CLUSTER SLOTS").
	Command string
	// Reply is the node's error reply, or what was wrong with its answer.
	Reply string
}

// Error names the node, the command and the reply.
func (e *TopologyUnavailableError) Error() string {
	return "cannot read the cluster topology from " + e.Addr + " (" + e.Command + ": " + e.Reply + ")"
}

// topologyRefusal classifies the error reply re to a topology command:
// a refusal (the node will not give the topology, asking again will not
// help) or a failure of the node worth another node or another try
// (LOADING, TRYAGAIN, CLUSTERDOWN, too many clients).
func topologyRefusal(re *resp.RedisError) bool {
	c := retry.Classify(re)
	return !c.Is(retry.ConnectionError) && !c.Is(retry.TryAgainError) && !c.Is(retry.ClusterDownError)
}

// enterFallback makes the client follow redirects from the node that
// refused, instead of routing with a slot map, and says so once.
func (c *ClusterClient) enterFallback(e *TopologyUnavailableError) {
	c.fallback = e
	c.learned = make(map[int]string)
	// A proxy or a scripted node may hang up after refusing: the first
	// command gets a connection of its own.
	if n := c.nodes[e.Addr]; n != nil {
		n.client.Close()
	}
	c.emit(ClusterEvent{Kind: EventFallback, Slot: -1, Addr: e.Addr, Err: e})
}

// fallbackTarget is the node for a command on slot (-1: keyless) when
// there is no topology: the node a MOVED named for the slot, else the
// node the last command went to, else the node that refused the
// topology, as redis-cli -c sends to the node it is connected to.
func (c *ClusterClient) fallbackTarget(slot int) *clusterNode {
	if addr, ok := c.learned[slot]; ok && slot >= 0 {
		return c.node(addr)
	}
	if c.last != nil {
		return c.last
	}
	return c.node(c.fallback.Addr)
}

// forgetNode drops the slots a MOVED assigned to addr, after addr failed:
// the next command for them goes to the default node, which redirects
// again if it must.
func (c *ClusterClient) forgetNode(addr string) {
	for s, a := range c.learned {
		if a == addr {
			delete(c.learned, s)
		}
	}
}

// ensureTopology reads the topology before the first command, under the
// cluster-level attempts, so that the command can be routed with a slot
// map or, when the nodes refuse to give one, as redis-cli -c routes it.
func (c *ClusterClient) ensureTopology(ctx context.Context) error {
	if c.topo != nil || c.fallback != nil {
		return nil
	}
	_, err := c.withAttempts(ctx, topologyArgs, nil, func() (resp.Value, *failure) {
		if c.topo != nil || c.fallback != nil {
			return resp.Value{}, nil
		}
		if err := c.refresh(ctx); err != nil {
			return resp.Value{}, &failure{err: err}
		}
		return resp.Value{}, nil
	})
	return err
}

// topologyArgs names the topology read for the cluster-level attempts: it
// only reads, so a failure never "may have run" anything.
var topologyArgs = [][]byte{[]byte("CLUSTER"), []byte("SHARDS")}

// doFallback runs one command without a topology, as redis-cli -c does:
// to the node of its first key's slot when a MOVED named one, else to the
// current node, following MOVED and ASK within the hop budget. Nothing is
// split or fanned out and no CROSSSLOT is made up: a standalone server
// runs MSET a 1 b 2, and a cluster node says what it thinks of it.
func (c *ClusterClient) doFallback(ctx context.Context, args [][]byte) (resp.Value, error) {
	slot := -1
	if cmd := commands.LookupBytes(args); cmd != nil {
		if idx, err := commands.RoutingIndexes(cmd, args); err == nil && len(idx) > 0 {
			slot = HashSlot(args[idx[0]])
		}
	}
	return c.exec(ctx, args, slot, false)
}

// readTopologyFrom asks conn for CLUSTER SHARDS, or CLUSTER SLOTS when
// the node refuses SHARDS (Redis < 7, an ACL user allowed only
// CLUSTER|SLOTS, a proxy). A refusal of both is a
// *TopologyUnavailableError.
func (c *ClusterClient) readTopologyFrom(ctx context.Context, n *clusterNode, conn *Conn) (*Topology, error) {
	var refused *TopologyUnavailableError
	if !c.noShards {
		v, err := conn.Do(ctx, []byte("CLUSTER"), []byte("SHARDS"))
		if err != nil {
			n.client.Close()
			return nil, err
		}
		if v.Kind != resp.KindError {
			t, err := parseShards(v, n.addr, c.opts.Node.TLS != nil)
			if err != nil {
				return nil, &TopologyUnavailableError{Addr: n.addr, Command: "CLUSTER SHARDS", Reply: err.Error()}
			}
			return t, nil
		}
		re := &resp.RedisError{Msg: v.Text()}
		if !topologyRefusal(re) {
			return nil, fmt.Errorf("reading the topology from %s: %w", n.addr, re)
		}
		refused = &TopologyUnavailableError{Addr: n.addr, Command: "CLUSTER SHARDS", Reply: re.Msg}
		c.noShards = true
	}
	v, err := conn.Do(ctx, []byte("CLUSTER"), []byte("SLOTS"))
	if err != nil {
		n.client.Close()
		if refused != nil && retry.Classify(err) == retry.ConnectionError {
			// It answered, refused, and hung up: a refusal, not a node
			// that cannot be reached.
			return nil, refused
		}
		return nil, err
	}
	if v.Kind == resp.KindError {
		re := &resp.RedisError{Msg: v.Text()}
		if !topologyRefusal(re) {
			return nil, fmt.Errorf("reading the topology from %s: %w", n.addr, re)
		}
		return nil, &TopologyUnavailableError{Addr: n.addr, Command: "CLUSTER SLOTS", Reply: re.Msg}
	}
	t, err := parseSlots(v, n.addr)
	if err != nil {
		return nil, &TopologyUnavailableError{Addr: n.addr, Command: "CLUSTER SLOTS", Reply: err.Error()}
	}
	return t, nil
}

// isRefusal reports whether err is a node's refusal to give the topology.
func isRefusal(err error) (*TopologyUnavailableError, bool) {
	var tu *TopologyUnavailableError
	ok := errors.As(err, &tu)
	return tu, ok
}

// fallbackLine renders EventFallback.
func fallbackLine(b *strings.Builder, e ClusterEvent) {
	fmt.Fprintf(b, "no cluster topology: %s; sending commands to %s and following MOVED and ASK redirects",
		strings.TrimPrefix(errText(e.Err), "cannot read the cluster topology from "), e.Addr)
}

// Connect reads the topology if it has not been read, or learns that the
// nodes give none (and falls back to following redirects, see
// TopologyUnavailableError): the check a shell makes at start, once, with
// no cluster-level attempts. Its error is that of the topology read.
func (c *ClusterClient) Connect(ctx context.Context) error {
	if c.topo != nil || c.fallback != nil {
		return nil
	}
	return c.refresh(ctx)
}

// NoTopology returns the *TopologyUnavailableError that made the client
// follow redirects without a topology, or nil while it routes with one
// (or has not tried yet).
func (c *ClusterClient) NoTopology() error {
	if c.fallback == nil {
		return nil
	}
	return c.fallback
}
