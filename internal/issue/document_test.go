package issue_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

func TestIssueDocument(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		for _, method := range []store.DIDMethod{store.DIDWeb, store.DIDKey} {
			f := newFixture(t, s, method)
			issuerID, err := f.svc.IssuerID(ctx, f.org)
			if err != nil {
				t.Fatal(err)
			}
			// A VC 2.0 credential that is not an Open Badge.
			plain := func() map[string]any {
				return map[string]any{
					"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
					"type":              []any{"VerifiableCredential"},
					"credentialSubject": map[string]any{"id": "did:example:subject"},
				}
			}
			// The sample OB 3.0 credential, re-issued by this organization.
			ob := func() map[string]any {
				d := proof.SampleCredential()
				delete(d, "issuer")
				delete(d, "id")
				return d
			}
			tests := []struct {
				name   string
				doc    func() map[string]any
				format store.Format
				fields []string // expected error fields; nil means success
			}{
				{"plain vc, no issuer", plain, store.FormatLDPRDFC, nil},
				{"plain vc, string issuer", func() map[string]any { d := plain(); d["issuer"] = issuerID; return d }, store.FormatLDPJCS, nil},
				{"plain vc as jwt", plain, store.FormatJWT, nil},
				{"open badge", ob, "", nil},
				{"open badge, object issuer", func() map[string]any {
					d := ob()
					d["issuer"] = map[string]any{"id": issuerID, "type": []any{"Profile"}, "name": "Us"}
					return d
				}, store.FormatLDPJCS, nil},
				{"issuer mismatch", func() map[string]any { d := plain(); d["issuer"] = "did:example:someone-else"; return d }, "", []string{"credential.issuer"}},
				{"issuer object mismatch", func() map[string]any {
					d := plain()
					d["issuer"] = map[string]any{"id": "did:example:x"}
					return d
				}, "", []string{"credential.issuer.id"}},
				{"proof present", func() map[string]any { d := plain(); d["proof"] = map[string]any{}; return d }, "", []string{"credential.proof"}},
				{"bad id", func() map[string]any { d := plain(); d["id"] = "not a uri"; return d }, "", []string{"credential.id"}},
				{"vc basics", func() map[string]any {
					return map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/examples/v2"}, "type": []any{"Thing"}}
				}, "", []string{"credential.@context", "credential.type", "credential.credentialSubject"}},
				{"vc 1.1 basics", func() map[string]any {
					return map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "type": []any{"Thing"}, "validFrom": "2026-01-01T00:00:00Z"}
				}, "", []string{"credential.type", "credential.credentialSubject", "credential.issuanceDate", "credential.validFrom"}},
				{"invalid open badge", func() map[string]any {
					d := ob()
					subj := d["credentialSubject"].(map[string]any)
					ach := subj["achievement"].(map[string]any)
					delete(ach, "criteria")
					return d
				}, "", []string{"credential.credentialSubject.achievement.criteria"}},
				{"bad format", plain, "pdf", []string{"options.format"}},
			}
			for _, tt := range tests {
				t.Run(string(method)+"/"+tt.name, func(t *testing.T) {
					c, err := f.svc.IssueDocument(ctx, f.org.ID, tt.doc(), issue.DocumentOptions{Format: tt.format, Actor: "client-1"})
					if tt.fields != nil {
						var fe issue.FieldErrors
						if !errors.As(err, &fe) {
							t.Fatalf("err = %v, want FieldErrors", err)
						}
						for _, want := range tt.fields {
							if !slices.ContainsFunc(fe, func(e issue.FieldError) bool { return e.Field == want }) {
								t.Errorf("no error for %s in %v", want, fe)
							}
						}
						if tt.name == "issuer mismatch" && !strings.Contains(err.Error(), "must be "+issuerID) {
							t.Errorf("message %q does not name the issuer", err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					stored, err := s.Credential(ctx, c.ID)
					if err != nil {
						t.Fatal(err)
					}
					rep := mustVerify(t, f.svc, stored.Document)
					switch iss := rep.Credential["issuer"].(type) {
					case string:
						if iss != issuerID {
							t.Errorf("issuer %q", iss)
						}
					case map[string]any:
						if iss["id"] != issuerID {
							t.Errorf("issuer %v", iss)
						}
					}
					if !strings.HasPrefix(c.ID, "urn:uuid:") {
						t.Errorf("id %q", c.ID)
					}
				})
			}
		}
		// Non-catalog credentials are recorded under the external entry.
		entries, err := s.SearchAchievements(ctx, store.AchievementQuery{})
		if err != nil {
			t.Fatal(err)
		}
		external := 0
		for _, e := range entries {
			if e.Achievement.Slug == issue.ExternalAchievementSlug {
				external++
			}
		}
		if external != 2 {
			t.Errorf("%d external achievements, want one per organization", external)
		}
	})
}

// TestBookkeepingAchievement: the entry that records VC-API credentials is
// bookkeeping, not a catalog entry: never listed, never issued from, and
// its credentials are not renewed from it.
func TestBookkeepingAchievement(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		vcapi, err := f.svc.IssueDocument(ctx, f.org.ID, map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{"id": "did:example:1"},
		}, issue.DocumentOptions{})
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.SearchAchievements(ctx, store.AchievementQuery{OrgID: f.org.ID})
		if err != nil {
			t.Fatal(err)
		}
		listed, err := s.SearchAchievements(ctx, issue.Listed(store.AchievementQuery{OrgID: f.org.ID}))
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || len(listed) != 1 || listed[0].Achievement.ID != f.ach.Achievement.ID {
			t.Fatalf("all %d entries, listed %+v; want the catalog entry alone listed", len(all), listed)
		}
		book, err := s.Achievement(ctx, vcapi.AchievementID)
		if err != nil || !issue.IsBookkeeping(book) {
			t.Fatalf("the VC-API credential is recorded under %+v (%v)", book, err)
		}
		var fe issue.FieldErrors
		_, _, err = f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: book.ID, RecipientEmail: "a@example.org"})
		if !errors.As(err, &fe) || fe[0].Field != "achievement_id" {
			t.Errorf("issuing from the bookkeeping entry: %v; want an achievement_id error", err)
		}
		if _, err := f.svc.Renew(ctx, vcapi.ID, time.Time{}, ""); !errors.Is(err, issue.ErrNotRenewable) {
			t.Errorf("renewing a VC-API credential: %v; want ErrNotRenewable", err)
		}
	})
}

func TestIssueDocumentCatalogAchievement(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "a@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		// Re-submit our own credential without proof and id: it is
		// recorded under the catalog achievement it embeds.
		var doc map[string]any
		if err := json.Unmarshal([]byte(c.Document), &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "proof")
		delete(doc, "id")
		got, err := f.svc.IssueDocument(ctx, f.org.ID, doc, issue.DocumentOptions{Format: store.FormatLDPRDFC, Actor: "client-1"})
		if err != nil {
			t.Fatal(err)
		}
		if got.AchievementID != f.ach.Achievement.ID || got.AchievementVersion != 1 {
			t.Errorf("recorded under %s v%d", got.AchievementID, got.AchievementVersion)
		}
		mustVerify(t, f.svc, got.Document)
		// The same id twice is a field error, not a second credential.
		delete(doc, "proof")
		doc["id"] = got.ID
		if _, err := f.svc.IssueDocument(ctx, f.org.ID, doc, issue.DocumentOptions{Format: store.FormatLDPRDFC, Actor: "client-1"}); err == nil {
			t.Error("duplicate id accepted")
		} else if fe := (issue.FieldErrors{}); !errors.As(err, &fe) || fe[0].Field != "credential.id" {
			t.Errorf("duplicate id: %v", err)
		}
	})
}

// TestIssueDocumentCreated: options.created dates the proof; sub-second
// times and JWTs are refused with the field named.
func TestIssueDocumentCreated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDKey)
		doc := func() map[string]any {
			return map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
				"credentialSubject": map[string]any{"id": "did:example:1"}}
		}
		created := time.Date(2026, 1, 31, 9, 0, 0, 0, time.FixedZone("CET", 3600))
		c, err := f.svc.IssueDocument(ctx, f.org.ID, doc(), issue.DocumentOptions{Created: created})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Proof struct{ Created string } `json:"proof"`
		}
		if err := json.Unmarshal([]byte(c.Document), &got); err != nil || got.Proof.Created != "2026-01-31T08:00:00Z" {
			t.Fatalf("proof created %q (%v); want 2026-01-31T08:00:00Z", got.Proof.Created, err)
		}
		mustVerify(t, f.svc, c.Document)
		for name, opt := range map[string]issue.DocumentOptions{
			"fractional seconds": {Created: created.Add(500 * time.Millisecond)},
			"jwt":                {Created: created, Format: store.FormatJWT},
		} {
			_, err := f.svc.IssueDocument(ctx, f.org.ID, doc(), opt)
			if fe := (issue.FieldErrors{}); !errors.As(err, &fe) || fe[0].Field != "options.created" {
				t.Errorf("%s: %v; want a field error for options.created", name, err)
			}
		}
	})
}
