package cmd

import (
	"bytes"
	"os"

	"golang.org/x/term"

	"github.com/redish/redish/internal/env"
)

// IOStreams are the streams a run reads and writes (see env.IOStreams).
type IOStreams = env.IOStreams

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
func Test(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) { return env.Test(in) }

func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
