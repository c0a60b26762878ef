package redisx

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

func TestSentinelErrorMessage(t *testing.T) {
	refused := &ConnError{Op: "dial", Addr: "10.0.0.9:6379", Err: syscall.ECONNREFUSED}
	auth := &HandshakeError{Step: "AUTH", Err: &resp.RedisError{Msg: "WRONGPASS invalid username-password pair or user is disabled."}}
	tests := []struct {
		name  string
		tries []SentinelTry
		msg   string
		class retry.Class
	}{
		{"a failover in progress", []SentinelTry{
			{Sentinel: "s1:26379", Named: "10.0.0.9:6379", Err: refused},
			{Sentinel: "s2:26379", Named: "10.0.0.9:6379", Err: refused},
			{Sentinel: "s3:26379", Err: &ConnError{Op: "dial", Addr: "s3:26379", Err: syscall.ECONNREFUSED}},
		}, "no primary for mymaster from 3 sentinels: s1:26379 and s2:26379 named 10.0.0.9:6379: dial 10.0.0.9:6379: connection refused; s3:26379: dial s3:26379: connection refused",
			retry.ConnectionError},
		{"stale answers", []SentinelTry{
			{Sentinel: "s1:26379", Named: "10.0.0.8:6379", Err: &errNotPrimary{role: "slave", master: "10.0.0.7:6379"}},
		}, "no primary for mymaster from 1 sentinel: s1:26379 named 10.0.0.8:6379: it is a replica (of 10.0.0.7:6379), not the primary: a stale answer",
			retry.ConnectionError},
		{"unknown name", []SentinelTry{
			{Sentinel: "s1:26379", Err: errUnknownName},
			{Sentinel: "s2:26379", Err: errUnknownName},
		}, "no primary for mymaster from 2 sentinels: no sentinel knows a primary named mymaster (s1:26379 and s2:26379)", ""},
		{"credentials refused everywhere", []SentinelTry{
			{Sentinel: "s1:26379", Err: auth},
			{Sentinel: "s2:26379", Named: "10.0.0.9:6379", Err: auth},
		}, "no primary for mymaster from 2 sentinels: s1:26379: AUTH failed: WRONGPASS invalid username-password pair or user is disabled.; s2:26379 named 10.0.0.9:6379: AUTH failed: WRONGPASS invalid username-password pair or user is disabled.",
			retry.AuthenticationError},
		{"credentials refused by some", []SentinelTry{
			{Sentinel: "s1:26379", Err: auth},
			{Sentinel: "s2:26379", Err: &ConnError{Op: "dial", Addr: "s2:26379", Err: syscall.ECONNREFUSED}},
		}, "no primary for mymaster from 2 sentinels: s1:26379: AUTH failed: WRONGPASS invalid username-password pair or user is disabled.; s2:26379: dial s2:26379: connection refused",
			retry.ConnectionError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &SentinelError{MasterName: "mymaster", What: "primary", Tries: tt.tries}
			if got := err.Error(); got != tt.msg {
				t.Errorf("message\n got %s\nwant %s", got, tt.msg)
			}
			if got := retry.Classify(err); got != tt.class {
				t.Errorf("class %q, want %q", got, tt.class)
			}
			if retry.RequestSent(err) {
				t.Error("a search reports its request as sent")
			}
		})
	}
}

func TestNotPrimaryError(t *testing.T) {
	err := &NotPrimaryError{Addr: "10.0.0.1:6379", Reply: resp.Value{Kind: resp.KindError, Str: []byte("READONLY You can't write against a read only replica.")}}
	if got := retry.Classify(err); got != retry.ConnectionError {
		t.Errorf("class %q", got)
	}
	if retry.RequestSent(err) {
		t.Error("a refused command reports its request as sent")
	}
	var np *NotPrimaryError
	if !errors.As(&retry.Error{Err: err}, &np) {
		t.Error("not found in a retry error")
	}
}

func TestSentinelEventString(t *testing.T) {
	err := &ConnError{Op: "dial", Addr: "10.0.0.1:6379", Err: syscall.ECONNREFUSED}
	for _, tt := range []struct {
		ev   SentinelEvent
		want string
	}{
		{SentinelEvent{Kind: SentinelPrimary, Addr: "p1:6379", Sentinel: "s1:26379"},
			"primary mymaster is p1:6379 (from sentinel s1:26379)"},
		{SentinelEvent{Kind: SentinelMoved, From: "p1:6379", Addr: "p2:6379", Sentinel: "s2:26379"},
			"primary mymaster moved p1:6379 -> p2:6379 (from sentinel s2:26379)"},
		{SentinelEvent{Kind: SentinelFailed, Sentinel: "s1:26379", Err: err},
			"sentinel s1:26379: ConnectionError: dial 10.0.0.1:6379: connection refused; asking the next sentinel"},
		{SentinelEvent{Kind: SentinelStale, Sentinel: "s1:26379", Addr: "p1:6379", Err: &errNotPrimary{role: "slave"}, Last: true},
			"sentinel s1:26379 named p1:6379 as primary of mymaster: it is a replica, not the primary: a stale answer; no sentinel left to ask"},
		{SentinelEvent{Kind: SentinelStale, Sentinel: "s1:26379", Addr: "p1:6379", Err: &errNotPrimary{switched: "p2:6379"}},
			"sentinel s1:26379 named p1:6379 as primary of mymaster: +switch-master named p2:6379 since: a stale answer; asking the next sentinel"},
		{SentinelEvent{Kind: SentinelNodeFailed, Sentinel: "s1:26379", Addr: "10.0.0.1:6379", Err: err},
			"sentinel s1:26379 named 10.0.0.1:6379 as primary of mymaster, which failed: ConnectionError: dial 10.0.0.1:6379: connection refused; asking the next sentinel"},
		{SentinelEvent{Kind: SentinelUnchecked, Sentinel: "s1:26379", Addr: "p1:6379", Err: &resp.RedisError{Msg: "NOPERM no ROLE"}},
			"cannot check the role of p1:6379 (NOPERM no ROLE): taking sentinel s1:26379's word that it is the primary of mymaster"},
		{SentinelEvent{Kind: SentinelReplicaChosen, Sentinel: "s1:26379", Addr: "r1:6379", Replica: 2, Replicas: 2},
			"reading from replica r1:6379 of mymaster (2 of 2, from sentinel s1:26379)"},
		{SentinelEvent{Kind: SentinelNoReplica, Sentinel: "s1:26379", Replicas: 2},
			"no replica of mymaster to read from (sentinel s1:26379 lists 2; none is usable): reading from the primary"},
		{SentinelEvent{Kind: SentinelSwitch, Sentinel: "s1:26379", From: "p1:6379", Addr: "p2:6379"},
			"+switch-master mymaster p1:6379 -> p2:6379 (from sentinel s1:26379)"},
		{SentinelEvent{Kind: SentinelWatchLost, Sentinel: "s1:26379", Err: err, Wait: 200 * time.Millisecond},
			"+switch-master subscription to sentinel s1:26379 lost: ConnectionError: dial 10.0.0.1:6379: connection refused; subscribing again in 200ms"},
	} {
		tt.ev.MasterName = "mymaster"
		if got := tt.ev.String(); got != tt.want {
			t.Errorf("\n got %s\nwant %s", got, tt.want)
		}
	}
}
