package fanout

import (
	"testing"

	"github.com/redish/redish/redisx"
)

func TestTopologyCounts(t *testing.T) {
	topo := &redisx.Topology{Nodes: []redisx.ClusterNode{
		{Addr: "127.0.0.1:7000", ID: "a", Role: redisx.RolePrimary, Health: "online", Slots: []redisx.SlotRange{{First: 0, Last: 16383}}},
		{Addr: "127.0.0.1:7001", ID: "b", Role: redisx.RoleReplica, PrimaryID: "a", Health: "online"},
		{Addr: "127.0.0.1:7002", ID: "c", Role: redisx.RolePrimary, Health: "fail"},
	}}
	if got, want := nodeCounts(topo), "1 primary, 1 replica, 1 failed node"; got != want {
		t.Errorf("nodeCounts = %q, want %q", got, want)
	}
	topo.Nodes = append(topo.Nodes, redisx.ClusterNode{Addr: "127.0.0.1:7003", ID: "d", Role: redisx.RoleReplica, PrimaryID: "a", Health: "failed"})
	if got, want := nodeCounts(topo), "1 primary, 1 replica, 2 failed nodes"; got != want {
		t.Errorf("nodeCounts = %q, want %q", got, want)
	}
	topo.Nodes = topo.Nodes[:1]
	if got, want := nodeCounts(topo), "1 primary, 0 replicas"; got != want {
		t.Errorf("nodeCounts = %q, want %q", got, want)
	}
	ev := redisx.ClusterEvent{Kind: redisx.EventTopology, Source: "127.0.0.1:7000", Command: "CLUSTER SHARDS", Primaries: 1, Replicas: 1, Covered: redisx.SlotCount}
	if got, want := ev.String(), "topology read from 127.0.0.1:7000 (CLUSTER SHARDS): 1 primary, 1 replica, all 16384 slots covered"; got != want {
		t.Errorf("event = %q\nwant    %q", got, want)
	}
}
