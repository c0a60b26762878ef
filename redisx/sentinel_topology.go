package redisx

import (
	"context"
	"errors"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/resp"
)

// SentinelTopology is what the sentinels see of one primary: the primary,
// its replicas, the sentinels themselves and the last failover. Source
// is the sentinel whose lists (replicas, other sentinels, flags) are
// shown; every sentinel is asked for the primary's address, so that
// Agrees tells which ones name the same.
type SentinelTopology struct {
	MasterName string
	// Source is the sentinel the lists come from: the first one that
	// answered SENTINEL MASTER.
	Source       string
	Primary      SentinelPrimaryView
	Replicas     []SentinelReplicaView
	Sentinels    []SentinelView
	LastFailover SentinelFailover
}

// SentinelPrimaryView is the primary as the source sentinel sees it, and
// as it answers itself.
type SentinelPrimaryView struct {
	// Addr is the address most sentinels name.
	Addr string
	// Flags are the source sentinel's flags for it: "master", and
	// "s_down", "o_down", "failover_in_progress", ... when they apply.
	Flags []string
	// Quorum is the source sentinel's quorum for it.
	Quorum int
	// Role is what the primary says it is (ROLE): "master", or what it
	// became; "" when it could not be asked (Err).
	Role string
	// Offset is its replication offset (INFO replication), -1 when
	// unknown.
	Offset int64
	// Err says why the primary could not be asked.
	Err error
}

// SentinelReplicaView is one replica: what the source sentinel says of it,
// and its lag as the primary reports it.
type SentinelReplicaView struct {
	Addr  string
	Flags []string
	// Link is the replica's link to the primary as the sentinel last
	// read it (master-link-status: "ok" or "err"; refreshed every ten
	// seconds), with how long it has been down.
	Link     string
	LinkDown time.Duration
	// Offset is the replica's replication offset: as the primary last
	// heard it, or as the sentinel last read it when the primary could
	// not be asked; -1 when unknown.
	Offset int64
	// LagBytes is how far the replica is behind the primary (the
	// primary's offset minus the replica's), -1 when unknown.
	LagBytes int64
	// LagSeconds is the time since the replica last acknowledged the
	// stream, as the primary reports it (lag=), -1 when unknown.
	LagSeconds int64
	// Priority is replica-priority (0: never promoted).
	Priority int
	// Usable is true when reads may go to it (see SentinelReplica.Usable).
	Usable bool
}

// SentinelView is one sentinel: how it answered, and how the source
// sentinel sees it.
type SentinelView struct {
	Addr string
	// ID is its run id, "" when unknown.
	ID string
	// Given is true for an address the caller gave; the others were
	// found in the source's list of sentinels.
	Given bool
	// Err says why it could not be asked; the fields below are then
	// empty.
	Err error
	// Primary is the address it names for the primary.
	Primary string
	// Agrees is true when Primary is the address most sentinels name.
	Agrees bool
	// Quorum and ConfigEpoch are its settings for the primary.
	Quorum      int
	ConfigEpoch int64
	// CkQuorum is its answer to SENTINEL CKQUORUM: "OK 3 usable
	// Sentinels. ..." or the error.
	CkQuorum string
	// Flags are the source sentinel's flags for it ("sentinel",
	// "s_down", ...); "self" for the source itself.
	Flags []string
}

// SentinelFailover says when the primary last changed.
type SentinelFailover struct {
	// Epoch is the configuration epoch of the primary: 0 when no failover
	// has happened since the sentinels started watching it.
	Epoch int64
	// Since is how long the source sentinel has seen the primary as
	// primary: since the last failover, when Epoch is above 0.
	Since time.Duration
	// InProgress is true while a failover runs; State says which step.
	InProgress bool
	State      string
}

// Topology asks the sentinels what they see of the primary; node are the
// options to ask the primary itself with (its credentials, TLS). Every
// sentinel given is asked, and every other one the source sentinel
// knows. It fails only when no sentinel answers.
func (s *Sentinel) Topology(ctx context.Context, node Options) (*SentinelTopology, error) {
	t := &SentinelTopology{MasterName: s.name}
	var master map[string]string
	var replicas, others []map[string]string
	serr := &SentinelError{MasterName: s.name, What: "topology"}
	given := s.Addrs()
	views := make([]SentinelView, 0, len(given))
	for _, sa := range given {
		v := s.viewOf(ctx, sa)
		v.Given = true
		if v.Err == nil && master == nil {
			var err error
			master, replicas, others, err = s.lists(ctx, sa)
			if err == nil {
				t.Source = sa
				v.Flags = []string{"self"}
			} else {
				master = nil
				v.Err = err
			}
		}
		if v.Err != nil {
			serr.Tries = append(serr.Tries, SentinelTry{Sentinel: sa, Err: v.Err})
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
		views = append(views, v)
	}
	if master == nil {
		return nil, serr
	}
	// The sentinels the source knows: their flags, and those not given.
	for _, o := range others {
		addr := net.JoinHostPort(o["ip"], o["port"])
		i := indexOfView(views, addr)
		if i < 0 {
			views = append(views, s.viewOf(ctx, addr))
			i = len(views) - 1
		}
		views[i].ID = o["runid"]
		views[i].Flags = strings.Split(o["flags"], ",")
	}
	t.Sentinels = views
	t.Primary = primaryView(master)
	t.Primary.Addr = majority(views, t.Primary.Addr)
	for i := range t.Sentinels {
		t.Sentinels[i].Agrees = t.Sentinels[i].Err == nil && t.Sentinels[i].Primary == t.Primary.Addr
	}
	t.LastFailover = failoverOf(master)

	lags := map[string][2]int64{} // replica -> offset, lag in seconds, from the primary
	s.askPrimaryNode(ctx, node, &t.Primary, lags)
	for _, r := range replicas {
		t.Replicas = append(t.Replicas, replicaView(r, t.Primary.Offset, lags))
	}
	sort.SliceStable(t.Replicas, func(i, j int) bool { return t.Replicas[i].Addr < t.Replicas[j].Addr })
	return t, nil
}

// viewOf asks the sentinel at sa for the primary's address, its
// settings and CKQUORUM.
func (s *Sentinel) viewOf(ctx context.Context, sa string) SentinelView {
	v := SentinelView{Addr: sa}
	conn, err := s.dialSentinel(ctx, sa)
	if err != nil {
		v.Err = err
		return v
	}
	defer conn.Close()
	addr, err := s.askPrimary(ctx, conn)
	if err == nil && addr == "" {
		err = errUnknownName
	}
	if err != nil {
		v.Err = err
		return v
	}
	v.Primary = addr
	if id, err := conn.DoStrings(ctx, "SENTINEL", "MYID"); err == nil && id.Kind == resp.KindBulk {
		v.ID = id.Text()
	}
	m, err := conn.DoStrings(ctx, "SENTINEL", "MASTER", s.name)
	if err == nil && m.Kind != resp.KindError {
		f := fieldMap(m)
		v.Quorum, _ = strconv.Atoi(f["quorum"])
		v.ConfigEpoch, _ = strconv.ParseInt(f["config-epoch"], 10, 64)
	}
	if q, err := conn.DoStrings(ctx, "SENTINEL", "CKQUORUM", s.name); err == nil {
		v.CkQuorum = q.Text()
	}
	return v
}

// lists asks the sentinel at sa for SENTINEL MASTER, REPLICAS and
// SENTINELS.
func (s *Sentinel) lists(ctx context.Context, sa string) (master map[string]string, replicas, others []map[string]string, err error) {
	conn, err := s.dialSentinel(ctx, sa)
	if err != nil {
		return nil, nil, nil, err
	}
	defer conn.Close()
	var vals [3]resp.Value
	for i, sub := range []string{"MASTER", "REPLICAS", "SENTINELS"} {
		v, err := conn.DoStrings(ctx, "SENTINEL", sub, s.name)
		if err != nil {
			return nil, nil, nil, err
		}
		if v.Kind == resp.KindError {
			return nil, nil, nil, &resp.RedisError{Msg: v.Text()}
		}
		vals[i] = v
	}
	return fieldMap(vals[0]), fieldMaps(vals[1]), fieldMaps(vals[2]), nil
}

func indexOfView(views []SentinelView, addr string) int {
	for i, v := range views {
		if v.Addr == addr {
			return i
		}
	}
	return -1
}

// majority returns the primary most sentinels name; fallback (the source's
// view) wins a tie.
func majority(views []SentinelView, fallback string) string {
	count := map[string]int{}
	best, n := fallback, 0
	for _, v := range views {
		if v.Err != nil {
			continue
		}
		count[v.Primary]++
	}
	n = count[fallback]
	for addr, c := range count {
		if c > n || c == n && addr < best && best != fallback {
			best, n = addr, c
		}
	}
	return best
}

func primaryView(m map[string]string) SentinelPrimaryView {
	p := SentinelPrimaryView{
		Addr:   net.JoinHostPort(m["ip"], m["port"]),
		Flags:  strings.Split(m["flags"], ","),
		Offset: -1,
	}
	p.Quorum, _ = strconv.Atoi(m["quorum"])
	return p
}

func failoverOf(m map[string]string) SentinelFailover {
	f := SentinelFailover{State: m["failover-state"]}
	f.Epoch, _ = strconv.ParseInt(m["config-epoch"], 10, 64)
	if ms, err := strconv.ParseInt(m["role-reported-time"], 10, 64); err == nil {
		f.Since = time.Duration(ms) * time.Millisecond
	}
	for _, fl := range strings.Split(m["flags"], ",") {
		if fl == "failover_in_progress" {
			f.InProgress = true
		}
	}
	if f.State != "" && f.State != "none" {
		f.InProgress = true
	}
	return f
}

// askPrimaryNode asks the primary for its role and replication state:
// its offset, and each replica's offset and lag.
func (s *Sentinel) askPrimaryNode(ctx context.Context, node Options, p *SentinelPrimaryView, lags map[string][2]int64) {
	no, err := optionsFor(node, p.Addr)
	if err != nil {
		p.Err = err
		return
	}
	no.DB = 0 // SELECT is of no use here, and a bad one would fail the check
	sctx, cancel := stepContext(ctx, &no)
	defer cancel()
	conn, err := Dial(sctx, &no)
	if err != nil {
		p.Err = err
		return
	}
	defer conn.Close()
	if v, err := conn.DoStrings(sctx, "ROLE"); err == nil && v.Kind != resp.KindError {
		p.Role = roleOf(v)
	}
	v, err := conn.DoStrings(sctx, "INFO", "replication")
	if err != nil {
		p.Err = err
		return
	}
	if v.Kind == resp.KindError {
		p.Err = errors.New(v.Text())
		return
	}
	for _, line := range strings.Split(v.Text(), "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		if key == "master_repl_offset" {
			p.Offset, _ = strconv.ParseInt(val, 10, 64)
			continue
		}
		if !strings.HasPrefix(key, "slave") {
			continue
		}
		// slave0:ip=127.0.0.1,port=6380,state=online,offset=123,lag=0
		f := map[string]string{}
		for _, kv := range strings.Split(val, ",") {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = v
		}
		off, err1 := strconv.ParseInt(f["offset"], 10, 64)
		lag, err2 := strconv.ParseInt(f["lag"], 10, 64)
		if err1 != nil {
			off = -1
		}
		if err2 != nil {
			lag = -1
		}
		lags[net.JoinHostPort(f["ip"], f["port"])] = [2]int64{off, lag}
	}
}

func replicaView(m map[string]string, primaryOffset int64, lags map[string][2]int64) SentinelReplicaView {
	r := SentinelReplicaView{
		Addr:       net.JoinHostPort(m["ip"], m["port"]),
		Flags:      strings.Split(m["flags"], ","),
		Link:       m["master-link-status"],
		Offset:     -1,
		LagBytes:   -1,
		LagSeconds: -1,
	}
	r.Usable = SentinelReplica{Flags: r.Flags}.Usable()
	r.Priority, _ = strconv.Atoi(m["slave-priority"])
	if ms, err := strconv.ParseInt(m["master-link-down-time"], 10, 64); err == nil {
		r.LinkDown = time.Duration(ms) * time.Millisecond
	}
	if l, ok := lags[r.Addr]; ok {
		r.Offset, r.LagSeconds = l[0], l[1]
	} else if off, err := strconv.ParseInt(m["slave-repl-offset"], 10, 64); err == nil && r.Usable {
		// What the sentinel last read; of a replica that is down or
		// disconnected it tells nothing.
		r.Offset = off
	}
	if r.Offset >= 0 && primaryOffset >= 0 {
		r.LagBytes = max(primaryOffset-r.Offset, 0)
	}
	return r
}
