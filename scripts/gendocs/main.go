// Command gendocs writes redish's generated documentation: the shell
// completion scripts in completions/ and the man page man/redish.1, both
// from the cobra command that redish runs, so they cannot disagree with it.
//
// Usage:
//
//	go run ./scripts/gendocs [-out DIR]
//
// The output depends only on the source: the man page's date is the
// constant manDate, not the time of the run. scripts/gen-docs.sh runs it
// and, with --check, compares its output with the committed files.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/redish/redish/cmd"
)

// manDate is the date on the man page. Change it when the page's text
// changes in a way worth dating; the page never takes the build's date,
// so regenerating it does not make it drift.
const manDate = "2025-06-01"

func main() {
	out := flag.String("out", ".", "write completions/ and man/ under `dir`")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	root := cmd.NewRootForDocs()
	files := map[string]func(*bytes.Buffer) error{
		"completions/redish.bash": func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) },
		"completions/_redish":     func(b *bytes.Buffer) error { return root.GenZshCompletion(b) },
		"completions/redish.fish": func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) },
		"completions/redish.ps1":  func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) },
		"man/redish.1":            func(b *bytes.Buffer) error { return writeMan(b, root, manDate) },
	}
	for name, gen := range files {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
