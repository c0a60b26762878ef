package retry_test

import (
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/backoff"
	"github.com/redish/redish/retry"
)

// parseFlags turns a command line of retry flags into Flags the way the
// command's flag set does: XxxSet records that a flag was given, and
// --retry-on-error accumulates.
func parseFlags(t *testing.T, argv string) retry.Flags {
	t.Helper()
	var f retry.Flags
	args := strings.Fields(argv)
	dur := func(s string) time.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("bad duration %q in test table", s)
		}
		return d
	}
	for i := 0; i < len(args); i++ {
		name := args[i]
		if name == "--retry-on-timeout" {
			f.OnTimeout = true
			continue
		}
		if i+1 >= len(args) {
			t.Fatalf("flag %s needs a value in test table", name)
		}
		i++
		val := args[i]
		switch name {
		case "--retries":
			n, err := strconv.Atoi(val)
			if err != nil {
				t.Fatalf("bad --retries %q in test table", val)
			}
			f.Retries, f.RetriesSet = n, true
		case "--retry-backoff":
			f.Backoff, f.BackoffSet = val, true
		case "--retry-backoff-base":
			f.Base, f.BaseSet = dur(val), true
		case "--retry-backoff-cap":
			f.Cap, f.CapSet = dur(val), true
		case "--retry-on-error":
			f.OnError = append(f.OnError, val)
		case "--retry-deadline":
			f.Deadline = dur(val)
		default:
			t.Fatalf("unknown flag %s in test table", name)
		}
	}
	return f
}

func TestFlagsPolicy(t *testing.T) {
	tests := []struct {
		argv    string
		want    string // Policy.String()
		warning string // a substring of the only warning, if any
	}{
		// Rule 1: nothing given.
		{"", "retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retry-backoff-base 1s --retry-deadline 5s", "retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe deadline=5s", ""},
		// Rule 2: only --retry-on-*: 1 retry, no backoff, exactly the listed classes.
		{"--retry-on-error LOADING", "retries=1 backoff=none on=LOADING sent=safe", ""},
		{"--retry-on-timeout", "retries=1 backoff=none on=TimeoutError sent=safe", ""},
		{"--retry-on-error busyloadingerror --retry-on-timeout", "retries=1 backoff=none on=BusyLoadingError,TimeoutError sent=safe", ""},
		{"--retry-on-error ConnectionError,LOADING --retry-on-error ReadOnlyError --retry-on-error LOADING",
			"retries=1 backoff=none on=ConnectionError,LOADING,ReadOnlyError sent=safe", ""},
		{"--retry-on-error TimeoutError --retry-on-timeout", "retries=1 backoff=none on=TimeoutError sent=safe", ""},
		// Rule 3: both.
		{"--retries 3 --retry-on-error ReadOnlyError", "retries=3 backoff=none on=ReadOnlyError sent=safe", ""},
		{"--retries 3 --retry-backoff exponential --retry-on-timeout",
			"retries=3 backoff=exponential(base=8ms,cap=512ms) on=TimeoutError sent=safe", ""},
		{"--retry-backoff constant --retry-on-error LOADING", "retries=0 backoff=constant(base=8ms) on=LOADING sent=safe", "without --retries"},
		// Rule 4: only --retries / --retry-backoff.
		{"--retries 6 --retry-backoff exponential", "retries=6 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retries 2", "retries=2 backoff=none on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retries 0", "retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retry-backoff exponential", "retries=0 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe",
			"Warning: --retry-backoff exponential has no effect without --retries"},
		{"--retries -1 --retry-deadline 10s", "retries=-1 backoff=none on=ConnectionError,TimeoutError sent=safe deadline=10s", ""},
		{"--retries 2 --retry-backoff Full-Jitter --retry-backoff-base 100ms --retry-backoff-cap 2s",
			"retries=2 backoff=full-jitter(base=100ms,cap=2s) on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retries 2 --retry-backoff constant --retry-backoff-base 1s", "retries=2 backoff=constant(base=1s) on=ConnectionError,TimeoutError sent=safe", ""},
		{"--retries 2 --retry-backoff exponential --retry-backoff-base 0s", "retries=2 backoff=exponential(base=0s,cap=512ms) on=ConnectionError,TimeoutError sent=safe", ""},
		// Authentication errors are accepted but never retried: say so.
		{"--retry-on-error AuthenticationError", "retries=1 backoff=none on=AuthenticationError sent=safe", "never retried"},
		{"--retries 2 --retry-on-error WRONGPASS", "retries=2 backoff=none on=WRONGPASS sent=safe", "never retried"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			p, warnings, err := parseFlags(t, tt.argv).Policy()
			if err != nil {
				t.Fatal(err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("policy = %s\nwant       %s", got, tt.want)
			}
			switch {
			case tt.warning == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings %q", warnings)
			case tt.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tt.warning)):
				t.Errorf("warnings = %q, want one containing %q", warnings, tt.warning)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("the policy does not validate: %v", err)
			}
		})
	}
}

func TestFlagsPolicyErrors(t *testing.T) {
	tests := []struct {
		argv string
		want string
	}{
		{"--retry-on-error Foo", `--retry-on-error: unknown error class "Foo" (valid: ConnectionError, BusyLoadingError,`},
		{"--retries 2 --retry-on-error ConnectionError,,LOADING", `--retry-on-error: empty error class in "ConnectionError,,LOADING"`},
		{"--retries 2 --retry-backoff bogus", `--retry-backoff: unknown backoff "bogus" (valid: none, constant, exponential, full-jitter, equal-jitter, decorrelated-jitter, exponential-jitter)`},
		{"--retries -2", "--retries: -2 is out of range (must be >= -1)"},
		{"--retry-backoff-cap 0s", "--retry-backoff-cap: 0s is out of range (must be > 0)"},
		{"--retry-backoff-cap -1s", "--retry-backoff-cap: -1s is out of range (must be > 0)"},
		{"--retry-backoff-base -1s", "--retry-backoff-base: -1s is negative"},
		{"--retry-deadline -1s", "--retry-deadline: -1s is negative"},
		{"--retries 3 --retry-backoff exponential --retry-backoff-base 1s", "--retry-backoff-base: 1s is greater than --retry-backoff-cap 512ms"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			_, _, err := parseFlags(t, tt.argv).Policy()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant      %s", err, tt.want)
			}
		})
	}
}

func TestFlagsPolicyWrapsSentinels(t *testing.T) {
	_, _, err := retry.Flags{OnError: []string{"Foo"}}.Policy()
	if !errors.Is(err, retry.ErrUnknownClass) {
		t.Errorf("error %v does not wrap ErrUnknownClass", err)
	}
	_, _, err = retry.Flags{Retries: 1, Backoff: "bogus"}.Policy()
	if !errors.Is(err, backoff.ErrUnknown) {
		t.Errorf("error %v does not wrap backoff.ErrUnknown", err)
	}
}

func TestPolicyApply(t *testing.T) {
	exp := retry.DefaultPolicy()
	exp.Retries, exp.Backoff = 3, "exponential"
	tests := []struct {
		name     string
		from     retry.Policy
		settings []string
		want     string // Policy.String() of the result, or the error
		wantErr  bool
	}{
		{"all", retry.DefaultPolicy(),
			[]string{"retries=5", "backoff=exponential", "base=10ms", "cap=1s", "on=ConnectionError,LOADING", "deadline=10s"},
			"retries=5 backoff=exponential(base=10ms,cap=1s) on=ConnectionError,LOADING sent=safe deadline=10s", false},
		{"forever", retry.DefaultPolicy(), []string{"retries=forever"}, "retries=-1 backoff=none on=ConnectionError,TimeoutError sent=safe", false},
		{"deadline off", retry.Policy{Deadline: time.Second}, []string{"deadline=0"}, "retries=0 backoff=none on=nothing sent=safe", false},
		{"case and spaces", exp, []string{" Backoff = Decorrelated-Jitter "}, "retries=3 backoff=decorrelated-jitter(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe", false},
		{"no settings", exp, nil, "retries=3 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe", false},
		{"bad retries", exp, []string{"retries=x"}, `retries: "x" is not a number`, true},
		{"low retries", exp, []string{"retries=-2"}, "retries: -2 is out of range (must be >= -1)", true},
		{"bad backoff", exp, []string{"backoff=foo"}, `backoff: unknown backoff "foo" (valid: none, constant,`, true},
		{"zero cap", exp, []string{"cap=0"}, "cap: 0s is out of range (must be > 0)", true},
		{"negative base", exp, []string{"base=-1ms"}, "base: -1ms is negative", true},
		{"bad duration", exp, []string{"deadline=soon"}, `deadline: "soon" is not a duration`, true},
		{"empty on", exp, []string{"on="}, "on: no error class given", true},
		{"bad on", exp, []string{"on=Foo"}, `on: unknown error class "Foo"`, true},
		{"unknown key", exp, []string{"color=red"}, `unknown setting "color" (valid: retries, backoff, base, cap, on, sent, deadline)`, true},
		{"no equals", exp, []string{"retries"}, `"retries": expected key=value`, true},
		{"base over cap", exp, []string{"base=1s"}, "base: 1s is greater than cap 512ms", true},
		{"base over cap fixed later", exp, []string{"base=1s", "cap=2s"}, "retries=3 backoff=exponential(base=1s,cap=2s) on=ConnectionError,TimeoutError sent=safe", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.from.String()
			got, err := tt.from.Apply(tt.settings...)
			if tt.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Fatalf("error = %v\nwant      %s", err, tt.want)
				}
				if !reflect.DeepEqual(got, tt.from) {
					t.Errorf("on error Apply returned %s, want the unchanged %s", got, tt.from)
				}
			} else if err != nil || got.String() != tt.want {
				t.Fatalf("Apply = %s, %v\nwant    %s", got, err, tt.want)
			}
			if tt.from.String() != before {
				t.Errorf("Apply changed its receiver: %s, was %s", tt.from, before)
			}
		})
	}
}

func TestApplyDoesNotAlias(t *testing.T) {
	p := retry.DefaultPolicy()
	q, err := p.Apply("retries=1")
	if err != nil {
		t.Fatal(err)
	}
	q.On[0] = "LOADING"
	if p.On[0] != retry.ConnectionError {
		t.Error("Apply shared the On slice with its receiver")
	}
}

func TestPolicyString(t *testing.T) {
	tests := []struct {
		p    retry.Policy
		want string
	}{
		{retry.Policy{}, "retries=0 backoff=none on=nothing sent=safe"},
		{retry.DefaultPolicy(), "retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe"},
		{retry.Policy{Retries: -1, Backoff: "constant", Base: time.Second, On: []retry.Class{"LOADING"}, Deadline: time.Minute},
			"retries=-1 backoff=constant(base=1s) on=LOADING sent=safe deadline=1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		p    retry.Policy
		want string
	}{
		{"zero", retry.Policy{}, ""},
		{"default", retry.DefaultPolicy(), ""},
		{"none ignores base and cap", retry.Policy{Backoff: "none", Base: -1}, ""},
		{"low retries", retry.Policy{Retries: -3}, "retries: -3 is out of range"},
		{"zero cap", retry.Policy{Backoff: "exponential", Base: 0, Cap: 0}, "cap: 0s is out of range (must be > 0)"},
		{"bad class", retry.Policy{On: []retry.Class{"Nope"}}, `on: unknown error class "Nope"`},
		{"class spelling", retry.Policy{On: []retry.Class{"connectionerror"}}, `on: error class "connectionerror" must be spelled "ConnectionError"`},
		{"negative deadline", retry.Policy{Deadline: -time.Second}, "deadline: -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	loading := replyErr("LOADING Redis is loading the dataset in memory")
	tests := []struct {
		name string
		on   []retry.Class
		err  error
		want bool
	}{
		{"default: connection", retry.DefaultOn(), &connErr{msg: "EOF"}, true},
		{"default: timeout", retry.DefaultOn(), os.ErrDeadlineExceeded, true},
		{"default: loading is a connection error", retry.DefaultOn(), loading, true},
		{"default: readonly", retry.DefaultOn(), replyErr("READONLY x"), false},
		{"default: wrongtype", retry.DefaultOn(), replyErr("WRONGTYPE x"), false},
		{"default: canceled", retry.DefaultOn(), context.Canceled, false},
		{"code", []retry.Class{"LOADING"}, loading, true},
		{"code does not match others", []retry.Class{"LOADING"}, &connErr{msg: "EOF"}, false},
		{"response error covers moved", []retry.Class{retry.ResponseError}, replyErr("MOVED 1 127.0.0.1:7000"), true},
		{"auth never, by class", []retry.Class{retry.ResponseError, retry.AuthenticationError}, replyErr("WRONGPASS x"), false},
		{"auth never, by code", []retry.Class{"WRONGPASS", "NOAUTH", "ERR"}, replyErr("NOAUTH Authentication required."), false},
		{"auth never, by message", []retry.Class{"ERR"}, replyErr("ERR invalid password"), false},
		{"max clients by code", []retry.Class{"ERR"}, replyErr("ERR max number of clients reached"), true},
		{"nothing", nil, io.EOF, false},
		{"nil error", retry.DefaultOn(), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := retry.Policy{On: tt.on}
			if got := p.Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) under on=%v = %v, want %v", tt.err, tt.on, got, tt.want)
			}
		})
	}
}

// FuzzApply checks that Apply never panics and returns only valid policies.
func FuzzApply(f *testing.F) {
	f.Add("retries=5 backoff=exponential base=10ms cap=1s on=ConnectionError,LOADING deadline=10s")
	f.Add("retries=forever on=")
	f.Add("cap=0 base=-1s x")
	f.Fuzz(func(t *testing.T, line string) {
		p, err := retry.DefaultPolicy().Apply(strings.Fields(line)...)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Apply(%q) returned an invalid policy: %v", line, err)
		}
	})
}
