package cmd

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
)

// resendCounts is what a run printed about its INCR ctr commands.
type resendCounts struct {
	successes  int // replies printed
	mayHaveRun int // "INCR ctr may have run" reports
	resent     int // "INCR ctr may run twice" reports (--retry-sent all)
	notResent  int // --verbose: "not sending INCR ctr again"
	sentRetry  int // --verbose: retries marked as sent
}

var pipeCounts = regexp.MustCompile(`(\d+) repl(?:y|ies) came, and (\d+) commands? sent after`)

// countResends reads a run's stdout and stderr (or a terminal's screen,
// both in one).
func countResends(out, errOut string) resendCounts {
	var c resendCounts
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(l, "(integer) ")
		if _, err := strconv.Atoi(strings.TrimSpace(l)); err == nil {
			c.successes++
		}
	}
	c.mayHaveRun = strings.Count(errOut, "INCR ctr may have run")
	if m := pipeCounts.FindStringSubmatch(errOut); m != nil {
		// --pipe ended at the loss: it says how many replies came.
		c.successes, _ = strconv.Atoi(m[1])
		c.mayHaveRun, _ = strconv.Atoi(m[2])
	}
	c.resent = strings.Count(errOut, "INCR ctr may run twice")
	c.notResent = strings.Count(errOut, "not sending INCR ctr again")
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "retry ") && strings.Contains(l, "(request was sent") {
			c.sentRetry++
		}
	}
	return c
}

// TestResentCountsMatch runs INCR ctr through a proxy that resets the
// connection after every third INCR has run on the server, in every mode
// and under every --retry-sent value, and checks that the final counter
// is what redish said: the successes printed, plus the commands reported
// as "may have run", plus the re-sends reported under all. No duplicate
// and no loss is silent. Where one command is on the wire at a time the
// sum is exact; in a batch the commands written behind the one that was
// reset may or may not have run, and are reported as such.
func TestResentCountsMatch(t *testing.T) {
	standalone := newFaultFixture(t, false)
	cluster := newFaultFixture(t, true)
	const n = 30
	script := strings.Repeat("INCR ctr\n", n)
	pipeScript := strings.Repeat("INCR ctr\r\n", n)
	type mode struct {
		name    string
		fx      *faultFixture
		exact   bool // one command on the wire at a time
		perMode bool // --retry-sent applies (not --pipe)
		run     func(t *testing.T, fx *faultFixture, flags []string) (out, errOut string)
	}
	proxied := func(fx *faultFixture, flags []string) []string {
		if fx.cluster != nil {
			return append([]string{"-c", "-p", strconv.Itoa(fx.srv.Port)}, flags...)
		}
		return append([]string{"-p", strconv.Itoa(fx.proxy.Port())}, flags...)
	}
	stdin := func(extra ...string) func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
		return func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
			r := runBounded(t, script, proxied(fx, append(flags, extra...))...)
			return r.out, r.err
		}
	}
	modes := []mode{
		{"one-shot -r", standalone, true, true, func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
			r := runBounded(t, "", proxied(fx, append(flags, "-r", strconv.Itoa(n), "INCR", "ctr"))...)
			return r.out, r.err
		}},
		{"stdin", standalone, false, true, stdin()},
		{"stdin --window 1", standalone, true, true, stdin("--window", "1")},
		{"--pipe", standalone, false, false, func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
			r := runBounded(t, pipeScript, proxied(fx, append(flags, "--pipe"))...)
			m := regexp.MustCompile(`errors: (\d+), replies: (\d+)`).FindStringSubmatch(r.out)
			if m == nil {
				// The connection was lost: stderr says what came.
				return "", r.err
			}
			errs, _ := strconv.Atoi(m[1])
			replies, _ := strconv.Atoi(m[2])
			return strings.Repeat("1\n", replies-errs), r.err
		}},
		{"cluster", cluster, false, true, stdin()},
		{"cluster --window 1", cluster, true, true, stdin("--window", "1")},
		{"cluster one-shot -r", cluster, true, true, func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
			r := runBounded(t, "", proxied(fx, append(flags, "-r", strconv.Itoa(n), "INCR", "ctr"))...)
			return r.out, r.err
		}},
		{"cluster --pipe", cluster, false, false, func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
			r := runBounded(t, pipeScript, proxied(fx, append(flags, "--pipe"))...)
			m := regexp.MustCompile(`errors: (\d+), replies: (\d+)`).FindStringSubmatch(r.out)
			if m == nil {
				t.Fatalf("no summary: %+v", r)
			}
			// INCR gets no error reply: every reply is a success; the
			// errors are the commands that got none.
			replies, _ := strconv.Atoi(m[2])
			return strings.Repeat("1\n", replies), r.err
		}},
		{"shell", standalone, true, true, func(t *testing.T, fx *faultFixture, flags []string) (string, string) {
			tm := startTerm(t, nil, proxied(fx, flags)...)
			prompt := fx.proxy.Addr() + "> "
			tm.wait(prompt)
			for range n / 3 {
				tm.enter("INCR ctr")
				tm.wait("> ")
			}
			tm.enter("quit")
			tm.exit()
			s := tm.screen()
			return s, s
		}},
	}
	for _, m := range modes {
		for _, policy := range []string{"safe", "all", "none"} {
			if !m.perMode && policy != "safe" {
				continue
			}
			t.Run(m.name+"/"+policy, func(t *testing.T) {
				fx := m.fx
				fx.reset(t)
				fx.srv.Do(t, "DEL", "ctr")
				fx.proxy.Set(faultproxy.ResetAfterSend().On("INCR").Every(3))
				resets := fx.proxy.Resets()
				out, errOut := m.run(t, fx, []string{"--retries", "5", "--retry-sent", policy, "--verbose"})
				fx.proxy.Set(faultproxy.Pass())
				resets = fx.proxy.Resets() - resets
				counter, _ := strconv.Atoi(fx.srv.Do(t, "GET", "ctr").Text())
				c := countResends(out, errOut)
				reported := c.successes + c.mayHaveRun + c.resent
				t.Logf("counter %d: %d successes, %d may have run, %d re-sent (%d resets)", counter, c.successes, c.mayHaveRun, c.resent, resets)
				if resets == 0 {
					t.Fatalf("no reset happened:\n%s", errOut)
				}
				if m.exact && counter != reported || !m.exact && (counter < c.successes || counter > reported) {
					t.Fatalf("counter %d, but %d successes + %d may have run + %d re-sent; stderr:\n%s", counter, c.successes, c.mayHaveRun, c.resent, errOut)
				}
				if m.perMode {
					switch policy {
					case "all":
						if c.mayHaveRun != 0 || c.resent == 0 || c.sentRetry < c.resent {
							t.Errorf("--retry-sent all: %+v", c)
						}
					default:
						if c.resent != 0 || c.mayHaveRun == 0 || c.notResent != c.mayHaveRun && !strings.HasPrefix(m.name, "cluster") {
							t.Errorf("--retry-sent %s: %+v", policy, c)
						}
					}
				}
			})
		}
	}

	// 2,000 RPUSH from stdin with --retries 10: every element pushed twice
	// is reported.
	t.Run("RPUSH", func(t *testing.T) {
		fx := standalone
		fx.reset(t)
		fx.srv.Do(t, "DEL", "l")
		var sb strings.Builder
		for i := range 2000 {
			fmt.Fprintf(&sb, "RPUSH l v%d\n", i)
		}
		fx.proxy.Set(faultproxy.ResetAfterSend().On("RPUSH").Every(97))
		r := runBounded(t, sb.String(), "-p", strconv.Itoa(fx.proxy.Port()), "--retries", "10")
		fx.proxy.Set(faultproxy.Pass())
		length := fx.srv.Do(t, "LLEN", "l").Int
		successes := strings.Count(r.out, "\n")
		mayHaveRun := strings.Count(r.err, "RPUSH l may have run")
		t.Logf("LLEN %d: %d successes, %d may have run", length, successes, mayHaveRun)
		if r.code != 1 || mayHaveRun == 0 || length < int64(successes) || length > int64(successes+mayHaveRun) {
			t.Fatalf("exit %d, LLEN %d, %d successes, %d may have run", r.code, length, successes, mayHaveRun)
		}
	})
}
