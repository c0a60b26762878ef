package redisx

import "slices"

// A node can be known by several names: the seed the user gave
// ("redis-1.example:7000"), the address the topology lists
// ("10.0.0.5:7000"), the IP or hostname it announces besides its
// endpoint. A node that fails is demoted, and marked down, under all of
// them, so that a refresh does not spend its attempts on the same dead
// node under another name.

// learnRemote records the address a connection to addr reached, when it
// is another name of the node (a hostname seed and its IP).
func (c *ClusterClient) learnRemote(addr string, conn *Conn) {
	nc := conn.NetConn()
	if nc == nil || nc.RemoteAddr() == nil {
		return
	}
	remote, err := normalizeAddr(nc.RemoteAddr().String())
	if err != nil || remote == addr {
		return
	}
	if c.remote == nil {
		c.remote = make(map[string]string)
	}
	c.remote[addr] = remote
}

// names returns addr and every other name the client knows the same node
// by, from the topology's aliases and the addresses connections reached.
func (c *ClusterClient) names(addr string) []string {
	out := []string{addr}
	add := func(names ...string) {
		for _, a := range names {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	for {
		n := len(out)
		for name, remote := range c.remote {
			if slices.Contains(out, name) || slices.Contains(out, remote) {
				add(name, remote)
			}
		}
		if c.topo != nil {
			for i := range c.topo.Nodes {
				node := &c.topo.Nodes[i]
				if slices.Contains(out, node.Addr) || slices.ContainsFunc(node.Aliases, func(a string) bool { return slices.Contains(out, a) }) {
					add(node.Addr)
					add(node.Aliases...)
				}
			}
		}
		if len(out) == n {
			return out
		}
	}
}
