package redisx

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
)

// Do runs one command on the cluster and returns its reply:
//
//   - A command with keys goes to the node serving their slot (a replica,
//     for reads with ReadFromReplicas). Keys must share a slot, except
//     for DEL, EXISTS, MGET, MSET, UNLINK and TOUCH, which are split per
//     slot and merged as Redis documents (a sum, the values in key order,
//     OK). Other multi-slot commands get a CROSSSLOT error reply without
//     being sent.
//   - A command the Redis command table marks as concerning every shard
//     (DBSIZE, KEYS, FLUSHALL, FLUSHDB, SCRIPT LOAD, FUNCTION LOAD, ...)
//     runs on every primary and the replies are merged per the command's
//     response policy.
//   - Any other keyless command goes to the node the last command used,
//     or to the first seed.
//   - WATCH and MULTI pin the connection: the transaction runs on the
//     node of its first keyed command, without redirects or retries.
//
// When the nodes refuse to give a topology (a standalone server, CLUSTER
// renamed or not allowed, a proxy), commands go as redis-cli -c sends
// them: to the node the client talks to, as they are, following MOVED
// and ASK replies (see TopologyUnavailableError).
//
// Server error replies are returned as values of KindError. The error is
// for failures the retries could not overcome.
func (c *ClusterClient) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	if len(args) == 0 {
		return resp.Value{}, errors.New("redisx: empty command")
	}
	if c.lost != nil {
		t := txState{lost: c.lost}
		send, err := t.admit(args)
		c.lost = t.lost
		if !send {
			return resp.Value{}, err
		}
	}
	if c.txPending || isTxCommand(args) || (c.tx != nil && (c.tx.client.InTx() || isTxEnd(args))) {
		return c.doTx(ctx, args)
	}
	if err := c.ensureTopology(ctx); err != nil {
		return resp.Value{}, err
	}
	if c.fallback != nil {
		return c.doFallback(ctx, args)
	}
	cmd := commands.LookupBytes(args)
	if merge := fanOutMerge(cmd); merge != nil {
		return c.fanOut(ctx, args, merge)
	}
	keys, slots, err := c.keys(ctx, cmd, args)
	if err != nil {
		return resp.Value{}, err
	}
	slot := -1
	for i, s := range slots {
		if i == 0 {
			slot = s
			continue
		}
		if s != slot {
			if cmd != nil && splittable(cmd.Name) {
				return c.split(ctx, cmd, args, keys, slots)
			}
			return crossSlotReply(args, keys, slots), nil
		}
	}
	return c.exec(ctx, args, slot, readOnly(cmd))
}

func readOnly(cmd *commands.Command) bool {
	return cmd != nil && cmd.Flags.Has(commands.FlagReadonly) && !cmd.Flags.Has(commands.FlagWrite)
}

// keys returns the indexes of the arguments that route args (keys and
// shard channels) and their slots. Commands the table lacks (module
// commands) ask a node with COMMAND GETKEYS; indexes are then those of
// the matching arguments.
func (c *ClusterClient) keys(ctx context.Context, cmd *commands.Command, args [][]byte) ([]int, []int, error) {
	var idx []int
	if cmd != nil {
		var err error
		idx, err = commands.RoutingIndexes(cmd, args)
		if err != nil {
			// The server rejects such commands: let any node say so.
			idx = nil
		}
	} else if c.fallback == nil {
		var err error
		idx, err = c.getKeys(ctx, args)
		if err != nil {
			return nil, nil, err
		}
	}
	slots := make([]int, len(idx))
	for i, k := range idx {
		slots[i] = HashSlot(args[k])
	}
	return idx, slots, nil
}

// getKeys asks a node for the keys of a command the table does not know,
// and maps them back to argument indexes. An error reply (unknown
// command, no keys) means no keys: the command then goes to the default
// node, which replies what it has to say.
func (c *ClusterClient) getKeys(ctx context.Context, args [][]byte) ([]int, error) {
	q := append([][]byte{[]byte("COMMAND"), []byte("GETKEYS")}, args...)
	v, err := c.exec(ctx, q, -1, false)
	if err != nil {
		return nil, err
	}
	if v.Kind != resp.KindArray {
		return nil, nil
	}
	var idx []int
	used := make([]bool, len(args))
	for _, k := range v.Elems {
		for i := 1; i < len(args); i++ {
			if !used[i] && string(args[i]) == string(k.Str) {
				used[i] = true
				idx = append(idx, i)
				break
			}
		}
	}
	return idx, nil
}

// crossSlotReply is the error reply for a command whose keys span slots,
// made without sending it: the server's CROSSSLOT message, with the keys'
// slots so the user sees which key is elsewhere.
func crossSlotReply(args [][]byte, keys, slots []int) resp.Value {
	var b strings.Builder
	b.WriteString("CROSSSLOT Keys in request don't hash to the same slot (")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 4 && len(keys) > 5 {
			fmt.Fprintf(&b, "and %d more", len(keys)-4)
			break
		}
		fmt.Fprintf(&b, "%s: slot %d", strconv.Quote(string(args[k])), slots[i])
	}
	b.WriteString("; use a {hash tag} to keep keys together)")
	return resp.ErrorReply(b.String())
}

// splittable reports whether the command may be split per slot: the
// multi-key commands Redis documents as multi-shard with a merge that
// keeps their meaning.
func splittable(name string) bool {
	switch name {
	case "del", "exists", "unlink", "touch", "mget", "mset":
		return true
	}
	return false
}

// split runs a multi-key command as one command per slot, in the order
// the slots first appear, and merges the replies: the sum of the counts
// (DEL, EXISTS, UNLINK, TOUCH), the values in key order (MGET) or OK
// (MSET). The first error reply or error ends it; commands already run
// stay run, as with any client that splits.
func (c *ClusterClient) split(ctx context.Context, cmd *commands.Command, args [][]byte, keys, slots []int) (resp.Value, error) {
	pairs := cmd.Name == "mset"
	var order []int
	groups := map[int][]int{} // slot -> indexes into keys
	for i, s := range slots {
		if _, ok := groups[s]; !ok {
			order = append(order, s)
		}
		groups[s] = append(groups[s], i)
	}
	var sum int64
	values := make([]resp.Value, len(keys))
	for _, s := range order {
		sub := [][]byte{args[0]}
		for _, i := range groups[s] {
			sub = append(sub, args[keys[i]])
			if pairs && keys[i]+1 < len(args) {
				sub = append(sub, args[keys[i]+1])
			}
		}
		v, err := c.exec(ctx, sub, s, readOnly(cmd))
		if err != nil || v.Kind == resp.KindError {
			return v, err
		}
		switch cmd.Name {
		case "mget":
			if v.Len() != len(groups[s]) {
				return resp.Value{}, &resp.ProtocolError{Msg: fmt.Sprintf("MGET of %d keys returned %d values", len(groups[s]), v.Len())}
			}
			for j, i := range groups[s] {
				values[i] = v.Elems[j]
			}
		case "mset":
		default:
			sum += v.Int
		}
	}
	switch cmd.Name {
	case "mget":
		return resp.Array(values...), nil
	case "mset":
		return resp.Status("OK"), nil
	}
	return resp.Int(sum), nil
}

// mergeFunc combines the replies of several nodes into one.
type mergeFunc func(replies []resp.Value) resp.Value

// fanOutMerge returns how to merge the replies of a command that runs on
// every primary, or nil for a command that runs on one node. It follows
// the command's request and response policy tips, with two exceptions: a
// shell's PING checks the node it talks to, as in redis-cli, and among
// the commands for all nodes only SCRIPT LOAD and SCRIPT FLUSH run
// everywhere (on the primaries): CONFIG SET, LATENCY and SLOWLOG concern
// the node the user talks to, and --all-nodes reaches the others.
func fanOutMerge(cmd *commands.Command) mergeFunc {
	if cmd == nil || cmd.Name == "ping" {
		return nil
	}
	var request, response string
	for _, t := range cmd.Tips {
		if v, ok := strings.CutPrefix(t, "request_policy:"); ok {
			request = v
		}
		if v, ok := strings.CutPrefix(t, "response_policy:"); ok {
			response = v
		}
	}
	switch request {
	case "all_shards":
	case "all_nodes":
		if cmd.Name != "script|load" && cmd.Name != "script|flush" {
			return nil
		}
	default:
		return nil
	}
	switch response {
	case "agg_sum":
		return mergeSum
	case "agg_min":
		return mergeMinMax(true)
	case "agg_max":
		return mergeMinMax(false)
	case "agg_logical_and":
		return mergeLogical(true)
	case "agg_logical_or":
		return mergeLogical(false)
	case "all_succeeded":
		return mergeAllSucceeded
	case "one_succeeded":
		return mergeOneSucceeded
	case "":
		if cmd.Name == "keys" {
			return mergeConcat
		}
	}
	return nil
}

// firstError returns the first error reply, if any.
func firstError(replies []resp.Value) (resp.Value, bool) {
	for _, v := range replies {
		if v.Kind == resp.KindError {
			return v, true
		}
	}
	return resp.Value{}, false
}

func mergeSum(replies []resp.Value) resp.Value {
	if e, ok := firstError(replies); ok {
		return e
	}
	var sum int64
	for _, v := range replies {
		sum += v.Int
	}
	return resp.Int(sum)
}

func mergeMinMax(isMin bool) mergeFunc {
	return func(replies []resp.Value) resp.Value {
		if e, ok := firstError(replies); ok {
			return e
		}
		var out int64
		for i, v := range replies {
			if i == 0 || (isMin && v.Int < out) || (!isMin && v.Int > out) {
				out = v.Int
			}
		}
		return resp.Int(out)
	}
}

// mergeLogical combines arrays of 0/1 element by element (SCRIPT EXISTS).
func mergeLogical(and bool) mergeFunc {
	return func(replies []resp.Value) resp.Value {
		if e, ok := firstError(replies); ok {
			return e
		}
		if len(replies) == 0 {
			return resp.Array()
		}
		out := resp.Value{Kind: replies[0].Kind, Elems: make([]resp.Value, len(replies[0].Elems))}
		for i := range out.Elems {
			b := and
			for _, v := range replies {
				set := i < len(v.Elems) && v.Elems[i].Int != 0
				if and {
					b = b && set
				} else {
					b = b || set
				}
			}
			out.Elems[i] = resp.Int(0)
			if b {
				out.Elems[i] = resp.Int(1)
			}
		}
		return out
	}
}

func mergeAllSucceeded(replies []resp.Value) resp.Value {
	if e, ok := firstError(replies); ok {
		return e
	}
	if len(replies) == 0 {
		return resp.Status("OK")
	}
	return replies[0]
}

func mergeOneSucceeded(replies []resp.Value) resp.Value {
	for _, v := range replies {
		if v.Kind != resp.KindError {
			return v
		}
	}
	if len(replies) == 0 {
		return resp.Status("OK")
	}
	return replies[len(replies)-1]
}

func mergeConcat(replies []resp.Value) resp.Value {
	if e, ok := firstError(replies); ok {
		return e
	}
	out := resp.Value{Kind: resp.KindArray}
	for _, v := range replies {
		if v.Kind == resp.KindSet {
			out.Kind = resp.KindSet
		}
		out.Elems = append(out.Elems, v.Elems...)
	}
	return out
}

// fanOut runs args on every primary under the cluster-level loop and
// merges the replies.
func (c *ClusterClient) fanOut(ctx context.Context, args [][]byte, merge mergeFunc) (resp.Value, error) {
	return c.withAttempts(ctx, args, nil, func() (resp.Value, *failure) {
		replies, err := c.DoNodes(ctx, selectShardPrimaries, args)
		if err != nil {
			return resp.Value{}, &failure{err: err}
		}
		values := make([]resp.Value, len(replies))
		for i, r := range replies {
			if r.Err != nil {
				return resp.Value{}, &failure{err: r.Err, addr: r.Addr}
			}
			values[i] = r.Value
		}
		return merge(values), nil
	})
}

// NodeSelector chooses the nodes DoNodes sends a command to.
type NodeSelector struct {
	kind selectKind
	addr string
}

type selectKind uint8

const (
	selectPrimaries selectKind = iota + 1
	selectReplicas
	selectAll
	selectAddr
	selectShards
)

// selectShardPrimaries selects the primaries that serve slots: the shards
// a cluster-wide command concerns. A failed primary that lost its slots
// to a replica stays in the topology, but holds no data of the cluster.
var selectShardPrimaries = NodeSelector{kind: selectShards}

// Node selectors for DoNodes.
var (
	// SelectPrimaries selects every primary.
	SelectPrimaries = NodeSelector{kind: selectPrimaries}
	// SelectReplicas selects every replica.
	SelectReplicas = NodeSelector{kind: selectReplicas}
	// SelectAllNodes selects every node, primaries and replicas.
	SelectAllNodes = NodeSelector{kind: selectAll}
)

// SelectNode selects the node at addr ("host:port"), which need not be in
// the topology.
func SelectNode(addr string) NodeSelector { return NodeSelector{kind: selectAddr, addr: addr} }

// String names the selection as the command-line flags do.
func (s NodeSelector) String() string {
	switch s.kind {
	case selectPrimaries:
		return "primaries"
	case selectReplicas:
		return "replicas"
	case selectAll:
		return "all nodes"
	case selectAddr:
		return "node " + s.addr
	case selectShards:
		return "primaries serving slots"
	}
	return "no node"
}

// NodeReply is one node's answer to a command sent to several.
type NodeReply struct {
	// Addr is the node's address and Role its role in the topology
	// (RolePrimary, RoleReplica, or "" for a node the topology lacks).
	Addr, Role string
	// Value is the reply; Err is set instead when the node-level policy
	// could not get one.
	Value resp.Value
	Err   error
}

// DoNodes sends args to each selected node, in topology order, under the
// node-level policy and without following redirects: a MOVED from a
// node is that node's reply. A failing node does not stop the others.
// The error is for a topology that cannot be read or an empty selection.
func (c *ClusterClient) DoNodes(ctx context.Context, sel NodeSelector, args [][]byte) ([]NodeReply, error) {
	if len(args) == 0 {
		return nil, errors.New("redisx: empty command")
	}
	var targets []NodeReply
	if sel.kind == selectAddr {
		addr, err := normalizeAddr(sel.addr)
		if err != nil {
			return nil, fmt.Errorf("redisx: node %q: %w", sel.addr, err)
		}
		role := ""
		if c.topo != nil {
			if n := c.topo.Node(addr); n != nil {
				role = n.Role
			}
		}
		targets = append(targets, NodeReply{Addr: addr, Role: role})
	} else {
		t, err := c.topology(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range t.Nodes {
			switch {
			case sel.kind == selectPrimaries && n.Role != RolePrimary,
				sel.kind == selectReplicas && n.Role != RoleReplica,
				sel.kind == selectShards && (n.Role != RolePrimary || len(n.Slots) == 0):
				continue
			}
			if n.Role == RolePrimary && len(n.Slots) == 0 && n.ID == "" {
				continue // only known from a stale redirect
			}
			targets = append(targets, NodeReply{Addr: n.Addr, Role: n.Role})
		}
	}
	if len(targets) == 0 {
		return nil, &ClusterError{Msg: "no " + sel.String() + " in the topology"}
	}
	for i := range targets {
		if err := ctx.Err(); err != nil {
			return targets[:i], err
		}
		n := c.node(targets[i].Addr)
		targets[i].Value, targets[i].Err = c.nodeDo(ctx, n, args, false)
		if targets[i].Err == nil {
			c.last = n
		}
	}
	return targets, nil
}

// Scan calls fn with every key of the cluster that matches pattern (all
// keys when empty), scanning each primary with SCAN and the COUNT hint
// count (none when 0). Each key is passed once, even when a node's SCAN
// returns it twice or a slot moves during the scan: the keys seen are
// remembered, which costs memory in proportion to the keys matched. An
// error from fn stops the scan and is returned.
//
// Without a topology (see TopologyUnavailableError) it scans the node the
// client talks to, as redis-cli -c --scan does.
func (c *ClusterClient) Scan(ctx context.Context, pattern string, count int, fn func(key []byte) error) error {
	if err := c.ensureTopology(ctx); err != nil {
		return err
	}
	var addrs []string
	if c.fallback != nil {
		addrs = append(addrs, c.fallbackTarget(-1).addr)
	} else {
		for _, p := range c.topo.Primaries() {
			if len(p.Slots) > 0 {
				addrs = append(addrs, p.Addr)
			}
		}
	}
	seen := make(map[string]struct{})
	for _, addr := range addrs {
		n := c.node(addr)
		cursor := "0"
		for {
			args := [][]byte{[]byte("SCAN"), []byte(cursor)}
			if pattern != "" {
				args = append(args, []byte("MATCH"), []byte(pattern))
			}
			if count > 0 {
				args = append(args, []byte("COUNT"), []byte(strconv.Itoa(count)))
			}
			v, err := c.nodeDo(ctx, n, args, false)
			if err != nil {
				return err
			}
			if v.Kind == resp.KindError {
				return fmt.Errorf("SCAN on %s: %w", addr, v.Err())
			}
			if v.Len() != 2 || v.Elems[1].Kind != resp.KindArray {
				return &resp.ProtocolError{Msg: "SCAN: expected [cursor, keys], got " + v.Kind.String()}
			}
			for _, k := range v.Elems[1].Elems {
				if _, dup := seen[string(k.Str)]; dup {
					continue
				}
				seen[string(k.Str)] = struct{}{}
				if err := fn(k.Str); err != nil {
					return err
				}
			}
			cursor = v.Elems[0].Text()
			if cursor == "0" {
				break
			}
		}
	}
	return nil
}

// isTxCommand reports whether args start or prepare a transaction.
func isTxCommand(args [][]byte) bool {
	return eqFold(args[0], "MULTI") || eqFold(args[0], "WATCH")
}

// isTxEnd reports whether args end a transaction or a WATCH.
func isTxEnd(args [][]byte) bool {
	return eqFold(args[0], "EXEC") || eqFold(args[0], "DISCARD") || eqFold(args[0], "UNWATCH")
}

// doTx runs the commands of a transaction. MULTI is held back until the
// first command that names a key, which decides the node; WATCH decides
// it before. From MULTI to EXEC or DISCARD every command goes to that
// node on the same connection, with no redirect followed and no retry: a
// transaction cannot move. A lost connection loses it (*TxLostError), and
// the commands up to its end are dropped, as Client does.
// Between WATCH and MULTI other commands are routed as usual: reading a
// key elsewhere does not disturb the watch.
func (c *ClusterClient) doTx(ctx context.Context, args [][]byte) (resp.Value, error) {
	name := strings.ToUpper(string(args[0]))
	if c.tx == nil {
		switch name {
		case "MULTI":
			if c.txPending {
				return resp.ErrorReply("ERR MULTI calls can not be nested"), nil
			}
			c.txPending = true
			return resp.Status("OK"), nil
		case "EXEC", "DISCARD":
			c.txPending = false
			if name == "EXEC" {
				return resp.Array(), nil
			}
			return resp.Status("OK"), nil
		}
		cmd := commands.LookupBytes(args)
		keys, slots, err := c.keys(ctx, cmd, args)
		if err != nil {
			return resp.Value{}, err
		}
		for _, s := range slots {
			if s != slots[0] && c.fallback == nil {
				return crossSlotReply(args, keys, slots), nil
			}
		}
		slot := -1
		if len(slots) > 0 {
			slot = slots[0]
		}
		n, err := c.target(ctx, slot, false)
		if err != nil {
			if c.txPending {
				// MULTI was answered OK: the transaction is lost.
				c.txPending = false
				c.lost = &TxLostError{Err: err, Multi: true}
				return resp.Value{}, c.lost
			}
			return resp.Value{}, err
		}
		c.tx = n
		if c.txPending {
			c.txPending = false
			c.syncNode(n)
			v, err := n.client.Do(ctx, [][]byte{[]byte("MULTI")})
			if err != nil {
				c.tx = nil
				c.lost = &TxLostError{Err: err, Multi: true}
				return resp.Value{}, c.lost
			}
			if v.Kind == resp.KindError {
				c.tx = nil
				return v, nil
			}
		}
	}
	n := c.tx
	c.syncNode(n)
	v, err := n.client.Do(ctx, args)
	c.last = n
	if err != nil {
		c.tx = nil
		var tl *TxLostError
		if errors.As(err, &tl) && !tl.Ended {
			// The cluster drops what follows: the node client forgets.
			n.client.tx = txState{}
			c.lost = tl
		}
		return v, err
	}
	if !n.client.InTx() && n.client.tx.conn == nil {
		// EXEC, DISCARD, UNWATCH or RESET ended it, or MULTI failed.
		c.tx = nil
	}
	return v, nil
}

// syncNode gives the node's client the node-level policy and hooks, for
// the transaction it runs (EXEC may run it again on a new connection).
func (c *ClusterClient) syncNode(n *clusterNode) {
	n.client.Retry, n.client.Observe, n.client.OnResend = c.opts.Retry, c.opts.OnRetry, c.opts.OnResend
}

// InTx reports whether a MULTI is open, held back until its first
// command, or lost with its connection and dropping commands until EXEC
// or DISCARD.
func (c *ClusterClient) InTx() bool {
	return c.txPending || c.tx != nil && c.tx.client.InTx() || c.lost != nil && c.lost.Multi
}
