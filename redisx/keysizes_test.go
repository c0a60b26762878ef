package redisx_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// sizedFixture fills s with keys of every type (and a few that expire
// never, with odd names) and returns a client of it.
func sizedFixture(t *testing.T) (*redistest.Server, *redisx.Client) {
	t.Helper()
	s := redistest.Start(t)
	c := redisx.NewClient(s.Options())
	t.Cleanup(func() { c.Close() })
	var cmds [][][]byte
	for i := range 600 {
		switch i % 6 {
		case 0:
			cmds = append(cmds, redisx.Args("SET", fmt.Sprintf("s:%d", i), strings.Repeat("v", i%37)))
		case 1:
			cmds = append(cmds, redisx.Args("RPUSH", fmt.Sprintf("l:%d", i), "a", "b", strconv.Itoa(i)))
		case 2:
			cmds = append(cmds, redisx.Args("HSET", fmt.Sprintf("h:%d", i), "f", "v", "g", strconv.Itoa(i)))
		case 3:
			cmds = append(cmds, redisx.Args("SADD", fmt.Sprintf("z:%d", i), "1", "2", "3", strconv.Itoa(i)))
		case 4:
			cmds = append(cmds, redisx.Args("ZADD", fmt.Sprintf("o:%d", i), "1", "a", "2", strconv.Itoa(i)))
		case 5:
			cmds = append(cmds, redisx.Args("XADD", fmt.Sprintf("x:%d", i), "*", "f", "v"))
		}
	}
	cmds = append(cmds, redisx.Args("SET", "", "empty name"), redisx.Args("SET", "bin\x00\r\n\"key", "v"))
	ctx := context.Background()
	if err := c.Pipeline(ctx, cmds, func(_ int, v resp.Value, err error) error {
		if err == nil && v.Kind == resp.KindError {
			return v.Err()
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// While the keyspace's hash table is being resized, every lookup
	// moves keys and SCAN's batches depend on when it runs: a first scan
	// with a TYPE of every key finishes the resizing.
	plainSized(t, c, redisx.SizedScanOptions{})
	return s, c
}

// plainSized scans as redis-cli does, one SCAN at a time, with TYPE and
// the size of each key, and renders each batch as ScanSized's should be.
func plainSized(t *testing.T, c *redisx.Client, o redisx.SizedScanOptions) []string {
	t.Helper()
	ctx := context.Background()
	lengths := map[string]string{"string": "STRLEN", "list": "LLEN", "set": "SCARD", "hash": "HLEN", "zset": "ZCARD", "stream": "XLEN"}
	var out []string
	cursor := "0"
	for {
		args := []string{"SCAN", cursor}
		if o.Match != nil {
			args = append(args, "MATCH", string(o.Match))
		}
		if o.Count != nil {
			args = append(args, "COUNT", string(o.Count))
		}
		v, err := c.Do(ctx, redisx.Args(args...))
		if err != nil {
			t.Fatal(err)
		}
		cursor = v.Elems[0].Text()
		var b strings.Builder
		fmt.Fprintf(&b, "next %s:", cursor)
		for _, k := range v.Elems[1].Elems {
			typ, err := c.Do(ctx, [][]byte{[]byte("TYPE"), k.Str})
			if err != nil {
				t.Fatal(err)
			}
			size := int64(-1)
			var cmd [][]byte
			switch {
			case o.Memory && o.Samples != 0:
				cmd = [][]byte{[]byte("MEMORY"), []byte("USAGE"), k.Str, []byte("SAMPLES"), []byte(strconv.Itoa(o.Samples))}
			case o.Memory:
				cmd = [][]byte{[]byte("MEMORY"), []byte("USAGE"), k.Str}
			case lengths[typ.Text()] != "":
				cmd = [][]byte{[]byte(lengths[typ.Text()]), k.Str}
			}
			if cmd != nil {
				sv, err := c.Do(ctx, cmd)
				if err != nil {
					t.Fatal(err)
				}
				size = sv.Int
			}
			fmt.Fprintf(&b, " %q=%s/%d", k.Str, typ.Text(), size)
		}
		out = append(out, b.String())
		if cursor == "0" {
			return out
		}
	}
}

func renderBatch(b redisx.SizedBatch) string {
	var s strings.Builder
	fmt.Fprintf(&s, "next %s:", b.Next)
	for i, k := range b.Keys {
		fmt.Fprintf(&s, " %q=%s/%d", k.Str, b.Types[i].Str, b.Sizes[i].Int)
	}
	return s.String()
}

// TestScanSizedMatchesPlainCommands: the batches, types and sizes are
// those of SCAN, TYPE and the size commands sent one at a time, whatever
// the budget of a script call, with MATCH, COUNT and MEMORY USAGE.
func TestScanSizedMatchesPlainCommands(t *testing.T) {
	_, c := sizedFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name string
		o    redisx.SizedScanOptions
	}{
		{"lengths", redisx.SizedScanOptions{}},
		{"lengths, budget 1", redisx.SizedScanOptions{Budget: 1}},
		{"lengths, budget 37", redisx.SizedScanOptions{Budget: 37}},
		{"match", redisx.SizedScanOptions{Match: []byte("*1*")}},
		{"empty match", redisx.SizedScanOptions{Match: []byte("")}},
		{"count", redisx.SizedScanOptions{Count: []byte("3"), Budget: 20}},
		{"memory", redisx.SizedScanOptions{Memory: true}},
		{"memory, samples", redisx.SizedScanOptions{Memory: true, Samples: 2, Budget: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := plainSized(t, c, tc.o)
			var got []string
			if err := c.ScanSized(ctx, nil, tc.o, func(b redisx.SizedBatch) error {
				got = append(got, renderBatch(b))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%d batches, want %d\n got %.300q\nwant %.300q", len(got), len(want), got, want)
			}
		})
	}
}

// TestScanSizedFromACursor goes on from a cursor a plain scan reached.
func TestScanSizedFromACursor(t *testing.T) {
	_, c := sizedFixture(t)
	want := plainSized(t, c, redisx.SizedScanOptions{})
	from := strings.TrimSuffix(strings.Fields(want[4])[1], ":")
	var got []string
	if err := c.ScanSized(context.Background(), []byte(from), redisx.SizedScanOptions{}, func(b redisx.SizedBatch) error {
		got = append(got, renderBatch(b))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want[5:], "\n") {
		t.Fatalf("from cursor %s: %d batches, want %d", from, len(got), len(want)-5)
	}
}

// TestScanSizedUnavailable: a user who may not run scripts gets a
// *ScriptsUnavailableError at the cursor it started from, and no batch.
func TestScanSizedUnavailable(t *testing.T) {
	s, _ := sizedFixture(t)
	s.Do(t, "ACL", "SETUSER", "noscripts", "on", ">pw", "~*", "+@all", "-eval")
	o := s.Options()
	o.User, o.Password = "noscripts", "pw"
	c := redisx.NewClient(o)
	defer c.Close()
	called := false
	err := c.ScanSized(context.Background(), []byte("0"), redisx.SizedScanOptions{}, func(redisx.SizedBatch) error {
		called = true
		return nil
	})
	su, ok := redisx.IsScriptsUnavailable(err)
	if !ok || called || string(su.Cursor) != "0" || !strings.Contains(su.Reason, "NOPERM") {
		t.Fatalf("ScanSized: %v (batches passed: %v), want a *ScriptsUnavailableError at cursor 0", err, called)
	}
	// An error inside the script (here SCAN's COUNT) is one too: plain
	// commands then report it as redis-cli does.
	_, c2 := sizedFixture(t)
	err = c2.ScanSized(context.Background(), nil, redisx.SizedScanOptions{Count: []byte("0")}, func(redisx.SizedBatch) error { return nil })
	if su, ok := redisx.IsScriptsUnavailable(err); !ok || !bytes.Equal(su.Cursor, []byte("0")) {
		t.Fatalf("a COUNT SCAN refuses: %v, want a *ScriptsUnavailableError", err)
	}
}
