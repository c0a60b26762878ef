package diag

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/redistest"
)

func TestBigKeysInterval(t *testing.T) {
	s := redistest.Start(t)
	for i := 0; i < 1200; i += 100 {
		args := []string{"MSET"}
		for j := i; j < i+100; j++ {
			args = append(args, "k"+strconv.Itoa(j), "v")
		}
		s.Do(t, args...)
	}
	var slept []time.Duration
	clock := &hookClock{sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}}
	o := Options{Mode: BigKeys, Interval: 250 * time.Millisecond}
	if _, errOut, err := runDiag(context.Background(), t, s, format.Raw, clock, o); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	// 1200 keys take over 100 SCAN calls of about 10 keys: one sleep per
	// 100 calls, as redis-cli's header says.
	if len(slept) == 0 || slices.ContainsFunc(slept, func(d time.Duration) bool { return d != 250*time.Millisecond }) {
		t.Errorf("slept %v, want 250ms after each 100 SCAN calls", slept)
	}

	// Interrupted during the first sleep: the summary of what was sampled,
	// prefixed with the progress as redis-cli prints it, and the
	// interruption as the error (cmd prints "Interrupted during
	// --bigkeys." for it and exits 130).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}
	out, errOut, err := runDiag(ctx, t, s, format.Raw, clock, o)
	if !errors.Is(err, context.Canceled) || errOut != "" {
		t.Errorf("error %v, stderr %q; want the interruption and nothing on stderr", err, errOut)
	}
	summary := regexp.MustCompile(`\n-------- summary -------\n\n\[\d\d\.\d\d%\] Sampled (\d+) keys in the keyspace!\n`)
	m := summary.FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[1] == "1200" {
		t.Errorf("output after the interrupt:\n%s", out)
	}
}

func TestTypeDictOrder(t *testing.T) {
	tests := []struct {
		lookups int
		want    string
	}{
		{0, "hash list string stream set zset"},
		{1, "string list hash stream set zset"},
		{2, "list hash string stream set zset"},
		{1000, "list hash string stream set zset"},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.lookups), func(t *testing.T) {
			d := newTypeDict()
			for i := range builtinTypes {
				bt := builtinTypes[i]
				d.add(&bt)
			}
			for i := 0; i < tc.lookups; i++ {
				if d.find("string") == nil {
					t.Fatal("string not found")
				}
			}
			var names []string
			for _, kt := range d.types() {
				names = append(names, kt.name)
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Errorf("order %q, want %q (redis-cli 7.0.15's)", got, tc.want)
			}
		})
	}
	t.Run("module types", func(t *testing.T) {
		d := newTypeDict()
		for i := range builtinTypes {
			bt := builtinTypes[i]
			d.add(&bt)
		}
		for _, name := range []string{"ReJSON-RL", "MBbloom--", "TopK-TYPE"} {
			d.add(&keyType{name: name})
			if d.find(name) == nil {
				t.Errorf("%s not found after add", name)
			}
		}
		if n := len(d.types()); n != 9 {
			t.Errorf("%d types listed, want 9", n)
		}
	})
}

func TestCPercent(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "00.00"}, {1.666666, "01.67"}, {12.5, "12.50"}, {100, "100.00"},
	}
	for _, tc := range tests {
		if got := cPercent(tc.in); got != tc.want {
			t.Errorf("cPercent(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
