package cmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// TestLabSentinelScript replays a failover through redish lab --sentinel:
// the primary is killed between two commands, and the next ones ride out
// the failover on the policy's retries, on the new primary, which has the
// first one's write. The GET after the kill may find its connection
// through the proxy still open and be sent before the proxy notices the
// server is gone: a read, it is sent again whichever way it fails.
func TestLabSentinelScript(t *testing.T) {
	redistest.RedisServer(t)
	script := "SET a 1\n:lab kill primary\nGET a\nINCR a\n:lab nodes\n"
	r := runRedish(t, nil, script, "lab", "--sentinel", "--verbose", "--window", "1",
		"--retries", "-1", "--retry-deadline", "30s", "--retry-backoff", "constant", "--retry-backoff-base", "100ms")
	want := regexp.MustCompile(`^OK
node 1 \(127\.0\.0\.1:\d+\) killed
1
2
NODE  ROLE +ADDRESS +SERVER +STATE
1 +- +127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+ +killed
(\d +(primary|replica|sentinel) +127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+ +up\n){5}$`)
	if r.code != 0 || !want.MatchString(r.out) {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", r.code, r.out, r.err)
	}
	if n := strings.Count(r.out, " primary "); n != 1 {
		t.Errorf("%d primaries after the failover:\n%s", n, r.out)
	}
	lines := stderrLines(r.err)
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "lab: started a primary, 2 replicas and 3 sentinels watching them as mymaster") ||
		!strings.HasPrefix(lines[1], "primary mymaster is 127.0.0.1:") {
		t.Fatalf("stderr %q", r.err)
	}
	if !strings.Contains(r.err, "\nprimary mymaster moved 127.0.0.1:") || !strings.Contains(r.err, "\nretry 1/∞ in 100ms after ConnectionError: ") {
		t.Errorf("stderr %q: no retry or no move", r.err)
	}
}

// TestLabSentinelFlags: --sentinel starts its own set; with --cluster it
// is refused; the configuration file's Sentinel settings, which say where
// to connect, are not the lab's.
func TestLabSentinelFlags(t *testing.T) {
	r := runRedish(t, nil, "", "lab", "--sentinel", "--cluster")
	if r.code != 1 || r.err != "redish lab: --cluster and --sentinel are mutually exclusive.\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.err)
	}
	config := writeConfig(t, "sentinel = [\"127.0.0.1:1\"]\nmaster-name = \"elsewhere\"\nsentinel-pass = \"pw\"\n")
	r = runRedish(t, nil, "PING\n", "lab", "--embedded", "--config", config)
	if r.code != 0 || r.out != "PONG\n" {
		t.Errorf("lab with Sentinel settings in the file: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
}
