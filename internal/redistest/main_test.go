package redistest

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeTB records how a helper ended the test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	ending string // "skip" or "fatal"
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) { f.end("skip", format, args...) }

func (f *fakeTB) Fatalf(format string, args ...any) { f.end("fatal", format, args...) }

func (f *fakeTB) end(how, format string, args ...any) {
	f.mu.Lock()
	f.ending = how + ": " + fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// endingOf runs fn with a fakeTB on its own goroutine, as the testing
// package runs tests, and returns how it ended ("" if it returned).
func endingOf(t *testing.T, fn func(testing.TB)) string {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ending
}

func TestMissingBinaries(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, tc := range []struct {
		name string
		ci   string
		want string
	}{
		{"local", "", "skip"},
		{"CI", "true", "fatal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			for _, fn := range []func(testing.TB){
				func(tb testing.TB) { RedisCLI(tb) },
				func(tb testing.TB) { Start(tb) },
			} {
				got := endingOf(t, fn)
				if len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
					t.Errorf("ended with %q, want %s", got, tc.want)
				}
			}
		})
	}
}
