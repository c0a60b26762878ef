package cmd

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/internal/faultproxy"
)

// The model-based fault test: a seeded random script of writes, reads and
// transactions runs through redish while the proxy injects random resets
// (before and after the request reached the server), stalls and reset
// connections. redish's output says, for each command, that it ran, that
// it did not, or that it may have run; the server's final state must agree
// with every one of these statements, and no transaction may have run in
// part.
//
// CI runs it with a fixed seed; scripts/fuzz.sh runs it with random ones
// (REDISH_MODEL_SEED).

// modelSeed is the seed CI runs with.
const modelSeed = 20240611

// modelOp is one command of the script.
type modelOp struct {
	kind  string // INCR, RPUSH, SET, GET, LLEN, MULTI, EXEC
	key   string
	value string // RPUSH and SET: unique in the script
	tx    int    // the transaction (1-based) the command is queued in, 0 if none
	size  int    // EXEC: the commands queued
}

func (o modelOp) line() string {
	switch o.kind {
	case "MULTI", "EXEC":
		return o.kind
	case "RPUSH", "SET":
		return o.kind + " " + o.key + " " + o.value
	}
	return o.kind + " " + o.key
}

// modelScript returns a random script: single writes, reads and MULTI
// blocks of one to three writes. Every key shares one hash tag, so the
// script runs in cluster mode too.
func modelScript(rng *rand.Rand, steps int) []modelOp {
	var ops []modelOp
	n := 0
	write := func(tx int) modelOp {
		n++
		v := "v" + strconv.Itoa(n)
		switch rng.IntN(3) {
		case 0:
			return modelOp{kind: "INCR", key: fmt.Sprintf("{m}c%d", rng.IntN(3)), tx: tx}
		case 1:
			return modelOp{kind: "RPUSH", key: fmt.Sprintf("{m}l%d", rng.IntN(2)), value: v, tx: tx}
		}
		return modelOp{kind: "SET", key: fmt.Sprintf("{m}s%d", rng.IntN(2)), value: v, tx: tx}
	}
	txs := 0
	for range steps {
		switch r := rng.IntN(10); {
		case r < 6:
			ops = append(ops, write(0))
		case r < 8:
			if rng.IntN(2) == 0 {
				ops = append(ops, modelOp{kind: "GET", key: fmt.Sprintf("{m}s%d", rng.IntN(2))})
			} else {
				ops = append(ops, modelOp{kind: "LLEN", key: fmt.Sprintf("{m}l%d", rng.IntN(2))})
			}
		default:
			txs++
			size := 1 + rng.IntN(3)
			ops = append(ops, modelOp{kind: "MULTI", tx: txs})
			for range size {
				ops = append(ops, write(txs))
			}
			ops = append(ops, modelOp{kind: "EXEC", tx: txs, size: size})
		}
	}
	return ops
}

// The outcomes redish reports for a command.
const (
	ranOK   = "ran"
	notRan  = "did not run"
	mayHave = "may have run"
)

// modelOutcomes walks the script along redish's output (stdout and
// stderr in one stream, in order) and returns each command's outcome;
// for a queued command, that of its transaction.
func modelOutcomes(t *testing.T, ops []modelOp, out string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if out == "" {
		lines = nil
	}
	var rest []string
	for _, l := range lines {
		if !strings.Contains(l, " may run twice: ") { // --retry-sent all reports
			rest = append(rest, l)
		}
	}
	lines = rest
	failure := func(l string) bool {
		return strings.HasPrefix(l, "Error: ") || strings.HasPrefix(l, "Could not connect")
	}
	outcome := make([]string, len(ops))
	txOutcome := map[int]string{}
	next := 0
	for i, op := range ops {
		if next >= len(lines) {
			// The run ended (a server that cannot be reached): nothing
			// after it was sent.
			outcome[i] = notRan
			if op.tx > 0 {
				txOutcome[op.tx] = notRan
			}
			continue
		}
		l := lines[next]
		next++
		if failure(l) {
			switch {
			case strings.Contains(l, " may have run: "):
				outcome[i] = mayHave
			default:
				outcome[i] = notRan
			}
			if op.tx > 0 && (op.kind == "EXEC" || outcome[i] == notRan) {
				if _, set := txOutcome[op.tx]; !set || op.kind == "EXEC" && txOutcome[op.tx] != notRan {
					txOutcome[op.tx] = outcome[i]
				}
			}
			continue
		}
		switch op.kind {
		case "MULTI":
			if l != "OK" {
				t.Fatalf("line %d: MULTI printed %q", next, l)
			}
		case "EXEC":
			next += op.size - 1 // one line per queued command
			if txOutcome[op.tx] == "" {
				txOutcome[op.tx] = ranOK
			}
		default:
			if op.tx > 0 && l != "QUEUED" {
				t.Fatalf("line %d: %s printed %q inside MULTI", next, op.line(), l)
			}
		}
		outcome[i] = ranOK
	}
	if next < len(lines) {
		t.Fatalf("%d lines of output left after the script: %q", len(lines)-next, lines[next:])
	}
	for i, op := range ops {
		if op.tx > 0 && op.kind != "MULTI" {
			if o := txOutcome[op.tx]; o != "" {
				outcome[i] = o
			}
		}
	}
	return outcome
}

// modelCheck compares the server's final state with the outcomes. resent
// counts, per command label, the re-sends reported under --retry-sent
// all: each may have made one command of that label run twice.
func modelCheck(t *testing.T, fx *faultFixture, ops []modelOp, outcome []string, resent map[string]int) {
	t.Helper()
	counters := map[string][2]int{} // key -> ran for sure, may have run
	pushed := map[string]string{}   // value -> outcome
	lists := map[string]bool{}
	sets := map[string][]int{} // key -> SET ops, in order
	txValues := map[int][]string{}
	for i, op := range ops {
		o := outcome[i]
		switch op.kind {
		case "INCR":
			c := counters[op.key]
			switch o {
			case ranOK:
				c[0]++
			case mayHave:
				c[1]++
			}
			counters[op.key] = c
		case "RPUSH":
			pushed[op.value] = o
			lists[op.key] = true
			if op.tx > 0 {
				txValues[op.tx] = append(txValues[op.tx], op.value)
			}
		case "SET":
			sets[op.key] = append(sets[op.key], i)
		}
	}
	for _, k := range []string{"{m}c0", "{m}c1", "{m}c2"} {
		got, _ := strconv.Atoi(fx.srv.Do(t, "GET", k).Text())
		c := counters[k]
		// A transaction sent again may have run its INCR twice too.
		extra := resent["INCR "+k] + 3*resent["EXEC"]
		if got < c[0] || got > c[0]+c[1]+extra {
			t.Errorf("%s = %d: %d INCR ran, %d may have run, %d re-sent", k, got, c[0], c[1], extra)
		}
	}
	count := map[string]int{}
	for k := range lists {
		for _, v := range fx.srv.Do(t, "LRANGE", k, "0", "-1").Elems {
			count[v.Text()]++
		}
	}
	for v, o := range pushed {
		n := count[v]
		switch {
		case o == ranOK && n < 1, o == notRan && n != 0, o == mayHave && n > 1 && len(resent) == 0:
			t.Errorf("RPUSH %s: reported %q, found %d times", v, o, n)
		case n > 1 && len(resent) == 0:
			t.Errorf("RPUSH %s ran %d times, reported %q", v, n, o)
		}
	}
	for tx, values := range txValues {
		n := 0
		for _, v := range values {
			if count[v] > 0 {
				n++
			}
		}
		if n != 0 && n != len(values) {
			t.Errorf("transaction %d ran in part: %d of %q", tx, n, values)
		}
	}
	for k, idx := range sets {
		got := fx.srv.Do(t, "GET", k).Text()
		// The value is that of the last SET that ran, or of a SET after
		// it that may have run.
		last := -1
		for _, i := range idx {
			if outcome[i] == ranOK {
				last = i
			}
		}
		ok := last < 0 && got == ""
		for _, i := range idx {
			if i >= last && outcome[i] != notRan && ops[i].value == got {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s = %q: not the value of its last SET that ran (%d) or of one that may have run after it", k, got, last)
		}
	}
}

// modelFaults returns the proxy's random schedule: resets before and
// after the request reached the server, stalls (until --timeout) and
// connections reset as they open.
func modelFaults(seed uint64) faultproxy.Fault {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return faultproxy.Func(func(r faultproxy.Request) faultproxy.Fault {
		mu.Lock()
		defer mu.Unlock()
		x := rng.Float64()
		if r.Accept {
			if x < 0.05 {
				return faultproxy.ResetOnConnect()
			}
			return faultproxy.Pass()
		}
		switch {
		case x < 0.03:
			return faultproxy.ResetBeforeSend()
		case x < 0.06:
			return faultproxy.ResetAfterSend()
		case x < 0.065:
			return faultproxy.Stall()
		}
		return faultproxy.Pass()
	})
}

// TestModelFaults runs the model test in every mode that reads commands,
// under --retry-sent safe and all.
func TestModelFaults(t *testing.T) {
	seed := uint64(modelSeed)
	if s := os.Getenv("REDISH_MODEL_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("REDISH_MODEL_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (REDISH_MODEL_SEED=%d reproduces it)", seed, seed)
	standalone := newFaultFixture(t, false)
	cluster := newFaultFixture(t, true)
	ops := modelScript(rand.New(rand.NewPCG(seed, 1)), 80)
	var script strings.Builder
	for _, op := range ops {
		script.WriteString(op.line() + "\n")
	}
	for i, m := range []struct {
		name    string
		fx      *faultFixture
		flags   []string
		oneShot bool // each command is a run of its own (no transactions)
	}{
		{"one-shot", standalone, nil, true},
		{"cluster one-shot", cluster, nil, true},
		{"stdin", standalone, nil, false},
		{"stdin --window 1", standalone, []string{"--window", "1"}, false},
		{"stdin, all", standalone, []string{"--retry-sent", "all"}, false},
		{"cluster", cluster, nil, false},
		{"cluster --window 1", cluster, []string{"--window", "1"}, false},
		{"cluster --window 1, all", cluster, []string{"--window", "1", "--retry-sent", "all"}, false},
	} {
		t.Run(m.name, func(t *testing.T) {
			fx := m.fx
			fx.reset(t)
			fx.srv.Do(t, "DEL", "{m}c0", "{m}c1", "{m}c2", "{m}l0", "{m}l1", "{m}s0", "{m}s1")
			fx.proxy.Set(modelFaults(seed + uint64(i)))
			args := []string{"-p", strconv.Itoa(fx.proxy.Port())}
			if fx.cluster != nil {
				args = []string{"-c", "-p", strconv.Itoa(fx.srv.Port)}
			}
			args = append(args, "--retries", "3", "--timeout", "150ms")
			ops := ops
			var out string
			if m.oneShot {
				var single []modelOp
				for _, op := range ops {
					if op.tx == 0 {
						single = append(single, op)
						out += runCombined(t, "", append(append(args, m.flags...), strings.Fields(op.line())...)...)
					}
				}
				ops = single
			} else {
				out = runCombined(t, script.String(), append(args, m.flags...)...)
			}
			fx.proxy.Set(faultproxy.Pass())
			outcome := modelOutcomes(t, ops, out)
			resent := map[string]int{}
			for _, l := range strings.Split(out, "\n") {
				if label, _, ok := strings.Cut(l, " may run twice: "); ok {
					if strings.HasPrefix(label, "EXEC ") {
						label = "EXEC"
					}
					resent[label]++
				}
			}
			counts := map[string]int{}
			for _, o := range outcome {
				counts[o]++
			}
			t.Logf("%d commands: %d ran, %d did not, %d may have run; %d resets", len(ops), counts[ranOK], counts[notRan], counts[mayHave], fx.proxy.Resets())
			modelCheck(t, fx, ops, outcome, resent)
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
	if t.Failed() {
		t.Logf("reproduce with REDISH_MODEL_SEED=%d", seed)
	}
}

// runCombined runs redish in-process with stdout and stderr in one
// stream, so that each command's reply or failure is in script order.
func runCombined(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
	defer cancel()
	ios, _, _ := Test(stdin)
	out := &lockedBuffer{}
	ios.Out, ios.ErrOut = out, out
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, ios) }()
	select {
	case <-done:
		if ctx.Err() != nil {
			t.Fatalf("redish ran for over %v", cellTimeout)
		}
	case <-time.After(cellTimeout + 5*time.Second):
		t.Fatalf("redish did not end")
	}
	return out.String()
}
