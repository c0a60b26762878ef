package cmd

import (
	"context"

	"github.com/spf13/pflag"
)

// bulkOptions are the flags of the bulk modes (--pipe, pipelined stdin).
type bulkOptions struct{}

func addBulkFlags(fs *pflag.FlagSet, o *bulkOptions) {}

// runBulkMode runs a bulk mode when its flag is given.
func (c *config) runBulkMode(ctx context.Context, client session, p *printer) (bool, error) {
	return false, nil
}

// runStdinPipelined runs commands read from stdin in pipelined windows
// when that gives the same output as running them one by one.
func (c *config) runStdinPipelined(ctx context.Context, client session, p *printer) (bool, error) {
	return false, nil
}
