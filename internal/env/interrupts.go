package env

import "sync"

// Interrupts routes Ctrl-C (SIGINT). The process has one signal handler,
// in cmd, which calls Interrupt; by default an interrupt ends the run (it
// cancels the run's context). A mode that gives Ctrl-C a meaning of its
// own catches it for a while: the shell cancels the command that runs,
// and ignores Ctrl-C between commands. The methods may be called from any
// goroutine; a nil *Interrupts catches nothing and never interrupts.
type Interrupts struct {
	end func()

	mu       sync.Mutex
	catchers []*catcher
}

type catcher struct{ f func() }

// NewInterrupts returns the routing of the run whose context end
// cancels.
func NewInterrupts(end func()) *Interrupts {
	return &Interrupts{end: end}
}

// Interrupt delivers one Ctrl-C: to the latest catcher still in place, or
// to the run, which ends.
func (in *Interrupts) Interrupt() {
	if in == nil {
		return
	}
	in.mu.Lock()
	var f func()
	if n := len(in.catchers); n > 0 {
		f = in.catchers[n-1].f
	} else {
		f = in.end
	}
	in.mu.Unlock()
	if f != nil {
		f()
	}
}

// Catch makes Ctrl-C call f, instead of ending the run, until release is
// called. Catches nest: the latest one in place gets the interrupt.
func (in *Interrupts) Catch(f func()) (release func()) {
	if in == nil {
		return func() {}
	}
	c := &catcher{f: f}
	in.mu.Lock()
	in.catchers = append(in.catchers, c)
	in.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			in.mu.Lock()
			defer in.mu.Unlock()
			for i, x := range in.catchers {
				if x == c {
					in.catchers = append(in.catchers[:i], in.catchers[i+1:]...)
					return
				}
			}
		})
	}
}
