//go:build unix

package repl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nobody is a user id that is not the test's.
const nobody = 65534

// TestHistoryNotThroughOthersLinks: the history file is never read or
// written through a symbolic link another user owns, nor when the file
// itself is another user's; a link the user owns is followed, and the
// file it reaches is written 0600.
func TestHistoryNotThroughOthersLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("own link", func(t *testing.T) {
		own := filepath.Join(dir, "own-link")
		if err := os.Symlink(filepath.Join(dir, "via-own-link"), own); err != nil {
			t.Fatal(err)
		}
		h, _, err := OpenHistory(own)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Add("GET k"); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "via-own-link"))
		if err != nil || string(b) != "GET k\n" {
			t.Errorf("file behind the link: %q, %v", b, err)
		}
		if fi, err := os.Stat(own); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	})

	if os.Geteuid() != 0 {
		t.Skip("files of another user need root to make")
	}
	for _, tc := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"link owned by another user", func(path string) error {
			if err := os.Symlink(target, path); err != nil {
				return err
			}
			return os.Lchown(path, nobody, nobody)
		}, "is a symbolic link owned by another user"},
		{"file owned by another user", func(path string) error {
			if err := os.WriteFile(path, []byte("theirs\n"), 0o666); err != nil {
				return err
			}
			return os.Chown(path, nobody, nobody)
		}, "is owned by another user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			h, lines, err := OpenHistory(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || lines != nil {
				t.Fatalf("OpenHistory: %v, %q; want an error saying %q", err, lines, tc.want)
			}
			if kept, err := h.Add("SET k v"); !kept || err != nil {
				t.Errorf("Add: %v, %v", kept, err)
			}
			if b, _ := os.ReadFile(target); string(b) != "mine\n" {
				t.Errorf("the link's target was written: %q", b)
			}
			if b, _ := os.ReadFile(path); strings.Contains(string(b), "SET") {
				t.Errorf("another user's file was written: %q", b)
			}
		})
	}
}
