package redisx_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// clusterScript is a window of commands of every routing kind: keys on
// every node, keyless commands, a command for every primary (DBSIZE), a
// multi-key command split per slot (MGET), a transaction.
func clusterScript() [][][]byte {
	var cmds [][][]byte
	add := func(args ...string) { cmds = append(cmds, redisx.Args(args...)) }
	for i := range 60 {
		k := "pk:" + strconv.Itoa(i%20)
		switch i % 6 {
		case 0:
			add("SET", k, "v"+strconv.Itoa(i))
		case 1:
			add("INCR", "pc:"+strconv.Itoa(i%7))
		case 2:
			add("GET", k)
		case 3:
			add("ECHO", "e"+strconv.Itoa(i))
		case 4:
			add("RPUSH", "pl:"+strconv.Itoa(i%3), k)
		case 5:
			add("LRANGE", "pl:"+strconv.Itoa(i%3), "0", "-1")
		}
		if i == 30 {
			add("DBSIZE")
			add("MGET", "pk:1", "pk:2", "pk:3", "nosuch")
			add("MULTI")
			add("INCR", "{tx}a")
			add("INCR", "{tx}b")
			add("EXEC")
		}
	}
	return cmds
}

func newCluster(t *testing.T, seed string) *redisx.ClusterClient {
	t.Helper()
	c, err := redisx.NewClusterClient(redisx.ClusterOptions{Seeds: []string{seed}, ErrorAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestClusterPipeline checks that a pipelined window gives the replies
// running each command with Do gives, in the same order, and that a slot
// that moved is followed with Do.
func TestClusterPipeline(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seed := cl.Primaries()[0].Addr()
	flush := func() {
		for _, p := range cl.Primaries() {
			p.Do(t, "FLUSHALL")
		}
	}
	cmds := clusterScript()

	flush()
	one := newCluster(t, seed)
	want, err := collect(t, func(fn redisx.ReplyFunc) error {
		for i, args := range cmds {
			v, err := one.Do(ctx, args)
			if err != nil {
				return err
			}
			fn(i, v, nil)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	flush()
	c := newCluster(t, seed)
	got, err := collect(t, func(fn redisx.ReplyFunc) error { return c.Pipeline(ctx, cmds, fn) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pipelined replies differ from Do's:\n got %q\nwant %q", got, want)
	}

	t.Run("Moved", func(t *testing.T) {
		const key = "pk:moving"
		slot := redisx.HashSlot([]byte(key))
		src := cl.NodeForSlot(t, slot)
		var dst *redistest.Server
		for _, p := range cl.Primaries() {
			if p != src {
				dst = p
				break
			}
		}
		dstID := dst.Do(t, "CLUSTER", "MYID").Text()
		// c has cached the topology; the slot, empty, now moves to dst.
		for _, p := range append([]*redistest.Server{dst}, cl.Primaries()...) {
			if v := p.Do(t, "CLUSTER", "SETSLOT", strconv.Itoa(slot), "NODE", dstID); v.Text() != "OK" {
				t.Fatalf("SETSLOT on %s: %q", p.Addr(), v.Str)
			}
		}
		window := [][][]byte{
			redisx.Args("SET", "pk:1", "a"),
			redisx.Args("SET", key, "b"),
			redisx.Args("GET", key),
			redisx.Args("GET", "pk:1"),
		}
		got, err := collect(t, func(fn redisx.ReplyFunc) error { return c.Pipeline(ctx, window, fn) })
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"status:OK", "status:OK", "bulk:b", "bulk:a"}; !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q", got, want)
		}
		if v := dst.Do(t, "GET", key); v.Text() != "b" {
			t.Fatalf("%s on its new owner: %q", key, v.Str)
		}
	})
}

// TestClusterScanKeys lists the keys of every primary.
func TestClusterScanKeys(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := newCluster(t, cl.Primaries()[0].Addr())
	var want []string
	var cmds [][][]byte
	for i := range 500 {
		k := fmt.Sprintf("scan:%d", i)
		cmds = append(cmds, redisx.Args("SET", k, "v"))
		if i%10 == 0 {
			want = append(want, k)
		}
	}
	cmds = append(cmds, redisx.Args("SET", "other", "v"))
	if err := c.Pipeline(ctx, cmds, func(_ int, _ resp.Value, err error) error { return err }); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := c.ScanKeys(ctx, redisx.ScanOptions{Match: "scan:*0", Count: 7}, func(keys []resp.Value) error {
		for _, k := range keys {
			got = append(got, k.Text())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("keys %q\nwant %q", got, want)
	}
}
