package endorse_test

import (
	"testing"
	"time"

	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/verify"
)

func TestRead(t *testing.T) {
	until := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want endorse.Info
	}{
		{"issuer object, one subject", map[string]any{
			"id": "urn:uuid:1", "name": "E", "issuer": map[string]any{"id": "did:web:a", "name": "A"},
			"validFrom": "2026-01-02T03:04:05Z", "validUntil": "2027-01-02T03:04:05Z",
			"credentialSubject": map[string]any{"id": "https://b/achievements/1", "endorsementComment": "Good."},
		}, endorse.Info{ID: "urn:uuid:1", Name: "E", IssuerID: "did:web:a", IssuerName: "A", SubjectID: "https://b/achievements/1", Comment: "Good.",
			ValidFrom: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ValidUntil: &until}},
		{"issuer by id, VC 1.1 dates, subjects as an array", map[string]any{
			"issuer": "did:key:z6Mk", "issuanceDate": "2026-01-02T03:04:05Z", "expirationDate": "2027-01-02T03:04:05Z",
			"credentialSubject": []any{map[string]any{"id": "did:web:b"}},
		}, endorse.Info{IssuerID: "did:key:z6Mk", SubjectID: "did:web:b", ValidFrom: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ValidUntil: &until}},
		{"nothing readable", map[string]any{"issuer": 7, "validFrom": "yesterday"}, endorse.Info{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := endorse.Read(tc.doc)
			if got.ID != tc.want.ID || got.Name != tc.want.Name || got.IssuerID != tc.want.IssuerID || got.IssuerName != tc.want.IssuerName ||
				got.SubjectID != tc.want.SubjectID || got.Comment != tc.want.Comment || !got.ValidFrom.Equal(tc.want.ValidFrom) ||
				(got.ValidUntil == nil) != (tc.want.ValidUntil == nil) || (got.ValidUntil != nil && !got.ValidUntil.Equal(*tc.want.ValidUntil)) {
				t.Fatalf("Read = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rep   verify.Report
		label string
	}{
		{"verified", verify.Report{Verdict: verify.Verified}, endorse.LabelVerified},
		{"revoked", verify.Report{Verdict: verify.NotVerified, Checks: []verify.Check{
			{Name: "status", State: verify.Failed, Summary: "The issuer has revoked this credential.", Detail: "revoked: the BitstringStatusListEntry at … marks it"}}}, endorse.LabelWithdrawn},
		{"bad signature", verify.Report{Verdict: verify.NotVerified, Checks: []verify.Check{
			{Name: "proof", State: verify.Failed, Summary: "The signature does not match.", Detail: "signature does not match"}}}, endorse.LabelNotVerified},
		{"issuer unreachable", verify.Report{Verdict: verify.CouldNotCheck, Checks: []verify.Check{
			{Name: "proof", State: verify.NotChecked, Summary: "The issuer's key could not be obtained.", Detail: "fetch failed"}}}, endorse.LabelCouldNotCheck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			label, why := endorse.Judge(&tc.rep)
			if label != tc.label || (label != endorse.LabelVerified && why == "") {
				t.Fatalf("Judge = %q, %q; want %q with a reason", label, why, tc.label)
			}
		})
	}
}
