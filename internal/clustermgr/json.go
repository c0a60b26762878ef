package clustermgr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Report is the document --json prints for info and check: the nodes as
// the manager loaded them, the keys of each primary, and for check what
// the check found. Field names are stable: scripts read them.
type Report struct {
	Nodes []ReportNode `json:"nodes"`
	// Keys is the sum of the primaries' keys, Primaries their count.
	Keys        int     `json:"keys"`
	Primaries   int     `json:"primaries"`
	KeysPerSlot float64 `json:"keys_per_slot"`
	// Unreachable counts the primaries the first node knows but that could
	// not be reached (or that it flags failing); they are not in Nodes.
	Unreachable int          `json:"unreachable_primaries"`
	Check       *ReportCheck `json:"check,omitempty"`
}

// ReportNode is one node of a Report.
type ReportNode struct {
	ID   string `json:"id"`
	Addr string `json:"addr"`
	Host string `json:"host"`
	Port int    `json:"port"`
	// Role is "primary" or "replica"; Primary the ID of a replica's
	// primary.
	Role    string   `json:"role"`
	Primary string   `json:"primary,omitempty"`
	Flags   []string `json:"flags"`
	// Slots are [first, last] ranges.
	Slots       [][2]int `json:"slots"`
	SlotsCount  int      `json:"slots_count"`
	Replicas    int      `json:"replicas"`
	ConfigEpoch uint64   `json:"config_epoch"`
	// Keys is DBSIZE, for primaries.
	Keys *int `json:"keys,omitempty"`
	// Migrating and Importing map open slots to the node on the other
	// side.
	Migrating map[string]string `json:"migrating,omitempty"`
	Importing map[string]string `json:"importing,omitempty"`
}

// ReportCheck is what check found.
type ReportCheck struct {
	// OK is check's verdict, the exit status 0.
	OK bool `json:"ok"`
	// Consistent says every node has the same slot map.
	Consistent bool `json:"consistent"`
	// OpenSlots are slots some node has migrating or importing.
	OpenSlots []int `json:"open_slots"`
	// Uncovered are the [first, last] ranges no node serves.
	Uncovered [][2]int `json:"uncovered_slots"`
	// MultipleOwners maps a slot to the primaries that claim it (only
	// with --cluster-search-multiple-owners).
	MultipleOwners map[string][]string `json:"multiple_owners,omitempty"`
	// Errors are the problems as check words them.
	Errors []string `json:"errors"`
}

// infoJSON is info --json.
func (m *manager) infoJSON(ctx context.Context, args []string) (bool, error) {
	rep, ok, err := m.report(ctx, args)
	if err != nil || !ok {
		return false, err
	}
	return true, m.writeJSON(rep)
}

// checkJSON is check --json: exit status as check's, one document.
func (m *manager) checkJSON(ctx context.Context, args []string) (bool, error) {
	rep, ok, err := m.report(ctx, args)
	if err != nil || !ok {
		return false, err
	}
	out := m.out
	m.out = &bytes.Buffer{}
	healthy, found, err := m.checkCluster(ctx, true, false)
	m.out = out
	if err != nil && !errors.Is(err, errReported) {
		return false, err
	}
	c := &ReportCheck{OK: healthy, Consistent: found.Consistent, OpenSlots: found.Open, Errors: []string{}}
	if c.OpenSlots == nil {
		c.OpenSlots = []int{}
	}
	for _, e := range m.errors {
		c.Errors = append(c.Errors, strings.TrimSpace(e))
	}
	c.Uncovered = ranges(found)
	for slot, owners := range found.Owners {
		if c.MultipleOwners == nil {
			c.MultipleOwners = map[string][]string{}
		}
		c.MultipleOwners[strconv.Itoa(slot)] = owners
	}
	rep.Check = c
	if err := m.writeJSON(rep); err != nil {
		return false, err
	}
	return healthy, nil
}

func ranges(c *checkReport) [][2]int {
	out := [][2]int{}
	for _, r := range c.Uncovered {
		out = append(out, [2]int{r.First, r.Last})
	}
	return out
}

// report loads the cluster and counts its keys. What the manager would
// print on the way goes to stderr: stdout holds only the document.
func (m *manager) report(ctx context.Context, args []string) (*Report, bool, error) {
	out, color := m.out, m.color
	var human bytes.Buffer
	m.out, m.color = &human, false
	defer func() {
		m.out, m.color = out, color
		m.errOut.Write(human.Bytes())
	}()
	ok, err := m.loadFromArgs(ctx, args)
	if err != nil || !ok {
		return nil, false, err
	}
	stats, err := m.clusterStats(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	keys := map[*node]int{}
	total := 0
	for _, s := range stats {
		keys[s.n] = s.keys
		total += s.keys
	}
	rep := &Report{Nodes: []ReportNode{}, Keys: total, Primaries: len(stats), Unreachable: m.unreachablePrimaries}
	rep.KeysPerSlot = float64(total) / 16384
	for _, n := range m.nodes {
		rn := ReportNode{
			ID: n.name, Addr: n.addr(), Host: n.host, Port: n.port, Role: "primary",
			Primary: n.replicate, Flags: slices.DeleteFunc(slices.Clone(n.flags), func(f string) bool { return f == "myself" }),
			Slots: [][2]int{}, SlotsCount: n.slotsCount, Replicas: n.replicasCount, ConfigEpoch: n.configEpoch,
		}
		if rn.Flags == nil {
			rn.Flags = []string{}
		}
		if n.replica {
			rn.Role = "replica"
		}
		if k, ok := keys[n]; ok {
			rn.Keys = &k
		}
		for _, r := range slotRanges(&n.slots) {
			rn.Slots = append(rn.Slots, [2]int{r.First, r.Last})
		}
		for _, o := range n.migrating {
			if rn.Migrating == nil {
				rn.Migrating = map[string]string{}
			}
			rn.Migrating[o.Slot] = o.Peer
		}
		for _, o := range n.importing {
			if rn.Importing == nil {
				rn.Importing = map[string]string{}
			}
			rn.Importing[o.Slot] = o.Peer
		}
		rep.Nodes = append(rep.Nodes, rn)
	}
	return rep, true, nil
}

func (m *manager) writeJSON(rep *Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = m.out.Write(b)
	return err
}
