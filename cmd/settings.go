package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// settingsOptions are the flags about redish's own configuration.
type settingsOptions struct{}

func addSettingsFlags(fs *pflag.FlagSet, o *settingsOptions) {}

// applySettings fills the options the command line does not set from the
// configuration file and the environment.
func applySettings(ios *IOStreams, o *Options, fs *pflag.FlagSet) error { return nil }

// printSettings prints the effective settings when asked to.
func (c *config) printSettings() (bool, error) { return false, nil }

// addSubcommands adds the subcommands that cannot collide with Redis
// command names.
func addSubcommands(ctx context.Context, root *cobra.Command, ios *IOStreams) {}
