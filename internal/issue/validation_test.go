package issue_test

import (
	"context"
	"fmt"
	"strings"
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
			for mask := range 64 {
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
				if mask&32 != 0 {
					req.Results = []issue.Result{{Value: "B+"}}
					req.Identifiers = []issue.Identifier{{Type: "identifier", Value: "S-2024-0042"}}
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

// TestResultAndIdentifierAreStructured: a result becomes an OB 3.0 Result
// tied to the achievement's ResultDescription and a student number an
// unhashed IdentityObject, not text in the narrative; the awarding body of
// an achievement saved without a creator is the organization.
func TestResultAndIdentifierAreStructured(t *testing.T) {
	s := openStore(t, "sqlite")
	f := newFixture(t, s, store.DIDWeb)
	ctx := context.Background()
	a := demoAchievement(t)
	a.Creator = nil
	a.Name = "Structured Results"
	entry, err := f.svc.SaveAchievement(ctx, f.org.ID, a, f.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.ResultDescription) == 0 {
		t.Fatal("the demo achievement has no ResultDescription")
	}
	c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "ada@example.org",
		Results: []issue.Result{{Value: "A"}}, Identifiers: []issue.Identifier{{Type: "identifier", Value: "S-42"}}, Actor: f.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.Verify(ctx, []byte(c.Document))
	if err != nil || !rep.Verified {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	subj := rep.Credential["credentialSubject"].(map[string]any)
	res := subj["result"].([]any)[0].(map[string]any)
	if res["value"] != "A" || res["resultDescription"] != a.ResultDescription[0].ID {
		t.Errorf("result = %v, want value A and resultDescription %s", res, a.ResultDescription[0].ID)
	}
	ids := subj["identifier"].([]any)
	if len(ids) != 2 {
		t.Fatalf("identifiers = %v, want the hashed email and the student number", ids)
	}
	if id := ids[1].(map[string]any); id["identityHash"] != "S-42" || id["identityType"] != "identifier" || id["hashed"] != false {
		t.Errorf("student number identifier = %v", id)
	}
	if _, ok := subj["narrative"]; ok {
		t.Errorf("the narrative is set: %v", subj["narrative"])
	}
	crit := subj["achievement"].(map[string]any)["criteria"].(map[string]any)["narrative"].(string)
	if !strings.Contains(crit, f.org.Name) {
		t.Errorf("criteria narrative does not name the awarding body %q:\n%s", f.org.Name, crit)
	}
	if _, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "ada@example.org",
		Identifiers: []issue.Identifier{{Type: "identifier"}}, Actor: f.owner.ID}); err == nil || !strings.Contains(err.Error(), "identifier[0]") {
		t.Errorf("an empty identifier: %v, want a field error naming identifier[0]", err)
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
