package repl

import (
	"slices"
	"strings"
	"testing"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
)

func TestDrawLineCursor(t *testing.T) {
	for _, tc := range []struct {
		name      string
		line      string
		pos       int
		width     int
		row, col  int
		withMoves string
	}{
		{"ascii", "abc", 1, 80, 0, 3, "\r\x1b[3C"},
		{"before a CJK character", "日本x", 1, 80, 0, 4, "\r\x1b[4C"},
		{"after an emoji", "😀x", 1, 80, 0, 4, "\r\x1b[4C"},
		{"combining accent stays with its letter", "e\u0301x", 1, 80, 0, 3, "\r\x1b[3C"},
		{"at the end", "日本", 2, 80, 0, 6, "\r\x1b[6C"},
		// "> " then 8 columns: a wide character that does not fit the
		// last column goes to the next row.
		{"wide character wraps", "abcde日", 5, 8, 1, 0, "\r"},
		{"cursor on the row above the end", "abcdefghij", 2, 8, 0, 4, "\r\x1b[1A\x1b[4C"},
		{"full last row", "abcdef", 6, 8, 1, 0, "\r\n\r"},
		{"control character in caret form", "a\x1bb", 2, 80, 0, 5, "\r\x1b[5C"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := drawLine(tc.line, tc.pos, Painted{}, "> ", tc.width, false)
			if d.cursorRow != tc.row || d.cursorCol != tc.col || d.moves != tc.withMoves {
				t.Errorf("cursor %d,%d moves %q; want %d,%d %q", d.cursorRow, d.cursorCol, d.moves, tc.row, tc.col, tc.withMoves)
			}
		})
	}
	d := drawLine("a\x1bb", 0, Painted{}, "> ", 80, false)
	if d.text != "a^[b" {
		t.Errorf("control character drawn %q", d.text)
	}
	// A hint that does not fit is shortened, and leaves the last column.
	d = drawLine("GET", 3, Painted{Hint: " key [and more words here]"}, "> ", 20, true)
	if got := textWidth("> " + stripSGR(d.text)); got > 19 {
		t.Errorf("line and hint take %d columns of 20: %q", got, d.text)
	}
}

func TestAnalyse(t *testing.T) {
	cs := newCommandSet(nil)
	for _, tc := range []struct {
		line    string
		classes []wordClass
		problem string
	}{
		{"SET k 10 EX 100", []wordClass{classCommand, classKey, classString, classToken, classNumber}, ""},
		{"config get maxmemory", []wordClass{classCommand, classSubcommand, classString}, ""},
		{"3 INCR n", []wordClass{classNumber, classCommand, classKey}, ""},
		{"HGE", []wordClass{classPlain}, ""},
		{"HGE ", []wordClass{classError}, problemUnknown},
		{"QQQ", []wordClass{classError}, ""},
		{"GET a b", []wordClass{classCommand, classKey, classError}, problemArity},
		{"SET k v BOGUS ", []wordClass{classCommand, classKey, classString, classError}, problemSyntax},
		{"SET k v N", []wordClass{classCommand, classKey, classString, classPlain}, ""},
		{"EXPIRE k soon ", []wordClass{classCommand, classKey, classError}, problemNumber},
		{"CONFIG NOPE ", []wordClass{classCommand, classError}, problemUnknownSub},
		{":set theme light", []wordClass{classBuiltin, classPlain, classPlain}, ""},
		{"peek k", []wordClass{classBuiltin, classPlain}, ""},
		{"ZADD k NX 1 a 2 b", []wordClass{classCommand, classKey, classToken, classNumber, classString, classNumber, classString}, ""},
		{"ZRANGEBYSCORE k (1 +inf WITHSCORES", []wordClass{classCommand, classKey, classNumber, classNumber, classToken}, ""},
		{"XADD s * f v", []wordClass{classCommand, classKey, classToken, classString, classString}, ""},
		{"CLIENT KILL ID 7 SKIPME yes", []wordClass{classCommand, classSubcommand, classToken, classNumber, classToken, classString}, ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			info := cs.analyse(tc.line)
			if !slices.Equal(info.classes, tc.classes) || info.problem != tc.problem {
				t.Errorf("classes %v problem %q; want %v %q", info.classes, info.problem, tc.classes, tc.problem)
			}
		})
	}
	// Without colour, hints and problems are marked.
	none, _ := lookupTheme("none")
	if p := cs.painted("GET ", none, true); p.Hint != "# key" || len(p.Spans) != 0 {
		t.Errorf("painted without colour: %+v", p)
	}
	if p := cs.painted("NOSUCH ", none, true); p.Hint != "# (unknown command)" {
		t.Errorf("painted problem without colour: %+v", p)
	}
}

func TestSplitPipe(t *testing.T) {
	cs := newCommandSet(nil)
	for _, tc := range []struct {
		line  string
		words string
		cmd   string
	}{
		{"LRANGE l 0 -1 | grep x", "LRANGE l 0 -1", "grep x"},
		{"KEYS * | wc -l", "KEYS *", "wc -l"},
		{"3 INCR n | tail -1", "INCR n", "tail -1"},
		{"ECHO a | b | c", "ECHO a", "b | c"},
		// | is an argument: the whole line is a valid command.
		{"SET k |", "", ""},
		{"DEL a | b", "", ""},
		{"MSET a | b c", "", ""},
		// Quoted: never a pipe.
		{`ECHO a "|" b`, "", ""},
		// Nothing valid before it.
		{"GET | grep", "", ""},
		{"NOSUCH x | grep", "", ""},
		{"| grep x", "", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			words, cmd, ok := cs.splitPipe(tc.line)
			if ok != (tc.cmd != "") || strings.Join(words, " ") != tc.words || cmd != tc.cmd {
				t.Errorf("splitPipe = %q, %q, %v", words, cmd, ok)
			}
		})
	}
}

func TestGuardReason(t *testing.T) {
	for _, tc := range []struct {
		line    string
		guarded bool
	}{
		{"FLUSHALL", true}, {"flushdb async", true}, {"SHUTDOWN NOSAVE", true}, {"SHUTDOWN ABORT", false},
		{"DEBUG SEGFAULT", true}, {"debug crash-and-recover 10", true}, {"DEBUG SLEEP 1", false},
		{"CLUSTER RESET", true}, {"CLUSTER INFO", false}, {"GET k", false}, {"KEYS *", false},
	} {
		if got := guardReason(strings.Fields(tc.line)) != ""; got != tc.guarded {
			t.Errorf("guardReason(%q) guarded = %v", tc.line, got)
		}
	}
}

func TestQuoteName(t *testing.T) {
	for _, tc := range []struct {
		name  string
		style byte
		want  string
	}{
		{"user:1", 0, "user:1"},
		{"café", 0, "café"},
		{"日本", 0, "日本"},
		{"a b", 0, `"a b"`},
		{"it's", 0, `"it's"`},
		{"", 0, `""`},
		{"x\xff\x00\n", 0, `"x\xff\x00\n"`},
		{`q"\`, 0, `"q\"\\"`},
		{"a b", '\'', "'a b'"},
		{"it's", '\'', `'it\'s'`},
		{"x\n", '\'', `"x\n"`},
		{"plain", '"', `"plain"`},
	} {
		if got := quoteName(tc.name, tc.style); got != tc.want {
			t.Errorf("quoteName(%q, %q) = %s, want %s", tc.name, tc.style, got, tc.want)
		}
		// What completion puts in the line gives the name back.
		if words := lexLine(quoteName(tc.name, tc.style)); len(words) != 1 || words[0].Value != tc.name {
			t.Errorf("%s does not split back to %q: %+v", quoteName(tc.name, tc.style), tc.name, words)
		}
	}
}

func TestLexLineMatchesSplitArgs(t *testing.T) {
	for _, line := range []string{`SET k v`, `SET "a b" 'c d'`, `x"y z"w`, `"\x41\n" '\''`, `  a   b  `, `"open`, `"a"b`} {
		ws := lexLine(line)
		got := values(ws)
		want, err := splitArgs(line)
		if err != nil {
			if len(ws) == 0 || !ws[len(ws)-1].Open && !ws[len(ws)-1].Bad {
				t.Errorf("lexLine(%q) = %+v: the line does not split", line, ws)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("lexLine(%q) = %q, SplitArgs %q", line, got, want)
		}
		for _, w := range ws {
			if sub := values(lexLine(line[w.Start:w.End])); len(sub) != 1 || sub[0] != w.Value {
				t.Errorf("word %q at %d:%d gives %q", w.Value, w.Start, w.End, sub)
			}
		}
	}
}

func TestTallerThan(t *testing.T) {
	lines := strings.Repeat("x\n", 10)
	if tallerThan([]byte(lines), 80, 10) || !tallerThan([]byte(lines), 80, 9) {
		t.Error("10 short lines")
	}
	// One line of 200 columns takes 3 rows of 80.
	long := []byte(strings.Repeat("y", 200) + "\n")
	if !tallerThan(long, 80, 2) || tallerThan(long, 80, 3) {
		t.Error("a long line wraps")
	}
}

func TestEscapeUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"héllo":       `"héllo"`,
		"日本 😀":        `"日本 😀"`,
		"a\xffb":      `"a\xffb"`,
		"tab\t\"q\"":  `"tab\t\"q\""`,
		"\u0085c1":    `"\xc2\x85c1"`,
		"esc\x1b[31m": `"esc\x1b[31m"`,
	} {
		if got := string(format.EscapeUTF8(nil, []byte(in))); got != want {
			t.Errorf("EscapeUTF8(%q) = %s, want %s", in, got, want)
		}
	}
}

// splitArgs is the line splitting the shell uses to run a line.
var splitArgs = cliargs.SplitArgs

// TestAnalyseValidCommands guards against calling valid lines wrong: the
// argument trees are followed greedily, and a wrong red mark is worse
// than none.
func TestAnalyseValidCommands(t *testing.T) {
	cs := newCommandSet(nil)
	for _, line := range []string{
		"SET k v NX GET EX 10", "SET k v KEEPTTL", "GETEX k PERSIST", "MSET a 1 b 2 c 3", "MGET a b c",
		"HSET h f v g w", "HMGET h a b", "HSCAN h 0 MATCH a* COUNT 10", "HRANDFIELD h 3 WITHVALUES",
		"LPUSH l a b c", "LPOS l a RANK 1 COUNT 2 MAXLEN 10", "LINSERT l BEFORE a b", "BLMOVE a b LEFT RIGHT 0",
		"SADD s a b", "SINTERCARD 2 a b LIMIT 1", "SMISMEMBER s a b",
		"ZADD z NX CH 1 a 2 b", "ZRANGE z 0 -1 WITHSCORES", "ZRANGE z (1 +inf BYSCORE LIMIT 0 10", "ZUNIONSTORE d 2 a b WEIGHTS 1 2 AGGREGATE MAX",
		"XADD s MAXLEN ~ 1000 * f v", "XREAD COUNT 10 BLOCK 0 STREAMS s $", "XREADGROUP GROUP g c COUNT 1 STREAMS s >",
		"XGROUP CREATE s g $ MKSTREAM", "XCLAIM s g c 0 1-1 2-2 JUSTID", "XTRIM s MINID 0",
		"SCAN 0 MATCH user:* COUNT 100 TYPE string", "EXPIRE k 10 NX", "OBJECT ENCODING k", "MEMORY USAGE k SAMPLES 0",
		"CONFIG SET maxmemory 100mb maxmemory-policy allkeys-lru", "CONFIG GET maxmemory save", "CLIENT LIST TYPE normal",
		"CLIENT KILL 127.0.0.1:1234", "CLIENT KILL USER bob SKIPME no", "CLIENT SETNAME x", "CLIENT NO-EVICT on",
		"ACL SETUSER bob on >pw ~* +@all", "ACL DELUSER a b", "EVAL \"return 1\" 0", "EVAL \"return KEYS[1]\" 1 k a b",
		"FUNCTION LOAD REPLACE code", "SORT l BY w_* GET # LIMIT 0 5 DESC ALPHA STORE d", "BITFIELD b GET u8 0 SET u8 8 255 INCRBY u8 0 1",
		"GEOADD g 13.36 38.11 palermo", "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHDIST", "SUBSCRIBE a b", "PUBLISH ch hello",
		"PFADD h a b", "OBJECT FREQ k", "DEBUG SLEEP 0", "SHUTDOWN NOSAVE", "FLUSHALL ASYNC", "INFO server clients", "COMMAND DOCS get set",
		"SET k v PX 100", "RESTORE k 0 payload REPLACE", "MIGRATE h 1 \"\" 0 5000 KEYS a b", "WAIT 1 0", "LATENCY RESET",
	} {
		if info := cs.analyse(line); info.problem != "" || slices.Contains(info.classes, classError) {
			t.Errorf("%s: %q %v", line, info.problem, info.classes)
		}
		if !cs.valid(strings.Fields(line)) && !strings.Contains(line, `"`) {
			t.Errorf("%s: not valid", line)
		}
	}
}
