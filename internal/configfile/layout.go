package configfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/pelletier/go-toml/v2/unstable"
)

// A problem in a profile that the run does not use must not stop the run:
// parseConfigFile keeps it with that profile, and only a run that selects
// the profile fails on it; other runs print a warning. To tell whose
// problem an error is, the file is decoded again with the other profiles
// blanked out (every byte but the line breaks made a space), so that each
// error keeps its line and column. That costs a few more decodes of a
// small file, and only when something is wrong with it.

// fileLayout says which bytes of the configuration file belong to which
// profile.
type fileLayout struct {
	data     []byte
	exprs    []layoutExpr
	profiles []string // the profiles, in the order they first appear
}

// layoutExpr is a top-level expression of the file: a table header or a
// key = value line.
type layoutExpr struct {
	start, end int    // its bytes
	profile    string // the profile it belongs to, "" for the top level
	key        string // the last part of its key; "" for a table header
}

// layoutOf parses data into expressions. It fails only on a syntax
// error, which the decoder reports better.
func layoutOf(data []byte) (*fileLayout, error) {
	l := &fileLayout{data: data}
	var p unstable.Parser
	p.Reset(data)
	var table []string // the key of the current table header
	for p.NextExpression() {
		e := p.Expression()
		keys := keyParts(e)
		var x layoutExpr
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keys
			// A header and what may follow it on its line (a comment).
			first := e.Key()
			if !first.Next() {
				continue
			}
			off := int(first.Node().Raw.Offset)
			x.start = bytes.LastIndexByte(data[:off], '\n') + 1
			x.end = len(data)
			if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
				x.end = off + i
			}
		case unstable.KeyValue:
			x.start, x.end = int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length)
			x.key = keys[len(keys)-1]
			keys = append(slices.Clip(table), keys...)
		default:
			continue
		}
		if len(keys) >= 2 && keys[0] == "profile" {
			x.profile = keys[1]
			if !slices.Contains(l.profiles, x.profile) {
				l.profiles = append(l.profiles, x.profile)
			}
		}
		l.exprs = append(l.exprs, x)
	}
	if err := p.Error(); err != nil {
		return nil, err
	}
	return l, nil
}

// keyParts returns the parts of an expression's key.
func keyParts(e *unstable.Node) []string {
	var parts []string
	it := e.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// without returns the file with the expressions of the named profiles
// blanked out, every line where it was.
func (l *fileLayout) without(profiles ...string) []byte {
	out := bytes.Clone(l.data)
	for _, x := range l.exprs {
		if x.profile == "" || !slices.Contains(profiles, x.profile) {
			continue
		}
		for i := x.start; i < x.end; i++ {
			if out[i] != '\n' && out[i] != '\r' {
				out[i] = ' '
			}
		}
	}
	return out
}

// only returns the file with every profile but name blanked out.
func (l *fileLayout) only(name string) []byte {
	var others []string
	for _, p := range l.profiles {
		if p != name {
			others = append(others, p)
		}
	}
	return l.without(others...)
}

// line returns the line of the setting key in profile ("" for the top
// level), 0 when the file has no such line.
func (l *fileLayout) line(profile, key string) int {
	for _, x := range l.exprs {
		if x.profile == profile && x.key == key {
			return bytes.Count(l.data[:x.start], []byte("\n")) + 1
		}
	}
	return 0
}

// settingError is a setting whose value is wrong.
type settingError struct {
	name string // the setting
	err  error
}

func (e *settingError) Error() string { return e.name + ": " + e.err.Error() }
func (e *settingError) Unwrap() error { return e.err }

// located says where a value error is: "FILE:LINE: [profile.NAME] ERR".
func (l *fileLayout) located(path, profile string, err error) error {
	where := path
	var se *settingError
	if errors.As(err, &se) {
		if n := l.line(profile, se.name); n > 0 {
			where = fmt.Sprintf("%s:%d", path, n)
		}
	}
	if profile != "" {
		return fmt.Errorf("%s: [profile.%s] %w", where, profile, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}
