package env

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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

	// NoColor is set when the user asked for no colour (--no-color or
	// NO_COLOR).
	NoColor bool

	// Getenv reads the environment; tests replace it.
	Getenv func(string) string

	// Secrets are the passwords the run knows: ErrOut masks them, and so
	// does the printer in error replies (see Guarded).
	Secrets *secret.Set
}

// Guarded returns a copy of ios whose ErrOut masks every secret the run
// learns, from its options or from the commands it sends: every error and
// --verbose line goes through it.
func (ios *IOStreams) Guarded() *IOStreams {
	g := *ios
	if g.Secrets == nil {
		g.Secrets = secret.New()
	}
	g.ErrOut = g.Secrets.Writer(ios.ErrOut)
	return &g
}

// Terminal returns the terminal Out writes to, nil when Out is not a
// terminal. A program the shell starts (a pager) writes to it directly.
func (ios *IOStreams) Terminal() *os.File {
	if f, ok := ios.Out.(*os.File); ok && ios.OutTTY {
		return f
	}
	return nil
}

// TerminalSize returns the width and height of the terminal Out writes
// to, 0 when unknown.
func (ios *IOStreams) TerminalSize() (width, height int) {
	f := ios.Terminal()
	if f == nil {
		return 0, 0
	}
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, 0
	}
	return w, h
}

// ErrNoPassword is ReadPassword's error when the input ends before a
// password: Ctrl-D at the prompt, or stdin at its end. As in redis-cli,
// the run then has no password, which is not the empty password a bare
// Enter gives.
var ErrNoPassword = errors.New("no password before the end of the input")

// ReadPassword asks for a password on ErrOut with prompt and reads it from
// the terminal without echo, or reads a line of In when In is not a
// terminal.
func (ios *IOStreams) ReadPassword(prompt string) (string, error) {
	fmt.Fprint(ios.ErrOut, prompt)
	defer fmt.Fprintln(ios.ErrOut)
	if f, ok := ios.In.(*os.File); ok && ios.InTTY {
		b, err := term.ReadPassword(int(f.Fd()))
		if errors.Is(err, io.EOF) && len(b) == 0 {
			return "", ErrNoPassword
		}
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		return string(b), nil
	}
	var line []byte
	var one [1]byte
	read := false
	for {
		n, err := ios.In.Read(one[:])
		if n == 1 {
			read = true
			if one[0] == '\n' {
				break
			}
			line = append(line, one[0])
		}
		if errors.Is(err, io.EOF) {
			if !read {
				return "", ErrNoPassword
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
	}
	return strings.TrimSuffix(string(line), "\r"), nil
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
