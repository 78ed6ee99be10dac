package issue_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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

// BenchmarkIssueConcurrent issues b.N credentials (eddsa-rdfc-2022, with a
// mail each) from 16 goroutines, as a busy API server or a bulk job does,
// on each database, with the transparency log on and — to measure its
// share — off (a store whose log appends do nothing; the service has no
// such switch). It reports credentials/s and the mean batch size.
func BenchmarkIssueConcurrent(b *testing.B) {
	for _, backend := range backends() {
		for _, log := range []bool{true, false} {
			name := backend + "/log=on"
			if !log {
				name = backend + "/log=off"
			}
			b.Run(name, func(b *testing.B) {
				s := openStore(b, backend)
				if !log {
					s = noLogStore{s}
				}
				f := newFixture(b, s, store.DIDWeb)
				defer f.svc.Close()
				ctx := context.Background()
				const workers = 16
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := processCPU(b)
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := next.Add(1)
							if i > int64(b.N) {
								return
							}
							if _, _, err := f.svc.Issue(ctx, issue.Request{
								OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientName: "Learner",
								RecipientEmail: fmt.Sprintf("learner%d@example.org", i), Notify: true, Actor: "bench",
							}); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
				// CPU time per credential (user + system, all threads) is
				// the figure to compare on a shared machine, where wall
				// time depends on the neighbours.
				b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/credential")
				if batches, items := issue.BatchStats(f.svc); batches > 0 {
					b.ReportMetric(float64(items)/float64(batches), "items/batch")
				}
			})
		}
	}
}

// noLogStore is a store whose transactions append nothing to the
// transparency log, for measuring what the log costs.
type noLogStore struct{ store.Store }

func (s noLogStore) WithTx(ctx context.Context, fn func(store.Store) error) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		return fn(noLogTx{tx, tx.(store.BatchWriter)})
	})
}

// WriteConcurrency passes the wrapped store's answer on.
func (s noLogStore) WriteConcurrency() int {
	if c, ok := s.Store.(store.WriteConcurrency); ok {
		return c.WriteConcurrency()
	}
	return 0
}

type noLogTx struct {
	store.Store
	store.BatchWriter
}

func (noLogTx) AppendLeaves(context.Context, []store.LogLeaf) (int64, error) { return 0, nil }

// processCPU returns the CPU time the process has used so far.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
