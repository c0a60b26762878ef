package redisproc

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/resp"
)

// clusterTimeout bounds the waits for a cluster to form or change state.
// With the default node timeout a cluster forms in about a second and a
// failover completes in two or three.
const clusterTimeout = 30 * time.Second

// Cluster is a Redis cluster of servers started by LaunchCluster.
type Cluster struct {
	// Nodes are all the servers: the primaries as created first, then the
	// replicas (the replicas of Nodes[0], then of Nodes[1], ...).
	Nodes []*Server

	primaries int
	replicas  int
	// owned is the directory LaunchCluster made for the nodes, removed by
	// Close.
	owned string
}

// LaunchCluster starts primaries*(1+replicasPerPrimary) servers with
// cluster-enabled yes, gives each primary an equal range of the 16384
// slots, attaches replicasPerPrimary replicas to each primary, and waits
// until every node reports cluster_state:ok and sees every replica
// attached. opts apply to every node (WithPassword, WithTLS,
// WithNodeTimeout and so on). On error it has stopped every node it
// started. Without WithDir the nodes' files go to a new temporary
// directory. The caller stops the cluster with Close. When redis-server
// is not on PATH the error matches exec.ErrNotFound.
func LaunchCluster(primaries, replicasPerPrimary int, opts ...Option) (*Cluster, error) {
	if primaries < 1 || primaries > 16384 || replicasPerPrimary < 0 {
		return nil, fmt.Errorf("redisproc: LaunchCluster(%d, %d): need 1..16384 primaries and 0 or more replicas", primaries, replicasPerPrimary)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redisproc: %w", err)
	}
	cfg := newConfig(append(opts, WithCluster()))
	c := &Cluster{primaries: primaries, replicas: replicasPerPrimary}
	root, made, err := workDir(cfg.dir, "redis-cluster-")
	if err != nil {
		return nil, err
	}
	c.owned = made
	if err := c.launch(bin, cfg, root); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// launch starts the nodes in directories under root and forms the
// cluster.
func (c *Cluster) launch(bin string, cfg *config, root string) error {
	if cfg.tls {
		// One CA for all nodes: they dial each other over TLS.
		dir := filepath.Join(root, "certs")
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("redisproc: %w", err)
		}
		certs, err := writeCerts(dir)
		if err != nil {
			return fmt.Errorf("redisproc: TLS certificates: %w", err)
		}
		cfg.certs = certs
	}
	n := c.primaries * (1 + c.replicas)
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("node-%d", i+1))
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("redisproc: %w", err)
		}
		s, err := launchIn(bin, cfg, dir)
		if s != nil {
			c.Nodes = append(c.Nodes, s)
		}
		if err != nil {
			return err
		}
	}
	if cfg.announce != nil {
		for _, s := range c.Nodes {
			if err := s.announceAs(cfg.announce); err != nil {
				return err
			}
		}
	}
	// Distinct config epochs up front, as redis-cli --cluster create does,
	// so no epoch collision has to be resolved before the cluster is ok.
	for i, s := range c.Nodes {
		if err := s.expectOK("CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1)); err != nil {
			return err
		}
	}
	for i, s := range c.Nodes[:c.primaries] {
		first, last := slotRange(i, c.primaries)
		if err := s.expectOK("CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(first), strconv.Itoa(last)); err != nil {
			return err
		}
	}
	for _, s := range c.Nodes[1:] {
		if err := c.Nodes[0].expectOK("CLUSTER", "MEET", s.Host, strconv.Itoa(s.Port), strconv.Itoa(s.ClusterPort)); err != nil {
			return err
		}
	}
	if err := c.wait("every node to know every other", c.allKnown); err != nil {
		return err
	}

	ids := make([]string, n)
	for i, s := range c.Nodes {
		v, err := s.do("CLUSTER", "MYID")
		if err != nil {
			return fmt.Errorf("redisproc: CLUSTER MYID on %s: %w", s.Addr(), err)
		}
		if v.Kind != resp.KindBulk {
			return fmt.Errorf("redisproc: CLUSTER MYID on %s: %s %q", s.Addr(), v.Kind, v.Str)
		}
		ids[i] = v.Text()
	}
	for i, s := range c.Nodes[c.primaries:] {
		if err := s.expectOK("CLUSTER", "REPLICATE", ids[i/c.replicas]); err != nil {
			return err
		}
	}
	if err := c.wait("every replica linked to its primary", c.linked); err != nil {
		return err
	}
	// CLUSTER SLOTS leaves out replicas whose replication offset is still
	// 0, which on an idle primary lasts until its next replication ping
	// (10s). A write each replica applies moves the offset now.
	for _, s := range c.Nodes[:c.primaries] {
		if err := s.expectOK("FLUSHALL"); err != nil {
			return err
		}
	}
	return c.wait("cluster_state:ok with every replica attached", c.formed)
}

// Close stops every node and removes the directory LaunchCluster made for
// them (none for a cluster started WithDir).
func (c *Cluster) Close() {
	for _, s := range c.Nodes {
		s.Close()
	}
	if c.owned != "" {
		os.RemoveAll(c.owned)
		c.owned = ""
	}
}

// announceAs sets the address the cluster tells clients for s to the one
// announce returns, now and for every Relaunch.
func (s *Server) announceAs(announce func(*Server) (string, error)) error {
	host, port, err := announcedAddr(s, announce)
	if err != nil {
		return err
	}
	portText := strconv.Itoa(port)
	if err := s.expectOK("CONFIG", "SET", "cluster-announce-ip", host, "cluster-announce-port", portText); err != nil {
		return err
	}
	s.AnnouncedPort = port
	s.announce = [][]string{{"cluster-announce-ip", host}, {"cluster-announce-port", portText}}
	return nil
}

// slotRange returns the slots of primary i of n, split as redis-cli
// --cluster create splits them (3 primaries: 0-5460, 5461-10922,
// 10923-16383), so tests can reason about familiar boundaries.
func slotRange(i, n int) (first, last int) {
	per := 16384 / float64(n)
	first = int(math.Round(float64(i) * per))
	if i > 0 {
		_, prevLast := slotRange(i-1, n)
		first = prevLast + 1
	}
	last = int(math.Round(float64(i)*per + per - 1))
	if i == n-1 || last > 16383 {
		last = 16383
	}
	return first, last
}

// expectOK sends args and returns an error unless the reply is a status.
func (s *Server) expectOK(args ...string) error {
	v, err := s.do(args...)
	if err != nil {
		return fmt.Errorf("redisproc: %s on %s: %w\n%s", strings.Join(args, " "), s.Addr(), err, s.LogTail())
	}
	if v.Kind != resp.KindStatus {
		return fmt.Errorf("redisproc: %s on %s: %s %q", strings.Join(args, " "), s.Addr(), v.Kind, v.Str)
	}
	return nil
}

// wait polls check until it returns nil, and returns an error with check's
// last error and each node's view of the cluster when clusterTimeout
// passes.
func (c *Cluster) wait(what string, check func() error) error {
	return poll("cluster: "+what, clusterTimeout, check, c.describe)
}

// describe returns each live node's CLUSTER NODES, for failure messages.
func (c *Cluster) describe() string {
	var b strings.Builder
	for _, s := range c.Nodes {
		fmt.Fprintf(&b, "--- %s CLUSTER NODES\n", s.Addr())
		if !s.alive() {
			b.WriteString("(down or paused)\n")
			continue
		}
		v, err := s.do("CLUSTER", "NODES")
		if err != nil {
			fmt.Fprintf(&b, "(%v)\n", err)
			continue
		}
		b.Write(v.Str)
	}
	return b.String()
}

// allKnown checks that every node knows every other one past the handshake.
func (c *Cluster) allKnown() error {
	for _, s := range c.Nodes {
		v, err := s.do("CLUSTER", "NODES")
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(v.Text()), "\n")
		if len(lines) == 1 && s != c.Nodes[0] {
			// The first node gave up its handshake with this one (it lasts
			// one node timeout); meeting again is harmless.
			if _, err := c.Nodes[0].do("CLUSTER", "MEET", s.Host, strconv.Itoa(s.Port), strconv.Itoa(s.ClusterPort)); err != nil {
				return err
			}
		}
		if len(lines) != len(c.Nodes) {
			return fmt.Errorf("%s knows %d nodes of %d", s.Addr(), len(lines), len(c.Nodes))
		}
		for _, l := range lines {
			if strings.Contains(l, "handshake") || strings.Contains(l, "noaddr") {
				return fmt.Errorf("%s: %s", s.Addr(), l)
			}
		}
	}
	return nil
}

// formed checks that every node is ok, sees each primary's slots served
// with all its replicas, and that every replica's link is up.
func (c *Cluster) formed() error {
	for _, s := range c.Nodes {
		if err := s.clusterState("ok"); err != nil {
			return err
		}
		v, err := s.do("CLUSTER", "SLOTS")
		if err != nil {
			return err
		}
		if v.Len() != c.primaries {
			return fmt.Errorf("%s: CLUSTER SLOTS has %d ranges, want %d", s.Addr(), v.Len(), c.primaries)
		}
		for _, r := range v.Elems {
			if got := r.Len() - 2; got != 1+c.replicas {
				return fmt.Errorf("%s: CLUSTER SLOTS lists %d nodes for a range, want %d", s.Addr(), got, 1+c.replicas)
			}
		}
	}
	return c.linked()
}

// linked checks that every replica's link to its primary is up.
func (c *Cluster) linked() error {
	for _, s := range c.Nodes[c.primaries:] {
		info, err := s.do("INFO", "replication")
		if err != nil {
			return err
		}
		if !strings.Contains(info.Text(), "master_link_status:up") {
			return fmt.Errorf("%s: replica link is not up", s.Addr())
		}
	}
	return nil
}

// clusterState returns nil when CLUSTER INFO reports cluster_state:state.
func (s *Server) clusterState(state string) error {
	v, err := s.do("CLUSTER", "INFO")
	if err != nil {
		return err
	}
	if v.Kind == resp.KindError {
		return fmt.Errorf("%s: CLUSTER INFO: %w", s.Addr(), v.Err())
	}
	for _, l := range strings.Split(v.Text(), "\n") {
		if got, ok := strings.CutPrefix(strings.TrimSpace(l), "cluster_state:"); ok {
			if got != state {
				return fmt.Errorf("%s: cluster_state:%s", s.Addr(), got)
			}
			return nil
		}
	}
	return fmt.Errorf("%s: no cluster_state in CLUSTER INFO", s.Addr())
}

// servedByLive checks that s sees every slot range served by a live node.
func (c *Cluster) servedByLive(s *Server) error {
	v, err := s.do("CLUSTER", "SLOTS")
	if err != nil {
		return err
	}
	for _, r := range v.Elems {
		if r.Len() < 3 || r.Elems[2].Len() < 2 {
			return fmt.Errorf("%s: malformed CLUSTER SLOTS entry", s.Addr())
		}
		n := c.byPort(r.Elems[2].Elems[1].Int)
		if n == nil || !n.alive() {
			return fmt.Errorf("%s: slots %d-%d served by a node that is down", s.Addr(), r.Elems[0].Int, r.Elems[1].Int)
		}
	}
	return nil
}

// byPort returns the node with that port or announced port.
func (c *Cluster) byPort(port int64) *Server {
	for _, n := range c.Nodes {
		if int64(n.Port) == port || (n.AnnouncedPort != 0 && int64(n.AnnouncedPort) == port) {
			return n
		}
	}
	return nil
}

// alive reports whether the server is running and not paused.
func (s *Server) alive() bool {
	s.mu.Lock()
	paused := s.paused
	s.mu.Unlock()
	return !paused && s.Running()
}

// AwaitState waits until every node that is running and not paused
// reports cluster_state:state ("ok" or "fail"). For "ok" it also waits
// until every live node sees every slot served by a live primary, so after
// a Kill of a primary it returns once a replica has taken over, not while
// the others have yet to notice the loss.
func (c *Cluster) AwaitState(state string) error {
	return c.wait("cluster_state:"+state+" on every live node", func() error {
		live := 0
		for _, s := range c.Nodes {
			if !s.alive() {
				continue
			}
			live++
			if err := s.clusterState(state); err != nil {
				return err
			}
			if state == "ok" {
				if err := c.servedByLive(s); err != nil {
					return err
				}
			}
		}
		if live == 0 {
			return errors.New("no live node")
		}
		return nil
	})
}

// Primaries returns the live nodes whose current role is primary, in
// Nodes order. After a failover it includes the promoted replica.
func (c *Cluster) Primaries() []*Server { return c.byRole("master") }

// Replicas returns the live nodes whose current role is replica, in Nodes
// order.
func (c *Cluster) Replicas() []*Server { return c.byRole("slave") }

func (c *Cluster) byRole(role string) []*Server {
	var out []*Server
	for _, s := range c.Nodes {
		if !s.alive() {
			continue
		}
		v, err := s.do("ROLE")
		if err != nil || v.Len() == 0 {
			continue
		}
		if v.Elems[0].Text() == role {
			out = append(out, s)
		}
	}
	return out
}

// NodeForSlot returns the node that serves slot, according to CLUSTER
// SLOTS asked of the first live node.
func (c *Cluster) NodeForSlot(slot int) (*Server, error) {
	var lastErr error = errors.New("no live node")
	for _, s := range c.Nodes {
		if !s.alive() {
			continue
		}
		v, err := s.do("CLUSTER", "SLOTS")
		if err != nil {
			lastErr = err
			continue
		}
		for _, r := range v.Elems {
			if r.Len() < 3 || int64(slot) < r.Elems[0].Int || int64(slot) > r.Elems[1].Int {
				continue
			}
			primary := r.Elems[2]
			if primary.Len() < 2 {
				break
			}
			port := primary.Elems[1].Int
			if n := c.byPort(port); n != nil {
				return n, nil
			}
			return nil, fmt.Errorf("redisproc: slot %d is served by unknown port %d", slot, port)
		}
		return nil, fmt.Errorf("redisproc: slot %d is not served according to %s\n%s", slot, s.Addr(), c.describe())
	}
	return nil, fmt.Errorf("redisproc: NodeForSlot(%d): %w", slot, lastErr)
}

// NodeForKey returns the node that serves key (see NodeForSlot).
func (c *Cluster) NodeForKey(key string) (*Server, error) {
	for _, s := range c.Nodes {
		if !s.alive() {
			continue
		}
		v, err := s.do("CLUSTER", "KEYSLOT", key)
		if err != nil {
			return nil, fmt.Errorf("redisproc: CLUSTER KEYSLOT %q: %w", key, err)
		}
		if v.Kind != resp.KindInt {
			return nil, fmt.Errorf("redisproc: CLUSTER KEYSLOT %q: %s %q", key, v.Kind, v.Str)
		}
		return c.NodeForSlot(int(v.Int))
	}
	return nil, fmt.Errorf("redisproc: NodeForKey(%q): no live node", key)
}
