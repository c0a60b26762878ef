package diag

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

// redisCLI runs redis-cli with args and returns its stdout, stderr and
// exit status.
func redisCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(redistest.RedisCLI(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// hotKeysOn runs --hotkeys on s and returns what it printed and the exit
// status cmd would give the run (the message of a failure on stderr).
func hotKeysOn(t *testing.T, s *redistest.Server, o Options) (string, string, int) {
	t.Helper()
	o.Mode = HotKeys
	out, errOut, err := runDiag(context.Background(), t, s, format.Raw, newFakeClock(), o)
	var e *env.ExitError
	switch {
	case err == nil:
		return out, errOut, 0
	case errors.As(err, &e):
		return out, errOut + e.Msg + "\n", e.Code
	}
	t.Fatalf("--hotkeys: %v", err)
	return "", "", 0
}

func TestHotKeysMatchRedisCLI(t *testing.T) {
	// lfu-log-factor 0: every access counts one, so the counters are
	// exact and the pool sees ties, increases and decreases.
	s := redistest.Start(t, redistest.WithConfig("maxmemory-policy", "allkeys-lfu"), redistest.WithConfig("lfu-log-factor", "0"))
	port := strconv.Itoa(s.Port)

	t.Run("no keys", func(t *testing.T) {
		wantOut, wantErr, wantCode := redisCLI(t, "-p", port, "--hotkeys")
		out, errOut, code := hotKeysOn(t, s, Options{})
		if out != wantOut || errOut != wantErr || code != wantCode {
			t.Errorf("got %d\n%q\n%q\nredis-cli %d\n%q\n%q", code, out, errOut, wantCode, wantOut, wantErr)
		}
	})

	rnd := rand.New(rand.NewPCG(7, 11))
	c := redisx.NewClient(s.Options())
	defer c.Close()
	ctx := context.Background()
	for _, i := range rnd.Perm(60) {
		key := "hot:" + strconv.Itoa(i)
		if i == 7 {
			key = "hot:\n\"quoted\"\xff" // escaped in the report
		}
		if _, err := c.Do(ctx, redisx.Args("SET", key, "v")); err != nil {
			t.Fatal(err)
		}
		// Accesses: some ties, some large counts.
		for range (i * 7) % 45 {
			if _, err := c.Do(ctx, redisx.Args("GET", key)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		o    Options
	}{
		{"all keys", nil, Options{}},
		{"pattern", []string{"--pattern", "hot:1*"}, Options{Match: []byte("hot:1*")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOut, wantErr, wantCode := redisCLI(t, append([]string{"-p", port, "--hotkeys"}, tc.args...)...)
			out, errOut, code := hotKeysOn(t, s, tc.o)
			if out != wantOut || errOut != wantErr || code != wantCode {
				t.Errorf("got %d\n%s\n%q\nredis-cli %d\n%s\n%q", code, out, errOut, wantCode, wantOut, wantErr)
			}
			if code != 0 || len(out) < 500 {
				t.Errorf("a short report:\n%s", out)
			}
		})
	}
	t.Run("without LFU", func(t *testing.T) {
		s.Do(t, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
		defer s.Do(t, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
		wantOut, wantErr, wantCode := redisCLI(t, "-p", port, "--hotkeys")
		out, errOut, code := hotKeysOn(t, s, Options{})
		if out != wantOut || errOut != wantErr || code != wantCode || code != 1 {
			t.Errorf("got %d\n%q\n%q\nredis-cli %d\n%q\n%q", code, out, errOut, wantCode, wantOut, wantErr)
		}
	})
	t.Run("interval and interruption", func(t *testing.T) {
		// 260 keys in SCANs of COUNT 1: more than 100 calls, hence a
		// pause; interrupted during it, the summary says how far it got.
		args := []string{"MSET"}
		for i := range 200 {
			args = append(args, "cold:"+strconv.Itoa(i), "v")
		}
		s.Do(t, args...)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var slept []time.Duration
		clock := &hookClock{sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			cancel()
			return ctx.Err()
		}}
		out, _, err := runDiag(ctx, t, s, format.Raw, clock, Options{Mode: HotKeys, Interval: time.Second, Count: 1, CountSet: true})
		if !errors.Is(err, context.Canceled) || !slices.Equal(slept, []time.Duration{time.Second}) {
			t.Fatalf("error %v, slept %v", err, slept)
		}
		if !regexp.MustCompile(`\n-------- summary -------\n\n\[\d\d\.\d\d%\] Sampled \d+ keys in the keyspace!\nhot key found with counter: `).MatchString(out) {
			t.Errorf("output after the interrupt:\n%s", out)
		}
	})
}

// TestHotKeysPool: the eviction pool as redis-cli keeps it.
func TestHotKeysPool(t *testing.T) {
	s := &hotScan{}
	var admitted []bool
	for i, f := range []uint64{5, 3, 5, 9, 1, 0, 7} {
		admitted = append(admitted, s.admit(f, "k"+strconv.Itoa(i)))
	}
	if want := []bool{true, true, true, true, true, false, true}; !slices.Equal(admitted, want) {
		t.Errorf("admitted %v, want %v", admitted, want)
	}
	// redis-cli's quirks: a key takes the place of the hottest key colder
	// than it, shifting the colder ones down only when that place was
	// taken (the second 5 goes below the first).
	got := s.summary(false)
	want := "\n-------- summary -------\n\nSampled 0 keys in the keyspace!\n" +
		"hot key found with counter: 9\tkeyname: k3\n" +
		"hot key found with counter: 7\tkeyname: k6\n" +
		"hot key found with counter: 5\tkeyname: k0\n" +
		"hot key found with counter: 5\tkeyname: k2\n" +
		"hot key found with counter: 3\tkeyname: k1\n" +
		"hot key found with counter: 1\tkeyname: k4\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
