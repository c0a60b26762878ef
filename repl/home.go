package repl

import (
	"os"
	"runtime"
)

// HomeDir returns the user's home directory as the environment gives it:
// $HOME, else, on Windows, where HOME is seldom set, %USERPROFILE%. It
// returns "" when there is none.
func HomeDir(getenv func(string) string) string {
	return homeDir(getenv, runtime.GOOS)
}

func homeDir(getenv func(string) string, goos string) string {
	if home := getenv("HOME"); home != "" {
		return home
	}
	if goos == "windows" {
		return getenv("USERPROFILE")
	}
	return ""
}

// isDevNull reports whether path names the null device: /dev/null, as
// the documentation says, or the system's name for it (NUL on Windows).
func isDevNull(path string) bool {
	return path == "/dev/null" || path == os.DevNull
}
