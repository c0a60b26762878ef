package cmd

import (
	"context"

	"github.com/spf13/pflag"
)

// diagOptions are the flags of the diagnostic modes.
type diagOptions struct{}

func addDiagFlags(fs *pflag.FlagSet, o *diagOptions) {}

// runDiagMode runs a diagnostic mode when its flag is given.
func (c *config) runDiagMode(ctx context.Context, client session, p *printer) (bool, error) {
	return false, nil
}
