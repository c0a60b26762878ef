package clustermgr

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"
)

// errNoAnswer stops a run whose prompt met the end of its input: redis-cli
// asks again forever.
var errNoAnswer = errors.New("no answer: the input ended")

// reshardItem is one slot of a resharding plan and the node it leaves.
type reshardItem struct {
	src  *node
	slot int
}

// reshardTable plans which slots leave sources to make numslots: each
// source gives in proportion to the slots it has (the largest rounding
// up, the others down), its lowest slots first.
func reshardTable(sources []*node, numslots int) []reshardItem {
	total := 0
	for _, n := range sources {
		total += n.slotsCount
	}
	sorted := slices.Clone(sources)
	slices.SortStableFunc(sorted, func(a, b *node) int { return b.slotsCount - a.slotsCount })
	var out []reshardItem
	for i, n := range sorted {
		// Single precision, as redis-cli computes it.
		share := float32(numslots) / float32(total) * float32(n.slotsCount)
		var limit int
		if i == 0 {
			limit = int(math.Ceil(float64(share)))
		} else {
			limit = int(math.Floor(float64(share)))
		}
		count := 0
		for s, on := range n.slots {
			if !on {
				continue
			}
			if count >= limit || len(out) >= numslots {
				break
			}
			out = append(out, reshardItem{n, s})
			count++
		}
	}
	return out
}

// reshardNode returns the primary called id for a reshard, or nil after
// saying why; fatal is set when the run must stop (an unknown node or a
// replica), not when the user named the target as a source.
func (m *manager) reshardNode(id string, target *node) (n *node, fatal bool) {
	n = m.byName(id)
	if n == nil || n.replica {
		m.logf(lvlErr, "*** The specified node (%s) is not known or not a master, please retry.\n", id)
		return nil, true
	}
	if target != nil && n.name == target.name {
		m.logf(lvlErr, "*** It is not possible to use the target node as source node.\n")
		return nil, false
	}
	return n, false
}

// ask prints question and returns the answer, or errNoAnswer at the end
// of the input.
func (m *manager) ask(ctx context.Context, question string) (string, error) {
	m.printf("%s", question)
	line, err := m.readLine(ctx)
	if err == io.EOF {
		m.printf("\n")
		m.errorf("*** %v\n", errNoAnswer)
		return "", errReported
	}
	return line, err
}

// reshard is --cluster reshard: move a number of slots, with their keys,
// from some primaries to one.
func (m *manager) reshard(ctx context.Context, args []string) (bool, error) {
	ok, err := m.loadFromArgs(ctx, args)
	if err != nil || !ok {
		return false, err
	}
	if _, _, err := m.checkCluster(ctx, false, false); err != nil {
		return m.okOrReported(err)
	}
	if len(m.errors) > 0 {
		m.errorf("*** Please fix your cluster problems before resharding\n")
		return false, nil
	}
	slots := m.opts.Slots
	for slots <= 0 || slots > redisx.SlotCount {
		a, err := m.ask(ctx, "How many slots do you want to move (from 1 to 16384)? ")
		if err != nil {
			return m.okOrReported(err)
		}
		slots = atoi(a)
	}
	to := m.opts.To
	for !m.opts.ToSet && to == "" {
		if to, err = m.ask(ctx, "What is the receiving node ID? "); err != nil {
			return m.okOrReported(err)
		}
	}
	target, _ := m.reshardNode(to, nil)
	if target == nil {
		return false, nil
	}
	var sources []*node
	all := false
	if !m.opts.FromSet {
		m.printf("Please enter all the source node IDs.\n")
		m.printf("  Type 'all' to use all the nodes as source nodes for the hash slots.\n")
		m.printf("  Type 'done' once you entered all the source nodes IDs.\n")
		for {
			a, err := m.ask(ctx, "Source node #"+strconv.Itoa(len(sources)+1)+": ")
			if err != nil {
				return m.okOrReported(err)
			}
			if a == "done" {
				break
			}
			if a == "all" {
				all = true
				break
			}
			src, fatal := m.reshardNode(a, target)
			if fatal {
				return false, nil
			}
			if src != nil && !slices.Contains(sources, src) {
				// A source named twice gives its share once.
				sources = append(sources, src)
			}
		}
	} else {
		ids := strings.Split(m.opts.From, ",")
		if last := len(ids) - 1; ids[last] == "" {
			ids = ids[:last]
		}
		for _, id := range ids {
			if id == "all" {
				all = true
				break
			}
			src, fatal := m.reshardNode(id, target)
			if fatal {
				return false, nil
			}
			if src != nil && !slices.Contains(sources, src) {
				// A source named twice gives its share once.
				sources = append(sources, src)
			}
		}
	}
	if all {
		sources = nil
		for _, n := range m.nodes {
			if n.replica || n.replicate != "" || n.name == target.name {
				continue
			}
			sources = append(sources, n)
		}
	}
	if len(sources) == 0 {
		m.errorf("*** No source nodes given, operation aborted.\n")
		return false, nil
	}
	m.printf("\nReady to move %d slots.\n", slots)
	m.printf("  Source nodes:\n")
	for _, n := range sources {
		m.printf("%s\n", n.info(4))
	}
	m.printf("  Destination node:\n")
	m.printf("%s\n", target.info(4))
	table := reshardTable(sources, slots)
	m.printf("  Resharding plan:\n")
	for _, it := range table {
		m.printf("    Moving slot %d from %s\n", it.slot, it.src.name)
	}
	if !m.opts.Yes {
		m.printf("Do you want to proceed with the proposed reshard plan (yes/no)? ")
		a, err := m.readLine(ctx)
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil || !strings.HasPrefix(a, "yes") {
			return false, nil
		}
	}
	for _, it := range table {
		ok, msg, err := m.moveSlot(ctx, it.src, target, it.slot, moveOpts{dots: true, capture: true})
		if err != nil {
			return false, err
		}
		if !ok {
			if msg != "" {
				m.logf(lvlErr, "clusterManagerMoveSlot failed: %s\n", msg)
			}
			return false, nil
		}
	}
	return true, nil
}

// rebalance is --cluster rebalance: move slots until every primary has a
// share in proportion to its weight.
func (m *manager) rebalance(ctx context.Context, args []string) (bool, error) {
	ok, err := m.loadFromArgs(ctx, args)
	if err != nil || !ok {
		return false, err
	}
	for _, w := range m.opts.Weights {
		name, value, ok := strings.Cut(w, "=")
		if !ok {
			m.logf(lvlErr, "*** invalid input %s\n", w)
			return false, nil
		}
		n, many := m.primaryByPrefix(name)
		if many {
			m.logf(lvlErr, "*** More than one master node ID starts with %s: give more of the ID\n", name)
			return false, nil
		}
		if n == nil {
			m.logf(lvlErr, "*** No such master node %s\n", name)
			return false, nil
		}
		// The whole value: redis-cli's atof reads "2,9c81=3" as 2 and
		// drops the rest without a word.
		weight, err := strconv.ParseFloat(value, 32)
		if err != nil || weight < 0 || math.IsInf(weight, 0) || math.IsNaN(weight) {
			m.logf(lvlErr, "*** Invalid weight %s for node %s: give a number, 0 or more\n", value, name)
			return false, nil
		}
		n.weight = float32(weight)
	}
	var total float32
	var involved []*node
	for _, n := range m.nodes {
		if n.replica || n.replicate != "" {
			continue
		}
		if !m.opts.UseEmpty && n.slotsCount == 0 {
			n.weight = 0
			continue
		}
		total += n.weight
		involved = append(involved, n)
	}
	if _, _, err := m.checkCluster(ctx, true, false); err != nil {
		return m.okOrReported(err)
	}
	if len(m.errors) > 0 {
		m.logf(lvlErr, "*** Please fix your cluster problems before rebalancing\n")
		return false, nil
	}
	if total <= 0 {
		// Every share would be infinite: redis-cli goes on and stops at
		// an assertion, after a line about moving billions of slots.
		m.logf(lvlErr, "*** The weights of the primaries add up to 0: give at least one a weight above 0\n")
		return false, nil
	}
	threshold := float32(m.opts.Threshold)
	reached := false
	totalBalance := 0
	for _, n := range involved {
		expected := int(float32(redisx.SlotCount) / total * n.weight)
		n.balance = n.slotsCount - expected
		totalBalance += n.balance
		// How far the node is from its share, in percent.
		if threshold > 0 {
			if n.slotsCount > 0 {
				off := math.Abs(100 - 100.0*float64(expected)/float64(n.slotsCount))
				if off > float64(threshold) {
					reached = true
				}
			} else if expected > 1 {
				reached = true
			}
		}
	}
	if !reached {
		m.logf(lvlWarn, "*** No rebalancing needed! All nodes are within the %.2f%% threshold.\n", threshold)
		return true, nil
	}
	// Rounding can leave more slots to give than to take: the receivers
	// take one more each until it adds up.
	for totalBalance > 0 {
		for _, n := range involved {
			if n.balance <= 0 && totalBalance > 0 {
				n.balance--
				totalBalance--
			}
		}
	}
	sorted := slices.Clone(involved)
	slices.SortStableFunc(sorted, func(a, b *node) int { return a.balance - b.balance })
	m.logf(lvlInfo, ">>> Rebalancing across %d nodes. Total weight = %.2f\n", len(involved), total)
	if m.opts.Verbose {
		for _, n := range sorted {
			m.printf("%s balance is %d slots\n", n.addr(), n.balance)
		}
	}
	// Receivers are at the start, givers at the end: pair them from both
	// ends until they meet.
	dstIdx, srcIdx := 0, len(sorted)-1
	for dstIdx < srcIdx {
		dst, src := sorted[dstIdx], sorted[srcIdx]
		numslots := min(abs(dst.balance), abs(src.balance))
		if numslots > 0 {
			m.printf("Moving %d slots from %s to %s\n", numslots, src.addr(), dst.addr())
			table := reshardTable([]*node{src}, numslots)
			if len(table) != numslots {
				m.logf(lvlErr, "*** Assertion failed: Reshard table != number of slots")
				return false, nil
			}
			if m.opts.Simulate {
				m.printf("%s", strings.Repeat("#", len(table)))
			} else {
				for _, it := range table {
					ok, msg, err := m.moveSlot(ctx, it.src, dst, it.slot, moveOpts{quiet: true, update: true, capture: true})
					if err != nil {
						return false, err
					}
					if !ok {
						m.logf(lvlErr, "*** clusterManagerMoveSlot: %s\n", msg)
						return false, nil
					}
					m.printf("#")
				}
			}
			m.printf("\n")
		}
		dst.balance += numslots
		src.balance -= numslots
		if dst.balance == 0 {
			dstIdx++
		}
		if src.balance == 0 {
			srcIdx--
		}
	}
	return true, nil
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
