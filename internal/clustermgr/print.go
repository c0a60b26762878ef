package clustermgr

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// flagString is n's flags without "myself", comma-separated.
func (n *node) flagString() string {
	var out []string
	for _, f := range n.flags {
		if f != "myself" {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// slotRanges returns the ranges of slots set in slots, in order.
func slotRanges(slots *[redisx.SlotCount]bool) []redisx.SlotRange {
	var out []redisx.SlotRange
	start := -1
	for i := 0; i <= redisx.SlotCount; i++ {
		on := i < redisx.SlotCount && slots[i]
		switch {
		case on && start < 0:
			start = i
		case !on && start >= 0:
			out = append(out, redisx.SlotRange{First: start, Last: i - 1})
			start = -1
		}
	}
	return out
}

// slotsString writes slot ranges as redis-cli does: "[0-5460],[5462]".
func slotsString(slots *[redisx.SlotCount]bool) string {
	var b strings.Builder
	for i, r := range slotRanges(slots) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(r.First))
		if r.Last != r.First {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r.Last))
		}
		b.WriteByte(']')
	}
	return b.String()
}

// info describes n as check and reshard list nodes:
//
//	M: 07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004
//	   slots:[0-5460] (5461 slots) master
//	   1 additional replica(s)
func (n *node) info(indent int) string {
	sp := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString(sp)
	if n.dirty && n.replicate != "" {
		fmt.Fprintf(&b, "S: %s %s", n.name, n.addr())
	} else {
		role := "M"
		if n.replica {
			role = "S"
		}
		fmt.Fprintf(&b, "%s: %s %s\n%s   slots:%s (%d slots) %s", role, n.name, n.addr(), sp, slotsString(&n.slots), n.slotsCount, n.flagString())
	}
	if n.replicate != "" {
		fmt.Fprintf(&b, "\n%s   replicates %s", sp, n.replicate)
	} else if n.replicasCount > 0 {
		fmt.Fprintf(&b, "\n%s   %d additional replica(s)", sp, n.replicasCount)
	}
	return b.String()
}

func (m *manager) showNodes() {
	for _, n := range m.nodes {
		m.printf("%s\n", n.info(0))
	}
}

// primaryStat is one line of info: a primary, its keys and replicas.
type primaryStat struct {
	n        *node
	keys     int
	replicas int
}

// clusterStats counts the keys of every primary (DBSIZE) and its
// replicas, passing each primary to each as it is counted. A primary that
// cannot answer is printed and ends the count with errReported.
func (m *manager) clusterStats(ctx context.Context, each func(primaryStat)) ([]primaryStat, error) {
	var out []primaryStat
	for _, n := range m.nodes {
		if n.replica || n.name == "" {
			continue
		}
		replicas := 0
		for _, r := range m.nodes {
			if r != n && r.replica && r.replicate == n.name {
				replicas++
			}
		}
		v, err := m.cmd(ctx, n, redo, "DBSIZE")
		if err != nil {
			return out, err
		}
		if v.Kind != resp.KindInt {
			msg := ""
			if v.Kind == resp.KindError {
				msg = v.Text()
			}
			m.replyError(n, msg)
			return out, errReported
		}
		s := primaryStat{n: n, keys: int(v.Int), replicas: replicas}
		if each != nil {
			each(s)
		}
		out = append(out, s)
	}
	return out, nil
}

// showClusterInfo prints what info prints: a line per primary and the
// totals. A primary that fails DBSIZE stops the list, and, as in
// redis-cli, not the subcommand.
func (m *manager) showClusterInfo(ctx context.Context) error {
	stats, err := m.clusterStats(ctx, func(s primaryStat) {
		m.printf("%s (%s...) -> %d keys | %d slots | %d slaves.\n", s.n.addr(), s.n.shortName(), s.keys, s.n.slotsCount, s.replicas)
	})
	if err == errReported {
		return nil
	}
	if err != nil {
		return err
	}
	keys := 0
	for _, s := range stats {
		keys += s.keys
	}
	m.logf(lvlOK, "[OK] %d keys in %d masters.\n", keys, len(stats))
	// A float division, as redis-cli's, so the rounding is the same.
	m.printf("%.2f keys per slot on average.\n", float32(keys)/float32(redisx.SlotCount))
	return nil
}
