package retry

import "time"

// roundWait rounds a wait to three significant digits for printing: a
// jittered 134.112859ms prints as 134ms, 1.2345s as 1.23s; the waits of
// the fixed strategies (8ms, 16ms, ...) print as they are.
func roundWait(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	unit := time.Duration(1)
	for d/unit >= 1000 {
		unit *= 10
	}
	return d.Round(unit)
}
