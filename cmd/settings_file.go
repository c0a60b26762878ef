package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/pflag"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// The configuration file is TOML. Its top-level keys are defaults for every
// run; each [profile.NAME] table is a named set of settings chosen with
// --profile NAME (or REDISH_PROFILE, or default-profile in the file) that
// overrides the top level key by key. Every setting is named after the
// long flag it stands for, so the file needs no documentation of its own:
//
//	retries = 3
//	retry-backoff = "exponential"
//
//	[profile.prod]
//	host = "redis.prod.example"
//	tls = true
//	cacert = "/etc/redis/ca.pem"
//	cluster = true

// Environment variables that choose the configuration file and profile.
const (
	configEnv  = "REDISH_CONFIG"
	profileEnv = "REDISH_PROFILE"
	authEnv    = "REDISCLI_AUTH"
)

// fileLayer is one layer of the configuration file, its top level or one
// profile: the settings it sets, in the order of the option table.
type fileLayer []setting

// setting is one value of a layer: the option it sets and its values as
// the flag parses them (several for a list).
type setting struct {
	name   string
	values []string
}

// value returns the first value of the setting called name, if the layer
// sets it.
func (l fileLayer) value(name string) (string, bool) {
	for _, st := range l {
		if st.name == name && len(st.values) > 0 {
			return st.values[0], true
		}
	}
	return "", false
}

// configFile is the whole configuration file.
type configFile struct {
	// top is the file's top level.
	top fileLayer
	// DefaultProfile is the profile used when neither --profile nor
	// REDISH_PROFILE names one.
	DefaultProfile string
	// Profiles are the [profile.NAME] tables.
	Profiles map[string]fileLayer

	// problems holds what is wrong with each profile that has a problem,
	// one "FILE:LINE: message" line each. Such a profile is not in
	// Profiles: a run that selects it fails with these lines, the others
	// warn.
	problems map[string][]string
}

// fileOptions returns the rows of the options the configuration file
// may set, in table order.
func fileOptions() []option {
	var rows []option
	for _, o := range optionTable(&Options{}) {
		if o.file {
			rows = append(rows, o)
		}
	}
	return rows
}

// settingNames returns the keys a layer of the file accepts.
func settingNames() []string {
	var names []string
	for _, o := range fileOptions() {
		names = append(names, o.name)
	}
	return names
}

// fileTypes returns the types the TOML decoder fills, made from the
// option table: a layer, with a field for each setting tagged with its
// key, and the whole file, a layer's fields with default-profile and the
// profiles. With them the decoder itself reports a value of the wrong
// type, or a key no option has, with its line and column.
func fileTypes(rows []option) (layer, file reflect.Type) {
	fields := make([]reflect.StructField, len(rows))
	for i, o := range rows {
		fields[i] = reflect.StructField{
			Name: "S" + strconv.Itoa(i),
			Type: o.value.fileType(),
			Tag:  reflect.StructTag(`toml:"` + o.name + `"`),
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
func layerOf(rows []option, v reflect.Value) fileLayer {
	var out fileLayer
	for i, o := range rows {
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
		out = append(out, setting{name: o.name, values: values})
	}
	return out
}

// check validates the values of the layer with each option's check (see
// option.check). Its error is a *settingError.
func (l fileLayer) check() error {
	rows := optionTable(&Options{})
	for _, st := range l {
		o := lookup(rows, st.name)
		if o == nil || o.check == nil {
			continue
		}
		for _, v := range st.values {
			if err := o.check(v); err != nil {
				return &settingError{st.name, err}
			}
		}
	}
	return nil
}

// configPath returns the configuration file to read and says where its
// name came from. must is true when the user named the file, so that a
// missing file is an error rather than no configuration.
func configPath(o *settingsOptions, fs *pflag.FlagSet, getenv func(string) string) (path, from string, must bool) {
	switch {
	case o.NoConfig:
		return "", "--no-config", false
	case flagGiven(fs, "config"):
		return o.Config, "--config", true
	case getenv(configEnv) != "":
		return getenv(configEnv), "env " + configEnv, true
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := repl.HomeDir(getenv)
		if home == "" {
			return "", "no home directory", false
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "redish", "config.toml"), "default location", false
}

// loadConfigFile reads and parses the configuration file at path. It
// returns nil and no error when the file does not exist and must is
// false: the default location is optional. Reading it is the only I/O a
// run without a configuration file pays for.
func loadConfigFile(path string, must bool) (*configFile, error) {
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
	return parseConfigFile(path, data)
}

// parseConfigFile parses the configuration file's contents. Errors name
// the file and, when the parser knows it, the line. A problem inside a
// [profile.NAME] table is not an error of the file: it is kept in
// cf.problems, for the run that selects that profile (see
// settings_layout.go).
func parseConfigFile(path string, data []byte) (*configFile, error) {
	cf, err := decodeConfig(path, data)
	if err == nil {
		err = cf.check()
	}
	if err == nil {
		return cf, nil
	}
	l, lerr := layoutOf(data)
	if lerr != nil {
		return nil, err // a syntax error, which the decoder described
	}
	top, err := decodeConfig(path, l.without(l.profiles...))
	if err != nil {
		return nil, err
	}
	if err := top.top.check(); err != nil {
		return nil, l.located(path, "", err)
	}
	problems := map[string][]string{}
	var broken []string
	for _, name := range l.profiles {
		pcf, err := decodeConfig(path, l.only(name))
		if err == nil {
			p := pcf.Profiles[name]
			if cerr := p.check(); cerr != nil {
				err = l.located(path, name, cerr)
			}
		}
		if err != nil {
			problems[name] = strings.Split(err.Error(), "\n")
			broken = append(broken, name)
		}
	}
	cf, err = decodeConfig(path, l.without(broken...))
	if err != nil {
		return nil, err
	}
	cf.problems = problems
	if err := cf.check(); err != nil {
		return nil, l.located(path, "", err)
	}
	return cf, nil
}

// decodeConfig decodes the file, refusing unknown keys.
func decodeConfig(path string, data []byte) (*configFile, error) {
	rows := fileOptions()
	_, fileType := fileTypes(rows)
	v := reflect.New(fileType)
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return nil, fileError(path, err)
	}
	file := v.Elem()
	cf := &configFile{
		top:            layerOf(rows, file),
		DefaultProfile: file.FieldByName("DefaultProfile").String(),
	}
	if profiles := file.FieldByName("Profiles"); !profiles.IsNil() {
		cf.Profiles = make(map[string]fileLayer, profiles.Len())
		for it := profiles.MapRange(); it.Next(); {
			cf.Profiles[it.Key().String()] = layerOf(rows, it.Value())
		}
	}
	return cf, nil
}

// holdsPassword reports whether a layer of the file sets a password, in
// pass or in a URI.
func (cf *configFile) holdsPassword() bool {
	layers := []fileLayer{cf.top}
	for _, name := range cf.profileNames() {
		layers = append(layers, cf.Profiles[name])
	}
	for _, l := range layers {
		if _, ok := l.value("pass"); ok {
			return true
		}
		if uri, ok := l.value("uri"); ok {
			if u, err := redisx.ParseURI(uri); err == nil && u.PasswordSet {
				return true
			}
		}
	}
	return false
}

// exposedPasswordWarning returns the warning for a configuration file
// that holds a password and that users other than its owner may read, or
// "" (also where file modes say nothing of that: Windows).
func exposedPasswordWarning(path string, cf *configFile) string {
	if cf == nil || runtime.GOOS == "windows" || !cf.holdsPassword() {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	var who []string
	if fi.Mode().Perm()&0o040 != 0 {
		who = append(who, "group")
	}
	if fi.Mode().Perm()&0o004 != 0 {
		who = append(who, "others")
	}
	if len(who) == 0 {
		return ""
	}
	return fmt.Sprintf("Warning: %s holds a password and is readable by %s (mode %04o): run chmod 600 %s",
		path, strings.Join(who, " and "), fi.Mode().Perm(), shellQuote(path))
}

// shellQuote quotes s for a POSIX shell when it needs quoting, so that a
// command shown to the user can be pasted as it is.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+,:@%=~") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// check validates every layer and the default profile's name.
func (cf *configFile) check() error {
	if err := cf.top.check(); err != nil {
		return err
	}
	for _, name := range cf.profileNames() {
		p := cf.Profiles[name]
		if err := p.check(); err != nil {
			return fmt.Errorf("[profile.%s] %w", name, err)
		}
	}
	if cf.DefaultProfile != "" && !slices.Contains(cf.profileNames(), cf.DefaultProfile) {
		return &settingError{"default-profile", cf.noProfile(cf.DefaultProfile)}
	}
	return nil
}

// profileNames returns the names of the profiles, those with problems
// included, sorted.
func (cf *configFile) profileNames() []string {
	if cf == nil {
		return nil
	}
	names := make([]string, 0, len(cf.Profiles)+len(cf.problems))
	for name := range cf.Profiles {
		names = append(names, name)
	}
	for name := range cf.problems {
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// errNoProfile is wrapped by the error for a profile the file lacks.
var errNoProfile = errors.New("no such profile")

func (cf *configFile) noProfile(name string) error {
	names := cf.profileNames()
	if len(names) == 0 {
		return fmt.Errorf("%w %q: the file defines no profiles", errNoProfile, name)
	}
	return fmt.Errorf("%w %q (profiles: %s)", errNoProfile, name, strings.Join(names, ", "))
}

// fileError rewrites the TOML parser's errors as "FILE:LINE: message",
// one line per unknown key.
func fileError(path string, err error) error {
	var missing *toml.StrictMissingError
	if errors.As(err, &missing) {
		msgs := make([]string, len(missing.Errors))
		for i := range missing.Errors {
			e := &missing.Errors[i]
			line, _ := e.Position()
			msgs[i] = fmt.Sprintf("%s:%d: %s", path, line, unknownKey(e.Key()))
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if key := de.Key(); len(key) > 0 && strings.HasPrefix(msg, "cannot decode") {
			msg = wrongType(key)
		}
		return fmt.Errorf("%s:%d:%d: %s", path, line, col, msg)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// wrongType describes a value of the wrong TOML type by what the key
// expects, in place of the parser's message, which names Go types.
func wrongType(key toml.Key) string {
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
	for _, o := range fileOptions() {
		if o.name == name {
			return fmt.Sprintf("%s: expected %s", name, want[o.value.fileType()])
		}
	}
	return name + ": a value of the wrong type"
}

// unknownKey describes a key the file does not accept, suggesting the
// closest valid one.
func unknownKey(key toml.Key) string {
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
	for _, valid := range append(settingNames(), "default-profile") {
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
