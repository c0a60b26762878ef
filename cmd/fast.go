package cmd

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/redish/redish/internal/env"
)

// The fast path. Most runs of redish are one command with a few plain
// options (redish -h HOST -p PORT GET key), often from a shell loop, and
// their start-up is most of their time. Building the cobra command tree
// and registering every option with pflag costs more than the rest of
// such a run, so fastRun parses these command lines itself and goes on
// from there exactly as the full path does (buildConfig, then the mode).
//
// It handles a command line only when the full path would read it the
// same way without doing anything else with it: options written as -x
// VALUE, --name VALUE, --name=VALUE or a bare boolean flag, of the plain
// kinds (text, integer, boolean), none of them empty, then the command
// and its arguments or nothing. Anything else goes the full way and gets
// cobra's and pflag's behaviour and messages: another spelling (-p6379,
// -cx, --cluster=true, --), another kind of value (durations, lists,
// decimals), a bad value, an unknown option, a subcommand (lab,
// completion), help, --version, the configuration options, and a
// configuration file or profile to read (REDISH_CONFIG, REDISH_PROFILE,
// or a file at the default location).

// fastRefused are the options fastRun leaves to the full path although
// their values are plain: cobra acts on them (help, version), or they
// change how the configuration is read or printed.
var fastRefused = map[string]bool{
	"help": true, "version": true,
	"config": true, "no-config": true, "profile": true, "print-config": true,
}

// fastPath turns the fast path on; the tests that compare it with the
// full path turn it off.
var fastPath = true

// fastRun runs args the way run does, when the fast path handles them
// (see above), and reports whether it did: when ok is false it did
// nothing at all.
func fastRun(ctx context.Context, args []string, ios *IOStreams, intr *env.Interrupts) (code int, ok bool) {
	if !fastPath {
		return 0, false
	}
	o := &Options{}
	rest, ok := fastParse(optionTable(o), o, args)
	if !ok {
		return 0, false
	}
	if len(rest) > 0 && (isHelpWord(rest[0]) || isSubcommand(rest[0])) {
		return 0, false
	}
	s, ok := fastSettings(o, ios.Getenv)
	if !ok {
		return 0, false
	}
	ios = ios.Guarded()
	cfg, err := buildConfig(ios, o, nil, rest)
	if err == nil {
		cfg.interrupts, cfg.settings = intr, s
		var done bool
		if done, err = cfg.printSettings(); !done {
			err = cfg.run(ctx)
		}
	}
	return report(ctx, ios, err), true
}

// isSubcommand reports whether cobra would take word, the first word
// after the options, for one of redish's subcommands, or for the requests
// of shell completion.
func isSubcommand(word string) bool {
	return word == "lab" || word == "completion" || strings.HasPrefix(word, "__")
}

// fastParse sets o from the options at the start of args, as pflag would
// with these rows registered, and returns the words after them. It fills
// o.given with the options given. ok is false, o left half set, for a
// command line it leaves to pflag.
func fastParse(rows []option, o *Options, args []string) (rest []string, ok bool) {
	// The defaults, as registering the rows sets them.
	for i := range rows {
		switch v := rows[i].value.(type) {
		case textValue:
			*v.p = v.def
		case intValue:
			*v.p = v.def
		case floatValue:
			*v.p = v.def
		case boolValue, listValue, repeatedValue, customValue:
			// Their default is the zero value Options starts with.
		default:
			return nil, false
		}
	}
	o.given = map[string]bool{}
	for len(args) > 0 {
		a := args[0]
		if len(a) < 2 || a[0] != '-' {
			break // the command: options end there
		}
		args = args[1:]
		var row *option
		value, hasValue := "", false
		if name, ok := strings.CutPrefix(a, "--"); ok {
			if name == "" {
				return nil, false // "--"
			}
			if n, v, found := strings.Cut(name, "="); found {
				name, value, hasValue = n, v, true
			}
			row = lookup(rows, name)
			if row != nil && row.shortOnly {
				return nil, false // --cluster is the cluster manager
			}
		} else {
			if len(a) != 2 {
				return nil, false // -p6379, -cx
			}
			for i := range rows {
				if rows[i].short == a[1:] {
					row = &rows[i]
					break
				}
			}
		}
		if row == nil || fastRefused[row.name] {
			return nil, false
		}
		if _, isBool := row.value.(boolValue); !isBool && !hasValue {
			if len(args) == 0 {
				return nil, false
			}
			value, args = args[0], args[1:]
		}
		if !fastSet(row.value, value, hasValue) {
			return nil, false
		}
		o.given[row.name] = true
	}
	return args, true
}

// fastSet sets v from the command line as pflag would, or reports that
// the fast path leaves it to pflag: another kind of value, a boolean
// given a value, an empty value (which checkEmptyValues may refuse), a
// value pflag refuses.
func fastSet(v value, s string, hasValue bool) bool {
	switch v := v.(type) {
	case boolValue:
		if hasValue {
			return false
		}
		*v.p = true
		return true
	case textValue:
		if s == "" {
			return false
		}
		*v.p = s
		return true
	case intValue:
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return false
		}
		*v.p = int(n)
		return true
	}
	return false
}

// fastSettings is applySettings for a run that reads no configuration: no
// configuration option was given (fastParse leaves those to the full
// path), the environment names neither a file nor a profile, and there is
// no file at the default location. ok is false otherwise.
func fastSettings(o *Options, getenv func(string) string) (*settingsState, bool) {
	if getenv(configEnv) != "" || getenv(profileEnv) != "" {
		return nil, false
	}
	path, from, _ := configPath(&o.Settings, false, getenv)
	if path != "" {
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			return nil, false
		}
	}
	s := &settingsState{path: path, pathFrom: from, sources: map[string]string{}}
	for name := range o.given {
		s.sources[name] = sourceCommandLine
	}
	return s, true
}
