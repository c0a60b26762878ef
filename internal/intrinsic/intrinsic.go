// Package intrinsic measures the latency the system adds to a process
// that makes no system call (--intrinsic-latency SECONDS), as redis-cli
// does: it runs a short computation over and over, times each run in
// microseconds, and reports the worst one against the average. A run far
// longer than the average is time the kernel (or a hypervisor) kept the
// process from running, which a Redis server on the same machine suffers
// too. No server is involved.
package intrinsic

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync/atomic"
	"time"
)

// Options configure a measurement.
type Options struct {
	// Duration is how long to measure (redis-cli takes whole seconds).
	Duration time.Duration
}

// Clock returns the current time in microseconds on a monotonic clock.
type Clock func() int64

// SystemClock is Clock on the monotonic clock of the time package.
func SystemClock() Clock {
	start := time.Now()
	return func() int64 { return time.Since(start).Microseconds() }
}

// Run measures for o.Duration, or until ctx ends (Ctrl-C), and writes to
// out what redis-cli writes: a line each time the worst run so far gets
// worse, then the number of runs, the average and how many times longer
// the worst run took. Like redis-cli, the average is the whole duration
// asked for divided by the runs, even when interrupted early, and runs
// that took no measurable time (0 µs) never end the measurement.
func Run(ctx context.Context, out io.Writer, o Options, now Clock) error {
	var stop atomic.Bool
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			stop.Store(true)
		case <-done:
		}
	}()
	runTime := o.Duration.Microseconds()
	testEnd := now() + runTime
	var maxLatency, runs int64
	work := newShuffle()
	for {
		start := now()
		work.run()
		end := now()
		latency := end - start
		runs++
		if latency <= 0 {
			continue
		}
		if latency > maxLatency {
			maxLatency = latency
			if _, err := fmt.Fprintf(out, "Max latency so far: %d microseconds.\n", maxLatency); err != nil {
				return err
			}
		}
		avgUs := float64(runTime) / float64(runs)
		if stop.Load() || end > testEnd {
			_, err := fmt.Fprintf(out, "\n%d total runs (avg latency: %s microseconds / %s nanoseconds per run).\n"+
				"Worst run took %sx longer than the average latency.\n",
				runs, cFloat(avgUs, 4), cFloat(avgUs*1e3, 2), cFloat(float64(maxLatency)/avgUs, 0))
			return err
		}
	}
}

// cFloat formats f with prec decimals as C's printf does, infinities and
// NaN included (0 seconds asked for makes the average 0).
func cFloat(f float64, prec int) string {
	switch {
	case math.IsNaN(f):
		return "-nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// shuffle is the computation's state, kept between runs: redis-cli's
// compiled loop has nothing to set up either.
type shuffle struct {
	s      [256]byte
	i, j   byte
	output uint64
}

func newShuffle() *shuffle {
	st := &shuffle{}
	for k := range st.s {
		st.s[k] = byte(k)
	}
	return st
}

// computeRounds is the work of one run. redis-cli's compute_something_fast
// (a thousand rounds of an RC4-like byte shuffle) is folded into a
// constant by the C compiler, since its input never changes, so a run of
// redis-cli costs little more than its two clock reads (about 50ns).
// A few rounds here keep a run as short, so that the average, and the
// worst run against it, mean what they mean in redis-cli.
const computeRounds = 8

// run does computeRounds rounds of the shuffle, a few nanoseconds of
// work with no system call.
func (st *shuffle) run() {
	for range computeRounds {
		st.i++
		st.j += st.s[st.i]
		st.s[st.i], st.s[st.j] = st.s[st.j], st.s[st.i]
		st.output += uint64(st.s[st.s[st.i]+st.s[st.j]])
	}
}
