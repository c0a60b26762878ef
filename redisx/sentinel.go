package redisx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// DefaultSentinelPort is the port of a sentinel address given without
// one.
const DefaultSentinelPort = 26379

// DefaultSentinelTimeout bounds connecting to a sentinel and each of its
// replies, and checking the role of the server it names, when the
// options give no timeout: a sentinel that hangs must not hang the
// search for the primary, which the other sentinels can answer.
const DefaultSentinelTimeout = 2 * time.Second

// SentinelOptions say how to find a primary, and its replicas, through
// Redis Sentinel.
type SentinelOptions struct {
	// MasterName is the name the sentinels monitor the primary under.
	MasterName string
	// Addrs are the sentinels, "host:port", asked in this order. The one
	// that last named the primary moves to the front.
	Addrs []string
	// Sentinel is how to connect to a sentinel: credentials (User,
	// Password), TLS, timeouts. Host, Port and Socket are taken from
	// Addrs; the database, client name and protocol are not used (the
	// sentinels are asked in RESP2). Zero timeouts mean
	// DefaultSentinelTimeout.
	Sentinel Options
	// OnEvent, when set, receives what the searches for the primary and
	// the replicas find (see SentinelEvent), from the goroutine that
	// searches: for --verbose. Watch reports to its own callback.
	OnEvent func(SentinelEvent)
}

// Sentinel finds the primary and the replicas of one monitored primary
// through a list of sentinels, as redis-py's Sentinel and go-redis's
// FailoverClient do, and checks what it is told: the primary a sentinel
// names must say ROLE master, or the next sentinel is asked.
//
// Its methods may be called from several goroutines at once.
type Sentinel struct {
	name    string
	sentOpt Options
	onEvent atomic.Pointer[func(SentinelEvent)]

	mu      sync.Mutex
	addrs   []string // the sentinels, the last one that answered first
	primary string   // the primary last found, "" before the first search
	rr      int      // round robin over the replicas

	// switched is the primary the last +switch-master named (see Watch);
	// connections to another server are then given up.
	switched atomic.Pointer[switchInfo]
}

// switchInfo is what Watch learnt of the primary's moves.
type switchInfo struct {
	// addr is the primary the last +switch-master named, or, once lost
	// is set, the one a search found since.
	addr string
	// lost is set when the subscription was lost after the switch: a
	// later switch may have been missed, so the sentinels' word wins in
	// a search, but connections to another server than addr are still
	// given up (they were made before the switch).
	lost bool
}

// NewSentinel returns a Sentinel for o. It connects to nothing yet.
func NewSentinel(o SentinelOptions) (*Sentinel, error) {
	if o.MasterName == "" {
		return nil, errors.New("sentinel: no primary name given (the name the sentinels monitor it under, such as mymaster)")
	}
	if len(o.Addrs) == 0 {
		return nil, errors.New("sentinel: no sentinel address given")
	}
	so := o.Sentinel
	so.Socket, so.DB, so.Name, so.Protocol, so.ForceProtocol = "", 0, "", 2, false
	if so.ConnectTimeout <= 0 {
		so.ConnectTimeout = DefaultSentinelTimeout
	}
	if so.Timeout <= 0 {
		so.Timeout = DefaultSentinelTimeout
	}
	s := &Sentinel{
		name:    o.MasterName,
		sentOpt: so,
		addrs:   append([]string(nil), o.Addrs...),
	}
	s.SetOnEvent(o.OnEvent)
	return s, nil
}

// Quiet returns a Sentinel that asks the same sentinels about the same
// primary and reports nothing: for connections of the caller's own, such
// as the shell's key completion, whose searches are not the user's.
func (s *Sentinel) Quiet() *Sentinel {
	return &Sentinel{name: s.name, sentOpt: s.sentOpt, addrs: s.Addrs()}
}

// SetOnEvent replaces the options' OnEvent (:verbose in the shell); nil
// silences the events.
func (s *Sentinel) SetOnEvent(f func(SentinelEvent)) {
	if f == nil {
		s.onEvent.Store(nil)
		return
	}
	s.onEvent.Store(&f)
}

// Switched returns the primary the last +switch-master named, while Watch
// follows them; "" otherwise.
func (s *Sentinel) Switched() string {
	if a := s.switched.Load(); a != nil {
		return a.addr
	}
	return ""
}

// MasterName returns the name of the primary the sentinels are asked
// about.
func (s *Sentinel) MasterName() string { return s.name }

// Addrs returns the sentinels in the order they are asked now.
func (s *Sentinel) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...)
}

// Primary returns the address of the primary as last found, "" before
// the first search.
func (s *Sentinel) Primary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.primary
}

// ParseSentinelAddrs reads sentinel addresses as --sentinel takes them:
// each value may hold several, separated by commas; each is host:port or
// a host alone (port 26379); IPv6 hosts go in brackets ("[::1]:26379").
// It returns them as "host:port", in order, without duplicates.
func ParseSentinelAddrs(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				return nil, fmt.Errorf("sentinel address %q: empty address", v)
			}
			addr, err := parseSentinelAddr(a)
			if err != nil {
				return nil, err
			}
			if !containsString(out, addr) {
				out = append(out, addr)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no sentinel address given")
	}
	return out, nil
}

func parseSentinelAddr(a string) (string, error) {
	host, port := a, ""
	switch {
	case strings.HasPrefix(a, "["):
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", fmt.Errorf("sentinel address %q: missing ']' after an IPv6 address", a)
		}
		host, port = a[1:end], a[end+1:]
		if port != "" {
			if port[0] != ':' {
				return "", fmt.Errorf("sentinel address %q: expected ':port' after ']'", a)
			}
			port = port[1:]
		}
	case strings.Count(a, ":") == 1:
		host, port, _ = strings.Cut(a, ":")
	case strings.Count(a, ":") > 1:
		return "", fmt.Errorf("sentinel address %q: an IPv6 address must be written in brackets, as in [::1]:26379", a)
	}
	if host == "" {
		return "", fmt.Errorf("sentinel address %q: no host", a)
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; c <= ' ' || c == 0x7f || strings.IndexByte("[]#,/?@", c) >= 0 {
			return "", fmt.Errorf("sentinel address %q: invalid character %q in the host", a, c)
		}
	}
	n := DefaultSentinelPort
	if port != "" {
		var err error
		n, err = parseDigits(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("sentinel address %q: port must be a number from 1 to 65535", a)
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// optionsFor returns o pointed at addr ("host:port").
func optionsFor(o Options, addr string) (Options, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return o, err
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return o, fmt.Errorf("address %s: bad port", addr)
	}
	o.Host, o.Port, o.Socket = host, n, ""
	return o, nil
}

// dialSentinel connects to the sentinel at addr with the sentinel
// options.
func (s *Sentinel) dialSentinel(ctx context.Context, addr string) (*Conn, error) {
	o, err := optionsFor(s.sentOpt, addr)
	if err != nil {
		return nil, &ConnError{Op: "dial", Addr: addr, Err: err}
	}
	return Dial(ctx, &o)
}

// askPrimary asks the sentinel on conn for the primary's address:
// "host:port", or "" when it knows no primary by that name.
func (s *Sentinel) askPrimary(ctx context.Context, conn *Conn) (string, error) {
	v, err := conn.DoStrings(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", s.name)
	if err != nil {
		return "", err
	}
	switch {
	case v.Kind == resp.KindError:
		return "", &resp.RedisError{Msg: v.Text()}
	case v.Kind == resp.KindNil:
		return "", nil
	case v.Len() != 2:
		return "", fmt.Errorf("unexpected reply to SENTINEL GET-MASTER-ADDR-BY-NAME: %s", v.Kind)
	}
	port := v.Elems[1].Text()
	if v.Elems[1].Kind == resp.KindInt {
		port = strconv.FormatInt(v.Elems[1].Int, 10)
	}
	return net.JoinHostPort(v.Elems[0].Text(), port), nil
}

// SentinelTry is what one sentinel answered during a search.
type SentinelTry struct {
	// Sentinel is the sentinel's address.
	Sentinel string
	// Named is the server it named ("" when it named none).
	Named string
	// Err is what went wrong: with the sentinel when Named is empty,
	// with the server it named otherwise.
	Err error
}

// SentinelError is a search through the sentinels that found no usable
// server: no sentinel answered, none knew the name, or the servers they
// named failed or were not what they should be. Tries say what each
// sentinel answered.
//
// Its retry class is ConnectionError (a failover in progress, sentinels
// down: trying again later may work), except when every sentinel, or
// every server they named, refused the credentials (AuthenticationError,
// never retried) or no sentinel knew the primary's name (no class: a
// mistake to fix, not to wait out).
type SentinelError struct {
	MasterName string
	// What is "primary" or "replica".
	What  string
	Tries []SentinelTry
}

func (e *SentinelError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no %s for %s from %s: ", e.What, e.MasterName, plural(len(e.Tries), "sentinel", "sentinels"))
	if e.unknown() {
		fmt.Fprintf(&b, "no sentinel knows a primary named %s (%s)", e.MasterName, joinAnd(e.sentinels(e.Tries)))
		return b.String()
	}
	// Sentinels that said the same thing share one clause: during a
	// failover they all name the server that is gone.
	type clause struct {
		named, msg string
		tries      []SentinelTry
	}
	var clauses []*clause
	for _, t := range e.Tries {
		msg := ""
		if t.Err != nil {
			msg = t.Err.Error()
		}
		var c *clause
		for _, x := range clauses {
			if x.named == t.Named && x.msg == msg {
				c = x
			}
		}
		if c == nil {
			c = &clause{named: t.Named, msg: msg}
			clauses = append(clauses, c)
		}
		c.tries = append(c.tries, t)
	}
	for i, c := range clauses {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(joinAnd(e.sentinels(c.tries)))
		if c.named != "" {
			fmt.Fprintf(&b, " named %s", c.named)
		}
		if c.msg != "" {
			b.WriteString(": ")
			b.WriteString(c.msg)
		}
	}
	return b.String()
}

func (e *SentinelError) sentinels(tries []SentinelTry) []string {
	out := make([]string, len(tries))
	for i, t := range tries {
		out[i] = t.Sentinel
	}
	return out
}

// joinAnd returns "a", "a and b" or "a, b and c".
func joinAnd(list []string) string {
	if len(list) <= 1 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// unknown reports whether every sentinel answered that it knows no
// primary by that name.
func (e *SentinelError) unknown() bool {
	if len(e.Tries) == 0 {
		return false
	}
	for _, t := range e.Tries {
		if t.Named != "" || !errors.Is(t.Err, errUnknownName) {
			return false
		}
	}
	return true
}

// authFailure returns the first refusal of the credentials when every
// sentinel, or every server they named, refused them; nil otherwise.
func (e *SentinelError) authFailure() error {
	var first error
	for _, t := range e.Tries {
		if retry.Classify(t.Err) != retry.AuthenticationError {
			return nil
		}
		if first == nil {
			first = t.Err
		}
	}
	return first
}

// Unwrap returns the refusal of the credentials when every sentinel
// refused them, so that the search is classified as an
// AuthenticationError; nil otherwise.
func (e *SentinelError) Unwrap() error { return e.authFailure() }

// ConnectionFailure reports that the search may succeed later: see the
// type's comment.
func (e *SentinelError) ConnectionFailure() bool {
	return len(e.Tries) > 0 && !e.unknown() && e.authFailure() == nil
}

// RequestSent reports false: nothing of the caller's command was sent.
func (e *SentinelError) RequestSent() bool { return false }

// errUnknownName is a sentinel's empty answer for the primary's name.
var errUnknownName = errors.New("knows no primary by that name")

// errNotPrimary is the failure of a server a sentinel named as the
// primary that says it is not one.
type errNotPrimary struct {
	role   string // "slave", "sentinel", ...
	master string // for a replica, its primary ("host:port"), if known
	// switched, when set, is the primary a +switch-master named since:
	// the sentinel's answer is older than that.
	switched string
}

func (e *errNotPrimary) Error() string {
	switch {
	case e.switched != "":
		return "+switch-master named " + e.switched + " since: a stale answer"

	case e.role == "slave" && e.master != "":
		return "it is a replica (of " + e.master + "), not the primary: a stale answer"
	case e.role == "slave":
		return "it is a replica, not the primary: a stale answer"
	}
	return "it says its role is " + e.role + ", not master"
}

// NotPrimaryError is the reply of a server that is no longer the primary
// (READONLY), turned into a failure so that the next attempt asks the
// sentinels again: the command did not run. When the retries are spent,
// the reply is returned as the command's reply.
type NotPrimaryError struct {
	Addr  string     // the server that answered
	Reply resp.Value // its error reply
}

func (e *NotPrimaryError) Error() string {
	return e.Addr + " is no longer the primary: " + e.Reply.Text()
}

// ConnectionFailure reports true: the connection is given up and the
// primary found again.
func (e *NotPrimaryError) ConnectionFailure() bool { return true }

// RequestSent reports false: the server refused the command, which did
// not run.
func (e *NotPrimaryError) RequestSent() bool { return false }

// stepContext bounds one step of a search (a sentinel's answer, the
// check of the server it named) when the options give no bound.
func stepContext(ctx context.Context, o *Options) (context.Context, context.CancelFunc) {
	if o.ConnectTimeout > 0 && o.Timeout > 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultSentinelTimeout)
}

// DialPrimary finds the primary and connects to it with o (the data
// node's credentials, database, protocol, TLS; Host and Port are
// replaced): it asks the sentinels in order for the primary's address,
// connects, runs the handshake and checks ROLE. A sentinel that names a
// server that is not the primary (a stale answer), or one that fails, is
// passed over for the next. On success o names the primary; otherwise
// its Host and Port are cleared and the error is a *SentinelError that
// says what each sentinel answered.
func (s *Sentinel) DialPrimary(ctx context.Context, o *Options) (*Conn, error) {
	addrs := s.Addrs()
	failed := map[string]error{} // servers that failed in this search
	serr := &SentinelError{MasterName: s.name, What: "primary"}
	var behind *switchInfo // the switch some sentinel had not heard of
	// passed are the sentinels passed over, reported when another one
	// names the primary; when none does, the error says it all.
	var passed []SentinelEvent
	for i, sa := range addrs {
		last := i == len(addrs)-1
		addr, err := s.askSentinel(ctx, sa)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			serr.Tries = append(serr.Tries, SentinelTry{Sentinel: sa, Err: err})
			passed = append(passed, SentinelEvent{Kind: SentinelFailed, Sentinel: sa, Err: err, Last: last})
			continue
		}
		if sw := s.switched.Load(); sw != nil && !sw.lost && sw.addr != addr {
			// A sentinel that has not heard of the switch yet.
			behind = sw
			err := &errNotPrimary{switched: sw.addr}
			serr.Tries = append(serr.Tries, SentinelTry{Sentinel: sa, Named: addr, Err: err})
			passed = append(passed, SentinelEvent{Kind: SentinelStale, Sentinel: sa, Addr: addr, Err: err, Last: last})
			continue
		}
		if ferr, ok := failed[addr]; ok {
			serr.Tries = append(serr.Tries, SentinelTry{Sentinel: sa, Named: addr, Err: ferr})
			continue
		}
		conn, err := s.dialNamed(ctx, o, sa, addr)
		if err == nil {
			for _, ev := range passed {
				s.event(ev)
			}
			s.found(sa, addr)
			if sw := s.switched.Load(); sw != nil && sw.lost && sw.addr != addr {
				// The sentinels' word after a lost subscription: the
				// connections to another server are given up.
				s.switched.CompareAndSwap(sw, &switchInfo{addr: addr, lost: true})
			}
			*o, _ = optionsFor(*o, addr)
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		failed[addr] = err
		serr.Tries = append(serr.Tries, SentinelTry{Sentinel: sa, Named: addr, Err: err})
		kind := SentinelNodeFailed
		var np *errNotPrimary
		if errors.As(err, &np) {
			kind = SentinelStale
		}
		passed = append(passed, SentinelEvent{Kind: kind, Sentinel: sa, Addr: addr, Err: err, Last: last})
	}
	if behind != nil {
		// No sentinel names the server the switch named: the sentinels'
		// word wins from the next search on (a later switch may have
		// been missed).
		s.switched.CompareAndSwap(behind, nil)
	}
	// No server is known now: the failure is the search's, not that of
	// the server o named before (retry events leave the node out).
	o.Host, o.Port = "", 0
	return nil, serr
}

// askSentinel asks the sentinel at sa for the primary's address.
func (s *Sentinel) askSentinel(ctx context.Context, sa string) (string, error) {
	sc, err := s.dialSentinel(ctx, sa)
	if err != nil {
		return "", err
	}
	defer sc.Close()
	addr, err := s.askPrimary(ctx, sc)
	if err == nil && addr == "" {
		err = errUnknownName
	}
	return addr, err
}

// dialNamed connects to addr, which sentinel sa named as the primary, and
// checks that it is one.
func (s *Sentinel) dialNamed(ctx context.Context, o *Options, sa, addr string) (*Conn, error) {
	no, err := optionsFor(*o, addr)
	if err != nil {
		return nil, &ConnError{Op: "dial", Addr: addr, Err: err}
	}
	sctx, cancel := stepContext(ctx, &no)
	defer cancel()
	conn, err := Dial(sctx, &no)
	if err != nil {
		return nil, err
	}
	v, err := conn.DoStrings(sctx, "ROLE")
	if err != nil {
		conn.Close()
		return nil, err
	}
	if v.Kind == resp.KindError {
		// A user without the permission to run ROLE (it is an admin
		// command): the sentinel's word is all there is.
		s.event(SentinelEvent{Kind: SentinelUnchecked, Sentinel: sa, Addr: addr, Err: &resp.RedisError{Msg: v.Text()}})
		return conn, nil
	}
	if role := roleOf(v); role != "master" {
		conn.Close()
		return nil, &errNotPrimary{role: role, master: replicaOf(v)}
	}
	return conn, nil
}

// roleOf returns the first element of a ROLE reply.
func roleOf(v resp.Value) string {
	if v.Len() == 0 {
		return "unknown"
	}
	return v.Elems[0].Text()
}

// replicaOf returns the primary of a replica's ROLE reply ("host:port"),
// "" for another role.
func replicaOf(v resp.Value) string {
	if roleOf(v) != "slave" || v.Len() < 3 {
		return ""
	}
	port := v.Elems[2].Text()
	if v.Elems[2].Kind == resp.KindInt {
		port = strconv.FormatInt(v.Elems[2].Int, 10)
	}
	return net.JoinHostPort(v.Elems[1].Text(), port)
}

// found records that sentinel sa named addr, which is the primary: the
// sentinel moves to the front of the list, and a new address is
// reported.
func (s *Sentinel) found(sa, addr string) {
	s.mu.Lock()
	prev := s.primary
	s.primary = addr
	for i, a := range s.addrs {
		if a == sa {
			copy(s.addrs[1:i+1], s.addrs[:i])
			s.addrs[0] = sa
			break
		}
	}
	s.mu.Unlock()
	switch {
	case prev == "":
		s.event(SentinelEvent{Kind: SentinelPrimary, Sentinel: sa, Addr: addr})
	case prev != addr:
		s.event(SentinelEvent{Kind: SentinelMoved, Sentinel: sa, Addr: addr, From: prev})
	}
}

func (s *Sentinel) event(ev SentinelEvent) {
	if f := s.onEvent.Load(); f != nil {
		ev.MasterName = s.name
		(*f)(ev)
	}
}

// SentinelReplica is a replica as a sentinel lists it (SENTINEL
// REPLICAS).
type SentinelReplica struct {
	Addr string
	// Flags are the sentinel's flags for it: "slave", and "s_down",
	// "o_down", "disconnected" when it is not usable.
	Flags []string
	// Fields are every field the sentinel gave, by name.
	Fields map[string]string
}

// Usable reports whether reads may go to the replica: none of s_down,
// o_down, disconnected among its flags (as go-redis decides).
func (r SentinelReplica) Usable() bool {
	for _, f := range r.Flags {
		if f == "s_down" || f == "o_down" || f == "disconnected" {
			return false
		}
	}
	return true
}

// Replicas asks the sentinels in order for the primary's replicas and
// returns the first list one of them gives, with that sentinel's address.
func (s *Sentinel) Replicas(ctx context.Context) ([]SentinelReplica, string, error) {
	serr := &SentinelError{MasterName: s.name, What: "replica list"}
	for _, sa := range s.Addrs() {
		reps, err := s.askReplicas(ctx, sa)
		if err == nil {
			return reps, sa, nil
		}
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		serr.Tries = append(serr.Tries, SentinelTry{Sentinel: sa, Err: err})
	}
	return nil, "", serr
}

func (s *Sentinel) askReplicas(ctx context.Context, sa string) ([]SentinelReplica, error) {
	sc, err := s.dialSentinel(ctx, sa)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	v, err := sc.DoStrings(ctx, "SENTINEL", "REPLICAS", s.name)
	if err != nil {
		return nil, err
	}
	if v.Kind == resp.KindError {
		if strings.Contains(v.Text(), "No such master") {
			return nil, errUnknownName
		}
		return nil, &resp.RedisError{Msg: v.Text()}
	}
	var out []SentinelReplica
	for _, f := range fieldMaps(v) {
		out = append(out, SentinelReplica{
			Addr:   net.JoinHostPort(f["ip"], f["port"]),
			Flags:  strings.Split(f["flags"], ","),
			Fields: f,
		})
	}
	return out, nil
}

// fieldMaps reads a list of instances as SENTINEL REPLICAS, SENTINELS
// and MASTERS give them (each a flat field-value list, or a map in
// RESP3).
func fieldMaps(v resp.Value) []map[string]string {
	out := make([]map[string]string, 0, len(v.Elems))
	for _, e := range v.Elems {
		out = append(out, fieldMap(e))
	}
	return out
}

// fieldMap reads one instance (SENTINEL MASTER, or an element of
// fieldMaps).
func fieldMap(v resp.Value) map[string]string {
	m := make(map[string]string, len(v.Elems)/2)
	for i := 0; i+1 < len(v.Elems); i += 2 {
		m[v.Elems[i].Text()] = valueText(v.Elems[i+1])
	}
	return m
}

// valueText returns a scalar reply as text, integers included.
func valueText(v resp.Value) string {
	if v.Kind == resp.KindInt {
		return strconv.FormatInt(v.Int, 10)
	}
	return v.Text()
}

// DialReplica connects with o to a replica of the primary, chosen round
// robin among those the first answering sentinel lists as usable (not
// s_down, o_down nor disconnected). A replica that fails is passed over
// for the next; with none left, or none usable, it connects to the
// primary (DialPrimary) and says so in an event. On success o names the
// server.
func (s *Sentinel) DialReplica(ctx context.Context, o *Options) (*Conn, error) {
	reps, sa, err := s.Replicas(ctx)
	if err != nil {
		return nil, err
	}
	var usable []SentinelReplica
	for _, r := range reps {
		if r.Usable() {
			usable = append(usable, r)
		}
	}
	s.mu.Lock()
	start := s.rr
	s.rr++
	s.mu.Unlock()
	var lastErr error
	for k := range usable {
		i := (start + k) % len(usable)
		r := usable[i]
		no, err := optionsFor(*o, r.Addr)
		if err != nil {
			lastErr = err
			continue
		}
		sctx, cancel := stepContext(ctx, &no)
		conn, err := Dial(sctx, &no)
		cancel()
		if err == nil {
			*o = no
			s.event(SentinelEvent{Kind: SentinelReplicaChosen, Sentinel: sa, Addr: r.Addr, Replica: i + 1, Replicas: len(usable)})
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr = err
	}
	s.event(SentinelEvent{Kind: SentinelNoReplica, Sentinel: sa, Err: lastErr, Replicas: len(reps)})
	return s.DialPrimary(ctx, o)
}

// SentinelEventKind says what a SentinelEvent reports.
type SentinelEventKind uint8

// Sentinel event kinds.
const (
	// SentinelPrimary: the primary was found for the first time (Addr,
	// Sentinel).
	SentinelPrimary SentinelEventKind = iota + 1
	// SentinelMoved: the primary was found at another address than
	// before (From, Addr, Sentinel).
	SentinelMoved
	// SentinelFailed: a sentinel could not be asked, or gave no answer
	// (Sentinel, Err, Last).
	SentinelFailed
	// SentinelStale: a sentinel named a server that is not the primary
	// (Sentinel, Addr, Err, Last).
	SentinelStale
	// SentinelNodeFailed: the server a sentinel named could not be
	// reached (Sentinel, Addr, Err, Last).
	SentinelNodeFailed
	// SentinelUnchecked: the role of the server a sentinel named could
	// not be checked; it is taken as the primary (Sentinel, Addr, Err).
	SentinelUnchecked
	// SentinelReplicaChosen: reads go to a replica (Addr, Replica of
	// Replicas, Sentinel).
	SentinelReplicaChosen
	// SentinelNoReplica: no replica could be used; reads go to the
	// primary (Sentinel, Replicas listed, Err of the last one tried).
	SentinelNoReplica
	// SentinelSwitch: a sentinel announced +switch-master (From, Addr,
	// Sentinel).
	SentinelSwitch
	// SentinelWatchLost: the subscription to +switch-master on a
	// sentinel was lost or could not be made (Sentinel, Err, Wait).
	SentinelWatchLost
)

// SentinelEvent is one step of finding the primary or a replica worth
// telling a user who asked for --verbose. String renders it as one line.
type SentinelEvent struct {
	Kind       SentinelEventKind
	MasterName string
	// Sentinel is the sentinel concerned.
	Sentinel string
	// Addr is the server concerned: found, named, chosen or switched to.
	Addr string
	// From is the primary before a move or switch.
	From string
	// Err is what went wrong.
	Err error
	// Last is true when no sentinel is left to ask in this search.
	Last bool
	// Replica and Replicas number the chosen replica among the usable
	// ones (SentinelReplicaChosen), or count those listed
	// (SentinelNoReplica).
	Replica, Replicas int
	// Wait is the pause before subscribing again (SentinelWatchLost).
	Wait time.Duration
}

// String renders e as the line --verbose prints, for example
//
//	primary mymaster moved 127.0.0.1:6380 -> 127.0.0.1:6381 (from sentinel 127.0.0.1:26380)
//	sentinel 127.0.0.1:26379 named 127.0.0.1:6380 as primary of mymaster: it is a replica (of 127.0.0.1:6381), not the primary: a stale answer; asking the next sentinel
func (e SentinelEvent) String() string {
	next := "; asking the next sentinel"
	if e.Last {
		next = "; no sentinel left to ask"
	}
	switch e.Kind {
	case SentinelPrimary:
		return fmt.Sprintf("primary %s is %s (from sentinel %s)", e.MasterName, e.Addr, e.Sentinel)
	case SentinelMoved:
		return fmt.Sprintf("primary %s moved %s -> %s (from sentinel %s)", e.MasterName, e.From, e.Addr, e.Sentinel)
	case SentinelFailed:
		return fmt.Sprintf("sentinel %s: %s%s", e.Sentinel, classText(e.Err), next)
	case SentinelStale:
		return fmt.Sprintf("sentinel %s named %s as primary of %s: %s%s", e.Sentinel, e.Addr, e.MasterName, errText(e.Err), next)
	case SentinelNodeFailed:
		return fmt.Sprintf("sentinel %s named %s as primary of %s, which failed: %s%s", e.Sentinel, e.Addr, e.MasterName, classText(e.Err), next)
	case SentinelUnchecked:
		return fmt.Sprintf("cannot check the role of %s (%s): taking sentinel %s's word that it is the primary of %s", e.Addr, errText(e.Err), e.Sentinel, e.MasterName)
	case SentinelReplicaChosen:
		return fmt.Sprintf("reading from replica %s of %s (%d of %d, from sentinel %s)", e.Addr, e.MasterName, e.Replica, e.Replicas, e.Sentinel)
	case SentinelNoReplica:
		why := "none is usable"
		if e.Err != nil {
			why = "the last one tried failed: " + classText(e.Err)
		}
		return fmt.Sprintf("no replica of %s to read from (sentinel %s lists %d; %s): reading from the primary", e.MasterName, e.Sentinel, e.Replicas, why)
	case SentinelSwitch:
		return fmt.Sprintf("+switch-master %s %s -> %s (from sentinel %s)", e.MasterName, e.From, e.Addr, e.Sentinel)
	case SentinelWatchLost:
		return fmt.Sprintf("+switch-master subscription to sentinel %s lost: %s; subscribing again in %v", e.Sentinel, classText(e.Err), e.Wait)
	}
	return fmt.Sprintf("sentinel event %d", e.Kind)
}
