package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/clustermgr"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/oneshot"
	"github.com/redish/redish/retry"
)

// managerArgs is --cluster SUBCOMMAND ARGS... on the command line.
type managerArgs struct {
	given bool     // --cluster was given
	sub   string   // the subcommand; "" when --cluster ended the line
	args  []string // the subcommand's arguments
}

// managerFlag is the option that runs the cluster manager, as redis-cli
// names it.
const managerFlag = "--cluster"

// managerUsage is --help's line for --cluster.
const managerUsage = "Run the cluster manager's `SUBCOMMAND [ARGS...]` as redis-cli does: create, check, info, fix, reshard, rebalance, add-node, del-node, call, set-timeout, import, backup, help (--cluster help lists their arguments and options). Its steps retry by default (see the README)"

// splitManager takes redis-cli's --cluster SUBCOMMAND ARGS... out of the
// options in args and returns the rest for the option parser, as
// redis-cli reads a command line: --cluster may come anywhere among the
// options; the word after it is the subcommand and the words after that,
// up to the next option, its arguments; options may follow (the
// --cluster-* ones and the connection's), and, when the subcommand has
// no argument yet, the words after them are its arguments. Options end
// at the first word that is not one, as without --cluster: a --cluster
// after the Redis command is an argument of the command.
//
// Where redis-cli ignores what it cannot use, redish says so: words after
// the options when the subcommand has its arguments, and a
// --cluster-weight that is not followed by NODE=WEIGHT.
func splitManager(fs *pflag.FlagSet, args []string) ([]string, managerArgs, error) {
	var m managerArgs
	var rest []string
	for i := 0; i < len(args); {
		a := args[i]
		switch {
		case a == "--":
			return append(rest, args[i:]...), m, nil
		case a == managerFlag:
			if m.given {
				return nil, m, usageError("--cluster is given twice")
			}
			m.given = true
			if i+1 == len(args) {
				return rest, m, nil
			}
			m.sub = args[i+1]
			i += 2
			for i < len(args) && !isOption(args[i]) {
				m.args = append(m.args, args[i])
				i++
			}
		case a == "--cluster-weight":
			n := 0
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") && strings.Contains(args[i+1], "=") {
				rest = append(rest, a, args[i+1])
				i++
				n++
			}
			if n == 0 {
				return nil, m, env.Fail("Option --cluster-weight needs NODE=WEIGHT values (for example --cluster-weight 3f2a=2 9c81=0.5).")
			}
			i++
		case isOption(a):
			n := 1 + optionValues(fs, a)
			end := min(i+n, len(args))
			rest = append(rest, args[i:end]...)
			i = end
			if m.given && i < len(args) && !isOption(args[i]) && len(m.args) > 0 && !knownOption(fs, a) {
				// The word after an unknown option is most likely its
				// value (a misspelt --cluster-slots 5): name the option.
				return nil, m, unrecognized(a)
			}
		case m.given && len(m.args) == 0:
			for i < len(args) && !isOption(args[i]) {
				m.args = append(m.args, args[i])
				i++
			}
		case m.given:
			return nil, m, env.Fail(fmt.Sprintf("Unexpected argument %q: the arguments of --cluster %s come right after it, before the options.", a, m.sub))
		default:
			// The Redis command: options end here.
			return append(rest, args[i:]...), m, nil
		}
	}
	return rest, m, nil
}

// isOption reports whether a word is an option, as redis-cli tells them:
// it starts with a dash (a lone "-" too).
func isOption(s string) bool { return strings.HasPrefix(s, "-") }

// knownOption reports whether the option word a names an option of fs.
func knownOption(fs *pflag.FlagSet, a string) bool {
	if name, ok := strings.CutPrefix(a, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		return fs.Lookup(name) != nil
	}
	return len(a) > 1 && fs.ShorthandLookup(a[1:2]) != nil
}

// optionValues returns how many of the following words the option word a
// takes as its value: 1 for an option that takes one and has none
// attached (-p 7000, --port 7000), 0 otherwise (-p7000, --port=7000, a
// switch, an unknown option, which the parser reports).
func optionValues(fs *pflag.FlagSet, a string) int {
	takesValue := func(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal == "" }
	if name, ok := strings.CutPrefix(a, "--"); ok {
		if strings.Contains(name, "=") {
			return 0
		}
		if takesValue(fs.Lookup(name)) {
			return 1
		}
		return 0
	}
	// A group of short options (-xe), the last one may take the next word.
	shorts := a[1:]
	for j := 0; j < len(shorts); j++ {
		f := fs.ShorthandLookup(shorts[j : j+1])
		if f == nil {
			return 0
		}
		if takesValue(f) {
			if j == len(shorts)-1 {
				return 1
			}
			return 0
		}
	}
	return 0
}

// usageError is the error of a command line redis-cli answers with its
// usage (on stderr, exit 1): --cluster with no subcommand, or twice.
type usageErr struct{ why string }

func (e *usageErr) Error() string { return e.why }

func usageError(why string) error { return &usageErr{why} }

// runManager runs the cluster manager.
func (c *config) runManager(ctx context.Context, p *env.Printer) error {
	o := &c.o.ClusterMgr
	mo := clustermgr.DefaultOptions()
	mo.Command, mo.Args = c.o.Manager.sub, c.o.Manager.args
	if c.o.StdinLast || c.o.isGiven("stdin-tag") {
		// As redis-cli: -x and -X apply to the subcommand's arguments
		// (--cluster call HOST:PORT SET k -x).
		args := make([][]byte, len(mo.Args))
		for i, a := range mo.Args {
			args[i] = []byte(a)
		}
		args, err := oneshot.StdinArg(c.ios.In, args, c.o.StdinLast, c.o.StdinTag)
		if err != nil {
			return err
		}
		mo.Args = make([]string, len(args))
		for i, a := range args {
			mo.Args[i] = string(a)
		}
	}
	mo.Replicas, mo.Yes = o.Replicas, o.Yes || c.ios.Getenv("REDISCLI_CLUSTER_YES") == "1"
	mo.From, mo.FromSet = o.From, c.o.isGiven("cluster-from")
	mo.To, mo.ToSet = o.To, c.o.isGiven("cluster-to")
	mo.Slots, mo.Timeout, mo.Pipeline = o.Slots, o.Timeout, o.Pipeline
	mo.Weights, mo.Threshold = o.Weights, o.Threshold
	mo.UseEmpty, mo.Simulate, mo.Replace, mo.Copy = o.UseEmptyMasters, o.Simulate, o.Replace, o.Copy
	mo.Replica = o.Replica
	mo.MasterID, mo.MasterSet = o.MasterID, c.o.isGiven("cluster-master-id")
	mo.FromUser = o.FromUser
	mo.FromPass, mo.FromAuth = o.FromPass, c.o.isGiven("cluster-from-pass")
	mo.OnlyMaster, mo.OnlyRepl = o.OnlyMasters, o.OnlyReplicas
	mo.SearchMultipleOwners, mo.FixWithUnreachableMasters = o.SearchMultipleOwners, o.FixWithUnreachableMasters
	mo.Delim, mo.Verbose, mo.JSON = c.o.Delim, c.o.Verbose, c.o.JSON
	if o.FromAskPass {
		pass, err := c.ios.ReadPassword("Please input import source node password: ")
		switch {
		case errors.Is(err, env.ErrNoPassword):
			// No password, as in redis-cli.
		case err != nil:
			return err
		default:
			mo.FromPass, mo.FromAuth = pass, true
		}
	}
	c.ios.Secrets.Add(mo.FromPass)

	e := c.env(nil, p)
	e.Retry = c.managerRetry()
	err := clustermgr.Run(ctx, e, mo)
	if err == clustermgr.ErrFailed {
		return &env.ExitError{Code: 1}
	}
	return err
}

// managerRetry is the policy of the manager's steps: the retry options'
// when any says which failures to retry or how often, the manager's own
// otherwise (clustermgr.DefaultPolicy), with the backoff's base and cap,
// the deadline and --retry-sent applied to it when given.
func (c *config) managerRetry() *retry.Retry {
	for _, name := range []string{"retries", "retry-backoff", "retry-on-error", "retry-on-timeout"} {
		if c.o.isGiven(name) {
			return c.retry
		}
	}
	r := *c.retry
	user := c.retry.Policy
	r.Policy = clustermgr.DefaultPolicy()
	if c.o.isGiven("retry-backoff-base") {
		r.Policy.Base = user.Base
	}
	if c.o.isGiven("retry-backoff-cap") {
		r.Policy.Cap = user.Cap
	}
	r.Policy.Deadline, r.Policy.Resend = user.Deadline, user.Resend
	return &r
}

// checkManagerOptions checks the --cluster-* options: that --cluster is
// there to read them, and their values.
func checkManagerOptions(o *Options) error {
	if !o.Manager.given {
		for _, row := range optionTable(&Options{}) {
			if row.managerOnly && o.isGiven(row.name) {
				return env.Fail("Option --" + row.name + " needs --cluster SUBCOMMAND (the cluster manager).")
			}
		}
		return nil
	}
	m := &o.ClusterMgr
	switch {
	case o.isGiven("cluster-replicas") && m.Replicas < 0:
		return env.Fail(fmt.Sprintf("Invalid --cluster-replicas %d: must be 0 or more.", m.Replicas))
	case o.isGiven("cluster-slots") && (m.Slots < 1 || m.Slots > 16384):
		return env.Fail(fmt.Sprintf("Invalid --cluster-slots %d: must be from 1 to 16384.", m.Slots))
	case m.Timeout < 0:
		return env.Fail(fmt.Sprintf("Invalid --cluster-timeout %d: must be 0 or more milliseconds.", m.Timeout))
	case m.Pipeline < 1:
		return env.Fail(fmt.Sprintf("Invalid --cluster-pipeline %d: must be 1 or more.", m.Pipeline))
	case m.Threshold <= 0:
		// redis-cli takes 0 and then never rebalances, saying that every
		// node is within 0% of its share.
		return env.Fail(fmt.Sprintf("Invalid --cluster-threshold %g: must be more than 0 (a percentage, such as 0.5).", m.Threshold))
	case m.OnlyMasters && m.OnlyReplicas:
		return env.Fail("Options --cluster-only-masters and --cluster-only-replicas are mutually exclusive.")
	case m.FromAskPass && o.isGiven("cluster-from-pass"):
		return env.Fail("Options --cluster-from-askpass and --cluster-from-pass are mutually exclusive.")
	}
	for _, w := range m.Weights {
		if !strings.Contains(w, "=") {
			return env.Fail(fmt.Sprintf("Invalid --cluster-weight %q: give NODE=WEIGHT.", w))
		}
	}
	return nil
}

// completeManager answers a completion request (cobra's __complete: args
// are the words, the last one being completed) when it concerns the
// cluster manager: the subcommand after --cluster; nothing for the
// subcommand's arguments (host:port, node IDs), except a directory for
// backup's; and the options and their values, which the root command
// completes once --cluster and its arguments are out of the way. It
// reports false when the words typed hold no --cluster.
func completeManager(root *cobra.Command, ios *IOStreams, args []string) (handled bool, err error) {
	words := args[1:]
	if len(words) == 0 {
		return false, nil
	}
	typed, toComplete := words[:len(words)-1], words[len(words)-1]
	fs := root.Flags()
	rest, m, err := splitManager(fs, typed)
	switch {
	case !m.given:
		return false, nil
	case err != nil:
		return true, completeWith(ios, toComplete, func() ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		})
	case m.sub == "" && typed[len(typed)-1] == managerFlag:
		return true, completeWith(ios, toComplete, func() ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			for _, c := range clustermgr.Subcommands() {
				if strings.HasPrefix(c.Name, toComplete) {
					out = append(out, cobra.CompletionWithDesc(c.Name, c.Summary))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	}
	prev := typed[len(typed)-1]
	if !isOption(toComplete) && !(isOption(prev) && optionValues(fs, prev) == 1) {
		dir := m.sub == "backup" && len(m.args) >= 1
		return true, completeWith(ios, toComplete, func() ([]cobra.Completion, cobra.ShellCompDirective) {
			if dir {
				return nil, cobra.ShellCompDirectiveFilterDirs
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		})
	}
	root.SetArgs(append(append([]string{args[0]}, rest...), toComplete))
	return true, root.Execute()
}

// completeWith answers a completion request for toComplete with fn, in
// cobra's protocol, through a command of its own.
func completeWith(ios *IOStreams, toComplete string, fn func() ([]cobra.Completion, cobra.ShellCompDirective)) error {
	c := &cobra.Command{
		Use:               "redish",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) { return fn() },
		Run:               func(*cobra.Command, []string) {},
	}
	c.SetOut(ios.Out)
	c.SetErr(ios.ErrOut)
	c.SetArgs([]string{cobra.ShellCompRequestCmd, toComplete})
	return c.Execute()
}
