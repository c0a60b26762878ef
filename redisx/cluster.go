package redisx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Cluster-mode constants, from the Redis cluster specification and
// redis-py's cluster client.
const (
	// MaxRedirects is the number of sends one cluster-level attempt may
	// make while following MOVED, ASK and TRYAGAIN replies.
	MaxRedirects = 16
	// MovedRefreshEvery is how many MOVED redirects make the client read
	// the whole topology again instead of patching one slot.
	MovedRefreshEvery = 5
	// TryAgainWait is the pause before sending again after TRYAGAIN, once
	// fewer than half of MaxRedirects remain.
	TryAgainWait = 50 * time.Millisecond
	// ClusterDownWait is the pause after CLUSTERDOWN or MASTERDOWN before
	// the topology is read again.
	ClusterDownWait = 250 * time.Millisecond
)

// ClusterOptions configure a ClusterClient.
type ClusterOptions struct {
	// Seeds are the startup nodes, "host:port". Any reachable node of the
	// cluster will do, primary or replica.
	Seeds []string
	// Node is the template of every node connection: credentials, TLS,
	// protocol, client name and timeouts. Host, Port and Socket are
	// replaced by each node's address; DB must be 0.
	Node Options
	// ErrorAttempts is the number of cluster-level attempts made after the
	// first one fails with a ConnectionError, a TimeoutError, a
	// ClusterDownError or an uncovered slot (--cluster-error-attempts;
	// redis-py's default is 3). Before each, the failed node is moved to
	// the end of the seeds and the topology is read again.
	ErrorAttempts int
	// ReadFromReplicas sends read-only commands to a replica of the slot's
	// primary (after READONLY on that connection), when it has one.
	ReadFromReplicas bool
	// Retry is the node-level policy: every exchange with a node runs
	// under it, dialing included. Nil makes one attempt.
	Retry *retry.Retry
	// OnRetry receives the node-level retry events (see retry.FormatEvent).
	OnRetry func(retry.Event)
	// OnResend receives every retry, at either level, that sends again a
	// command that may have run and is not safe to run twice (--retry-sent
	// all), to be reported even when OnRetry is nil.
	OnResend func(retry.Event)
	// OnEvent receives redirects, topology reads and cluster-level
	// attempts (ClusterEvent.String renders the --verbose line).
	OnEvent func(ClusterEvent)
	// OnRedirect is called for every MOVED or ASK redirect followed, with
	// "MOVED" or "ASK", the slot and the new node: the interactive shell
	// prints "-> Redirected to slot [N] located at H:P".
	OnRedirect func(kind string, slot int, addr string)
	// OnPush receives RESP3 push messages arriving between replies.
	OnPush func(resp.Value)
	// Clock times the fixed cluster waits (TRYAGAIN, CLUSTERDOWN); nil
	// means retry.SystemClock. Tests inject a clock that does not sleep.
	Clock retry.Clock
}

// ClusterClient runs commands against a Redis Cluster: it reads the slot
// map from a seed, sends each command to the node serving its keys'
// slot, follows MOVED and ASK redirects, retries at the node level under
// a retry.Policy and at the cluster level after connection failures,
// and fans out the commands that concern every shard (DBSIZE, KEYS,
// FLUSHALL, SCRIPT LOAD, ...), merging the replies.
//
// Connections are dialed when first needed, one per node. ClusterClient
// is not safe for concurrent use.
type ClusterClient struct {
	opts  ClusterOptions
	clock retry.Clock

	// seeds are the startup nodes in the order they are tried; a node that
	// fails is moved to the end, never removed, so the list cannot empty.
	seeds []string
	nodes map[string]*clusterNode
	topo  *Topology
	// noShards is set once a node has refused CLUSTER SHARDS (Redis < 7,
	// an ACL user allowed CLUSTER SLOTS only).
	noShards bool
	// fallback is set when the nodes refuse to give a topology: commands
	// then follow redirects from the node that refused (see
	// TopologyUnavailableError), and learned keeps the slots MOVED
	// replies assigned. A session change (AUTH, HELLO) clears it.
	fallback *TopologyUnavailableError
	learned  map[int]string
	// moved counts MOVED redirects since the topology was last read.
	moved int
	// rr spreads reads over replicas.
	rr int
	// last is the node the last command went to: keyless commands,
	// ReadReply and the shell's prompt use it.
	last *clusterNode
	// tx is the node a WATCH or MULTI pinned the connection to; txPending
	// is set between MULTI and the first command, which decides the node.
	tx        *clusterNode
	txPending bool
	// lost is set when a transaction lost its connection: the commands up
	// to its end are dropped (see Client).
	lost *TxLostError
	// down are the nodes the client could not reach (a connection or
	// timeout failure) and has not reached since: the topology lines of
	// --verbose do not count their slots as served.
	down map[string]bool
	// remote maps a node's name to the other address a connection to it
	// reached (a hostname seed to its IP), to demote a failed node under
	// all its names.
	remote map[string]string
	// unfit are the replicas found unfit for reads (link down, MASTERDOWN,
	// LOADING, credentials refused) since the topology was last read.
	unfit map[string]error
}

type clusterNode struct {
	addr   string
	client *Client
	// readonly is the connection READONLY was sent on.
	readonly *Conn
}

// ClusterError is a failure of the cluster client itself, such as a
// redirect budget spent.
type ClusterError struct {
	Msg string
}

// Error returns "ClusterError: " and the message.
func (e *ClusterError) Error() string { return "ClusterError: " + e.Msg }

// SlotNotCoveredError reports a slot no node serves in the topology. It
// is retried at the cluster level: a refresh may find the slot served.
type SlotNotCoveredError struct {
	Slot   int
	Source string // the node the topology was read from
}

// Error names the slot and where the topology came from.
func (e *SlotNotCoveredError) Error() string {
	return fmt.Sprintf("slot %d is not served by any node (topology read from %s)", e.Slot, e.Source)
}

// ClusterDownError is a CLUSTERDOWN or MASTERDOWN reply that ended a
// cluster-level attempt. Its RedisCode makes it classify as the reply does.
type ClusterDownError struct {
	Reply *resp.RedisError
	Addr  string
}

// Error returns the reply's message and the node that sent it.
func (e *ClusterDownError) Error() string { return e.Reply.Msg + " (from " + e.Addr + ")" }

// RedisCode returns the reply's code: "CLUSTERDOWN" or "MASTERDOWN".
func (e *ClusterDownError) RedisCode() string { return e.Reply.RedisCode() }

// Unwrap returns the reply.
func (e *ClusterDownError) Unwrap() error { return e.Reply }

// NewClusterClient returns a client for the cluster the seeds belong to.
// It does not dial: the topology is read by the first command.
func NewClusterClient(o ClusterOptions) (*ClusterClient, error) {
	if len(o.Seeds) == 0 {
		return nil, errors.New("redisx: cluster mode needs at least one seed node")
	}
	if o.Node.DB != 0 {
		return nil, fmt.Errorf("redisx: cluster mode supports database 0 only, not %d", o.Node.DB)
	}
	if o.Node.Socket != "" {
		return nil, errors.New("redisx: cluster nodes are reached over TCP, not a unix socket")
	}
	c := &ClusterClient{opts: o, clock: o.Clock, nodes: make(map[string]*clusterNode), down: make(map[string]bool)}
	if c.clock == nil {
		c.clock = retry.SystemClock{}
	}
	for _, s := range o.Seeds {
		addr, err := normalizeAddr(s)
		if err != nil {
			return nil, fmt.Errorf("redisx: seed %q: %w", s, err)
		}
		c.addSeed(addr)
	}
	return c, nil
}

// normalizeAddr checks "host:port" and writes it the way topologies do.
func normalizeAddr(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return "", fmt.Errorf("bad port %q", port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), nil
}

func (c *ClusterClient) addSeed(addr string) {
	for _, s := range c.seeds {
		if s == addr {
			return
		}
	}
	c.seeds = append(c.seeds, addr)
}

// demote moves addr, under every name it is known by, to the end of the
// seeds.
func (c *ClusterClient) demote(addr string) {
	names := c.names(addr)
	var kept, moved []string
	for _, s := range c.seeds {
		if slices.Contains(names, s) {
			moved = append(moved, s)
		} else {
			kept = append(kept, s)
		}
	}
	c.seeds = append(kept, moved...)
}

// Seeds returns the startup nodes in the order they are tried.
func (c *ClusterClient) Seeds() []string { return append([]string(nil), c.seeds...) }

// LastAddr returns the address of the node the last command went to, or
// of the first seed before any command.
func (c *ClusterClient) LastAddr() string {
	if c.last != nil {
		return c.last.addr
	}
	return c.seeds[0]
}

// node returns the node at addr, creating its (undialed) client.
func (c *ClusterClient) node(addr string) *clusterNode {
	if n := c.nodes[addr]; n != nil {
		return n
	}
	cl := NewClient(c.nodeOptions(addr))
	cl.OnPush = c.opts.OnPush
	cl.OnConnect = func(conn *Conn) { c.learnRemote(addr, conn) }
	n := &clusterNode{addr: addr, client: cl}
	c.nodes[addr] = n
	return n
}

func (c *ClusterClient) nodeOptions(addr string) Options {
	o := c.opts.Node
	host, port, _ := net.SplitHostPort(addr)
	o.Host = host
	o.Port, _ = strconv.Atoi(port)
	if o.Port < 1 || o.Port > 65535 {
		o.badAddr = addr
	}
	o.Socket = ""
	o.DB = 0
	return o
}

// Close closes every node connection.
func (c *ClusterClient) Close() error {
	var first error
	for _, n := range c.nodes {
		if err := n.client.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (c *ClusterClient) emit(e ClusterEvent) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(e)
	}
}

// Topology reads the topology again from the first seed that answers and
// returns it. The returned value is the client's own: do not modify it.
// When the nodes refuse to give one, the error is a
// *TopologyUnavailableError.
func (c *ClusterClient) Topology(ctx context.Context) (*Topology, error) {
	if err := c.refresh(ctx); err != nil {
		return nil, err
	}
	if c.topo == nil {
		return nil, c.fallback
	}
	return c.topo, nil
}

// topology returns the current topology, reading it first if needed.
func (c *ClusterClient) topology(ctx context.Context) (*Topology, error) {
	if c.topo != nil {
		return c.topo, nil
	}
	if c.fallback == nil {
		if err := c.refresh(ctx); err != nil {
			return nil, err
		}
	}
	if c.topo == nil {
		return nil, c.fallback
	}
	return c.topo, nil
}

// refresh reads the topology from the first seed that answers, each
// seed under the node-level policy, and adds the nodes it lists to the
// end of the seeds.
//
// Without a topology yet, when no seed gives one and a seed refused
// (see TopologyUnavailableError), the client falls back to following
// redirects from that seed, and refresh returns nil. In that mode refresh
// reads nothing.
func (c *ClusterClient) refresh(ctx context.Context) error {
	if c.fallback != nil {
		return nil
	}
	var lastErr error
	var refused *TopologyUnavailableError
	refreshed := c.topo != nil
	tried := 0
	for _, addr := range append([]string(nil), c.seeds...) {
		tried++
		t, err := c.readTopologyRetry(ctx, addr)
		if err == nil {
			c.reached(addr)
			c.topo, c.moved = t, 0
			c.unfit = nil
			for _, n := range t.Nodes {
				c.addSeed(n.Addr)
			}
			c.emit(c.topologyEvent(t, refreshed))
			return nil
		}
		lastErr = err
		if r, ok := isRefusal(err); ok {
			c.reached(addr)
			if refused == nil {
				refused = r
			}
			continue
		}
		c.unreachable(addr, err)
		if ctx.Err() != nil {
			break
		}
	}
	if refused != nil && c.topo == nil && ctx.Err() == nil {
		c.enterFallback(refused)
		return nil
	}
	if ctx.Err() == nil {
		c.emit(ClusterEvent{Kind: EventTopologyFailed, Slot: -1, Refreshed: refreshed, Attempts: tried, Err: lastErr})
	}
	return lastErr
}

// topologyEvent summarises t for --verbose. Slots count as served only
// when their primary is reachable: neither failed in the cluster's view
// nor unreachable from here since the client last failed to reach it.
func (c *ClusterClient) topologyEvent(t *Topology, refreshed bool) ClusterEvent {
	ev := ClusterEvent{Kind: EventTopology, Slot: -1, Refreshed: refreshed, Source: t.Source, Command: t.Command,
		Primaries: len(t.Primaries()), Replicas: len(t.Replicas())}
	for _, p := range t.Primaries() {
		n := p.SlotCount()
		if n == 0 {
			continue
		}
		if c.down[p.Addr] || p.Health == "fail" || p.Health == "failed" {
			ev.Unreachable = append(ev.Unreachable, p.Addr)
			continue
		}
		ev.Covered += n
	}
	return ev
}

// unreachable records that addr could not be reached, when err says so
// (a connection failure or a timeout, not an error reply).
func (c *ClusterClient) unreachable(addr string, err error) {
	switch retry.Classify(err) {
	case retry.ConnectionError, retry.TimeoutError:
		for _, a := range c.names(addr) {
			c.down[a] = true
		}
	}
}

// reached records that addr answered.
func (c *ClusterClient) reached(addr string) {
	for _, a := range c.names(addr) {
		delete(c.down, a)
	}
}

// readTopologyRetry is readTopology under the node-level policy.
func (c *ClusterClient) readTopologyRetry(ctx context.Context, addr string) (*Topology, error) {
	if c.opts.Retry == nil {
		return c.readTopology(ctx, addr)
	}
	var t *Topology
	err := c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		var err error
		t, err = c.readTopology(ctx, addr)
		return err
	}, retry.Hooks{
		OnFailure: func(error) { c.node(addr).client.Close() },
		Node:      func() string { return addr },
		Observe:   c.opts.OnRetry,
		Safe:      func() bool { return true }, // CLUSTER SHARDS only reads
	})
	return t, err
}

// readTopology asks the node at addr for the topology (see
// readTopologyFrom).
func (c *ClusterClient) readTopology(ctx context.Context, addr string) (*Topology, error) {
	n := c.node(addr)
	conn, err := n.client.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return c.readTopologyFrom(ctx, n, conn)
}

// target picks the node for a command on slot (-1: keyless).
func (c *ClusterClient) target(ctx context.Context, slot int, readOnly bool) (*clusterNode, error) {
	if c.fallback == nil {
		if _, err := c.topology(ctx); err != nil && c.fallback == nil {
			return nil, err
		}
	}
	if c.fallback != nil {
		return c.fallbackTarget(slot), nil
	}
	t := c.topo
	if slot < 0 {
		if c.last != nil {
			return c.last, nil
		}
		return c.node(c.seeds[0]), nil
	}
	owner := t.Owner(slot)
	if owner == nil {
		return nil, &SlotNotCoveredError{Slot: slot, Source: t.Source}
	}
	if readOnly && c.opts.ReadFromReplicas {
		var healthy []*ClusterNode
		for _, r := range t.ReplicasOf(owner) {
			if c.fitReplica(r) {
				healthy = append(healthy, r)
			}
		}
		if len(healthy) > 0 {
			c.rr++
			return c.node(healthy[c.rr%len(healthy)].Addr), nil
		}
	}
	return c.node(owner.Addr), nil
}

// isReplica reports whether the topology lists addr as a replica.
func (c *ClusterClient) isReplica(addr string) bool {
	if c.topo == nil {
		return false
	}
	n := c.topo.Node(addr)
	return n != nil && n.Role == RoleReplica
}

// clusterRetryable reports whether a failed attempt is retried at the
// cluster level: exactly a ConnectionError, a TimeoutError, a
// ClusterDownError or an uncovered slot. Subclasses do not count
// (BusyLoadingError, MasterDownError), as in redis-py, which compares the
// exception's exact type; a transaction lost with its connection is
// never retried.
func clusterRetryable(err error) bool {
	var tl *TxLostError
	if errors.As(err, &tl) {
		return false
	}
	var snc *SlotNotCoveredError
	if errors.As(err, &snc) {
		return true
	}
	switch retry.Classify(err) {
	case retry.ConnectionError, retry.TimeoutError, retry.ClusterDownError:
		return true
	}
	return false
}

// failure is a failed cluster-level attempt: the error and the node it
// happened on ("" when no node was involved).
type failure struct {
	err  error
	addr string
	// refreshed is set when the topology was already read again.
	refreshed bool
	// reply is the error reply to return when attempts run out.
	reply *resp.Value
}

// withAttempts runs attempt under the cluster-level loop: after a
// retryable failure, the failed node goes to the end of the seeds, the
// topology is read again and attempt runs again, up to ErrorAttempts
// more times. A failure after args were sent starts another attempt only
// when --retry-sent allows it. first, when not nil, is the failure of a
// first attempt already made (by a pipeline).
func (c *ClusterClient) withAttempts(ctx context.Context, args [][]byte, first *failure, attempt func() (resp.Value, *failure)) (resp.Value, error) {
	total := 1 + max(0, c.opts.ErrorAttempts)
	sent := false
	// end returns the failure f: a command that was sent in any attempt
	// and can change data may have run.
	end := func(v resp.Value, err error) (resp.Value, error) {
		if sent && !ReadOnly(args) && !connectionScoped(args) {
			var mr *MayHaveRunError
			if !errors.As(err, &mr) {
				err = &MayHaveRunError{Cmd: CommandLabel(args), Err: err}
			}
		}
		return v, err
	}
	for n := 1; ; n++ {
		var v resp.Value
		var f *failure
		if n == 1 && first != nil {
			f = first
		} else {
			v, f = attempt()
		}
		if f == nil {
			return v, nil
		}
		wasSent := retry.RequestSent(f.err)
		sent = sent || wasSent
		if !clusterRetryable(f.err) || ctx.Err() != nil {
			if f.reply != nil && ctx.Err() == nil {
				return *f.reply, nil
			}
			return end(v, f.err)
		}
		if n >= total {
			c.emit(ClusterEvent{Kind: EventGiveUp, Slot: -1, Attempt: n, Attempts: total, Err: f.err, Sent: wasSent})
			if f.reply != nil {
				return *f.reply, nil
			}
			return end(v, f.err)
		}
		if wasSent {
			resend := c.resend()
			safe := Resendable(args)
			if !resend.Allows(safe) {
				c.emit(ClusterEvent{Kind: EventNotResent, Slot: -1, Attempt: n, Attempts: total, Err: f.err, Sent: true,
					Command: CommandLabel(args), Resend: resend})
				return end(v, f.err)
			}
			if !safe && c.opts.OnResend != nil {
				c.opts.OnResend(retry.Event{Action: retry.ActionRetry, Attempt: n, Retries: total - 1, Class: retry.Classify(f.err),
					Err: f.err, Node: f.addr, Sent: true, Command: CommandLabel(args), Resend: resend, Unsafe: true})
			}
		}
		if f.addr != "" {
			c.unreachable(f.addr, f.err)
			c.demote(f.addr)
			if c.last != nil && c.last.addr == f.addr {
				c.last = nil
			}
			c.forgetNode(f.addr)
		}
		c.emit(ClusterEvent{Kind: EventAttempt, Slot: -1, Attempt: n + 1, Attempts: total, Err: f.err,
			Sent: wasSent, Failed: f.addr, Refreshed: f.refreshed})
		if !f.refreshed {
			if err := c.refresh(ctx); err != nil && ctx.Err() != nil {
				return resp.Value{}, err
			}
		}
	}
}

// resend returns the --retry-sent value of the node-level policy.
func (c *ClusterClient) resend() retry.Resend {
	if c.opts.Retry == nil {
		return retry.ResendSafe
	}
	return c.opts.Retry.Policy.Resend
}

// exec runs one single-slot (or keyless, slot -1) command with redirects
// and both retry levels.
func (c *ClusterClient) exec(ctx context.Context, args [][]byte, slot int, readOnly bool) (resp.Value, error) {
	return c.withAttempts(ctx, args, nil, func() (resp.Value, *failure) {
		return c.execOnce(ctx, args, slot, readOnly)
	})
}

// execOnce is one cluster-level attempt: pick the node, send, and follow
// redirects within the hop budget.
func (c *ClusterClient) execOnce(ctx context.Context, args [][]byte, slot int, readOnly bool) (resp.Value, *failure) {
	node, err := c.target(ctx, slot, readOnly)
	if err != nil {
		return resp.Value{}, &failure{err: err}
	}
	asking := false
	replica := c.isReplicaRead(node, args)
	var last resp.Value
	for ttl := MaxRedirects; ttl > 0; {
		ttl--
		v, err := c.nodeDoCall(ctx, node, args, nodeCall{asking: asking, replicaRead: replica})
		asking = false
		if replica {
			replica = false
			if why := replicaFailed(v, err); why != nil && ttl > 0 {
				// Reads are safe to send again: the primary answers.
				if p := c.leaveReplica(node, slot, why); p != nil {
					node = p
					continue
				}
			}
		}
		if err != nil {
			if slot < 0 && c.last == node {
				c.last = nil
			}
			return resp.Value{}, &failure{err: err, addr: node.addr}
		}
		c.reached(node.addr)
		if v.Kind != resp.KindError {
			c.last = node
			return v, nil
		}
		last = v
		// With the budget spent nothing is sent after this reply: no line
		// announces a send that will not happen.
		more := ttl > 0
		switch code, _, _ := strings.Cut(v.Text(), " "); code {
		case "MOVED", "ASK":
			kind, s, addr, ok := parseRedirect(v.Text(), node.addr)
			if !ok {
				c.last = node
				return v, nil
			}
			if kind == "MOVED" {
				if more {
					c.emit(ClusterEvent{Kind: EventMoved, Slot: s, Addr: addr, From: node.addr})
				}
				c.moved++
				if more && c.moved%MovedRefreshEvery == 0 {
					if err := c.refresh(ctx); err != nil && ctx.Err() != nil {
						return resp.Value{}, &failure{err: err}
					}
				}
				// The redirect is newer than any topology: it wins.
				if c.topo != nil {
					c.topo.setOwner(s, addr)
				} else if c.fallback != nil {
					c.learned[s] = addr
				}
			} else {
				if more {
					c.emit(ClusterEvent{Kind: EventAsk, Slot: s, Addr: addr, From: node.addr})
				}
				asking = true
			}
			if more && c.opts.OnRedirect != nil {
				c.opts.OnRedirect(kind, s, addr)
			}
			node = c.node(addr)
		case "TRYAGAIN":
			if !more {
				break
			}
			var wait time.Duration
			if ttl < MaxRedirects/2 {
				wait = TryAgainWait
			}
			c.emit(ClusterEvent{Kind: EventTryAgain, Slot: slot, Addr: node.addr, Wait: wait})
			if wait > 0 {
				if err := c.clock.Sleep(ctx, wait); err != nil {
					return resp.Value{}, &failure{err: err}
				}
			}
		case "CLUSTERDOWN", "MASTERDOWN":
			re := &resp.RedisError{Msg: v.Text()}
			c.emit(ClusterEvent{Kind: EventClusterDown, Slot: slot, Addr: node.addr, Wait: ClusterDownWait, Err: re})
			if err := c.clock.Sleep(ctx, ClusterDownWait); err != nil {
				return resp.Value{}, &failure{err: err}
			}
			if err := c.refresh(ctx); err != nil && ctx.Err() != nil {
				return resp.Value{}, &failure{err: err}
			}
			return v, &failure{err: &ClusterDownError{Reply: re, Addr: node.addr}, refreshed: true, reply: &v}
		default:
			c.last = node
			return v, nil
		}
	}
	return resp.Value{}, &failure{err: &ClusterError{Msg: fmt.Sprintf("too many redirections (%d sends; last reply: %s)", MaxRedirects, last.Text())}}
}

// clusterCodes are the error replies the redirect table handles; the
// node-level policy never retries them.
func isClusterCode(code string) bool {
	switch code {
	case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN":
		return true
	}
	return false
}

// nodeDo sends args to one node under the node-level policy: dial when
// needed (with READONLY for reads on a replica), ASKING first when asked,
// send, read the reply. Error replies are returned as values, except
// those the policy retries, which are returned as values once the
// retries are spent.
func (c *ClusterClient) nodeDo(ctx context.Context, n *clusterNode, args [][]byte, asking bool) (resp.Value, error) {
	return c.nodeDoCall(ctx, n, args, nodeCall{asking: asking})
}

// nodeDoCall is nodeDo with the details of the call. A read sent to a
// replica is not retried there when the replica cannot serve it (see
// replicaFailed): the primary can.
func (c *ClusterClient) nodeDoCall(ctx context.Context, n *clusterNode, args [][]byte, call nodeCall) (resp.Value, error) {
	var v resp.Value
	var replyErr *resp.RedisError
	op := func(ctx context.Context) error {
		replyErr = nil
		var err error
		v, err = c.send(ctx, n, args, call)
		if err != nil {
			return err
		}
		if v.Kind == resp.KindError && c.opts.Retry != nil {
			re := &resp.RedisError{Msg: v.Text()}
			if call.replicaRead && replicaFallbackReply(re) {
				return nil
			}
			if !isClusterCode(re.RedisCode()) && c.opts.Retry.Policy.Retryable(re) {
				replyErr = re
				return re
			}
		}
		return nil
	}
	if c.opts.Retry == nil {
		err := op(ctx)
		return v, err
	}
	err := c.opts.Retry.Do(ctx, op, retry.Hooks{
		OnFailure: func(err error) {
			if replyErr == nil {
				n.client.Close()
			}
		},
		Node:     func() string { return n.addr },
		Observe:  c.opts.OnRetry,
		Safe:     func() bool { return Resendable(args) },
		Command:  func() string { return CommandLabel(args) },
		OnResend: c.opts.OnResend,
	})
	if err != nil && replyErr != nil && errors.Is(err, replyErr) && ctx.Err() == nil {
		return v, nil
	}
	return v, err
}

// send is one exchange with a node: no retries.
func (c *ClusterClient) send(ctx context.Context, n *clusterNode, args [][]byte, call nodeCall) (resp.Value, error) {
	conn, err := n.client.Conn(ctx)
	if err != nil {
		return resp.Value{}, err
	}
	if c.opts.ReadFromReplicas && n.readonly != conn && c.isReplica(n.addr) {
		v, err := c.readOnlyConn(ctx, n, conn, call.replicaRead)
		if err != nil || v.Kind == resp.KindError {
			return v, err
		}
	}
	asking := call.asking
	if asking {
		conn.Write(askingArgs...)
	}
	conn.Write(args...)
	if err := conn.Flush(ctx); err != nil {
		n.client.Close()
		return resp.Value{}, err
	}
	if asking {
		if _, err := conn.ReadReplyTo(ctx, askingArgs); err != nil {
			n.client.Close()
			return resp.Value{}, err
		}
	}
	v, err := conn.ReadReplyTo(ctx, args)
	if err != nil {
		n.client.Close()
		return resp.Value{}, err
	}
	n.client.track(args, v)
	if v.Kind != resp.KindError && isSessionCommand(args) {
		c.shareSession(n)
	}
	return v, nil
}

// askingArgs is the ASKING command sent before a command redirected by ASK.
var askingArgs = [][]byte{[]byte("ASKING")}

// isSessionCommand reports whether args change the session every node
// connection must share: credentials, protocol, client name.
func isSessionCommand(args [][]byte) bool {
	switch {
	case eqFold(args[0], "AUTH"), eqFold(args[0], "HELLO"), eqFold(args[0], "RESET"):
		return true
	case eqFold(args[0], "CLIENT") && len(args) > 1 && eqFold(args[1], "SETNAME"):
		return true
	}
	return false
}

// shareSession makes the session of n (changed by AUTH, HELLO, CLIENT
// SETNAME or RESET) the template of every node; the other nodes' open
// connections are closed so that they dial again with it.
func (c *ClusterClient) shareSession(n *clusterNode) {
	o := n.client.Options()
	o.Host, o.Port = c.opts.Node.Host, c.opts.Node.Port
	c.opts.Node = o
	// The new session may be allowed the topology the old one was not
	// (AUTH after NOAUTH or NOPERM): the next command reads it again.
	c.fallback, c.learned, c.noShards = nil, nil, false
	for addr, m := range c.nodes {
		if m != n {
			m.client.SetOptions(c.nodeOptions(addr))
			m.readonly = nil
		}
	}
}

// ReadReply reads the next message the server pushes on the connection
// the last command used (after SUBSCRIBE, SSUBSCRIBE or MONITOR). Under
// the node-level policy, a subscribed connection that fails is made
// again to the same node and subscribed again (see Client.ReadReply).
func (c *ClusterClient) ReadReply(ctx context.Context) (resp.Value, error) {
	if c.last == nil {
		return resp.Value{}, &ConnError{Op: "read", Addr: c.LastAddr(), Err: ErrClosed}
	}
	return c.last.client.readStream(ctx, c.opts.Retry, c.opts.OnRetry)
}

// Probe dials addr afresh with the node options and sends PING, once,
// without retries: the topology view's reachability check.
func (c *ClusterClient) Probe(ctx context.Context, addr string) error {
	o := c.nodeOptions(addr)
	conn, err := Dial(ctx, &o)
	if err != nil {
		return err
	}
	defer conn.Close()
	v, err := conn.Do(ctx, []byte("PING"))
	if err != nil {
		return err
	}
	return v.Err()
}
