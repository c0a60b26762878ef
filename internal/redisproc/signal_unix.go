//go:build unix

package redisproc

import (
	"os"
	"syscall"
)

// terminate asks the process to exit (SIGTERM): redis-server shuts down
// cleanly.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// freeze stops the process (SIGSTOP) until thaw.
func freeze(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }

// thaw continues a process stopped by freeze (SIGCONT).
func thaw(p *os.Process) error { return p.Signal(syscall.SIGCONT) }
