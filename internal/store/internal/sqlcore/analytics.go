package sqlcore

import (
	"context"
	"fmt"

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

// AddRollups implements store.Store.
func (s *Store) AddRollups(ctx context.Context, rs []store.Rollup) error {
	for _, r := range rs {
		if r.OrgID == "" || r.Kind == "" || len(r.Day) != len("2006-01-02") {
			return &store.Error{Kind: store.ErrInvalid, Op: "store: add rollups", Err: fmt.Errorf("rollup %+v lacks organization, kind or day", r)}
		}
		if _, err := s.w.Exec(ctx, `INSERT INTO rollups (org_id, achievement_id, day, kind, dim, n, total) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, day, achievement_id, kind, dim) DO UPDATE SET n = rollups.n + excluded.n, total = rollups.total + excluded.total`,
			r.OrgID, r.AchievementID, r.Day, r.Kind, r.Dim, r.N, r.Total); err != nil {
			return s.fail("add rollups", err)
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

// RollupsByMonth implements store.Store.
func (s *Store) RollupsByMonth(ctx context.Context, q store.RollupQuery) ([]store.Rollup, error) {
	where, args := rollupFilter(q)
	rows, err := s.r.Query(ctx, `SELECT achievement_id, substr(day, 1, 7) AS month, kind, dim, SUM(n), SUM(total) FROM rollups`+where+`
		GROUP BY achievement_id, month, kind, dim ORDER BY month, achievement_id, kind, dim`, args...)
	if err != nil {
		return nil, s.fail("read rollups", err)
	}
	return collect(rows, func(r Row) (store.Rollup, error) {
		x := store.Rollup{OrgID: q.OrgID}
		err := r.Scan(&x.AchievementID, &x.Day, &x.Kind, &x.Dim, &x.N, &x.Total)
		return x, err
	}, s, "read rollups")
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
