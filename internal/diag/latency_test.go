package diag

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/redistest"
)

func TestLatencyModes(t *testing.T) {
	s := redistest.Start(t)
	raw := func(counts ...string) string {
		var b strings.Builder
		for _, n := range counts {
			b.WriteString("0 0 0.00 " + n + "\n")
		}
		return b.String()
	}
	tty := func(counts ...string) string {
		var b strings.Builder
		for _, n := range counts {
			b.WriteString("\x1b[0G\x1b[2Kmin: 0, max: 0, avg: 0.00 (" + n + " samples)")
		}
		return b.String()
	}
	tests := []struct {
		name   string
		format format.Mode // the output format: TTY on a terminal (or with FAKETTY), raw off it
		o      Options
		want   string
	}{
		{
			// Off a terminal --latency prints once, after -i seconds: on
			// the fake clock a PING every 10ms, the 7th sample is past 50ms.
			name: "once", format: format.Raw, o: Options{Mode: Latency, Interval: 50 * time.Millisecond},
			want: raw("7"),
		},
		{
			name: "once csv, default second", format: format.CSV, o: Options{Mode: Latency},
			want: "0,0,0.00,102\n",
		},
		{
			name: "terminal", format: format.TTY, o: Options{Mode: Latency, MaxSamples: 3},
			want: tty("1", "2", "3"),
		},
		{
			name: "history off a terminal", format: format.Raw, o: Options{Mode: LatencyHistory, Interval: 50 * time.Millisecond, MaxSamples: 12},
			want: raw("1", "2", "3", "4", "5", "6", "7") + " -- 0.06 seconds range\n" + raw("1", "2", "3", "4", "5"),
		},
		{
			name: "history on a terminal", format: format.TTY, o: Options{Mode: LatencyHistory, Interval: 20 * time.Millisecond, MaxSamples: 5},
			want: tty("1", "2", "3", "4") + " -- 0.03 seconds range\n" + tty("1"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runDiag(context.Background(), t, s, tc.format, newFakeClock(), tc.o)
			if err != nil || errOut != "" {
				t.Fatalf("error %v, stderr %q", err, errOut)
			}
			if out != tc.want {
				t.Errorf("output:\n%q\nwant:\n%q", out, tc.want)
			}
		})
	}
}

func TestStat(t *testing.T) {
	s := redistest.Start(t)
	s.Do(t, "SET", "a", "1")
	out, errOut, err := runDiag(context.Background(), t, s, format.Raw, newFakeClock(), Options{Mode: Stat, MaxSamples: 22})
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	lines := strings.SplitAfter(out, "\n")
	lines = lines[:len(lines)-1]
	if len(lines) != 26 {
		t.Fatalf("%d lines, want 22 and 2 headers:\n%s", len(lines), out)
	}
	// redis-cli's columns: keys, memory, clients, blocked, requests
	// (+change), connections, padded as its printf formats pad them.
	line := regexp.MustCompile(`^(\d+) +(\d+(?:\.\d\d[KMGTP]|B)) +(\d+) +(\d+) +(\d+ \(\+(\d+)\)) +(\d+) +\n$`)
	for i, l := range lines {
		switch i {
		case 0, 22:
			if l+lines[i+1] != statHeader {
				t.Errorf("line %d: %q, want the header", i, l)
			}
		case 1, 23:
		default:
			m := line.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("line %d: %q does not match redis-cli's format", i, l)
				continue
			}
			if want := fmt.Sprintf("%-11s%-8s %-8s%-8s%-19s %-12s\n", m[1], m[2], m[3], m[4], m[5], m[7]); l != want {
				t.Errorf("line %d: %q, want the columns %q", i, l, want)
			}
			if m[1] != "1" || m[3] != "1" || m[4] != "0" {
				t.Errorf("line %d: %q: want 1 key, 1 client, 0 blocked", i, l)
			}
			if first := i == 2; first != (m[6] == "0") {
				t.Errorf("line %d: %q: the change in requests is +0 on the first line only", i, l)
			}
		}
	}
}

func TestAppendStat(t *testing.T) {
	info := "# Server\r\nredis_version:7.0.15\r\n# Clients\r\nconnected_clients:3\r\nblocked_clients:1\r\n" +
		"# Memory\r\nused_memory:1415000\r\n# Persistence\r\nloading:0\r\nasync_loading:0\r\n" +
		"rdb_bgsave_in_progress:1\r\naof_rewrite_in_progress:1\r\n" +
		"# Stats\r\ntotal_connections_received:39\r\ntotal_commands_processed:46320\r\n" +
		"# Keyspace\r\ndb0:keys=8,expires=0,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\ndb12:keys=10,expires=0,avg_ttl=0\r\n"
	got, reqs := appendStat(nil, info, 46319)
	// The columns of a line redis-cli 7.0.15 printed, with SAVE+AOF added.
	want := "19         1.35M    3       1       46320 (+1)          39          SAVE+AOF\n"
	if string(got) != want || reqs != 46320 {
		t.Errorf("appendStat = %q, %d\nwant       %q, 46320", got, reqs, want)
	}
}

func TestBytesToHuman(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {1023, "1023B"}, {1024, "1.00K"}, {1536, "1.50K"},
		{1415000, "1.35M"}, {3 << 30, "3.00G"}, {5 << 40, "5.00T"}, {7 << 50, "7.00P"},
		{1 << 62, "4611686018427387904B"}, {-2048, "-2.00K"},
	}
	for _, tc := range tests {
		if got := bytesToHuman(tc.n); got != tc.want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestInfoLong(t *testing.T) {
	info := "rdb_bgsave_in_progress:1\r\nused_memory:12\r\nused_memory_human:12B\r\ndb0:keys=5,expires=0\r\nneg:-3\r\njunk:x\r\n"
	tests := []struct {
		field string
		want  int64
	}{
		{"bgsave_in_progress", 1}, // found inside rdb_bgsave_in_progress, as strstr does
		{"used_memory", 12},
		{"db0:keys", 5},
		{"neg", -3},
		{"junk", 0},
		{"missing", -1 << 63},
	}
	for _, tc := range tests {
		if got := infoLong(info, tc.field); got != tc.want {
			t.Errorf("infoLong(%q) = %d, want %d", tc.field, got, tc.want)
		}
	}
}
