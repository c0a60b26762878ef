package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/retry"
)

// completionShells are the shells "redish completion" writes scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCmd returns "redish completion SHELL". The scripts ask the
// binary itself for completions (cobra's hidden __complete command), so
// they never go stale: flags, their values and Redis command names come
// from the running version, offline, from the command table.
func newCompletionCmd(root *cobra.Command, ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: `Print the shell completion script for bash, zsh, fish or PowerShell.

It completes options, their values (backoff strategies, error classes,
profiles) and Redis command names, without connecting to a server.

  bash:        source <(redish completion bash)
  zsh:         redish completion zsh > "${fpath[1]}/_redish"
  fish:        redish completion fish > ~/.config/fish/completions/redish.fish
  PowerShell:  redish completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             completionShells,
		DisableFlagsInUseLine: true,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &env.ExitError{Code: 1, Msg: "Usage: redish " + c.Use}
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return writeCompletion(ios.Out, root, args[0])
		},
	}
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		fmt.Fprintf(ios.Out, "%s\n\nUsage:\n  redish %s\n", c.Long, c.Use)
	})
	return cmd
}

// writeCompletion writes root's completion script for shell to w.
func writeCompletion(w io.Writer, root *cobra.Command, shell string) error {
	var err error
	switch shell {
	case "bash":
		err = root.GenBashCompletionV2(w, true)
	case "zsh":
		err = root.GenZshCompletion(w)
	case "fish":
		err = root.GenFishCompletion(w, true)
	case "powershell":
		err = root.GenPowerShellCompletionWithDesc(w)
	default:
		return &env.ExitError{Code: 1, Msg: fmt.Sprintf("Unknown shell %q: choose one of %s.", shell, strings.Join(completionShells, ", "))}
	}
	if err != nil {
		return fmt.Errorf("writing the %s completion script: %w", shell, err)
	}
	return nil
}

// completeRedisArgs completes the command line after the options: a
// Redis command name first (or "help"), then the subcommand of a
// container command such as CONFIG, or the topic after "help". Names
// follow the case the user started typing, upper case by default.
func completeRedisArgs(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	const noFiles = cobra.ShellCompDirectiveNoFileComp
	switch {
	case len(args) == 0:
		out := matchCommands(commands.All(), toComplete, toComplete, "")
		if hasPrefixFold("help", toComplete) {
			out = append(out, cobra.CompletionWithDesc(inCase("help", toComplete), "Show help on a command or a @group"))
		}
		return out, noFiles
	case len(args) == 1 && isHelpWord(args[0]):
		out := matchCommands(commands.All(), toComplete, toComplete, "")
		for _, g := range commands.Groups() {
			if hasPrefixFold("@"+g, toComplete) {
				out = append(out, "@"+g)
			}
		}
		return out, noFiles
	case len(args) == 1:
		cmd := commands.LookupCommand(args[0])
		if cmd == nil {
			return nil, noFiles
		}
		caseOf := toComplete
		if caseOf == "" {
			caseOf = args[0]
		}
		return matchCommands(cmd.Subcommands, toComplete, caseOf, cmd.Name+"|"), noFiles
	}
	return nil, noFiles
}

// matchCommands returns the names in cmds that start with prefix
// (ignoring case), without the parent's "name|" prefix, in the case of
// caseOf, each with its summary.
func matchCommands(cmds []commands.Command, prefix, caseOf, parent string) []cobra.Completion {
	var out []cobra.Completion
	for i := range cmds {
		name := strings.TrimPrefix(cmds[i].Name, parent)
		if hasPrefixFold(name, prefix) {
			out = append(out, cobra.CompletionWithDesc(inCase(name, caseOf), cmds[i].Summary))
		}
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// inCase returns name in lower case when typed has lower-case letters,
// else in upper case.
func inCase(name, typed string) string {
	if strings.ToUpper(typed) != typed {
		return strings.ToLower(name)
	}
	return strings.ToUpper(name)
}

// completion completes an option's value: the values to offer, and what
// the shell does with them.
type completion func(c *cobra.Command, ios *IOStreams, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective)

// noValues offers nothing, not even file names: for values no completion
// can guess.
func noValues(*cobra.Command, *IOStreams, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// values offers the values that start with what was typed.
func values(vs ...string) completion {
	return valuesOf(func() []string { return vs })
}

// valuesOf is values with the list made when a completion is asked for.
func valuesOf(vs func() []string) completion {
	return func(_ *cobra.Command, _ *IOStreams, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, v := range vs() {
			if strings.HasPrefix(v, toComplete) {
				out = append(out, cobra.CompletionWithDesc(v, ""))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// fileExtension offers the files whose names end in .ext.
func fileExtension(ext string) completion {
	return func(*cobra.Command, *IOStreams, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{ext}, cobra.ShellCompDirectiveFilterFileExt
	}
}

// errorCodes are common Redis error codes offered after the named classes
// when completing --retry-on-error.
var errorCodes = []string{"LOADING", "BUSY", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "NOREPLICAS", "OOM", "MISCONF"}

// completeErrorClasses completes the last item of a comma-separated list
// of error classes and codes.
func completeErrorClasses(_ *cobra.Command, _ *IOStreams, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done, last := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	var out []cobra.Completion
	for _, c := range retry.Classes() {
		if hasPrefixFold(string(c), last) {
			out = append(out, done+string(c))
		}
	}
	for _, code := range errorCodes {
		if strings.HasPrefix(code, last) {
			out = append(out, done+code)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// registerFlagCompletions registers the completion of option values, from
// the option table.
func registerFlagCompletions(root *cobra.Command, ios *IOStreams) {
	// A usage names the flag's value in backticks (`file`), which --help
	// removes; completion shows the usage as it is, so remove them here.
	root.Flags().VisitAll(func(f *pflag.Flag) {
		_, f.Usage = pflag.UnquoteUsage(f)
	})
	for _, o := range optionTable(&Options{}) {
		if o.complete == nil || root.Flags().Lookup(o.name) == nil {
			continue
		}
		complete := o.complete
		// The only error is a flag registered twice, and each completion
		// request registers once.
		_ = root.RegisterFlagCompletionFunc(o.name, func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return complete(c, ios, toComplete)
		})
	}
}

// completeProfiles offers the profiles of the configuration file the
// command line so far selects.
func completeProfiles(c *cobra.Command, ios *IOStreams, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	fs := c.Flags()
	o := &settingsOptions{}
	if f := fs.Lookup("config"); f != nil {
		o.Config = f.Value.String()
	}
	if f := fs.Lookup("no-config"); f != nil {
		o.NoConfig = f.Value.String() == "true"
	}
	path, _, must := configPath(o, fs, ios.Getenv)
	cf, err := loadConfigFile(path, must)
	if err != nil || cf == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, name := range cf.ProfileNames() {
		if strings.HasPrefix(name, toComplete) {
			out = append(out, name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
