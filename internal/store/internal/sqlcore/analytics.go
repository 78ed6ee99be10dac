package sqlcore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// RecordEvent implements store.Store.
func (s *Store) RecordEvent(ctx context.Context, e store.Event) error {
	if e.OrgID == "" || e.Kind == "" {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: record event", Err: fmt.Errorf("organization and kind are required")}
	}
	if e.At.IsZero() {
		e.At = now()
	}
	e.At = norm(e.At)
	day := e.At.Format("2006-01-02")
	return s.WithTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		if e.Once {
			if e.CredentialID == "" {
				return &store.Error{Kind: store.ErrInvalid, Op: "store: record event", Err: fmt.Errorf("a once-per-credential event needs the credential")}
			}
			n, err := t.w.Exec(ctx, `INSERT INTO event_firsts (credential_id, kind) VALUES (?, ?) ON CONFLICT DO NOTHING`, e.CredentialID, e.Kind)
			if err != nil {
				return t.fail("record event", err)
			}
			if n == 0 {
				return nil // counted before
			}
		}
		if _, err := t.w.Exec(ctx, `INSERT INTO events (org_id, achievement_id, credential_id, kind, dim, value, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.OrgID, e.AchievementID, e.CredentialID, e.Kind, e.Dim, e.Value, e.At); err != nil {
			return t.fail("record event", err)
		}
		if e.Domain != "" {
			if _, err := t.w.Exec(ctx, `INSERT INTO verifier_domains (org_id, achievement_id, day, domain) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				e.OrgID, e.AchievementID, day, e.Domain); err != nil {
				return t.fail("record verifier domain", err)
			}
		}
		return t.AddRollups(ctx, []store.Rollup{{OrgID: e.OrgID, AchievementID: e.AchievementID, Day: day, Kind: e.Kind, Dim: e.Dim, N: 1, Total: e.Value}})
	})
}

// AddRollups implements store.Store. Each count goes to its day and to its
// month (rollups_monthly), in one transaction.
func (s *Store) AddRollups(ctx context.Context, rs []store.Rollup) error {
	for _, r := range rs {
		if r.OrgID == "" || r.Kind == "" || len(r.Day) != len("2006-01-02") {
			return &store.Error{Kind: store.ErrInvalid, Op: "store: add rollups", Err: fmt.Errorf("rollup %+v lacks organization, kind or day", r)}
		}
	}
	if s.tx == nil {
		return s.WithTx(ctx, func(tx store.Store) error { return tx.(*Store).AddRollups(ctx, rs) })
	}
	for _, r := range rs {
		if _, err := s.w.Exec(ctx, `INSERT INTO rollups (org_id, achievement_id, day, kind, dim, n, total) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, day, achievement_id, kind, dim) DO UPDATE SET n = rollups.n + excluded.n, total = rollups.total + excluded.total`,
			r.OrgID, r.AchievementID, r.Day, r.Kind, r.Dim, r.N, r.Total); err != nil {
			return s.fail("add rollups", err)
		}
		if _, err := s.w.Exec(ctx, `INSERT INTO rollups_monthly (org_id, achievement_id, month, kind, dim, n, total) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, month, achievement_id, kind, dim) DO UPDATE SET n = rollups_monthly.n + excluded.n, total = rollups_monthly.total + excluded.total`,
			r.OrgID, r.AchievementID, r.Day[:7], r.Kind, r.Dim, r.N, r.Total); err != nil {
			return s.fail("add monthly rollups", err)
		}
	}
	return nil
}

func rollupFilter(q store.RollupQuery) (string, []any) {
	where, args := ` WHERE org_id = ? AND day >= ? AND day < ?`, []any{q.OrgID, q.From, q.To}
	if q.AchievementID != "" {
		where += ` AND achievement_id = ?`
		args = append(args, q.AchievementID)
	}
	return where, args
}

// RollupsByMonth implements store.Store. The whole months of the range are
// read from rollups_monthly and only the partial months at its ends from
// the daily rollups, so a year costs about twelve rows per series.
func (s *Store) RollupsByMonth(ctx context.Context, q store.RollupQuery) ([]store.Rollup, error) {
	fullFrom, fullTo := wholeMonths(q.From, q.To)
	var out []store.Rollup
	daily := func(from, to string) error {
		if from >= to {
			return nil
		}
		dq := q
		dq.From, dq.To = from, to
		where, args := rollupFilter(dq)
		rows, err := s.r.Query(ctx, `SELECT achievement_id, substr(day, 1, 7) AS month, kind, dim, SUM(n), SUM(total) FROM rollups`+where+`
			GROUP BY achievement_id, month, kind, dim`, args...)
		if err != nil {
			return s.fail("read rollups", err)
		}
		rs, err := collect(rows, scanRollup(q.OrgID), s, "read rollups")
		out = append(out, rs...)
		return err
	}
	if fullFrom >= fullTo {
		if err := daily(q.From, q.To); err != nil {
			return nil, err
		}
	} else {
		if err := daily(q.From, fullFrom); err != nil {
			return nil, err
		}
		if err := daily(fullTo, q.To); err != nil {
			return nil, err
		}
		where, args := ` WHERE org_id = ? AND month >= ? AND month < ?`, []any{q.OrgID, fullFrom[:7], fullTo[:7]}
		if q.AchievementID != "" {
			where += ` AND achievement_id = ?`
			args = append(args, q.AchievementID)
		}
		rows, err := s.r.Query(ctx, `SELECT achievement_id, month, kind, dim, n, total FROM rollups_monthly`+where, args...)
		if err != nil {
			return nil, s.fail("read monthly rollups", err)
		}
		rs, err := collect(rows, scanRollup(q.OrgID), s, "read monthly rollups")
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.AchievementID != b.AchievementID {
			return a.AchievementID < b.AchievementID
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Dim < b.Dim
	})
	return out, nil
}

func scanRollup(orgID string) func(r Row) (store.Rollup, error) {
	return func(r Row) (store.Rollup, error) {
		x := store.Rollup{OrgID: orgID}
		err := r.Scan(&x.AchievementID, &x.Day, &x.Kind, &x.Dim, &x.N, &x.Total)
		return x, err
	}
}

// wholeMonths returns the first day of the first whole month in [from, to)
// and the first day of the month after the last whole one (YYYY-MM-DD);
// from >= to when the range holds no whole month.
func wholeMonths(from, to string) (string, string) {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return to, to
	}
	start := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !start.Equal(f) {
		start = start.AddDate(0, 1, 0)
	}
	end := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start.Format(time.DateOnly), end.Format(time.DateOnly)
}

// VerifierDomains implements store.Store; the key "*" holds the count over
// every achievement.
func (s *Store) VerifierDomains(ctx context.Context, q store.RollupQuery) (map[string]int, error) {
	where, args := rollupFilter(q)
	out := map[string]int{}
	rows, err := s.r.Query(ctx, `SELECT achievement_id, COUNT(DISTINCT domain) FROM verifier_domains`+where+` GROUP BY achievement_id`, args...)
	if err != nil {
		return nil, s.fail("count verifier domains", err)
	}
	type pair struct {
		id string
		n  int
	}
	ps, err := collect(rows, func(r Row) (pair, error) {
		var p pair
		err := r.Scan(&p.id, &p.n)
		return p, err
	}, s, "count verifier domains")
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.id] = p.n
	}
	var all int
	if err := s.r.QueryRow(ctx, `SELECT COUNT(DISTINCT domain) FROM verifier_domains`+where, args...).Scan(&all); err != nil {
		return nil, s.fail("count verifier domains", err)
	}
	out["*"] = all
	return out, nil
}

// ExpiredCredentials implements store.Store, reading the index on
// valid_until (migration 0020) in pages so that no transaction stays open
// while fn runs.
func (s *Store) ExpiredCredentials(ctx context.Context, after, upTo time.Time, fn func(store.ExpiredCredential) error) error {
	const page = 1000
	// The range excludes after itself; later pages resume after the last
	// (valid_until, id) seen, so ties at a page's end are not lost.
	from := `valid_until > ?`
	args := []any{norm(after)}
	for {
		rows, err := s.r.Query(ctx, `SELECT id, org_id, achievement_id, valid_until FROM credentials
			WHERE valid_until IS NOT NULL AND `+from+` AND valid_until <= ?
			ORDER BY valid_until, id LIMIT ?`, append(args, norm(upTo), page)...)
		if err != nil {
			return s.fail("expired credentials", err)
		}
		cs, err := collect(rows, func(r Row) (store.ExpiredCredential, error) {
			var c store.ExpiredCredential
			err := r.Scan(&c.ID, &c.OrgID, &c.AchievementID, ts(&c.ValidUntil))
			return c, err
		}, s, "expired credentials")
		if err != nil {
			return err
		}
		for _, c := range cs {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(cs) < page {
			return nil
		}
		last := cs[len(cs)-1]
		from = `(valid_until > ? OR (valid_until = ? AND id > ?))`
		args = []any{norm(last.ValidUntil), norm(last.ValidUntil), last.ID}
	}
}
