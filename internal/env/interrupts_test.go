package env

import "testing"

func TestInterrupts(t *testing.T) {
	ended := 0
	in := NewInterrupts(func() { ended++ })
	in.Interrupt()
	if ended != 1 {
		t.Fatalf("an interrupt nobody catches ended the run %d times, want 1", ended)
	}
	var outer, inner int
	releaseOuter := in.Catch(func() { outer++ })
	releaseInner := in.Catch(func() { inner++ })
	in.Interrupt()
	if outer != 0 || inner != 1 || ended != 1 {
		t.Fatalf("outer %d, inner %d, ended %d: want the latest catch only", outer, inner, ended)
	}
	releaseInner()
	releaseInner() // releasing twice does nothing
	in.Interrupt()
	if outer != 1 || inner != 1 {
		t.Fatalf("outer %d, inner %d after the inner release", outer, inner)
	}
	releaseOuter()
	in.Interrupt()
	if ended != 2 {
		t.Fatalf("ended %d after every release, want 2", ended)
	}

	var none *Interrupts
	none.Interrupt()
	none.Catch(func() { t.Error("a nil Interrupts delivered an interrupt") })()
}
