package diag

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"testing"
	"time"
)

// scripted returns a clock that reads the times given, then fails the
// test if asked for more.
func scriptedUs(t *testing.T, times ...int64) usClock {
	return func() int64 {
		if len(times) == 0 {
			t.Fatal("clock read more often than scripted")
		}
		v := times[0]
		times = times[1:]
		return v
	}
}

func TestIntrinsicScripted(t *testing.T) {
	// The first read sets the end; then a start and an end per run. A run
	// of 0µs neither reports nor ends the test.
	clock := scriptedUs(t, 0, 0, 0, 1, 3, 3, 4, 4, 9, 9, 12)
	var out bytes.Buffer
	if err := intrinsic(context.Background(), &out, 10*time.Microsecond, clock); err != nil {
		t.Fatal(err)
	}
	want := "Max latency so far: 2 microseconds.\n" +
		"Max latency so far: 5 microseconds.\n" +
		"\n5 total runs (avg latency: 2.0000 microseconds / 2000.00 nanoseconds per run).\n" +
		// 5/2 = 2.5 rounds to even, as C's printf rounds it.
		"Worst run took 2x longer than the average latency.\n"
	if out.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", out.String(), want)
	}
}

// TestRunInterrupted: Ctrl-C ends the measurement at the next run that
// took time, with the summary (the average still over the whole duration
// asked for, as redis-cli computes it).
func TestIntrinsicInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Wait for the watcher to see the cancellation before the first run.
	var out bytes.Buffer
	reads := 0
	clock := func() int64 {
		reads++
		if reads == 2 {
			time.Sleep(10 * time.Millisecond)
		}
		return int64(reads)
	}
	if err := intrinsic(ctx, &out, time.Hour, clock); err != nil {
		t.Fatal(err)
	}
	want := "Max latency so far: 1 microseconds.\n" +
		"\n1 total runs (avg latency: 3600000000.0000 microseconds / 3600000000000.00 nanoseconds per run).\n" +
		"Worst run took 0x longer than the average latency.\n"
	if out.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", out.String(), want)
	}
}

func TestIntrinsicZeroSeconds(t *testing.T) {
	var out bytes.Buffer
	if err := intrinsic(context.Background(), &out, 0, scriptedUs(t, 5, 5, 7)); err != nil {
		t.Fatal(err)
	}
	want := "Max latency so far: 2 microseconds.\n\n1 total runs (avg latency: 0.0000 microseconds / 0.00 nanoseconds per run).\n" +
		"Worst run took infx longer than the average latency.\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// TestRunRealClock runs a short real measurement and checks the shape of
// what it prints.
func TestIntrinsicRealClock(t *testing.T) {
	var out bytes.Buffer
	if err := intrinsic(context.Background(), &out, 50*time.Millisecond, monotonicUs()); err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`^(Max latency so far: [1-9][0-9]* microseconds\.\n)+\n[1-9][0-9]* total runs \(avg latency: [0-9]+\.[0-9]{4} microseconds / [0-9]+\.[0-9]{2} nanoseconds per run\)\.\nWorst run took [0-9]+x longer than the average latency\.\n$`)
	if !shape.Match(out.Bytes()) {
		t.Errorf("output:\n%s", out.String())
	}
}

func BenchmarkIntrinsicRun(b *testing.B) {
	work := newShuffle()
	for b.Loop() {
		work.run()
	}
}

// TestManual prints a one-second measurement when INTRINSIC_MANUAL is set,
// to compare with redis-cli --intrinsic-latency 1 on the same machine.
func TestIntrinsicManual(t *testing.T) {
	if os.Getenv("INTRINSIC_MANUAL") == "" {
		t.Skip("set INTRINSIC_MANUAL=1")
	}
	intrinsic(context.Background(), os.Stdout, time.Second, monotonicUs())
}
