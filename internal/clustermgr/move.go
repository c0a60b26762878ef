package clustermgr

import (
	"context"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// moveOpts are the ways moveSlot can run.
type moveOpts struct {
	quiet  bool // no "Moving slot ..." line
	dots   bool // a dot per key moved
	cold   bool // move the keys only: no IMPORTING/MIGRATING/NODE
	update bool // update the manager's slot maps
	// capture returns error replies to the caller instead of printing
	// them (reshard and rebalance word them their own way).
	capture bool
}

// acceptableSetSlot is the reply of a source that lost its last slot and
// turned into a replica of the target before it was told: not an error.
const acceptableSetSlot = "ERR Please use SETSLOT only with masters."

// moveSlot moves slot from src to dst: open it on both (IMPORTING on dst,
// MIGRATING on src), MIGRATE its keys, then give it to dst on dst first,
// then on src and on every other primary. With capture, an error reply is
// returned in msg instead of printed.
func (m *manager) moveSlot(ctx context.Context, src, dst *node, slot int, o moveOpts) (ok bool, msg string, err error) {
	if !o.quiet {
		m.printf("Moving slot %d from %s to %s: ", slot, src.addr(), dst.addr())
	}
	if !o.cold {
		// Until the slot is given to dst, an interruption or a failure
		// leaves it open: Run says so.
		m.moving = &move{slot: slot, src: src, dst: dst}
		defer func() {
			if ok && err == nil {
				m.moving = nil
			}
		}()
		if ok, msg, err := m.setSlot(ctx, dst, src, slot, "importing", o.capture); !ok {
			if err == nil {
				// Refused: nothing was opened.
				m.moving = nil
			}
			return false, msg, err
		}
		if ok, msg, err := m.setSlot(ctx, src, dst, slot, "migrating", o.capture); !ok {
			return false, msg, err
		}
	}
	ok, msg, err = m.migrateKeysInSlot(ctx, src, dst, slot, o)
	if !o.quiet {
		m.printf("\n")
	}
	if !ok {
		return false, msg, err
	}
	if !o.cold {
		// The target first: if it is told last and dies before, the slot
		// is left with no owner and clients loop on redirects.
		if ok, msg, err := m.setSlot(ctx, dst, dst, slot, "node", o.capture); !ok {
			return false, msg, err
		}
		ok, msg, err := m.setSlot(ctx, src, dst, slot, "node", true)
		if err != nil {
			return false, "", err
		}
		if !ok && !strings.HasPrefix(msg, acceptableSetSlot) {
			if !o.capture {
				m.replyError(src, msg)
			}
			return false, msg, nil
		}
		// Closed on both sides: the other primaries learn the owner
		// from gossip if telling them fails.
		m.moving = nil
		// The others too, so they redirect to the target at once rather
		// than when gossip reaches them.
		for _, n := range m.nodes {
			if n == src || n == dst || n.replica {
				continue
			}
			if ok, msg, err := m.setSlot(ctx, n, dst, slot, "node", o.capture); !ok {
				return false, msg, err
			}
		}
	}
	if o.update {
		src.setSlot(slot, false)
		dst.setSlot(slot, true)
	}
	return true, "", nil
}

// migrateKeysInSlot moves every key of slot from src to dst, pipeline
// keys per MIGRATE, until src has none left.
func (m *manager) migrateKeysInSlot(ctx context.Context, src, dst *node, slot int, o moveOpts) (ok bool, msg string, err error) {
	for {
		v, err := m.cmd(ctx, src, redo, "CLUSTER", "GETKEYSINSLOT", itoa(slot), itoa(m.opts.Pipeline))
		if err != nil {
			return false, "", err
		}
		if v.Kind == resp.KindError {
			m.replyError(src, v.Text())
			return false, v.Text(), nil
		}
		if len(v.Elems) == 0 {
			return true, "", nil
		}
		keys := make([][]byte, len(v.Elems))
		for i, k := range v.Elems {
			keys[i] = k.Str
		}
		r, err := m.migrate(ctx, src, dst, keys, false)
		if err != nil {
			return false, "", err
		}
		if r.Kind == resp.KindError {
			ok, msg, err := m.migrateFailed(ctx, src, dst, slot, keys, r.Text())
			if !ok || err != nil {
				return false, msg, err
			}
		}
		if o.dots {
			m.printf("%s", strings.Repeat(".", len(keys)))
		}
	}
}

// migrateFailed handles an error reply to MIGRATE as redis-cli does: a key
// that exists on the target (BUSYKEY) is replaced when its value is the
// same on both nodes or --cluster-replace says so; a slot the source no
// longer serves is, under fix, given to the target; then MIGRATE is sent
// again. Anything else is a failure.
func (m *manager) migrateFailed(ctx context.Context, src, dst *node, slot int, keys [][]byte, reply string) (ok bool, msg string, err error) {
	busy := strings.Contains(reply, "BUSYKEY")
	notServed := false
	if !busy {
		owner, msg, err := m.slotOwner(ctx, src, slot)
		if err != nil {
			return false, "", err
		}
		if owner == nil {
			if msg == "" {
				notServed = true
			} else {
				m.replyError(src, msg)
			}
		}
	}
	if !busy && !notServed {
		m.printf("\n")
		m.replyError(src, reply)
		return false, reply, nil
	}
	if m.fixing && notServed {
		m.logf(lvlWarn, "*** Slot was not served, setting owner to node %s.\n", dst.addr())
		if _, _, err := m.setSlot(ctx, src, dst, slot, "node", false); err != nil {
			return false, "", err
		}
	}
	if busy {
		m.logf(lvlWarn, "\n*** Target key exists\n")
		if !m.opts.Replace {
			m.logf(lvlWarn, "*** Checking key values on both nodes...\n")
			diffs, ok, err := m.compareValues(ctx, src, dst, keys)
			if err != nil {
				return false, "", err
			}
			if !ok {
				m.logf(lvlErr, "*** Value check failed!\n")
				return false, "", nil
			}
			if len(diffs) > 0 {
				m.logf(lvlErr, "*** Found %d key(s) in both source node and target node having different values.\n"+
					"    Source node: %s\n    Target node: %s\n    Keys(s):\n", len(diffs), src.addr(), dst.addr())
				for _, k := range diffs {
					m.logf(lvlErr, "    - %s\n", k)
				}
				m.logf(lvlErr, "Please fix the above key(s) manually and try again or relaunch the command \nwith --cluster-replace option to force key overriding.\n")
				return false, "", nil
			}
		}
		m.logf(lvlWarn, "*** Replacing target keys...\n")
	}
	r, err := m.migrate(ctx, src, dst, keys, busy)
	if err != nil {
		return false, "", err
	}
	if r.Kind == resp.KindError {
		m.printf("\n")
		m.replyError(src, r.Text())
		return false, r.Text(), nil
	}
	return true, "", nil
}

// migrate sends MIGRATE of keys from src to dst, with the credentials the
// nodes were opened with.
func (m *manager) migrate(ctx context.Context, src, dst *node, keys [][]byte, replace bool) (resp.Value, error) {
	args := redisx.Args("MIGRATE", dst.host, strconv.Itoa(dst.port), "", "0", strconv.Itoa(m.opts.Timeout))
	if replace {
		args = append(args, []byte("REPLACE"))
	}
	args = append(args, m.migrateAuth()...)
	args = append(args, []byte("KEYS"))
	args = append(args, keys...)
	if src.sess == nil {
		src.sess = m.newSession(src.host, src.port)
	}
	return src.sess.doBytes(ctx, redo, args)
}

// migrateAuth is the AUTH or AUTH2 part of MIGRATE, for nodes that need a
// password.
func (m *manager) migrateAuth() [][]byte {
	if m.conn.Password == "" && !m.conn.PasswordSet {
		return nil
	}
	if m.conn.User != "" {
		return redisx.Args("AUTH2", m.conn.User, m.conn.Password)
	}
	return redisx.Args("AUTH", m.conn.Password)
}

// zeroDigest is DEBUG DIGEST-VALUE's answer for a key that does not exist.
const zeroDigest = "0000000000000000000000000000000000000000"

// compareValues returns the keys whose values differ between n1 and n2
// (DEBUG DIGEST-VALUE), ignoring keys missing on either; ok is false when
// a node refused, which it prints.
func (m *manager) compareValues(ctx context.Context, n1, n2 *node, keys [][]byte) (diffs []string, ok bool, err error) {
	args := append(redisx.Args("DEBUG", "DIGEST-VALUE"), keys...)
	var replies [2]resp.Value
	for i, n := range []*node{n1, n2} {
		if n.sess == nil {
			n.sess = m.newSession(n.host, n.port)
		}
		replies[i], err = n.sess.doBytes(ctx, redo, args)
		if err != nil {
			return nil, false, err
		}
	}
	ok = true
	for i, n := range []*node{n1, n2} {
		if replies[i].Kind == resp.KindError {
			m.replyError(n, replies[i].Text())
			ok = false
		}
	}
	if !ok {
		return nil, false, nil
	}
	if len(replies[0].Elems) != len(keys) || len(replies[1].Elems) != len(keys) {
		return nil, false, nil
	}
	for i, k := range keys {
		h1, h2 := replies[0].Elems[i].Text(), replies[1].Elems[i].Text()
		if h1 == zeroDigest || h2 == zeroDigest {
			continue
		}
		if h1 != h2 {
			diffs = append(diffs, string(k))
		}
	}
	return diffs, true, nil
}
