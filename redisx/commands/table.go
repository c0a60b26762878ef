package commands

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/redish/redish/resp"
)

// The table is generated into commands_gen.go from the snapshot of a
// reference server's replies in testdata/snapshot.resp (refreshed from a
// live server by scripts/refresh-command-snapshot.sh). The generator parses
// the snapshot with this package's Parse, so this package must build
// without the generated file: nothing here names what that file declares,
// it only fills the variables below when the package is initialised. The
// table itself is static data that the linker lays out, so that loading
// it costs nothing at start-up; lookups binary-search its sorted slices.
// While the generator runs, the overlay leaves commands_gen.go out, so a
// generated file that no longer compiles can still be regenerated.
//
//go:generate go run -overlay=testdata/without-table.json ../../scripts/gencommands -snapshot testdata/snapshot.resp -o commands_gen.go

// The built-in table, set by commands_gen.go.
var (
	tableVersion string
	table        []Command
	groups       []string
)

// All returns the command table, sorted by name. The slice is shared and
// must not be modified.
func All() []Command { return table }

// Groups returns the documentation groups that commands belong to, sorted.
// The slice is shared and must not be modified.
func Groups() []string { return groups }

// TableVersion returns the version of the Redis server the command table
// was generated from.
func TableVersion() string { return tableVersion }

// A Snapshot is what a server said about its commands, as recorded in
// testdata/snapshot.resp: three RESP values, the server's version as a
// bulk string, then its replies to COMMAND INFO and COMMAND DOCS as a
// RESP2 connection received them.
type Snapshot struct {
	Version    string
	Info, Docs resp.Value
}

// ReadSnapshot reads a snapshot. Anything after the three values is an
// error: a snapshot is one recording, whole.
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	rd := resp.NewReader(bufio.NewReader(r))
	parts := []struct {
		what string
		v    resp.Value
	}{{what: "the server version"}, {what: "the COMMAND INFO reply"}, {what: "the COMMAND DOCS reply"}}
	for i := range parts {
		v, err := rd.ReadValue()
		if err == io.EOF {
			return nil, fmt.Errorf("snapshot: %s is missing", parts[i].what)
		}
		if err != nil {
			return nil, fmt.Errorf("snapshot: reading %s: %w", parts[i].what, err)
		}
		parts[i].v = v
	}
	version, info, docs := parts[0].v, parts[1].v, parts[2].v
	if version.Kind != resp.KindBulk || len(version.Str) == 0 {
		return nil, fmt.Errorf("snapshot: the server version is a %s, not a version string", version.Kind)
	}
	for _, p := range parts[1:] {
		if p.v.Kind != resp.KindArray && p.v.Kind != resp.KindMap {
			return nil, fmt.Errorf("snapshot: %s is a %s, not an array or a map", p.what, p.v.Kind)
		}
	}
	if _, err := rd.ReadValue(); !errors.Is(err, io.EOF) {
		return nil, errors.New("snapshot: more than three values")
	}
	return &Snapshot{Version: version.Text(), Info: info, Docs: docs}, nil
}

// Commands returns the commands of the snapshot, parsed strictly: it is
// the table the generator writes.
func (s *Snapshot) Commands() ([]Command, error) {
	return Parse(s.Info, s.Docs, Strict)
}
