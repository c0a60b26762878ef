package cmd

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
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
