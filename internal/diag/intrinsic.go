package diag

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redish/redish/internal/env"
)

// --intrinsic-latency SECONDS measures the latency the system adds to a
// process that makes no system call, as redis-cli does: it runs a short
// computation over and over, times each run in microseconds, and reports
// the worst one against the average. A run far longer than the average
// is time the kernel (or a hypervisor) kept the process from running,
// which a Redis server on the same machine suffers too.

// usClock returns the current time in microseconds on a monotonic clock.
type usClock func() int64

// monotonicUs is usClock on the monotonic clock of the time package.
func monotonicUs() usClock {
	start := time.Now()
	return func() int64 { return time.Since(start).Microseconds() }
}

// runIntrinsic runs --intrinsic-latency: no server is involved. It
// measures with the system's clock, whatever e's clock: a fake clock
// would measure nothing.
func runIntrinsic(ctx context.Context, e *env.Env, o Options) error {
	return intrinsic(ctx, textWriter{e.Printer}, o.Duration, monotonicUs())
}

// intrinsic measures for duration, or until ctx ends (Ctrl-C), and writes
// to out what redis-cli writes: a line each time the worst run so far gets
// worse, then the number of runs, the average and how many times longer
// the worst run took. Like redis-cli, the average is the whole duration
// asked for divided by the runs, even when interrupted early, and runs
// that took no measurable time (0 µs) never end the measurement.
func intrinsic(ctx context.Context, out io.Writer, duration time.Duration, now usClock) error {
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
	runTime := duration.Microseconds()
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
