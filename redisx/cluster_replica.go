package redisx

import (
	"context"
	"errors"
	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
	"strings"

	"github.com/redish/redish/retry"
)

// nodeCall says how a command is sent to a node.
type nodeCall struct {
	// asking sends ASKING first (an ASK redirect).
	asking bool
	// replicaRead marks a read sent to a replica for ReadFromReplicas: a
	// replica that cannot serve it is left for the primary at once rather
	// than retried.
	replicaRead bool
}

// ReplicaUnfitError is a replica found unfit to serve reads before the
// command was sent to it: its link to the primary is down.
type ReplicaUnfitError struct {
	Addr   string
	Reason string // "master_link_status:down"
}

// Error names the replica and the reason.
func (e *ReplicaUnfitError) Error() string { return "replica " + e.Addr + ": " + e.Reason }

// replicaFallbackReply reports whether an error reply from a replica
// means the read belongs on the primary: MASTERDOWN (the link is down and
// the replica does not serve stale data), LOADING (it is loading a
// dataset) or an authentication failure (the replica does not know the
// credentials the primary accepts).
func replicaFallbackReply(re *resp.RedisError) bool {
	switch retry.Classify(re) {
	case retry.MasterDownError, retry.BusyLoadingError, retry.AuthenticationError:
		return true
	}
	return false
}

// replicaFailed returns why the outcome of a read sent to a replica sends
// the read to the primary instead, or nil when the outcome stands.
func replicaFailed(v resp.Value, err error) error {
	if err != nil {
		var unfit *ReplicaUnfitError
		if errors.As(err, &unfit) || retry.Classify(err) == retry.AuthenticationError {
			return err
		}
		return nil
	}
	if v.Kind == resp.KindError {
		if re := (&resp.RedisError{Msg: v.Text()}); replicaFallbackReply(re) {
			return re
		}
	}
	return nil
}

// isReplicaRead reports whether sending args to n is a read that
// ReadFromReplicas sent to a replica.
func (c *ClusterClient) isReplicaRead(n *clusterNode, args [][]byte) bool {
	return c.opts.ReadFromReplicas && c.isReplica(n.addr) && readOnly(commands.LookupBytes(args))
}

// leaveReplica records that the replica n is unfit for reads until the
// topology is read again, closes its connection (the next use dials and
// checks it again), says so, and returns the primary to read from
// instead, or nil when the topology names none.
func (c *ClusterClient) leaveReplica(n *clusterNode, slot int, why error) *clusterNode {
	if c.topo == nil {
		return nil
	}
	r := c.topo.Node(n.addr)
	if r == nil {
		return nil
	}
	p := c.topo.PrimaryOf(r)
	if p == nil {
		return nil
	}
	if c.unfit == nil {
		c.unfit = make(map[string]error)
	}
	c.unfit[n.addr] = why
	n.client.Close()
	n.readonly = nil
	c.emit(ClusterEvent{Kind: EventReplicaFallback, Slot: slot, Addr: p.Addr, From: n.addr, Err: why})
	return c.node(p.Addr)
}

// fitReplica reports whether the replica r may serve reads: online in the
// cluster's view (CLUSTER SHARDS says "loading" while its replication
// offset is 0, "fail" when the cluster lost it) and not found unfit since
// the topology was read.
func (c *ClusterClient) fitReplica(r *ClusterNode) bool {
	return (r.Health == "" || r.Health == "online") && c.unfit[r.Addr] == nil
}

// readOnlyConn sends READONLY on conn, a new connection to the replica n,
// and, when check is set, INFO replication in the same round trip: a
// replica whose master_link_status is not "up" serves stale data or
// MASTERDOWN, so the read goes to the primary (*ReplicaUnfitError). An
// error reply to READONLY is returned as the value.
func (c *ClusterClient) readOnlyConn(ctx context.Context, n *clusterNode, conn *Conn, check bool) (resp.Value, error) {
	readonly := [][]byte{[]byte("READONLY")}
	info := [][]byte{[]byte("INFO"), []byte("replication")}
	conn.Write(readonly...)
	if check {
		conn.Write(info...)
	}
	if err := conn.Flush(ctx); err != nil {
		n.client.Close()
		return resp.Value{}, &notSentError{err}
	}
	v, err := conn.ReadReplyTo(ctx, readonly)
	if err != nil {
		n.client.Close()
		return resp.Value{}, &notSentError{err}
	}
	if check {
		iv, err := conn.ReadReplyTo(ctx, info)
		if err != nil {
			n.client.Close()
			return resp.Value{}, &notSentError{err}
		}
		if v.Kind != resp.KindError && iv.Kind != resp.KindError {
			if status := infoField(iv.Text(), "master_link_status"); status != "" && status != "up" {
				return resp.Value{}, &ReplicaUnfitError{Addr: n.addr, Reason: "master_link_status:" + status}
			}
		}
	}
	if v.Kind == resp.KindError {
		return v, nil
	}
	n.readonly = conn
	return v, nil
}

// infoField returns the value of field in an INFO reply, or "".
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), field+":"); ok {
			return v
		}
	}
	return ""
}
