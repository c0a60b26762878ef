//go:build !unix

package repl

import "os"

// openPrivate opens the history file for flag, creating it with mode
// historyMode. File ownership is not checked on this system.
func openPrivate(path string, flag int) (*os.File, error) {
	return os.OpenFile(path, flag, historyMode)
}
