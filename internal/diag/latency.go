package diag

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Timings of redis-cli's --latency and --stat.
const (
	latencySampleRate     = 10 * time.Millisecond // between two PINGs
	latencyHistoryDefault = 15 * time.Second      // --latency-history without -i
	latencyOnceDefault    = time.Second           // --latency off a terminal, without -i
	statIntervalDefault   = time.Second           // --stat without -i
	statHeaderEvery       = 20                    // --stat lines between headers
)

// latencyStats are the running figures of --latency, in whole
// milliseconds as redis-cli measures them.
type latencyStats struct {
	min, max, total, count int64
}

func (s *latencyStats) add(ms int64) {
	s.count++
	if s.count == 1 {
		s.min, s.max, s.total = ms, ms, ms
		return
	}
	s.min = min(s.min, ms)
	s.max = max(s.max, ms)
	s.total += ms
}

func (s *latencyStats) avg() float64 {
	if s.count == 0 {
		return 0
	}
	return float64(s.total) / float64(s.count)
}

// appendLatency appends the figures in the format of the output mode, as
// redis-cli's latencyModePrint does: the TTY line has no newline (it is
// redrawn in place), the others are one line each. --quoted-json prints
// the JSON line (redis-cli prints nothing).
func appendLatency(b []byte, mode format.Mode, s latencyStats) []byte {
	switch mode {
	case format.TTY:
		return fmt.Appendf(b, "min: %d, max: %d, avg: %.2f (%d samples)", s.min, s.max, s.avg(), s.count)
	case format.CSV:
		return fmt.Appendf(b, "%d,%d,%.2f,%d\n", s.min, s.max, s.avg(), s.count)
	case format.JSON, format.QuotedJSON:
		return fmt.Appendf(b, "{\"min\": %d, \"max\": %d, \"avg\": %.2f, \"count\": %d}\n", s.min, s.max, s.avg(), s.count)
	}
	return fmt.Appendf(b, "%d %d %.2f %d\n", s.min, s.max, s.avg(), s.count)
}

// runLatency runs --latency and --latency-history as redis-cli does: a
// PING every 10ms, the round trip in whole milliseconds.
//
//   - On a terminal (TTY format) one line is redrawn after every sample
//     ("\x1b[0G\x1b[2K" then "min: 0, max: 1, avg: 0.21 (1234 samples)"),
//     until interrupted.
//   - Otherwise (--raw, --csv, --json, or stdout not a terminal) --latency
//     prints one line after 1 second (-i seconds) and exits 0.
//   - --latency-history ends the figures every 15 seconds (-i seconds)
//     with " -- 15.01 seconds range" and a newline, and starts new ones.
//     Off a terminal it prints a line after every sample, as redis-cli does.
func runLatency(ctx context.Context, e *env.Env, o Options) error {
	client, p, now := e.Session, e.Printer, e.Now
	maxSamples := o.MaxSamples
	history := o.Mode == LatencyHistory
	mode := p.Format().Mode
	interval := o.Interval
	historyEvery, once := latencyHistoryDefault, latencyOnceDefault
	if interval > 0 {
		historyEvery, once = interval, interval
	}
	ping := redisx.Args("PING")
	var stats latencyStats
	var line []byte
	start := now()
	for n := 1; ; n++ {
		sent := now()
		if _, err := client.Do(ctx, ping); err != nil {
			return err
		}
		stats.add(now().Sub(sent).Milliseconds())

		line = line[:0]
		switch {
		case mode == format.TTY:
			line = appendLatency(append(line, "\x1b[0G\x1b[2K"...), mode, stats)
		case history:
			line = appendLatency(line, mode, stats)
		case now().Sub(start).Milliseconds() > once.Milliseconds():
			return p.Text(string(appendLatency(line, mode, stats)))
		}
		if elapsed := now().Sub(start); history && elapsed.Milliseconds() > historyEvery.Milliseconds() {
			line = fmt.Appendf(line, " -- %.2f seconds range\n", elapsed.Seconds())
			start = now()
			stats = latencyStats{}
		}
		if len(line) > 0 {
			if err := p.Text(string(line)); err != nil {
				return err
			}
		}
		if maxSamples > 0 && n >= maxSamples {
			return nil
		}
		if err := e.Sleep(ctx, latencySampleRate); err != nil {
			return err
		}
	}
}

// statHeader is the header --stat prints every 20 lines.
const statHeader = "------- data ------ --------------------- load -------------------- - child -\n" +
	"keys       mem      clients blocked requests            connections          \n"

// runStat runs --stat: INFO every second (-i seconds), one line of keys,
// memory, clients, blocked clients, requests (with the change since the
// last line), connections received and the child process at work, in
// redis-cli's columns whatever the output mode.
func runStat(ctx context.Context, e *env.Env, o Options) error {
	client, p := e.Session, e.Printer
	maxSamples := o.MaxSamples
	interval := statIntervalDefault
	if o.Interval > 0 {
		interval = o.Interval
	}
	info := redisx.Args("INFO")
	var requests int64
	var line []byte
	for n := 0; ; n++ {
		v, err := client.Do(ctx, info)
		if err != nil {
			return err
		}
		if v.Kind == resp.KindError {
			return env.Fail("ERROR: " + string(v.Str))
		}
		line = line[:0]
		if n%statHeaderEvery == 0 {
			line = append(line, statHeader...)
		}
		line, requests = appendStat(line, string(v.Str), requests)
		if err := p.Text(string(line)); err != nil {
			return err
		}
		if maxSamples > 0 && n+1 >= maxSamples {
			return nil
		}
		if err := e.Sleep(ctx, interval); err != nil {
			return err
		}
	}
}

// appendStat appends the --stat line for one INFO reply. prev is the
// request count of the previous line (0 for the first); it returns the
// new one.
func appendStat(b []byte, info string, prev int64) ([]byte, int64) {
	var keys int64
	for db := 0; db < 20; db++ {
		if k := infoLong(info, "db"+strconv.Itoa(db)+":keys"); k != math.MinInt64 {
			keys += k
		}
	}
	b = fmt.Appendf(b, "%-11d", keys)
	b = fmt.Appendf(b, "%-8s", bytesToHuman(infoLong(info, "used_memory")))
	b = fmt.Appendf(b, " %-8d", infoLong(info, "connected_clients"))
	b = fmt.Appendf(b, "%-8d", infoLong(info, "blocked_clients"))
	requests := infoLong(info, "total_commands_processed")
	delta := int64(0)
	if prev != 0 {
		delta = requests - prev
	}
	b = fmt.Appendf(b, "%-19s", fmt.Sprintf("%d (+%d)", requests, delta))
	b = fmt.Appendf(b, " %-12d", infoLong(info, "total_connections_received"))
	child := infoLong(info, "bgsave_in_progress") |
		infoLong(info, "aof_rewrite_in_progress")<<1 |
		infoLong(info, "loading")<<2
	switch child {
	case 1:
		b = append(b, "SAVE"...)
	case 2:
		b = append(b, "AOF"...)
	case 3:
		b = append(b, "SAVE+AOF"...)
	case 4:
		b = append(b, "LOAD"...)
	}
	return append(b, '\n'), requests
}

// infoLong reads a number from an INFO reply the way redis-cli does: the
// first occurrence of field anywhere in the text (so "bgsave_in_progress"
// is found inside "rdb_bgsave_in_progress"), the value after the next
// byte up to '\r' or ',', read like strtol. A missing field is
// math.MinInt64 (C's LONG_MIN).
func infoLong(info, field string) int64 {
	i := strings.Index(info, field)
	if i < 0 {
		return math.MinInt64
	}
	v := info[min(i+len(field)+1, len(info)):]
	if j := strings.IndexAny(v, "\r,"); j >= 0 {
		v = v[:j]
	}
	return strtol(v)
}

// strtol parses the leading integer of s as C's strtol(s, NULL, 10):
// leading spaces, a sign, digits; 0 when there are none, saturated on
// overflow.
func strtol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0
	}
	digits := s[:end]
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		if neg {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return n
}

// bytesToHuman formats n as redis-cli's bytesToHuman: "512B", "1.50K",
// "2.00M", ... up to petabytes.
func bytesToHuman(n int64) string {
	sign := ""
	if n < 0 {
		sign = "-"
		n = -n
	}
	const k = 1024
	switch {
	case n < k:
		return sign + strconv.FormatInt(n, 10) + "B"
	case n < k*k:
		return fmt.Sprintf("%s%.2fK", sign, float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%s%.2fM", sign, float64(n)/(k*k))
	case n < k*k*k*k:
		return fmt.Sprintf("%s%.2fG", sign, float64(n)/(k*k*k))
	case n < k*k*k*k*k:
		return fmt.Sprintf("%s%.2fT", sign, float64(n)/(k*k*k*k))
	case n < k*k*k*k*k*k:
		return fmt.Sprintf("%s%.2fP", sign, float64(n)/(k*k*k*k*k))
	}
	return sign + strconv.FormatInt(n, 10) + "B"
}
