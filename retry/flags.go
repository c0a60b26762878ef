package retry

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redish/redish/backoff"
)

// Flags holds the retry flags of the command line as given, before any
// defaulting. A XxxSet field says the flag was given explicitly (pflag's
// Changed); a non-zero value counts as given too, so a Flags literal need
// not set both.
type Flags struct {
	Retries    int // --retries
	RetriesSet bool
	Backoff    string // --retry-backoff; "none" unless set counts as not given
	BackoffSet bool
	Base       time.Duration // --retry-backoff-base
	BaseSet    bool
	Cap        time.Duration // --retry-backoff-cap
	CapSet     bool
	// OnError holds the --retry-on-error values, one per flag occurrence;
	// each is a comma-separated list of classes or codes.
	OnError   []string
	OnTimeout bool          // --retry-on-timeout
	Deadline  time.Duration // --retry-deadline; 0 means none
	// Sent is --retry-sent: "safe", "all" or "none"; "" means safe.
	Sent string
}

// Policy returns the effective policy of the flags, with warnings to print
// once on stderr, or an error naming the offending flag. The rules:
//
//  1. No --retries, --retry-backoff, --retry-on-error or --retry-on-timeout:
//     0 retries, no backoff (DefaultPolicy).
//  2. --retry-on-error and/or --retry-on-timeout without --retries and
//     --retry-backoff: 1 retry with no backoff, retrying exactly the
//     listed classes, plus TimeoutError for --retry-on-timeout (redis-py's
//     Retry(NoBackoff(), 1)).
//  3. --retry-on-error and/or --retry-on-timeout with --retries and/or
//     --retry-backoff: the given count and backoff, retrying exactly the
//     listed classes (only TimeoutError for --retry-on-timeout alone).
//  4. --retries and/or --retry-backoff alone: the given count and backoff,
//     retrying ConnectionError and TimeoutError.
//
// In rules 3 and 4, --retry-backoff without --retries keeps 0 retries and
// yields a warning. --retry-backoff-base, --retry-backoff-cap and
// --retry-deadline and --retry-sent apply under every rule. A base greater than the cap is
// an error for the strategies that apply the cap, so that the flags never
// silently mean something else than they say.
func (f Flags) Policy() (Policy, []string, error) {
	p := DefaultPolicy()
	var warnings []string

	retriesGiven := f.RetriesSet || f.Retries != 0
	backoffGiven := f.BackoffSet || (f.Backoff != "" && !strings.EqualFold(f.Backoff, backoff.NameNone))
	on, err := parseClasses(flagLabels.on, f.OnError)
	if err != nil {
		return Policy{}, nil, err
	}
	onGiven := len(on) > 0 || f.OnTimeout

	if f.BaseSet || f.Base != 0 {
		if err := flagLabels.param(backoff.CheckBase(f.Base)); err != nil {
			return Policy{}, nil, err
		}
		p.Base = f.Base
	}
	if f.CapSet || f.Cap != 0 {
		if err := flagLabels.param(backoff.CheckCap(f.Cap)); err != nil {
			return Policy{}, nil, err
		}
		p.Cap = f.Cap
	}
	p.Deadline = f.Deadline
	if f.Sent != "" {
		r, err := ParseResend(f.Sent)
		if err != nil {
			return Policy{}, nil, fmt.Errorf("%s: %w", flagLabels.sent, err)
		}
		p.Resend = r
	}

	switch {
	case !onGiven && !retriesGiven && !backoffGiven: // rule 1
	case onGiven && !retriesGiven && !backoffGiven: // rule 2
		p.Retries = 1
	default: // rules 3 and 4
		p.Retries = f.Retries
		if backoffGiven {
			p.Backoff = strings.ToLower(strings.TrimSpace(f.Backoff))
		}
		if backoffGiven && !retriesGiven {
			warnings = append(warnings, fmt.Sprintf(
				"Warning: --retry-backoff %s has no effect without --retries: no retries will be made.", f.Backoff))
		}
	}
	if onGiven {
		if f.OnTimeout && !slices.Contains(on, TimeoutError) {
			on = append(on, TimeoutError)
		}
		p.On = on
		for _, c := range on {
			if c.Is(AuthenticationError) || c == "WRONGPASS" || c == "NOAUTH" {
				warnings = append(warnings, fmt.Sprintf(
					"Warning: --retry-on-error %s: authentication errors are never retried.", c))
			}
		}
	}
	if err := p.check(flagLabels); err != nil {
		return Policy{}, nil, err
	}
	return p, warnings, nil
}
