package cmd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/retry"
)

// Options holds everything the command line says. Flags fill it; the run
// functions read it. It has no behaviour of its own so tests can build one.
type Options struct {
	// Connection.
	Host          string
	Port          int
	Socket        string
	URI           string
	DB            int
	Password      string
	User          string
	AskPass       bool
	NoAuthWarning bool
	Name          string
	RESP2         bool
	RESP3         bool
	Cluster       bool

	ConnectTimeout duration // --connect-timeout / -t
	Timeout        duration // --timeout

	// TLS.
	TLS             bool
	SNI             string
	CACert          string
	CACertDir       string
	Cert            string
	Key             string
	Insecure        bool
	TLSCiphers      string
	TLSCipherSuites string

	// Running commands.
	Repeat      int
	Interval    float64
	StdinLast   bool   // -x
	StdinTag    string // -X
	ErrExit     bool   // -e
	QuotedInput bool
	Eval        string

	// Output.
	Raw        bool
	NoRaw      bool
	CSV        bool
	JSON       bool
	QuotedJSON bool
	Delim      string // -d
	CmdDelim   string // -D
	ShowPushes string
	NoColor    bool

	// Retries (see the retry package).
	Retries              int
	RetryBackoff         string
	RetryBackoffBase     duration
	RetryBackoffCap      duration
	RetryOnError         []string
	RetryOnTimeout       bool
	RetryDeadline        duration
	RetrySent            resendValue
	ClusterErrorAttempts int
	ClusterOpts          clusterOptions
	Bulk                 bulkOptions
	Diag                 diagOptions
	Settings             settingsOptions
	Verbose              bool

	Help    bool
	Version bool
}

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

// flagGroup names the section a flag is listed under in --help.
const flagGroupAnnotation = "redish_group"

// Flag groups, in the order --help lists them.
var flagGroups = []string{
	"Connection",
	"TLS",
	"Running commands",
	"Output",
	"Retries",
	"Cluster",
	"Bulk and diagnostic modes",
	"Configuration",
	"Other",
}

func addFlags(fs *pflag.FlagSet, o *Options) {
	group := "Connection"
	mark := func(names ...string) {
		for _, n := range names {
			fs.SetAnnotation(n, flagGroupAnnotation, []string{group})
		}
	}

	fs.StringVarP(&o.Host, "host", "h", "127.0.0.1", "Server `hostname`")
	fs.IntVarP(&o.Port, "port", "p", 6379, "Server `port`")
	fs.StringVarP(&o.Socket, "socket", "s", "", "Server unix `socket` (overrides hostname and port)")
	fs.StringVarP(&o.URI, "uri", "u", "", "Server `URI`: redis://[[user]:pass@]host[:port][/db], rediss:// for TLS, unix:///path?db=N; ?db= and ?timeout= query parameters")
	fs.IntVarP(&o.DB, "db", "n", 0, "Database `number`")
	fs.StringVarP(&o.Password, "pass", "a", "", "`Password` to use when connecting (REDISCLI_AUTH is safer)")
	fs.StringVar(&o.User, "user", "", "ACL `username` (use with --pass)")
	fs.BoolVar(&o.AskPass, "askpass", false, "Read the password from stdin without echo")
	fs.BoolVar(&o.NoAuthWarning, "no-auth-warning", false, "Don't warn about passwords on the command line")
	fs.StringVar(&o.Name, "name", "", "Client `name` set with CLIENT SETNAME (restored after reconnects)")
	fs.BoolVarP(&o.RESP2, "resp2", "2", false, "Use RESP2")
	fs.BoolVarP(&o.RESP3, "resp3", "3", false, "Use RESP3 (HELLO 3)")
	fs.VarP(&o.ConnectTimeout, "connect-timeout", "t", "Connect timeout (`duration` or seconds, e.g. 500ms, 1.5)")
	fs.Var(&o.Timeout, "timeout", "Read/write timeout per command (`duration` or seconds; default none)")
	mark("host", "port", "socket", "uri", "db", "pass", "user", "askpass", "no-auth-warning", "name", "resp2", "resp3", "connect-timeout", "timeout")

	group = "TLS"
	fs.BoolVar(&o.TLS, "tls", false, "Connect with TLS")
	fs.StringVar(&o.SNI, "sni", "", "Server `name` for TLS SNI (default: the host, when it is a name)")
	fs.StringVar(&o.CACert, "cacert", "", "CA certificate `file` to verify the server with")
	fs.StringVar(&o.CACertDir, "cacertdir", "", "`Directory` of trusted CA certificates")
	fs.StringVar(&o.Cert, "cert", "", "Client certificate `file`")
	fs.StringVar(&o.Key, "key", "", "Client private key `file`")
	fs.BoolVar(&o.Insecure, "insecure", false, "Skip verification of the server's certificate and host name")
	fs.StringVar(&o.TLSCiphers, "tls-ciphers", "", "TLS 1.2 cipher `list` (OpenSSL names, colon-separated)")
	fs.StringVar(&o.TLSCipherSuites, "tls-ciphersuites", "", "TLS 1.3 cipher suite `list` (accepted for compatibility; Go picks TLS 1.3 suites itself)")
	mark("tls", "sni", "cacert", "cacertdir", "cert", "key", "insecure", "tls-ciphers", "tls-ciphersuites")

	group = "Running commands"
	fs.IntVarP(&o.Repeat, "repeat", "r", 1, "Run the command `N` times (-1: forever)")
	fs.Float64VarP(&o.Interval, "interval", "i", 0, "Wait `seconds` between repeated commands (decimals allowed)")
	fs.BoolVarP(&o.StdinLast, "stdin", "x", false, "Read the last argument from stdin")
	fs.StringVarP(&o.StdinTag, "stdin-tag", "X", "", "Replace the argument equal to `tag` with stdin")
	fs.BoolVarP(&o.ErrExit, "errexit", "e", false, "Exit 1 on the first error reply (also for commands read from stdin)")
	fs.BoolVar(&o.QuotedInput, "quoted-input", false, "Parse the command's arguments as quoted strings (\"\\x00\")")
	fs.StringVar(&o.Eval, "eval", "", "Run the Lua script in `file` (keys and args after the command: k1 k2 , a1 a2)")
	mark("repeat", "interval", "stdin", "stdin-tag", "errexit", "quoted-input", "eval")

	group = "Output"
	fs.BoolVar(&o.Raw, "raw", false, "Raw output (default when stdout is not a terminal)")
	fs.BoolVar(&o.NoRaw, "no-raw", false, "Human-readable output even when stdout is not a terminal")
	fs.BoolVar(&o.CSV, "csv", false, "CSV output")
	fs.BoolVar(&o.JSON, "json", false, "JSON output (asks for RESP3 unless -2)")
	fs.BoolVar(&o.QuotedJSON, "quoted-json", false, "JSON output with every non-ASCII byte escaped")
	fs.StringVarP(&o.Delim, "delimiter", "d", "\n", "Raw output: `delimiter` between elements of a reply")
	fs.StringVarP(&o.CmdDelim, "command-delimiter", "D", "\n", "Raw output: `delimiter` after each reply")
	fs.StringVar(&o.ShowPushes, "show-pushes", "", "Print RESP3 push messages (invalidations, pub/sub messages) that arrive between replies: `yes|no` (default: yes when stdout is a terminal)")
	fs.BoolVar(&o.NoColor, "no-color", false, "No colour, even on a terminal (also NO_COLOR)")
	mark("raw", "no-raw", "csv", "json", "quoted-json", "delimiter", "command-delimiter", "show-pushes", "no-color")

	group = "Retries"
	fs.IntVar(&o.Retries, "retries", 0, "Retries after the first attempt (`N`; -1: until success, Ctrl-C or --retry-deadline)")
	fs.StringVar(&o.RetryBackoff, "retry-backoff", "none", "Backoff between retries: none, constant, exponential, full-jitter, equal-jitter, decorrelated-jitter, exponential-jitter")
	fs.Var(&o.RetryBackoffBase, "retry-backoff-base", "Backoff base `duration` (default 8ms)")
	fs.Var(&o.RetryBackoffCap, "retry-backoff-cap", "Backoff cap `duration` (default 512ms)")
	fs.StringSliceVar(&o.RetryOnError, "retry-on-error", nil, "Error `classes` to retry, comma-separated: ConnectionError, TimeoutError, BusyLoadingError, ReadOnlyError, TryAgainError, ClusterDownError, ... or a raw error code (LOADING, BUSY); AuthenticationError is never retried")
	fs.BoolVar(&o.RetryOnTimeout, "retry-on-timeout", false, "Retry on TimeoutError")
	fs.Var(&o.RetryDeadline, "retry-deadline", "Give up retrying once `duration` has passed since the first attempt")
	fs.Var(&o.RetrySent, "retry-sent", "What a retry may send again once a command's bytes were sent and it may have run, by `mode`: safe (reads and the idempotent writes listed in the README), all (everything, as redis-py; each re-sent command that is not safe is reported on stderr) or none. A command not sent again is reported as \"may have run\" (exit 1)")
	fs.BoolVar(&o.Verbose, "verbose", false, "Print every retry, redirect and topology refresh on stderr")
	mark("retries", "retry-backoff", "retry-backoff-base", "retry-backoff-cap", "retry-on-error", "retry-on-timeout", "retry-deadline", "retry-sent", "verbose")

	group = "Cluster"
	fs.BoolVarP(&o.Cluster, "cluster", "c", false, "Cluster mode: route commands by slot, follow redirects")
	fs.IntVar(&o.ClusterErrorAttempts, "cluster-error-attempts", 3, "Cluster-level attempts after connection, timeout or cluster-down errors")
	mark("cluster", "cluster-error-attempts")
	group = "Bulk and diagnostic modes"
	addBulkFlags(fs, &o.Bulk)
	addDiagFlags(fs, &o.Diag)
	addClusterFlags(fs, &o.ClusterOpts)
	addSettingsFlags(fs, &o.Settings)

	group = "Other"
	fs.BoolVar(&o.Help, "help", false, "Show this help")
	fs.BoolVarP(&o.Version, "version", "v", false, "Print the version")
	mark("help", "version")
}

// flagGiven reports whether the user set a flag on the command line.
func flagGiven(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}

// unrecognized builds redis-cli's message for a bad option.
func unrecognized(opt string) error {
	return &env.ExitError{Code: 1, Msg: "Unrecognized option or bad number of args for: '" + opt + "'"}
}

// optionFromFlagError extracts the option redis-cli would name from one of
// pflag's error messages.
func optionFromFlagError(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		// unknown shorthand flag: 'z' in -z
		if i := strings.LastIndex(msg, " in "); i >= 0 {
			return msg[i+4:]
		}
	case strings.HasPrefix(msg, "unknown flag: "):
		return strings.TrimPrefix(msg, "unknown flag: ")
	case strings.HasPrefix(msg, "flag needs an argument: "):
		rest := strings.TrimPrefix(msg, "flag needs an argument: ")
		// "'p' in -p" or "--port"
		if i := strings.LastIndex(rest, " in "); i >= 0 {
			return rest[i+4:]
		}
		return rest
	case strings.HasPrefix(msg, "invalid argument "):
		// invalid argument "x" for "-p, --port" flag: ...
		if i := strings.Index(msg, " for \""); i >= 0 {
			rest := msg[i+6:]
			if j := strings.Index(rest, "\""); j >= 0 {
				names := rest[:j]
				if k := strings.LastIndex(names, ", "); k >= 0 {
					names = names[k+2:]
				}
				return names
			}
		}
	}
	return msg
}

// invalidValue rewrites pflag's "invalid argument "x" for "-p, --port"
// flag: strconv.ParseInt: ..." as "-p, --port: "x" is not a number".
func invalidValue(err error) string {
	msg := err.Error()
	rest := strings.TrimPrefix(msg, "invalid argument ")
	value, rest, ok := strings.Cut(rest, " for ")
	if !ok {
		return msg
	}
	name, reason, ok := strings.Cut(rest, " flag: ")
	if !ok {
		return msg
	}
	name = strings.Trim(name, `"`)
	switch {
	case strings.Contains(reason, "strconv."):
		reason = value + " is not a number"
	case strings.HasPrefix(reason, "must "):
		reason = value + " " + reason
	}
	return name + ": " + reason
}

// emptyMeans lists the options whose empty value means something, and
// what: redis-cli's meaning, kept. Every other option given an empty
// value is an error (checkEmptyValues): an unset shell variable must not
// turn into a default.
var emptyMeans = map[string]string{
	"pass":              "AUTH with the empty password (a user with nopass accepts it)",
	"delimiter":         "nothing between elements",
	"command-delimiter": "nothing after a reply",
	"stdin-tag":         "replace the empty argument with stdin",
	"eval":              "a script file named '' (which cannot be opened)",
	"uri":               "an invalid URI",
}

// emptyRefusedBelow lists the options whose own check refuses the empty
// value with a message that lists the valid ones.
var emptyRefusedBelow = map[string]bool{
	"show-pushes": true,
}

// checkEmptyValues refuses an option given an empty value where the empty
// value means nothing (see emptyMeans), naming the option and, when it did
// not come from the command line, where it came from (where returns "" for
// the command line; nil means everything came from it).
func checkEmptyValues(fs *pflag.FlagSet, where func(name string) string) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		if _, ok := emptyMeans[f.Name]; ok || emptyRefusedBelow[f.Name] {
			return
		}
		empty := false
		switch f.Value.Type() {
		case "string":
			empty = f.Value.String() == ""
		case "stringSlice", "stringArray":
			vals, _ := fs.GetStringSlice(f.Name)
			if f.Value.Type() == "stringArray" {
				vals, _ = fs.GetStringArray(f.Name)
			}
			empty = len(vals) == 0 || slices.Contains(vals, "")
		}
		if !empty {
			return
		}
		name := "--" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + ", " + name
		}
		from := ""
		if where != nil {
			if w := where(f.Name); w != "" {
				from = " (in " + w + ")"
			}
		}
		err = &env.ExitError{Code: 1, Msg: fmt.Sprintf("Option %s was given an empty value%s: give a value, or leave the option out.", name, from)}
	})
	return err
}
