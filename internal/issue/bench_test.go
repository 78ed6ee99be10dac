package issue_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// BenchmarkIssue measures single-credential issuance through the service
// on SQLite: build, validate, sign (eddsa-rdfc-2022) and store in one
// transaction with its audit entry.
func BenchmarkIssue(b *testing.B) {
	for _, format := range []store.Format{store.FormatLDPRDFC, store.FormatLDPJCS, store.FormatJWT} {
		b.Run(string(format), func(b *testing.B) {
			s := openStore(b, "sqlite")
			f := newFixture(b, s, store.DIDWeb)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				i++
				_, _, err := f.svc.Issue(ctx, issue.Request{
					OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, Format: format,
					RecipientEmail: fmt.Sprintf("learner%d@example.org", i), RecipientName: "Learner",
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
		})
	}
}

// BenchmarkIssueParallel is BenchmarkIssue with concurrent issuers, as an
// HTTP server sees them.
func BenchmarkIssueParallel(b *testing.B) {
	s := openStore(b, "sqlite")
	f := newFixture(b, s, store.DIDWeb)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := f.svc.Issue(ctx, issue.Request{
				OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "learner@example.org",
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}
