package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// printHelp writes --help: usage, then the flags by group, then examples.
func printHelp(w io.Writer, c *cobra.Command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", c.Long, c.Use)
	for _, sub := range c.Commands() {
		if !sub.Hidden && sub.IsAvailableCommand() {
			fmt.Fprintf(w, "  redish %-28s %s\n", sub.Name(), sub.Short)
		}
	}
	byGroup := map[string][]*pflag.Flag{}
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := "Other"
		if v := f.Annotations[flagGroupAnnotation]; len(v) > 0 {
			g = v[0]
		}
		byGroup[g] = append(byGroup[g], f)
	})
	byGroup[managerGroup] = append([]*pflag.Flag{ManagerFlag()}, byGroup[managerGroup]...)
	for _, g := range flagGroups {
		if len(byGroup[g]) > 0 {
			fmt.Fprintf(w, "\n%s:\n", g)
			writeFlags(w, byGroup[g])
		}
	}
	fmt.Fprintf(w, "\nRetries: AuthenticationError is never retried, whatever the flags say.\n")
	fmt.Fprintf(w, "A command whose connection is lost after it was sent may have run: it is sent\nagain only when it cannot change data twice (--retry-sent safe: reads and the\nidempotent writes listed in the README), and reported as \"may have run\" otherwise.\nNothing inside MULTI is retried, and a transaction is never split.\n")
	fmt.Fprintf(w, "\nExamples:\n%s\n", c.Example)
	fmt.Fprintf(w, "\nType \"redish help CMD\" for a Redis command's syntax, \"redish help @group\" for a group.\n")
}

// writeFlags lists flags as "  -p, --port PORT   text", the text wrapped
// to 100 columns and aligned.
func writeFlags(w io.Writer, flags []*pflag.Flag) {
	const width = 100
	names := make([]string, len(flags))
	col := 0
	for i, f := range flags {
		varname, _ := pflag.UnquoteUsage(f)
		if f.Value.Type() == "bool" {
			varname = ""
		}
		n := "    "
		switch {
		case FlagShortOnly(f):
			n = "-" + f.Shorthand
		case f.Shorthand != "":
			n = "-" + f.Shorthand + ", --" + f.Name
		default:
			n += "--" + f.Name
		}
		if varname != "" {
			n += " " + strings.ToUpper(varname)
		}
		names[i] = n
		col = max(col, len(n))
	}
	col += 4
	for i, f := range flags {
		_, usage := pflag.UnquoteUsage(f)
		if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "[]" && f.Value.Type() != "bool" {
			usage += " (default " + strings.ReplaceAll(strconvQuoteIfSpace(def), "\n", "\\n") + ")"
		}
		line := "  " + names[i] + strings.Repeat(" ", col-len(names[i]))
		for j, part := range wrap(usage, width-len(line)) {
			if j > 0 {
				line = strings.Repeat(" ", col+2)
			}
			fmt.Fprintln(w, line+part)
		}
	}
}

func strconvQuoteIfSpace(s string) string {
	if strings.TrimSpace(s) != s || s == "" {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// wrap splits text into lines of at most width columns at spaces.
func wrap(text string, width int) []string {
	width = max(width, 30)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
