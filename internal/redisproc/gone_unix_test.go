//go:build unix

package redisproc_test

import "syscall"

// gone reports whether pid has exited.
func gone(pid int) bool {
	return syscall.Kill(pid, 0) != nil
}
