// Package configfile reads redish's configuration file, TOML. Its
// top-level keys are defaults for every run; each [profile.NAME] table is
// a named set of settings, chosen with --profile NAME (or REDISH_PROFILE,
// or default-profile in the file), that overrides the top level key by
// key. The keys the file accepts come from the caller (cmd's option
// table), each with its type and check.
//
// Every error names the file and, where it can, the line (and column):
// a key no option has, a value of the wrong type or one its check
// refuses. A problem inside a profile is kept with that profile, so that
// only a run that selects it fails.
package configfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Key is a setting the file accepts.
type Key struct {
	// Name is the key, as the file writes it.
	Name string
	// Type is what its value decodes into: *string, *int, *bool or
	// []string (an array of strings).
	Type reflect.Type
	// Check validates each of its values, so that a mistake is reported
	// with the file, profile and line it is in; nil accepts any.
	Check func(string) error
}

// Layer is one layer of the file, its top level or one profile: the
// settings it sets, in the order of the keys.
type Layer []Setting

// Setting is one setting of a layer: its key and its values, as text
// (several for an array).
type Setting struct {
	Name   string
	Values []string
}

// Value returns the first value of the setting called name, if the layer
// sets it.
func (l Layer) Value(name string) (string, bool) {
	for _, st := range l {
		if st.Name == name && len(st.Values) > 0 {
			return st.Values[0], true
		}
	}
	return "", false
}

// File is the whole configuration file.
type File struct {
	// Top is the file's top level.
	Top Layer
	// DefaultProfile is the profile used when neither --profile nor
	// REDISH_PROFILE names one.
	DefaultProfile string
	// Profiles are the [profile.NAME] tables.
	Profiles map[string]Layer

	// Problems holds what is wrong with each profile that has a problem,
	// one "FILE:LINE: message" line each. Such a profile is not in
	// Profiles: a run that selects it fails with these lines, the others
	// warn.
	Problems map[string][]string
}

// fileTypes returns the types the TOML decoder fills, made from the
// keys: a layer, with a field for each key tagged with its name, and the
// whole file, a layer's fields with default-profile and the profiles.
// With them the decoder itself reports a value of the wrong type, or an
// unknown key, with its line and column.
func fileTypes(keys []Key) (layer, file reflect.Type) {
	fields := make([]reflect.StructField, len(keys))
	for i, k := range keys {
		fields[i] = reflect.StructField{
			Name: "S" + strconv.Itoa(i),
			Type: k.Type,
			Tag:  reflect.StructTag(`toml:"` + k.Name + `"`),
		}
	}
	layer = reflect.StructOf(fields)
	file = reflect.StructOf(append(fields,
		reflect.StructField{Name: "DefaultProfile", Type: reflect.TypeFor[string](), Tag: `toml:"default-profile"`},
		reflect.StructField{Name: "Profiles", Type: reflect.MapOf(reflect.TypeFor[string](), layer), Tag: `toml:"profile"`},
	))
	return layer, file
}

// layerOf reads the settings a decoded layer (or file) v sets.
func layerOf(keys []Key, v reflect.Value) Layer {
	var out Layer
	for i, k := range keys {
		f := v.Field(i)
		if f.IsNil() {
			continue
		}
		var values []string
		switch f.Kind() {
		case reflect.Slice:
			for j := range f.Len() {
				values = append(values, f.Index(j).String())
			}
		case reflect.Pointer:
			switch e := f.Elem(); e.Kind() {
			case reflect.String:
				values = []string{e.String()}
			case reflect.Int:
				values = []string{strconv.FormatInt(e.Int(), 10)}
			case reflect.Bool:
				values = []string{strconv.FormatBool(e.Bool())}
			}
		}
		out = append(out, Setting{Name: k.Name, Values: values})
	}
	return out
}

// check validates the values of the layer with each key's Check. Its
// error is a *settingError.
func (l Layer) check(keys []Key) error {
	for _, st := range l {
		for _, k := range keys {
			if k.Name != st.Name || k.Check == nil {
				continue
			}
			for _, v := range st.Values {
				if err := k.Check(v); err != nil {
					return &settingError{st.Name, err}
				}
			}
		}
	}
	return nil
}

// Load reads and parses the configuration file at path, which may set
// keys. It
// returns nil and no error when the file does not exist and must is
// false: the default location is optional. Reading it is the only I/O a
// run without a configuration file pays for.
func Load(path string, must bool, keys []Key) (*File, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !must && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	return Parse(path, data, keys)
}

// Parse parses the contents of the configuration file at path, which may
// set keys. Errors name the file and, when the parser knows it, the line.
// A problem inside a [profile.NAME] table is not an error of the file: it
// is kept for the run that selects that profile (see Problems and
// layout.go).
func Parse(path string, data []byte, keys []Key) (*File, error) {
	cf, err := decode(path, data, keys)
	if err == nil {
		err = cf.check(keys)
	}
	if err == nil {
		return cf, nil
	}
	l, lerr := layoutOf(data)
	if lerr != nil {
		return nil, err // a syntax error, which the decoder described
	}
	top, err := decode(path, l.without(l.profiles...), keys)
	if err != nil {
		return nil, err
	}
	if err := top.Top.check(keys); err != nil {
		return nil, l.located(path, "", err)
	}
	problems := map[string][]string{}
	var broken []string
	for _, name := range l.profiles {
		pcf, err := decode(path, l.only(name), keys)
		if err == nil {
			p := pcf.Profiles[name]
			if cerr := p.check(keys); cerr != nil {
				err = l.located(path, name, cerr)
			}
		}
		if err != nil {
			problems[name] = strings.Split(err.Error(), "\n")
			broken = append(broken, name)
		}
	}
	cf, err = decode(path, l.without(broken...), keys)
	if err != nil {
		return nil, err
	}
	cf.Problems = problems
	if err := cf.check(keys); err != nil {
		return nil, l.located(path, "", err)
	}
	return cf, nil
}

// decode decodes the file, refusing unknown keys.
func decode(path string, data []byte, keys []Key) (*File, error) {
	_, fileType := fileTypes(keys)
	v := reflect.New(fileType)
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return nil, fileError(path, err, keys)
	}
	file := v.Elem()
	cf := &File{
		Top:            layerOf(keys, file),
		DefaultProfile: file.FieldByName("DefaultProfile").String(),
	}
	if profiles := file.FieldByName("Profiles"); !profiles.IsNil() {
		cf.Profiles = make(map[string]Layer, profiles.Len())
		for it := profiles.MapRange(); it.Next(); {
			cf.Profiles[it.Key().String()] = layerOf(keys, it.Value())
		}
	}
	return cf, nil
}

// check validates every layer and the default profile's name.
func (cf *File) check(keys []Key) error {
	if err := cf.Top.check(keys); err != nil {
		return err
	}
	for _, name := range cf.ProfileNames() {
		p := cf.Profiles[name]
		if err := p.check(keys); err != nil {
			return fmt.Errorf("[profile.%s] %w", name, err)
		}
	}
	if cf.DefaultProfile != "" && !slices.Contains(cf.ProfileNames(), cf.DefaultProfile) {
		return &settingError{"default-profile", cf.NoProfile(cf.DefaultProfile)}
	}
	return nil
}

// ProfileNames returns the names of the profiles, those with problems
// included, sorted.
func (cf *File) ProfileNames() []string {
	if cf == nil {
		return nil
	}
	names := make([]string, 0, len(cf.Profiles)+len(cf.Problems))
	for name := range cf.Profiles {
		names = append(names, name)
	}
	for name := range cf.Problems {
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// ErrNoProfile is wrapped by the error for a profile the file lacks.
var ErrNoProfile = errors.New("no such profile")

// NoProfile returns the error for the profile called name, which the
// file lacks: it lists the profiles the file has.
func (cf *File) NoProfile(name string) error {
	names := cf.ProfileNames()
	if len(names) == 0 {
		return fmt.Errorf("%w %q: the file defines no profiles", ErrNoProfile, name)
	}
	return fmt.Errorf("%w %q (profiles: %s)", ErrNoProfile, name, strings.Join(names, ", "))
}

// fileError rewrites the TOML parser's errors as "FILE:LINE: message",
// one line per unknown key.
func fileError(path string, err error, keys []Key) error {
	var missing *toml.StrictMissingError
	if errors.As(err, &missing) {
		msgs := make([]string, len(missing.Errors))
		for i := range missing.Errors {
			e := &missing.Errors[i]
			line, _ := e.Position()
			msgs[i] = fmt.Sprintf("%s:%d: %s", path, line, unknownKey(e.Key(), keys))
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if key := de.Key(); len(key) > 0 && strings.HasPrefix(msg, "cannot decode") {
			msg = wrongType(key, keys)
		}
		return fmt.Errorf("%s:%d:%d: %s", path, line, col, msg)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// wrongType describes a value of the wrong TOML type by what the key
// expects, in place of the parser's message, which names Go types.
func wrongType(key toml.Key, keys []Key) string {
	name := key[len(key)-1]
	if len(key) == 2 && key[0] == "profile" {
		return fmt.Sprintf("profile.%s: profiles are tables: [profile.%s]", name, name)
	}
	if name == "default-profile" {
		return name + ": expected a string"
	}
	want := map[reflect.Type]string{
		reflect.TypeFor[*string]():  "a string",
		reflect.TypeFor[*int]():     "an integer",
		reflect.TypeFor[*bool]():    "true or false",
		reflect.TypeFor[[]string](): "an array of strings",
	}
	for _, k := range keys {
		if k.Name == name {
			return fmt.Sprintf("%s: expected %s", name, want[k.Type])
		}
	}
	return name + ": a value of the wrong type"
}

// unknownKey describes a key the file does not accept, suggesting the
// closest valid one.
func unknownKey(key toml.Key, keys []Key) string {
	name := key[len(key)-1]
	where := ""
	if len(key) > 1 {
		where = " in [" + strings.Join(key[:len(key)-1], ".") + "]"
	}
	msg := fmt.Sprintf("unknown setting %q%s", name, where)
	if len(key) == 2 && key[0] == "profile" {
		return msg + ` (profiles are tables: [profile.NAME])`
	}
	best, dist := "", 3
	names := []string{}
	for _, k := range keys {
		names = append(names, k.Name)
	}
	for _, valid := range append(names, "default-profile") {
		if d := editDistance(name, valid); d < dist {
			best, dist = valid, d
		}
	}
	if best != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", best)
	}
	return msg + " (settings are named after long options: host, port, retries, ...)"
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
