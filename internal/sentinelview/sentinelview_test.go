package sentinelview

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// topology is a set after one failover: a replica that is down, a
// sentinel that cannot be reached, another that is behind.
func topology() *redisx.SentinelTopology {
	return &redisx.SentinelTopology{
		MasterName: "mymaster",
		Source:     "127.0.0.1:26379",
		Primary: redisx.SentinelPrimaryView{
			Addr: "127.0.0.1:6380", Flags: []string{"master"}, Quorum: 2, Role: "master", Offset: 91234,
		},
		LastFailover: redisx.SentinelFailover{Epoch: 1, Since: 14234 * time.Millisecond},
		Replicas: []redisx.SentinelReplicaView{
			{Addr: "127.0.0.1:6379", Flags: []string{"slave", "s_down", "disconnected"}, Link: "err", LinkDown: 12 * time.Second,
				Offset: 80000, LagBytes: 11234, LagSeconds: -1, Priority: 100},
			{Addr: "127.0.0.1:6381", Flags: []string{"slave"}, Link: "ok", Offset: 91234, LagBytes: 0, LagSeconds: 0, Priority: 100, Usable: true},
		},
		Sentinels: []redisx.SentinelView{
			{Addr: "127.0.0.1:26379", ID: "8a3c5e1f0b", Given: true, Primary: "127.0.0.1:6380", Agrees: true, Quorum: 2, ConfigEpoch: 1,
				CkQuorum: "OK 2 usable Sentinels. Quorum and failover authorization can be reached", Flags: []string{"self"}},
			{Addr: "127.0.0.1:26380", Given: true, Err: &redisx.ConnError{Op: "dial", Addr: "127.0.0.1:26380",
				Err: errors.New("dial tcp 127.0.0.1:26380: connect: connection refused")}},
			{Addr: "127.0.0.1:6380", Given: true, Err: &resp.RedisError{Msg: "ERR unknown command 'SENTINEL'"}},
			{Addr: "127.0.0.1:26381", ID: "c0ffee00aa", Primary: "127.0.0.1:6379", Quorum: 2, ConfigEpoch: 0,
				CkQuorum: "OK 2 usable Sentinels. Quorum and failover authorization can be reached", Flags: []string{"sentinel"}},
		},
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b, topology()); err != nil {
		t.Fatal(err)
	}
	golden(t, "table.txt", b.String())
}

func TestValueAsJSON(t *testing.T) {
	out := format.Append(nil, Value(topology()), format.DefaultOptions(format.JSON))
	golden(t, "topology.json", string(out))
}

func TestNoFailoverNoReplica(t *testing.T) {
	topo := topology()
	topo.Replicas = nil
	topo.LastFailover = redisx.SentinelFailover{InProgress: true, State: "wait_promotion"}
	var b strings.Builder
	WriteTable(&b, topo)
	for _, want := range []string{
		"last failover: none seen (config epoch 0); a failover is in progress (wait_promotion)\n",
		"\nno replica\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/sentinelview -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
