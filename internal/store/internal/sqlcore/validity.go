package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// credential_validity keeps, per organization and achievement, the
// shortest validity period (valid_until - issued_at, whole seconds, rounded
// down) of any credential stored. The expired filter of the credential
// search uses it as a bound: a credential expired at now was issued at or
// before now minus that period, so the walk newest first can start there
// instead of stepping over every credential issued since that is still
// valid. The value only ever decreases, so a stale or conservative one is
// still a correct bound.

// validitySeconds is c's validity period for the bound.
func validitySeconds(c *store.Credential) int64 {
	return int64(math.Floor(c.ValidUntil.Sub(c.IssuedAt).Seconds()))
}

// noteValidity records the validity periods of cs in credential_validity
// where they are shorter than the recorded ones.
func (s *Store) noteValidity(ctx context.Context, cs []store.Credential) error {
	mins := map[[2]string]int64{}
	for i := range cs {
		c := &cs[i]
		if c.ValidUntil == nil {
			continue
		}
		k := [2]string{c.OrgID, c.AchievementID}
		if v, ok := mins[k]; !ok || validitySeconds(c) < v {
			mins[k] = validitySeconds(c)
		}
	}
	for k, v := range mins {
		if known, ok := s.cache.validity.Load(k); ok && known.(int64) <= v {
			continue
		}
		if _, err := s.w.Exec(ctx, `INSERT INTO credential_validity (org_id, achievement_id, min_seconds) VALUES (?, ?, ?)
			ON CONFLICT (org_id, achievement_id) DO UPDATE SET min_seconds = CASE
				WHEN excluded.min_seconds < credential_validity.min_seconds THEN excluded.min_seconds
				ELSE credential_validity.min_seconds END`, k[0], k[1], v); err != nil {
			return s.fail("note validity period", err)
		}
		s.whenCommitted(func() {
			if known, ok := s.cache.validity.Load(k); !ok || v < known.(int64) {
				s.cache.validity.Store(k, v)
			}
		})
	}
	return nil
}

// expiredBound returns the latest issue time an expired credential of the
// organization (and achievement, when given) can have at now, and false
// when none of its credentials has a validity end.
func (s *Store) expiredBound(ctx context.Context, orgID, achievementID string, now time.Time) (time.Time, bool, error) {
	q, args := `SELECT MIN(min_seconds) FROM credential_validity WHERE org_id = ?`, []any{orgID}
	if achievementID != "" {
		q, args = q+` AND achievement_id = ?`, append(args, achievementID)
	}
	var v sql.NullInt64
	if err := s.r.QueryRow(ctx, q, args...).Scan(&v); err != nil && !errors.Is(s.b.Classify(err), store.ErrNotFound) {
		return time.Time{}, false, s.fail("read validity periods", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return now.Add(-time.Duration(v.Int64) * time.Second), true, nil
}
