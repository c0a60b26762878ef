package repl

import (
	"testing"

	"github.com/chzyer/readline/runes"

	"github.com/redish/redish/resp"
)

func TestHint(t *testing.T) {
	const setOpts = "[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
	cs := newCommandSet(nil)
	for _, tc := range []struct {
		line, want string
	}{
		{"", ""},
		{"SE", ""},
		{"SET", " key value " + setOpts},
		{"SET ", "key value " + setOpts},
		{"set k", " value " + setOpts},
		{"SET k ", "value " + setOpts},
		{"SET k v ", setOpts},
		{"SET k v", " " + setOpts},
		{"SET k v NX ", "[GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"},
		{"SET k v ex ", "seconds [NX|XX] [GET]"},
		{"SET k v EX 10 ", "[NX|XX] [GET]"},
		{"SET k v EX 10 XX GET ", ""},
		{"SET k v BOGUS ", ""},
		{"3 SET k v ", setOpts},
		{"GET k ", ""},
		{"DEL ", "key [key ...]"},
		{"DEL a ", "[key ...]"},
		{"DEL a b ", "[key ...]"},
		{"LPUSH k ", "element [element ...]"},
		{"ZADD k ", "[NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"},
		{"ZADD k NX ", "[GT|LT] [CH] [INCR] score member [score member ...]"},
		{"ZADD k 1 ", "member [score member ...]"},
		{"ZADD k 1 a ", "[score member ...]"},
		{"CONFIG ", ""},
		{"CONFIG GET ", "parameter [parameter ...]"},
		{"config get", " parameter [parameter ...]"},
		{"CLIENT KILL ", "ip:port|[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] [[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] ...]"},
		{`SET "open `, ""},
		{"UNKNOWNCMD a ", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			if got := cs.hint(tc.line); got != tc.want {
				t.Errorf("hint(%q) =\n  %q\nwant\n  %q", tc.line, got, tc.want)
			}
		})
	}
}

func TestHintFromServerDocs(t *testing.T) {
	// COMMAND DOCS of a module command, in RESP2 shape.
	docs := resp.Array(
		resp.BulkString("mod.add"),
		resp.Array(
			resp.BulkString("summary"), resp.BulkString("adds"),
			resp.BulkString("arguments"), resp.Array(
				resp.Array(
					resp.BulkString("name"), resp.BulkString("key"),
					resp.BulkString("type"), resp.BulkString("key"),
				),
				resp.Array(
					resp.BulkString("name"), resp.BulkString("fast"),
					resp.BulkString("type"), resp.BulkString("pure-token"),
					resp.BulkString("token"), resp.BulkString("FAST"),
					resp.BulkString("flags"), resp.Array(resp.Status("optional")),
				),
			),
		),
	)
	cs := newCommandSet(parseCommandDocs(docs))
	if got, want := cs.hint("MOD.ADD "), "key [FAST]"; got != want {
		t.Errorf("hint = %q, want %q", got, want)
	}
	// Commands the server did not describe still come from the table.
	if got, want := cs.hint("GET "), "key"; got != want {
		t.Errorf("hint = %q, want %q", got, want)
	}
	word, cands := (&completer{cmds: cs}).complete("mod.")
	if word != "mod." || len(cands) != 1 || cands[0] != "mod.add" {
		t.Errorf("complete(mod.) = %q, %q", word, cands)
	}
}

func TestHintFits(t *testing.T) {
	for _, tc := range []struct {
		name                           string
		prompt, line, hint, width, fit int
	}{
		{"fits", 17, 8, 20, 80, 1},
		{"exactly the last column", 17, 8, 55, 80, 0},
		{"one short of it", 17, 8, 54, 80, 1},
		{"too wide", 17, 8, 100, 80, 0},
		{"no width", 17, 8, 10, 0, 0},
		{"no hint", 17, 8, 0, 80, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hintFits(tc.prompt, tc.line, tc.hint, tc.width); got != (tc.fit == 1) {
				t.Errorf("hintFits = %v", got)
			}
		})
	}
}

func TestFitHint(t *testing.T) {
	const h = "[NX|XX] [GET] [EX seconds|PX milliseconds|KEEPTTL]"
	for _, tc := range []struct {
		room int
		want string
	}{
		{100, h},
		{len(h), h},
		{30, "[NX|XX] [GET] [EX seconds|PX…"},
		{10, "[NX|XX]…"},
		{7, ""},
		{0, ""},
	} {
		got := fitHint(h, tc.room)
		if got != tc.want {
			t.Errorf("fitHint(%d) = %q, want %q", tc.room, got, tc.want)
		}
		if w := runes.WidthAll([]rune(got)); w > tc.room {
			t.Errorf("fitHint(%d) is %d columns wide", tc.room, w)
		}
	}
}
