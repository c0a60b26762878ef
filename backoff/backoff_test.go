package backoff_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/backoff"
)

// fixed is a Rand that always returns the same number.
type fixed float64

func (f fixed) Float64() float64 { return float64(f) }

const ms = time.Millisecond

// ladder returns the wait for failure f (1-based) from the listed waits,
// repeating the last one once they run out.
func ladder(f int, waits ...time.Duration) time.Duration {
	return waits[min(f, len(waits))-1]
}

func TestStrategiesWithDefaults(t *testing.T) {
	tests := []struct {
		name string
		rnd  backoff.Rand
		want func(f int) time.Duration
	}{
		{backoff.NameNone, fixed(0.5), func(int) time.Duration { return 0 }},
		{backoff.NameConstant, fixed(0.5), func(int) time.Duration { return 8 * ms }},
		{backoff.NameExponential, fixed(0.5), func(f int) time.Duration {
			return ladder(f, 16*ms, 32*ms, 64*ms, 128*ms, 256*ms, 512*ms)
		}},
		// rand(0, e) with r = 0.5: half of the exponential wait.
		{backoff.NameFullJitter, fixed(0.5), func(f int) time.Duration {
			return ladder(f, 8*ms, 16*ms, 32*ms, 64*ms, 128*ms, 256*ms)
		}},
		{backoff.NameFullJitter, fixed(0), func(int) time.Duration { return 0 }},
		// t + rand(0, t) with t = e/2 and r = 0.5: three quarters of e.
		{backoff.NameEqualJitter, fixed(0.5), func(f int) time.Duration {
			return ladder(f, 12*ms, 24*ms, 48*ms, 96*ms, 192*ms, 384*ms)
		}},
		{backoff.NameEqualJitter, fixed(0), func(f int) time.Duration {
			return ladder(f, 8*ms, 16*ms, 32*ms, 64*ms, 128*ms, 256*ms)
		}},
		// prev = min(cap, 8ms + 0.5 * (max(8ms, 3*prev) - 8ms)), from prev = 0.
		{backoff.NameDecorrelatedJitter, fixed(0.5), func(f int) time.Duration {
			return ladder(f, 8*ms, 16*ms, 28*ms, 46*ms, 73*ms,
				113500*time.Microsecond, 174250*time.Microsecond,
				265375*time.Microsecond, 402062500*time.Nanosecond, 512*ms)
		}},
		{backoff.NameDecorrelatedJitter, fixed(0), func(int) time.Duration { return 8 * ms }},
		// min(cap, 0.5 * 8ms * 2^f): the cap applies after the jitter.
		{backoff.NameExponentialJitter, fixed(0.5), func(f int) time.Duration {
			return ladder(f, 8*ms, 16*ms, 32*ms, 64*ms, 128*ms, 256*ms, 512*ms)
		}},
		{backoff.NameExponentialJitter, fixed(0), func(int) time.Duration { return 0 }},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.name, "/", tt.rnd), func(t *testing.T) {
			b, err := backoff.New(tt.name, backoff.DefaultBase, backoff.DefaultCap, tt.rnd)
			if err != nil {
				t.Fatal(err)
			}
			b.Reset()
			for f := 1; f <= 64; f++ {
				if got, want := b.Compute(f), tt.want(f); got != want {
					t.Errorf("Compute(%d) = %v, want %v", f, got, want)
				}
			}
		})
	}
}

func (f fixed) String() string { return fmt.Sprintf("r=%g", float64(f)) }

func TestExponentialDefaults(t *testing.T) {
	b, err := backoff.New("exponential", backoff.DefaultBase, backoff.DefaultCap, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for f := 1; f <= 8; f++ {
		got = append(got, b.Compute(f))
	}
	want := []time.Duration{16 * ms, 32 * ms, 64 * ms, 128 * ms, 256 * ms, 512 * ms, 512 * ms, 512 * ms}
	if !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

// TestSaturation checks that huge failure counts and huge bases saturate at
// the cap instead of overflowing.
func TestSaturation(t *testing.T) {
	almostOne := fixed(math.Nextafter(1, 0))
	caps := []time.Duration{backoff.DefaultCap, time.Hour, math.MaxInt64}
	bases := []time.Duration{1, backoff.DefaultBase, time.Hour}
	counts := []int{62, 63, 64, 65, 100, 1000, 1 << 20, math.MaxInt}
	for _, name := range backoff.Names() {
		if !backoff.UsesCap(name) {
			continue
		}
		for _, cap := range caps {
			for _, base := range bases {
				if base > cap {
					continue
				}
				t.Run(name+"/"+base.String()+"/"+cap.String(), func(t *testing.T) {
					b, err := backoff.New(name, base, cap, almostOne)
					if err != nil {
						t.Fatal(err)
					}
					if name == backoff.NameDecorrelatedJitter {
						// It grows with its calls, not with f: let it climb first.
						for range 100 {
							b.Compute(1)
						}
					}
					for _, f := range counts {
						got := b.Compute(f)
						if got < 0 || got > cap {
							t.Fatalf("Compute(%d) = %v, outside [0, %v]", f, got, cap)
						}
						if name != backoff.NameFullJitter && name != backoff.NameEqualJitter && got < cap*99/100 {
							t.Errorf("Compute(%d) = %v, want about the cap %v", f, got, cap)
						}
					}
				})
			}
		}
	}
}

func TestExponentialExact(t *testing.T) {
	tests := []struct {
		base, cap time.Duration
		f         int
		want      time.Duration
	}{
		{1, math.MaxInt64, 62, 1 << 62},
		{1, math.MaxInt64, 63, math.MaxInt64},
		{2, math.MaxInt64, 62, math.MaxInt64},
		{3, 1 << 40, 38, 3 << 38},
		{3, 1 << 40, 39, 1 << 40},
		{time.Second, time.Minute, 5, 32 * time.Second},
		{time.Second, time.Minute, 6, time.Minute},
		{8 * ms, 512 * ms, 0, 8 * ms},
		{8 * ms, 512 * ms, -5, 8 * ms},
		{0, 512 * ms, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.base.String()+"/"+tt.cap.String(), func(t *testing.T) {
			e := backoff.Exponential{Base: tt.base, Cap: tt.cap}
			if got := e.Compute(tt.f); got != tt.want {
				t.Errorf("Compute(%d) = %v, want %v", tt.f, got, tt.want)
			}
		})
	}
}

// seq is a Rand returning its numbers in turn.
type seq struct {
	v []float64
	i int
}

func (s *seq) Float64() float64 {
	v := s.v[s.i%len(s.v)]
	s.i++
	return v
}

func TestDecorrelatedReset(t *testing.T) {
	d := &backoff.DecorrelatedJitter{Base: 8 * ms, Cap: 512 * ms, Rand: &seq{v: []float64{0.5, 0.25}}}
	first := []time.Duration{d.Compute(1), d.Compute(2), d.Compute(3)}
	// 8ms; 8 + 0.25*16 = 12ms; 8 + 0.5*28 = 22ms.
	if want := []time.Duration{8 * ms, 12 * ms, 22 * ms}; !slices.Equal(first, want) {
		t.Fatalf("waits = %v, want %v", first, want)
	}
	d.Reset()
	if got := d.Compute(4); got != 8*ms {
		t.Errorf("after Reset, Compute = %v, want the base 8ms", got)
	}
}

func TestGlobalRandStaysInRange(t *testing.T) {
	for _, name := range backoff.Names() {
		t.Run(name, func(t *testing.T) {
			b, err := backoff.New(name, backoff.DefaultBase, backoff.DefaultCap, nil)
			if err != nil {
				t.Fatal(err)
			}
			for f := 1; f <= 200; f++ {
				if got := b.Compute(f); got < 0 || got > backoff.DefaultCap {
					t.Fatalf("Compute(%d) = %v, outside [0, %v]", f, got, backoff.DefaultCap)
				}
			}
		})
	}
}

func TestFaultyRandIsClamped(t *testing.T) {
	for _, r := range []float64{-1, 1, 2, math.NaN(), math.Inf(1)} {
		b := backoff.FullJitter{Base: 8 * ms, Cap: 512 * ms, Rand: fixed(r)}
		if got := b.Compute(3); got < 0 || got > 64*ms {
			t.Errorf("r=%v: Compute(3) = %v, outside [0, 64ms]", r, got)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name      string
		base, cap time.Duration
		wantErr   error
		wantMsg   string
	}{
		{"exponential", 8 * ms, 512 * ms, nil, ""},
		{"Full-Jitter", 8 * ms, 512 * ms, nil, ""},
		{"bogus", 8 * ms, 512 * ms, backoff.ErrUnknown,
			`unknown backoff "bogus" (valid: none, constant, exponential, full-jitter, equal-jitter, decorrelated-jitter, exponential-jitter)`},
		{"exponential", -1, 512 * ms, backoff.ErrInvalid, "base -1ns is negative"},
		{"none", 0, 0, backoff.ErrInvalid, "cap 0s must be > 0"},
		{"exponential", time.Second, 512 * ms, backoff.ErrInvalid, "base 1s is greater than cap 512ms"},
		{"constant", time.Second, 512 * ms, nil, ""},
		{"none", time.Second, 512 * ms, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := backoff.New(tt.name, tt.base, tt.cap, rand.New(rand.NewPCG(1, 2)))
			if tt.wantErr == nil {
				if err != nil || b == nil {
					t.Fatalf("New = %v, %v; want a backoff", b, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("New error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("New error = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestNames(t *testing.T) {
	n := backoff.Names()
	if len(n) != 7 || n[0] != "none" || n[6] != "exponential-jitter" {
		t.Fatalf("Names() = %v", n)
	}
	n[0] = "changed"
	if backoff.Names()[0] != "none" {
		t.Error("Names() returned its internal slice")
	}
}

func BenchmarkCompute(b *testing.B) {
	for _, name := range backoff.Names() {
		bo, err := backoff.New(name, backoff.DefaultBase, backoff.DefaultCap, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for i := range b.N {
				bo.Compute(i%64 + 1)
			}
		})
	}
}

// FuzzCompute checks that every strategy stays within [0, cap] for any
// base, cap, failure count and random draw.
func FuzzCompute(f *testing.F) {
	f.Add(uint8(2), int64(8*ms), int64(512*ms), 1, 0.5)
	f.Add(uint8(6), int64(1), int64(math.MaxInt64), math.MaxInt, 0.999)
	f.Add(uint8(5), int64(time.Hour), int64(time.Hour), -7, 0.0)
	f.Fuzz(func(t *testing.T, which uint8, base, cap int64, failures int, r float64) {
		names := backoff.Names()
		name := names[int(which)%len(names)]
		b, err := backoff.New(name, time.Duration(base), time.Duration(cap), fixed(r))
		if err != nil {
			return
		}
		for range 3 { // decorrelated-jitter moves on every call
			got := b.Compute(failures)
			limit := time.Duration(cap)
			if name == backoff.NameConstant {
				limit = time.Duration(base)
			}
			if got < 0 || got > limit {
				t.Fatalf("%s(base=%d, cap=%d).Compute(%d) with r=%v = %d, outside [0, %d]", name, base, cap, failures, r, got, limit)
			}
		}
	})
}
