// Package secret keeps the credentials a run knows about and masks them in
// what it prints: error messages, --verbose lines, error replies.
//
// A server that refuses a command may quote its arguments back ("unknown
// command 'AUTH', with args beginning with: 'default' 'pw'"), and a proxy
// or a hostile server may quote anything it was sent. Every password the
// run was given (options, environment, configuration file) and every
// credential found in a command it sends (see Credentials) is added to a
// Set, and every line of error output passes through the Set's Mask.
package secret

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"
)

// Mask replaces each secret in masked output.
const Mask = "***"

// Set is the secrets of a run. The zero value and a nil *Set are empty
// sets; a nil *Set ignores Add. A Set is safe for concurrent use.
type Set struct {
	mu sync.RWMutex
	// list is sorted longest first, so a secret that holds another is
	// masked whole.
	list [][]byte
}

// New returns an empty Set.
func New() *Set { return &Set{} }

// Add adds a secret. The empty string is not a secret: masking it would
// mean nothing.
func (s *Set) Add(secret string) {
	if s == nil || secret == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, known := range s.list {
		if string(known) == secret {
			return
		}
	}
	s.list = append(s.list, []byte(secret))
	slices.SortStableFunc(s.list, func(a, b []byte) int { return len(b) - len(a) })
}

// AddCommand adds the credentials a command carries (see Credentials).
// Call it before the command is sent: the errors and retry lines of that
// very command must already be masked.
func (s *Set) AddCommand(args [][]byte) {
	if s == nil {
		return
	}
	for _, c := range Credentials(args) {
		s.Add(string(c))
	}
}

// Empty reports whether the set holds no secret.
func (s *Set) Empty() bool {
	if s == nil {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.list) == 0
}

// MaskBytes returns b with every secret replaced by Mask. A secret cut
// short inside single quotes ('s3cr', as Redis quotes the arguments of a
// command it refuses, truncated at 128 bytes) is masked too. It returns b
// itself, not a copy, when there is nothing to mask.
func (s *Set) MaskBytes(b []byte) []byte {
	if s == nil {
		return b
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.list) == 0 {
		return b
	}
	out := b
	for _, secret := range s.list {
		if bytes.Contains(out, secret) {
			out = bytes.ReplaceAll(out, secret, []byte(Mask))
		}
	}
	if bytes.IndexByte(out, '\'') >= 0 {
		out = s.maskQuotedPrefixes(out)
	}
	return out
}

// maskQuotedPrefixes masks each single-quoted word that is the beginning
// of a secret.
func (s *Set) maskQuotedPrefixes(b []byte) []byte {
	var out []byte
	rest := b
	done := 0
	for {
		open := bytes.IndexByte(rest, '\'')
		if open < 0 {
			break
		}
		end := bytes.IndexByte(rest[open+1:], '\'')
		if end < 0 {
			break
		}
		word := rest[open+1 : open+1+end]
		if len(word) > 0 && s.isPrefix(word) {
			start := len(b) - len(rest) + open + 1
			out = append(out, b[done:start]...)
			out = append(out, Mask...)
			done = start + len(word)
		}
		rest = rest[open+1+end+1:]
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}

func (s *Set) isPrefix(word []byte) bool {
	for _, secret := range s.list {
		if bytes.HasPrefix(secret, word) {
			return true
		}
	}
	return false
}

// String returns text with every secret masked (see MaskBytes).
func (s *Set) String(text string) string {
	if s.Empty() {
		return text
	}
	return string(s.MaskBytes([]byte(text)))
}

// Writer returns a writer that masks the secrets of s in each write before
// passing it on to w. Each write is masked on its own: a line must be
// written whole (fmt.Fprintln does) for a secret in it to be found.
func (s *Set) Writer(w io.Writer) io.Writer {
	return &writer{s: s, w: w}
}

type writer struct {
	s *Set
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	masked := w.s.MaskBytes(p)
	if _, err := w.w.Write(masked); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Credentials returns the arguments of a command that are passwords (or
// password hashes), compared case-insensitively:
//
//   - AUTH [user] password: the password;
//   - HELLO ... AUTH user password: the password;
//   - MIGRATE ... AUTH password, MIGRATE ... AUTH2 user password;
//   - ACL SETUSER user >password <password #hash !hash ...;
//   - CONFIG SET parameter value ...: the value of each parameter whose
//     name contains "pass" or "auth" (requirepass, masterauth,
//     tls-key-file-pass);
//   - SENTINEL SET master auth-pass password, SENTINEL CONFIG SET
//     sentinel-pass password.
func Credentials(args [][]byte) [][]byte {
	if len(args) == 0 {
		return nil
	}
	is := func(i int, word string) bool {
		return i < len(args) && strings.EqualFold(string(args[i]), word)
	}
	at := func(i int) [][]byte {
		if i < len(args) {
			return [][]byte{args[i]}
		}
		return nil
	}
	var out [][]byte
	switch strings.ToUpper(string(args[0])) {
	case "AUTH":
		if len(args) < 2 {
			return nil
		}
		return at(len(args) - 1)
	case "HELLO":
		for i := 1; i < len(args); i++ {
			if is(i, "AUTH") {
				out = append(out, at(i+2)...)
			}
		}
	case "MIGRATE":
		for i := 1; i < len(args); i++ {
			switch {
			case is(i, "AUTH"):
				out = append(out, at(i+1)...)
			case is(i, "AUTH2"):
				out = append(out, at(i+2)...)
			}
		}
	case "ACL":
		if !is(1, "SETUSER") {
			return nil
		}
		for _, rule := range args[min(3, len(args)):] {
			if len(rule) > 1 && strings.IndexByte("><#!", rule[0]) >= 0 {
				out = append(out, rule[1:])
			}
		}
	case "CONFIG":
		if !is(1, "SET") {
			return nil
		}
		for i := 2; i+1 < len(args); i += 2 {
			p := strings.ToLower(string(args[i]))
			if strings.Contains(p, "pass") || strings.Contains(p, "auth") {
				out = append(out, args[i+1])
			}
		}
	case "SENTINEL":
		for i := 1; i < len(args); i++ {
			p := strings.ToLower(string(args[i]))
			if p == "auth-pass" || p == "sentinel-pass" {
				out = append(out, at(i+1)...)
			}
		}
	}
	return out
}
