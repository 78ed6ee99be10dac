package issue_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

func TestRenew(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		oldUntil := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
		cases := []struct {
			name   string
			format store.Format
		}{
			{"data integrity", store.FormatLDPRDFC},
			{"VC-JWT", store.FormatJWT},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				old, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID,
					RecipientEmail: "ada@example.org", RecipientName: "Ada Lovelace", RecipientDID: "did:example:ada",
					Narrative: "Built the analytical engine's first program.", EvidenceURL: "https://evidence.example/ada",
					ValidUntil: oldUntil, Format: tc.format})
				if err != nil {
					t.Fatal(err)
				}
				until := time.Now().AddDate(2, 0, 0).UTC().Truncate(time.Second)
				nc, err := f.svc.Renew(ctx, old.ID, until, f.owner.ID)
				if err != nil {
					t.Fatalf("renew: %v", err)
				}
				if nc.ID == old.ID || nc.Replaces != old.ID || nc.RecipientEmail != old.RecipientEmail ||
					nc.RecipientName != old.RecipientName || nc.AchievementID != old.AchievementID || nc.Format != tc.format ||
					nc.ValidUntil == nil || !nc.ValidUntil.Equal(until) {
					t.Errorf("renewal %+v of %+v", nc, old)
				}
				doc := renewedPayload(t, nc)
				for _, want := range []string{`"id":"did:example:ada"`, "analytical engine", "https://evidence.example/ada", `"name":"Ada Lovelace"`} {
					if !strings.Contains(doc, want) {
						t.Errorf("renewed document lacks %s: %.400s", want, doc)
					}
				}
				if next, err := s.ReplacementOf(ctx, old.ID); err != nil || next.ID != nc.ID {
					t.Errorf("ReplacementOf(old) = %s, %v; want %s", next.ID, err, nc.ID)
				}
				// Both verify: renewing does not revoke the old credential.
				for _, c := range []store.Credential{old, nc} {
					rep, err := f.svc.Verify(ctx, []byte(c.Document))
					if err != nil || !rep.Verified {
						t.Errorf("%s does not verify after renewal: %v %+v", c.ID, err, rep)
					}
				}
				events, err := s.ListAudit(ctx, store.AuditQuery{OrgID: f.org.ID, Action: "credential.renew"})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, ev := range events {
					if ev.Target == nc.ID && ev.Actor == f.owner.ID && strings.Contains(string(ev.Detail), old.ID) {
						found = true
					}
				}
				if !found {
					t.Errorf("no credential.renew audit event for %s in %+v", nc.ID, events)
				}
				mails, err := s.ListMail(ctx, 1000)
				if err != nil {
					t.Fatal(err)
				}
				notified := 0
				for _, m := range mails {
					if m.To == "ada@example.org" && strings.Contains(m.Body, f.svc.CredentialUUID(nc.ID)) {
						notified++
					}
				}
				if notified != 1 {
					t.Errorf("%d notification mails about the renewal, want 1", notified)
				}
				_, err = f.svc.Renew(ctx, old.ID, until, f.owner.ID)
				if !errors.Is(err, issue.ErrNotRenewable) || !strings.Contains(err.Error(), "already renewed by "+nc.ID) {
					t.Errorf("second renewal of the old credential: %v", err)
				}
			})
		}
	})
}

func TestRenewDefaultsAndRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		// Suspension is opt-in; the refusals below include renewing a
		// suspended credential.
		if _, err := f.svc.SetSuspension(ctx, f.org.ID, true, f.owner.ID); err != nil {
			t.Fatal(err)
		}
		issueOne := func(t *testing.T, until time.Time) store.Credential {
			t.Helper()
			c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID,
				RecipientEmail: "grace@example.org", ValidUntil: until})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}

		t.Run("keeps the validity period", func(t *testing.T) {
			old := issueOne(t, time.Now().Add(90*24*time.Hour))
			period := old.ValidUntil.Sub(old.ValidFrom)
			nc, err := f.svc.Renew(ctx, old.ID, time.Time{}, "")
			if err != nil {
				t.Fatal(err)
			}
			if nc.ValidUntil == nil || absDuration(nc.ValidUntil.Sub(nc.ValidFrom)-period) > 2*time.Second {
				t.Errorf("renewal valid %v..%v, want a period of %s", nc.ValidFrom, nc.ValidUntil, period)
			}
		})
		t.Run("no expiry stays no expiry", func(t *testing.T) {
			nc, err := f.svc.Renew(ctx, issueOne(t, time.Time{}).ID, time.Time{}, "")
			if err != nil || nc.ValidUntil != nil {
				t.Errorf("renewal until %v, %v; want no expiry", nc.ValidUntil, err)
			}
		})
		t.Run("current achievement version", func(t *testing.T) {
			old := issueOne(t, time.Time{})
			a := demoAchievement(t)
			a.ID = f.svc.AchievementURL(f.ach.Achievement.ID)
			a.Name = "Renamed Course"
			if _, err := f.svc.SaveAchievement(ctx, f.org.ID, a, f.owner.ID); err != nil {
				t.Fatal(err)
			}
			nc, err := f.svc.Renew(ctx, old.ID, time.Time{}, "")
			if err != nil {
				t.Fatal(err)
			}
			if nc.AchievementVersion <= old.AchievementVersion || !strings.Contains(nc.Document, "Renamed Course") {
				t.Errorf("renewal has achievement version %d (old %d)", nc.AchievementVersion, old.AchievementVersion)
			}
		})

		revoked, suspended := issueOne(t, time.Time{}), issueOne(t, time.Time{})
		if _, err := f.svc.StatusService().Revoke(ctx, revoked.ID, "issued in error", "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StatusService().Suspend(ctx, suspended.ID, "under review", "test"); err != nil {
			t.Fatal(err)
		}
		refusals := []struct {
			name  string
			id    string
			until time.Time
			check func(error) bool
		}{
			{"unknown", "urn:uuid:00000000-0000-4000-8000-000000000000", time.Time{}, func(err error) bool { return errors.Is(err, store.ErrNotFound) }},
			{"revoked", revoked.ID, time.Time{}, func(err error) bool {
				return errors.Is(err, issue.ErrNotRenewable) && strings.Contains(err.Error(), "revoked")
			}},
			{"suspended", suspended.ID, time.Time{}, func(err error) bool {
				return errors.Is(err, issue.ErrNotRenewable) && strings.Contains(err.Error(), "suspended")
			}},
			{"expiry in the past", issueOne(t, time.Time{}).ID, time.Now().Add(-time.Hour), func(err error) bool {
				var fe issue.FieldErrors
				return errors.As(err, &fe) && fe[0].Field == "valid_until"
			}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				if _, err := f.svc.Renew(ctx, r.id, r.until, ""); !r.check(err) {
					t.Errorf("Renew = %v", err)
				}
			})
		}
	})
}

// TestRenewConcurrent renews one credential from several goroutines at
// once: exactly one renewal is issued, the others are refused.
func TestRenewConcurrent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		old, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "x@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.Renew(ctx, old.ID, time.Time{}, "")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, issue.ErrNotRenewable):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d renewals succeeded, want 1 (%v)", ok, errs)
		}
		list, err := s.ListCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		renewals := 0
		for _, c := range list {
			if c.Replaces == old.ID {
				renewals++
			}
		}
		if renewals != 1 {
			t.Errorf("%d stored renewals, want 1", renewals)
		}
	})
}

func absDuration(x time.Duration) time.Duration {
	if x < 0 {
		return -x
	}
	return x
}

// renewedPayload returns a credential's JSON: the document, or a VC-JWT's payload.
func renewedPayload(t *testing.T, c store.Credential) string {
	t.Helper()
	if c.Format != store.FormatJWT {
		return c.Document
	}
	parts := strings.Split(c.Document, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %.100s", c.Document)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	// Compact the JSON so substring checks do not depend on spacing.
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
