package clustermgr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
)

// TestHelp compares --cluster help with redis-cli's, bytes and status.
func TestHelp(t *testing.T) {
	got := run(t, opts("help"), "", nil)
	want := cli(t, "", "--cluster", "help")
	sameAsCLI(t, "help", got, want)
	if got.out != Help() {
		t.Errorf("Help() is not what help prints")
	}
}

// TestArgumentErrors compares the errors redis-cli gives before reaching
// any server: unknown subcommands, wrong arity, unparsable addresses,
// missing options.
func TestArgumentErrors(t *testing.T) {
	// A port nothing listens on: connections are refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	_, closedPort, _ := net.SplitHostPort(closed)
	l.Close()
	for _, tc := range []struct {
		cmd  string
		args []string
		set  func(*Options)
		cli  []string
	}{
		{cmd: "bogus", args: []string{"127.0.0.1:1"}},
		{cmd: "check"},
		{cmd: "create", args: []string{"127.0.0.1:1"}},
		{cmd: "add-node", args: []string{"127.0.0.1:1"}},
		{cmd: "del-node", args: []string{"127.0.0.1:1", "id", "extra"}},
		{cmd: "check", args: []string{"nocolon"}},
		{cmd: "info", args: []string{"127.0.0.1:0"}},
		{cmd: "fix", args: []string{"127.0.0.1", "x"}},
		{cmd: "reshard", args: []string{"host:"}},
		{cmd: "rebalance", args: []string{":"}},
		{cmd: "add-node", args: []string{"nocolon", "127.0.0.1:1"}},
		{cmd: "add-node", args: []string{"127.0.0.1:1", "nocolon"}},
		{cmd: "del-node", args: []string{"nocolon", "id"}},
		{cmd: "call", args: []string{"nocolon", "PING"}},
		{cmd: "set-timeout", args: []string{"nocolon", "1000"}},
		{cmd: "set-timeout", args: []string{"127.0.0.1:1", "99"}},
		{cmd: "set-timeout", args: []string{"127.0.0.1:1", "abc"}},
		{cmd: "import", args: []string{"nocolon"}},
		{cmd: "import", args: []string{"127.0.0.1:1"}},
		{cmd: "import", args: []string{"127.0.0.1:1"}, set: func(o *Options) { o.From, o.FromSet = "nocolon", true }, cli: []string{"--cluster-from", "nocolon"}},
		{cmd: "import", args: []string{"127.0.0.1:1"}, set: func(o *Options) { o.From, o.FromSet = "", true }, cli: []string{"--cluster-from", ""}},
		{cmd: "backup", args: []string{"nocolon", "/tmp"}},
		{cmd: "create", args: []string{"nocolon", "127.0.0.1:2"}},
		{cmd: "check", args: []string{closed}},
		{cmd: "info", args: []string{"127.0.0.1", closedPort}},
		{cmd: "create", args: []string{closed, closed, closed}},
		{cmd: "call", args: []string{closed, "PING"}},
	} {
		name := tc.cmd + " " + strings.Join(tc.args, " ") + " " + strings.Join(tc.cli, " ")
		t.Run(name, func(t *testing.T) {
			o := opts(tc.cmd, tc.args...)
			if tc.set != nil {
				tc.set(&o)
			}
			got := run(t, o, "", nil)
			want := cli(t, "", append(append([]string{"--cluster", tc.cmd}, tc.args...), tc.cli...)...)
			sameAsCLI(t, name, got, want)
		})
	}
}

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in        string
		host      string
		port, bus int
		ok        bool
	}{
		{"127.0.0.1:7000@17000", "127.0.0.1", 7000, 17000, true},
		{"127.0.0.1:7000@17000,node-1.example", "127.0.0.1", 7000, 17000, true},
		{":7000@17000", "", 7000, 17000, true},
		{"::1:7000", "::1", 7000, 0, true},
		{"[::1]:7000", "::1", 7000, 0, true},
		{"[fe80::1%eth0]:7000", "fe80::1%eth0", 7000, 0, true},
		{"localhost:x", "localhost", 0, 0, true},
		{"nocolon", "", 0, 0, false},
	} {
		host, port, bus, ok := parseAddr(tc.in)
		if host != tc.host || port != tc.port || bus != tc.bus || ok != tc.ok {
			t.Errorf("parseAddr(%q) = %q %d %d %v, want %q %d %d %v", tc.in, host, port, bus, ok, tc.host, tc.port, tc.bus, tc.ok)
		}
	}
}

const nodesReply = "" +
	"07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n" +
	"67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922\n" +
	"e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 5462 [5461->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1] [93-<-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]\n" +
	"292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 connected 10923-16383\n"

func TestParseNodes(t *testing.T) {
	lines, err := parseNodes(nodesReply)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 4 || !lines[2].myself || lines[2].busPort != 31001 {
		t.Fatalf("lines: %+v", lines)
	}
	n := newNode("127.0.0.1", 30001, 0)
	n.apply(lines[2], true)
	if n.slotsCount != 5462 || !n.slots[5462] || n.slots[5461] || !n.slots[0] {
		t.Errorf("slots: %d", n.slotsCount)
	}
	if got := slotsString(&n.slots); got != "[0-5460],[5462]" {
		t.Errorf("slotsString = %q", got)
	}
	if n.migratingPeer(5461) != "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1" || !n.isImporting(93) || n.isMigrating(93) {
		t.Errorf("open slots: %+v %+v", n.migrating, n.importing)
	}
	if n.flagString() != "master" || n.configEpoch != 1 {
		t.Errorf("flags %q epoch %d", n.flagString(), n.configEpoch)
	}
	r := newNode("127.0.0.1", 30004, 0)
	r.apply(lines[0], false)
	if !r.replica || r.replicate != "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca" || r.slotsCount != 0 {
		t.Errorf("replica: %+v", r)
	}
	f := newNode("127.0.0.1", 30003, 0)
	f.apply(lines[3], false)
	if !f.failed {
		t.Errorf("fail flag not read")
	}
	// A node's own line does not clear what another node saw of it.
	f.apply(nodeLine{name: f.name, flags: "myself,master", host: "127.0.0.1", port: 30003}, true)
	if !f.failed {
		t.Errorf("fail flag lost")
	}
	if _, err := parseNodes("abc\n"); err == nil {
		t.Errorf("a line with one field parsed")
	}
}

// TestNodeJSON checks backup's nodes.json entry against redis-cli's
// layout, and that the whole file parses.
func TestNodeJSON(t *testing.T) {
	lines, _ := parseNodes(nodesReply)
	n := newNode("127.0.0.1", 30001, 0)
	n.apply(lines[2], true)
	want := `  {
    "name": "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca",
    "host": "127.0.0.1",
    "port": 30001,
    "replicate": null,
    "slots": [[0,5460],[5462]],
    "slots_count": 5462,
    "flags": "master",
    "current_epoch": 1,
    "cluster_errors": 2,
    "migrating": {"5461": "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1"},
    "importing": {"93": "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f"}
  }`
	if got := n.json(2); got != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
	r := newNode("127.0.0.1", 30004, 0)
	r.apply(lines[0], false)
	var v []map[string]any
	if err := json.Unmarshal([]byte("[\n"+n.json(0)+",\n"+r.json(0)+"\n]"), &v); err != nil {
		t.Fatalf("nodes.json does not parse: %v", err)
	}
	if v[1]["replicate"] != "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca" || v[1]["slots"] == nil {
		t.Errorf("replica entry: %v", v[1])
	}
}

func TestSlotRanges(t *testing.T) {
	var s [redisx.SlotCount]bool
	if slotsString(&s) != "" || slotRanges(&s) != nil {
		t.Errorf("empty")
	}
	s[0], s[1], s[5], s[16383] = true, true, true, true
	if got := slotsString(&s); got != "[0-1],[5],[16383]" {
		t.Errorf("got %q", got)
	}
}

// TestAssignSlots checks create's split, single precision included, on
// the primaries counts people use.
func TestAssignSlots(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{3, "0-5460 5461-10922 10923-16383"},
		{4, "0-4095 4096-8191 8192-12287 12288-16383"},
		{5, "0-3276 3277-6553 6554-9829 9830-13106 13107-16383"},
		{7, "0-2340 2341-4680 4681-7021 7022-9361 9362-11702 11703-14042 14043-16383"},
	} {
		m := newManager(&env.Env{IO: &env.IOStreams{Out: io.Discard}}, DefaultOptions())
		var masters []*node
		for range tc.n {
			masters = append(masters, newNode("127.0.0.1", 1, 0))
		}
		m.assignSlots(masters)
		var got []string
		total := 0
		for _, p := range masters {
			r := slotRanges(&p.slots)
			got = append(got, fmt.Sprintf("%d-%d", r[0].First, r[0].Last))
			total += p.slotsCount
		}
		if strings.Join(got, " ") != tc.want || total != redisx.SlotCount {
			t.Errorf("%d primaries: %s (%d slots), want %s", tc.n, strings.Join(got, " "), total, tc.want)
		}
	}
}

// TestPlan checks that the plan spreads primaries over the hosts, gives
// every other node a primary, and keeps replicas off their primaries'
// hosts when the hosts allow it.
func TestPlan(t *testing.T) {
	m := newManager(&env.Env{IO: &env.IOStreams{Out: io.Discard}}, DefaultOptions())
	for i, h := range []string{"a", "a", "b", "b", "c", "c", "c"} {
		n := newNode(h, 7000+i, 0)
		n.name = fmt.Sprintf("id%d", i)
		m.nodes = append(m.nodes, n)
	}
	if got := addrList(interleave(m.groupByIP()), " "); got != "a:7000 b:7002 c:7004 a:7001 b:7003 c:7005 c:7006" {
		t.Fatalf("interleave: %s", got)
	}
	m.plan(3, 1)
	primaries := map[string]*node{}
	for _, n := range m.nodes {
		if n.replicate == "" {
			primaries[n.name] = n
		}
	}
	if len(primaries) != 3 {
		t.Fatalf("%d primaries", len(primaries))
	}
	for _, n := range m.nodes {
		if n.replicate == "" {
			continue
		}
		p := primaries[n.replicate]
		if p == nil {
			t.Errorf("%s replicates %s, not a primary", n.addr(), n.replicate)
		} else if p.host == n.host {
			t.Errorf("%s replicates %s on the same host", n.addr(), p.addr())
		}
	}
}

func TestReshardTable(t *testing.T) {
	a, b := newNode("h", 1, 0), newNode("h", 2, 0)
	for s := range 100 {
		a.setSlot(s, true)
	}
	for s := 100; s < 150; s++ {
		b.setSlot(s, true)
	}
	table := reshardTable([]*node{b, a}, 10)
	var from []string
	for _, it := range table {
		from = append(from, fmt.Sprintf("%d:%d", it.src.port, it.slot))
	}
	// The bigger source first, rounding up (7), the other down (3).
	want := "1:0 1:1 1:2 1:3 1:4 1:5 1:6 2:100 2:101 2:102"
	if strings.Join(from, " ") != want {
		t.Errorf("table %s, want %s", strings.Join(from, " "), want)
	}
}

// TestPrimaryByPrefix: a weight names one primary; an empty prefix, a
// replica's ID or a prefix two primaries share names none.
func TestPrimaryByPrefix(t *testing.T) {
	m := &manager{}
	for i, id := range []string{"ab12", "ab34", "cd56", "ef78"} {
		n := newNode("h", i+1, 0)
		n.name = id
		m.nodes = append(m.nodes, n)
	}
	m.nodes[3].replicate = "cd56"
	for _, tc := range []struct {
		prefix string
		want   string
		many   bool
	}{
		{"AB1", "ab12", false},
		{"cd", "cd56", false},
		{"ab", "", true},
		{"", "", false},
		{"ef", "", false},
		{"ef78", "", false},
		{"99", "", false},
	} {
		n, many := m.primaryByPrefix(tc.prefix)
		got := ""
		if n != nil {
			got = n.name
		}
		if got != tc.want || many != tc.many {
			t.Errorf("primaryByPrefix(%q) = %q, %v; want %q, %v", tc.prefix, got, many, tc.want, tc.many)
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int{"12": 12, " 7x": 7, "-3": -3, "x": 0, "": 0} {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d", in, got)
		}
	}
}

func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		in   string
		yes  bool
		want bool
	}{
		{"yes\n", false, true},
		{"yesss\n", false, true},
		{"y\n", false, false},
		{"", false, false},
		{"no\n", true, true},
	} {
		o := DefaultOptions()
		o.Yes = tc.yes
		var out strings.Builder
		m := newManager(&env.Env{IO: &env.IOStreams{In: strings.NewReader(tc.in), Out: &out}}, o)
		if got, _ := m.confirm(t.Context(), "Go?", false); got != tc.want {
			t.Errorf("confirm with %q (yes=%v) = %v", tc.in, tc.yes, got)
		}
		if !tc.yes && out.String() != "Go? (type 'yes' to accept): " {
			t.Errorf("prompt %q", out.String())
		}
	}
	// fix asks whatever --cluster-yes says.
	o := DefaultOptions()
	o.Yes = true
	m := newManager(&env.Env{IO: &env.IOStreams{In: strings.NewReader("no\n"), Out: io.Discard}}, o)
	if ok, _ := m.confirm(t.Context(), "Fix?", true); ok {
		t.Errorf("forced prompt answered by --cluster-yes")
	}
}

func TestFlagsCoverHelp(t *testing.T) {
	known := map[string]bool{}
	for _, f := range Flags() {
		known["--"+f.Name] = true
	}
	for line := range strings.SplitSeq(Help(), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "--cluster-") {
			continue
		}
		name, _, _ := strings.Cut(line, " ")
		if !known[name] {
			t.Errorf("help lists %s, Flags does not", name)
		}
	}
}

// signalWriter closes written at the first write.
type signalWriter struct {
	once    sync.Once
	written chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(b)
	w.mu.Unlock()
	w.once.Do(func() { close(w.written) })
	return len(b), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestPromptInterrupted checks that Ctrl-C ends a prompt that waits for
// an answer.
func TestPromptInterrupted(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &signalWriter{written: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-out.written
		cancel()
	}()
	m := newManager(&env.Env{IO: &env.IOStreams{In: pr, Out: out}}, DefaultOptions())
	ok, err := m.confirm(ctx, "Go?", false)
	if ok || !errors.Is(err, context.Canceled) {
		t.Errorf("confirm = %v, %v", ok, err)
	}
	// The prompt's line ends, so "Interrupted ..." starts a line.
	if got := out.String(); got != "Go? (type 'yes' to accept): \n" {
		t.Errorf("output %q", got)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := p.String(); got != "retries=3 backoff=exponential(base=100ms,cap=1s) on=ConnectionError,TimeoutError,TryAgainError sent=safe" {
		t.Errorf("policy %s", got)
	}
}
