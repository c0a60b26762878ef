package clustermgr

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// checkReport is what a check found, for --json.
type checkReport struct {
	Consistent bool
	Open       []int // the open slots, in order
	Uncovered  []redisx.SlotRange
	// Owners maps a slot claimed by more than one primary to their
	// addresses (--cluster-search-multiple-owners).
	Owners map[int][]string
	Fixed  bool // fix ran and reported success
}

// onError records a problem check found and prints it, as redis-cli's
// clusterManagerOnError does.
func (m *manager) onError(msg string) {
	m.errors = append(m.errors, msg)
	m.logf(lvlErr, "%s\n", msg)
}

// configSignature is n's view of who serves which slots, as a string
// two nodes agree on when they agree on the slot map: for every node
// with slots, "ID:range,range", sorted, joined with "|". It is "" when n
// cannot say or sees no slot at all.
func (m *manager) configSignature(ctx context.Context, n *node) (string, error) {
	v, err := m.cmd(ctx, n, redo, "CLUSTER", "NODES")
	if err != nil || v.Kind == resp.KindError {
		return "", err
	}
	var configs []string
	for line := range strings.SplitSeq(v.Text(), "\n") {
		f := strings.Split(line, " ")
		if len(f) <= 8 {
			continue
		}
		var slots []string
		for _, s := range f[8:] {
			if s != "" && s[0] != '[' {
				slots = append(slots, s)
			}
		}
		if len(slots) == 0 {
			continue
		}
		slices.Sort(slots)
		configs = append(configs, f[0]+":"+strings.Join(slots, ","))
	}
	slices.Sort(configs)
	return strings.Join(configs, "|"), nil
}

// consistent reports whether every loaded node has the same view of the
// slot map.
func (m *manager) consistent(ctx context.Context) (bool, error) {
	if len(m.nodes) <= 1 {
		return len(m.nodes) == 1, nil
	}
	first := ""
	for i, n := range m.nodes {
		sig, err := m.configSignature(ctx, n)
		if err != nil {
			return false, err
		}
		if sig == "" {
			return false, nil
		}
		if i == 0 {
			first = sig
		} else if sig != first {
			return false, nil
		}
	}
	return true, nil
}

// checkCluster runs redis-cli's cluster check on the loaded nodes, and
// with fix repairs what it finds. quiet leaves out the list of nodes.
// It reports whether the cluster is healthy (or, with fix, was repaired).
func (m *manager) checkCluster(ctx context.Context, quiet, fix bool) (bool, *checkReport, error) {
	rep := &checkReport{}
	if len(m.nodes) == 0 {
		return false, rep, nil
	}
	m.logf(lvlInfo, ">>> Performing Cluster Check (using node %s)\n", m.nodes[0].addr())
	result := true
	if !quiet {
		m.showNodes()
	}
	ok, err := m.consistent(ctx)
	if err != nil {
		return false, rep, err
	}
	rep.Consistent = ok
	if !ok {
		m.onError("[ERR] Nodes don't agree about configuration!")
		result = false
	} else {
		m.logf(lvlOK, "[OK] All nodes agree about slots configuration.\n")
	}

	m.logf(lvlInfo, ">>> Check for open slots...\n")
	open := map[int]bool{}
	for _, n := range m.nodes {
		for _, st := range []struct {
			list  []openSlot
			state string
		}{{n.migrating, "migrating"}, {n.importing, "importing"}} {
			if len(st.list) == 0 {
				continue
			}
			var slots []string
			for _, o := range st.list {
				open[atoi(o.Slot)] = true
				slots = append(slots, o.Slot)
			}
			m.onError("[WARNING] Node " + n.addr() + " has slots in " + st.state + " state " + strings.Join(slots, ",") + ".")
		}
	}
	if len(open) > 0 {
		result = false
		for s := range open {
			rep.Open = append(rep.Open, s)
		}
		slices.Sort(rep.Open)
		var list []string
		for _, s := range rep.Open {
			list = append(list, strconv.Itoa(s))
		}
		m.logf(lvlErr, "[WARNING] The following slots are open: %s.\n", strings.Join(list, ","))
		if fix {
			for _, s := range rep.Open {
				ok, err := m.fixOpenSlot(ctx, s)
				if err != nil {
					return false, rep, err
				}
				result = ok
				if !ok {
					break
				}
			}
		}
	}

	m.logf(lvlInfo, ">>> Check slots coverage...\n")
	var covered [redisx.SlotCount]bool
	count := 0
	for _, n := range m.nodes {
		for i, on := range n.slots {
			if on && !covered[i] {
				covered[i] = true
				count++
			}
		}
	}
	if count == redisx.SlotCount {
		m.logf(lvlOK, "[OK] All %d slots covered.\n", redisx.SlotCount)
	} else {
		var missing [redisx.SlotCount]bool
		for i := range covered {
			missing[i] = !covered[i]
		}
		rep.Uncovered = slotRanges(&missing)
		m.onError("[ERR] Not all 16384 slots are covered by nodes.\n")
		result = false
		if fix {
			fixed, err := m.fixSlotsCoverage(ctx, &covered)
			if err != nil {
				return false, rep, err
			}
			if fixed > 0 {
				result = true
			}
		}
	}

	if m.opts.SearchMultipleOwners {
		ok, err := m.checkMultipleOwners(ctx, fix, rep)
		if err != nil {
			return false, rep, err
		}
		if !ok {
			result = false
		}
	}
	rep.Fixed = fix && result
	return result, rep, nil
}

// checkMultipleOwners looks for slots that more than one primary claims,
// by configuration or by holding keys, and with fix gives each to one.
func (m *manager) checkMultipleOwners(ctx context.Context, fix bool, rep *checkReport) (bool, error) {
	m.logf(lvlInfo, ">>> Check for multiple slot owners...\n")
	// The keys of every slot on every primary, one pipeline per node
	// rather than a round trip per slot and node.
	counts := map[*node][]int{}
	for _, n := range m.nodes {
		if n.replica {
			continue
		}
		c, err := m.countAllSlots(ctx, n)
		if err != nil {
			return false, err
		}
		counts[n] = c
	}
	result := true
	multiple := 0
	for slot := range redisx.SlotCount {
		var owners []*node
		for _, n := range m.nodes {
			if n.replica {
				continue
			}
			if n.slots[slot] || counts[n][slot] > 0 {
				owners = append(owners, n)
			}
		}
		if len(owners) <= 1 {
			continue
		}
		result = false
		m.logf(lvlErr, "[WARNING] Slot %d has %d owners:\n", slot, len(owners))
		var addrs []string
		for _, n := range owners {
			m.logf(lvlErr, "    %s\n", n.addr())
			addrs = append(addrs, n.addr())
		}
		if rep.Owners == nil {
			rep.Owners = map[int][]string{}
		}
		rep.Owners[slot] = addrs
		multiple++
		if fix {
			ok, err := m.fixMultipleSlotOwners(ctx, slot, owners)
			if err != nil {
				return false, err
			}
			result = ok
			if !ok {
				m.logf(lvlErr, "Failed to fix multiple owners for slot %d\n", slot)
				break
			}
			multiple--
		}
	}
	if multiple == 0 {
		m.logf(lvlOK, "[OK] No multiple owners found.\n")
	}
	return result, nil
}

// countAllSlots returns CLUSTER COUNTKEYSINSLOT of n for every slot
// (-1 where it answers with an error).
func (m *manager) countAllSlots(ctx context.Context, n *node) ([]int, error) {
	cmds := make([][][]byte, redisx.SlotCount)
	for s := range cmds {
		cmds[s] = redisx.Args("CLUSTER", "COUNTKEYSINSLOT", itoa(s))
	}
	if n.sess == nil {
		n.sess = m.newSession(n.host, n.port)
	}
	replies, err := n.sess.pipeline(ctx, cmds)
	if err != nil {
		return nil, err
	}
	out := make([]int, redisx.SlotCount)
	for s, v := range replies {
		out[s] = -1
		if v.Kind == resp.KindInt {
			out[s] = int(v.Int)
		}
	}
	return out, nil
}

// countKeysInSlot returns CLUSTER COUNTKEYSINSLOT of n, or -1 for an
// error reply, which it prints.
func (m *manager) countKeysInSlot(ctx context.Context, n *node, slot int) (int, error) {
	v, err := m.cmd(ctx, n, redo, "CLUSTER", "COUNTKEYSINSLOT", itoa(slot))
	if err != nil {
		return -1, err
	}
	if v.Kind == resp.KindError {
		m.replyError(n, v.Text())
		return -1, nil
	}
	if v.Kind != resp.KindInt {
		return -1, nil
	}
	return int(v.Int), nil
}

// check is --cluster check: info, then the cluster check.
func (m *manager) check(ctx context.Context, args []string) (bool, error) {
	return m.checkOrFix(ctx, args, false)
}

// fix is --cluster fix: check, repairing what it finds.
func (m *manager) fix(ctx context.Context, args []string) (bool, error) {
	return m.checkOrFix(ctx, args, true)
}

func (m *manager) checkOrFix(ctx context.Context, args []string, fix bool) (bool, error) {
	if m.opts.JSON && !fix {
		return m.checkJSON(ctx, args)
	}
	m.fixing = fix
	ok, err := m.loadFromArgs(ctx, args)
	if err != nil || !ok {
		return false, err
	}
	if err := m.showClusterInfo(ctx); err != nil {
		return false, err
	}
	ok, _, err = m.checkCluster(ctx, false, fix)
	if errors.Is(err, errReported) {
		return false, nil
	}
	return ok, err
}

// info is --cluster info.
func (m *manager) info(ctx context.Context, args []string) (bool, error) {
	if m.opts.JSON {
		return m.infoJSON(ctx, args)
	}
	ok, err := m.loadFromArgs(ctx, args)
	if err != nil || !ok {
		return false, err
	}
	return true, m.showClusterInfo(ctx)
}
