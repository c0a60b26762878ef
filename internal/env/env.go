// Package env is the environment a mode runs in: its streams (IOStreams),
// the session with the server, the printer of replies, the clock, the
// routing of Ctrl-C, and how the session connects, for a mode that opens
// connections of its own. cmd builds an Env from the command line and
// hands it to the mode's Run; a test builds one around buffers and a real
// server and calls Run directly.
//
// The package also holds what every mode says the same way: the line
// printed for an error (Describe) and the error that sets the exit code
// (ExitError).
package env

import (
	"context"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

// Env is what a mode runs with. cmd builds it; the mode gets its own
// options separately.
type Env struct {
	// IO are the streams.
	IO *IOStreams
	// Session is the client of the run: a *redisx.Client, a
	// *redisx.ClusterClient with -c, or a *redisx.SentinelClient with
	// --sentinel. It connects on first use.
	Session Session
	// Printer prints replies in the chosen format.
	Printer *Printer
	// Clock is the time source of waits between samples and repeats.
	Clock retry.Clock
	// Interrupts routes Ctrl-C; nil where signals are not handled (a run
	// in a test).
	Interrupts *Interrupts

	// Conn, Retry and Observe say how the session connects, for a mode
	// that opens connections of its own (--rdb, --replica, --pipe, a scan
	// of each primary).
	Conn  redisx.Options
	Retry *retry.Retry
	// Observe prints a --verbose line for each retry event; nil without
	// --verbose.
	Observe func(retry.Event)

	// Version returns redish's version ("v1.2.3", "devel"), for help
	// texts. It is a function: reading the build information costs a
	// little, and most runs never show it.
	Version func() string
}

// RedisHelp prints help on Redis commands, as redis-cli's "help" does:
// the banner, "help CMD" or "help @group".
//
// redis-cli colours its help even when stdout is not a terminal; redish
// colours it only on a terminal, and writes plain text to pipes and files.
func (e *Env) RedisHelp(topic []string) error {
	version := "devel"
	if e.Version != nil {
		version = e.Version()
	}
	text := format.HelpText(topic, version)
	if !e.IO.OutTTY || e.IO.NoColor {
		text = stripColor(text)
	}
	return e.Printer.Text(text)
}

// stripColor removes the colour sequences (ESC [ digits and ; m) of s.
func stripColor(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + 2
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
			j++
		}
		if j < len(s) && s[j] == 'm' {
			b.WriteString(s[:i])
			s = s[j+1:]
		} else {
			b.WriteString(s[:i+1])
			s = s[i+1:]
		}
	}
}

// Sleep waits for d on the environment's clock, or until ctx ends.
func (e *Env) Sleep(ctx context.Context, d time.Duration) error {
	return e.clock().Sleep(ctx, d)
}

// Now returns the time on the environment's clock.
func (e *Env) Now() time.Time { return e.clock().Now() }

func (e *Env) clock() retry.Clock {
	if e.Clock == nil {
		return retry.SystemClock{}
	}
	return e.Clock
}
