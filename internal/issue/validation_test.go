package issue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// TestIssuedCredentialsPassFullValidation issues credentials with every
// combination of optional request fields, in every format, and checks each
// stored credential with the full credential.ValidateMap. Issue validates
// the achievement and issuer once per version and the rest directly (see
// template.go); this keeps that fast path from drifting away from the
// full validation.
func TestIssuedCredentialsPassFullValidation(t *testing.T) {
	s := openStore(t, "sqlite")
	ctx := context.Background()
	for _, method := range []store.DIDMethod{store.DIDWeb, store.DIDKey} {
		f := newFixture(t, s, method)
		for _, format := range []store.Format{store.FormatLDPRDFC, store.FormatLDPJCS, store.FormatJWT} {
			for mask := range 32 {
				req := issue.Request{
					OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, Format: format,
					RecipientEmail: fmt.Sprintf("learner%d@example.org", mask), Actor: f.owner.ID,
				}
				if mask&1 != 0 {
					req.RecipientName = "Ada Lovelace"
				}
				if mask&2 != 0 {
					req.RecipientDID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
				}
				if mask&4 != 0 {
					req.Narrative = "Built a dashboard from open data."
				}
				if mask&8 != 0 {
					req.EvidenceURL = "https://example.org/portfolio/ada"
				}
				if mask&16 != 0 {
					req.ValidFrom = time.Now().Add(-time.Hour)
					req.ValidUntil = time.Now().Add(24 * time.Hour)
				}
				c, _, err := f.svc.Issue(ctx, req)
				if err != nil {
					t.Fatalf("%s %s mask %05b: %v", method, format, mask, err)
				}
				rep, err := f.svc.Verify(ctx, []byte(c.Document))
				if err != nil || !rep.Verified {
					t.Fatalf("%s %s mask %05b: verify %v %+v", method, format, mask, err, rep)
				}
				if err := credential.ValidateMap(rep.Credential); err != nil {
					t.Errorf("%s %s mask %05b: issued credential fails full validation: %v", method, format, mask, err)
				}
			}
		}
	}
}

// TestIssueRefusesCollapsedValidity: a validity period shorter than a
// second is empty once the dates are written in whole seconds, and is
// reported as a field error rather than stored.
func TestIssueRefusesCollapsedValidity(t *testing.T) {
	s := openStore(t, "sqlite")
	f := newFixture(t, s, store.DIDWeb)
	from := time.Now().Add(time.Hour).Truncate(time.Second)
	_, _, err := f.svc.Issue(context.Background(), issue.Request{
		OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "ada@example.org",
		ValidFrom: from, ValidUntil: from.Add(300 * time.Millisecond),
	})
	fe, ok := err.(issue.FieldErrors)
	if !ok || len(fe) != 1 || fe[0].Field != "valid_until" {
		t.Errorf("err %v, want a valid_until field error", err)
	}
	assertCounts(t, s, f.org.ID, 0, 0, 0)
}
