package cmd

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/backoff"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/retry"
)

// option is one row of the option table (see optionTable): everything
// redish knows about one command-line option.
type option struct {
	name  string // the long name; also the configuration file's key
	short string // the one-letter name, "" for none
	group string // the section of --help it is listed under
	// usage is the help text; a word in backticks names the value
	// (`file`), as pflag reads it.
	usage string
	// value is where the option's value goes, with its type and default.
	value value
	// file lets the configuration file set the option, under its name.
	file bool
	// complete lists the values to complete; nil leaves it to the shell
	// (file names).
	complete completion
	// check validates a value from the configuration file, so that a
	// mistake is reported with the file, profile and line it is in rather
	// than later as if it came from the command line. It is the same
	// check the value gets where the run uses it.
	check func(string) error
	// empty says what an empty value means, when it means something
	// (redis-cli's meaning, kept). An option whose empty is "" refuses an
	// empty value (checkEmptyValues): an unset shell variable must not
	// turn into a default. emptyChecked leaves the empty value to check,
	// whose message lists the valid values.
	empty        string
	emptyChecked bool
	// lab lets redish lab take the option as it is; labUsage, when set,
	// is its help there.
	lab      bool
	labUsage string
	// clusterOnly options need -c; with sentinelToo, --sentinel (or a
	// Sentinel URI) will do as well.
	clusterOnly bool
	sentinelToo bool
	// managerOnly options need --cluster SUBCOMMAND (the cluster manager).
	managerOnly bool
	// shortOnly options are known by their short name only on redish's
	// own command line (-c: --cluster is the cluster manager there); the
	// configuration file and redish lab still take the long name.
	shortOnly bool
}

// flagGroupAnnotation is the pflag annotation that holds an option's group.
const flagGroupAnnotation = "redish_group"

// group sets the group of rows.
func group(name string, rows ...option) []option {
	for i := range rows {
		rows[i].group = name
	}
	return rows
}

func concat(groups ...[]option) []option { return slices.Concat(groups...) }

// register adds the flags of rows to fs, in order.
func register(fs *pflag.FlagSet, rows []option) {
	for i := range rows {
		registerOne(fs, &rows[i], rows[i].usage)
	}
}

func registerOne(fs *pflag.FlagSet, o *option, usage string) {
	o.value.register(fs, o.name, o.short, usage)
	if o.group != "" {
		fs.SetAnnotation(o.name, flagGroupAnnotation, []string{o.group})
	}
	if o.shortOnly {
		fs.SetAnnotation(o.name, shortOnlyAnnotation, []string{"true"})
	}
}

// shortOnlyAnnotation marks a flag --help and the man page show by its
// short name only (see option.shortOnly).
const shortOnlyAnnotation = "redish_short_only"

// lookup returns the row of the option called name, nil if there is none.
func lookup(rows []option, name string) *option {
	for i := range rows {
		if rows[i].name == name {
			return &rows[i]
		}
	}
	return nil
}

// A value is where an option's value goes: a field of Options, with its
// type and default, registered as pflag's own flag of that type.
type value interface {
	register(fs *pflag.FlagSet, name, short, usage string)
	// fileType is the type a value of the configuration file decodes
	// into: *string, *int, *bool or []string.
	fileType() reflect.Type
}

type textValue struct {
	p   *string
	def string
}

func text(p *string, def string) value { return textValue{p, def} }

func (v textValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.StringVarP(v.p, name, short, v.def, usage)
}
func (textValue) fileType() reflect.Type { return reflect.TypeFor[*string]() }

type intValue struct {
	p   *int
	def int
}

func integer(p *int, def int) value { return intValue{p, def} }

func (v intValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.IntVarP(v.p, name, short, v.def, usage)
}
func (intValue) fileType() reflect.Type { return reflect.TypeFor[*int]() }

type boolValue struct{ p *bool }

func boolean(p *bool) value { return boolValue{p} }

func (v boolValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.BoolVarP(v.p, name, short, false, usage)
}
func (boolValue) fileType() reflect.Type { return reflect.TypeFor[*bool]() }

type floatValue struct {
	p   *float64
	def float64
}

func decimal(p *float64) value { return floatValue{p, 0} }

func decimalWithDefault(p *float64, def float64) value { return floatValue{p, def} }

func (v floatValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.Float64VarP(v.p, name, short, v.def, usage)
}
func (floatValue) fileType() reflect.Type { return reflect.TypeFor[*float64]() }

// listValue is a comma-separated list that may be given several times
// (--retry-on-error a,b --retry-on-error c).
type listValue struct{ p *[]string }

func list(p *[]string) value { return listValue{p} }

func (v listValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.StringSliceVarP(v.p, name, short, nil, usage)
}
func (listValue) fileType() reflect.Type { return reflect.TypeFor[[]string]() }

// repeatedValue is a value given once per item (--cluster-seed a
// --cluster-seed b); commas are part of the item.
type repeatedValue struct{ p *[]string }

func repeated(p *[]string) value { return repeatedValue{p} }

func (v repeatedValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.StringArrayVarP(v.p, name, short, nil, usage)
}
func (repeatedValue) fileType() reflect.Type { return reflect.TypeFor[[]string]() }

// customValue is a pflag.Value of redish's own (duration, --retry-sent),
// written as a string in the configuration file.
type customValue struct{ v pflag.Value }

func custom(v pflag.Value) value { return customValue{v} }

func (v customValue) register(fs *pflag.FlagSet, name, short, usage string) {
	fs.VarP(v.v, name, short, usage)
}
func (customValue) fileType() reflect.Type { return reflect.TypeFor[*string]() }

// duration is a flag value that takes a Go duration ("100ms", "1.5s") or,
// like redis-cli's -t, a plain number of seconds ("2", "0.5").
type duration struct{ d time.Duration }

func (d *duration) String() string {
	if d.d == 0 {
		return "0"
	}
	return d.d.String()
}

func (d *duration) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	d.d = v
	return nil
}

func (d *duration) Type() string { return "duration" }

func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > 1e9 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (examples: 100ms, 1.5s, 2)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// resendValue is the value of --retry-sent: safe, all or none.
type resendValue struct{ r retry.Resend }

func (v *resendValue) String() string { return v.r.String() }

func (v *resendValue) Set(s string) error {
	r, err := retry.ParseResend(s)
	if err != nil {
		return err
	}
	v.r = r
	return nil
}

func (v *resendValue) Type() string { return "string" }

// The checks of values from the configuration file, one per type of
// value; each is the check the run applies where it uses the value.

func checkBackoff(s string) error {
	_, err := backoff.ParseName(s)
	return err
}

func checkClassList(s string) error {
	_, err := retry.ParseClassList(s)
	return err
}

func checkResend(s string) error {
	_, err := retry.ParseResend(s)
	return err
}

func checkYesNo(s string) error {
	if _, ok := parseYesNo(s); !ok {
		return fmt.Errorf("%q is not yes or no", s)
	}
	return nil
}

// The values of --decode.
const (
	decodeUTF8 = "utf-8"
	decodeNone = "none"
)

// checkDecode accepts the values of --decode.
func checkDecode(s string) error {
	if s != decodeUTF8 && s != decodeNone {
		return fmt.Errorf("%q is not %s or %s", s, decodeUTF8, decodeNone)
	}
	return nil
}

// parseYesNo reads a yes/no value as redis-cli does: any word starting
// with y or n, in any case ("y", "yes", "No").
func parseYesNo(s string) (yes, ok bool) {
	switch {
	case s == "":
		return false, false
	case s[0] == 'y' || s[0] == 'Y':
		return true, true
	case s[0] == 'n' || s[0] == 'N':
		return false, true
	}
	return false, false
}

// flagGiven reports whether the user set a flag, on the command line or
// (once applySettings has run) in the configuration file.
func flagGiven(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}

// flagError turns one of pflag's parse errors into redis-cli's message
// for a bad option, or, for a value the option refuses, names the option
// and says what is wrong with the value ("-p, --port: "x" must be an
// integer"). -h as the last option, with no host, prints the help, as in
// redis-cli.
func flagError(c *cobra.Command, err error) error {
	var (
		unknown  *pflag.NotExistError
		noValue  *pflag.ValueRequiredError
		badValue *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &badValue):
		return env.Fail(flagName(badValue.GetFlag()) + ": " + valueReason(badValue))
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() != "":
		return unrecognized("-" + unknown.GetSpecifiedShortnames())
	case errors.As(err, &unknown):
		return unrecognized("--" + unknown.GetSpecifiedName())
	case errors.As(err, &noValue) && noValue.GetSpecifiedShortnames() == "h":
		// -h with no host after it is redis-cli's way to ask for the
		// usage: it prints it and exits 0.
		return c.Help()
	case errors.As(err, &noValue) && noValue.GetSpecifiedShortnames() != "":
		return unrecognized("-" + noValue.GetSpecifiedShortnames())
	case errors.As(err, &noValue):
		return unrecognized("--" + noValue.GetSpecifiedName())
	case errors.As(err, &syntax):
		return unrecognized(syntax.GetSpecifiedFlag())
	}
	return unrecognized(err.Error())
}

// flagName names a flag as pflag's messages do: "-p, --port" or "--user".
func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + ", --" + f.Name
	}
	return "--" + f.Name
}

// valueReason says why a flag refused a value. pflag's own values say
// "must be an integer" without the value; redish's say it themselves.
func valueReason(e *pflag.InvalidValueError) string {
	reason := errors.Unwrap(e).Error()
	if strings.HasPrefix(reason, "must ") {
		return strconv.Quote(e.GetValue()) + " " + reason
	}
	return reason
}

// unrecognized builds redis-cli's message for a bad option.
func unrecognized(opt string) error {
	return env.Fail("Unrecognized option or bad number of args for: '" + opt + "'")
}

// checkEmptyValues refuses an option given an empty value where the empty
// value means nothing (see option.empty), naming the option and, when it
// did not come from the command line, where it came from (where returns
// "" for the command line; nil means everything came from it).
func checkEmptyValues(fs *pflag.FlagSet, rows []option, where func(name string) string) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		if o := lookup(rows, f.Name); o != nil && (o.empty != "" || o.emptyChecked) {
			return
		}
		empty := false
		switch f.Value.Type() {
		case "string":
			empty = f.Value.String() == ""
		case "stringSlice", "stringArray":
			vals := f.Value.(pflag.SliceValue).GetSlice()
			empty = len(vals) == 0 || slices.Contains(vals, "")
		}
		if !empty {
			return
		}
		from := ""
		if where != nil {
			if w := where(f.Name); w != "" {
				from = " (in " + w + ")"
			}
		}
		err = env.Fail(fmt.Sprintf("Option %s was given an empty value%s: give a value, or leave the option out.", flagName(f), from))
	})
	return err
}
