// Command redish is a Redis shell: a drop-in replacement for redis-cli with
// retries you configure on the command line and can watch as they happen.
package main

import (
	"os"

	"github.com/redish/redish/cmd"
)

func main() { os.Exit(cmd.Main()) }
