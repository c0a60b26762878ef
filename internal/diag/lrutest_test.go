package diag

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// stepClock returns a clock that moves by step at every reading.
func stepClock(step time.Duration) func() time.Time {
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// linesThenCancel is a writer that cancels the run after n lines.
type linesThenCancel struct {
	bytes.Buffer
	n      int
	cancel context.CancelFunc
}

func (w *linesThenCancel) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Count(w.String(), "\n") >= w.n {
		w.cancel()
	}
	return n, err
}

func TestLRUTestRealServer(t *testing.T) {
	s := redistest.Start(t)
	c := redisx.NewClient(s.Options())
	defer c.Close()
	for _, tc := range []struct {
		keys int64
		line *regexp.Regexp
	}{
		// One key: every GET finds what the SET before it wrote.
		{1, regexp.MustCompile(`^500 Gets/sec \| Hits: 500 \(100\.00%\) \| Misses: 0 \(0\.00%\)$`)},
		// Many keys: the first cycle misses most.
		{1000000, regexp.MustCompile(`^500 Gets/sec \| Hits: [0-9]+ \([0-9]+\.[0-9]{2}%\) \| Misses: [0-9]+ \([0-9]+\.[0-9]{2}%\)$`)},
	} {
		s.Do(t, "FLUSHALL")
		ctx, cancel := context.WithCancel(context.Background())
		out := &linesThenCancel{n: 2, cancel: cancel}
		var errOut bytes.Buffer
		// 400ms a reading: two batches a cycle.
		err := lruTest(ctx, out, &errOut, c, stepClock(400*time.Millisecond), rand.New(rand.NewPCG(1, 2)), tc.keys)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d keys: output %q", tc.keys, out.String())
		}
		for _, l := range lines {
			if !tc.line.MatchString(l) {
				t.Errorf("%d keys: line %q", tc.keys, l)
			}
		}
		if errOut.Len() != 0 {
			t.Errorf("stderr %q", errOut.String())
		}
		if n := s.Do(t, "DBSIZE").Int; n < 1 || n > tc.keys {
			t.Errorf("%d keys: DBSIZE %d", tc.keys, n)
		}
		if v := s.Do(t, "KEYS", "*"); v.Len() > 0 && !strings.HasPrefix(v.Elems[0].Text(), "lru:") {
			t.Errorf("keys %v", v.Elems[0].Text())
		}
	}
}

// fakeLRUPipe answers SETs with OK and GETs from a script.
type fakeLRUPipe struct {
	gets []resp.Value
	sent int
}

func (f *fakeLRUPipe) Pipeline(_ context.Context, cmds [][][]byte, fn redisx.ReplyFunc) error {
	for i, c := range cmds {
		v := resp.Status("OK")
		if string(c[0]) == "GET" {
			v = f.gets[f.sent%len(f.gets)]
			f.sent++
		}
		if err := fn(i, v, nil); err != nil {
			return err
		}
	}
	return nil
}

func TestLRUTestCounts(t *testing.T) {
	p := &fakeLRUPipe{gets: []resp.Value{resp.BulkString("x"), resp.Nil(), resp.Nil(), resp.ErrorReply("OOM command not allowed when used memory > 'maxmemory'.")}}
	ctx, cancel := context.WithCancel(context.Background())
	out := &linesThenCancel{n: 1, cancel: cancel}
	var errOut bytes.Buffer
	lruTest(ctx, out, &errOut, p, stepClock(600*time.Millisecond), rand.New(rand.NewPCG(1, 2)), 10)
	// One batch of 250 GETs: 63 values, 125 nils, 62 errors (not counted).
	if want := "188 Gets/sec | Hits: 63 (33.51%) | Misses: 125 (66.49%)\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	if n := strings.Count(errOut.String(), "OOM command not allowed when used memory > 'maxmemory'.\n"); n != 62 {
		t.Errorf("%d error lines:\n%s", n, errOut.String())
	}
}

func TestLRUTestNoReads(t *testing.T) {
	p := &fakeLRUPipe{gets: []resp.Value{resp.ErrorReply("ERR x")}}
	ctx, cancel := context.WithCancel(context.Background())
	out := &linesThenCancel{n: 1, cancel: cancel}
	lruTest(ctx, out, &bytes.Buffer{}, p, stepClock(600*time.Millisecond), rand.New(rand.NewPCG(1, 2)), 10)
	if want := "0 Gets/sec | Hits: 0 (-nan%) | Misses: 0 (-nan%)\n"; out.String() != want {
		t.Errorf("got %q, want %q (as redis-cli prints 0/0)", out.String(), want)
	}
}

// TestPowerLaw: 20% of the keys get about 80% of the requests.
func TestLRUTestPowerLaw(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	const keys, n = 1000, 200000
	low := 0
	for range n {
		k := powerLawRand(rnd, 1, keys, lruAlpha)
		if k < 1 || k > keys {
			t.Fatalf("key %d out of 1..%d", k, keys)
		}
		if k <= keys/5 {
			low++
		}
	}
	if share := float64(low) / n; share < 0.75 || share > 0.85 {
		t.Errorf("the first 20%% of the keys got %.1f%% of the requests, want about 80%%", 100*share)
	}
}

func TestLRUTestBadKeys(t *testing.T) {
	if err := lruTest(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, &fakeLRUPipe{}, time.Now, rand.New(rand.NewPCG(1, 2)), 0); err == nil {
		t.Error("0 keys accepted")
	}
}
