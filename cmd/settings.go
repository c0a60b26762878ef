package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/configfile"
	"github.com/redish/redish/internal/env"
)

// settingsState is what applySettings found: the file, the profile and
// where each setting came from, for --print-config and the messages about
// values from the file.
type settingsState struct {
	path, pathFrom       string // the configuration file and why that one
	loaded               bool   // the file exists and was read
	profile, profileFrom string // the profile applied, if any, and who chose it
	// sources maps an option's name to where its value came from: a
	// source constant or "profile NAME". Options missing here have their
	// defaults.
	sources map[string]string
}

// Where a setting came from, as --print-config says it.
const (
	sourceDefault     = "default"
	sourceCommandLine = "command line"
	sourceFile        = "file"
	sourceEnvAuth     = "env " + authEnv
)

// displaces lists, for a setting, the settings of lower layers it
// replaces as well as itself. A server named on the command line with -u
// brings its own credentials: the file's are not sent to it. A unix
// socket and a host are two ways to say where the server is, so each
// replaces the other; mutually exclusive flags replace each other.
var displaces = map[string][]string{
	"uri":         {"host", "port", "socket", "db", "user", "pass", "sentinel", "master-name", "sentinel-user", "sentinel-pass"},
	"socket":      {"host", "port", "uri", "cluster", "sentinel", "master-name", "sentinel-user", "sentinel-pass"},
	"host":        {"socket", "uri", "sentinel", "master-name", "sentinel-user", "sentinel-pass"},
	"port":        {"socket", "uri", "sentinel", "master-name", "sentinel-user", "sentinel-pass"},
	"sentinel":    {"host", "port", "socket", "uri", "cluster"},
	"cluster":     {"socket", "sentinel", "master-name", "sentinel-user", "sentinel-pass"},
	"askpass":     {"pass"},
	"resp2":       {"resp3"},
	"resp3":       {"resp2"},
	"raw":         {"no-raw", "csv", "json", "quoted-json"},
	"no-raw":      {"raw", "csv", "json", "quoted-json"},
	"csv":         {"raw", "no-raw", "json", "quoted-json"},
	"json":        {"raw", "no-raw", "csv", "quoted-json"},
	"quoted-json": {"raw", "no-raw", "csv", "json"},
}

// applySettings fills the options the command line does not set from the
// configuration file. Precedence, lowest first: the flags' defaults, the
// file's top level, the chosen profile, the environment, the command line.
//
// A value from the file is applied as if it had been given on the command
// line (so a profile's host wins over a URI in the same file, and a
// profile's retry settings count as given for the retry rules), unless the
// command line gives that flag or one that displaces it (see displaces).
// The file's password is the exception: REDISCLI_AUTH replaces it, as the
// environment ranks above the file.
func applySettings(ios *IOStreams, o *Options, fs *pflag.FlagSet) (*settingsState, error) {
	s := &settingsState{}
	s.sources = map[string]string{}
	fs.Visit(func(f *pflag.Flag) { s.sources[f.Name] = sourceCommandLine })

	path, from, must := configPath(&o.Settings, flagGiven(fs, "config"), ios.Getenv)
	s.path, s.pathFrom = path, from
	cf, err := loadConfigFile(path, must)
	if err != nil {
		return nil, env.Fail(err.Error())
	}
	s.loaded = cf != nil
	if w := exposedPasswordWarning(path, cf); w != "" {
		fmt.Fprintln(ios.ErrOut, w)
	}

	switch {
	case o.Settings.Profile != "":
		s.profile, s.profileFrom = o.Settings.Profile, "--profile"
	case ios.Getenv(profileEnv) != "":
		s.profile, s.profileFrom = ios.Getenv(profileEnv), "env "+profileEnv
	case cf != nil && cf.DefaultProfile != "":
		s.profile, s.profileFrom = cf.DefaultProfile, "default-profile in the file"
	}
	if cf == nil {
		if s.profile != "" {
			return nil, env.Fail(fmt.Sprintf("%s %s: no configuration file (%s)", s.profileFrom, s.profile, describePath(path, from)))
		}
		return s, nil
	}

	// A problem in a profile matters only to the runs that select it.
	for _, name := range cf.ProfileNames() {
		if name == s.profile {
			continue
		}
		for _, problem := range cf.Problems[name] {
			fmt.Fprintf(ios.ErrOut, "Warning: ignoring profile %s: %s\n", name, problem)
		}
	}
	layers := []layer{{source: sourceFile, settings: cf.Top}}
	if s.profile != "" {
		if problems := cf.Problems[s.profile]; len(problems) > 0 {
			return nil, env.Fail(strings.Join(problems, "\n"))
		}
		p, ok := cf.Profiles[s.profile]
		if !ok {
			return nil, env.Fail(fmt.Sprintf("%s: %v", path, cf.NoProfile(s.profile)))
		}
		layers = append(layers, layer{source: "profile " + s.profile, settings: p})
	}
	eff := merge(layers)
	// A run without some of the flags (redish lab chooses where to
	// connect) leaves their settings alone.
	for name := range eff {
		if f := fs.Lookup(name); f == nil || f.Annotations[labOwnAnnotation] != nil {
			delete(eff, name)
		}
	}

	// The command line and the environment rank above the file.
	var cmdline []string
	for name := range s.sources {
		cmdline = append(cmdline, name)
	}
	envAuth := ios.Getenv(authEnv)
	if envAuth != "" {
		cmdline = append(cmdline, "pass")
	}
	dropDisplaced(eff, cmdline)

	for _, name := range settingNames() {
		v, ok := eff[name]
		if !ok {
			continue
		}
		for _, val := range v.values {
			if err := fs.Set(name, val); err != nil {
				msg := err.Error()
				var bad *pflag.InvalidValueError
				if errors.As(err, &bad) {
					msg = errors.Unwrap(bad).Error()
				}
				where := ""
				if p, ok := strings.CutPrefix(v.source, "profile "); ok {
					where = "[profile." + p + "] "
				}
				return nil, env.Fail(fmt.Sprintf("%s: %s%s: %s", path, where, name, msg))
			}
		}
		s.sources[name] = v.source
	}

	// REDISCLI_AUTH outranks the file, but resolveConn ranks any URI
	// above it: when the file gives a URI, which may carry a password,
	// the environment's password is given as an explicit one.
	if _, ok := eff["uri"]; ok && envAuth != "" && !flagGiven(fs, "pass") {
		if err := fs.Set("pass", envAuth); err != nil {
			return nil, fmt.Errorf("applying %s: %w", authEnv, err)
		}
		s.sources["pass"] = sourceEnvAuth
	}
	// A password from the file is not on the command line: the warning
	// about passwords on the command line does not apply to it.
	_, filePass := eff["pass"]
	_, fileURI := eff["uri"]
	if (filePass || fileURI) && s.sources["pass"] != sourceCommandLine && !o.NoAuthWarning {
		o.NoAuthWarning = true
		s.sources["no-auth-warning"] = "implied: the password is not on the command line"
	}
	return s, nil
}

// where says where in the configuration file a setting was given ("FILE"
// or "FILE, [profile.NAME]"), or "" when the file did not give it.
func (s *settingsState) where(name string) string {
	src := s.sources[name]
	if src == sourceFile {
		return s.path
	}
	if p, ok := strings.CutPrefix(src, "profile "); ok {
		return s.path + ", [profile." + p + "]"
	}
	return ""
}

// layer is the settings of one level of the file.
type layer struct {
	source   string
	settings configfile.Layer
}

// sourcedSetting is a setting's values and the layer they came from.
type sourcedSetting struct {
	values []string
	source string
}

// merge applies the layers in order: a setting of a later layer replaces
// the same setting of an earlier one, and those it displaces.
func merge(layers []layer) map[string]sourcedSetting {
	eff := map[string]sourcedSetting{}
	for _, l := range layers {
		names := make([]string, len(l.settings))
		for i, st := range l.settings {
			names[i] = st.Name
		}
		dropDisplaced(eff, names)
		for _, st := range l.settings {
			eff[st.Name] = sourcedSetting{values: st.Values, source: l.source}
		}
	}
	return eff
}

// dropDisplaced removes from eff the settings that the named settings of
// a higher layer replace.
func dropDisplaced(eff map[string]sourcedSetting, names []string) {
	for _, name := range names {
		delete(eff, name)
		for _, d := range displaces[name] {
			delete(eff, d)
		}
	}
}

func describePath(path, from string) string {
	if path == "" {
		return from
	}
	return path + ", " + from
}

// addSubcommands adds the subcommands, whose names cannot collide with
// Redis command names (completion, lab), and sets up shell completion of
// flag values and Redis command names.
func addSubcommands(ctx context.Context, root *cobra.Command, ios *IOStreams, intr *env.Interrupts) {
	root.AddCommand(newCompletionCmd(root, ios))
	root.AddCommand(newLabCmd(ios, intr))
	// With subcommands, cobra adds a help command to the root and offers
	// it when completing the first word. "help" is Redis help (redish
	// help SET), so cobra's is named after the option that gives help:
	// the command line can never reach it, and as a completion it is true.
	root.SetHelpCommand(&cobra.Command{Use: "--help", Short: "Show this help", Hidden: true,
		Run: func(*cobra.Command, []string) { printHelp(ios.Out, root) }})
	root.ValidArgsFunction = completeRedisArgs
	// Flag completions are registered only when a completion is asked
	// for: cobra keeps them in a process-wide table that a run would
	// otherwise grow for nothing.
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if c.Name() == cobra.ShellCompRequestCmd {
			registerFlagCompletions(root, ios)
		}
		return nil
	}
}
