package clustermgr

import (
	"context"
	"math/rand/v2"
	"strings"

	"github.com/redish/redish/resp"
)

// setSlot sends CLUSTER SETSLOT slot state target-ID to n. An error reply
// is printed, or, with capture, returned in msg for the caller to word.
func (m *manager) setSlot(ctx context.Context, n, target *node, slot int, state string, capture bool) (ok bool, msg string, err error) {
	v, err := m.cmd(ctx, n, redo, "CLUSTER", "SETSLOT", itoa(slot), state, target.name)
	if err != nil {
		return false, "", err
	}
	if v.Kind == resp.KindError {
		if !capture {
			m.replyError(n, v.Text())
		}
		return false, v.Text(), nil
	}
	return true, "", nil
}

// clearSlotStatus closes slot on n (CLUSTER SETSLOT slot STABLE).
func (m *manager) clearSlotStatus(ctx context.Context, n *node, slot int) (bool, error) {
	_, err := m.reply(ctx, n, redo, "CLUSTER", "SETSLOT", itoa(slot), "STABLE")
	return m.okOrReported(err)
}

// okOrReported turns errReported into a plain "no": the failure has been
// printed and the caller goes on as redis-cli does.
func (m *manager) okOrReported(err error) (bool, error) {
	if err == errReported {
		return false, nil
	}
	return err == nil, err
}

// slotOwner returns the node that serves slot according to n's CLUSTER
// SLOTS, nil when none does; msg is n's error reply.
func (m *manager) slotOwner(ctx context.Context, n *node, slot int) (owner *node, msg string, err error) {
	v, err := m.cmd(ctx, n, redo, "CLUSTER", "SLOTS")
	if err != nil {
		return nil, "", err
	}
	if v.Kind == resp.KindError {
		return nil, v.Text(), nil
	}
	for _, r := range v.Elems {
		if len(r.Elems) < 3 || int64(slot) < r.Elems[0].Int || int64(slot) > r.Elems[1].Int {
			continue
		}
		p := r.Elems[2]
		if len(p.Elems) >= 3 {
			owner = m.byName(p.Elems[2].Text())
		} else if len(p.Elems) >= 2 {
			for _, c := range m.nodes {
				if c.host == p.Elems[0].Text() && int64(c.port) == p.Elems[1].Int {
					owner = c
					break
				}
			}
		}
		if owner != nil {
			break
		}
	}
	return owner, "", nil
}

// delSlot sends CLUSTER DELSLOTS slot to n. With ignoreUnassigned, the
// error for a slot n does not serve counts as success.
func (m *manager) delSlot(ctx context.Context, n *node, slot int, ignoreUnassigned bool) (bool, error) {
	v, err := m.cmd(ctx, n, redo, "CLUSTER", "DELSLOTS", itoa(slot))
	if err != nil {
		return false, err
	}
	if v.Kind != resp.KindError {
		return true, nil
	}
	if ignoreUnassigned {
		owner, msg, err := m.slotOwner(ctx, n, slot)
		if err != nil {
			return false, err
		}
		if owner == nil {
			if msg == "" {
				return true, nil
			}
			m.replyError(n, msg)
		}
	}
	m.replyError(n, v.Text())
	return false, nil
}

// setSlotOwner makes owner the owner of slot in one transaction: drop it,
// add it, optionally close it, and bump the epoch so the cluster adopts
// the change. Only a refused ADDSLOTS is a failure; the transaction is
// safe to run twice.
func (m *manager) setSlotOwner(ctx context.Context, owner *node, slot int, clear bool) (bool, error) {
	s := itoa(slot)
	cmds := [][]string{{"CLUSTER", "DELSLOTS", s}, {"CLUSTER", "ADDSLOTS", s}}
	if clear {
		cmds = append(cmds, []string{"CLUSTER", "SETSLOT", s, "STABLE"})
	}
	cmds = append(cmds, []string{"CLUSTER", "BUMPEPOCH"})
	if owner.sess == nil {
		owner.sess = m.newSession(owner.host, owner.port)
	}
	v, err := owner.sess.multi(ctx, redo, cmds...)
	if err != nil {
		return false, err
	}
	if v.Kind == resp.KindError {
		m.replyError(owner, v.Text())
		return false, nil
	}
	if v.Kind != resp.KindArray {
		return false, nil
	}
	for i, r := range v.Elems {
		if r.Kind == resp.KindError && i == 1 {
			m.replyError(owner, r.Text())
			return false, nil
		}
	}
	return true, nil
}

// mostKeysInSlot returns the primary among nodes with the most keys in
// slot (the first one on a tie), or nil when one of them cannot count.
func (m *manager) mostKeysInSlot(ctx context.Context, nodes []*node, slot int) (*node, error) {
	var best *node
	most := 0
	for _, n := range nodes {
		if n.replica || n.replicate != "" {
			continue
		}
		count, err := m.countKeysInSlot(ctx, n, slot)
		if err != nil {
			return nil, err
		}
		if count < 0 {
			return nil, nil
		}
		if count > most || best == nil {
			most, best = count, n
		}
	}
	return best, nil
}

// leastReplicas returns the first primary with the fewest replicas.
func (m *manager) leastReplicas() *node {
	var best *node
	for _, n := range m.nodes {
		if n.replica {
			continue
		}
		if best == nil || n.replicasCount < best.replicasCount {
			best = n
		}
	}
	return best
}

// randomPrimary returns a primary chosen at random.
func (m *manager) randomPrimary() *node {
	p := m.primaries()
	if len(p) == 0 {
		return nil
	}
	return p[rand.IntN(len(p))]
}

// addrList joins the addresses of nodes with sep.
func addrList(nodes []*node, sep string) string {
	var s []string
	for _, n := range nodes {
		s = append(s, n.addr())
	}
	return strings.Join(s, sep)
}

// without returns nodes without n, keeping the order.
func without(nodes []*node, n *node) []*node {
	out := nodes[:0:0]
	for _, c := range nodes {
		if c != n {
			out = append(out, c)
		}
	}
	return out
}
