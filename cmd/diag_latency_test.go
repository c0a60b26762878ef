package cmd

import (
	"regexp"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// Line formats of redis-cli --latency, one per output mode.
var (
	latencyRaw  = regexp.MustCompile(`^\d+ \d+ \d+\.\d\d \d+\n$`)
	latencyCSV  = regexp.MustCompile(`^\d+,\d+,\d+\.\d\d,\d+\n$`)
	latencyJSON = regexp.MustCompile(`^\{"min": \d+, "max": \d+, "avg": \d+\.\d\d, "count": \d+\}\n$`)
)

func TestLatencyMatchesRedisCLIFormat(t *testing.T) {
	s := redistest.Start(t)
	tests := []struct {
		name string
		args []string
		re   *regexp.Regexp
	}{
		{"raw", []string{"--latency", "-i", "0.1"}, latencyRaw},
		{"csv", []string{"--latency", "--csv", "-i", "0.1"}, latencyCSV},
		{"json", []string{"--latency", "--json", "-i", "0.1"}, latencyJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := portArgs(s, tc.args...)
			want := runCLI(t, nil, "", args...)
			if !tc.re.MatchString(want.out) {
				t.Fatalf("redis-cli printed %q: the expected format is out of date", want.out)
			}
			got := runRedish(t, nil, "", args...)
			if !tc.re.MatchString(got.out) || got.code != want.code || got.err != "" {
				t.Errorf("redish printed %q (exit %d, stderr %q), want the format of %q", got.out, got.code, got.err, want.out)
			}
		})
	}
}
