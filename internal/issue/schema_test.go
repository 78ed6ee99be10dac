package issue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// TestIssuedCredentialsMatchOB3Schema: every credential microcred issues,
// in each format (Data Integrity with eddsa-rdfc-2022 and eddsa-jcs-2022,
// and JWT) and through each issuance path (single, a batch as bulk jobs
// use, a renewal, and a caller-supplied Open Badge through the VC-API
// path), validates against 1EdTech's Open Badges 3.0 JSON Schema. An
// organization that opted in to suspension departs from it in
// credentialStatus alone.
func TestIssuedCredentialsMatchOB3Schema(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		for _, method := range []store.DIDMethod{store.DIDWeb, store.DIDKey} {
			f := newFixture(t, s, method)
			req := func(format store.Format, email string) issue.Request {
				return issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: email,
					RecipientName: "Ada Lovelace", Format: format, EvidenceURL: "https://portfolio.example/ada",
					Narrative: "Built a *working* engine.", ValidUntil: time.Now().Add(365 * 24 * time.Hour)}
			}
			batch, err := f.svc.NewBatch(ctx, f.org.ID, f.ach.Achievement.ID)
			if err != nil {
				t.Fatal(err)
			}
			ob := func() map[string]any {
				d := proof.SampleCredential()
				delete(d, "issuer")
				delete(d, "id")
				return d
			}
			paths := []struct {
				name  string
				issue func(t *testing.T, format store.Format) store.Credential
			}{
				{"single", func(t *testing.T, format store.Format) store.Credential {
					c, _, err := f.svc.Issue(ctx, req(format, "single-"+string(format)+"@example.org"))
					if err != nil {
						t.Fatal(err)
					}
					return c
				}},
				{"batch", func(t *testing.T, format store.Format) store.Credential {
					c, _, err := batch.Issue(ctx, req(format, "batch-"+string(format)+"@example.org"))
					if err != nil {
						t.Fatal(err)
					}
					return c
				}},
				{"renewal", func(t *testing.T, format store.Format) store.Credential {
					c, _, err := f.svc.Issue(ctx, req(format, "renew-"+string(format)+"@example.org"))
					if err != nil {
						t.Fatal(err)
					}
					nc, err := f.svc.Renew(ctx, c.ID, time.Time{}, "")
					if err != nil {
						t.Fatal(err)
					}
					return nc
				}},
				{"vc-api document", func(t *testing.T, format store.Format) store.Credential {
					c, err := f.svc.IssueDocument(ctx, f.org.ID, ob(), issue.DocumentOptions{Format: format})
					if err != nil {
						t.Fatal(err)
					}
					return c
				}},
			}
			for _, p := range paths {
				for _, format := range []store.Format{store.FormatLDPRDFC, store.FormatLDPJCS, store.FormatJWT} {
					c := p.issue(t, format)
					if err := credential.ValidateIssued(c.Document); err != nil {
						t.Errorf("%s %s %s: %v", method, p.name, format, err)
					}
					mustVerify(t, f.svc, c.Document)
				}
			}

			// Opted in to suspension: the two entries are the only finding.
			if _, err := f.svc.SetSuspension(ctx, f.org.ID, true, f.owner.ID); err != nil {
				t.Fatal(err)
			}
			c, _, err := f.svc.Issue(ctx, req(store.FormatLDPRDFC, "both@example.org"))
			if err != nil {
				t.Fatal(err)
			}
			err = credential.ValidateIssued(c.Document)
			ve, _ := err.(credential.ValidationErrors)
			if len(ve) == 0 {
				t.Fatalf("two status entries passed the schema: %v", err)
			}
			for _, e := range ve {
				if !strings.HasPrefix(e.Path, "credentialStatus") {
					t.Errorf("unexpected finding beyond credentialStatus: %v", e)
				}
			}
			if _, err := f.svc.SetSuspension(ctx, f.org.ID, false, f.owner.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}
