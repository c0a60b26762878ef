package cmd

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// masked replaces passwords in --print-config.
const masked = "****"

// printSettings prints the effective settings when --print-config asks
// for them, and reports that the run is done: nothing connects.
//
// The settings are listed in the configuration file's syntax, grouped as
// in --help, each with a comment saying where its value came from. The
// connection settings show what the run would use after the URI and
// REDISCLI_AUTH are applied; passwords are masked.
func (c *config) printSettings() (bool, error) {
	if !c.o.Settings.PrintConfig {
		return false, nil
	}
	w := &settingsWriter{}
	c.describeSettings(w)
	_, err := io.WriteString(c.ios.Out, w.String())
	if err != nil {
		return true, fmt.Errorf("--print-config: %w", err)
	}
	return true, nil
}

// describeSettings writes the settings, group by group.
func (c *config) describeSettings(w *settingsWriter) {
	s := c.settings
	switch {
	case s.path == "":
		w.comment("config file: none (" + s.pathFrom + ")")
	case s.loaded:
		w.comment("config file: " + s.path + " (" + s.pathFrom + ")")
	default:
		w.comment("config file: none (" + s.path + " does not exist)")
	}
	if s.profile != "" {
		w.comment("profile: " + s.profile + " (" + s.profileFrom + ")")
	}
	hist, histFrom := repl.HistoryPath(c.ios.Getenv), sourceDefault
	if c.ios.Getenv(repl.HistoryEnv) != "" {
		histFrom = "env " + repl.HistoryEnv
	}
	if hist == "" {
		hist = "none"
	}
	w.comment("history file: " + hist + " (" + histFrom + ")")

	byGroup := map[string][]string{}
	for _, name := range settingNames() {
		if f := c.fs.Lookup(name); f != nil {
			g := f.Annotations[flagGroupAnnotation]
			if len(g) > 0 {
				byGroup[g[0]] = append(byGroup[g[0]], name)
			}
		}
	}
	uri, _ := redisx.ParseURI(c.o.URI) // buildConfig has checked it
	for _, g := range flagGroups {
		if len(byGroup[g]) == 0 {
			continue
		}
		w.blank()
		w.comment(g)
		switch g {
		case "Connection":
			w.comment("address: " + c.describeAddress())
		case "Output":
			w.comment("output: " + c.format.Mode.String() + " (" + c.formatSource() + ")")
		case "Retries":
			w.comment("policy: " + c.retry.Policy.String())
		}
		for _, name := range byGroup[g] {
			value, source := c.settingValue(name, uri)
			w.setting(name, value, source)
		}
	}
}

// describeAddress says where the run connects and how.
func (c *config) describeAddress() string {
	co := &c.conn
	var b strings.Builder
	b.WriteString(co.Addr())
	if co.DB != 0 {
		fmt.Fprintf(&b, " db %d", co.DB)
	}
	if co.TLS != nil {
		b.WriteString(", TLS")
	}
	switch {
	case co.Protocol == 3 && co.ForceProtocol:
		b.WriteString(", RESP3")
	case co.Protocol == 3:
		b.WriteString(", RESP3 when the server has it")
	default:
		b.WriteString(", RESP2")
	}
	if c.o.Cluster {
		b.WriteString(", cluster mode")
	}
	return b.String()
}

// formatSource says why the output mode is what it is.
func (c *config) formatSource() string {
	for _, name := range []string{"raw", "no-raw", "csv", "json", "quoted-json"} {
		if flagGiven(c.fs, name) {
			return "--" + name + ", " + c.source(name)
		}
	}
	switch {
	case c.ios.OutTTY:
		return "stdout is a terminal"
	case c.ios.Getenv("FAKETTY") != "":
		return "env FAKETTY"
	}
	return "stdout is not a terminal"
}

// source returns where the value of a flag came from, ignoring the URI.
func (c *config) source(name string) string {
	if src, ok := c.settings.sources[name]; ok {
		return src
	}
	if name == "no-color" && c.ios.Getenv("NO_COLOR") != "" {
		return "env NO_COLOR"
	}
	return sourceDefault
}

// settingValue returns a setting's effective value, formatted for the
// configuration file, and where it came from. The connection settings a
// URI can carry come from c.conn, which has the URI and REDISCLI_AUTH
// applied; the backoff's base and cap come from the policy, which fills
// in their defaults.
func (c *config) settingValue(name string, uri redisx.URI) (string, string) {
	co := &c.conn
	fromURI := "uri, " + c.source("uri")
	explicit := flagGiven(c.fs, name)
	pick := func(uriSet bool) string {
		switch {
		case explicit:
			return c.source(name)
		case uriSet:
			return fromURI
		}
		return sourceDefault
	}
	switch name {
	case "host":
		return strconv.Quote(co.Host), pick(uri.Host != "")
	case "port":
		return strconv.Itoa(co.Port), pick(uri.Port != 0)
	case "socket":
		return strconv.Quote(co.Socket), pick(uri.Socket != "")
	case "uri":
		return strconv.Quote(maskURI(c.o.URI, uri)), c.source(name)
	case "db":
		return strconv.Itoa(co.DB), pick(uri.DBSet)
	case "user":
		return strconv.Quote(co.User), pick(uri.UserSet)
	case "pass":
		return c.passValue(uri, explicit, fromURI)
	case "sentinel", "master-name", "sentinel-user", "sentinel-pass":
		return c.sentinelValue(name, uri, explicit, fromURI)
	case "connect-timeout":
		return strconv.Quote(co.ConnectTimeout.String()), pick(uri.TimeoutSet)
	case "timeout":
		return strconv.Quote(co.Timeout.String()), pick(uri.TimeoutSet)
	case "tls":
		return strconv.FormatBool(co.TLS != nil), pick(uri.TLS)
	case "retry-backoff-base":
		return strconv.Quote(c.retry.Policy.Base.String()), c.source(name)
	case "retry-backoff-cap":
		return strconv.Quote(c.retry.Policy.Cap.String()), c.source(name)
	}
	return flagValue(c.fs.Lookup(name)), c.source(name)
}

// passValue is settingValue for the password, which it never shows.
func (c *config) passValue(uri redisx.URI, explicit bool, fromURI string) (string, string) {
	value := `""`
	if c.conn.Password != "" {
		value = strconv.Quote(masked)
	}
	switch {
	case c.o.AskPass:
		return value, "--askpass"
	case explicit:
		return value, c.source("pass")
	case uri.PasswordSet:
		return value, fromURI
	case c.ios.Getenv(authEnv) != "":
		return value, sourceEnvAuth
	}
	return value, sourceDefault
}

// sentinelValue is settingValue for the Sentinel settings, which a
// Sentinel URI can give too; the sentinels' password is never shown.
func (c *config) sentinelValue(name string, uri redisx.URI, explicit bool, fromURI string) (string, string) {
	su := uri.Sentinel
	if su == nil {
		su = &redisx.SentinelURI{}
	}
	source := func(uriSet bool) string {
		switch {
		case explicit:
			return c.source(name)
		case uriSet:
			return fromURI
		}
		return sourceDefault
	}
	so := c.sentinel
	if so == nil {
		so = &redisx.SentinelOptions{}
	}
	switch name {
	case "sentinel":
		quoted := make([]string, len(so.Addrs))
		for i, a := range so.Addrs {
			quoted[i] = strconv.Quote(a)
		}
		return "[" + strings.Join(quoted, ", ") + "]", source(len(su.Addrs) > 0)
	case "master-name":
		return strconv.Quote(so.MasterName), source(su.MasterName != "")
	case "sentinel-user":
		return strconv.Quote(so.Sentinel.User), source(su.UserSet)
	}
	value := `""`
	if so.Sentinel.Password != "" {
		value = strconv.Quote(masked)
	}
	return value, source(su.PasswordSet)
}

// maskURI returns the URI with its passwords, if any, replaced by ****.
func maskURI(raw string, u redisx.URI) string {
	if u.Sentinel != nil {
		return maskSentinelURI(raw)
	}
	if !u.PasswordSet {
		return raw
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	at := strings.LastIndexByte(rest, '@')
	if !ok || at < 0 {
		return masked
	}
	userinfo := rest[:at]
	if user, _, hasUser := strings.Cut(userinfo, ":"); hasUser {
		userinfo = user + ":" + masked
	} else {
		userinfo = masked
	}
	return scheme + "://" + userinfo + rest[at:]
}

// flagValue formats a flag's value as a configuration file value.
func flagValue(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "bool", "int", "float64":
		return f.Value.String()
	case "duration":
		// The flag shows 0 as "0" so that --help leaves out its default;
		// the file takes a Go duration.
		if d, ok := f.Value.(*duration); ok {
			return strconv.Quote(d.d.String())
		}
	case "stringSlice", "stringArray":
		list, ok := f.Value.(pflag.SliceValue)
		if !ok {
			return f.Value.String()
		}
		items := list.GetSlice()
		quoted := make([]string, len(items))
		for i, s := range items {
			quoted[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	return strconv.Quote(f.Value.String())
}

// settingsWriter lays out --print-config: "key = value", the source
// comments aligned in one column.
type settingsWriter struct {
	lines []settingsLine
}

type settingsLine struct {
	text, comment string
}

func (w *settingsWriter) comment(s string) { w.lines = append(w.lines, settingsLine{text: "# " + s}) }
func (w *settingsWriter) blank()           { w.lines = append(w.lines, settingsLine{}) }
func (w *settingsWriter) setting(k, v, src string) {
	w.lines = append(w.lines, settingsLine{k + " = " + v, src})
}

// String returns the settings, with the source comments aligned at the
// widest setting that is not unusually long.
func (w *settingsWriter) String() string {
	const maxCol = 40
	col := 0
	for _, l := range w.lines {
		if l.comment != "" && len(l.text) <= maxCol {
			col = max(col, len(l.text))
		}
	}
	var b strings.Builder
	for _, l := range w.lines {
		b.WriteString(l.text)
		if l.comment != "" {
			b.WriteString(strings.Repeat(" ", max(col-len(l.text), 0)+2))
			b.WriteString("# " + l.comment)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// passwordParam is a password= query parameter of a Sentinel URI in
// go-redis's form.
var passwordParam = regexp.MustCompile(`([?&])password=[^&]*`)

// maskSentinelURI masks the password of a Sentinel URI's user info (the
// data nodes' in Lettuce's form, the sentinels' in go-redis's) and of its
// password= parameter.
func maskSentinelURI(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return masked
	}
	// The user info ends at the first @, as ParseURI reads it.
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		userinfo := masked
		if user, _, hasUser := strings.Cut(rest[:at], ":"); hasUser {
			userinfo = user + ":" + masked
		}
		rest = userinfo + rest[at:]
	}
	return scheme + "://" + passwordParam.ReplaceAllString(rest, "${1}password="+masked)
}
