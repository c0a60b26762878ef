//go:build unix

package repl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openPrivate opens the history file for flag, creating it with mode
// historyMode. It never follows a symbolic link that another user owns
// (one planted in a shared directory would make redish write where that
// user chose), and refuses a file another user owns: either would put
// the user's commands, keys and values where someone else can read them.
// A link the user owns is followed.
func openPrivate(path string, flag int) (*os.File, error) {
	follow := false
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if !ownedByMe(fi) {
			return nil, fmt.Errorf("%s is a symbolic link owned by another user: history is not kept", path)
		}
		follow = true
	}
	if !follow {
		flag |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flag, historyMode)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s became a symbolic link: history is not kept", path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !ownedByMe(fi) {
		f.Close()
		return nil, fmt.Errorf("%s is owned by another user: history is not kept", path)
	}
	return f, nil
}

func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Geteuid()
}
