// Package backoff provides the wait strategies used between retries: how
// long to sleep before retry number f of an operation.
//
// The strategies follow the backoff helpers of redis-py (NoBackoff,
// ConstantBackoff, ExponentialBackoff, FullJitterBackoff,
// EqualJitterBackoff, DecorrelatedJitterBackoff, ExponentialWithJitterBackoff).
// Every computation saturates at the cap instead of overflowing, whatever
// the failure count, and randomness comes from an injectable Rand so tests
// get exact waits.
package backoff

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Defaults for the base and the cap of the strategies that use them.
const (
	DefaultBase = 8 * time.Millisecond
	DefaultCap  = 512 * time.Millisecond
)

// Strategy names, as accepted by New and by the --retry-backoff flag.
const (
	NameNone               = "none"
	NameConstant           = "constant"
	NameExponential        = "exponential"
	NameFullJitter         = "full-jitter"
	NameEqualJitter        = "equal-jitter"
	NameDecorrelatedJitter = "decorrelated-jitter"
	NameExponentialJitter  = "exponential-jitter"
)

var names = []string{
	NameNone,
	NameConstant,
	NameExponential,
	NameFullJitter,
	NameEqualJitter,
	NameDecorrelatedJitter,
	NameExponentialJitter,
}

// Names returns the strategy names New accepts, in documentation order.
// The slice is a copy the caller may modify.
func Names() []string {
	return append([]string(nil), names...)
}

// ErrUnknown is wrapped by the error New returns for a name it does not know.
var ErrUnknown = errors.New("unknown backoff")

// ErrInvalid is wrapped by the errors New returns for an unusable base or cap.
var ErrInvalid = errors.New("invalid backoff")

// Backoff computes the wait before a retry.
//
// Compute returns the wait before retry number failures (1-based: the first
// retry asks for 1). A count below 0 is treated as 0. Reset clears the state
// of stateful strategies; the retry loop calls it once at the start of every
// retried operation, never between its attempts.
//
// A Backoff with state (DecorrelatedJitter) is not safe for concurrent use.
type Backoff interface {
	Compute(failures int) time.Duration
	Reset()
}

// Rand is a source of uniform random numbers in [0, 1). *rand.Rand from
// math/rand and math/rand/v2 both satisfy it. A nil Rand in a strategy
// means the global source of math/rand/v2.
type Rand interface {
	Float64() float64
}

// New returns the strategy called name (see Names; case is ignored) with
// the given base and cap, drawing random numbers from rnd (nil means the
// global source).
//
// New checks its arguments: base must be >= 0, cap > 0, and for the
// strategies that apply the cap (all but none and constant) base must not
// exceed cap.
func New(name string, base, cap time.Duration, rnd Rand) (Backoff, error) {
	name, err := ParseName(name)
	if err != nil {
		return nil, err
	}
	if err := Check(name, base, cap); err != nil {
		return nil, err
	}
	switch name {
	case NameConstant:
		return Constant{Wait: base}, nil
	case NameExponential:
		return Exponential{Base: base, Cap: cap}, nil
	case NameFullJitter:
		return FullJitter{Base: base, Cap: cap, Rand: rnd}, nil
	case NameEqualJitter:
		return EqualJitter{Base: base, Cap: cap, Rand: rnd}, nil
	case NameDecorrelatedJitter:
		return &DecorrelatedJitter{Base: base, Cap: cap, Rand: rnd}, nil
	case NameExponentialJitter:
		return ExponentialJitter{Base: base, Cap: cap, Rand: rnd}, nil
	default:
		return None{}, nil
	}
}

// ParseName returns the name of the strategy s names, in lower case (case
// and surrounding spaces are ignored), or an error that wraps ErrUnknown
// and lists the valid names. It is the one check of a strategy's name:
// New, the retry policy and the configuration file use it.
func ParseName(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if !known(name) {
		return "", fmt.Errorf("%w %q (valid: %s)", ErrUnknown, s, strings.Join(names, ", "))
	}
	return name, nil
}

// ParamError is a base or a cap that a strategy cannot use. It wraps
// ErrInvalid; callers that name the setting differently (the retry
// policy's flags and keys) word it from its fields.
type ParamError struct {
	// Param is "base" or "cap".
	Param string
	// Value is the base or the cap.
	Value time.Duration
	// Cap, when above 0, is the cap that the base Value exceeds.
	Cap time.Duration
}

func (e *ParamError) Error() string {
	switch {
	case e.Cap > 0:
		return fmt.Sprintf("%v: base %v is greater than cap %v", ErrInvalid, e.Value, e.Cap)
	case e.Param == "cap":
		return fmt.Sprintf("%v: cap %v must be > 0", ErrInvalid, e.Value)
	}
	return fmt.Sprintf("%v: base %v is negative", ErrInvalid, e.Value)
}

// Unwrap returns ErrInvalid.
func (e *ParamError) Unwrap() error { return ErrInvalid }

// CheckBase reports whether base is usable: it must not be negative. The
// error is a *ParamError.
func CheckBase(base time.Duration) error {
	if base < 0 {
		return &ParamError{Param: "base", Value: base}
	}
	return nil
}

// CheckCap reports whether cap is usable: it must be above 0. The error is
// a *ParamError.
func CheckCap(cap time.Duration) error {
	if cap <= 0 {
		return &ParamError{Param: "cap", Value: cap}
	}
	return nil
}

// Check reports whether base and cap are usable for the strategy called
// name: base >= 0, cap > 0 and, when UsesCap(name), base <= cap. The error
// is a *ParamError, which wraps ErrInvalid.
func Check(name string, base, cap time.Duration) error {
	if err := CheckBase(base); err != nil {
		return err
	}
	if err := CheckCap(cap); err != nil {
		return err
	}
	if UsesCap(name) && base > cap {
		return &ParamError{Param: "base", Value: base, Cap: cap}
	}
	return nil
}

// UsesBase reports whether the strategy called name depends on its base
// (all but none).
func UsesBase(name string) bool {
	name = strings.ToLower(name)
	return known(name) && name != NameNone
}

// UsesCap reports whether the strategy called name applies its cap (all but
// none and constant).
func UsesCap(name string) bool {
	name = strings.ToLower(name)
	return known(name) && name != NameNone && name != NameConstant
}

func known(name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// None never waits.
type None struct{}

// Compute returns 0.
func (None) Compute(int) time.Duration { return 0 }

// Reset does nothing.
func (None) Reset() {}

// Constant waits the same time before every retry.
type Constant struct {
	Wait time.Duration
}

// Compute returns c.Wait.
func (c Constant) Compute(int) time.Duration { return c.Wait }

// Reset does nothing.
func (Constant) Reset() {}

// Exponential waits min(Cap, Base * 2^failures).
type Exponential struct {
	Base, Cap time.Duration
}

// Compute returns min(e.Cap, e.Base * 2^failures), saturating at e.Cap.
func (e Exponential) Compute(failures int) time.Duration {
	return capped(e.Base, e.Cap, failures)
}

// Reset does nothing.
func (Exponential) Reset() {}

// FullJitter waits a uniform draw in [0, min(Cap, Base * 2^failures)].
type FullJitter struct {
	Base, Cap time.Duration
	Rand      Rand // nil: the global source
}

// Compute returns rand(0, min(f.Cap, f.Base * 2^failures)).
func (f FullJitter) Compute(failures int) time.Duration {
	return scale(capped(f.Base, f.Cap, failures), draw(f.Rand))
}

// Reset does nothing.
func (FullJitter) Reset() {}

// EqualJitter waits t + rand(0, t) where t = min(Cap, Base * 2^failures) / 2:
// half of the exponential wait is kept, the other half is jittered.
type EqualJitter struct {
	Base, Cap time.Duration
	Rand      Rand // nil: the global source
}

// Compute returns t + rand(0, t) with t = min(e.Cap, e.Base * 2^failures) / 2.
func (e EqualJitter) Compute(failures int) time.Duration {
	t := capped(e.Base, e.Cap, failures) / 2
	return t + scale(t, draw(e.Rand))
}

// Reset does nothing.
func (EqualJitter) Reset() {}

// DecorrelatedJitter ignores the failure count and grows from its previous
// wait: prev = min(Cap, rand(Base, max(Base, prev * 3))), starting from
// prev = 0, so the first wait is min(Cap, Base). Reset starts over.
type DecorrelatedJitter struct {
	Base, Cap time.Duration
	Rand      Rand // nil: the global source

	prev time.Duration
}

// Compute returns the next wait and remembers it.
func (d *DecorrelatedJitter) Compute(int) time.Duration {
	lo := float64(d.Base)
	hi := max(lo, 3*float64(d.prev)) // in float64, 3*prev cannot overflow
	v := lo + draw(d.Rand)*(hi-lo)
	if v >= float64(d.Cap) {
		d.prev = d.Cap
	} else {
		d.prev = time.Duration(v)
	}
	return d.prev
}

// Reset forgets the previous wait.
func (d *DecorrelatedJitter) Reset() { d.prev = 0 }

// ExponentialJitter waits min(Cap, rand(0, 1) * Base * 2^failures): unlike
// FullJitter, the cap is applied after the jitter, so once Base * 2^failures
// is well above Cap most waits equal Cap.
type ExponentialJitter struct {
	Base, Cap time.Duration
	Rand      Rand // nil: the global source
}

// Compute returns min(e.Cap, rand(0, 1) * e.Base * 2^failures).
func (e ExponentialJitter) Compute(failures int) time.Duration {
	r := draw(e.Rand)
	if r == 0 || e.Base <= 0 {
		return 0
	}
	// In float64, Base * 2^f grows to +Inf instead of wrapping around, and
	// the comparison with Cap then saturates.
	v := r * math.Ldexp(float64(e.Base), clampFailures(failures))
	if v >= float64(e.Cap) {
		return e.Cap
	}
	return time.Duration(v)
}

// Reset does nothing.
func (ExponentialJitter) Reset() {}

// capped returns min(cap, base * 2^failures) without overflowing.
func capped(base, cap time.Duration, failures int) time.Duration {
	if base <= 0 {
		return 0
	}
	f := clampFailures(failures)
	// base << f > cap exactly when base > cap >> f; f >= 63 would shift
	// every bit of a positive base out of int64.
	if f >= 63 || base > cap>>f {
		return cap
	}
	return base << f
}

func clampFailures(f int) int {
	// Any count past 1100 saturates every strategy the same way (2^1100
	// overflows float64); clamping keeps math.Ldexp and shifts in range.
	return max(0, min(f, 1100))
}

// draw returns a number in [0, 1) from r, or from the global source when r
// is nil. Out-of-range values from a faulty source are clamped.
func draw(r Rand) float64 {
	var v float64
	if r == nil {
		v = rand.Float64()
	} else {
		v = r.Float64()
	}
	if v >= 0 && v < 1 {
		return v
	}
	if v >= 1 {
		return math.Nextafter(1, 0)
	}
	return 0 // negative or NaN
}

// scale returns d * r for r in [0, 1), never more than d.
func scale(d time.Duration, r float64) time.Duration {
	v := float64(d) * r
	if d <= 0 || v <= 0 {
		return 0
	}
	if v >= float64(d) {
		// float64(d) may round d up; stay within [0, d].
		return d
	}
	return time.Duration(v)
}
