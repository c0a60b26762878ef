package redisproc

import "syscall"

// procAttr puts a server in a process group of its own and has the kernel
// send it SIGKILL when the thread that started it exits. The Go runtime
// ends a thread only when a goroutine locked to it returns, which this
// package never does, so in practice that is when the process dies: even
// a SIGKILL of the test binary or of redish leaves no server behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
