package cmd

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/redish/redish/internal/secret"
)

// IOStreams are the streams a run reads and writes, with what is known
// about them. Nothing below cmd touches os.Stdout or os.Stderr: every mode
// gets its streams from here, so tests run modes on buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY  bool // stdin is a terminal
	OutTTY bool // stdout is a terminal
	ErrTTY bool // stderr is a terminal

	// Getenv reads the environment; tests replace it.
	Getenv func(string) string

	// Secrets are the passwords the run knows: ErrOut masks them, and so
	// does the printer in error replies. Run sets it.
	Secrets *secret.Set
}

// guarded returns a copy of ios whose ErrOut masks every secret the run
// learns, from its options or from the commands it sends: every error and
// --verbose line goes through it.
func (ios *IOStreams) guarded() *IOStreams {
	g := *ios
	if g.Secrets == nil {
		g.Secrets = secret.New()
	}
	g.ErrOut = g.Secrets.Writer(ios.ErrOut)
	return &g
}

// System returns the process's standard streams.
func System() *IOStreams {
	return &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  isTerminal(os.Stdin),
		OutTTY: isTerminal(os.Stdout),
		ErrTTY: isTerminal(os.Stderr),
		Getenv: os.Getenv,
	}
}

// Test returns streams backed by buffers: stdin holds in, nothing is a
// terminal and the environment is empty.
func Test(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{
		In:     bytes.NewBufferString(in),
		Out:    out,
		ErrOut: errOut,
		Getenv: func(string) string { return "" },
	}, out, errOut
}

func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
