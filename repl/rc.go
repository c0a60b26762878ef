package repl

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/redish/redish/internal/cliargs"
)

// Start-up files.
const (
	// RCFileName is the file of :set, :retry and :verbose lines run at
	// start, in the home directory.
	RCFileName = ".redishrc"
	// RCEnv names the environment variable that overrides it.
	RCEnv = "REDISH_RCFILE"
)

// RCPath returns the start-up file to read: $REDISH_RCFILE if set, else
// ~/.redishrc, "" when there is no home directory.
func RCPath(getenv func(string) string) string {
	if p := getenv(RCEnv); p != "" {
		return p
	}
	if home := HomeDir(getenv); home != "" {
		return filepath.Join(home, RCFileName)
	}
	return ""
}

// runRC runs the :set, :retry and :verbose lines of the start-up file.
// Blank lines and lines starting with # are skipped; a missing file is no
// error.
func (s *Shell) runRC() {
	if s.cfg.RCPath == "" {
		return
	}
	f, err := os.Open(s.cfg.RCPath)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		s.errorf("%v", err)
		return
	}
	defer f.Close()
	name := filepath.Base(s.cfg.RCPath)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words, err := cliargs.SplitArgs(line)
		if err != nil || len(words) == 0 || !strings.HasPrefix(words[0], ":") {
			s.print(name + ": only :set, :retry and :verbose lines are allowed: " + line + "\n")
			continue
		}
		s.internal(words, name)
	}
	if err := sc.Err(); err != nil {
		s.errorf("%s: %v", s.cfg.RCPath, err)
	}
}
