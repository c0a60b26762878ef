package clustermgr

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// create is --cluster create: check that every node is an empty cluster
// node, plan primaries, slots and replicas, show the plan, and on "yes"
// apply it, join the nodes and check the result.
func (m *manager) create(ctx context.Context, args []string) (bool, error) {
	for _, a := range args {
		host, port, _, ok := parseAddr(a)
		if !ok {
			m.errorf("Invalid address format: %s\n", a)
			return false, nil
		}
		n := newNode(host, port, 0)
		ok, err := m.connect(ctx, n)
		if err != nil || !ok {
			return false, err
		}
		m.nodes = append(m.nodes, n)
		if ok, err := m.joinable(ctx, n); !ok {
			return false, err
		}
		// The same node under two names would be planned twice and
		// never seen to join.
		for _, o := range m.nodes[:len(m.nodes)-1] {
			if o.name == n.name {
				m.logf(lvlErr, "[ERR] Node %s is the same node as %s (%s): give each node once.\n", n.addr(), o.addr(), n.name)
				return false, nil
			}
		}
	}
	replicas := m.opts.Replicas
	primaries := len(m.nodes) / (replicas + 1)
	if primaries < 3 {
		m.logf(lvlErr, "*** ERROR: Invalid configuration for cluster creation.\n"+
			"*** Redis Cluster requires at least 3 master nodes.\n"+
			"*** This is not possible with %d nodes and %d replicas per node.", len(m.nodes), replicas)
		m.logf(lvlErr, "\n*** At least %d nodes are required.\n", 3*(replicas+1))
		return false, nil
	}
	m.logf(lvlInfo, ">>> Performing hash slots allocation on %d nodes...\n", len(m.nodes))
	m.plan(primaries, replicas)
	m.showNodes()
	if ok, err := m.confirm(ctx, "Can I set the above configuration?", false); !ok {
		return err == nil, err
	}
	return m.applyCreate(ctx)
}

// joinable reports whether n can join a cluster: a cluster node that
// knows no other node and holds no key. It loads n's ID and says why not.
func (m *manager) joinable(ctx context.Context, n *node) (bool, error) {
	if ok, msg, err := m.isCluster(ctx, n); err != nil || !ok {
		if err == nil {
			m.notClusterNode(n, msg)
		}
		return false, err
	}
	if _, err := m.loadNode(ctx, n, false); err != nil {
		return m.okOrReported(err)
	}
	if ok, msg, err := m.isEmpty(ctx, n); err != nil || !ok {
		if err == nil {
			m.notEmptyNode(n, msg)
		}
		return false, err
	}
	return true, nil
}

// plan decides which nodes are primaries, with which slots, and which
// primary each other node replicates: primaries spread over the hosts,
// replicas on other hosts than their primaries where possible.
func (m *manager) plan(primaries, replicas int) {
	byIP := m.groupByIP()
	ordered := interleave(byIP)
	masters, rest := ordered[:primaries], ordered[primaries:]
	m.assignSlots(masters)
	// Rotating the others sometimes gives a better start to the
	// anti-affinity optimiser.
	if len(rest) > 1 {
		rest = append(rest[1:len(rest):len(rest)], rest[0])
	}
	m.assignReplicas(masters, rest, replicas)
	m.optimizeAntiAffinity(byIP)
}

// groupByIP returns the nodes grouped by host, hosts in the order they
// first appear.
func (m *manager) groupByIP() [][]*node {
	var groups [][]*node
	index := map[string]int{}
	for _, n := range m.nodes {
		i, ok := index[n.host]
		if !ok {
			i = len(groups)
			index[n.host] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], n)
	}
	return groups
}

// interleave takes one node of each host in turn, so that the primaries,
// taken first, spread over the hosts.
func interleave(groups [][]*node) []*node {
	var out []*node
	for i := 0; ; i++ {
		added := false
		for _, g := range groups {
			if i < len(g) {
				out = append(out, g[i])
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// assignSlots splits the slots between the primaries as redis-cli does,
// in single-precision arithmetic so that the boundaries are the same.
func (m *manager) assignSlots(masters []*node) {
	perNode := float32(redisx.SlotCount) / float32(len(masters))
	first := 0
	var cursor float32
	for i, p := range masters {
		last := int(math.Round(float64(cursor + perNode - 1)))
		if last > redisx.SlotCount || i == len(masters)-1 {
			last = redisx.SlotCount - 1
		}
		last = max(last, first)
		m.printf("Master[%d] -> Slots %d - %d\n", i, first, last)
		p.resetSlots()
		for s := first; s <= last; s++ {
			p.setSlot(s, true)
		}
		p.dirty = true
		first = last + 1
		cursor += perNode
	}
}

// assignReplicas gives each primary replicas from rest, preferring nodes
// on other hosts, then hands out the nodes left over one per primary.
func (m *manager) assignReplicas(masters, rest []*node, replicas int) {
	available := len(rest)
	pool := append([]*node(nil), rest...)
	extra := false
	for {
		for _, p := range masters {
			for assigned := 0; assigned < replicas && available > 0; {
				var r *node
				first := -1
				for j, n := range pool {
					if n == nil {
						continue
					}
					if n.host != p.host {
						r = n
						pool[j] = nil
						break
					}
					if first < 0 {
						first = j
					}
				}
				if r == nil && first >= 0 {
					r = pool[first]
					pool = pool[first+1:]
				}
				if r == nil {
					break
				}
				assigned++
				available--
				r.replicate = p.name
				r.dirty = true
				m.printf("Adding replica %s to %s\n", r.addr(), p.addr())
				if extra {
					break
				}
			}
		}
		if extra || available == 0 {
			return
		}
		extra = true
		m.printf("Adding extra replicas...\n")
	}
}

// antiAffinityScore measures how badly replicas share hosts: 10000 for
// each replica on its primary's host, 1 for each replica sharing a host
// with another replica of the same primary. It also returns, for each
// offending group, one replica to move.
func (m *manager) antiAffinityScore(groups [][]*node) (int, []*node) {
	score := 0
	var offenders []*node
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		ip := g[0].host
		type group struct {
			primary  bool
			replicas int
		}
		related := map[string]*group{}
		var order []string
		for _, n := range g {
			key := n.name
			if n.replicate != "" {
				key = n.replicate
			}
			r := related[key]
			if r == nil {
				r = &group{}
				related[key] = r
				order = append(order, key)
			}
			if n.replicate != "" {
				r.replicas++
			} else {
				r.primary = true
			}
		}
		for _, key := range order {
			r := related[key]
			size := r.replicas
			if r.primary {
				size++
			}
			if size < 2 {
				continue
			}
			if r.primary {
				score += 10000 * (size - 1)
			} else {
				score += size
			}
			for _, n := range m.nodes {
				if n.replicate == key && n.host == ip {
					offenders = append(offenders, n)
					break
				}
			}
		}
	}
	return score, offenders
}

// optimizeAntiAffinity swaps the primaries of random replicas, keeping the
// swaps that do not make the score worse, for a bounded number of rounds.
func (m *manager) optimizeAntiAffinity(groups [][]*node) {
	score, _ := m.antiAffinityScore(groups)
	if score == 0 {
		return
	}
	m.logf(lvlInfo, ">>> Trying to optimize slaves allocation for anti-affinity\n")
	for range 500 * len(m.nodes) {
		var offenders []*node
		score, offenders = m.antiAffinityScore(groups)
		if score == 0 || len(offenders) == 0 {
			break
		}
		first := offenders[rand.IntN(len(offenders))]
		var others []*node
		for _, n := range m.nodes {
			if n != first && n.replicate != "" {
				others = append(others, n)
			}
		}
		if len(others) == 0 {
			break
		}
		second := others[rand.IntN(len(others))]
		first.replicate, second.replicate = second.replicate, first.replicate
		first.dirty, second.dirty = true, true
		if s, _ := m.antiAffinityScore(groups); s > score {
			first.replicate, second.replicate = second.replicate, first.replicate
		}
	}
	score, _ = m.antiAffinityScore(groups)
	switch {
	case score == 0:
		m.logf(lvlOK, "%s\n", "[OK] Perfect anti-affinity obtained!")
	case score >= 10000:
		m.logf(lvlWarn, "%s\n", "[WARNING] Some slaves are in the same host as their master")
	default:
		m.logf(lvlWarn, "%s\n", "[WARNING] Some slaves of the same master are in the same host")
	}
}

// flushConfig sends a node its planned configuration: its slots for a
// primary, its primary for a replica. It reports false, leaving the node
// dirty, when a replica's primary is not known to it yet; msg is an error
// reply.
func (m *manager) flushConfig(ctx context.Context, n *node) (ok bool, msg string, err error) {
	if !n.dirty {
		return false, "", nil
	}
	if n.replicate != "" {
		v, err := m.cmd(ctx, n, redo, "CLUSTER", "REPLICATE", n.replicate)
		if err != nil {
			return false, "", err
		}
		if v.Kind == resp.KindError {
			return false, v.Text(), nil
		}
	} else {
		args := []string{"CLUSTER", "ADDSLOTS"}
		for s, on := range n.slots {
			if on {
				args = append(args, itoa(s))
			}
		}
		if len(args) == 2 {
			n.dirty = false
			return false, "", nil
		}
		v, err := m.cmd(ctx, n, once, args...)
		if err != nil {
			return false, "", err
		}
		if v.Kind == resp.KindError {
			return false, v.Text(), nil
		}
	}
	n.dirty = false
	return true, "", nil
}

// applyCreate configures the nodes as planned, joins them and checks the
// cluster they form.
func (m *manager) applyCreate(ctx context.Context) (bool, error) {
	for _, n := range m.nodes {
		ok, msg, err := m.flushConfig(ctx, n)
		if err != nil {
			return false, err
		}
		if !ok && n.replicate == "" && msg != "" {
			m.replyError(n, msg)
			return false, nil
		}
	}
	m.logf(lvlInfo, ">>> Nodes configuration updated\n")
	m.logf(lvlInfo, ">>> Assign a different config epoch to each node\n")
	for i, n := range m.nodes {
		if _, err := m.cmd(ctx, n, redo, "cluster", "set-config-epoch", itoa(i+1)); err != nil {
			return false, err
		}
	}
	m.logf(lvlInfo, ">>> Sending CLUSTER MEET messages to join the cluster\n")
	first := m.nodes[0]
	ip, err := resolveIP(ctx, first.host)
	if err != nil {
		m.errorf("Invalid IP address or hostname specified: %s\n", first.host)
		return false, nil
	}
	for _, n := range m.nodes[1:] {
		if _, err := m.reply(ctx, n, redo, meetArgs(ip, first)...); err != nil {
			return m.okOrReported(err)
		}
	}
	if err := m.waitForJoin(ctx); err != nil {
		return false, err
	}
	// The replicas know their primaries now.
	for _, n := range m.nodes {
		if !n.dirty {
			continue
		}
		ok, msg, err := m.flushConfig(ctx, n)
		if err != nil {
			return false, err
		}
		if !ok && msg != "" {
			m.replyError(n, msg)
			if n.replicate == "" {
				return false, nil
			}
		}
	}
	first.sess.close()
	first.sess = nil
	host, port := first.host, first.port
	m.closeAll()
	m.nodes = nil
	ok, err := m.load(ctx, host, port)
	if err != nil || !ok {
		return false, err
	}
	if _, _, err := m.checkCluster(ctx, false, false); err != nil && !errors.Is(err, errReported) {
		return false, err
	}
	return true, nil
}

// meetArgs is CLUSTER MEET for the node first, reached at ip; the bus
// port is given only when it is not the default one.
func meetArgs(ip string, first *node) []string {
	args := []string{"CLUSTER", "MEET", ip, itoa(first.port)}
	if first.busPort != 0 && first.busPort != first.port+busPortIncr {
		args = append(args, itoa(first.busPort))
	}
	return args
}

// resolveIP returns host as an IP address: CLUSTER MEET takes no names.
func resolveIP(ctx context.Context, host string) (string, error) {
	if net.ParseIP(host) != nil {
		return host, nil
	}
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", &net.DNSError{Err: "no address", Name: host}
	}
	return addrs[0], nil
}

// joinPoll is how often waitForJoin looks; a dot is printed every
// joinDot, as redis-cli prints one a second.
const (
	joinPoll = 100 * time.Millisecond
	joinDot  = time.Second
)

// joinCheckAfter is how long the wait goes on before the manager says
// which cluster bus links are down, and again every as long.
const joinCheckAfter = 20 * time.Second

// waitForJoin waits until every node knows every other and all agree on
// the slot map, printing a dot a second, and after a while the links
// that seem down.
func (m *manager) waitForJoin(ctx context.Context) error {
	m.printf("Waiting for the cluster to join\n")
	checkAfter := joinCheckAfter + time.Duration(float32(len(m.nodes))*0.15)*time.Second
	var waited, sinceDot, sinceCheck time.Duration
	for {
		joined, err := m.allKnown(ctx)
		if err != nil {
			return err
		}
		if joined {
			ok, err := m.consistent(ctx)
			if err != nil {
				return err
			}
			if ok {
				break
			}
		}
		if err := m.sleep(ctx, joinPoll); err != nil {
			return err
		}
		waited += joinPoll
		sinceDot += joinPoll
		sinceCheck += joinPoll
		if sinceDot >= joinDot {
			m.printf(".")
			sinceDot = 0
		}
		if sinceCheck > checkAfter {
			if err := m.reportLinks(ctx); err != nil {
				return err
			}
			sinceCheck = 0
		}
	}
	m.printf("\n")
	return nil
}

// allKnown reports whether every node lists every other past the
// handshake: before that, nodes that have not met yet may agree on a map
// that is not the whole cluster's.
func (m *manager) allKnown(ctx context.Context) (bool, error) {
	for _, n := range m.nodes {
		v, err := m.cmd(ctx, n, redo, "CLUSTER", "NODES")
		if err != nil {
			return false, err
		}
		if v.Kind == resp.KindError {
			return false, nil
		}
		lines, err := parseNodes(v.Text())
		if err != nil || len(lines) < len(m.nodes) {
			return false, nil
		}
		for _, l := range lines {
			if strings.Contains(l.flags, "handshake") || strings.Contains(l.flags, "noaddr") {
				return false, nil
			}
		}
	}
	return true, nil
}

// reportLinks prints, for every node some other node cannot reach on the
// cluster bus, who cannot reach it.
func (m *manager) reportLinks(ctx context.Context) error {
	from := map[string][]string{}
	var order []string
	for _, n := range m.nodes {
		v, err := m.cmd(ctx, n, redo, "CLUSTER", "NODES")
		if err != nil {
			return err
		}
		if v.Kind == resp.KindError {
			continue
		}
		lines, err := parseNodes(v.Text())
		if err != nil {
			continue
		}
		for _, l := range lines {
			if l.myself {
				continue
			}
			if strings.Contains(l.flags, "disconnected") || strings.Contains(l.link, "disconnected") || strings.Contains(l.flags, "handshake") {
				if _, ok := from[l.addr]; !ok {
					order = append(order, l.addr)
				}
				from[l.addr] = append(from[l.addr], n.addr())
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	m.printf("\n")
	m.logf(lvlErr, "Warning: %d node(s) may be unreachable\n", len(order))
	for _, addr := range order {
		host, _, bus, ok := parseAddr(addr)
		if ok && bus != 0 {
			m.logf(lvlErr, " - The port %d of node %s may be unreachable from:\n", bus, host)
		} else {
			m.logf(lvlErr, " - Node %s may be unreachable from:\n", addr)
		}
		for _, f := range from[addr] {
			m.logf(lvlErr, "   %s\n", f)
		}
		m.logf(lvlErr, "Cluster bus ports must be reachable by every node.\nRemember that cluster bus ports are different from standard instance ports.\n")
	}
	return nil
}
