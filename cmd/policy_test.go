package cmd

import (
	"context"
	"strings"
	"testing"
)

// policyOf parses a command line as redish does and returns the effective
// retry policy and what was printed on stderr while building it.
func policyOf(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ios, _, errOut := Test("")
	root, o := newRoot(context.Background(), ios, nil)
	if err := root.ParseFlags(args); err != nil {
		return "", "", err
	}
	cfg, err := buildConfig(ios, o, root.Flags(), root.Flags().Args())
	if err != nil {
		return "", errOut.String(), err
	}
	return cfg.retry.Policy.String(), errOut.String(), nil
}

// TestPolicyFromArgv checks the four rules of the retry spec (§3) from
// real command lines to the effective policy.
func TestPolicyFromArgv(t *testing.T) {
	for _, tc := range []struct {
		argv, want, warning string
	}{
		// 1. Nothing given: no retries.
		{"PING", "retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe", ""},
		// 2. Only --retry-on-*: one retry, no backoff, exactly the classes.
		{"--retry-on-error BusyLoadingError PING", "retries=1 backoff=none on=BusyLoadingError sent=safe", ""},
		{"--retry-on-timeout PING", "retries=1 backoff=none on=TimeoutError sent=safe", ""},
		{"--retry-on-error ReadOnlyError --retry-on-error LOADING,TryAgainError --retry-on-timeout PING",
			"retries=1 backoff=none on=ReadOnlyError,LOADING,TryAgainError,TimeoutError sent=safe", ""},
		// 3. Both: the given count and backoff, exactly the classes.
		{"--retries 4 --retry-backoff exponential --retry-on-error ConnectionError PING",
			"retries=4 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError sent=safe", ""},
		{"--retries 2 --retry-on-timeout PING", "retries=2 backoff=none on=TimeoutError sent=safe", ""},
		// 4. Only --retries/--retry-backoff: ConnectionError and TimeoutError.
		{"--retries 6 --retry-backoff exponential PING",
			"retries=6 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retries -1 --retry-backoff full-jitter --retry-backoff-base 10ms --retry-backoff-cap 2s --retry-deadline 30s PING",
			"retries=-1 backoff=full-jitter(base=10ms,cap=2s) on=ConnectionError,TimeoutError sent=safe deadline=30s", ""},
		{"--retries 3 --retry-backoff constant --retry-backoff-base 0.25 PING",
			"retries=3 backoff=constant(base=250ms) on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retry-backoff exponential PING",
			"retries=0 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe", "has no effect without --retries"},
		// --retry-sent applies under every rule.
		{"--retry-sent all PING", "retries=0 backoff=none on=ConnectionError,TimeoutError sent=all", ""},
		{"--retries 2 --retry-sent NONE PING", "retries=2 backoff=none on=ConnectionError,TimeoutError sent=none", ""},
		{"--retry-on-timeout --retry-sent safe PING", "retries=1 backoff=none on=TimeoutError sent=safe", ""},
	} {
		t.Run(tc.argv, func(t *testing.T) {
			got, stderr, err := policyOf(t, strings.Fields(tc.argv)...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("policy %q, want %q", got, tc.want)
			}
			if (tc.warning == "") != (stderr == "") || !strings.Contains(stderr, tc.warning) {
				t.Errorf("stderr %q, want a warning containing %q", stderr, tc.warning)
			}
		})
	}
}

// TestBadRetryFlags: invalid values exit 1 with a message naming the flag.
func TestBadRetryFlags(t *testing.T) {
	for _, tc := range []struct{ argv, want string }{
		{"--retries -2 PING", "--retries: "},
		{"--retry-on-error Foo PING", "--retry-on-error: unknown error class \"Foo\""},
		{"--retries 1 --retry-backoff sometimes PING", "--retry-backoff: unknown backoff \"sometimes\""},
		{"--retries 1 --retry-backoff exponential --retry-backoff-cap 0 PING", "--retry-backoff-cap: "},
		{"--retry-backoff-base soon PING", "--retry-backoff-base: \"soon\" is not a duration"},
		{"--retry-deadline -1s PING", "--retry-deadline: "},
		{"--retries many PING", "--retries: \"many\" must be an integer"},
	} {
		t.Run(tc.argv, func(t *testing.T) {
			r := runRedish(t, nil, "", strings.Fields(tc.argv)...)
			if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, tc.want) {
				t.Fatalf("got %+v, want exit 1 and stderr starting %q", r, tc.want)
			}
		})
	}
}
