package retry

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/backoff"
)

// Forever is the retry count that means "retry until success, until the
// context is cancelled or until the deadline passes".
const Forever = -1

// Policy says which failures to retry, how often and how long to wait in
// between. The zero Policy makes one attempt and retries nothing.
type Policy struct {
	// Retries is the number of retries after the first attempt; Forever
	// (-1) means no limit.
	Retries int
	// Backoff names the wait strategy (see backoff.Names); "" means none.
	Backoff string
	// Base and Cap parametrise the backoff (see the backoff package). They
	// are ignored by "none", and Cap by "constant".
	Base, Cap time.Duration
	// On lists the retried classes and raw error codes. A class also
	// matches its subclasses. AuthenticationError is never retried, even
	// when listed.
	On []Class
	// Deadline, when positive, bounds the retries: no retry starts after
	// Deadline has passed since the first attempt, and no wait runs past
	// it. It does not bound an attempt in progress.
	Deadline time.Duration
	// Resend says what may be sent again once its request was sent
	// (--retry-sent); the zero value is ResendSafe.
	Resend Resend
}

// DefaultOn lists the classes retried when the user names none:
// ConnectionError and TimeoutError.
func DefaultOn() []Class { return []Class{ConnectionError, TimeoutError} }

// DefaultPolicy returns the policy of a command line without retry flags:
// no retries, no backoff, the default base, cap and classes, so that
// raising Retries alone gives a useful policy.
func DefaultPolicy() Policy {
	return Policy{
		Backoff: backoff.NameNone,
		Base:    backoff.DefaultBase,
		Cap:     backoff.DefaultCap,
		On:      DefaultOn(),
	}
}

// BackoffName returns the canonical name of p's backoff ("none" for "").
func (p Policy) BackoffName() string {
	if p.Backoff == "" {
		return backoff.NameNone
	}
	return strings.ToLower(p.Backoff)
}

// Retryable reports whether p retries err: err has a class, the class or
// the error code is listed in p.On, and it is not an AuthenticationError.
func (p Policy) Retryable(err error) bool {
	class := Classify(err)
	if class == "" || class.Is(AuthenticationError) {
		return false
	}
	code := Code(err)
	for _, c := range p.On {
		if c.IsCode() {
			if code == string(c) {
				return true
			}
		} else if class.Is(c) {
			return true
		}
	}
	return false
}

// NewBackoff returns a fresh backoff for p, drawing from rnd (nil means the
// global source).
func (p Policy) NewBackoff(rnd backoff.Rand) (backoff.Backoff, error) {
	name := p.BackoffName()
	if name == backoff.NameNone {
		return backoff.None{}, nil
	}
	return backoff.New(name, p.Base, p.Cap, rnd)
}

// Validate reports the first problem with p, naming the setting as Apply
// does ("cap: must be > 0").
func (p Policy) Validate() error { return p.check(keyLabels) }

// labels are the names of the policy's settings in error messages.
type labels struct {
	retries, backoff, base, cap, on, deadline, sent string
}

var (
	keyLabels  = labels{"retries", "backoff", "base", "cap", "on", "deadline", "sent"}
	flagLabels = labels{"--retries", "--retry-backoff", "--retry-backoff-base", "--retry-backoff-cap", "--retry-on-error", "--retry-deadline", "--retry-sent"}
)

// The checks below are the one place each value of a policy is checked:
// check, set (":retry key=value") and Flags.Policy all call them, and
// backoff's own checks cover the backoff's name, base and cap.

// checkRetries checks a retry count.
func checkRetries(l labels, n int) error {
	if n < Forever {
		return fmt.Errorf("%s: %d is out of range (must be >= -1)", l.retries, n)
	}
	return nil
}

// checkDeadline checks a deadline.
func checkDeadline(l labels, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s: %v is negative", l.deadline, d)
	}
	return nil
}

// checkBackoff checks a backoff's name and returns it as backoff.ParseName
// does.
func checkBackoff(l labels, name string) (string, error) {
	name, err := backoff.ParseName(name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", l.backoff, err)
	}
	return name, nil
}

// param words an error of backoff.Check, CheckBase or CheckCap with the
// labels of l: "--retry-backoff-cap: 0s is out of range (must be > 0)".
func (l labels) param(err error) error {
	var pe *backoff.ParamError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &pe):
		return err
	case pe.Cap > 0:
		return fmt.Errorf("%s: %v is greater than %s %v", l.base, pe.Value, l.cap, pe.Cap)
	case pe.Param == "cap":
		return fmt.Errorf("%s: %v is out of range (must be > 0)", l.cap, pe.Value)
	}
	return fmt.Errorf("%s: %v is negative", l.base, pe.Value)
}

func (p Policy) check(l labels) error {
	if err := checkRetries(l, p.Retries); err != nil {
		return err
	}
	given := p.Backoff
	if given == "" {
		given = backoff.NameNone
	}
	name, err := checkBackoff(l, given)
	if err != nil {
		return err
	}
	if backoff.UsesBase(name) {
		if err := backoff.Check(name, p.Base, p.Cap); err != nil {
			return l.param(err)
		}
	}
	for _, c := range p.On {
		if c.Valid() {
			continue
		}
		// On holds canonical names only: matching compares them exactly.
		pc, err := ParseClass(string(c))
		if err != nil {
			return fmt.Errorf("%s: %w", l.on, err)
		}
		return fmt.Errorf("%s: error class %q must be spelled %q", l.on, c, pc)
	}
	if err := checkDeadline(l, p.Deadline); err != nil {
		return err
	}
	if int(p.Resend) >= len(resendNames) {
		return fmt.Errorf("%s: %v is not one of %s", l.sent, p.Resend, strings.Join(resendNames[:], ", "))
	}
	return nil
}

// String describes p on one line, in the key=value form Apply accepts
// where it can:
//
//	retries=6 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=safe deadline=10s
//
// The deadline is shown only when set; "on=nothing" means no class.
func (p Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "retries=%d backoff=%s", p.Retries, p.BackoffName())
	switch name := p.BackoffName(); {
	case backoff.UsesCap(name):
		fmt.Fprintf(&b, "(base=%v,cap=%v)", p.Base, p.Cap)
	case backoff.UsesBase(name):
		fmt.Fprintf(&b, "(base=%v)", p.Base)
	}
	b.WriteString(" on=")
	if len(p.On) == 0 {
		b.WriteString("nothing")
	}
	for i, c := range p.On {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(c))
	}
	b.WriteString(" sent=")
	b.WriteString(p.Resend.String())
	if p.Deadline > 0 {
		fmt.Fprintf(&b, " deadline=%v", p.Deadline)
	}
	return b.String()
}

// Apply returns a copy of p changed by settings of the form key=value, as
// typed after the shell's ":retry" command:
//
//	retries=5 backoff=exponential base=10ms cap=1s on=ConnectionError,LOADING sent=safe deadline=10s
//
// Keys: retries (a number >= -1, or "forever"), backoff (a name from
// backoff.Names), base and cap (Go durations), on (comma-separated classes
// or error codes; replaces the list), sent (safe, all or none: what may be
// sent again once it was sent) and deadline (a Go duration; 0 turns it
// off). The result is validated as a whole; on error p is unchanged
// and the error names the setting.
func (p Policy) Apply(settings ...string) (Policy, error) {
	q := p
	q.On = slices.Clone(p.On)
	for _, s := range settings {
		key, val, ok := strings.Cut(s, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if !ok {
			return p, fmt.Errorf("%q: expected key=value (keys: retries, backoff, base, cap, on, sent, deadline)", s)
		}
		if err := q.set(key, val); err != nil {
			return p, err
		}
	}
	if err := q.Validate(); err != nil {
		return p, err
	}
	return q, nil
}

func (p *Policy) set(key, val string) error {
	l := keyLabels
	var err error
	switch key {
	case "retries":
		if strings.EqualFold(val, "forever") {
			p.Retries = Forever
			return nil
		}
		p.Retries, err = strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("retries: %q is not a number", val)
		}
		return checkRetries(l, p.Retries)
	case "backoff":
		p.Backoff, err = checkBackoff(l, val)
	case "base":
		if p.Base, err = parseDuration(key, val); err == nil {
			err = l.param(backoff.CheckBase(p.Base))
		}
	case "cap":
		if p.Cap, err = parseDuration(key, val); err == nil {
			err = l.param(backoff.CheckCap(p.Cap))
		}
	case "deadline":
		if p.Deadline, err = parseDuration(key, val); err == nil {
			err = checkDeadline(l, p.Deadline)
		}
	case "on":
		if val == "" {
			return fmt.Errorf("on: no error class given")
		}
		p.On, err = parseClasses(key, []string{val})
	case "sent":
		r, perr := ParseResend(val)
		if perr != nil {
			return fmt.Errorf("sent: %w", perr)
		}
		p.Resend = r
	default:
		err = fmt.Errorf("unknown setting %q (valid: retries, backoff, base, cap, on, sent, deadline)", key)
	}
	return err
}

func parseDuration(label, val string) (time.Duration, error) {
	d, err := time.ParseDuration(val)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration (examples: 8ms, 1.5s)", label, val)
	}
	return d, nil
}

// parseClasses parses comma-separated lists of classes and codes (see
// ParseClassList), dropping duplicates and keeping the first-seen order.
func parseClasses(label string, lists []string) ([]Class, error) {
	var out []Class
	for _, list := range lists {
		classes, err := ParseClassList(list)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		for _, c := range classes {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// ParseClassList parses a comma-separated list of error classes and raw
// error codes, as --retry-on-error takes them; an empty item is an error.
// It is the one check of such a list: the flags, ":retry on=" and the
// configuration file use it.
func ParseClassList(list string) ([]Class, error) {
	var out []Class
	for item := range strings.SplitSeq(list, ",") {
		if strings.TrimSpace(item) == "" {
			return nil, fmt.Errorf("empty error class in %q", list)
		}
		c, err := ParseClass(item)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
