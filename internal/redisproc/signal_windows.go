package redisproc

import "os"

// terminate ends the process: Windows cannot send another process a
// signal asking it to exit, so it is killed.
func terminate(p *os.Process) error { return p.Kill() }

// freeze fails: Windows has no SIGSTOP.
func freeze(*os.Process) error { return ErrNoPause }

// thaw fails: Windows has no SIGCONT.
func thaw(*os.Process) error { return ErrNoPause }
