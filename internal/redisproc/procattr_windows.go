package redisproc

import "syscall"

// procAttr puts a server in a process group of its own, so that Ctrl-C in
// the console reaches only redish. Windows has no parent-death signal: a
// server outlives a process killed from outside.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
