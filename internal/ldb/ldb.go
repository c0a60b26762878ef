// Package ldb is --ldb and --ldb-sync-mode with --eval: a session of the
// Lua debugger built into Redis, driven as redis-cli drives it.
//
// The script is sent with EVAL after SCRIPT DEBUG yes (a forked server
// runs it, and rolls its changes back) or SCRIPT DEBUG sync (the server
// itself runs it, keeping its changes, and serves nobody else meanwhile).
// The server stops at the first line and answers each debugger command
// (step, continue, list, print, break, eval, redis, maxlen, abort, ...)
// with lines of text, printed as they come, in colour under an xterm.
// When the script ends, the server sends its reply and closes the
// connection; the session ends there, and the prompt stays for commands
// to the server, or "restart" to debug the script again (read anew from
// its file).
package ldb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Conn is the connection a session runs on: the server takes it over for
// the session and closes it at the end. *redisx.Conn implements it.
type Conn interface {
	// Do sends a command and reads one reply.
	Do(ctx context.Context, args ...[]byte) (resp.Value, error)
	// ReadReply reads one more reply.
	ReadReply(ctx context.Context) (resp.Value, error)
	Close() error
}

// LineReader reads what the user types.
type LineReader interface {
	// ReadLine shows prompt (on a terminal) and returns the next line:
	// io.EOF at the end of the input; any other error ends the session
	// too (Ctrl-C at the prompt).
	ReadLine(prompt string) (string, error)
	// AddHistory remembers a line for the editor's history.
	AddHistory(line string)
}

// settings configure a session.
type settings struct {
	// Load returns the EVAL command to debug: EVAL, the script read from
	// its file, the number of keys, the keys and the arguments. It runs
	// at the start and at each "restart", so edits to the file count.
	Load func() ([][]byte, error)
	// Sync uses the synchronous debugger (--ldb-sync-mode).
	Sync bool
	// Color paints the debugger's lines as redis-cli does under an xterm.
	Color bool
	// Terminal says stdout is a terminal: control bytes in the script's
	// reply are escaped (see format.Options.Terminal).
	Terminal bool
	// Delim and CmdDelim are -d and -D: the separators of the debugger's
	// lines and after each answer ("\n" each in redis-cli), used as given.
	Delim, CmdDelim string
	// Prompt is the prompt after the session ended ("127.0.0.1:6379> ").
	Prompt string
}

// deps are what a session reads, writes and talks to.
type deps struct {
	Out   io.Writer
	Lines LineReader
	// Dial opens a connection to the server, with the session's
	// credentials and database.
	Dial func(ctx context.Context) (Conn, error)
	// Exec runs a line typed after the session ended (a command for the
	// server, "help", ...). Nil sends the line's words to the server on
	// a new connection and prints the reply as redis-cli does.
	Exec func(ctx context.Context, args []string) error
	// Now reads the clock, to print the time of a slow command after the
	// session (nil: time.Now).
	Now func() time.Time
}

// Prompt is the prompt while a session runs.
const Prompt = "lua debugger> "

// Banner is printed at the start of each session.
const Banner = "Lua debugging session started, please use:\n" +
	"quit    -- End the session.\n" +
	"restart -- Restart the script in debug mode again.\n" +
	"help    -- Show Lua script debugging commands.\n\n"

// endSession is the line the server sends when the script ended.
const endSession = "<endsession>"

// slow is the time from which a command after the session prints its
// duration, as in the shell.
const slow = 500 * time.Millisecond

type session struct {
	d    deps
	o    settings
	conn Conn
	// active is set while the debugger runs: lines go to it.
	active bool
	buf    []byte
}

// run runs debugging sessions until the user quits or the input ends. It
// returns nil then, as redis-cli exits 0, also when the script cannot be
// debugged (it does not compile: its error is printed). Errors are for a
// script file that cannot be read and a connection that fails.
func run(ctx context.Context, d deps, o settings) error {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &session{d: d, o: o}
	defer func() {
		if s.conn != nil {
			s.conn.Close()
		}
	}()
	var err error
	if s.conn, err = d.Dial(ctx); err != nil {
		return err
	}
	for {
		restart, err := s.run(ctx)
		if err != nil || !restart {
			return err
		}
		// A new connection for the new session, as redis-cli makes one.
		if s.conn != nil {
			s.conn.Close()
		}
		if s.conn, err = d.Dial(ctx); err != nil {
			return err
		}
		if err := s.write("\n"); err != nil {
			return err
		}
	}
}

// run runs one session; restart reports that the user asked for another.
func (s *session) run(ctx context.Context) (restart bool, err error) {
	if err := s.write(Banner); err != nil {
		return false, err
	}
	eval, err := s.o.Load()
	if err != nil {
		return false, err
	}
	mode := "yes"
	if s.o.Sync {
		mode = "sync"
	}
	// Its reply is not looked at, as in redis-cli: EVAL says it all.
	if _, err := s.conn.Do(ctx, []byte("SCRIPT"), []byte("DEBUG"), []byte(mode)); err != nil {
		return false, err
	}
	s.active = true
	v, err := s.conn.Do(ctx, eval...)
	if err != nil {
		return false, err
	}
	if err := s.print(v); err != nil {
		return false, err
	}
	if !s.active {
		// The session ended at once: the script did not compile.
		if err := s.write("Eval debugging session can't start:\n"); err != nil {
			return false, err
		}
		return false, s.printResult(ctx)
	}
	return s.repl(ctx)
}

// repl reads lines until quit, restart or the end of the input.
func (s *session) repl(ctx context.Context) (restart bool, err error) {
	for {
		prompt := s.o.Prompt
		if s.active {
			prompt = Prompt
		}
		line, err := s.d.Lines.ReadLine(prompt)
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() == nil {
				return false, nil
			}
			return false, err
		}
		if line == "" {
			continue
		}
		argv, ok := s.split(line)
		if !ok {
			s.d.Lines.AddHistory(line)
			if err := s.write("Invalid argument(s)\n"); err != nil {
				return false, err
			}
			continue
		}
		if len(argv) == 0 {
			continue
		}
		repeat := 1
		if n, err := strconv.ParseInt(argv[0], 10, 64); err == nil && len(argv) > 1 {
			if n <= 0 || n > 1<<31 {
				if err := s.write("Invalid redis-cli repeat command option value.\n"); err != nil {
					return false, err
				}
				continue
			}
			repeat, argv = int(n), argv[1:]
		}
		s.d.Lines.AddHistory(line)
		switch strings.ToLower(argv[0]) {
		case "quit", "exit":
			return false, nil
		case "restart":
			return true, nil
		}
		if !s.active {
			if err := s.exec(ctx, argv, repeat); err != nil {
				return false, err
			}
			continue
		}
		if err := s.debug(ctx, argv, repeat); err != nil {
			return false, err
		}
	}
}

// split splits a line into words as the shell does, except that during a
// session "eval CODE" and "e CODE" pass CODE as it is, as one word.
func (s *session) split(line string) ([]string, bool) {
	if s.active {
		for _, p := range []string{"eval ", "e "} {
			if code, ok := strings.CutPrefix(line, p); ok {
				return []string{p[:len(p)-1], code}, true
			}
		}
	}
	argv, err := cliargs.SplitArgs(line)
	return argv, err == nil
}

// debug sends a debugger command repeat times and prints the answers;
// when the script ends it prints its reply and that the session ended.
func (s *session) debug(ctx context.Context, argv []string, repeat int) error {
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = []byte(a)
	}
	for range repeat {
		v, err := s.conn.Do(ctx, args...)
		if err != nil {
			return err
		}
		if err := s.print(v); err != nil {
			return err
		}
		if !s.active {
			if err := s.printResult(ctx); err != nil {
				return err
			}
			tail := " -- dataset changes rolled back"
			if s.o.Sync {
				tail = ""
			}
			// The server closed the connection after the reply.
			s.conn.Close()
			s.conn = nil
			return s.write("\n(Lua debugging session ended" + tail + ")\n\n")
		}
	}
	return nil
}

// printResult reads the script's reply and prints it as the shell would.
func (s *session) printResult(ctx context.Context) error {
	v, err := s.conn.ReadReply(ctx)
	if err != nil {
		return err
	}
	s.buf = format.Append(s.buf[:0], v, format.Options{Mode: format.TTY, Terminal: s.o.Terminal})
	_, err = s.d.Out.Write(s.buf)
	return err
}

// exec runs a line typed after the session, repeat times, printing the
// time it took when it was slow.
func (s *session) exec(ctx context.Context, argv []string, repeat int) error {
	start := s.d.Now()
	for range repeat {
		var err error
		if s.d.Exec != nil {
			err = s.d.Exec(ctx, argv)
		} else {
			err = s.send(ctx, argv)
		}
		if err != nil {
			return err
		}
	}
	if elapsed := s.d.Now().Sub(start); elapsed >= slow {
		return s.write(fmt.Sprintf("(%.2fs)\n", elapsed.Seconds()))
	}
	return nil
}

// send sends argv on a connection of its own and prints the reply in the
// shell's format.
func (s *session) send(ctx context.Context, argv []string) error {
	if s.conn == nil {
		var err error
		if s.conn, err = s.d.Dial(ctx); err != nil {
			return err
		}
	}
	v, err := s.conn.Do(ctx, redisx.Args(argv...)...)
	if err != nil {
		s.conn.Close()
		s.conn = nil
		return err
	}
	s.buf = format.Append(s.buf[:0], v, format.Options{Mode: format.TTY, Terminal: s.o.Terminal})
	_, err = s.d.Out.Write(s.buf)
	return err
}

// print prints a debugger answer: its lines joined by Delim, then
// CmdDelim. The line <endsession> ends the session and prints nothing.
func (s *session) print(v resp.Value) error {
	s.buf = s.appendAnswer(s.buf[:0], v)
	s.buf = append(s.buf, s.o.CmdDelim...)
	_, err := s.d.Out.Write(s.buf)
	return err
}

// appendAnswer appends v in the raw format, the debugger's lines (status
// replies) in colour when asked.
func (s *session) appendAnswer(b []byte, v resp.Value) []byte {
	switch v.Kind {
	case resp.KindStatus:
		if strings.HasPrefix(v.Text(), endSession) {
			s.active = false
			return b
		}
		return s.appendLine(b, v.Str)
	case resp.KindArray, resp.KindSet, resp.KindPush:
		for i, e := range v.Elems {
			if i > 0 {
				b = append(b, s.o.Delim...)
			}
			b = s.appendAnswer(b, e)
		}
		return b
	}
	return format.Append(b, v, format.Options{Mode: format.Raw, Delim: s.o.Delim})
}

// appendLine appends a debugger line, coloured after its tag as redis-cli
// colours it.
func (s *session) appendLine(b, line []byte) []byte {
	if !s.o.Color {
		return append(b, line...)
	}
	bold, code := lineColor(string(line))
	b = fmt.Appendf(b, "\x1b[%d;%d;49m", bold, code)
	b = append(b, line...)
	return append(b, "\x1b[0m"...)
}

// lineColor returns the bold flag and the colour code of a debugger line:
// the current line yellow, a breakpoint line and <debug> and <hint> lines
// bold, <redis> green, <reply> cyan, <error> red, <value> and <retval>
// magenta, others white.
func lineColor(s string) (bold, code int) {
	bold, code = 0, 37
	if strings.Contains(s, "<debug>") {
		bold = 1
	}
	if strings.Contains(s, "<redis>") {
		bold, code = 0, 32
	}
	if strings.Contains(s, "<reply>") {
		bold, code = 0, 36
	}
	if strings.Contains(s, "<error>") {
		bold, code = 0, 31
	}
	if strings.Contains(s, "<hint>") {
		bold, code = 1, 37
	}
	if strings.Contains(s, "<value>") || strings.Contains(s, "<retval>") {
		bold, code = 0, 35
	}
	if len(s) > 4 && s[3] >= '0' && s[3] <= '9' {
		if s[1] == '>' {
			bold, code = 0, 33 // the current line
		} else if s[2] == '#' {
			bold, code = 1, 37 // a breakpoint
		}
	}
	return bold, code
}

func (s *session) write(text string) error {
	_, err := io.WriteString(s.d.Out, text)
	return err
}
