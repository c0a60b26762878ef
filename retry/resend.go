package retry

import (
	"fmt"
	"strings"
)

// Resend says which operations may be attempted again once their request
// was sent (--retry-sent): the server may have run them already, and a
// second run may change data a second time. A failure before the request
// left is retried under every value: nothing ran.
type Resend uint8

// The values of --retry-sent. The zero value is ResendSafe, the default.
const (
	// ResendSafe sends again only operations that cannot change data, or
	// whose second run leaves the data as the first did (Hooks.Safe).
	ResendSafe Resend = iota
	// ResendAll sends everything again, as redis-py does; each operation
	// that is not safe is reported through Hooks.OnResend when it is.
	ResendAll
	// ResendNone never sends a request again once it left.
	ResendNone
)

// resendNames are the flag values, in the order of the constants.
var resendNames = [...]string{"safe", "all", "none"}

// ResendNames returns the accepted values of --retry-sent.
func ResendNames() []string { return append([]string(nil), resendNames[:]...) }

// ParseResend returns the Resend called s ("safe", "all" or "none"),
// ignoring case and surrounding spaces.
func ParseResend(s string) (Resend, error) {
	s = strings.TrimSpace(s)
	for i, n := range resendNames {
		if strings.EqualFold(s, n) {
			return Resend(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not one of %s", s, strings.Join(resendNames[:], ", "))
}

// String returns "safe", "all" or "none".
func (r Resend) String() string {
	if int(r) < len(resendNames) {
		return resendNames[r]
	}
	return fmt.Sprintf("Resend(%d)", int(r))
}

// Allows reports whether a request that was sent may be sent again: safe
// says that it cannot change data twice (see Hooks.Safe).
func (r Resend) Allows(safe bool) bool {
	switch r {
	case ResendAll:
		return true
	case ResendSafe:
		return safe
	}
	return false
}

// sentError marks the final error of an operation one of whose earlier
// attempts had sent its request, so that RequestSent still reports it
// when the last attempt failed before sending (a dial that failed after a
// reset).
type sentError struct{ err error }

func (e *sentError) Error() string     { return e.err.Error() }
func (e *sentError) Unwrap() error     { return e.err }
func (e *sentError) RequestSent() bool { return true }
