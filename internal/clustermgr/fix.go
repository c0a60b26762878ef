package clustermgr

import (
	"context"
	"strconv"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// unreachableWarning is printed, and fix stops, when a repair would treat
// the slots of primaries it cannot reach as uncovered.
const unreachableWarning = "*** Fixing %s with %d unreachable masters is dangerous: redish will assume that slots about masters that are not reachable are not covered, and will try to reassign them to the reachable nodes. This can cause data loss and is rarely what you want to do. If you really want to proceed use the --cluster-fix-with-unreachable-masters option.\n"

// refuseUnreachable reports whether fix must stop because some primaries
// could not be reached, having said so.
func (m *manager) refuseUnreachable(what string) bool {
	if m.unreachablePrimaries > 0 && !m.opts.FixWithUnreachableMasters {
		m.logf(lvlWarn, unreachableWarning, what, m.unreachablePrimaries)
		return true
	}
	return false
}

// fixOpenSlot closes slot, found migrating or importing on some nodes, by
// moving its keys where it is most sensible, as redis-cli does.
func (m *manager) fixOpenSlot(ctx context.Context, slot int) (bool, error) {
	if m.refuseUnreachable("open slots") {
		return false, errReported
	}
	m.logf(lvlInfo, ">>> Fixing open slot %d\n", slot)

	// The nodes that claim the slot: by configuration, or by holding keys.
	var owners []*node
	for _, n := range m.nodes {
		if n.replica {
			continue
		}
		if n.slots[slot] {
			owners = append(owners, n)
			continue
		}
		count, err := m.countKeysInSlot(ctx, n, slot)
		if err != nil || count < 0 {
			return false, err
		}
		if count > 0 {
			m.logf(lvlWarn, "*** Found keys about slot %d in non-owner node %s!\n", slot, n.addr())
			owners = append(owners, n)
		}
	}
	var owner *node
	if len(owners) == 1 {
		owner = owners[0]
	}

	var migrating, importing []*node
	for _, n := range m.nodes {
		if n.replica {
			continue
		}
		isMig, isImp := n.isMigrating(slot), false
		if isMig {
			migrating = append(migrating, n)
		} else if n.isImporting(slot) {
			isImp = true
			importing = append(importing, n)
		}
		// A node with keys of the slot that neither owns it nor has it
		// open counts as importing it.
		if !isMig && !isImp && n != owner {
			count, err := m.countKeysInSlot(ctx, n, slot)
			if err != nil || count < 0 {
				return false, err
			}
			if count > 0 {
				m.logf(lvlWarn, "*** Found keys about slot %d in node %s!\n", slot, n.addr())
				importing = append(importing, n)
			}
		}
	}
	migStr, impStr := addrList(migrating, ","), addrList(importing, ",")
	if migStr != "" {
		m.printf("Set as migrating in: %s\n", migStr)
	}
	if impStr != "" {
		m.printf("Set as importing in: %s\n", impStr)
	}

	if owner == nil {
		m.logf(lvlInfo, ">>> No single clear owner for the slot, selecting an owner by # of keys...\n")
		best, err := m.mostKeysInSlot(ctx, m.nodes, slot)
		if err != nil {
			return false, err
		}
		if best == nil {
			m.logf(lvlErr, "[ERR] Can't select a slot owner. Impossible to fix.\n")
			return false, nil
		}
		owner = best
		m.logf(lvlWarn, "*** Configuring %s as the slot owner\n", owner.addr())
		if ok, err := m.clearSlotStatus(ctx, owner, slot); !ok {
			return false, err
		}
		if ok, err := m.setSlotOwner(ctx, owner, slot, false); !ok {
			return false, err
		}
		owner.setSlot(slot, true)
		migrating, importing = without(migrating, owner), without(importing, owner)
	}

	// Several owners: keep one, and make the others import the slot, so
	// that one of the cases below moves their keys.
	if len(owners) > 1 {
		for _, n := range owners {
			if n == owner {
				continue
			}
			if ok, err := m.delSlot(ctx, n, slot, true); !ok {
				return false, err
			}
			n.setSlot(slot, false)
			if ok, _, err := m.setSlot(ctx, n, owner, slot, "node", false); !ok {
				return false, err
			}
			if ok, _, err := m.setSlot(ctx, n, owner, slot, "importing", false); !ok {
				return false, err
			}
			importing = append(without(importing, n), n)
			migrating = without(migrating, n)
		}
	}

	o := moveOpts{dots: true}
	switch {
	case len(migrating) == 1 && len(importing) == 1:
		// Case 1: one node migrating, one importing: finish the move.
		src, dst := migrating[0], importing[0]
		m.logf(lvlInfo, ">>> Case 1: Moving slot %d from %s to %s\n", slot, src.addr(), dst.addr())
		o.update = true
		ok, _, err := m.moveSlot(ctx, src, dst, slot, o)
		return ok, err

	case len(migrating) == 0 && len(importing) > 0:
		// Case 2: nodes import the slot (they got keys of it, after a
		// restart perhaps) and nobody migrates it: move their keys to
		// the owner.
		m.logf(lvlInfo, ">>> Case 2: Moving all the %d slot keys to its owner %s\n", slot, owner.addr())
		o.cold = true
		for _, n := range importing {
			if n == owner {
				continue
			}
			if ok, _, err := m.moveSlot(ctx, n, owner, slot, o); !ok {
				return false, err
			}
			m.logf(lvlInfo, ">>> Setting %d as STABLE in %s\n", slot, n.addr())
			if ok, err := m.clearSlotStatus(ctx, n, slot); !ok {
				return false, err
			}
		}
		// The keys moved cold: tell every node who owns the slot.
		for _, n := range m.nodes {
			if n == owner || n.replica {
				continue
			}
			if ok, _, err := m.setSlot(ctx, n, owner, slot, "NODE", false); !ok {
				return false, err
			}
		}
		return true, nil

	case len(migrating) == 1 && len(importing) > 1:
		// Case 3: one node migrates, several import and hold no key:
		// finish the move to the one the migrating node names, and close
		// the slot elsewhere; close it everywhere if none is named.
		src := migrating[0]
		target := src.migratingPeer(slot)
		var dst *node
		for _, n := range importing {
			count, err := m.countKeysInSlot(ctx, n, slot)
			if err != nil {
				return false, err
			}
			if count > 0 {
				return m.cannotFix(slot, migStr, impStr, owner), nil
			}
			if n.name == target {
				dst = n
			}
		}
		if dst != nil {
			m.logf(lvlInfo, ">>> Case 3: Moving slot %d from %s to %s and closing it on all the other importing nodes.\n", slot, src.addr(), dst.addr())
			if ok, _, err := m.moveSlot(ctx, src, dst, slot, o); !ok {
				return false, err
			}
			for _, n := range importing {
				if n == dst {
					continue
				}
				if ok, err := m.clearSlotStatus(ctx, n, slot); !ok {
					return false, err
				}
			}
			return true, nil
		}
		m.logf(lvlInfo, ">>> Case 3: Closing slot %d on both migrating and importing nodes.\n", slot)
		for _, n := range append([]*node{src}, importing...) {
			if ok, err := m.clearSlotStatus(ctx, n, slot); !ok {
				return false, err
			}
		}
		return true, nil
	}

	// Case 4: a node migrates the slot, nobody imports it, and the
	// migrating node owns it or holds no key of it: a reshard stopped
	// half-way; close the slot.
	closeIt := len(importing) == 0 && len(migrating) == 1
	if closeIt && owner != migrating[0] {
		v, err := m.reply(ctx, migrating[0], redo, "CLUSTER", "GETKEYSINSLOT", strconv.Itoa(slot), "10")
		if ok, err := m.okOrReported(err); !ok {
			return false, err
		}
		closeIt = len(v.Elems) == 0
	}
	if !closeIt {
		return m.cannotFix(slot, migStr, impStr, owner), nil
	}
	n := migrating[0]
	m.logf(lvlInfo, ">>> Case 4: Closing slot %d on %s\n", slot, n.addr())
	return m.clearSlotStatus(ctx, n, slot)
}

// cannotFix says that an open slot is in a state fix does not handle.
func (m *manager) cannotFix(slot int, migrating, importing string, owner *node) bool {
	m.logf(lvlErr, "[ERR] Sorry, redish can't fix this slot yet (work in progress). Slot is set as migrating in %s, as importing in %s, owner is %s\n", migrating, importing, owner.addr())
	return false
}

// fixSlotsCoverage gives every slot no node serves to a primary: one
// holding its keys if any, a random one otherwise, after asking. It
// returns the number of slots fixed, or -1 on a failure.
func (m *manager) fixSlotsCoverage(ctx context.Context, covered *[redisx.SlotCount]bool) (int, error) {
	if m.refuseUnreachable("slots coverage") {
		return -1, errReported
	}
	m.logf(lvlInfo, ">>> Fixing slots coverage...\n")
	var uncovered []int
	for slot := range redisx.SlotCount {
		if !covered[slot] {
			uncovered = append(uncovered, slot)
		}
	}
	// Which primaries hold keys of each uncovered slot: one pipeline per
	// node rather than a round trip per slot and node.
	holders := map[int][]*node{}
	for _, n := range m.nodes {
		if n.replica || n.replicate != "" {
			continue
		}
		cmds := make([][][]byte, len(uncovered))
		for i, slot := range uncovered {
			cmds[i] = redisx.Args("CLUSTER", "GETKEYSINSLOT", itoa(slot), "1")
		}
		if n.sess == nil {
			n.sess = m.newSession(n.host, n.port)
		}
		replies, err := n.sess.pipeline(ctx, cmds)
		if err != nil {
			return -1, err
		}
		for i, v := range replies {
			if v.Kind == resp.KindError {
				m.replyError(n, v.Text())
				return -1, nil
			}
			if len(v.Elems) > 0 {
				holders[uncovered[i]] = append(holders[uncovered[i]], n)
			}
		}
	}
	var none, single, multi [redisx.SlotCount]bool
	for _, slot := range uncovered {
		switch len(holders[slot]) {
		case 0:
			none[slot] = true
		case 1:
			single[slot] = true
		default:
			multi[slot] = true
		}
	}
	fixed := 0
	each := func(set *[redisx.SlotCount]bool, fn func(slot int) (bool, error)) (bool, error) {
		for _, slot := range uncovered {
			if !set[slot] {
				continue
			}
			ok, err := fn(slot)
			if !ok || err != nil {
				return false, err
			}
			fixed++
		}
		return true, nil
	}

	// Give a slot to n, which holds its keys if any.
	cover := func(slot int, n *node) (bool, error) {
		m.logf(lvlInfo, ">>> Covering slot %d with %s\n", slot, n.addr())
		if ok, err := m.setSlotOwner(ctx, n, slot, false); !ok {
			return false, err
		}
		n.setSlot(slot, true)
		return true, nil
	}
	for _, group := range []struct {
		set      *[redisx.SlotCount]bool
		what, do string
		fix      func(slot int) (bool, error)
	}{
		{&none, "have no keys across the cluster", "covering with a random node",
			func(slot int) (bool, error) { return cover(slot, m.randomPrimary()) }},
		{&single, "have keys in just one node", "covering with those nodes",
			func(slot int) (bool, error) { return cover(slot, holders[slot][0]) }},
		{&multi, "have keys in multiple nodes", "moving keys into a single node",
			func(slot int) (bool, error) { return m.coverFromMany(ctx, slot, holders[slot]) }},
	} {
		if slotRanges(group.set) == nil {
			continue
		}
		m.printf("The following uncovered slots %s:\n%s\n", group.what, slotsString(group.set))
		if ok, err := m.confirm(ctx, "Fix these slots by "+group.do+"?", true); !ok {
			if err != nil {
				return -1, err
			}
			continue
		}
		if ok, err := each(group.set, group.fix); !ok {
			return -1, err
		}
	}
	return fixed, nil
}

// coverFromMany gives an uncovered slot whose keys are on several nodes
// to the one with the most, and moves the others' keys there.
func (m *manager) coverFromMany(ctx context.Context, slot int, nodes []*node) (bool, error) {
	target, err := m.mostKeysInSlot(ctx, nodes, slot)
	if target == nil || err != nil {
		return false, err
	}
	m.logf(lvlInfo, ">>> Covering slot %d moving keys to %s\n", slot, target.addr())
	if ok, err := m.setSlotOwner(ctx, target, slot, true); !ok {
		return false, err
	}
	target.setSlot(slot, true)
	for _, src := range nodes {
		if src == target {
			continue
		}
		if ok, _, err := m.setSlot(ctx, src, target, slot, "NODE", false); !ok {
			return false, err
		}
		// Importing, though its keys leave: a node importing a slot
		// runs MIGRATE on its keys instead of redirecting it.
		if ok, _, err := m.setSlot(ctx, src, target, slot, "IMPORTING", false); !ok {
			return false, err
		}
		if ok, _, err := m.moveSlot(ctx, src, target, slot, moveOpts{dots: true, cold: true}); !ok {
			return false, err
		}
		if ok, err := m.clearSlotStatus(ctx, src, slot); !ok {
			return false, err
		}
	}
	return true, nil
}

// fixMultipleSlotOwners leaves slot to the one of owners with the most
// keys and moves the keys of the others to it.
func (m *manager) fixMultipleSlotOwners(ctx context.Context, slot int, owners []*node) (bool, error) {
	m.logf(lvlInfo, ">>> Fixing multiple owners for slot %d...\n", slot)
	owner, err := m.mostKeysInSlot(ctx, owners, slot)
	if err != nil {
		return false, err
	}
	if owner == nil {
		owner = owners[0]
	}
	m.logf(lvlInfo, ">>> Setting slot %d owner: %s\n", slot, owner.addr())
	if ok, err := m.setSlotOwner(ctx, owner, slot, false); !ok {
		return false, err
	}
	ok := false
	for _, n := range m.nodes {
		if n == owner || n.replica {
			continue
		}
		count, err := m.countKeysInSlot(ctx, n, slot)
		if err != nil {
			return false, err
		}
		if ok = count >= 0; !ok {
			break
		}
		if _, err := m.delSlot(ctx, n, slot, true); err != nil {
			return false, err
		}
		if ok, _, err := m.setSlot(ctx, n, owner, slot, "node", false); !ok {
			return false, err
		}
		if count > 0 {
			// Importing, so that MIGRATE runs on keys of a slot n no
			// longer serves instead of redirecting (redis-cli skips this
			// and fails with MOVED).
			if ok, _, err := m.setSlot(ctx, n, owner, slot, "IMPORTING", false); !ok {
				return false, err
			}
			var err error
			if ok, _, err = m.moveSlot(ctx, n, owner, slot, moveOpts{dots: true, cold: true}); err != nil || !ok {
				return false, err
			}
			if ok, err = m.clearSlotStatus(ctx, n, slot); !ok {
				return false, err
			}
		}
	}
	return ok, nil
}
