package redisx_test

import (
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

func TestHashSlot(t *testing.T) {
	tests := []struct {
		key  string
		want int
	}{
		{"123456789", 0x31C3 % 16384}, // the CRC16/XMODEM check value
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"x{foo}y", 12182},      // the tag decides
		{"{foo}{bar}", 12182},   // only the first tag counts
		{"{}foo", 9500},         // an empty tag is no tag
		{"foo{{bar}}zap", 4015}, // the tag is "{bar"
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := redisx.HashSlot([]byte(tt.key)); got != tt.want {
				t.Errorf("HashSlot(%q) = %d, want %d", tt.key, got, tt.want)
			}
		})
	}
}

func TestHashSlotMatchesServer(t *testing.T) {
	srv := redistest.Start(t, redistest.WithCluster())
	keys := []string{
		"123456789", "foo", "bar", "{user1000}.following", "foo{}{bar}",
		"foo{{bar}}zap", "foo{bar}{zap}", "{", "}{", "{}", "a{b", "\xff\x00\x10",
		strings.Repeat("long", 100),
	}
	for _, k := range keys {
		reply := srv.Do(t, "CLUSTER", "KEYSLOT", k)
		if reply.Kind != resp.KindInt {
			t.Fatalf("CLUSTER KEYSLOT %q: %v", k, reply.Str)
		}
		if got := redisx.HashSlot([]byte(k)); got != int(reply.Int) {
			t.Errorf("HashSlot(%q) = %d, server says %d", k, got, reply.Int)
		}
	}
}

func BenchmarkHashSlot(b *testing.B) {
	key := []byte("{user1000}.following")
	for b.Loop() {
		redisx.HashSlot(key)
	}
}
