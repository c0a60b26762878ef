package cmd

import (
	"github.com/redish/redish/backoff"
	"github.com/redish/redish/internal/clustermgr"
	"github.com/redish/redish/retry"
)

// Options holds everything the command line says. The option table
// (optionTable) fills it; the run reads it. It has no behaviour of its own
// so tests can build one.
type Options struct {
	// Connection.
	Host           string
	Port           int
	Socket         string
	URI            string
	DB             int
	Password       string
	User           string
	AskPass        bool
	NoAuthWarning  bool
	Name           string
	RESP2          bool
	RESP3          bool
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
	NoConfirm   bool // --no-confirm: the shell's guard rails off

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
	Decode     string // --decode utf-8|none

	// Retries (see the retry package).
	Retries          int
	RetryBackoff     string
	RetryBackoffBase duration
	RetryBackoffCap  duration
	RetryOnError     []string
	RetryOnTimeout   bool
	RetryDeadline    duration
	RetrySent        resendValue
	Verbose          bool

	// Cluster.
	Cluster              bool
	ClusterErrorAttempts int
	ClusterOpts          clusterOptions

	// Sentinel.
	SentinelOpts sentinelOptions

	// Bulk and diagnostic modes.
	Bulk bulkOptions
	Diag diagOptions

	// The cluster manager: --cluster SUBCOMMAND ARGS (not an option of
	// the table, see splitManager) and its --cluster-* options.
	Manager    managerArgs
	ClusterMgr clusterMgrOptions

	// Configuration.
	Settings settingsOptions

	Help    bool
	Version bool

	// given holds the options the command line or the configuration file
	// gave (see given).
	given map[string]bool
	// rows is the option table bound to these Options, once a run has
	// built it (optionTable): checks that need it do not build another.
	rows []option
}

// given reports whether the command line or the configuration file gave
// the option called name, even with its default value.
func (o *Options) isGiven(name string) bool { return o.given[name] }

// clusterOptions are the options of cluster mode beyond -c and
// --cluster-error-attempts.
type clusterOptions struct {
	Seeds            []string // --cluster-seed, repeatable
	Primaries        bool     // --primaries
	Replicas         bool     // --replicas
	AllNodes         bool     // --all-nodes
	Node             string   // --node HOST:PORT
	ReadFromReplicas bool     // --read-from-replicas
	Topology         bool     // --topology
}

// sentinelOptions say how to find the primary through Redis Sentinel.
type sentinelOptions struct {
	Addrs      []string // --sentinel, repeatable, each comma-separated
	MasterName string   // --master-name
	User       string   // --sentinel-user
	Password   string   // --sentinel-pass
}

// bulkOptions are the options of --pipe, --scan and the commands read
// from stdin.
type bulkOptions struct {
	Pipe          bool   // --pipe
	PipeTimeout   int    // --pipe-timeout, seconds; 0 waits forever
	Scan          bool   // --scan
	Pattern       string // --pattern
	QuotedPattern string // --quoted-pattern
	Count         int    // --count; 0 means bulk.DefaultScanCount
	Window        int    // --window; 1 runs stdin scripts line by line
}

// diagOptions are the options of the diagnostic modes: redis-cli's
// --bigkeys, --memkeys, --hotkeys, --latency, --latency-history,
// --latency-dist, --intrinsic-latency, --lru-test, --stat, --rdb,
// --functions-rdb and --replica, and of the Lua debugger (--ldb). The
// intervals come from -i.
type diagOptions struct {
	BigKeys        bool
	MemKeys        bool
	MemKeysSamples int // --memkeys-samples N; it implies --memkeys
	Latency        bool
	LatencyHistory bool
	Stat           bool
	RDB            string // --rdb FILE, "-" for stdout
	FunctionsRDB   string // --functions-rdb FILE
	Replica        bool
	LatencyDist    bool
	Mono           bool // --mono: --latency-dist in greys
	HotKeys        bool // --hotkeys
	LRUTest        int  // --lru-test KEYS
	// IntrinsicLatency is --intrinsic-latency SECONDS.
	IntrinsicLatency int
	LDB              bool // --ldb
	LDBSync          bool // --ldb-sync-mode
}

// clusterMgrOptions are the --cluster-* options of the cluster manager
// (redis-cli's names and defaults; see clustermgr.Options).
type clusterMgrOptions struct {
	Replicas                  int
	Yes                       bool
	From                      string
	To                        string
	Slots                     int
	Timeout                   int
	Pipeline                  int
	Weights                   []string
	UseEmptyMasters           bool
	Threshold                 float64
	Simulate                  bool
	Replace                   bool
	Copy                      bool
	Replica                   bool // --cluster-slave, --cluster-replica
	MasterID                  string
	FromUser                  string
	FromPass                  string
	FromAskPass               bool
	SearchMultipleOwners      bool
	FixWithUnreachableMasters bool
	OnlyMasters               bool
	OnlyReplicas              bool
}

// settingsOptions are the options about redish's own configuration.
type settingsOptions struct {
	Config      string // --config FILE
	NoConfig    bool   // --no-config
	Profile     string // --profile NAME
	PrintConfig bool   // --print-config
}

// Flag groups, in the order --help lists them.
var flagGroups = []string{
	"Connection",
	"TLS",
	"Running commands",
	"Output",
	"Retries",
	"Cluster",
	"Sentinel",
	"Cluster manager",
	"Bulk and diagnostic modes",
	"Configuration",
	"Other",
}

// Defaults that more than one place needs.
const (
	// defaultWindow is how many commands read from stdin are sent before
	// their replies are read. A thousand commands fill a few network
	// packets and make a round trip per command negligible.
	defaultWindow = 1000
	// defaultPipeTimeout is redis-cli's --pipe-timeout.
	defaultPipeTimeout = 30
)

// optionTable returns every option of the command line, each declared
// once, bound to o: its names, group, type and default, help, whether the
// configuration file may set it, how its value completes, how a value
// from the file is checked, what an empty value means, and whether redish
// lab takes it. The table registers the flags (in this order, which
// --help and completion keep), reads the configuration file, drives
// completion and --print-config. It is built when a run needs it, not at
// start-up.
func optionTable(o *Options) []option {
	o.rows = optionRows(o)
	return o.rows
}

// optionRows builds the option table of o (see optionTable).
func optionRows(o *Options) []option {
	return concat(
		group("Connection",
			option{name: "host", short: "h", value: text(&o.Host, "127.0.0.1"), usage: "Server `hostname` (-h alone prints this help, as in redis-cli)",
				file: true, complete: noValues},
			option{name: "port", short: "p", value: integer(&o.Port, 6379), usage: "Server `port`",
				file: true, complete: noValues},
			option{name: "socket", short: "s", value: text(&o.Socket, ""), usage: "Server unix `socket` (overrides hostname and port)",
				file: true},
			option{name: "uri", short: "u", value: text(&o.URI, ""), usage: "Server `URI`: redis://[[user]:pass@]host[:port][/db], rediss:// for TLS, unix:///path?db=N; ?db= and ?timeout= query parameters. Sentinels: redis-sentinel://[[user]:pass@]S1[:port],S2[:port][/db]#NAME, or redis://[[suser]:spass@]S1[:port]?master_name=NAME&addr=S2:port",
				file: true, empty: "an invalid URI"},
			option{name: "db", short: "n", value: integer(&o.DB, 0), usage: "Database `number`",
				file: true, lab: true, complete: noValues},
			option{name: "pass", short: "a", value: text(&o.Password, ""), usage: "`Password` to use when connecting (REDISCLI_AUTH is safer)",
				file: true, complete: noValues, empty: "AUTH with the empty password (a user with nopass accepts it)"},
			option{name: "user", value: text(&o.User, ""), usage: "ACL `username` (use with --pass)",
				file: true, complete: noValues},
			option{name: "askpass", value: boolean(&o.AskPass), usage: "Read the password from stdin without echo"},
			option{name: "no-auth-warning", value: boolean(&o.NoAuthWarning), usage: "Don't warn about passwords on the command line",
				file: true},
			option{name: "name", value: text(&o.Name, ""), usage: "Client `name` set with CLIENT SETNAME (restored after reconnects)",
				file: true, lab: true, complete: noValues},
			option{name: "resp2", short: "2", value: boolean(&o.RESP2), usage: "Use RESP2",
				file: true, lab: true},
			option{name: "resp3", short: "3", value: boolean(&o.RESP3), usage: "Use RESP3 (HELLO 3)",
				file: true, lab: true},
			option{name: "connect-timeout", short: "t", value: custom(&o.ConnectTimeout), usage: "Connect timeout (`duration` or seconds, e.g. 500ms, 1.5)",
				file: true, lab: true, complete: noValues},
			option{name: "timeout", value: custom(&o.Timeout), usage: "Read/write timeout per command (`duration` or seconds; default none)",
				file: true, lab: true, complete: noValues},
		),
		group("TLS",
			option{name: "tls", value: boolean(&o.TLS), usage: "Connect with TLS", file: true},
			option{name: "sni", value: text(&o.SNI, ""), usage: "Server `name` for TLS SNI (default: the host, when it is a name)",
				file: true, complete: noValues},
			option{name: "cacert", value: text(&o.CACert, ""), usage: "CA certificate `file` to verify the server with", file: true},
			option{name: "cacertdir", value: text(&o.CACertDir, ""), usage: "`Directory` of trusted CA certificates", file: true},
			option{name: "cert", value: text(&o.Cert, ""), usage: "Client certificate `file`", file: true},
			option{name: "key", value: text(&o.Key, ""), usage: "Client private key `file`", file: true},
			option{name: "insecure", value: boolean(&o.Insecure), usage: "Skip verification of the server's certificate and host name", file: true},
			option{name: "tls-ciphers", value: text(&o.TLSCiphers, ""), usage: "TLS 1.2 cipher `list` (OpenSSL names, colon-separated)",
				file: true, complete: noValues},
			option{name: "tls-ciphersuites", value: text(&o.TLSCipherSuites, ""), usage: "TLS 1.3 cipher suite `list` (accepted for compatibility; Go picks TLS 1.3 suites itself)",
				file: true, complete: noValues},
		),
		group("Running commands",
			option{name: "repeat", short: "r", value: integer(&o.Repeat, 1), usage: "Run the command `N` times (-1: forever)", complete: noValues},
			option{name: "interval", short: "i", value: decimal(&o.Interval), usage: "Wait `seconds` between repeated commands (decimals allowed)", complete: noValues},
			option{name: "stdin", short: "x", value: boolean(&o.StdinLast), usage: "Read the last argument from stdin"},
			option{name: "stdin-tag", short: "X", value: text(&o.StdinTag, ""), usage: "Replace the argument equal to `tag` with stdin",
				complete: noValues, empty: "replace the empty argument with stdin"},
			option{name: "errexit", short: "e", value: boolean(&o.ErrExit), usage: "Exit 1 on the first error reply (also for commands read from stdin)",
				lab: true},
			option{name: "quoted-input", value: boolean(&o.QuotedInput), usage: "Parse the command's arguments as quoted strings (\"\\x00\")"},
			option{name: "eval", value: text(&o.Eval, ""), usage: "Run the Lua script in `file` (keys and args after the command: k1 k2 , a1 a2)",
				empty: "a script file named '' (which cannot be opened)"},
			option{name: "ldb", value: boolean(&o.Diag.LDB), usage: "With --eval, debug the script with the Lua debugger (changes to the data are rolled back)"},
			option{name: "ldb-sync-mode", value: boolean(&o.Diag.LDBSync), usage: "Like --ldb, with the synchronous debugger: changes stay, and the server serves nobody else meanwhile"},
			option{name: "no-confirm", value: boolean(&o.NoConfirm), usage: "Shell: run FLUSHALL, FLUSHDB, SHUTDOWN, crashing DEBUG subcommands, CLUSTER RESET and KEYS on a big database without asking (also :set confirm off)",
				file: true, lab: true},
		),
		group("Output",
			option{name: "raw", value: boolean(&o.Raw), usage: "Raw output (default when stdout is not a terminal)", file: true, lab: true},
			option{name: "no-raw", value: boolean(&o.NoRaw), usage: "Human-readable output even when stdout is not a terminal", file: true, lab: true},
			option{name: "csv", value: boolean(&o.CSV), usage: "CSV output", file: true, lab: true},
			option{name: "json", value: boolean(&o.JSON), usage: "JSON output (asks for RESP3 unless -2)", file: true, lab: true},
			option{name: "quoted-json", value: boolean(&o.QuotedJSON), usage: "JSON output with every non-ASCII byte escaped", file: true, lab: true},
			option{name: "delimiter", short: "d", value: text(&o.Delim, "\n"), usage: "Raw output: `delimiter` between elements of a reply",
				lab: true, complete: noValues, empty: "nothing between elements"},
			option{name: "command-delimiter", short: "D", value: text(&o.CmdDelim, "\n"), usage: "Raw output: `delimiter` after each reply",
				lab: true, complete: noValues, empty: "nothing after a reply"},
			option{name: "show-pushes", value: text(&o.ShowPushes, ""), usage: "Print RESP3 push messages (invalidations, pub/sub messages) that arrive between replies: `yes|no` (default: yes when stdout is a terminal)",
				file: true, complete: values("yes", "no"), check: checkYesNo, emptyChecked: true},
			option{name: "no-color", value: boolean(&o.NoColor), usage: "No colour, even on a terminal (also NO_COLOR)", file: true, lab: true},
			option{name: "decode", value: text(&o.Decode, decodeNone), usage: "Human output: how strings are shown, by `mode`: utf-8 (valid UTF-8 as text, other bytes escaped) or none (\\x escapes, as redis-cli)",
				file: true, lab: true, complete: values(decodeUTF8, decodeNone), check: checkDecode},
		),
		group("Retries",
			option{name: "retries", value: integer(&o.Retries, 0), usage: "Retries after the first attempt (`N`; -1: until success, Ctrl-C or --retry-deadline)",
				file: true, lab: true, complete: noValues},
			option{name: "retry-backoff", value: text(&o.RetryBackoff, backoff.NameNone), usage: "Backoff between retries: none, constant, exponential, full-jitter, equal-jitter, decorrelated-jitter, exponential-jitter",
				file: true, lab: true, complete: valuesOf(backoff.Names), check: checkBackoff},
			option{name: "retry-backoff-base", value: custom(&o.RetryBackoffBase), usage: "Backoff base `duration` (default 8ms)",
				file: true, lab: true, complete: noValues},
			option{name: "retry-backoff-cap", value: custom(&o.RetryBackoffCap), usage: "Backoff cap `duration` (default 512ms)",
				file: true, lab: true, complete: noValues},
			option{name: "retry-on-error", value: list(&o.RetryOnError), usage: "Error `classes` to retry, comma-separated: ConnectionError, TimeoutError, BusyLoadingError, ReadOnlyError, TryAgainError, ClusterDownError, ... or a raw error code (LOADING, BUSY); AuthenticationError is never retried",
				file: true, lab: true, complete: completeErrorClasses, check: checkClassList},
			option{name: "retry-on-timeout", value: boolean(&o.RetryOnTimeout), usage: "Retry on TimeoutError", file: true, lab: true},
			option{name: "retry-deadline", value: custom(&o.RetryDeadline), usage: "Give up retrying once `duration` has passed since the first attempt",
				file: true, lab: true, complete: noValues},
			option{name: "retry-sent", value: custom(&o.RetrySent), usage: "What a retry may send again once a command's bytes were sent and it may have run, by `mode`: safe (reads and the idempotent writes listed in the README), all (everything, as redis-py; each re-sent command that is not safe is reported on stderr) or none. A command not sent again is reported as \"may have run\" (exit 1)",
				file: true, lab: true, complete: valuesOf(retry.ResendNames), check: checkResend},
			option{name: "verbose", value: boolean(&o.Verbose), usage: "Print every retry, redirect and topology refresh on stderr", file: true, lab: true},
		),
		group("Cluster",
			option{name: "cluster", short: "c", value: boolean(&o.Cluster), usage: "Cluster mode: route commands by slot, follow redirects (cluster in the configuration file; on the command line --cluster SUBCOMMAND is the cluster manager)",
				file: true, lab: true, labUsage: "Start a cluster and open a cluster shell", shortOnly: true},
			option{name: "cluster-error-attempts", value: integer(&o.ClusterErrorAttempts, 3), usage: "Cluster-level attempts after connection, timeout or cluster-down errors",
				file: true, lab: true, complete: noValues},
		),
		group("Bulk and diagnostic modes",
			option{name: "pipe", value: boolean(&o.Bulk.Pipe), usage: "Send stdin (RESP or inline commands) as is, as fast as possible; print a summary and the error replies"},
			option{name: "pipe-timeout", value: integer(&o.Bulk.PipeTimeout, defaultPipeTimeout), usage: "--pipe: give up when no reply comes for `seconds` after the input ends (0: wait forever)"},
			option{name: "scan", value: boolean(&o.Bulk.Scan), usage: "List all keys with SCAN, one per line (every primary at once with -c)"},
			option{name: "pattern", value: text(&o.Bulk.Pattern, ""), usage: "Keys `pattern` for --scan", complete: noValues},
			option{name: "quoted-pattern", value: text(&o.Bulk.QuotedPattern, ""), usage: "Keys `pattern` for --scan, as a quoted string (\"\\x00*\")"},
			option{name: "count", value: integer(&o.Bulk.Count, 0), usage: "COUNT `hint` for --scan (default 1000; redis-cli sends 10)", complete: noValues},
			option{name: "window", value: integer(&o.Bulk.Window, defaultWindow), usage: "Commands read from stdin are sent `N` at a time before their replies are read (1: one at a time, as redis-cli)",
				lab: true},
			option{name: "bigkeys", value: boolean(&o.Diag.BigKeys), usage: "Sample keys with SCAN and report the biggest key of each type (every primary with -c)"},
			option{name: "memkeys", value: boolean(&o.Diag.MemKeys), usage: "Like --bigkeys, sizing keys by MEMORY USAGE"},
			option{name: "memkeys-samples", value: integer(&o.Diag.MemKeysSamples, 0), usage: "--memkeys with MEMORY USAGE ... SAMPLES `N`"},
			option{name: "hotkeys", value: boolean(&o.Diag.HotKeys), usage: "Sample keys with SCAN and report the most accessed (needs an LFU maxmemory-policy; every primary with -c)"},
			option{name: "lru-test", value: integer(&o.Diag.LRUTest, 0), usage: "Simulate a cache workload on `number` keys (80% of the requests on 20% of them) and print the hit ratio every second", complete: noValues},
			option{name: "latency", value: boolean(&o.Diag.Latency), usage: "Measure PING round trips continuously (one line after 1s or -i seconds when stdout is not a terminal)"},
			option{name: "latency-history", value: boolean(&o.Diag.LatencyHistory), usage: "Like --latency, starting a new line every 15s (or -i seconds)"},
			option{name: "latency-dist", value: boolean(&o.Diag.LatencyDist), usage: "Show PING round trips as a spectrum every second (or -i seconds); a plain line per second when stdout is not a terminal"},
			option{name: "mono", value: boolean(&o.Diag.Mono), usage: "--latency-dist in greys"},
			option{name: "intrinsic-latency", value: integer(&o.Diag.IntrinsicLatency, 0), usage: "Measure for `seconds` the latency this machine adds to a running process (no server needed)", complete: noValues},
			option{name: "stat", value: boolean(&o.Diag.Stat), usage: "Print keys, memory, clients and requests every second (or -i seconds)"},
			option{name: "rdb", value: text(&o.Diag.RDB, ""), usage: "Copy the server's RDB to `file` (- for stdout) with the replication protocol"},
			option{name: "functions-rdb", value: text(&o.Diag.FunctionsRDB, ""), usage: "Like --rdb, with only the functions, to `file` (Redis 7)"},
			option{name: "replica", value: boolean(&o.Diag.Replica), usage: "Act as a replica and print the commands the primary sends (CSV)"},
		),
		group("Cluster",
			option{name: "cluster-seed", value: repeated(&o.ClusterOpts.Seeds), usage: "Startup node `host:port` (repeatable); with it, -h/-p are a seed only when given",
				file: true, complete: noValues, clusterOnly: true},
			option{name: "read-from-replicas", value: boolean(&o.ClusterOpts.ReadFromReplicas), usage: "Send read-only commands to replicas (with --sentinel: those with keys, round robin over the replicas the sentinels list)",
				file: true, lab: true, clusterOnly: true, sentinelToo: true},
			option{name: "primaries", value: boolean(&o.ClusterOpts.Primaries), usage: "Send the command to every primary and print each reply under its address", clusterOnly: true},
			option{name: "replicas", value: boolean(&o.ClusterOpts.Replicas), usage: "Send the command to every replica and print each reply under its address", clusterOnly: true},
			option{name: "all-nodes", value: boolean(&o.ClusterOpts.AllNodes), usage: "Send the command to every node and print each reply under its address", clusterOnly: true},
			option{name: "node", value: text(&o.ClusterOpts.Node, ""), usage: "Send the command to the node at `host:port`", complete: noValues, clusterOnly: true},
			option{name: "topology", value: boolean(&o.ClusterOpts.Topology), usage: "Print the cluster's nodes, roles, slots, replicas and health; with --sentinel, the primary, replicas (lag, link), sentinels (quorum, agreement, flags) and last failover (--json for JSON)",
				clusterOnly: true, sentinelToo: true},
		),
		group("Sentinel",
			option{name: "sentinel", value: repeated(&o.SentinelOpts.Addrs), usage: "Find the primary through the sentinel at `host:port` (repeatable, or comma-separated; port 26379 when left out); asked in order, each answer checked with ROLE",
				file: true, complete: noValues},
			option{name: "master-name", value: text(&o.SentinelOpts.MasterName, ""), usage: "`Name` the sentinels monitor the primary under (with --sentinel)",
				file: true, complete: noValues},
			option{name: "sentinel-user", value: text(&o.SentinelOpts.User, ""), usage: "ACL `username` on the sentinels (use with --sentinel-pass); -a and --user are for the data nodes",
				file: true, complete: noValues},
			option{name: "sentinel-pass", value: text(&o.SentinelOpts.Password, ""), usage: "`Password` for the sentinels, apart from the data nodes' (-a)",
				file: true, complete: noValues},
		),
		group("Cluster manager",
			option{name: "cluster-replicas", value: integer(&o.ClusterMgr.Replicas, 0), usage: "create: replicas of each primary (`N`)",
				complete: noValues, managerOnly: true},
			option{name: "cluster-yes", value: boolean(&o.ClusterMgr.Yes), usage: "Answer yes to the prompts (also REDISCLI_CLUSTER_YES=1); fix still asks before covering slots",
				managerOnly: true},
			option{name: "cluster-from", value: text(&o.ClusterMgr.From, ""), usage: "reshard: the source node `IDs`, comma-separated, or all; import: the source server's host:port",
				complete: noValues, managerOnly: true},
			option{name: "cluster-to", value: text(&o.ClusterMgr.To, ""), usage: "reshard: the receiving node's `ID`",
				complete: noValues, managerOnly: true},
			option{name: "cluster-slots", value: integer(&o.ClusterMgr.Slots, 0), usage: "reshard: how many slots to move (`N`, 1 to 16384; asked when not given)",
				complete: noValues, managerOnly: true},
			option{name: "cluster-timeout", value: integer(&o.ClusterMgr.Timeout, clustermgr.DefaultTimeout), usage: "MIGRATE timeout in `milliseconds`",
				complete: noValues, managerOnly: true},
			option{name: "cluster-pipeline", value: integer(&o.ClusterMgr.Pipeline, clustermgr.DefaultPipeline), usage: "Keys moved by each MIGRATE (`N`)",
				complete: noValues, managerOnly: true},
			option{name: "cluster-weight", value: repeated(&o.ClusterMgr.Weights), usage: "rebalance: a primary's weight, `ID=W` (an ID prefix will do); several as ID=W ID=W ...",
				complete: noValues, managerOnly: true},
			option{name: "cluster-use-empty-masters", value: boolean(&o.ClusterMgr.UseEmptyMasters), usage: "rebalance: give slots to primaries that have none",
				managerOnly: true},
			option{name: "cluster-threshold", value: decimalWithDefault(&o.ClusterMgr.Threshold, clustermgr.DefaultThreshold), usage: "rebalance: move nothing while every primary is within `percent` of its share",
				complete: noValues, managerOnly: true},
			option{name: "cluster-simulate", value: boolean(&o.ClusterMgr.Simulate), usage: "rebalance: show the moves without making them",
				managerOnly: true},
			option{name: "cluster-replace", value: boolean(&o.ClusterMgr.Replace), usage: "reshard, rebalance, import: overwrite keys the target has (MIGRATE REPLACE)",
				managerOnly: true},
			option{name: "cluster-copy", value: boolean(&o.ClusterMgr.Copy), usage: "import: copy the keys, leaving them on the source (MIGRATE COPY)",
				managerOnly: true},
			option{name: "cluster-slave", value: boolean(&o.ClusterMgr.Replica), usage: "add-node: add the node as a replica",
				managerOnly: true},
			option{name: "cluster-replica", value: boolean(&o.ClusterMgr.Replica), usage: "add-node: the same as --cluster-slave",
				managerOnly: true},
			option{name: "cluster-master-id", value: text(&o.ClusterMgr.MasterID, ""), usage: "add-node: the new replica's primary (`ID`; default: the one with fewest replicas)",
				complete: noValues, managerOnly: true},
			option{name: "cluster-from-user", value: text(&o.ClusterMgr.FromUser, ""), usage: "import: the source server's ACL `user`",
				complete: noValues, managerOnly: true},
			option{name: "cluster-from-pass", value: text(&o.ClusterMgr.FromPass, ""), usage: "import: the source server's `password`",
				complete: noValues, managerOnly: true, empty: "AUTH with the empty password"},
			option{name: "cluster-from-askpass", value: boolean(&o.ClusterMgr.FromAskPass), usage: "import: read the source server's password without echo",
				managerOnly: true},
			option{name: "cluster-search-multiple-owners", value: boolean(&o.ClusterMgr.SearchMultipleOwners), usage: "check, fix: look for slots more than one primary claims or holds keys of",
				managerOnly: true},
			option{name: "cluster-fix-with-unreachable-masters", value: boolean(&o.ClusterMgr.FixWithUnreachableMasters), usage: "fix: repair even when primaries cannot be reached (their slots count as uncovered)",
				managerOnly: true},
			option{name: "cluster-only-masters", value: boolean(&o.ClusterMgr.OnlyMasters), usage: "call: run the command on the primaries only",
				managerOnly: true},
			option{name: "cluster-only-replicas", value: boolean(&o.ClusterMgr.OnlyReplicas), usage: "call: run the command on the replicas only",
				managerOnly: true},
		),
		group("Configuration",
			option{name: "config", value: text(&o.Settings.Config, ""), usage: "Read settings from `file` (default $XDG_CONFIG_HOME/redish/config.toml; also REDISH_CONFIG)",
				lab: true, complete: fileExtension("toml")},
			option{name: "no-config", value: boolean(&o.Settings.NoConfig), usage: "Read no configuration file", lab: true},
			option{name: "profile", value: text(&o.Settings.Profile, ""), usage: "Use the settings of the configuration file's [profile.`NAME`] (also REDISH_PROFILE)",
				lab: true, complete: completeProfiles},
			option{name: "print-config", value: boolean(&o.Settings.PrintConfig), usage: "Print the effective settings and where each came from (passwords masked), then exit"},
		),
		group("Other",
			option{name: "help", value: boolean(&o.Help), usage: "Show this help"},
			option{name: "version", short: "v", value: boolean(&o.Version), usage: "Print the version"},
		),
	)
}

// labOptions are the options of redish lab beyond the shell's.
type labOptions struct {
	Primaries   int      // --primaries
	Replicas    int      // --replicas, per primary
	NodeTimeout duration // --node-timeout
	Sentinel    bool     // --sentinel
	Embedded    bool     // --embedded
}

// labTable returns redish lab's own options, which it takes after the
// shell's (the rows of optionTable marked lab).
func labTable(lo *labOptions) []option {
	return concat(
		group("Cluster",
			option{name: "primaries", value: integer(&lo.Primaries, 3), usage: "Primaries of the cluster (`N`)"},
			option{name: "replicas", value: integer(&lo.Replicas, 1), usage: "Replicas of each primary (`N`)"},
			option{name: "node-timeout", value: custom(&lo.NodeTimeout), usage: "cluster-node-timeout (`duration`; default 1s): how soon a failed primary is replaced"},
		),
		group("Sentinel",
			option{name: "sentinel", value: boolean(&lo.Sentinel), usage: "Start a primary, 2 replicas and 3 sentinels (redis-server --sentinel) watching it as mymaster, and open the shell through the sentinels"},
		),
		[]option{
			{name: "embedded", value: boolean(&lo.Embedded), usage: "Use the embedded in-memory server even when redis-server is on PATH"},
		},
	)
}
