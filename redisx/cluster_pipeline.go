package redisx

import (
	"context"
	"errors"
	"sync"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Pipeline runs cmds on the cluster with one round trip per node instead
// of one per command, and passes each command's outcome to fn in the
// order of cmds.
//
// The commands that go to one slot's node (or, for keyless commands, to
// the node the command before them went to, as Do would) are grouped by
// node; each group is sent pipelined on its node's connection, all nodes
// at once, under the node-level policy with the attempts Do would give
// each command (see Client.Pipeline). The outcomes are then put back in
// input order. A reply that is a redirect (MOVED, ASK), TRYAGAIN or
// CLUSTERDOWN runs again with Do, with all its redirects and both levels
// of retry, when its turn comes; a command its node could not answer goes
// on with the cluster-level attempts Do would make, when --retry-sent
// allows it to be sent again. A node that cannot be reached fails only
// the commands routed to it.
//
// Commands Do treats specially run with Do, alone, in their place: those
// that run on every primary (DBSIZE, KEYS, FLUSHALL, ...), multi-key
// commands split per slot, commands the command table lacks, transaction
// and session commands (MULTI, WATCH, AUTH, HELLO, ...). Inside a
// transaction every command runs with Do.
func (c *ClusterClient) Pipeline(ctx context.Context, cmds [][][]byte, fn ReplyFunc) error {
	if err := validatePipeline(cmds); err != nil {
		return err
	}
	for start := 0; start < len(cmds); {
		end := start
		var routes []int
		if c.tx == nil && !c.txPending && c.lost == nil {
			for end < len(cmds) {
				slot, ok := pipelineSlot(cmds[end])
				if !ok {
					break
				}
				routes = append(routes, slot)
				end++
			}
		}
		if end > start {
			if err := c.pipelineBatch(ctx, cmds[start:end], routes, start, fn); err != nil {
				return err
			}
		}
		if end < len(cmds) {
			v, err := c.Do(ctx, cmds[end])
			if err := fn(end, v, err); err != nil {
				return err
			}
			end++
		}
		start = end
	}
	return nil
}

// pipelineSlot returns the slot a command goes to (-1 for keyless), and
// false for a command Pipeline must leave to Do.
func pipelineSlot(args [][]byte) (int, bool) {
	if isTxCommand(args) || isTxEnd(args) || isSessionCommand(args) || eqFold(args[0], "RESET") {
		return 0, false
	}
	cmd := commands.LookupBytes(args)
	if cmd == nil || fanOutMerge(cmd) != nil {
		return 0, false
	}
	idx, err := commands.RoutingIndexes(cmd, args)
	if err != nil {
		return 0, false
	}
	slot := -1
	for i, k := range idx {
		s := HashSlot(args[k])
		if i > 0 && s != slot {
			return 0, false
		}
		slot = s
	}
	return slot, true
}

// pipelineBatch runs a run of commands Pipeline can route, base being the
// index of cmds[0] in the caller's window.
func (c *ClusterClient) pipelineBatch(ctx context.Context, cmds [][][]byte, slots []int, base int, fn ReplyFunc) error {
	type group struct {
		node *clusterNode
		idx  []int
	}
	var groups []*group
	byNode := map[*clusterNode]*group{}
	nodeOf := make([]*clusterNode, len(cmds))
	prev := c.last
	for i, args := range cmds {
		var n *clusterNode
		if slots[i] < 0 && prev != nil {
			n = prev
		} else {
			var err error
			n, err = c.target(ctx, slots[i], readOnly(commands.LookupBytes(args)))
			if err != nil {
				continue // left to Do, which retries at the cluster level
			}
		}
		nodeOf[i], prev = n, n
		g := byNode[n]
		if g == nil {
			g = &group{node: n}
			byNode[n] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}

	outs := make([]outcome, len(cmds))
	// pushes[i] are the push messages a node sent before the reply to
	// cmds[i]: they are handed on in that place, as one command at a time
	// would have read them.
	pushes := make([][]resp.Value, len(cmds))
	restore := c.serializeObserver()
	var wg sync.WaitGroup
	for _, g := range groups {
		sub := make([][][]byte, len(g.idx))
		for j, i := range g.idx {
			sub[j] = cmds[i]
		}
		run := func() {
			// Outcomes only: the function never stops the node's pipeline.
			_ = c.nodePipeline(ctx, g.node, sub, func(j int, v resp.Value, err error) error {
				outs[g.idx[j]] = outcome{v: v, err: err, done: true}
				return nil
			}, func(j int, v resp.Value) {
				pushes[g.idx[j]] = append(pushes[g.idx[j]], v)
			})
		}
		if len(groups) == 1 {
			run()
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			run()
		}()
	}
	wg.Wait()
	restore()

	for i, args := range cmds {
		if c.opts.OnPush != nil {
			for _, p := range pushes[i] {
				c.opts.OnPush(p)
			}
		}
		o := outs[i]
		v, err := o.v, o.err
		switch {
		case !o.done:
			// No node for the slot: Do retries at the cluster level.
			v, err = c.Do(ctx, args)
		case c.isReplicaRead(nodeOf[i], args) && replicaFailed(v, err) != nil:
			// The replica cannot serve reads: Do sends this one, and
			// the next ones, to the primary.
			if c.unfit[nodeOf[i].addr] == nil {
				c.leaveReplica(nodeOf[i], slots[i], replicaFailed(v, err))
			}
			v, err = c.Do(ctx, args)
		case err != nil:
			// The node level gave up: the cluster level goes on from its
			// second attempt, as Do would, with the failure itself.
			var mr *MayHaveRunError
			if errors.As(err, &mr) {
				err = mr.Err
			}
			v, err = c.withAttempts(ctx, args, &failure{err: err, addr: nodeOf[i].addr}, func() (resp.Value, *failure) {
				return c.execOnce(ctx, args, slots[i], readOnly(commands.LookupBytes(args)))
			})
		case c.settleWithDo(v):
			v, err = c.Do(ctx, args)
		default:
			c.last = nodeOf[i]
		}
		if err := fn(base+i, v, err); err != nil {
			return err
		}
	}
	return nil
}

// settleWithDo reports whether a reply received in a pipeline must be
// asked for again with Do: a redirect, TRYAGAIN or CLUSTERDOWN, which the
// command did not run for. (The node pipeline has already retried the
// error replies the node-level policy retries.)
func (c *ClusterClient) settleWithDo(v resp.Value) bool {
	return v.Kind == resp.KindError && isClusterCode((&resp.RedisError{Msg: v.Text()}).RedisCode())
}

// nodePipeline sends cmds pipelined to one node under the node-level
// policy, sending READONLY first on a replica when reads may go there.
// push receives the push messages read before the reply to cmds[i].
func (c *ClusterClient) nodePipeline(ctx context.Context, n *clusterNode, cmds [][][]byte, deliver func(int, resp.Value, error) error, push func(int, resp.Value)) error {
	h := pipelineHooks{
		retry:        c.opts.Retry,
		observe:      c.opts.OnRetry,
		onResend:     c.opts.OnResend,
		node:         func() string { return n.addr },
		retriedReply: c.retriedReply,
		deliver:      deliver,
		push:         push,
	}
	if c.opts.ReadFromReplicas && c.isReplica(n.addr) {
		h.prepare = func(ctx context.Context, conn *Conn) error {
			if n.readonly == conn {
				return nil
			}
			// A replica group holds reads only: its link is checked.
			v, err := c.readOnlyConn(ctx, n, conn, true)
			if err != nil {
				return err
			}
			if v.Kind == resp.KindError {
				return &resp.RedisError{Msg: v.Text()}
			}
			return nil
		}
		// A replica that cannot serve a read leaves it to the primary
		// at once.
		h.retriedReply = func(v resp.Value) bool {
			if v.Kind == resp.KindError && replicaFallbackReply(&resp.RedisError{Msg: v.Text()}) {
				return false
			}
			return c.retriedReply(v)
		}
	}
	return n.client.pipeline(ctx, cmds, h)
}

// retriedReply reports whether the node-level policy retries an error
// reply: not a redirect, TRYAGAIN or CLUSTERDOWN, which the cluster level
// handles.
func (c *ClusterClient) retriedReply(v resp.Value) bool {
	if v.Kind != resp.KindError || c.opts.Retry == nil {
		return false
	}
	re := &resp.RedisError{Msg: v.Text()}
	return !isClusterCode(re.RedisCode()) && c.opts.Retry.Policy.Retryable(re)
}

// serializeObserver makes the node-level retry observer safe to call from
// several goroutines at once, until the returned func restores it. It
// must be called, and restored, while no other goroutine uses c.
func (c *ClusterClient) serializeObserver() (restore func()) {
	saved, savedResend := c.opts.OnRetry, c.opts.OnResend
	var mu sync.Mutex
	if saved != nil {
		c.opts.OnRetry = func(ev retry.Event) {
			mu.Lock()
			defer mu.Unlock()
			saved(ev)
		}
	}
	if savedResend != nil {
		c.opts.OnResend = func(ev retry.Event) {
			mu.Lock()
			defer mu.Unlock()
			savedResend(ev)
		}
	}
	return func() { c.opts.OnRetry, c.opts.OnResend = saved, savedResend }
}
