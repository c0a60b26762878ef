package redisx_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// TestClusterReal runs the client against a real cluster of 3 primaries
// and 3 replicas, shared by the subtests. The subtests that move slots
// come last.
func TestClusterReal(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A replica as the only seed: any reachable node will do.
	seed := cl.Replicas()[0].Addr()
	log := &eventLog{}
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{
		Seeds:         []string{seed},
		ErrorAttempts: 3,
		OnEvent:       log.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run := func(t *testing.T, args ...string) resp.Value {
		t.Helper()
		v, err := c.Do(ctx, redisx.Args(args...))
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		return v
	}

	t.Run("Routing", func(t *testing.T) {
		for i := range 30 {
			k := "route:" + strconv.Itoa(i)
			if v := run(t, "SET", k, "v"+strconv.Itoa(i)); v.Text() != "OK" {
				t.Fatalf("SET %s: %s %q", k, v.Kind, v.Str)
			}
			// The key is on the node that serves its slot.
			if v := cl.NodeForKey(t, k).Do(t, "GET", k); v.Text() != "v"+strconv.Itoa(i) {
				t.Fatalf("%s on its owner: %s %q", k, v.Kind, v.Str)
			}
		}
		if n := log.count("redirect"); n != 0 {
			t.Errorf("redirects with a fresh topology:\n%s", log)
		}
		if got := c.LastAddr(); got != cl.NodeForKey(t, "route:29").Addr() {
			t.Errorf("LastAddr %s, want the owner of route:29", got)
		}
	})

	t.Run("HashTags", func(t *testing.T) {
		if v := run(t, "MSETNX", "{user:1}:name", "ann", "{user:1}:mail", "ann@example.com"); v.Int != 1 {
			t.Fatalf("MSETNX with a shared tag: %s %q %d", v.Kind, v.Str, v.Int)
		}
		if v := run(t, "SUNIONSTORE", "{user:1}:u", "{user:1}:a", "other"); !strings.HasPrefix(v.Text(), "CROSSSLOT") {
			t.Fatalf("SUNIONSTORE across slots: %s %q", v.Kind, v.Str)
		}
	})

	t.Run("SplitMultiKey", func(t *testing.T) {
		keys := []string{"m:a", "m:b", "m:c", "m:d", "m:e", "m:f"}
		slots := map[int]bool{}
		for _, k := range keys {
			slots[redisx.HashSlot([]byte(k))] = true
		}
		if len(slots) < 3 {
			t.Fatalf("keys in %d slots, want several", len(slots))
		}
		mset := []string{"MSET"}
		for _, k := range keys {
			mset = append(mset, k, "val-"+k)
		}
		if v := run(t, mset...); v.Kind != resp.KindStatus || v.Text() != "OK" {
			t.Fatalf("MSET: %s %q", v.Kind, v.Str)
		}
		v := run(t, append([]string{"MGET", "m:f", "nokey"}, keys...)...)
		var got []string
		for _, e := range v.Elems {
			got = append(got, fmt.Sprintf("%s:%s", e.Kind, e.Str))
		}
		want := []string{"bulk:val-m:f", "nil:"}
		for _, k := range keys {
			want = append(want, "bulk:val-"+k)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("MGET %q, want %q", got, want)
		}
		for _, tc := range []struct {
			args []string
			want int64
		}{
			{[]string{"EXISTS", "m:a", "m:b", "m:a", "nokey"}, 3},
			{[]string{"TOUCH", "m:a", "m:b", "m:c"}, 3},
			{[]string{"DEL", "m:a", "m:b", "nokey"}, 2},
			{[]string{"UNLINK", "m:c", "m:d", "m:e", "m:f", "m:a"}, 4},
			{[]string{"EXISTS", "m:a", "m:b", "m:c"}, 0},
		} {
			t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
				if v := run(t, tc.args...); v.Kind != resp.KindInt || v.Int != tc.want {
					t.Errorf("%s %q %d, want %d", v.Kind, v.Str, v.Int, tc.want)
				}
			})
		}
	})

	t.Run("ClusterWide", func(t *testing.T) {
		run(t, "FLUSHALL")
		want := []string{}
		for i := range 50 {
			k := "wide:" + strconv.Itoa(i)
			run(t, "SET", k, "1")
			want = append(want, k)
		}
		if v := run(t, "DBSIZE"); v.Int != 50 {
			t.Errorf("DBSIZE %d, want 50 (sum over primaries)", v.Int)
		}
		v := run(t, "KEYS", "wide:*")
		var got []string
		for _, e := range v.Elems {
			got = append(got, e.Text())
		}
		slices.Sort(got)
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("KEYS: %d keys, want the 50 keys of every primary", len(got))
		}
		var scanned []string
		err := c.Scan(ctx, "wide:*", 5, func(k []byte) error {
			scanned = append(scanned, string(k))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(scanned)
		if !reflect.DeepEqual(scanned, want) {
			t.Errorf("Scan: %d keys, want each of the 50 once", len(scanned))
		}

		sha := run(t, "SCRIPT", "LOAD", "return 1").Text()
		lib := "#!lua name=clusterlib\nredis.register_function('cl_one', function() return 1 end)"
		if v := run(t, "FUNCTION", "LOAD", "REPLACE", lib); v.Text() != "clusterlib" {
			t.Errorf("FUNCTION LOAD: %s %q", v.Kind, v.Str)
		}
		for _, p := range cl.Primaries() {
			if v := p.Do(t, "SCRIPT", "EXISTS", sha); v.Len() != 1 || v.Elems[0].Int != 1 {
				t.Errorf("script not loaded on %s", p.Addr())
			}
			if v := p.Do(t, "FCALL", "cl_one", "0"); v.Int != 1 {
				t.Errorf("function not loaded on %s: %s %q", p.Addr(), v.Kind, v.Str)
			}
		}
		if v := run(t, "SCRIPT", "EXISTS", sha, "0000000000000000000000000000000000000000"); !reflect.DeepEqual(v.Elems, []resp.Value{resp.Int(1), resp.Int(0)}) {
			t.Errorf("SCRIPT EXISTS: %v", v.Elems)
		}

		if v := run(t, "FLUSHDB"); v.Text() != "OK" {
			t.Errorf("FLUSHDB: %s %q", v.Kind, v.Str)
		}
		if v := run(t, "DBSIZE"); v.Int != 0 {
			t.Errorf("DBSIZE after FLUSHDB: %d", v.Int)
		}
	})

	t.Run("DoNodes", func(t *testing.T) {
		for _, tc := range []struct {
			sel   redisx.NodeSelector
			roles []string
		}{
			{redisx.SelectPrimaries, []string{"master", "master", "master"}},
			{redisx.SelectReplicas, []string{"slave", "slave", "slave"}},
			{redisx.SelectAllNodes, []string{"master", "slave", "master", "slave", "master", "slave"}},
			{redisx.SelectNode(cl.Nodes[1].Addr()), []string{"master"}},
		} {
			t.Run(tc.sel.String(), func(t *testing.T) {
				replies, err := c.DoNodes(ctx, tc.sel, redisx.Args("ROLE"))
				if err != nil {
					t.Fatal(err)
				}
				var roles []string
				for _, r := range replies {
					if r.Err != nil {
						t.Fatalf("%s: %v", r.Addr, r.Err)
					}
					roles = append(roles, r.Value.Elems[0].Text())
				}
				if !reflect.DeepEqual(roles, tc.roles) {
					t.Errorf("roles %v, want %v", roles, tc.roles)
				}
			})
		}
	})

	t.Run("ReadFromReplicas", func(t *testing.T) {
		rc, err := redisx.NewClusterClient(redisx.ClusterOptions{Seeds: []string{cl.Nodes[0].Addr()}, ReadFromReplicas: true})
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		do := func(args ...string) resp.Value {
			v, err := rc.Do(ctx, redisx.Args(args...))
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return v
		}
		do("SET", "replica:key", "r")
		primary := rc.LastAddr()
		// WAIT runs on every primary: the one that took the SET waits
		// for its replica.
		if v := do("WAIT", "1", "5000"); v.Kind != resp.KindInt {
			t.Fatalf("WAIT: %s %q", v.Kind, v.Str)
		}
		if v := do("GET", "replica:key"); v.Text() != "r" {
			t.Fatalf("GET from a replica: %s %q", v.Kind, v.Str)
		}
		replica := rc.LastAddr()
		topo, err := rc.Topology(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := topo.Node(replica)
		if n == nil || n.Role != redisx.RoleReplica || topo.PrimaryOf(n).Addr != primary {
			t.Errorf("GET went to %s, want a replica of %s", replica, primary)
		}
		if v := do("INCR", "replica:n"); v.Int != 1 {
			t.Errorf("INCR: %s %q", v.Kind, v.Str)
		}
		if n := topo.Node(rc.LastAddr()); n == nil || n.Role != redisx.RolePrimary {
			t.Errorf("INCR went to %s, want a primary", rc.LastAddr())
		}
	})

	t.Run("Transaction", func(t *testing.T) {
		run(t, "SET", "tx:{a}n", "5")
		for _, step := range []struct{ args, want string }{
			{"WATCH tx:{a}n", "OK"},
			{"MULTI", "OK"},
			{"INCR tx:{a}n", "QUEUED"},
			{"INCRBY tx:{a}m 2", "QUEUED"},
			{"EXEC", "6 2"},
			{"MULTI", "OK"},
			{"INCR tx:{a}n", "QUEUED"},
			{"DISCARD", "OK"},
			{"GET tx:{a}n", "6"},
		} {
			v := run(t, strings.Fields(step.args)...)
			got := v.Text()
			if v.Kind == resp.KindInt {
				got = strconv.FormatInt(v.Int, 10)
			}
			if v.Kind == resp.KindArray {
				var parts []string
				for _, e := range v.Elems {
					parts = append(parts, strconv.FormatInt(e.Int, 10))
				}
				got = strings.Join(parts, " ")
			}
			if got != step.want {
				t.Fatalf("%s: %s %q, want %q", step.args, v.Kind, got, step.want)
			}
		}
	})

	t.Run("MovedAndAsk", func(t *testing.T) {
		const key = "migrating:key"
		slot := redisx.HashSlot([]byte(key))
		src := cl.NodeForSlot(t, slot)
		var dst *redistest.Server
		for _, p := range cl.Primaries() {
			if p != src {
				dst = p
				break
			}
		}
		srcID, dstID := src.Do(t, "CLUSTER", "MYID").Text(), dst.Do(t, "CLUSTER", "MYID").Text()
		run(t, "GET", key) // the topology is cached: the slot is src's
		s := strconv.Itoa(slot)
		mustOK := func(n *redistest.Server, args ...string) {
			t.Helper()
			if v := n.Do(t, args...); v.Text() != "OK" {
				t.Fatalf("%s on %s: %s %q", strings.Join(args, " "), n.Addr(), v.Kind, v.Str)
			}
		}
		mustOK(dst, "CLUSTER", "SETSLOT", s, "IMPORTING", srcID)
		mustOK(src, "CLUSTER", "SETSLOT", s, "MIGRATING", dstID)

		// The key is not on src: src asks the client to try dst.
		if v := run(t, "SET", key, "moved"); v.Text() != "OK" {
			t.Fatalf("SET during migration: %s %q", v.Kind, v.Str)
		}
		if want := fmt.Sprintf("redirect ASK slot %d -> %s", slot, dst.Addr()); log.count(want) != 1 {
			t.Errorf("events:\n%s\nwant %q", log, want)
		}

		for _, p := range append([]*redistest.Server{dst, src}, cl.Primaries()...) {
			mustOK(p, "CLUSTER", "SETSLOT", s, "NODE", dstID)
		}
		// The client still maps the slot to src, which now says MOVED.
		if v := run(t, "GET", key); v.Text() != "moved" {
			t.Fatalf("GET after the move: %s %q", v.Kind, v.Str)
		}
		if want := fmt.Sprintf("redirect MOVED slot %d -> %s", slot, dst.Addr()); log.count(want) != 1 {
			t.Errorf("events:\n%s\nwant %q", log, want)
		}
		// The slot map was patched: no new redirect.
		before := log.count("redirect")
		run(t, "GET", key)
		if log.count("redirect") != before {
			t.Errorf("redirected again after MOVED:\n%s", log)
		}
	})
}
