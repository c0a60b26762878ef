package redisx

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// The waits before subscribing again after the subscription to
// +switch-master was lost: doubled after each failure, up to the cap.
const (
	watchMinWait = 100 * time.Millisecond
	watchMaxWait = 5 * time.Second
)

// Watch follows the sentinels' +switch-master announcements for the
// primary, in a goroutine of its own, until ctx ends or stop is called
// (stop waits for the goroutine to end). It subscribes on the first
// sentinel of Addrs; when that subscription is lost or cannot be made it
// reports a SentinelWatchLost event and subscribes on the next one after
// a wait (100ms, doubled up to 5s).
//
// Each switch of the primary is reported to onEvent (which may be nil),
// from that goroutine, as a SentinelSwitch event, and each lost
// subscription as a SentinelWatchLost event. From then on, SentinelClient gives up a connection to any
// other server before its next command, and DialPrimary passes over a
// sentinel that still names another server, unless no sentinel names
// the new one (a switch missed since). Once the subscription is lost,
// the sentinels' word wins in a search again, but a connection made
// before the last switch heard, to another server, stays given up.
// Without Watch, a failover is
// noticed when the old primary fails a command (reset, refused
// connection, READONLY); with it, also when the old primary still
// accepts writes for the seconds after a forced failover before the
// sentinels turn it into a replica.
//
// The subscription waits without a read deadline: a sentinel that stops
// answering without closing the connection is noticed only by TCP
// keep-alive.
func (s *Sentinel) Watch(ctx context.Context, onEvent func(SentinelEvent)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.watch(ctx, onEvent)
	}()
	return func() {
		cancel()
		<-done
	}
}

func (s *Sentinel) watch(ctx context.Context, onEvent func(SentinelEvent)) {
	report := func(ev SentinelEvent) {
		if onEvent != nil {
			ev.MasterName = s.name
			onEvent(ev)
		}
	}
	wait := watchMinWait
	for i := 0; ctx.Err() == nil; i++ {
		addrs := s.Addrs()
		sa := addrs[i%len(addrs)]
		err := s.watchOn(ctx, sa, report, func() { wait = watchMinWait })
		if ctx.Err() != nil {
			s.switched.Store(nil)
			return
		}
		// Switches may be missed until the next one is heard: the
		// sentinels' word wins meanwhile, but a connection made before
		// the last switch heard, to the old primary, stays given up.
		if sw := s.switched.Load(); sw != nil && !sw.lost {
			s.switched.CompareAndSwap(sw, &switchInfo{addr: sw.addr, lost: true})
		}
		report(SentinelEvent{Kind: SentinelWatchLost, Sentinel: sa, Err: err, Wait: wait})
		if (retry.SystemClock{}).Sleep(ctx, wait) != nil {
			return
		}
		wait = min(2*wait, watchMaxWait)
	}
}

// watchOn subscribes to +switch-master on the sentinel at sa and follows
// it until the connection fails or ctx ends; subscribed is called once
// the subscription is confirmed.
func (s *Sentinel) watchOn(ctx context.Context, sa string, report func(SentinelEvent), subscribed func()) error {
	o, err := optionsFor(s.sentOpt, sa)
	if err != nil {
		return &ConnError{Op: "dial", Addr: sa, Err: err}
	}
	conn, err := Dial(ctx, &o)
	if err != nil {
		return err
	}
	defer conn.Close()
	v, err := conn.DoStrings(ctx, "SUBSCRIBE", "+switch-master")
	if err != nil {
		return err
	}
	if v.Kind == resp.KindError {
		return &resp.RedisError{Msg: v.Text()}
	}
	subscribed()
	// The connection now only waits for messages, for as long as it
	// takes: no read deadline.
	conn.opts.Timeout = 0
	for {
		v, err := conn.ReadReply(ctx)
		if err != nil {
			return err
		}
		from, to, ok := s.parseSwitch(v)
		if !ok {
			continue
		}
		s.switched.Store(&switchInfo{addr: to})
		report(SentinelEvent{Kind: SentinelSwitch, Sentinel: sa, From: from, Addr: to})
	}
}

// parseSwitch reads a +switch-master message for this primary:
// "message", "+switch-master", "name old-ip old-port new-ip new-port".
func (s *Sentinel) parseSwitch(v resp.Value) (from, to string, ok bool) {
	if v.Len() != 3 || !strings.EqualFold(v.Elems[0].Text(), "message") || v.Elems[1].Text() != "+switch-master" {
		return "", "", false
	}
	f := strings.Fields(v.Elems[2].Text())
	if len(f) != 5 || f[0] != s.name {
		return "", "", false
	}
	return net.JoinHostPort(f[1], f[2]), net.JoinHostPort(f[3], f[4]), true
}
