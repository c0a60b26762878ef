package repl

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/redish/redish/internal/cliargs"
)

// History files.
const (
	// HistoryFileName is the history file in the home directory.
	HistoryFileName = ".redish_history"
	// HistoryEnv names the environment variable that overrides the history
	// file; "/dev/null" turns history off.
	HistoryEnv = "REDISH_HISTFILE"
	// historyMax is the number of lines kept, in memory and in the file.
	historyMax = 1000
	// historyMode is the history file's permission bits, whatever the
	// umask: the file may hold keys and values.
	historyMode fs.FileMode = 0o600
)

// HistoryPath returns the history file to use: $REDISH_HISTFILE if set,
// else ~/.redish_history. It returns "" when history is off
// (REDISH_HISTFILE=/dev/null) or there is no home directory.
func HistoryPath(getenv func(string) string) string {
	if p := getenv(HistoryEnv); p != "" {
		if isDevNull(p) {
			return ""
		}
		return p
	}
	home := HomeDir(getenv)
	if home == "" {
		return ""
	}
	return filepath.Join(home, HistoryFileName)
}

// History is the history file: lines are appended as they are entered,
// secrets excepted, and the file is trimmed to its last lines when loaded.
// A zero History (no path) keeps nothing.
type History struct {
	path string
}

// OpenHistory returns the history kept in path ("" for none) and the lines
// already in it, oldest first. The file is created with mode 0600, and its
// mode is set to 0600 if it was wider. A file that another user owns, or
// a symbolic link another user owns, is neither read nor written: the
// history is then off and the error says why.
func OpenHistory(path string) (*History, []string, error) {
	h := &History{path: path}
	if path == "" {
		return h, nil, nil
	}
	f, err := openPrivate(path, os.O_RDONLY|os.O_CREATE)
	if err != nil {
		return &History{}, nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	if err := f.Chmod(historyMode); err != nil {
		return h, nil, fmt.Errorf("history: %w", err)
	}
	var lines []string
	total := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		total++
		lines = append(lines, line)
		if len(lines) > 2*historyMax {
			lines = append(lines[:0], lines[len(lines)-historyMax:]...)
		}
	}
	if err := sc.Err(); err != nil {
		return h, nil, fmt.Errorf("history: reading %s: %w", path, err)
	}
	if len(lines) > historyMax {
		lines = lines[len(lines)-historyMax:]
	}
	if total > len(lines) {
		if err := h.rewrite(lines); err != nil {
			return h, lines, err
		}
	}
	return h, lines, nil
}

// Path returns the file's path, "" when history is off.
func (h *History) Path() string { return h.path }

// Add appends line to the file unless it holds a secret (see IsSecret).
// It reports whether the line was kept.
func (h *History) Add(line string) (bool, error) {
	if strings.TrimSpace(line) == "" || strings.ContainsAny(line, "\r\n") || IsSecretLine(line) {
		return false, nil
	}
	if h.path == "" {
		return true, nil
	}
	f, err := openPrivate(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	_, werr := f.WriteString(line + "\n")
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	return true, nil
}

// rewrite replaces the file with lines, atomically.
func (h *History) rewrite(lines []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(h.path), filepath.Base(h.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	err = errors.Join(w.Flush(), tmp.Chmod(historyMode), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), h.path)
	}
	if err != nil {
		return fmt.Errorf("history: rewriting %s: %w", h.path, err)
	}
	return nil
}

// IsSecretLine reports whether a line typed at the prompt must stay out of
// the history file because it may hold a password. A line that does not
// split is judged by its white-space separated words.
func IsSecretLine(line string) bool {
	words, err := cliargs.SplitArgs(line)
	if err != nil {
		words = strings.Fields(line)
	}
	return IsSecret(words)
}

// IsSecret reports whether a command (with or without a repeat prefix) may
// carry a credential, compared case-insensitively:
//
//   - AUTH, in any form;
//   - HELLO with an AUTH argument;
//   - ACL SETUSER, ACL GETUSER, ACL DELUSER;
//   - CONFIG SET of any parameter whose name contains "auth", "pass" or
//     "user" (requirepass, masterauth, masteruser, ...): any word after
//     SET containing one of them;
//   - MIGRATE with AUTH or AUTH2;
//   - SENTINEL with auth-pass (or auth-user, sentinel-pass,
//     sentinel-user).
//
// The rules err on the side of leaving a line out: a MIGRATE whose key is
// called "auth" is not saved either.
func IsSecret(words []string) bool {
	words = stripRepeat(words)
	if len(words) == 0 {
		return false
	}
	has := func(from int, names ...string) bool {
		for _, w := range words[min(from, len(words)):] {
			for _, n := range names {
				if strings.EqualFold(w, n) {
					return true
				}
			}
		}
		return false
	}
	sub := func(name string) bool {
		return len(words) > 1 && strings.EqualFold(words[1], name)
	}
	switch strings.ToLower(words[0]) {
	case "auth":
		return true
	case "hello":
		return has(1, "auth")
	case "acl":
		return sub("setuser") || sub("getuser") || sub("deluser")
	case "config":
		if !sub("set") {
			return false
		}
		// Parameters and values alike: a misplaced word leaves the line
		// out rather than a password in.
		for _, w := range words[2:] {
			p := strings.ToLower(w)
			if strings.Contains(p, "auth") || strings.Contains(p, "pass") || strings.Contains(p, "user") {
				return true
			}
		}
	case "migrate":
		return has(1, "auth", "auth2")
	case "sentinel":
		return has(1, "auth-pass", "auth-user", "sentinel-pass", "sentinel-user")
	}
	return false
}

// openHistory loads the history file into the editor.
func (s *Shell) openHistory() {
	h, lines, err := OpenHistory(s.cfg.HistoryPath)
	s.history = h
	if err != nil {
		s.errorf("%v", err)
		s.warned = true
	}
	for _, l := range lines {
		if l = strings.TrimRight(l, " \t"); l != s.lastHistory {
			s.ed.AddHistory(l)
			s.lastHistory = l
		}
	}
}

// addHistory records a line typed, unless it holds a secret, without its
// trailing blanks, and not when it repeats the line before.
func (s *Shell) addHistory(line string) {
	line = strings.TrimRight(line, " \t")
	if line == s.lastHistory {
		return
	}
	kept, err := s.history.Add(line)
	if kept {
		s.ed.AddHistory(line)
		s.lastHistory = line
	}
	if err != nil && !s.warned {
		s.warned = true
		s.errorf("%v", err)
	}
}
