package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// NewRootForDocs returns the root command as the documentation generators
// see it: every flag and subcommand, writing to discarded streams. Running
// it is not supported.
func NewRootForDocs() *cobra.Command {
	ios, _, _ := Test("")
	root, _ := newRoot(context.Background(), ios, nil)
	return root
}

// FlagGroups returns the names of the groups flags are listed under, in
// the order --help lists them.
func FlagGroups() []string { return append([]string(nil), flagGroups...) }

// FlagGroup returns the group --help lists f under.
func FlagGroup(f *pflag.Flag) string {
	if g := f.Annotations[flagGroupAnnotation]; len(g) > 0 {
		return g[0]
	}
	return "Other"
}

// ConfigSettings returns the settings the configuration file accepts, in
// the order --print-config lists them. Each is the long name of a flag.
func ConfigSettings() []string { return settingNames() }

// FlagShortOnly reports whether f is shown by its short name only: its
// long name means something else on redish's command line (-c, and
// --cluster for the cluster manager).
func FlagShortOnly(f *pflag.Flag) bool {
	return len(f.Annotations[shortOnlyAnnotation]) > 0 && f.Shorthand != ""
}

// managerGroup is the group of the cluster manager's options.
const managerGroup = "Cluster manager"

// ManagerFlag returns --cluster SUBCOMMAND as --help and the man page list
// it, first in its group. It is not a flag of the option table: the
// command line reads it before the options (see splitManager).
func ManagerFlag() *pflag.Flag {
	fs := pflag.NewFlagSet("manager", pflag.ContinueOnError)
	fs.String("cluster", "", managerUsage)
	f := fs.Lookup("cluster")
	f.Annotations = map[string][]string{flagGroupAnnotation: {managerGroup}}
	return f
}
