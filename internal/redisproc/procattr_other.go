//go:build unix && !linux

package redisproc

import "syscall"

// procAttr puts a server in a process group of its own. Outside Linux
// there is no parent-death signal: a server outlives a process killed
// with SIGKILL.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
