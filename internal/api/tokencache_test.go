package api

import (
	"testing"
	"time"
)

func TestTokenCache(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	key := [32]byte{1}
	c := &caller{scopes: []string{ScopeCredentialRead}}
	cases := []struct {
		name    string
		expires time.Time // the token's expiry
		at      time.Time
		epoch   uint64
		hit     bool
	}{
		{"fresh", t0.Add(time.Hour), t0.Add(time.Second), 7, true},
		{"just before the TTL", t0.Add(time.Hour), t0.Add(tokenCacheTTL - time.Millisecond), 7, true},
		{"TTL reached", t0.Add(time.Hour), t0.Add(tokenCacheTTL), 7, false},
		{"token expired", t0.Add(2 * time.Second), t0.Add(3 * time.Second), 7, false},
		{"epoch moved (revocation on this node)", t0.Add(time.Hour), t0.Add(time.Second), 8, false},
		{"clock went back", t0.Add(time.Hour), t0.Add(-time.Second), 7, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc2 := newTokenCache(true)
			tc2.put(key, c, tc.expires, t0, 7)
			got, ok := tc2.get(key, tc.at, tc.epoch)
			if ok != tc.hit || (ok && got != c) {
				t.Errorf("get = %v, %v; want hit %v", got, ok, tc.hit)
			}
			if !tc.hit && tc2.len() != 0 {
				t.Error("a stale entry was kept")
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		off := newTokenCache(false)
		off.put(key, c, t0.Add(time.Hour), t0, 1)
		if _, ok := off.get(key, t0, 1); ok {
			t.Error("a disabled cache hit")
		}
	})
	t.Run("bounded", func(t *testing.T) {
		tc := newTokenCache(true)
		for i := range 3 * tokenCacheSize {
			var k [32]byte
			k[0], k[1], k[2] = byte(i), byte(i>>8), byte(i>>16)
			tc.put(k, c, t0.Add(time.Hour), t0, 1)
			if tc.len() > tokenCacheSize {
				t.Fatalf("%d entries, bound %d", tc.len(), tokenCacheSize)
			}
		}
	})
}
