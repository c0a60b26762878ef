package clustermgr

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"
)

// busPortIncr is the default distance from a node's port to its cluster
// bus port, which CLUSTER MEET assumes when it is not given one.
const busPortIncr = 10000

// openSlot is a slot a node has in migrating or importing state, with the
// ID of the node on the other side of the move. Slot is kept as the node
// wrote it, as redis-cli keeps it, so that messages quote it unchanged.
type openSlot struct {
	Slot string
	Peer string
}

// node is one cluster node as the manager knows it: what its CLUSTER NODES
// line says, plus the manager's own plans for it (dirty, weight, balance)
// and its session.
type node struct {
	host    string
	port    int
	busPort int

	name      string
	flags     []string // as CLUSTER NODES lists them, "myself" included
	replicate string   // the primary's ID, for a replica
	replica   bool     // has the "slave" flag
	myself    bool
	noaddr    bool
	disconn   bool
	failed    bool

	slots      [redisx.SlotCount]bool
	slotsCount int
	migrating  []openSlot
	importing  []openSlot

	configEpoch uint64
	pingSent    int64
	pingRecv    int64

	replicasCount int
	weight        float32
	balance       int
	// dirty marks a node whose planned configuration (slots or primary)
	// has not been sent to it yet (create).
	dirty bool

	sess *session
}

func newNode(host string, port, busPort int) *node {
	if busPort == 0 {
		busPort = port + busPortIncr
	}
	return &node{host: host, port: port, busPort: busPort, weight: 1}
}

// addr returns "host:port" as redis-cli writes it in messages: without
// brackets, even for IPv6.
func (n *node) addr() string { return n.host + ":" + strconv.Itoa(n.port) }

// isPrimary reports whether n is a primary: redis-cli tells them by the
// "slave" flag only.
func (n *node) isPrimary() bool { return !n.replica }

// shortName is the first 8 characters of the node ID.
func (n *node) shortName() string {
	if len(n.name) > 8 {
		return n.name[:8]
	}
	return n.name
}

func (n *node) resetSlots() {
	n.slots = [redisx.SlotCount]bool{}
	n.slotsCount = 0
}

func (n *node) setSlot(slot int, owned bool) {
	if n.slots[slot] == owned {
		return
	}
	n.slots[slot] = owned
	if owned {
		n.slotsCount++
	} else {
		n.slotsCount--
	}
}

// migratingPeer returns the node ID slot is migrating to, or "".
func (n *node) migratingPeer(slot int) string {
	for _, o := range n.migrating {
		if atoi(o.Slot) == slot {
			return o.Peer
		}
	}
	return ""
}

func (n *node) isMigrating(slot int) bool { return n.migratingPeer(slot) != "" }

func (n *node) isImporting(slot int) bool {
	for _, o := range n.importing {
		if atoi(o.Slot) == slot {
			return true
		}
	}
	return false
}

// atoi is C's atoi: the leading digits, 0 when there are none.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

// nodeLine is one line of CLUSTER NODES.
type nodeLine struct {
	name, addr, flags, master string
	pingSent, pingRecv, epoch string
	link                      string
	host                      string
	port, busPort             int
	slots                     []string // the slot fields, as written
	hasSlots                  bool     // the line had more than 8 fields
	myself                    bool
}

// errBadNodes is the failure to understand a CLUSTER NODES reply.
var errBadNodes = errors.New("invalid CLUSTER NODES reply")

// parseAddr splits a CLUSTER NODES address, "ip:port@cport[,hostname]",
// or a command-line address "host:port", as redis-cli does: the port is
// after the last colon, the bus port after the last "@". An IPv6
// address may also be written in brackets, "[::1]:7000", as URLs and
// most tools write it (redis-cli takes the brackets for part of the
// name).
func parseAddr(addr string) (host string, port, busPort int, ok bool) {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		busPort = atoi(addr[at+1:])
		addr = addr[:at]
	}
	colon := strings.LastIndexByte(addr, ':')
	if colon < 0 {
		return "", 0, 0, false
	}
	host = addr[:colon]
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host, atoi(addr[colon+1:]), busPort, true
}

// parseNodes splits a CLUSTER NODES reply into lines.
func parseNodes(text string) ([]nodeLine, error) {
	var out []nodeLine
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) < 3 {
			return nil, errBadNodes
		}
		l := nodeLine{name: f[0], addr: f[1], flags: f[2]}
		get := func(i int) string {
			if i < len(f) {
				return f[i]
			}
			return ""
		}
		l.master, l.pingSent, l.pingRecv, l.epoch, l.link = get(3), get(4), get(5), get(6), get(7)
		if len(f) > 8 {
			l.hasSlots = true
			for _, s := range f[8:] {
				if s != "" {
					l.slots = append(l.slots, s)
				}
			}
		}
		var ok bool
		l.host, l.port, l.busPort, ok = parseAddr(l.addr)
		if !ok {
			return nil, errBadNodes
		}
		l.myself = strings.Contains(l.flags, "myself")
		out = append(out, l)
	}
	return out, nil
}

// apply sets n's cluster state from its line. Slots are read only for
// the node's own line (withSlots), as redis-cli reads them: each node is
// the authority on what it serves.
func (n *node) apply(l nodeLine, withSlots bool) {
	if withSlots {
		n.resetSlots()
		n.migrating, n.importing = nil, nil
		for _, s := range l.slots {
			n.applySlotField(s)
		}
		n.dirty = false
	}
	n.name = l.name
	// The states add up, as redis-cli's flag bits do: a node the first
	// node sees failing stays failing when its own line says nothing.
	n.flags = nil
	for _, f := range strings.Split(l.flags, ",") {
		if f == "" {
			continue
		}
		n.flags = append(n.flags, f)
		switch f {
		case "noaddr":
			n.noaddr = true
		case "disconnected":
			n.disconn = true
		case "fail":
			n.failed = true
		case "slave":
			n.replica = true
			n.replicate = l.master
		case "myself":
			n.myself = true
		}
	}
	n.configEpoch, _ = strconv.ParseUint(l.epoch, 10, 64)
	n.pingSent, _ = strconv.ParseInt(l.pingSent, 10, 64)
	n.pingRecv, _ = strconv.ParseInt(l.pingRecv, 10, 64)
}

// applySlotField reads one slot field of CLUSTER NODES: "N", "A-B",
// "[N->-ID]" (migrating to ID) or "[N-<-ID]" (importing from ID).
func (n *node) applySlotField(s string) {
	if strings.HasPrefix(s, "[") {
		s = strings.TrimSuffix(s[1:], "]")
		if slot, peer, ok := strings.Cut(s, "->-"); ok {
			n.migrating = append(n.migrating, openSlot{slot, peer})
		} else if slot, peer, ok := strings.Cut(s, "-<-"); ok {
			n.importing = append(n.importing, openSlot{slot, peer})
		}
		return
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		start, stop := atoi(a), atoi(b)
		for i := max(start, 0); i <= stop && i < redisx.SlotCount; i++ {
			n.setSlot(i, true)
		}
		return
	}
	if slot := atoi(s); slot >= 0 && slot < redisx.SlotCount {
		n.setSlot(slot, true)
	}
}

// hostPort parses the address arguments of a subcommand: "host:port" in
// one argument, or host and port in two, as redis-cli accepts them.
func hostPort(args []string) (host string, port int, ok bool) {
	switch len(args) {
	case 0:
		return "", 0, false
	case 1:
		host, port, _, ok = parseAddr(args[0])
		if !ok {
			return "", 0, false
		}
	default:
		host, port = args[0], atoi(args[1])
	}
	if host == "" || port == 0 {
		return "", 0, false
	}
	return host, port, true
}

// joinHostPort is the address to dial for host and port, with brackets
// for IPv6.
func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func (n *node) String() string { return fmt.Sprintf("%s (%s)", n.addr(), n.shortName()) }
