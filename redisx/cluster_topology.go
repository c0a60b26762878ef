package redisx

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/redish/redish/resp"
)

// Node roles in a Topology.
const (
	RolePrimary = "primary"
	RoleReplica = "replica"
)

// SlotRange is a range of hash slots, both ends included.
type SlotRange struct {
	First, Last int
}

// Count returns the number of slots in the range.
func (r SlotRange) Count() int { return r.Last - r.First + 1 }

// String returns "first-last", or "first" for a range of one slot.
func (r SlotRange) String() string {
	if r.First == r.Last {
		return strconv.Itoa(r.First)
	}
	return strconv.Itoa(r.First) + "-" + strconv.Itoa(r.Last)
}

// ClusterNode is one node of a cluster as the topology describes it.
type ClusterNode struct {
	// ID is the node's 40-character cluster ID; empty for a node only known
	// from a MOVED redirect.
	ID string
	// Addr is the address redish dials: "host:port".
	Addr string
	// Aliases are the node's other addresses in the topology, never
	// dialed: its announced IP and hostname when Addr is another of its
	// names. They tell that two seeds are the same node.
	Aliases []string
	// Role is RolePrimary or RoleReplica.
	Role string
	// PrimaryID is the ID of a replica's primary.
	PrimaryID string
	// Health is the cluster's view of the node as CLUSTER SHARDS reports it:
	// "online", "loading", or "fail" (Redis 7.0; the documentation says
	// "failed"); empty when the topology came from CLUSTER SLOTS, which
	// does not say.
	Health string
	// ReplicationOffset is the node's replication offset (CLUSTER SHARDS).
	ReplicationOffset int64
	// Slots are the slot ranges a primary serves, sorted.
	Slots []SlotRange
}

// SlotCount returns the number of slots in n.Slots.
func (n *ClusterNode) SlotCount() int {
	total := 0
	for _, r := range n.Slots {
		total += r.Count()
	}
	return total
}

// Topology is the cluster's slot map and nodes, as read from one node with
// CLUSTER SHARDS (Redis 7.0 and later) or CLUSTER SLOTS.
type Topology struct {
	// Nodes are the primaries, sorted by their first slot (primaries
	// without slots last), each followed by its replicas sorted by
	// address.
	Nodes []ClusterNode
	// Source is the address of the node the topology was read from.
	Source string
	// Command is the command that read it: "CLUSTER SHARDS" or
	// "CLUSTER SLOTS".
	Command string

	// owner maps a slot to 1 + the index in Nodes of its primary; 0 means
	// the slot is not covered.
	owner [SlotCount]uint16
}

// Owner returns the primary serving slot, or nil when no node covers it.
func (t *Topology) Owner(slot int) *ClusterNode {
	if slot < 0 || slot >= SlotCount {
		return nil
	}
	i := t.owner[slot]
	if i == 0 {
		return nil
	}
	return &t.Nodes[i-1]
}

// Node returns the node at addr, or nil.
func (t *Topology) Node(addr string) *ClusterNode {
	for i := range t.Nodes {
		if t.Nodes[i].Addr == addr {
			return &t.Nodes[i]
		}
	}
	return nil
}

// Primaries returns the primaries, in Nodes order.
func (t *Topology) Primaries() []*ClusterNode { return t.byRole(RolePrimary) }

// Replicas returns the replicas, in Nodes order.
func (t *Topology) Replicas() []*ClusterNode { return t.byRole(RoleReplica) }

func (t *Topology) byRole(role string) []*ClusterNode {
	var out []*ClusterNode
	for i := range t.Nodes {
		if t.Nodes[i].Role == role {
			out = append(out, &t.Nodes[i])
		}
	}
	return out
}

// ReplicasOf returns the replicas of the primary p, in Nodes order.
func (t *Topology) ReplicasOf(p *ClusterNode) []*ClusterNode {
	var out []*ClusterNode
	if p.ID == "" {
		return nil
	}
	for i := range t.Nodes {
		if t.Nodes[i].Role == RoleReplica && t.Nodes[i].PrimaryID == p.ID {
			out = append(out, &t.Nodes[i])
		}
	}
	return out
}

// PrimaryOf returns the primary of the replica r, or nil.
func (t *Topology) PrimaryOf(r *ClusterNode) *ClusterNode {
	for i := range t.Nodes {
		if t.Nodes[i].Role == RolePrimary && r.PrimaryID != "" && t.Nodes[i].ID == r.PrimaryID {
			return &t.Nodes[i]
		}
	}
	return nil
}

// Uncovered returns the slot ranges no primary serves.
func (t *Topology) Uncovered() []SlotRange {
	var out []SlotRange
	for s := 0; s < SlotCount; s++ {
		if t.owner[s] != 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Last == s-1 {
			out[n-1].Last = s
			continue
		}
		out = append(out, SlotRange{s, s})
	}
	return out
}

// setOwner makes addr the owner of slot, adding addr as a primary when the
// topology does not know it. A MOVED redirect patches the map this way.
func (t *Topology) setOwner(slot int, addr string) {
	for i := range t.Nodes {
		if t.Nodes[i].Addr == addr {
			t.owner[slot] = uint16(i + 1)
			return
		}
	}
	t.Nodes = append(t.Nodes, ClusterNode{Addr: addr, Role: RolePrimary})
	t.owner[slot] = uint16(len(t.Nodes))
}

// index builds the slot map from the primaries' ranges.
func (t *Topology) index() {
	t.owner = [SlotCount]uint16{}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if n.Role != RolePrimary {
			continue
		}
		for _, r := range n.Slots {
			for s := max(r.First, 0); s <= r.Last && s < SlotCount; s++ {
				t.owner[s] = uint16(i + 1)
			}
		}
	}
}

// sortNodes puts primaries in slot order, each followed by its replicas.
func (t *Topology) sortNodes() {
	var primaries, replicas []ClusterNode
	for _, n := range t.Nodes {
		sort.Slice(n.Slots, func(i, j int) bool { return n.Slots[i].First < n.Slots[j].First })
		if n.Role == RolePrimary {
			primaries = append(primaries, n)
		} else {
			replicas = append(replicas, n)
		}
	}
	first := func(n *ClusterNode) int {
		if len(n.Slots) == 0 {
			return SlotCount
		}
		return n.Slots[0].First
	}
	sort.SliceStable(primaries, func(i, j int) bool {
		a, b := first(&primaries[i]), first(&primaries[j])
		if a != b {
			return a < b
		}
		return primaries[i].Addr < primaries[j].Addr
	})
	sort.SliceStable(replicas, func(i, j int) bool { return replicas[i].Addr < replicas[j].Addr })
	nodes := make([]ClusterNode, 0, len(t.Nodes))
	used := make([]bool, len(replicas))
	for _, p := range primaries {
		nodes = append(nodes, p)
		for i, r := range replicas {
			if !used[i] && p.ID != "" && r.PrimaryID == p.ID {
				nodes = append(nodes, r)
				used[i] = true
			}
		}
	}
	for i, r := range replicas {
		if !used[i] {
			nodes = append(nodes, r)
		}
	}
	t.Nodes = nodes
	t.index()
}

// parseShards builds a topology from a CLUSTER SHARDS reply, read from the
// node at source. tls selects the nodes' TLS ports.
func parseShards(v resp.Value, source string, tls bool) (*Topology, error) {
	if v.Kind != resp.KindArray {
		return nil, &resp.ProtocolError{Msg: "CLUSTER SHARDS: expected an array, got " + v.Kind.String()}
	}
	t := &Topology{Source: source, Command: "CLUSTER SHARDS"}
	for _, shard := range v.Elems {
		var slots []SlotRange
		var nodes []ClusterNode
		err := eachField(shard, func(key string, val resp.Value) error {
			switch key {
			case "slots":
				if len(val.Elems)%2 != 0 {
					return fmt.Errorf("odd number of slot bounds")
				}
				for i := 0; i < len(val.Elems); i += 2 {
					r, err := slotRange(val.Elems[i], val.Elems[i+1])
					if err != nil {
						return err
					}
					slots = append(slots, r)
				}
			case "nodes":
				for _, nv := range val.Elems {
					n, err := parseShardNode(nv, source, tls)
					if err != nil {
						return err
					}
					nodes = append(nodes, n)
				}
			}
			return nil
		})
		if err != nil {
			return nil, &resp.ProtocolError{Msg: "CLUSTER SHARDS: " + err.Error()}
		}
		primaryID := ""
		for _, n := range nodes {
			if n.Role == RolePrimary {
				primaryID = n.ID
			}
		}
		for _, n := range nodes {
			if n.Role == RolePrimary {
				n.Slots = slots
			} else {
				n.PrimaryID = primaryID
			}
			t.Nodes = append(t.Nodes, n)
		}
	}
	t.sortNodes()
	return t, nil
}

func parseShardNode(v resp.Value, source string, tls bool) (ClusterNode, error) {
	var n ClusterNode
	var ip, endpoint, hostname string
	var hasEndpoint bool
	var port, tlsPort int64
	err := eachField(v, func(key string, val resp.Value) error {
		switch key {
		case "id":
			n.ID = val.Text()
		case "ip":
			ip = val.Text()
		case "endpoint":
			endpoint, hasEndpoint = val.Text(), true
		case "hostname":
			hostname = val.Text()
		case "port":
			port = val.Int
		case "tls-port":
			tlsPort = val.Int
		case "role":
			n.Role = RoleReplica
			if val.Text() == "master" {
				n.Role = RolePrimary
			}
		case "health":
			n.Health = val.Text()
		case "replication-offset":
			n.ReplicationOffset = val.Int
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if tls && tlsPort != 0 {
		port = tlsPort
	}
	// An empty endpoint is the unknown endpoint: the node is reached at
	// the host the client used to reach the cluster, not at the IP it
	// announces (behind NAT or a load balancer that IP is unreachable).
	// "?" (a preferred hostname the node lacks) falls back to the IP.
	host := endpoint
	if !hasEndpoint || host == "?" {
		host = ip
		if host == "" {
			host = hostname
		}
	}
	n.Addr = nodeAddr(host, port, source)
	n.Aliases = aliases(n.Addr, port, ip, hostname)
	return n, nil
}

// aliases returns the addresses of the node at addr under its other
// names (IP, hostname), without addr itself or duplicates.
func aliases(addr string, port int64, names ...string) []string {
	var out []string
	for _, h := range names {
		if h == "" || h == "?" {
			continue
		}
		a := net.JoinHostPort(h, strconv.FormatInt(port, 10))
		if a != addr && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// eachField calls fn for each key/value pair of a map reply, or of the
// RESP2 form of a map: an array of alternating keys and values.
func eachField(v resp.Value, fn func(key string, val resp.Value) error) error {
	if v.Kind != resp.KindMap && v.Kind != resp.KindArray {
		return fmt.Errorf("expected a map, got %s", v.Kind)
	}
	if len(v.Elems)%2 != 0 {
		return fmt.Errorf("map with an odd number of elements")
	}
	for i := 0; i < len(v.Elems); i += 2 {
		if err := fn(v.Elems[i].Text(), v.Elems[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func slotRange(a, b resp.Value) (SlotRange, error) {
	if a.Kind != resp.KindInt || b.Kind != resp.KindInt || a.Int < 0 || b.Int >= SlotCount || a.Int > b.Int {
		return SlotRange{}, fmt.Errorf("bad slot range %s %s", a.Kind, b.Kind)
	}
	return SlotRange{int(a.Int), int(b.Int)}, nil
}

// parseSlots builds a topology from a CLUSTER SLOTS reply, read from the
// node at source. CLUSTER SLOTS lists each range with its primary and
// replicas; a primary serving several ranges appears once per range.
func parseSlots(v resp.Value, source string) (*Topology, error) {
	if v.Kind != resp.KindArray {
		return nil, &resp.ProtocolError{Msg: "CLUSTER SLOTS: expected an array, got " + v.Kind.String()}
	}
	t := &Topology{Source: source, Command: "CLUSTER SLOTS"}
	find := func(addr string) *ClusterNode {
		for i := range t.Nodes {
			if t.Nodes[i].Addr == addr {
				return &t.Nodes[i]
			}
		}
		return nil
	}
	for _, e := range v.Elems {
		if e.Kind != resp.KindArray || len(e.Elems) < 3 {
			return nil, &resp.ProtocolError{Msg: "CLUSTER SLOTS: malformed slot range"}
		}
		r, err := slotRange(e.Elems[0], e.Elems[1])
		if err != nil {
			return nil, &resp.ProtocolError{Msg: "CLUSTER SLOTS: " + err.Error()}
		}
		var primaryID string
		for j, nv := range e.Elems[2:] {
			if nv.Kind != resp.KindArray || len(nv.Elems) < 2 {
				return nil, &resp.ProtocolError{Msg: "CLUSTER SLOTS: malformed node"}
			}
			addr := nodeAddr(nv.Elems[0].Text(), nv.Elems[1].Int, source)
			id := ""
			if len(nv.Elems) > 2 {
				id = nv.Elems[2].Text()
			}
			// Redis 7 adds the names the endpoint is not: ip, hostname.
			var names []string
			if len(nv.Elems) > 3 {
				_ = eachField(nv.Elems[3], func(key string, val resp.Value) error {
					if key == "ip" || key == "hostname" {
						names = append(names, val.Text())
					}
					return nil
				})
			}
			alias := aliases(addr, nv.Elems[1].Int, names...)
			if j == 0 {
				primaryID = id
				if n := find(addr); n != nil {
					n.Slots = append(n.Slots, r)
					continue
				}
				t.Nodes = append(t.Nodes, ClusterNode{ID: id, Addr: addr, Aliases: alias, Role: RolePrimary, Slots: []SlotRange{r}})
				continue
			}
			if find(addr) == nil {
				t.Nodes = append(t.Nodes, ClusterNode{ID: id, Addr: addr, Aliases: alias, Role: RoleReplica, PrimaryID: primaryID})
			}
		}
	}
	t.sortNodes()
	return t, nil
}

// nodeAddr joins host and port. An empty host, or "?" (the server does not
// know its own address), means the host of the node that answered, as
// the Redis cluster specification says.
func nodeAddr(host string, port int64, source string) string {
	if host == "" || host == "?" {
		host, _, _ = net.SplitHostPort(source)
	}
	return net.JoinHostPort(host, strconv.FormatInt(port, 10))
}

// parseRedirect parses the text of a MOVED or ASK error reply:
// "MOVED 3999 127.0.0.1:6381". An empty host means the host of the node
// that sent the redirect.
func parseRedirect(msg, from string) (kind string, slot int, addr string, ok bool) {
	f := strings.Fields(msg)
	if len(f) != 3 || (f[0] != "MOVED" && f[0] != "ASK") {
		return "", 0, "", false
	}
	slot, err := strconv.Atoi(f[1])
	if err != nil || slot < 0 || slot >= SlotCount {
		return "", 0, "", false
	}
	host, port, err := net.SplitHostPort(f[2])
	if err != nil {
		return "", 0, "", false
	}
	p, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		return "", 0, "", false
	}
	return f[0], slot, nodeAddr(host, p, from), true
}
