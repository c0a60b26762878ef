package clustermgr

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"

	"github.com/redish/redish/resp"
)

// brokenSlot is the slot the fix tests break: "aga" hashes to it, on the
// first primary of a three-primary cluster.
const brokenSlot = 609

// TestCheckAndFix breaks one cluster in the ways redis-cli's check finds
// and fix repairs, one after the other: a healthy check, an open slot in
// each stage of a move, uncovered slots with and without keys, and a
// slot with two owners. Where the output is deterministic, check and fix
// print what redis-cli prints: each broken state is made twice, once for
// redis-cli and once for redish.
func TestCheckAndFix(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t, 3, 0)
	a, b := c.Nodes[0], c.Nodes[1]
	addr := a.Addr()
	if redisx.HashSlot([]byte("aga")) != brokenSlot || c.NodeForSlot(t, brokenSlot) != a {
		t.Fatalf("slot %d is not on the first node", brokenSlot)
	}
	aID, bID := myID(t, a), myID(t, b)
	s := itoa(brokenSlot)
	set := func(t *testing.T) {
		t.Helper()
		if v := c.NodeForKey(t, "aga").Do(t, "SET", "aga", "xyz"); v.Kind == resp.KindError {
			t.Fatalf("SET aga: %s", v.Str)
		}
	}
	get := func(t *testing.T) {
		t.Helper()
		if v := c.NodeForKey(t, "aga").Do(t, "GET", "aga"); v.Text() != "xyz" {
			t.Errorf("GET aga after the fix: %s %q", v.Kind, v.Str)
		}
	}
	fill(t, addr, "k", 100)

	t.Run("healthy", func(t *testing.T) {
		r := run(t, opts("check", addr), "", nil)
		mustOK(t, "check", r)
		sameAsCLI(t, "check", r, cli(t, "", "--cluster", "check", addr))
		if a.IPv6 {
			// An IPv6 address in brackets is the address without them.
			v6 := run(t, opts("check", "::1:"+itoa(a.Port)), "", nil)
			mustOK(t, "check ::1", v6)
			if r := run(t, opts("check", "[::1]:"+itoa(a.Port)), "", nil); r != v6 {
				t.Errorf("check [::1]:%d: status %d\n%s%s\nwant\n%s", a.Port, r.code, r.out, r.err, v6.out)
			}
		}
		o := opts("check", addr)
		o.SearchMultipleOwners = true
		r = run(t, o, "", nil)
		mustOK(t, "check --cluster-search-multiple-owners", r)
		if !strings.HasSuffix(r.out, ">>> Check for multiple slot owners...\n[OK] No multiple owners found.\n") {
			t.Errorf("search:\n%s", r.out)
		}
	})

	// Refusals that change nothing print what redis-cli prints.
	t.Run("refusals", func(t *testing.T) {
		plain := redistest.Start(t)
		lone := redistest.Start(t, redistest.WithCluster())
		for _, args := range [][]string{
			{"check", plain.Addr()},
			{"info", plain.Addr()},
			{"check", lone.Addr()},
			{"del-node", addr, "0123456789012345678901234567890123456789"},
			{"reshard", addr, "--cluster-to", "nosuch", "--cluster-slots", "10", "--cluster-from", "all"},
			{"reshard", addr, "--cluster-to", bID, "--cluster-slots", "10", "--cluster-from", bID},
			{"reshard", addr, "--cluster-to", bID, "--cluster-slots", "10", "--cluster-from", ","},
			{"rebalance", addr, "--cluster-weight", "nosuch=2"},
			{"add-node", plain.Addr(), addr},
			{"add-node", lone.Addr(), addr, "--cluster-slave", "--cluster-master-id", "nosuch"},
			{"import", addr, "--cluster-from", addr},
		} {
			o := opts(args[0])
			var positional []string
			for i := 1; i < len(args); i++ {
				switch args[i] {
				case "--cluster-to":
					i++
					o.To, o.ToSet = args[i], true
				case "--cluster-from":
					i++
					o.From, o.FromSet = args[i], true
				case "--cluster-slots":
					i++
					o.Slots = atoi(args[i])
				case "--cluster-weight":
					i++
					o.Weights = append(o.Weights, args[i])
				case "--cluster-slave":
					o.Replica = true
				case "--cluster-master-id":
					i++
					o.MasterID, o.MasterSet = args[i], true
				default:
					positional = append(positional, args[i])
				}
			}
			o.Args = positional
			got := run(t, o, "", nil)
			want := cli(t, "", append([]string{"--cluster"}, args...)...)
			sameAsCLI(t, strings.Join(args, " "), got, want)
			if got.code != 1 {
				t.Errorf("%s: status %d", strings.Join(args, " "), got.code)
			}
		}
	})

	// reshard asks what the options do not say; answering no to the plan
	// changes nothing.
	t.Run("reshard prompts", func(t *testing.T) {
		for _, dialogue := range [][]exchange{
			{
				{"How many slots do you want to move (from 1 to 16384)? ", "0\n"},
				{"How many slots do you want to move (from 1 to 16384)? ", "7\n"},
				{"What is the receiving node ID? ", bID + "\n"},
				{"Source node #1: ", "all\n"},
				{"Do you want to proceed with the proposed reshard plan (yes/no)? ", "no\n"},
			},
			{
				{"How many slots do you want to move (from 1 to 16384)? ", "3\n"},
				{"What is the receiving node ID? ", bID + "\n"},
				{"Source node #1: ", aID + "\n"},
				{"Source node #2: ", bID + "\n"},
				{"Source node #2: ", "done\n"},
				{"Do you want to proceed with the proposed reshard plan (yes/no)? ", "nope\n"},
			},
			{
				{"How many slots do you want to move (from 1 to 16384)? ", "3\n"},
				{"What is the receiving node ID? ", "nosuch\n"},
			},
		} {
			got := run(t, opts("reshard", addr), answers(dialogue), nil)
			want := cliDialogue(t, dialogue, "--cluster", "reshard", addr)
			sameAsCLI(t, "reshard", got, want)
			if got.code != 1 {
				t.Errorf("reshard: status %d", got.code)
			}
		}
	})

	// Each case breaks the cluster with break, then compares check and
	// fix with redis-cli's, then checks the repair.
	for _, tc := range []struct {
		name  string
		fix   string // a line fix must print
		input string
		brk   func(t *testing.T)
	}{
		{"migrating only", ">>> Case 4: Closing slot 609 on " + addr, "", func(t *testing.T) {
			a.Do(t, "CLUSTER", "SETSLOT", s, "MIGRATING", bID)
		}},
		{"importing only", ">>> Case 2: Moving all the 609 slot keys to its owner " + addr, "", func(t *testing.T) {
			b.Do(t, "CLUSTER", "SETSLOT", s, "IMPORTING", aID)
		}},
		{"migrating and importing", ">>> Case 1: Moving slot 609 from " + addr + " to " + b.Addr(), "", func(t *testing.T) {
			b.Do(t, "CLUSTER", "SETSLOT", s, "IMPORTING", aID)
			a.Do(t, "CLUSTER", "SETSLOT", s, "MIGRATING", bID)
		}},
		{"key moved, slot open", ">>> No single clear owner for the slot, selecting an owner by # of keys...", "", func(t *testing.T) {
			b.Do(t, "CLUSTER", "SETSLOT", s, "IMPORTING", aID)
			a.Do(t, "CLUSTER", "SETSLOT", s, "MIGRATING", bID)
			if v := a.Do(t, "MIGRATE", b.Host, itoa(b.Port), "aga", "0", "10000"); v.Text() != "OK" {
				t.Fatalf("MIGRATE: %s %q", v.Kind, v.Str)
			}
		}},
		{"uncovered without keys", ">>> Covering slot 100 with ", "yes\n", func(t *testing.T) {
			for _, n := range c.Nodes {
				n.Do(t, "CLUSTER", "DELSLOTSRANGE", "100", "102")
			}
		}},
		{"uncovered with keys", ">>> Covering slot 609 with " + addr, "yes\n", func(t *testing.T) {
			for _, n := range c.Nodes {
				n.Do(t, "CLUSTER", "DELSLOTS", s)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var check [2]result
			var fix [2]result
			for i := range 2 {
				o := opts("fix", addr)
				giveSlot(t, c, brokenSlot, a)
				set(t)
				tc.brk(t)
				if i == 0 {
					check[0] = cli(t, "", "--cluster", "check", addr)
					fix[0] = cli(t, tc.input, "--cluster", "fix", addr)
				} else {
					check[1] = run(t, opts("check", addr), "", nil)
					fix[1] = run(t, o, tc.input, nil)
				}
				t.Logf("fix %d: status %d\n%s%s", i, fix[i].code, fix[i].out, fix[i].err)
				waitCheck(t, addr)
				get(t)
			}
			if check[1].code != 1 {
				t.Errorf("check of a broken cluster: status %d\n%s", check[1].code, check[1].out)
			}
			sameAsCLI(t, "check", check[1], check[0])
			mustOK(t, "fix", fix[1])
			if !strings.Contains(fix[1].out, tc.fix) {
				t.Errorf("fix does not say %q:\n%s", tc.fix, fix[1].out)
			}
			if !strings.Contains(tc.name, "uncovered without") {
				// Random node: the output differs from run to run.
				sameAsCLI(t, "fix", fix[1], fix[0])
			}
			if good := verify(t, addr, "k", 100); good != 100 {
				t.Errorf("%d of 100 keys after the fix", good)
			}
		})
	}

	// fix asks before covering slots, even with --cluster-yes; "no"
	// leaves them uncovered.
	t.Run("fix declined", func(t *testing.T) {
		for _, n := range c.Nodes {
			n.Do(t, "CLUSTER", "DELSLOTSRANGE", "200", "203")
		}
		want := cli(t, "no\n", "--cluster", "fix", addr, "--cluster-yes")
		o := opts("fix", addr)
		o.Yes = true
		got := run(t, o, "no\n", nil)
		sameAsCLI(t, "fix answered no", got, want)
		if got.code != 1 || !strings.Contains(got.out, "The following uncovered slots have no keys across the cluster:\n[200-203]\nFix these slots by covering with a random node? (type 'yes' to accept): ") {
			t.Errorf("fix answered no: %d\n%s", got.code, got.out)
		}
		mustOK(t, "fix", run(t, o, "yes\n", nil))
		waitCheck(t, addr)
	})

	t.Run("two owners", func(t *testing.T) {
		giveSlot(t, c, brokenSlot, a)
		set(t)
		// b gets a key of slot 609 while a owns it.
		b.Do(t, "CLUSTER", "SETSLOT", s, "IMPORTING", aID)
		nc, err := redisx.Dial(t.Context(), &redisx.Options{Host: b.Host, Port: b.Port})
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if v, err := nc.DoStrings(t.Context(), "ASKING"); err != nil || v.Text() != "OK" {
			t.Fatalf("ASKING: %v %q", err, v.Str)
		}
		if v, err := nc.DoStrings(t.Context(), "SET", "{aga}2", "other"); err != nil || v.Text() != "OK" {
			t.Fatalf("SET on the importing node: %v %q", err, v.Str)
		}
		b.Do(t, "CLUSTER", "SETSLOT", s, "STABLE")

		// Without the search, check sees nothing wrong.
		mustOK(t, "check", run(t, opts("check", addr), "", nil))
		o := opts("check", addr)
		o.SearchMultipleOwners = true
		got := run(t, o, "", nil)
		sameAsCLI(t, "check --cluster-search-multiple-owners", got, cli(t, "", "--cluster", "check", addr, "--cluster-search-multiple-owners"))
		if got.code != 1 || !strings.Contains(got.out, "[WARNING] Slot 609 has 2 owners:\n    "+addr+"\n    "+b.Addr()+"\n") {
			t.Errorf("check --cluster-search-multiple-owners: %d\n%s", got.code, got.out)
		}
		o.JSON = true
		got = run(t, o, "", nil)
		var rep Report
		if err := json.Unmarshal([]byte(got.out), &rep); err != nil || got.code != 1 || rep.Check == nil {
			t.Fatalf("check --json --cluster-search-multiple-owners: %d %v\n%s", got.code, err, got.out)
		}
		if owners := rep.Check.MultipleOwners[s]; len(owners) != 2 || owners[0] != addr || owners[1] != b.Addr() {
			t.Errorf("multiple_owners: %v", rep.Check.MultipleOwners)
		}
		o.JSON = false
		o.Command = "fix"
		r := run(t, o, "", nil)
		mustOK(t, "fix --cluster-search-multiple-owners", r)
		if !strings.Contains(r.out, ">>> Fixing multiple owners for slot 609...\n") {
			t.Errorf("fix:\n%s", r.out)
		}
		waitCheck(t, addr)
		o.Command = "check"
		mustOK(t, "check --cluster-search-multiple-owners after fix", run(t, o, "", nil))
		get(t)
		if v := c.NodeForKey(t, "{aga}2").Do(t, "GET", "{aga}2"); v.Text() != "other" {
			t.Errorf("GET {aga}2: %s %q", v.Kind, v.Str)
		}
	})

	// A key that is on both sides of a move (BUSYKEY): replaced when the
	// values are equal, refused when they differ, replaced anyway with
	// --cluster-replace.
	t.Run("busy keys", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			value   string // of aga on b
			replace bool
			ok      bool
			says    string
		}{
			{"same value", "xyz", false, true, "*** Target key exists\n*** Checking key values on both nodes...\n*** Replacing target keys...\n"},
			{"different value", "other", false, false, "*** Found 1 key(s) in both source node and target node having different values.\n    Source node: " + addr + "\n    Target node: " + b.Addr() + "\n    Keys(s):\n    - aga\n"},
			{"different value, replace", "other", true, true, "*** Target key exists\n*** Replacing target keys...\n"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				giveSlot(t, c, brokenSlot, a)
				set(t)
				b.Do(t, "CLUSTER", "SETSLOT", s, "IMPORTING", aID)
				nc, err := redisx.Dial(t.Context(), &redisx.Options{Host: b.Host, Port: b.Port})
				if err != nil {
					t.Fatal(err)
				}
				nc.DoStrings(t.Context(), "ASKING")
				if v, err := nc.DoStrings(t.Context(), "SET", "aga", tc.value); err != nil || v.Text() != "OK" {
					t.Fatalf("SET on b: %v %q", err, v.Str)
				}
				nc.Close()
				b.Do(t, "CLUSTER", "SETSLOT", s, "STABLE")

				o := opts("reshard", addr)
				o.Replace = tc.replace
				e, out, errOut := testEnv("", testConn(), nil)
				m := newManager(e, o)
				defer m.closeAll()
				if ok, err := m.load(t.Context(), a.Host, a.Port); !ok || err != nil {
					t.Fatalf("load: %v\n%s", err, errOut)
				}
				src, dst := m.byName(aID), m.byName(bID)
				ok, msg, err := m.moveSlot(t.Context(), src, dst, brokenSlot, moveOpts{dots: true, capture: true})
				if err != nil || ok != tc.ok || !strings.Contains(out.String(), tc.says) {
					t.Errorf("move: %v %q %v\n%s", ok, msg, err, out)
				}
				want := "xyz" // the source's value wins
				if !tc.ok {
					// The slot stays open, and fix refuses the same way
					// until told to replace: then one value wins.
					r := run(t, opts("fix", addr), "", nil)
					if r.code != 1 || !strings.Contains(r.out, "Please fix the above key(s) manually") {
						t.Errorf("fix: %d\n%s", r.code, r.out)
					}
					fo := opts("fix", addr)
					fo.Replace = true
					mustOK(t, "fix --cluster-replace", run(t, fo, "", nil))
					want = ""
				}
				waitCheck(t, addr)
				if v := c.NodeForKey(t, "aga").Do(t, "GET", "aga"); want != "" && v.Text() != want || v.Text() != "xyz" && v.Text() != tc.value {
					t.Errorf("GET aga: %q, want %q", v.Str, want)
				}
			})
		}
	})

	t.Run("json", func(t *testing.T) {
		giveSlot(t, c, brokenSlot, a)
		o := opts("info", addr)
		o.JSON = true
		r := run(t, o, "", nil)
		mustOK(t, "info --json", r)
		var rep Report
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
			t.Fatalf("info --json: %v\n%s", err, r.out)
		}
		keys := 0
		for _, n := range c.Nodes {
			keys += int(n.Do(t, "DBSIZE").Int)
		}
		if len(rep.Nodes) != 3 || rep.Primaries != 3 || rep.Keys != keys || rep.Check != nil || r.err != "" {
			t.Errorf("info --json (%d keys):\n%s\n%s", keys, r.out, r.err)
		}
		n := rep.Nodes[0]
		inRanges := 0
		for _, r := range n.Slots {
			inRanges += r[1] - r[0] + 1
		}
		if n.Addr != addr || n.ID != aID || n.Role != "primary" || n.Keys == nil || n.SlotsCount < 5000 || inRanges != n.SlotsCount {
			t.Errorf("first node: %+v", n)
		}

		a.Do(t, "CLUSTER", "SETSLOT", s, "MIGRATING", bID)
		o.Command = "check"
		r = run(t, o, "", nil)
		rep = Report{}
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil || r.code != 1 {
			t.Fatalf("check --json of a broken cluster: status %d, %v\n%s", r.code, err, r.out)
		}
		want := "[WARNING] Node " + addr + " has slots in migrating state 609."
		if c := rep.Check; c == nil || c.OK || !c.Consistent || len(c.OpenSlots) != 1 || c.OpenSlots[0] != brokenSlot || len(c.Errors) != 1 || c.Errors[0] != want {
			t.Errorf("check --json: %+v", rep.Check)
		}
		if got := rep.Nodes[0].Migrating[s]; got != bID {
			t.Errorf("migrating: %v", rep.Nodes[0].Migrating)
		}
		mustOK(t, "fix", run(t, opts("fix", addr), "", nil))
		waitCheck(t, addr)
		r = run(t, o, "", nil)
		mustOK(t, "check --json", r)
		if !strings.Contains(r.out, `"check": {
    "ok": true,
    "consistent": true,
    "open_slots": [],
    "uncovered_slots": [],
    "errors": []
  }`) {
			t.Errorf("check --json of a healthy cluster:\n%s", r.out)
		}
	})

	// A source named twice gives its share once (the plan moved each of
	// its slots twice, and the second move failed). A move the target
	// refuses leaves no slot open, and the run does not say it does.
	t.Run("source twice", func(t *testing.T) {
		waitCheck(t, addr)
		o := opts("reshard", addr)
		o.From, o.FromSet = aID+","+aID, true
		o.To, o.ToSet = bID, true
		o.Slots, o.Yes = 2, true
		r := run(t, o, "", nil)
		mustOK(t, "reshard from a source named twice", r)
		if n := strings.Count(r.out, "\nMoving slot "); n != 2 || r.err != "" {
			t.Errorf("%d slots moved, want 2\n%s%s", n, r.out, r.err)
		}
		waitCheck(t, addr)

		m := newManager(&env.Env{Conn: testConn(), Retry: &retry.Retry{}}, opts("reshard", addr))
		defer m.closeAll()
		if ok, err := m.loadFromArgs(t.Context(), []string{addr}); !ok || err != nil {
			t.Fatalf("load: %v %v", ok, err)
		}
		owner, other := m.byName(aID), m.byName(bID)
		if c.NodeForSlot(t, brokenSlot) != a {
			t.Fatalf("slot %d moved", brokenSlot)
		}
		ok, msg, err := m.moveSlot(t.Context(), other, owner, brokenSlot, moveOpts{quiet: true, capture: true})
		if ok || err != nil || !strings.Contains(msg, "already the owner") {
			t.Fatalf("move to the owner: %v %q %v", ok, msg, err)
		}
		if m.moving != nil {
			t.Errorf("a refused move is reported as left open: slot %d", m.moving.slot)
		}
	})

}

// giveSlot moves slot, with its keys, to the primary to, as a clean
// reshard would, and waits until the cluster agrees.
func giveSlot(t *testing.T, c *redistest.Cluster, slot int, to *redistest.Server) {
	t.Helper()
	from := c.NodeForSlot(t, slot)
	if from == to {
		return
	}
	// A node taking a slot bumps its epoch above the highest it knows:
	// it must know the latest bump, or an older claim may win the slot
	// back from it.
	waitFor(t, "agreement on epochs", func() string { return epochsSettled(c.Nodes) })
	s, toID := itoa(slot), myID(t, to)
	to.Do(t, "CLUSTER", "SETSLOT", s, "IMPORTING", myID(t, from))
	from.Do(t, "CLUSTER", "SETSLOT", s, "MIGRATING", toID)
	for {
		keys := from.Do(t, "CLUSTER", "GETKEYSINSLOT", s, "100")
		if len(keys.Elems) == 0 {
			break
		}
		args := []string{"MIGRATE", to.Host, itoa(to.Port), "", "0", "10000", "KEYS"}
		for _, k := range keys.Elems {
			args = append(args, k.Text())
		}
		if v := from.Do(t, args...); v.Text() != "OK" {
			t.Fatalf("MIGRATE: %s %q", v.Kind, v.Str)
		}
	}
	for _, n := range append([]*redistest.Server{to, from}, c.Nodes...) {
		n.Do(t, "CLUSTER", "SETSLOT", s, "NODE", toID)
	}
	waitCheck(t, c.Nodes[0].Addr())
	waitFor(t, "agreement on epochs", func() string { return epochsSettled(c.Nodes) })
}

// epochsSettled reports "" when every node has the same current epoch
// and the same view of every node's config epoch.
func epochsSettled(nodes []*redistest.Server) string {
	var first string
	for i, n := range nodes {
		info, err := n.Call("CLUSTER", "INFO")
		if err != nil {
			return err.Error()
		}
		current := infoField(info.Text(), "cluster_current_epoch")
		v, err := n.Call("CLUSTER", "NODES")
		if err != nil {
			return err.Error()
		}
		var epochs []string
		for line := range strings.SplitSeq(strings.TrimSpace(v.Text()), "\n") {
			f := strings.Fields(line)
			if len(f) > 6 {
				epochs = append(epochs, f[0]+"="+f[6])
			}
		}
		sig := itoa(current) + " " + strings.Join(sortStrings(epochs), " ")
		if i == 0 {
			first = sig
		} else if sig != first {
			return n.Addr() + ": " + sig + " vs " + first
		}
	}
	return ""
}
