package redisx

import (
	"context"
	"sync"

	"github.com/redish/redish/retry"
)

// Pipeline runs cmds on the cluster with one round trip per node instead
// of one per command, and passes each reply to fn in the order of cmds.
//
// The commands that go to one slot's node (or, for keyless commands, to
// the node the command before them went to, as Do would) are grouped by
// node; each group is sent pipelined on its node's connection, all nodes
// at once, under the node-level retry policy (only the commands without a
// reply are sent again after a reconnect). The replies are then put back
// in input order. A reply that is a redirect (MOVED, ASK), TRYAGAIN,
// CLUSTERDOWN or an error the policy retries, and every command a node
// could not answer, is run again with Do, with all its redirects and both
// levels of retry, when its turn comes.
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
		if c.tx == nil && !c.txPending {
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
			if err != nil {
				return &PipelineError{Done: end, Err: err}
			}
			if err := fn(end, v); err != nil {
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
	cmd := LookupBytes(args)
	if cmd == nil || fanOutMerge(cmd) != nil {
		return 0, false
	}
	idx, err := RoutingIndexes(cmd, args)
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
			n, err = c.target(ctx, slots[i], readOnly(LookupBytes(args)))
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

	replies := make([]Value, len(cmds))
	have := make([]bool, len(cmds))
	// pushes[i] are the push messages a node sent before the reply to
	// cmds[i]: they are handed on in that place, as one command at a time
	// would have read them.
	pushes := make([][]Value, len(cmds))
	restore := c.serializeObserver()
	var wg sync.WaitGroup
	for _, g := range groups {
		sub := make([][][]byte, len(g.idx))
		for j, i := range g.idx {
			sub[j] = cmds[i]
		}
		run := func() {
			// A failure leaves the commands without a reply to Do.
			_ = c.nodePipeline(ctx, g.node, sub, func(j int, v Value) (bool, error) {
				replies[g.idx[j]], have[g.idx[j]] = v, true
				return false, nil
			}, func(j int, v Value) {
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
		v := replies[i]
		if !have[i] || c.settleWithDo(v) {
			var err error
			if v, err = c.Do(ctx, args); err != nil {
				return &PipelineError{Done: base + i, Err: err}
			}
		} else {
			c.last = nodeOf[i]
		}
		if err := fn(base+i, v); err != nil {
			return err
		}
	}
	return nil
}

// settleWithDo reports whether a reply received in a pipeline must be
// asked for again with Do: a redirect, TRYAGAIN, CLUSTERDOWN or an error
// reply the node-level policy retries.
func (c *ClusterClient) settleWithDo(v Value) bool {
	if v.Kind != KindError {
		return false
	}
	re := &RedisError{Msg: v.Text()}
	if isClusterCode(re.RedisCode()) {
		return true
	}
	return c.opts.Retry != nil && c.opts.Retry.Policy.Retryable(re)
}

// nodePipeline sends cmds pipelined to one node under the node-level
// policy, sending READONLY first on a replica when reads may go there.
// push receives the push messages read before the reply to cmds[i].
func (c *ClusterClient) nodePipeline(ctx context.Context, n *clusterNode, cmds [][][]byte, deliver func(int, Value) (bool, error), push func(int, Value)) error {
	h := pipelineHooks{
		retry:   c.opts.Retry,
		observe: c.opts.OnRetry,
		node:    func() string { return n.addr },
		deliver: deliver,
		late:    func(int, Value) error { return nil },
		push:    push,
	}
	if c.opts.ReadFromReplicas && c.isReplica(n.addr) {
		h.prepare = func(ctx context.Context, conn *Conn) error {
			if n.readonly == conn {
				return nil
			}
			v, err := conn.Do(ctx, []byte("READONLY"))
			if err != nil {
				return err
			}
			if v.Kind == KindError {
				return &RedisError{Msg: v.Text()}
			}
			n.readonly = conn
			return nil
		}
	}
	return n.client.pipeline(ctx, cmds, h)
}

// serializeObserver makes the node-level retry observer safe to call from
// several goroutines at once, until the returned func restores it. It
// must be called, and restored, while no other goroutine uses c.
func (c *ClusterClient) serializeObserver() (restore func()) {
	saved := c.opts.OnRetry
	if saved == nil {
		return func() {}
	}
	var mu sync.Mutex
	c.opts.OnRetry = func(ev retry.Event) {
		mu.Lock()
		defer mu.Unlock()
		saved(ev)
	}
	return func() { c.opts.OnRetry = saved }
}
