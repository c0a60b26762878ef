package redisx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/retry"
)

// ClusterEventKind says what a ClusterEvent reports.
type ClusterEventKind uint8

// Cluster event kinds.
const (
	// EventTopology: the slot map was read (Source, Nodes, Primaries,
	// Covered). Refresh tells a refresh from the first read.
	EventTopology ClusterEventKind = iota + 1
	// EventMoved: a MOVED redirect was followed (Slot, Addr, From).
	EventMoved
	// EventAsk: an ASK redirect was followed with ASKING (Slot, Addr, From).
	EventAsk
	// EventTryAgain: a node replied TRYAGAIN; the command is sent again
	// after Wait (Slot, Addr).
	EventTryAgain
	// EventClusterDown: a node replied CLUSTERDOWN or MASTERDOWN; the
	// client waits, refreshes the topology and ends the attempt (Addr, Err).
	EventClusterDown
	// EventAttempt: a new cluster-level attempt starts after a failure
	// (Attempt, Attempts, Failed, Err, Sent).
	EventAttempt
	// EventGiveUp: the last cluster-level attempt failed (Attempt,
	// Attempts, Err, Sent).
	EventGiveUp
	// EventTopologyFailed: no startup node gave the topology (Attempts:
	// the nodes tried, Err: the last failure). Refreshed tells a failed
	// refresh from a failed first read.
	EventTopologyFailed
	// EventNotResent: a cluster-level attempt failed after the command was
	// sent, and --retry-sent does not send it again (Attempt, Attempts,
	// Err, Command, Resend).
	EventNotResent
	// EventFallback: the nodes refuse to give a topology; commands follow
	// redirects from Addr instead (Err: the *TopologyUnavailableError).
	EventFallback
	// EventReplicaFallback: a read for Slot leaves the replica From for
	// its primary Addr (Err: why the replica cannot serve it).
	EventReplicaFallback
)

// ClusterEvent is one step of a cluster command worth telling a user who
// asked for --verbose: a redirect, a topology read, a cluster-level
// attempt. String renders it as one line.
type ClusterEvent struct {
	Kind ClusterEventKind
	// Slot is the hash slot concerned, or -1.
	Slot int
	// Addr is the node the command goes to next, or the node concerned.
	Addr string
	// From is the node that sent a redirect.
	From string
	// Attempt and Attempts number the attempt that starts (EventAttempt)
	// or failed last (EventGiveUp).
	Attempt, Attempts int
	// Wait is the pause before the next step.
	Wait time.Duration
	// Err is the failure that caused the event.
	Err error
	// Sent reports that the failed request had been sent: the command
	// may have run on the server.
	Sent bool
	// Failed is the node moved to the end of the startup nodes.
	Failed string
	// Refreshed is true on EventAttempt when the topology was already
	// re-read by the CLUSTERDOWN handling, and on EventTopology for a
	// refresh (as opposed to the first read).
	Refreshed bool
	// Topology summary (EventTopology): where it was read from, with which
	// command, the numbers of primaries and replicas and of covered slots.
	Source, Command     string
	Primaries, Replicas int
	// Covered counts the slots served by primaries that are reachable;
	// Unreachable names the primaries holding slots that are not (failed
	// in the cluster's view, or that the client could not reach since).
	Covered     int
	Unreachable []string
	// Resend is the --retry-sent value (EventNotResent); Command then
	// names the command.
	Resend retry.Resend
}

// String renders e as the line --verbose prints, for example
//
//	redirect MOVED slot 12182 -> 127.0.0.1:7002
//	cluster attempt 2/2: refreshing topology (127.0.0.1:7000 moved to end of startup nodes)
func (e ClusterEvent) String() string {
	var b strings.Builder
	switch e.Kind {
	case EventTopology:
		verb := "read"
		if e.Refreshed {
			verb = "refreshed"
		}
		fmt.Fprintf(&b, "topology %s from %s (%s): %s, %s, ", verb, e.Source, e.Command,
			plural(e.Primaries, "primary", "primaries"), plural(e.Replicas, "replica", "replicas"))
		switch {
		case len(e.Unreachable) > 0:
			fmt.Fprintf(&b, "%d of 16384 slots served by reachable nodes (unreachable: %s)", e.Covered, strings.Join(e.Unreachable, ", "))
		case e.Covered == SlotCount:
			b.WriteString("all 16384 slots covered")
		default:
			fmt.Fprintf(&b, "%d of 16384 slots covered", e.Covered)
		}
	case EventTopologyFailed:
		verb := "read"
		if e.Refreshed {
			verb = "refresh"
		}
		nodes := "startup nodes"
		if e.Attempts == 1 {
			nodes = "startup node"
		}
		fmt.Fprintf(&b, "topology %s failed (%d %s tried): %s", verb, e.Attempts, nodes, classText(e.Err))
	case EventMoved:
		fmt.Fprintf(&b, "redirect MOVED slot %d -> %s", e.Slot, e.Addr)
	case EventAsk:
		fmt.Fprintf(&b, "redirect ASK slot %d -> %s (sending ASKING first)", e.Slot, e.Addr)
	case EventTryAgain:
		fmt.Fprintf(&b, "TRYAGAIN from %s", e.Addr)
		if e.Slot >= 0 {
			fmt.Fprintf(&b, " for slot %d", e.Slot)
		}
		if e.Wait > 0 {
			fmt.Fprintf(&b, ": sending again in %v", e.Wait)
		} else {
			b.WriteString(": sending again")
		}
	case EventClusterDown:
		fmt.Fprintf(&b, "%s from %s: refreshing topology in %v", errText(e.Err), e.Addr, e.Wait)
	case EventAttempt:
		fmt.Fprintf(&b, "cluster attempt %d/%d after %s", e.Attempt, e.Attempts, classText(e.Err))
		if e.Sent {
			b.WriteString(" (request was sent: the command may already have run)")
		}
		switch {
		case e.Refreshed:
			b.WriteString(": topology already refreshed")
		case e.Failed != "":
			fmt.Fprintf(&b, ": refreshing topology (%s moved to end of startup nodes)", e.Failed)
		default:
			b.WriteString(": refreshing topology")
		}
	case EventGiveUp:
		fmt.Fprintf(&b, "cluster attempt %d/%d failed, giving up: %s", e.Attempt, e.Attempts, classText(e.Err))
		if e.Sent {
			b.WriteString(" (request was sent: the command may already have run)")
		}
	case EventNotResent:
		fmt.Fprintf(&b, "cluster attempt %d/%d failed after %s was sent, not sending it again (--retry-sent %s): %s",
			e.Attempt, e.Attempts, e.Command, e.Resend, classText(e.Err))
	case EventFallback:
		fallbackLine(&b, e)
	case EventReplicaFallback:
		why := errText(e.Err)
		if unfit, ok := errors.AsType[*ReplicaUnfitError](e.Err); ok {
			why = unfit.Reason
		}
		fmt.Fprintf(&b, "replica %s cannot serve reads (%s): reading", e.From, why)
		if e.Slot >= 0 {
			fmt.Fprintf(&b, " slot %d", e.Slot)
		}
		fmt.Fprintf(&b, " from primary %s", e.Addr)
	default:
		fmt.Fprintf(&b, "cluster event %d", e.Kind)
	}
	return b.String()
}

func errText(err error) string {
	if err == nil {
		return "error"
	}
	return err.Error()
}

// classText renders err after its retry class, as the verbose lines name
// failures: "ConnectionError: dial 127.0.0.1:7000: connection refused".
func classText(err error) string {
	if err == nil {
		return "no error"
	}
	if c := retry.Classify(err); c != "" {
		return string(c) + ": " + err.Error()
	}
	return err.Error()
}

// plural returns "1 one" or "N many".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
