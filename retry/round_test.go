package retry

import (
	"errors"
	"testing"
	"time"
)

func TestRoundWait(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{134112859 * time.Nanosecond, "134ms"},
		{16 * time.Millisecond, "16ms"},
		{512 * time.Millisecond, "512ms"},
		{15321 * time.Microsecond, "15.3ms"},
		{1234567891 * time.Nanosecond, "1.23s"},
		{999700 * time.Microsecond, "1s"},
		{1500 * time.Nanosecond, "1.5µs"},
		{10 * time.Second, "10s"},
	} {
		if got := roundWait(tc.in).String(); got != tc.want {
			t.Errorf("roundWait(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestFormatEventRoundsTheWait(t *testing.T) {
	ev := Event{Action: ActionRetry, Attempt: 1, Retries: 3, Wait: 134112859 * time.Nanosecond,
		Class: ConnectionError, Err: errors.New("connection refused"), Backoff: "full-jitter"}
	if got, want := FormatEvent(ev), "retry 1/3 in 134ms after ConnectionError: connection refused [full-jitter]"; got != want {
		t.Errorf("FormatEvent = %q\nwant          %q", got, want)
	}
}
