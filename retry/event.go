package retry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event reports what the retry loop does after a retryable failure.
type Event struct {
	Action Action
	// Attempt counts the attempts made so far, all failed; for ActionRetry
	// it is also the number of the retry about to start.
	Attempt int
	// Retries is the policy's retry count; Forever for no limit.
	Retries int
	// Wait is the wait before the next attempt (ActionRetry only).
	Wait time.Duration
	// Deadline is the policy's deadline, 0 if none.
	Deadline time.Duration
	Class    Class
	Err      error
	// Node is the server the failed attempt talked to, "" if unknown.
	Node string
	// Sent is true when the request bytes had been written: the command
	// may already have run on the server.
	Sent bool
	// Backoff is the name of the backoff strategy.
	Backoff string
	// Command names the operation ("INCR ctr"), "" when the caller did not.
	Command string
	// Resend is the policy's --retry-sent value.
	Resend Resend
	// Unsafe is true on ActionRetry when the request was sent and is not
	// safe to run twice: it is sent again only because Resend is
	// ResendAll.
	Unsafe bool
}

// sentMarker follows the message of a failure after the request was sent.
const sentMarker = "(request was sent: the command may already have run)"

// FormatEvent returns ev as one line for --verbose, without a newline:
//
//	retry 1/6 in 16ms after ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused [exponential]
//	retry 3/∞ in 0s after TimeoutError on 127.0.0.1:7000: read: i/o timeout (request was sent: the command may already have run) [none]
//	giving up after 7 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused
//	giving up after 3 attempts (retry deadline 10s): BusyLoadingError on 127.0.0.1:7000: LOADING Redis is loading the dataset in memory
//	interrupted after 2 attempts: ConnectionError: dial tcp 127.0.0.1:7000: connect: connection refused
//	not sending INCR ctr again (--retry-sent safe) after 1 attempt: ConnectionError: read 127.0.0.1:7000: connection reset by peer (request was sent: the command may already have run)
//
// A retry line shows the retry number out of the policy's retries ("∞"
// for Forever), the wait, the class, the node (left out when the message
// already names it), the message, the sent marker when the request had
// been written, and the backoff in brackets. Line breaks in the message
// become spaces.
func FormatEvent(ev Event) string {
	var b strings.Builder
	switch ev.Action {
	case ActionRetry:
		total := "∞"
		if ev.Retries != Forever {
			total = strconv.Itoa(ev.Retries)
		}
		fmt.Fprintf(&b, "retry %d/%s in %v after ", ev.Attempt, total, roundWait(ev.Wait))
	case ActionDeadline:
		fmt.Fprintf(&b, "giving up after %s (retry deadline %v): ", attempts(ev.Attempt), ev.Deadline)
	case ActionInterrupt:
		fmt.Fprintf(&b, "interrupted after %s: ", attempts(ev.Attempt))
	case ActionNotResent:
		what := "the command"
		if ev.Command != "" {
			what = ev.Command
		}
		fmt.Fprintf(&b, "not sending %s again (--retry-sent %s) after %s: ", what, ev.Resend, attempts(ev.Attempt))
	default:
		fmt.Fprintf(&b, "giving up after %s: ", attempts(ev.Attempt))
	}

	msg := ""
	if ev.Err != nil {
		msg = oneLine(ev.Err.Error())
	}
	class := string(ev.Class)
	if class == "" {
		class = "error"
	}
	b.WriteString(class)
	if ev.Node != "" && !strings.Contains(msg, ev.Node) {
		b.WriteString(" on ")
		b.WriteString(oneLine(ev.Node))
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if ev.Sent {
		b.WriteString(" ")
		b.WriteString(sentMarker)
	}
	if ev.Action == ActionRetry && ev.Backoff != "" {
		fmt.Fprintf(&b, " [%s]", ev.Backoff)
	}
	return b.String()
}

// FormatResend returns the line printed, even without --verbose, for a
// retry that sends again a command that may have run and is not safe to
// run twice (ev.Unsafe, under --retry-sent all), without a newline:
//
//	INCR ctr may run twice: sending it again after ConnectionError: read: connection reset by peer (--retry-sent all)
func FormatResend(ev Event) string {
	what := ev.Command
	if what == "" {
		what = "the command"
	}
	msg := ""
	if ev.Err != nil {
		msg = ": " + oneLine(ev.Err.Error())
	}
	return fmt.Sprintf("%s may run twice: sending it again after %s%s (--retry-sent %s)", what, ev.Class, msg, ev.Resend)
}

// oneLine replaces CR and LF by spaces, a CRLF pair by one space.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// attempts returns "1 attempt" or "n attempts".
func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return strconv.Itoa(n) + " attempts"
}
