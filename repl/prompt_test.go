package repl

import (
	"strings"
	"testing"
)

func TestRenderPrompt(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   State
		want string
	}{
		{"tcp", State{Addr: "127.0.0.1:6379", Connected: true}, "127.0.0.1:6379> "},
		{"db", State{Addr: "127.0.0.1:6379", DB: 2, Connected: true}, "127.0.0.1:6379[2]> "},
		{"multi", State{Addr: "127.0.0.1:6379", InTx: true, Connected: true}, "127.0.0.1:6379(TX)> "},
		{"db and multi", State{Addr: "127.0.0.1:6379", DB: 15, InTx: true, Connected: true}, "127.0.0.1:6379[15](TX)> "},
		{"ipv6", State{Addr: "[::1]:7000", Connected: true}, "[::1]:7000> "},
		{"socket", State{Socket: "/tmp/redis.sock", Connected: true}, "redis /tmp/redis.sock> "},
		{"socket db", State{Socket: "/tmp/redis.sock", DB: 1, Connected: true}, "redis /tmp/redis.sock[1]> "},
		{"down", State{Addr: "127.0.0.1:6379", DB: 3}, "not connected> "},
		{"cluster", State{Addr: "127.0.0.1:7002", Cluster: true, Connected: true}, "cluster 127.0.0.1:7002> "},
		{"sentinel", State{Addr: "127.0.0.1:6380", Sentinel: "mymaster", Connected: true}, "sentinel mymaster 127.0.0.1:6380> "},
		{"sentinel db multi", State{Addr: "127.0.0.1:6380", Sentinel: "mymaster", DB: 2, InTx: true, Connected: true}, "sentinel mymaster 127.0.0.1:6380[2](TX)> "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := renderPrompt(tc.st, newPalette(false, false)); got != tc.want {
				t.Errorf("renderPrompt = %q, want %q", got, tc.want)
			}
			colored := renderPrompt(tc.st, newPalette(true, true))
			if !strings.Contains(colored, "\x1b[") {
				t.Errorf("coloured prompt %q has no colour", colored)
			}
			if got := visibleWidth(colored); got != len(tc.want) {
				t.Errorf("coloured prompt %q is %d columns wide, want %d", colored, got, len(tc.want))
			}
		})
	}
}

func TestColorEnabled(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tty    bool
		flag   bool
		env    map[string]string
		expect bool
	}{
		{"terminal", true, false, nil, true},
		{"not a terminal", false, false, nil, false},
		{"--no-color", true, true, nil, false},
		{"NO_COLOR", true, false, map[string]string{"NO_COLOR": "1"}, false},
		{"CLICOLOR_FORCE", false, false, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{"CLICOLOR_FORCE=0", false, false, map[string]string{"CLICOLOR_FORCE": "0"}, false},
		{"NO_COLOR beats CLICOLOR_FORCE", true, false, map[string]string{"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, false},
		{"--no-color beats CLICOLOR_FORCE", true, true, map[string]string{"CLICOLOR_FORCE": "1"}, false},
		{"dumb terminal", true, false, map[string]string{"TERM": "dumb"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			if got := ColorEnabled(tc.tty, tc.flag, getenv); got != tc.expect {
				t.Errorf("ColorEnabled = %v, want %v", got, tc.expect)
			}
		})
	}
}
