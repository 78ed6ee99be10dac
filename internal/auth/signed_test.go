package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSigner(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	s := NewSigner(key)
	now := time.Unix(1_800_000_000, 0)
	tok := s.Sign("claim", now.Add(time.Hour), "urn:uuid:1", "kim@example.org")
	fields, exp, err := s.Open("claim", tok, now)
	if err != nil || len(fields) != 2 || fields[0] != "urn:uuid:1" || fields[1] != "kim@example.org" || !exp.Equal(now.Add(time.Hour)) {
		t.Fatalf("Open = %q %v %v", fields, exp, err)
	}
	other := NewSigner([]byte(strings.Repeat("o", 32)))
	p, m, _ := strings.Cut(tok, ".")
	forged := s.Sign("claim", now.Add(time.Hour), "urn:uuid:1", "eve@example.org")
	fp, _, _ := strings.Cut(forged, ".")
	for _, c := range []struct {
		name, purpose, token string
		signer               *Signer
		at                   time.Time
		want                 error
	}{
		{"other purpose", "reset", tok, s, now, ErrLinkInvalid},
		{"other key", "claim", tok, other, now, ErrLinkInvalid},
		{"payload swapped", "claim", fp + "." + m, s, now, ErrLinkInvalid},
		{"mac cut", "claim", p + "." + m[:5], s, now, ErrLinkInvalid},
		{"no dot", "claim", p, s, now, ErrLinkInvalid},
		{"garbage", "claim", "!!.??", s, now, ErrLinkInvalid},
		{"at expiry", "claim", tok, s, now.Add(time.Hour), ErrLinkExpired},
		{"long", "claim", strings.Repeat("a", 5000) + "." + m, s, now, ErrLinkInvalid},
	} {
		if _, _, err := c.signer.Open(c.purpose, c.token, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func FuzzSignerOpen(f *testing.F) {
	s := NewSigner([]byte(strings.Repeat("k", 32)))
	f.Add(s.Sign("claim", time.Unix(2_000_000_000, 0), "a", "b"))
	f.Add("x.y")
	f.Fuzz(func(t *testing.T, tok string) {
		fields, _, err := s.Open("claim", tok, time.Unix(1_800_000_000, 0))
		if err == nil && len(fields) != 2 {
			t.Fatalf("forged token accepted: %q", tok)
		}
	})
}
