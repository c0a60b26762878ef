package clustermgr

import (
	"context"
	"strings"
)

// commandDef is one subcommand: its arity as redis-cli checks it (n
// arguments exactly when positive, at least -n when negative, anything
// when 0), the arguments and options help shows, and its code.
type commandDef struct {
	name    string
	arity   int
	args    string
	options string // comma-separated, without "--cluster-"
	run     func(m *manager, ctx context.Context, args []string) (bool, error)
	summary string // for completion and documentation
}

func (d *commandDef) arityOK(n int) bool {
	switch {
	case d.arity > 0:
		return n == d.arity
	case d.arity < 0:
		return n >= -d.arity
	}
	return true
}

const anyNode = "<host:port> or <host> <port> - separated by either colon or space"

// subcommands is redis-cli 7.0's table of subcommands, in its order (help
// lists them so).
var subcommands []commandDef

func init() {
	subcommands = []commandDef{
		{"create", -2, "host1:port1 ... hostN:portN", "replicas <arg>", (*manager).create,
			"Make a cluster of empty nodes, with replicas"},
		{"check", -1, anyNode, "search-multiple-owners", (*manager).check,
			"Check that the nodes agree, no slot is open and every slot is served"},
		{"info", -1, anyNode, "", (*manager).info,
			"Keys, slots and replicas of each primary"},
		{"fix", -1, anyNode, "search-multiple-owners,fix-with-unreachable-masters", (*manager).fix,
			"Repair what check finds: open slots, uncovered slots"},
		{"reshard", -1, anyNode, "from <arg>,to <arg>,slots <arg>,yes,timeout <arg>,pipeline <arg>,replace", (*manager).reshard,
			"Move slots and their keys from primaries to one"},
		{"rebalance", -1, anyNode, "weight <node1=w1...nodeN=wN>,use-empty-masters,timeout <arg>,simulate,pipeline <arg>,threshold <arg>,replace", (*manager).rebalance,
			"Move slots until each primary has its share"},
		{"add-node", 2, "new_host:new_port existing_host:existing_port", "slave,master-id <arg>", (*manager).addNode,
			"Add an empty node, as a primary or a replica"},
		{"del-node", 2, "host:port node_id", "", (*manager).delNode,
			"Remove a node that serves no slot"},
		{"call", -2, "host:port command arg arg .. arg", "only-masters,only-replicas", (*manager).call,
			"Run a command on every node"},
		{"set-timeout", 2, "host:port milliseconds", "", (*manager).setTimeout,
			"Set cluster-node-timeout on every node"},
		{"import", 1, "host:port", "from <arg>,from-user <arg>,from-pass <arg>,from-askpass,copy,replace", (*manager).importData,
			"Move the keys of a standalone server into the cluster"},
		{"backup", 2, "host:port backup_directory", "", (*manager).backup,
			"Save an RDB of every primary and nodes.json"},
		{"help", 0, "", "", (*manager).help,
			"List the subcommands and their options"},
	}
}

func lookupCommand(name string) *commandDef {
	for i := range subcommands {
		if subcommands[i].name == name {
			return &subcommands[i]
		}
	}
	return nil
}

// Subcommand describes one subcommand, for completion and documentation.
type Subcommand struct {
	Name    string
	Args    string // as help lists them
	Summary string
}

// Subcommands returns the subcommands, in help's order.
func Subcommands() []Subcommand {
	out := make([]Subcommand, len(subcommands))
	for i, c := range subcommands {
		out[i] = Subcommand{c.name, c.args, c.summary}
	}
	return out
}

// Flag describes one --cluster-* option, for the option table, help and
// completion.
type Flag struct {
	Name  string // "cluster-replicas", without the dashes
	Value string // the value's name ("N"); "" for a switch
	Usage string
	// Commands are the subcommands that read it.
	Commands []string
}

// Flags returns the --cluster-* options redis-cli 7.0 accepts, and
// redish's --cluster-replica (the same as --cluster-slave).
func Flags() []Flag {
	return []Flag{
		{"cluster-replicas", "N", "create: replicas per primary", []string{"create"}},
		{"cluster-yes", "", "answer yes to the prompts (also REDISCLI_CLUSTER_YES=1); fix still asks", []string{"create", "fix", "reshard", "rebalance"}},
		{"cluster-from", "ARG", "reshard: source node IDs, comma-separated, or all; import: the source server host:port", []string{"reshard", "import"}},
		{"cluster-to", "ID", "reshard: the receiving node ID", []string{"reshard"}},
		{"cluster-slots", "N", "reshard: how many slots to move", []string{"reshard"}},
		{"cluster-timeout", "MS", "MIGRATE timeout in milliseconds (default 60000)", []string{"reshard", "rebalance", "import"}},
		{"cluster-pipeline", "N", "keys moved per MIGRATE (default 10)", []string{"reshard", "rebalance"}},
		{"cluster-weight", "NODE=W", "rebalance: weight of a node (ID prefix), repeatable as NODE=W NODE=W ...", []string{"rebalance"}},
		{"cluster-use-empty-masters", "", "rebalance: give slots to primaries that have none", []string{"rebalance"}},
		{"cluster-threshold", "PCT", "rebalance: move nothing while every node is within PCT percent of its share (default 2)", []string{"rebalance"}},
		{"cluster-simulate", "", "rebalance: show the moves without making them", []string{"rebalance"}},
		{"cluster-replace", "", "overwrite keys that exist on the target (MIGRATE REPLACE)", []string{"reshard", "rebalance", "import"}},
		{"cluster-copy", "", "import: copy the keys, leaving them on the source (MIGRATE COPY)", []string{"import"}},
		{"cluster-slave", "", "add-node: add the node as a replica", []string{"add-node"}},
		{"cluster-replica", "", "add-node: the same as --cluster-slave", []string{"add-node"}},
		{"cluster-master-id", "ID", "add-node: the primary of the new replica (default: the one with fewest replicas)", []string{"add-node"}},
		{"cluster-from-user", "USER", "import: the source server's ACL user", []string{"import"}},
		{"cluster-from-pass", "PASS", "import: the source server's password", []string{"import"}},
		{"cluster-from-askpass", "", "import: read the source server's password from the terminal", []string{"import"}},
		{"cluster-search-multiple-owners", "", "check, fix: look for slots claimed by more than one primary", []string{"check", "fix"}},
		{"cluster-fix-with-unreachable-masters", "", "fix: repair even when some primaries cannot be reached", []string{"fix"}},
		{"cluster-only-masters", "", "call: primaries only", []string{"call"}},
		{"cluster-only-replicas", "", "call: replicas only", []string{"call"}},
	}
}

// Help returns what redis-cli --cluster help prints.
func Help() string {
	const padding = 15
	var b strings.Builder
	b.WriteString("Cluster Manager Commands:\n")
	for _, c := range subcommands {
		b.WriteString("  " + c.name)
		b.WriteString(strings.Repeat(" ", max(padding-len(c.name), 0)))
		b.WriteString(c.args + "\n")
		if c.options == "" {
			continue
		}
		for o := range strings.SplitSeq(c.options, ",") {
			b.WriteString(strings.Repeat(" ", padding) + "  --cluster-" + o + "\n")
		}
	}
	b.WriteString("\nFor check, fix, reshard, del-node, set-timeout, info, rebalance, call, import, backup you can specify the host and port of any working node in the cluster.\n")
	b.WriteString("\nCluster Manager Options:\n")
	b.WriteString("  --cluster-yes  Automatic yes to cluster commands prompts\n\n")
	return b.String()
}

// help prints Help. It fails, as redis-cli's does: --cluster help exits
// with status 1.
func (m *manager) help(context.Context, []string) (bool, error) {
	m.printf("%s", Help())
	return false, nil
}
