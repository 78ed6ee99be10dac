package demo

import (
	"context"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
)

// The demo's impact report spreads its issued credentials over the year
// and shows claims, shares and third-party verifications no greater than
// what was issued.
func TestSeedEvents(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	res, err := Seed(ctx, svc, st)
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.OrganizationBySlug(ctx, res.Orgs[0])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	rep, err := analytics.Build(ctx, st, org.ID, now.AddDate(-1, 0, -7), now.AddDate(0, 0, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	busy := 0
	var sum int64
	for _, m := range rep.Months {
		if m.Issued < 0 {
			t.Errorf("month %s issued %d", m.Month, m.Issued)
		}
		if m.Issued > 0 {
			busy++
		}
		sum += m.Issued
	}
	tot := rep.Total
	if busy < 6 || sum != tot.Issued.N || tot.Issued.N == 0 {
		t.Errorf("issued %d over %d months", sum, busy)
	}
	// Work awarded on evidence: submissions, approvals and the days from
	// application to award, enough of them to be shown.
	if tot.EvidenceSubmitted < 10 || tot.EvidenceApproved < analytics.MinCell || tot.EvidenceApproved > tot.EvidenceSubmitted || tot.MeanDaysToAward < 3 {
		t.Errorf("evidence: %d submitted, %d approved, %.1f days to award", tot.EvidenceSubmitted, tot.EvidenceApproved, tot.MeanDaysToAward)
	}
	if tot.Claimed.N == 0 || tot.Claimed.N > tot.Issued.N || tot.ShareRate.K == 0 || tot.ShareRate.K > tot.Claimed.N ||
		tot.Verifications.N == 0 || tot.VerifiedRate.K > tot.ShareRate.K || tot.StandsOut.N == 0 || tot.LikelierToHire.N == 0 || tot.VerifierDomains.N == 0 {
		t.Errorf("demo totals = %+v", tot)
	}
	// A credential's later life: one revoked at each organization, the
	// expired certificates but one renewed, and, once the server's sweep
	// has run, the expiries counted.
	if _, err := analytics.RecordExpiries(ctx, st, now); err != nil {
		t.Fatal(err)
	}
	var revoked, renewed, expired int64
	for _, slug := range res.Orgs {
		o, err := st.OrganizationBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		r, err := analytics.Build(ctx, st, o.ID, now.AddDate(-2, 0, 0), now.AddDate(0, 0, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total.Revoked != 1 {
			t.Errorf("%s: %d revoked, want 1", slug, r.Total.Revoked)
		}
		revoked, renewed, expired = revoked+r.Total.Revoked, renewed+r.Total.Renewed, expired+r.Total.Expired
	}
	if revoked != 2 || renewed < 1 || expired < 2 {
		t.Errorf("revoked %d, renewed %d, expired %d; want 2, at least 1 and at least 2", revoked, renewed, expired)
	}
}
