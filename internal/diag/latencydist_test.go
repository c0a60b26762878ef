package diag

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/retry/retrytest"
)

// scriptedPings returns a ping that takes the given round trips on clock,
// then cancels the run.
func scriptedPings(clock *retrytest.Clock, cancel context.CancelFunc, latencies ...time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		if len(latencies) == 0 {
			cancel()
			return ctx.Err()
		}
		clock.Advance(latencies[0])
		latencies = latencies[1:]
		return nil
	}
}

const us = time.Microsecond

// Two windows of 50ms: six PINGs (10ms apart) in the first, one of 70s in
// the second.
var latencies = []time.Duration{5 * us, 100 * us, 125 * us, 300 * us, 2000 * us, 900 * us, 70 * time.Second}

func runDist(t *testing.T, o distOptions) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := retrytest.NewClock()
	var out bytes.Buffer
	o.Interval = 50 * time.Millisecond
	err := latencyDist(ctx, &out, scriptedPings(clock, cancel, latencies...), clock, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if got := len(clock.Waits()); got != len(latencies) {
		t.Errorf("%d waits, want one after each of the %d PINGs", got, len(latencies))
	}
	return out.String()
}

// spectrum renders a spectrum line from the palette index of each
// bucket, as redis-cli writes it.
func spectrum(palette []int, idx map[byte]int) string {
	var b strings.Builder
	b.WriteString("\x1b[38;5;0m")
	for _, c := range []byte(".-*#123456789ABCDEFGHIJKLMNOPQ?") {
		fmt.Fprintf(&b, "\x1b[48;5;%dm%c", palette[idx[c]], c)
	}
	b.WriteString("\x1b[0m\n")
	return b.String()
}

func TestLatencyDistSpectrum(t *testing.T) {
	legend := "---------------------------------------------\n" +
		". - * #          .01 .125 .25 .5 milliseconds\n" +
		"1,2,3,...,9      from 1 to 9     milliseconds\n" +
		"A,B,C,D,E        10,20,30,40,50  milliseconds\n" +
		"F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n" +
		"K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n" +
		"From 0 to 100%: \x1b[48;5;0m \x1b[48;5;233m \x1b[48;5;234m \x1b[48;5;235m \x1b[48;5;237m \x1b[48;5;239m \x1b[48;5;241m \x1b[48;5;243m \x1b[48;5;245m \x1b[48;5;247m \x1b[48;5;144m \x1b[48;5;143m \x1b[48;5;142m \x1b[48;5;184m \x1b[48;5;226m \x1b[48;5;214m \x1b[48;5;208m \x1b[48;5;202m \x1b[48;5;196m \x1b[0m\n" +
		"---------------------------------------------\n"
	// 6 samples: 1/6 of 18 palette steps is 3, 2/6 is 6; 1/1 is 18.
	want := legend +
		spectrum(colorPalette, map[byte]int{'.': 3, '-': 6, '#': 3, '1': 3, '2': 3}) +
		spectrum(colorPalette, map[byte]int{'?': 18})
	if got := runDist(t, distOptions{Spectrum: true}); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestLatencyDistMono(t *testing.T) {
	got := runDist(t, distOptions{Spectrum: true, Mono: true})
	// 12 grey steps: 1/6 is 2, 2/6 is 4.
	if want := spectrum(monoPalette, map[byte]int{'.': 2, '-': 4, '#': 2, '1': 2, '2': 2}); !strings.Contains(got, want) {
		t.Errorf("got:\n%q\nwant a line %q", got, want)
	}
	if !strings.Contains(got, "From 0 to 100%: \x1b[48;5;0m \x1b[48;5;233m") || strings.Contains(got, "\x1b[48;5;196m") {
		t.Errorf("legend not in greys:\n%q", got)
	}
}

func TestLatencyDistPlain(t *testing.T) {
	want := "---------------------------------------------\n" +
		". - * #          .01 .125 .25 .5 milliseconds\n" +
		"1,2,3,...,9      from 1 to 9     milliseconds\n" +
		"A,B,C,D,E        10,20,30,40,50  milliseconds\n" +
		"F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n" +
		"K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n" +
		"---------------------------------------------\n" +
		"6 samples: . 16.7%, - 33.3%, # 16.7%, 1 16.7%, 2 16.7%\n" +
		"1 sample: ? 100.0%\n"
	if got := runDist(t, distOptions{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestLegendEvery20: the legend comes back every 20 lines.
func TestLatencyDistLegendEvery20(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := retrytest.NewClock()
	pings := make([]time.Duration, 45)
	for i := range pings {
		pings[i] = 1500 * time.Millisecond // each PING alone ends a window
	}
	var out bytes.Buffer
	latencyDist(ctx, &out, scriptedPings(clock, cancel, pings...), clock, distOptions{})
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var legends []int
	for i, l := range lines {
		if strings.HasPrefix(l, ". - * #") {
			legends = append(legends, i)
		}
	}
	// Each legend is 7 lines; the samples lines between are 20.
	if want := []int{1, 28, 55}; fmt.Sprint(legends) != fmt.Sprint(want) {
		t.Errorf("legends at lines %v, want %v\n%s", legends, want, out.String())
	}
	if n := strings.Count(out.String(), "1 sample: ? 100.0%"); n != 0 {
		t.Errorf("1.5s PINGs counted over a minute")
	}
	if n := strings.Count(out.String(), "1 sample: L 100.0%"); n != 45 {
		t.Errorf("%d lines of 1.5s PINGs, want 45", n)
	}
}

func TestLatencyDistPingFailure(t *testing.T) {
	boom := errors.New("connection reset")
	err := latencyDist(context.Background(), &bytes.Buffer{}, func(context.Context) error { return boom }, retrytest.NewClock(), distOptions{})
	if !errors.Is(err, boom) {
		t.Errorf("Run: %v, want the PING's failure", err)
	}
}
