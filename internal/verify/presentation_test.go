package verify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
)

func TestPresentation(t *testing.T) {
	issuer := testKey(t)
	holder, _ := keys.FromSeed([]byte(strings.Repeat("h", 32)), "")
	var good, expired map[string]any
	_ = json.Unmarshal(signed(t, issuer, proof.SuiteRDFC, sample(issuer)), &good)
	exp := sample(issuer)
	exp["validUntil"] = "2026-06-01T00:00:00Z"
	_ = json.Unmarshal(signed(t, issuer, proof.SuiteRDFC, exp), &expired)
	jwt := string(signed(t, issuer, "jwt", sample(issuer)))

	vp := func(holderID string, creds ...any) map[string]any {
		return map[string]any{
			"@context":             []any{contextV2},
			"type":                 []any{"VerifiablePresentation"},
			"holder":               holderID,
			"verifiableCredential": creds,
		}
	}
	sign := func(doc map[string]any, kp *keys.KeyPair, challenge, domain string) []byte {
		s, err := proof.Sign(doc, kp, proof.Options{ProofPurpose: "authentication", Challenge: challenge, Domain: domain, Created: testNow.Add(-time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return mustJSON(s)
	}
	po := PresentationOptions{Challenge: "c-123", Domain: "verifier.example"}
	cases := []struct {
		name     string
		data     []byte
		po       PresentationOptions
		verdict  Verdict
		check    string // a presentation check and its state
		state    State
		perCreds []Verdict
	}{
		{"holder proof and credentials verified", sign(vp(holder.Controller, good, "data:application/vc+jwt,"+jwt), holder, "c-123", "verifier.example"), po, Verified, "holder", Passed, []Verdict{Verified, Verified}},
		{"enveloped JWT credential", sign(vp(holder.Controller, map[string]any{"@context": []any{contextV2}, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + jwt}), holder, "c-123", "verifier.example"), po, Verified, "holder proof", Passed, []Verdict{Verified}},
		{"wrong challenge", sign(vp(holder.Controller, good), holder, "other", "verifier.example"), po, NotVerified, "holder proof", Failed, []Verdict{Verified}},
		{"wrong domain", sign(vp(holder.Controller, good), holder, "c-123", "evil.example"), po, NotVerified, "holder proof", Failed, []Verdict{Verified}},
		{"signed by someone other than the holder", sign(vp(holder.Controller, good), issuer, "c-123", "verifier.example"), po, NotVerified, "holder", Failed, []Verdict{Verified}},
		{"challenge requested, presentation unsigned", mustJSON(vp(holder.Controller, good)), po, NotVerified, "holder proof", Failed, []Verdict{Verified}},
		{"unsigned, nothing requested", mustJSON(vp(holder.Controller, good)), PresentationOptions{}, Verified, "holder proof", Warning, []Verdict{Verified}},
		{"one credential expired", sign(vp(holder.Controller, good, expired), holder, "c-123", "verifier.example"), po, NotVerified, "holder", Passed, []Verdict{Verified, NotVerified}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Presentation(context.Background(), tc.data, Options{Keys: &did.Resolver{}, Now: testNow}, tc.po)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s: %+v", rep.Verdict, tc.verdict, rep.Checks)
			}
			var c *Check
			for i := range rep.Checks {
				if rep.Checks[i].Name == tc.check {
					c = &rep.Checks[i]
				}
			}
			if c == nil || c.State != tc.state {
				t.Errorf("check %q: %+v, want %s", tc.check, rep.Checks, tc.state)
			}
			if len(rep.Credentials) != len(tc.perCreds) {
				t.Fatalf("%d credential reports, want %d", len(rep.Credentials), len(tc.perCreds))
			}
			for i, v := range tc.perCreds {
				if rep.Credentials[i].Verdict != v {
					t.Errorf("credential %d: %s, want %s: %s", i, rep.Credentials[i].Verdict, v, dump(rep.Credentials[i]))
				}
			}
		})
	}
	for _, bad := range []string{`{"type":"VerifiableCredential"}`, `[1]`, `{"type":"VerifiablePresentation","verifiableCredential":[7]}`} {
		if _, err := Presentation(context.Background(), []byte(bad), Options{}, PresentationOptions{}); !errors.Is(err, ErrUnusable) {
			t.Errorf("%s: err %v, want ErrUnusable", bad, err)
		}
	}
}

// FuzzPresentation feeds mutated presentations to the verifier: it must
// never panic, fail only with ErrUnusable, and never call a presentation
// verified whose holder proof did not pass.
func FuzzPresentation(f *testing.F) {
	issuer := testKey(f)
	holder, _ := keys.FromSeed([]byte(strings.Repeat("h", 32)), "")
	var cred map[string]any
	_ = json.Unmarshal(signed(f, issuer, proof.SuiteJCS, sample(issuer)), &cred)
	vp := map[string]any{"@context": []any{contextV2}, "type": "VerifiablePresentation", "holder": holder.Controller, "verifiableCredential": cred}
	s, err := proof.Sign(vp, holder, proof.Options{Suite: proof.SuiteJCS, ProofPurpose: "authentication", Challenge: "c", Created: testNow.Add(-time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(s))
	f.Add([]byte(`{"type":"VerifiablePresentation","verifiableCredential":["a.b.c",{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,x.y.z"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Presentation(context.Background(), data, Options{Keys: &did.Resolver{}, Now: testNow}, PresentationOptions{Challenge: "c"})
		if err != nil {
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("error not marked unusable: %v", err)
			}
			return
		}
		if rep.Verified && rep.PresentationVerdict != Verified {
			t.Fatalf("verified with presentation verdict %s", rep.PresentationVerdict)
		}
	})
}
