package clustermgr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// errReported is a failure the manager has already printed; it ends the
// step and, unless the caller handles it, the run.
var errReported = fmt.Errorf("%w", ErrFailed)

// connect opens n's session, printing redis-cli's message when it cannot.
// It reports whether n is reachable; the error is an interruption.
func (m *manager) connect(ctx context.Context, n *node) (bool, error) {
	if n.sess == nil {
		n.sess = m.newSession(n.host, n.port)
	}
	if err := n.sess.dial(ctx); err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		// AUTH is redis-cli's first command to a node, and its error
		// reply is printed as any other.
		var he *redisx.HandshakeError
		var re *resp.RedisError
		if errors.As(err, &he) && he.Step == "AUTH" && errors.As(he.Err, &re) {
			m.replyError(n, re.Msg)
			return false, nil
		}
		m.errorf("%s\n", m.describe(err))
		return false, nil
	}
	return true, nil
}

// cmd sends a command to n, connecting first if needed. A connection
// that fails on every attempt is an error, printed by the caller.
func (m *manager) cmd(ctx context.Context, n *node, safe safety, args ...string) (resp.Value, error) {
	if n.sess == nil {
		n.sess = m.newSession(n.host, n.port)
	}
	return n.sess.do(ctx, safe, args...)
}

// reply sends a command to n and returns its reply, or, for an error
// reply, prints redis-cli's message and returns errReported.
func (m *manager) reply(ctx context.Context, n *node, safe safety, args ...string) (resp.Value, error) {
	v, err := m.cmd(ctx, n, safe, args...)
	if err != nil {
		return v, err
	}
	if v.Kind == resp.KindError {
		m.replyError(n, v.Text())
		return v, errReported
	}
	return v, nil
}

// infoField returns the integer value of field in an INFO reply, or
// math.MinInt when it is missing (as redis-cli's getLongInfoField, whose
// LONG_MIN counts as true).
func infoField(info, field string) int {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return atoi(strings.TrimRight(v, "\r"))
		}
	}
	return math.MinInt
}

// isCluster reports whether n has cluster support enabled; msg is the
// error reply to INFO, if it gave one.
func (m *manager) isCluster(ctx context.Context, n *node) (ok bool, msg string, err error) {
	v, err := m.cmd(ctx, n, redo, "INFO")
	if err != nil {
		return false, "", err
	}
	if v.Kind == resp.KindError {
		return false, v.Text(), nil
	}
	return infoField(v.Text(), "cluster_enabled") != 0, "", nil
}

// notClusterNode prints redis-cli's message for a node without cluster
// support.
func (m *manager) notClusterNode(n *node, msg string) {
	if msg == "" {
		msg = "is not configured as a cluster node."
	}
	m.logf(lvlErr, "[ERR] Node %s %s\n", n.addr(), msg)
}

// isEmpty reports whether n holds no key in db 0 and knows no other node,
// the condition for joining it to a cluster; msg is an error reply.
func (m *manager) isEmpty(ctx context.Context, n *node) (ok bool, msg string, err error) {
	v, err := m.cmd(ctx, n, redo, "INFO")
	if err != nil {
		return false, "", err
	}
	if v.Kind == resp.KindError {
		return false, v.Text(), nil
	}
	if strings.Contains(v.Text(), "db0:") {
		return false, "", nil
	}
	v, err = m.cmd(ctx, n, redo, "CLUSTER", "INFO")
	if err != nil {
		return false, "", err
	}
	if v.Kind == resp.KindError {
		return false, v.Text(), nil
	}
	return infoField(v.Text(), "cluster_known_nodes") == 1, "", nil
}

// notEmptyNode prints redis-cli's message for a node that cannot join.
func (m *manager) notEmptyNode(n *node, msg string) {
	if msg == "" {
		msg = "is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0."
	}
	m.logf(lvlErr, "[ERR] Node %s %s\n", n.addr(), msg)
}

// loadNode reads n's own line of CLUSTER NODES (its ID, flags, slots and
// open slots); with friends it also returns the other nodes it knows, in
// the order it lists them. An error reply is printed and returned as
// errReported.
func (m *manager) loadNode(ctx context.Context, n *node, friends bool) ([]*node, error) {
	v, err := m.cmd(ctx, n, redo, "CLUSTER", "NODES")
	if err != nil {
		return nil, err
	}
	if v.Kind == resp.KindError {
		m.replyError(n, v.Text())
		return nil, errReported
	}
	lines, err := parseNodes(v.Text())
	if err != nil {
		m.errorf("Error: %v\n", err)
		return nil, errReported
	}
	var others []*node
	for _, l := range lines {
		switch {
		case l.myself:
			n.busPort = l.busPort
			n.myself = true
			n.apply(l, true)
		case friends:
			f := newNode(l.host, l.port, l.busPort)
			f.apply(l, false)
			others = append(others, f)
		}
	}
	return others, nil
}

// load reads the whole cluster as seen from the node at host:port: that
// node first, then every node it knows that can be reached and is not
// failing, in its CLUSTER NODES order. It reports false when the first
// node cannot be used, having said why.
func (m *manager) load(ctx context.Context, host string, port int) (bool, error) {
	n := newNode(host, port, 0)
	ok, err := m.connect(ctx, n)
	if err != nil || !ok {
		return false, err
	}
	isCluster, msg, err := m.isCluster(ctx, n)
	if err != nil {
		return false, err
	}
	if !isCluster {
		m.notClusterNode(n, msg)
		n.sess.close()
		return false, nil
	}
	friends, err := m.loadNode(ctx, n, true)
	if errors.Is(err, errReported) {
		n.sess.close()
		return false, nil
	}
	if err != nil {
		return false, err
	}
	m.closeAll()
	m.nodes = []*node{n}
	m.unreachablePrimaries = 0
	for _, f := range friends {
		ok, err := m.loadFriend(ctx, f)
		if err != nil {
			return false, err
		}
		if ok {
			m.nodes = append(m.nodes, f)
			continue
		}
		if f.sess != nil {
			f.sess.close()
		}
		if !f.replica {
			m.unreachablePrimaries++
		}
	}
	for _, r := range m.nodes {
		if r.replicate == "" {
			continue
		}
		if p := m.byName(r.replicate); p != nil {
			p.replicasCount++
		} else {
			m.logf(lvlWarn, "*** WARNING: %s claims to be slave of unknown node ID %s.\n", r.addr(), r.replicate)
		}
	}
	return true, nil
}

// loadFriend connects to a node the first one knows and reads its own
// view of itself. It reports false for a node to leave out: no address,
// unreachable, or flagged noaddr, disconnected or fail.
func (m *manager) loadFriend(ctx context.Context, f *node) (bool, error) {
	if f.host == "" || f.port == 0 {
		return false, nil
	}
	ok, err := m.connect(ctx, f)
	if err != nil || !ok {
		return false, err
	}
	_, err = m.loadNode(ctx, f, false)
	switch {
	case errors.Is(err, errReported):
		m.logf(lvlErr, "[ERR] Unable to load info for node %s\n", f.addr())
		return false, nil
	case err != nil && ctx.Err() != nil:
		return false, err
	case err != nil:
		m.errorf("%s\n", m.describe(err))
		m.logf(lvlErr, "[ERR] Unable to load info for node %s\n", f.addr())
		return false, nil
	}
	return !f.noaddr && !f.disconn && !f.failed, nil
}

// byName returns the loaded node whose ID is name (any case), or nil.
func (m *manager) byName(name string) *node {
	name = strings.ToLower(name)
	for _, n := range m.nodes {
		if n.name != "" && n.name == name {
			return n
		}
	}
	return nil
}

// primaryByPrefix returns the one loaded primary whose ID starts with
// prefix (any case). It returns nil when none does, and many when
// several do: redis-cli takes the first node that matches, so a replica's
// ID, an empty prefix or a short one could weigh a node the user did not
// mean.
func (m *manager) primaryByPrefix(prefix string) (n *node, many bool) {
	prefix = strings.ToLower(prefix)
	if prefix == "" {
		return nil, false
	}
	for _, c := range m.nodes {
		if c.name == "" || c.replica || c.replicate != "" || !strings.HasPrefix(c.name, prefix) {
			continue
		}
		if n != nil {
			return nil, true
		}
		n = c
	}
	return n, false
}

// primaries returns the loaded primaries, in load order.
func (m *manager) primaries() []*node {
	var out []*node
	for _, n := range m.nodes {
		if n.isPrimary() {
			out = append(out, n)
		}
	}
	return out
}

// loadFromArgs loads the cluster from the address in args (one
// "host:port" argument or host and port), printing redis-cli's message
// for an address it cannot parse.
func (m *manager) loadFromArgs(ctx context.Context, args []string) (bool, error) {
	host, port, ok := hostPort(args)
	if !ok {
		m.errorf("%s", invalidHostArg)
		return false, nil
	}
	return m.load(ctx, host, port)
}

func itoa(i int) string { return strconv.Itoa(i) }
