package diag

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

// --latency-dist: the distribution of PING round trips over time, as
// redis-cli shows it. Every 10ms a PING is timed in microseconds and
// counted in one of 31 buckets (.01ms to over a minute); every second
// (-i) the buckets are shown as one line and emptied.
//
// On a terminal the line is redis-cli's spectrum: each bucket's character
// on a background whose brightness grows with the share of the samples
// that fell in it (xterm's 256 colours, or greys with --mono), under a
// legend repeated every 20 lines. Elsewhere (a pipe, a file, --raw) the
// colours would be noise: each line lists the buckets that got samples,
// with their share, under the same legend without its colour bar.

// distOptions configure --latency-dist.
type distOptions struct {
	// Interval is how often a line is shown; 0 means every second.
	Interval time.Duration
	// Mono uses redis-cli's grey palette (--mono) instead of colours.
	Mono bool
	// Spectrum draws the coloured spectrum (stdout is a terminal); false
	// prints the plain form.
	Spectrum bool
}

// latencyDistDefault is the time between two lines without -i.
const latencyDistDefault = time.Second

// legendEvery is how many lines are shown under one legend.
const legendEvery = 20

// bucket is redis-cli's distsamples: samples up to max microseconds
// (0: any larger), shown as char.
type bucket struct {
	max   int64
	char  byte
	count int64
}

// newBuckets returns redis-cli's scale: mostly logarithmic, linear from 1
// to 10 milliseconds.
func newBuckets() []bucket {
	return []bucket{
		{10, '.', 0}, {125, '-', 0}, {250, '*', 0}, {500, '#', 0},
		{1000, '1', 0}, {2000, '2', 0}, {3000, '3', 0}, {4000, '4', 0}, {5000, '5', 0},
		{6000, '6', 0}, {7000, '7', 0}, {8000, '8', 0}, {9000, '9', 0},
		{10000, 'A', 0}, {20000, 'B', 0}, {30000, 'C', 0}, {40000, 'D', 0}, {50000, 'E', 0},
		{100000, 'F', 0}, {200000, 'G', 0}, {300000, 'H', 0}, {400000, 'I', 0}, {500000, 'J', 0},
		{1000000, 'K', 0}, {2000000, 'L', 0}, {4000000, 'M', 0}, {8000000, 'N', 0},
		{16000000, 'O', 0}, {30000000, 'P', 0}, {60000000, 'Q', 0}, {0, '?', 0},
	}
}

// The palettes of redis-cli, dark to bright: xterm 256-colour indexes.
var (
	colorPalette = []int{0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 144, 143, 142, 184, 226, 214, 208, 202, 196}
	monoPalette  = []int{0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 249, 251, 253}
)

// legendText is the legend's text, the colour bar aside.
const legendText = ". - * #          .01 .125 .25 .5 milliseconds\n" +
	"1,2,3,...,9      from 1 to 9     milliseconds\n" +
	"A,B,C,D,E        10,20,30,40,50  milliseconds\n" +
	"F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n" +
	"K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n"

const rule = "---------------------------------------------\n"

// runLatencyDist runs --latency-dist on e.Session: the spectrum when the
// output is a terminal in the human format, the plain form otherwise (and
// with NO_COLOR or --no-color: the spectrum is made of colours).
func runLatencyDist(ctx context.Context, e *env.Env, o Options) error {
	ping := redisx.Args("PING")
	do := func(ctx context.Context) error {
		_, err := e.Session.Do(ctx, ping)
		return err
	}
	return latencyDist(ctx, textWriter{e.Printer}, do, e, distOptions{
		Interval: o.Interval,
		Mono:     o.Mono,
		Spectrum: e.Printer.Format().Mode == format.TTY && !e.IO.NoColor,
	})
}

// latencyDist PINGs with ping every latencySampleRate and writes a line
// to out every o.Interval, until ctx ends or ping fails (its error is
// returned). The clock times the round trips and the waits.
func latencyDist(ctx context.Context, out io.Writer, ping func(context.Context) error, clock retry.Clock, o distOptions) error {
	interval := o.Interval
	if interval <= 0 {
		interval = latencyDistDefault
	}
	palette := colorPalette
	if o.Mono {
		palette = monoPalette
	}
	buckets := newBuckets()
	var count int64
	outputs := 0
	start := clock.Now()
	var line []byte
	for {
		sent := clock.Now()
		if err := ping(ctx); err != nil {
			return err
		}
		latency := clock.Now().Sub(sent).Microseconds()
		count++
		for i := range buckets {
			if buckets[i].max == 0 || latency <= buckets[i].max {
				buckets[i].count++
				break
			}
		}
		// Whole milliseconds, compared as redis-cli compares them.
		if clock.Now().Sub(start).Milliseconds() > interval.Milliseconds() {
			line = line[:0]
			if outputs%legendEvery == 0 {
				line = appendLegend(line, palette, o.Spectrum)
			}
			outputs++
			if o.Spectrum {
				line = appendSpectrum(line, buckets, count, palette)
			} else {
				line = appendPlain(line, buckets, count)
			}
			if _, err := out.Write(line); err != nil {
				return err
			}
			for i := range buckets {
				buckets[i].count = 0
			}
			count = 0
			start = clock.Now()
		}
		if err := clock.Sleep(ctx, latencySampleRate); err != nil {
			return err
		}
	}
}

// appendLegend appends the legend: with its colour bar for the spectrum,
// without it for the plain form.
func appendLegend(b []byte, palette []int, spectrum bool) []byte {
	b = append(b, rule...)
	b = append(b, legendText...)
	if spectrum {
		b = append(b, "From 0 to 100%: "...)
		for _, c := range palette {
			b = fmt.Appendf(b, "\x1b[48;5;%dm ", c)
		}
		b = append(b, "\x1b[0m\n"...)
	}
	return append(b, rule...)
}

// appendSpectrum appends redis-cli's spectrum line: black characters,
// each bucket on the palette colour of its share of the total (rounded
// up, so any sample shows).
func appendSpectrum(b []byte, buckets []bucket, total int64, palette []int) []byte {
	b = append(b, "\x1b[38;5;0m"...)
	for _, s := range buckets {
		idx := int(math.Ceil(float64(s.count) / float64(total) * float64(len(palette)-1)))
		b = fmt.Appendf(b, "\x1b[48;5;%dm%c", palette[idx], s.char)
	}
	return append(b, "\x1b[0m\n"...)
}

// appendPlain appends the plain line: the number of samples, then each
// bucket that got some, with its share:
//
//	98 samples: - 91.8%, * 7.1%, # 1.0%
func appendPlain(b []byte, buckets []bucket, total int64) []byte {
	b = strconv.AppendInt(b, total, 10)
	if total == 1 {
		b = append(b, " sample:"...)
	} else {
		b = append(b, " samples:"...)
	}
	var parts []string
	for _, s := range buckets {
		if s.count == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%c %.1f%%", s.char, 100*float64(s.count)/float64(total)))
	}
	b = append(b, ' ')
	b = append(b, strings.Join(parts, ", ")...)
	return append(b, '\n')
}

// textWriter writes to a printer, each write flushed.
type textWriter struct{ p *env.Printer }

func (w textWriter) Write(b []byte) (int, error) {
	if err := w.p.Text(string(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}
