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

	"github.com/redish/redish/backoff"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
	"github.com/redish/redish/retry"
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

// fileSettings is one layer of the configuration file: its top level or
// one profile. A nil field is a setting the layer leaves alone. The toml
// tag of each field is the long name of the flag it sets; durations are
// strings in the flags' syntax ("500ms", "1.5").
type fileSettings struct {
	// Connection.
	Host           *string `toml:"host"`
	Port           *int    `toml:"port"`
	Socket         *string `toml:"socket"`
	URI            *string `toml:"uri"`
	DB             *int    `toml:"db"`
	User           *string `toml:"user"`
	Pass           *string `toml:"pass"`
	Name           *string `toml:"name"`
	RESP2          *bool   `toml:"resp2"`
	RESP3          *bool   `toml:"resp3"`
	ConnectTimeout *string `toml:"connect-timeout"`
	Timeout        *string `toml:"timeout"`
	NoAuthWarning  *bool   `toml:"no-auth-warning"`

	// TLS.
	TLS             *bool   `toml:"tls"`
	SNI             *string `toml:"sni"`
	CACert          *string `toml:"cacert"`
	CACertDir       *string `toml:"cacertdir"`
	Cert            *string `toml:"cert"`
	Key             *string `toml:"key"`
	Insecure        *bool   `toml:"insecure"`
	TLSCiphers      *string `toml:"tls-ciphers"`
	TLSCipherSuites *string `toml:"tls-ciphersuites"`

	// Output.
	Raw        *bool   `toml:"raw"`
	NoRaw      *bool   `toml:"no-raw"`
	CSV        *bool   `toml:"csv"`
	JSON       *bool   `toml:"json"`
	QuotedJSON *bool   `toml:"quoted-json"`
	ShowPushes *string `toml:"show-pushes"`
	NoColor    *bool   `toml:"no-color"`

	// Retries.
	Retries          *int     `toml:"retries"`
	RetryBackoff     *string  `toml:"retry-backoff"`
	RetryBackoffBase *string  `toml:"retry-backoff-base"`
	RetryBackoffCap  *string  `toml:"retry-backoff-cap"`
	RetryOnError     []string `toml:"retry-on-error"`
	RetryOnTimeout   *bool    `toml:"retry-on-timeout"`
	RetryDeadline    *string  `toml:"retry-deadline"`
	RetrySent        *string  `toml:"retry-sent"`
	Verbose          *bool    `toml:"verbose"`

	// Cluster.
	Cluster              *bool    `toml:"cluster"`
	ClusterErrorAttempts *int     `toml:"cluster-error-attempts"`
	ClusterSeed          []string `toml:"cluster-seed"`
	ReadFromReplicas     *bool    `toml:"read-from-replicas"`
}

// configFile is the whole configuration file.
type configFile struct {
	fileSettings
	// DefaultProfile is the profile used when neither --profile nor
	// REDISH_PROFILE names one.
	DefaultProfile string `toml:"default-profile"`
	// Profiles are the [profile.NAME] tables.
	Profiles map[string]fileSettings `toml:"profile"`

	// problems holds what is wrong with each profile that has a problem,
	// one "FILE:LINE: message" line each. Such a profile is not in
	// Profiles: a run that selects it fails with these lines, the others
	// warn.
	problems map[string][]string
}

// setting is one value of a layer: the flag it sets and its values as the
// flag parses them (several for a list).
type setting struct {
	name   string
	values []string
}

// settings returns the settings the layer sets, in declaration order.
func (s *fileSettings) settings() []setting {
	var out []setting
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("toml")
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
		out = append(out, setting{name: name, values: values})
	}
	return out
}

// settingNames returns the keys a layer of the file accepts.
func settingNames() []string {
	t := reflect.TypeFor[fileSettings]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("toml")
	}
	return names
}

// check validates the values the flags themselves accept as any string,
// so that a mistake is reported with the file and profile it is in rather
// than later as if it came from the command line. Its error is a
// *settingError.
func (s *fileSettings) check() error {
	if s.RetryBackoff != nil && !slices.Contains(backoff.Names(), strings.ToLower(*s.RetryBackoff)) {
		return &settingError{"retry-backoff", fmt.Errorf("%w %q (valid: %s)", backoff.ErrUnknown, *s.RetryBackoff, strings.Join(backoff.Names(), ", "))}
	}
	for _, list := range s.RetryOnError {
		for item := range strings.SplitSeq(list, ",") {
			if _, err := retry.ParseClass(item); err != nil {
				return &settingError{"retry-on-error", err}
			}
		}
	}
	if s.RetrySent != nil {
		if _, err := retry.ParseResend(*s.RetrySent); err != nil {
			return fmt.Errorf("retry-sent: %w", err)
		}
	}
	if s.ShowPushes != nil {
		if _, ok := parseYesNo(*s.ShowPushes); !ok {
			return &settingError{"show-pushes", fmt.Errorf("%q is not yes or no", *s.ShowPushes)}
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
	if err := top.fileSettings.check(); err != nil {
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
	var cf configFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&cf); err != nil {
		return nil, fileError(path, err)
	}
	return &cf, nil
}

// holdsPassword reports whether a layer of the file sets a password, in
// pass or in a URI.
func (cf *configFile) holdsPassword() bool {
	layers := []fileSettings{cf.fileSettings}
	for _, name := range cf.profileNames() {
		layers = append(layers, cf.Profiles[name])
	}
	for _, l := range layers {
		if l.Pass != nil {
			return true
		}
		if l.URI != nil {
			if u, err := redisx.ParseURI(*l.URI); err == nil && u.PasswordSet {
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
	if err := cf.fileSettings.check(); err != nil {
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
	want := map[string]string{
		"*string":  "a string",
		"*int":     "an integer",
		"*bool":    "true or false",
		"[]string": "an array of strings",
	}
	t := reflect.TypeFor[fileSettings]()
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("toml") == name {
			return fmt.Sprintf("%s: expected %s", name, want[f.Type.String()])
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
