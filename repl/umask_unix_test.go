//go:build unix

package repl

import (
	"syscall"
	"testing"
)

// setUmask sets the process's umask and returns the old one.
func setUmask(_ *testing.T, mask int) int { return syscall.Umask(mask) }
