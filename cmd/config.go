package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/tlsconf"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
	"github.com/redish/redish/retry"
)

// config is a run resolved from Options: where to connect, how to print,
// how to retry and which mode to run.
type config struct {
	ios    *IOStreams
	o      *Options
	fs     *pflag.FlagSet
	args   []string
	conn   redisx.Options
	format format.Options
	// showPushes prints the RESP3 push messages that arrive between
	// replies (--show-pushes).
	showPushes bool
	// retry is the node-level policy every command runs under.
	retry *retry.Retry
	// builtins are the shell's added ":" commands (redish lab's :lab).
	builtins map[string]repl.Builtin
	// interrupts routes Ctrl-C; nil in tests.
	interrupts *env.Interrupts
	// settings is what the configuration file said, for --print-config.
	settings *settingsState
	// sentinelURI is the Sentinel part of -u, when it names sentinels.
	sentinelURI *redisx.SentinelURI
	// sentinel says how to find the primary through Sentinel (--sentinel
	// or a Sentinel URI); nil otherwise. Its TLS is the data nodes'.
	sentinel *redisx.SentinelOptions
	// listening is true once the run handles signals from its start
	// (see runMode): retries need not start it then.
	listening bool
}

const authWarning = "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."

// buildConfig resolves the options the command line and the
// configuration file gave, as fs holds them, into a run. The fast path of
// the common command lines (fastRun) parses no flags with pflag: fs is
// nil, and o.given already says which options were given.
func buildConfig(ios *IOStreams, o *Options, fs *pflag.FlagSet, args []string) (*config, error) {
	c := &config{ios: ios, o: o, fs: fs, args: args}
	if fs != nil {
		o.given = map[string]bool{}
		fs.Visit(func(f *pflag.Flag) { o.given[f.Name] = true })
	}

	// Mutually exclusive options, with redis-cli's messages.
	switch {
	case o.StdinLast && o.isGiven("stdin-tag"):
		return nil, &env.ExitError{Code: 1, Msg: "Options -x and -X are mutually exclusive."}
	case o.RESP2 && o.RESP3:
		return nil, &env.ExitError{Code: 1, Msg: "Options -2 and -3 are mutually exclusive."}
	case o.Cluster && o.Socket != "":
		return nil, &env.ExitError{Code: 1, Msg: "Options -c and -s are mutually exclusive."}
	}
	if n := countTrue(o.Raw, o.NoRaw, o.CSV, o.JSON, o.QuotedJSON); n > 1 {
		return nil, &env.ExitError{Code: 1, Msg: "Options --raw, --no-raw, --csv, --json and --quoted-json are mutually exclusive."}
	}

	if err := c.resolveConn(); err != nil {
		return nil, err
	}
	if err := checkDecode(c.o.Decode); err != nil {
		return nil, &env.ExitError{Code: 1, Msg: "Invalid --decode value: " + err.Error() + "."}
	}
	c.resolveFormat()
	if err := c.resolvePushes(); err != nil {
		return nil, err
	}
	if err := c.resolveRetry(); err != nil {
		return nil, err
	}
	return c, nil
}

// resolveConn fills c.conn from the flags, the URI and the environment.
// Precedence, as in redis-cli: flags given explicitly over the URI over
// REDISCLI_AUTH over defaults.
func (c *config) resolveConn() error {
	o := c.o
	co := redisx.Options{
		Host: o.Host,
		Port: o.Port,
	}
	warn := false
	// Every password the run was given is masked in its output, the ones
	// a higher-ranking option replaced included.
	secrets := c.ios.Secrets
	secrets.Add(o.Password)
	if env := c.ios.Getenv("REDISCLI_AUTH"); env != "" {
		co.Password, co.PasswordSet = env, true
		secrets.Add(env)
	}
	useTLS := o.TLS
	if o.isGiven("uri") {
		u, err := redisx.ParseURI(o.URI)
		if err != nil {
			// redisx's errors start "invalid URI: "; say it once.
			return &env.ExitError{Code: 1, Msg: "Invalid URI: " + strings.TrimPrefix(err.Error(), redisx.ErrBadURI.Error()+": ")}
		}
		secrets.Add(u.Password)
		if u.Sentinel != nil {
			secrets.Add(u.Sentinel.Password)
			c.sentinelURI = u.Sentinel
		}
		co.ApplyURI(u)
		if u.TLS {
			useTLS = true
		}
		if u.PasswordSet || u.Sentinel != nil && u.Sentinel.PasswordSet {
			// The sentinels' password in go-redis's form is on the
			// command line as much as the data nodes'.
			warn = true
		}
	}
	// Explicit flags win over the URI.
	if o.isGiven("host") {
		co.Host = o.Host
	}
	if o.isGiven("port") {
		co.Port = o.Port
	}
	if o.Socket != "" {
		co.Socket = o.Socket
	}
	if o.isGiven("db") {
		co.DB = o.DB
	}
	if o.isGiven("user") {
		co.User = o.User
	}
	if o.isGiven("pass") {
		co.Password, co.PasswordSet = o.Password, true
		warn = true
	}
	if o.AskPass {
		pw, err := c.ios.ReadPassword("Please input password: ")
		switch {
		case errors.Is(err, env.ErrNoPassword):
			// No password, as in redis-cli (nor the one of -a).
			co.Password, co.PasswordSet = "", false
		case err != nil:
			return fmt.Errorf("--askpass: %w", err)
		default:
			secrets.Add(pw)
			co.Password, co.PasswordSet = pw, true
		}
		warn = false
	}
	if warn && !o.NoAuthWarning {
		fmt.Fprintln(c.ios.ErrOut, authWarning)
	}
	if co.Port < 1 || co.Port > 65535 {
		// Port 0 would dial the default port: perhaps another server.
		return &env.ExitError{Code: 1, Msg: fmt.Sprintf("Invalid port %d (-p, --port): must be between 1 and 65535.", co.Port)}
	}
	if co.User != "" && !co.PasswordSet {
		// redis-cli ignores a user without a password: the run would be
		// the default user's, which is not what was asked for.
		return &env.ExitError{Code: 1, Msg: "Option --user needs a password: give -a, --pass, --askpass, REDISCLI_AUTH or a URI with one."}
	}
	if co.DB < 0 {
		return &env.ExitError{Code: 1, Msg: fmt.Sprintf("Invalid database number %d.", co.DB)}
	}
	co.Name = o.Name
	switch {
	case o.RESP3:
		co.Protocol, co.ForceProtocol = 3, true
	case o.RESP2:
		co.Protocol, co.ForceProtocol = 2, true
	case o.JSON || o.QuotedJSON:
		co.Protocol = 3
	}
	if o.isGiven("connect-timeout") {
		co.ConnectTimeout = o.ConnectTimeout.d
	}
	if o.isGiven("timeout") {
		co.Timeout = o.Timeout.d
	}
	if err := c.resolveSentinel(&co); err != nil {
		return err
	}
	if useTLS {
		host := co.Host
		if c.sentinel != nil {
			// Every sentinel and data node is checked against its own
			// name (see redisx.Dial).
			host = ""
		}
		cfg, err := tlsconf.Config(host, tlsconf.Options{
			SNI: o.SNI, CACert: o.CACert, CACertDir: o.CACertDir, Cert: o.Cert, Key: o.Key,
			Insecure: o.Insecure, Ciphers: o.TLSCiphers, CipherSuites: o.TLSCipherSuites,
		})
		if err != nil {
			return err
		}
		co.TLS = cfg
		if c.sentinel != nil {
			c.sentinel.Sentinel.TLS = cfg
		}
	}
	c.conn = co
	return nil
}

// resolveFormat picks the output mode as redis-cli does: TTY format on a
// terminal (or with FAKETTY), raw otherwise, unless a flag says.
func (c *config) resolveFormat() {
	o := c.o
	f := format.Options{Delim: o.Delim, CmdDelim: o.CmdDelim, Terminal: c.ios.OutTTY, UTF8: o.Decode == decodeUTF8}
	switch {
	case o.Raw:
		f.Mode = format.Raw
	case o.NoRaw:
		f.Mode = format.TTY
	case o.CSV:
		f.Mode = format.CSV
	case o.JSON:
		f.Mode = format.JSON
	case o.QuotedJSON:
		f.Mode = format.QuotedJSON
	case c.ios.OutTTY || c.ios.Getenv("FAKETTY") != "":
		f.Mode = format.TTY
	default:
		f.Mode = format.Raw
	}
	c.format = f
}

// resolvePushes decides whether push messages are printed, as redis-cli
// 7.0 does: yes when stdout is a terminal (or FAKETTY is set), unless
// --show-pushes says otherwise.
func (c *config) resolvePushes() error {
	if !c.o.isGiven("show-pushes") {
		c.showPushes = c.ios.OutTTY || c.ios.Getenv("FAKETTY") != ""
		return nil
	}
	show, ok := parseYesNo(c.o.ShowPushes)
	if !ok {
		return &env.ExitError{Code: 1, Msg: fmt.Sprintf("Unknown --show-pushes value '%s' (valid: '[y]es', '[n]o')", c.o.ShowPushes)}
	}
	c.showPushes = show
	return nil
}

// resolveRetry builds the retry policy from the retry flags (the four
// rules of the retry package's Flags.Policy) and prints its warnings once.
func (c *config) resolveRetry() error {
	o := c.o
	f := retry.Flags{
		Retries:    o.Retries,
		RetriesSet: o.isGiven("retries"),
		Backoff:    o.RetryBackoff,
		BackoffSet: o.isGiven("retry-backoff"),
		Base:       o.RetryBackoffBase.d,
		BaseSet:    o.isGiven("retry-backoff-base"),
		Cap:        o.RetryBackoffCap.d,
		CapSet:     o.isGiven("retry-backoff-cap"),
		OnError:    o.RetryOnError,
		OnTimeout:  o.RetryOnTimeout,
		Deadline:   o.RetryDeadline.d,
		Sent:       o.RetrySent.String(),
	}
	p, warnings, err := f.Policy()
	if err != nil {
		return &env.ExitError{Code: 1, Msg: err.Error()}
	}
	for _, w := range warnings {
		fmt.Fprintln(c.ios.ErrOut, w)
	}
	c.retry = &retry.Retry{Policy: p}
	return nil
}

// onResend returns the hook that reports, even without --verbose, every
// command sent again although it may have run and is not safe to run
// twice (--retry-sent all).
func (c *config) onResend() func(retry.Event) {
	return func(ev retry.Event) {
		c.interrupts.Listen()
		fmt.Fprintln(c.ios.ErrOut, env.PrintableLine(retry.FormatResend(ev)))
	}
}

// observe returns the observer of retry events: one line each on stderr
// with --verbose, nothing without.
//
// Either way a retry makes the run handle signals (see signalDelay): it
// is about to wait, or to try again a server that may never answer.
// Without --verbose, a run that handles them already gets no observer:
// the shell and the lab's :verbose take a set observer for --verbose.
func (c *config) observe() func(retry.Event) {
	if !c.o.Verbose {
		if c.interrupts == nil || c.listening {
			return nil
		}
		return func(retry.Event) { c.interrupts.Listen() }
	}
	return func(ev retry.Event) {
		c.interrupts.Listen()
		fmt.Fprintln(c.ios.ErrOut, env.PrintableLine(retry.FormatEvent(ev)))
	}
}
