package redisproc_test

import "os"

// gone reports whether pid has exited: Windows cannot open a process that
// is no more.
func gone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	p.Release()
	return false
}
