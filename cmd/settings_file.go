package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/redish/redish/internal/configfile"
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

// configFile is the configuration file, read.
type configFile = configfile.File

// fileKeys returns the keys of the configuration file: the options it
// may set, with their types and checks.
func fileKeys() []configfile.Key {
	var keys []configfile.Key
	for _, o := range fileOptions() {
		keys = append(keys, configfile.Key{Name: o.name, Type: o.value.fileType(), Check: o.check})
	}
	return keys
}

// loadConfigFile reads and parses the configuration file at path. It
// returns nil and no error when the file does not exist and must is
// false: the default location is optional.
func loadConfigFile(path string, must bool) (*configFile, error) {
	return configfile.Load(path, must, fileKeys())
}

// parseConfigFile parses the configuration file's contents.
func parseConfigFile(path string, data []byte) (*configFile, error) {
	return configfile.Parse(path, data, fileKeys())
}

// configPath returns the configuration file to read and says where its
// name came from. must is true when the user named the file, so that a
// missing file is an error rather than no configuration.
func configPath(o *settingsOptions, configGiven bool, getenv func(string) string) (path, from string, must bool) {
	switch {
	case o.NoConfig:
		return "", "--no-config", false
	case configGiven:
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

// holdsPassword reports whether a layer of the file sets a password, in
// pass, sentinel-pass or a URI.
func holdsPassword(cf *configFile) bool {
	layers := []configfile.Layer{cf.Top}
	for _, name := range cf.ProfileNames() {
		layers = append(layers, cf.Profiles[name])
	}
	for _, l := range layers {
		if _, ok := l.Value("pass"); ok {
			return true
		}
		if _, ok := l.Value("sentinel-pass"); ok {
			return true
		}
		if uri, ok := l.Value("uri"); ok {
			if u, err := redisx.ParseURI(uri); err == nil && (u.PasswordSet || u.Sentinel != nil && u.Sentinel.PasswordSet) {
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
	if cf == nil || runtime.GOOS == "windows" || !holdsPassword(cf) {
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
