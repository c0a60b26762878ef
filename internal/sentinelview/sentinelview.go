// Package sentinelview runs --topology with --sentinel: what the
// sentinels see of a primary (redisx.SentinelTopology), as a table for
// people, or as a reply value that the format package prints as JSON.
package sentinelview

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Options are the settings of --topology with --sentinel. It has none of
// its own: the output format is the printer's, and the sentinels and the
// primary are reached as the session reaches them.
type Options struct{}

// Run prints what the sentinels of e.Session (a *redisx.SentinelClient)
// see: a table, or JSON with --json. It fails only when no sentinel
// answers; a primary or a sentinel that cannot be asked is shown so.
func Run(ctx context.Context, e *env.Env, _ Options) error {
	sc, ok := e.Session.(*redisx.SentinelClient)
	if !ok {
		return env.Fail("Option --topology needs -c (cluster mode) or --sentinel.")
	}
	t, err := sc.Sentinel().Topology(ctx, sc.Options())
	if err != nil {
		return err
	}
	p := e.Printer
	if mode := p.Format().Mode; mode == format.JSON || mode == format.QuotedJSON {
		return p.Reply(nil, Value(t))
	}
	var b strings.Builder
	if err := WriteTable(&b, t); err != nil {
		return err
	}
	return p.Text(b.String())
}

// WriteTable writes t as three tables (the primary, its replicas, the
// sentinels) and a summary line:
//
//	primary mymaster 127.0.0.1:6380 (flags master, quorum 2, offset 1234, role master)
//	last failover: epoch 2, 14.2s ago
//
//	REPLICA         FLAGS  LINK  LAG       OFFSET  PRIORITY
//	127.0.0.1:6381  slave  ok    0 B, 0s   1234    100
//
//	SENTINEL         ID        PRIMARY         AGREES  QUORUM  EPOCH  FLAGS  CKQUORUM
//	127.0.0.1:26379  8a3c5e1f  127.0.0.1:6380  yes     2       2      self   OK 3 usable Sentinels. ...
//
//	3 sentinels, 3 agree on 127.0.0.1:6380; flags and lists from sentinel 127.0.0.1:26379
func WriteTable(w io.Writer, t *redisx.SentinelTopology) error {
	var b strings.Builder
	p := t.Primary
	fmt.Fprintf(&b, "primary %s %s (flags %s, quorum %d, offset %s, role %s)\n",
		t.MasterName, p.Addr, strings.Join(p.Flags, ","), p.Quorum, offsetText(p.Offset), roleText(p))
	fmt.Fprintf(&b, "last failover: %s\n\n", failoverText(t.LastFailover))

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if len(t.Replicas) == 0 {
		fmt.Fprintln(&b, "no replica")
	} else {
		fmt.Fprintln(tw, "REPLICA\tFLAGS\tLINK\tLAG\tOFFSET\tPRIORITY")
		for _, r := range t.Replicas {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n",
				r.Addr, strings.Join(r.Flags, ","), linkText(r), lagText(r), offsetText(r.Offset), r.Priority)
		}
		tw.Flush()
	}
	b.WriteByte('\n')

	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SENTINEL\tID\tPRIMARY\tAGREES\tQUORUM\tEPOCH\tFLAGS\tCKQUORUM")
	agree := 0
	for _, s := range t.Sentinels {
		if s.Agrees {
			agree++
		}
		if s.Err != nil {
			why := "error"
			if unreachable(s.Err) {
				why = "unreachable"
			}
			fmt.Fprintf(tw, "%s\t%s\t-\tno\t-\t-\t%s\t%s: %s\n",
				s.Addr, idText(s.ID), flagsText(s.Flags), why, oneLine(s.Err.Error()))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n",
			s.Addr, idText(s.ID), s.Primary, yesNo(s.Agrees), s.Quorum, s.ConfigEpoch, flagsText(s.Flags), oneLine(s.CkQuorum))
	}
	tw.Flush()
	verb := "agree"
	if agree == 1 {
		verb = "agrees"
	}
	fmt.Fprintf(&b, "\n%s, %d %s on %s; flags and lists from sentinel %s\n",
		plural(len(t.Sentinels), "sentinel", "sentinels"), agree, verb, p.Addr, t.Source)
	_, err := io.WriteString(w, b.String())
	return err
}

// Value returns t as the reply value --json prints: an object with the
// primary, the last failover, the replicas and the sentinels.
func Value(t *redisx.SentinelTopology) resp.Value {
	str := resp.BulkString
	p := t.Primary
	primary := obj(
		str("name"), str(t.MasterName),
		str("addr"), str(p.Addr),
		str("flags"), stringList(p.Flags),
		str("quorum"), resp.Int(int64(p.Quorum)),
		str("role"), orNil(p.Role),
		str("offset"), intOrNil(p.Offset),
		str("error"), errOrNil(p.Err),
	)
	f := t.LastFailover
	failover := obj(
		str("epoch"), resp.Int(f.Epoch),
		str("seconds_ago"), secondsOrNil(f.Epoch > 0, f.Since),
		str("in_progress"), boolean(f.InProgress),
		str("state"), orNil(f.State),
	)
	replicas := resp.Array()
	for _, r := range t.Replicas {
		replicas.Elems = append(replicas.Elems, obj(
			str("addr"), str(r.Addr),
			str("flags"), stringList(r.Flags),
			str("link"), orNil(r.Link),
			str("link_down_seconds"), secondsOrNil(r.Link != "ok" && r.LinkDown > 0, r.LinkDown),
			str("offset"), intOrNil(r.Offset),
			str("lag_bytes"), intOrNil(r.LagBytes),
			str("lag_seconds"), intOrNil(r.LagSeconds),
			str("priority"), resp.Int(int64(r.Priority)),
			str("usable"), boolean(r.Usable),
		))
	}
	sentinels := resp.Array()
	for _, s := range t.Sentinels {
		sentinels.Elems = append(sentinels.Elems, obj(
			str("addr"), str(s.Addr),
			str("id"), orNil(s.ID),
			str("given"), boolean(s.Given),
			str("reachable"), boolean(s.Err == nil || !unreachable(s.Err)),
			str("error"), errOrNil(s.Err),
			str("primary"), orNil(s.Primary),
			str("agrees"), boolean(s.Agrees),
			str("quorum"), reachableInt(s, int64(s.Quorum)),
			str("config_epoch"), reachableInt(s, s.ConfigEpoch),
			str("flags"), stringList(s.Flags),
			str("ckquorum"), orNil(s.CkQuorum),
		))
	}
	return obj(
		str("source"), str(t.Source),
		str("primary"), primary,
		str("last_failover"), failover,
		str("replicas"), replicas,
		str("sentinels"), sentinels,
	)
}

func obj(kv ...resp.Value) resp.Value { return resp.Value{Kind: resp.KindMap, Elems: kv} }

func boolean(b bool) resp.Value { return resp.Value{Kind: resp.KindBool, Bool: b} }

// unreachable reports whether err, why a sentinel could not be asked,
// says that it could not be reached or did not answer in time, rather
// than that it answered with an error (a server that is not a sentinel,
// refused credentials).
func unreachable(err error) bool {
	switch retry.Classify(err) {
	case retry.ConnectionError, retry.TimeoutError:
		return true
	}
	return false
}

// reachableInt returns n, or null for a sentinel that could not be
// asked.
func reachableInt(s redisx.SentinelView, n int64) resp.Value {
	if s.Err != nil {
		return resp.Nil()
	}
	return resp.Int(n)
}

func stringList(list []string) resp.Value {
	v := resp.Array()
	for _, s := range list {
		if s != "" {
			v.Elems = append(v.Elems, resp.BulkString(s))
		}
	}
	return v
}

func orNil(s string) resp.Value {
	if s == "" {
		return resp.Nil()
	}
	return resp.BulkString(s)
}

// intOrNil returns n, or null for a negative n (unknown).
func intOrNil(n int64) resp.Value {
	if n < 0 {
		return resp.Nil()
	}
	return resp.Int(n)
}

func errOrNil(err error) resp.Value {
	if err == nil {
		return resp.Nil()
	}
	return resp.BulkString(err.Error())
}

func secondsOrNil(ok bool, d time.Duration) resp.Value {
	if !ok {
		return resp.Nil()
	}
	// A double is written as text, as a server sends it.
	return resp.Value{Kind: resp.KindDouble, Str: []byte(strconv.FormatFloat(d.Seconds(), 'f', 3, 64))}
}

func offsetText(n int64) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}

func roleText(p redisx.SentinelPrimaryView) string {
	switch {
	case p.Err != nil:
		return "unknown: " + oneLine(p.Err.Error())
	case p.Role == "":
		return "unknown"
	}
	return p.Role
}

func failoverText(f redisx.SentinelFailover) string {
	var s string
	if f.Epoch == 0 {
		s = "none seen (config epoch 0)"
	} else {
		s = fmt.Sprintf("epoch %d, %s ago", f.Epoch, f.Since.Round(100*time.Millisecond))
	}
	if f.InProgress {
		s += "; a failover is in progress"
		if f.State != "" {
			s += " (" + f.State + ")"
		}
	}
	return s
}

func linkText(r redisx.SentinelReplicaView) string {
	switch {
	case r.Link == "":
		return "?"
	case r.Link != "ok" && r.LinkDown > 0:
		return r.Link + " (down " + r.LinkDown.Round(time.Second).String() + ")"
	}
	return r.Link
}

func lagText(r redisx.SentinelReplicaView) string {
	if r.LagBytes < 0 && r.LagSeconds < 0 {
		return "?"
	}
	var parts []string
	if r.LagBytes >= 0 {
		parts = append(parts, strconv.FormatInt(r.LagBytes, 10)+" B")
	}
	if r.LagSeconds >= 0 {
		parts = append(parts, strconv.FormatInt(r.LagSeconds, 10)+"s")
	}
	return strings.Join(parts, ", ")
}

func idText(id string) string {
	if id == "" {
		return "-"
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func flagsText(flags []string) string {
	if len(flags) == 0 {
		return "-"
	}
	return strings.Join(flags, ",")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}
