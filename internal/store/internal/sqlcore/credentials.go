package sqlcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

const credentialCols = `id, org_id, achievement_id, achievement_version, learner_id, recipient_email, recipient_name,
	format, document, issued_at, valid_from, valid_until, is_private, replaces, idempotency_key`

func scanCredential(r Row) (store.Credential, error) {
	var c store.Credential
	var format string
	err := r.Scan(&c.ID, &c.OrgID, &c.AchievementID, &c.AchievementVersion, strDest{&c.LearnerID}, &c.RecipientEmail,
		&c.RecipientName, &format, &c.Document, ts(&c.IssuedAt), ts(&c.ValidFrom), tsOpt(&c.ValidUntil), &c.Private,
		strDest{&c.Replaces}, strDest{&c.IdempotencyKey})
	c.Format = store.Format(format)
	return c, err
}

// InsertCredential implements store.Store. The idempotency check is the
// database's unique (org_id, idempotency_key) constraint with ON CONFLICT DO
// NOTHING: when two nodes race with the same key, the loser's insert waits
// for the winner's transaction and then inserts nothing, and it reads the
// winner's row. A duplicate credential id without a key match is still a
// conflict.
func (s *Store) InsertCredential(ctx context.Context, c store.Credential) (store.Credential, bool, error) {
	if c.ValidFrom.IsZero() {
		c.ValidFrom = c.IssuedAt
	}
	if err := c.Validate(); err != nil {
		return store.Credential{}, false, err
	}
	c.IssuedAt, c.ValidFrom, c.ValidUntil = norm(c.IssuedAt), norm(c.ValidFrom), normPtr(c.ValidUntil)
	op := fmt.Sprintf("insert credential %q", c.ID)
	insert := `INSERT INTO credentials (id, org_id, achievement_id, achievement_version, learner_id, recipient_email,
		recipient_email_key, recipient_name, format, document, issued_at, valid_from, valid_until, is_private, replaces,
		idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{c.ID, c.OrgID, c.AchievementID, c.AchievementVersion, nstr(c.LearnerID), c.RecipientEmail,
		store.EmailKey(c.RecipientEmail), c.RecipientName, string(c.Format), c.Document, c.IssuedAt, c.ValidFrom,
		tsArg(c.ValidUntil), c.Private, nstr(c.Replaces), nstr(c.IdempotencyKey)}
	if c.IdempotencyKey == "" {
		_, err := s.w.Exec(ctx, insert, args...)
		if err != nil {
			return store.Credential{}, false, s.fail(op, err)
		}
		return c, false, nil
	}
	// No transaction is needed around the two statements: when the insert
	// does nothing, the row holding the key is committed (PostgreSQL waits
	// for a concurrent inserter to finish before deciding), and credentials
	// are never deleted, so the read that follows finds it.
	n, err := s.w.Exec(ctx, insert+` ON CONFLICT (org_id, idempotency_key) DO NOTHING`, args...)
	if err != nil {
		return store.Credential{}, false, s.fail(op, err)
	}
	if n == 1 {
		return c, false, nil
	}
	stored, err := scanCredential(s.w.QueryRow(ctx, `SELECT `+credentialCols+` FROM credentials
		WHERE org_id = ? AND idempotency_key = ?`, c.OrgID, c.IdempotencyKey))
	if err != nil {
		return store.Credential{}, false, s.fail(op+": read existing", err)
	}
	return stored, true, nil
}

// Credential implements store.Store.
func (s *Store) Credential(ctx context.Context, id string) (store.Credential, error) {
	c, err := scanCredential(s.r.QueryRow(ctx, `SELECT `+credentialCols+` FROM credentials WHERE id = ?`, id))
	return c, s.fail(fmt.Sprintf("credential %q", id), err)
}

// CredentialByIdempotencyKey implements store.Store.
func (s *Store) CredentialByIdempotencyKey(ctx context.Context, orgID, key string) (store.Credential, error) {
	c, err := scanCredential(s.r.QueryRow(ctx, `SELECT `+credentialCols+` FROM credentials
		WHERE org_id = ? AND idempotency_key = ?`, orgID, key))
	return c, s.fail(fmt.Sprintf("credential with idempotency key %q", key), err)
}

// credentialFilter returns the WHERE clause (empty or starting with
// " WHERE ") and its arguments for the filters of q.
func credentialFilter(q store.CredentialQuery) (string, []any) {
	var where []string
	var args []any
	for _, f := range []struct {
		col, val string
	}{
		{"org_id", q.OrgID},
		{"learner_id", q.LearnerID},
		{"recipient_email_key", store.EmailKey(q.RecipientEmail)},
		{"achievement_id", q.AchievementID},
	} {
		if f.val != "" {
			where, args = append(where, f.col+" = ?"), append(args, f.val)
		}
	}
	if q.PublicOnly {
		where, args = append(where, "is_private = ?"), append(args, false)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// ListCredentials implements store.Store.
func (s *Store) ListCredentials(ctx context.Context, q store.CredentialQuery) ([]store.Credential, error) {
	where, args := credentialFilter(q)
	query := `SELECT ` + credentialCols + ` FROM credentials` + where
	query += " ORDER BY issued_at DESC, id DESC LIMIT ? OFFSET ?"
	args = append(args, limit(q.Limit), max(q.Offset, 0))
	rows, err := s.r.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail("list credentials", err)
	}
	return collect(rows, scanCredential, s, "list credentials")
}

// CountCredentials implements store.Store.
func (s *Store) CountCredentials(ctx context.Context, q store.CredentialQuery) (int64, error) {
	where, args := credentialFilter(q)
	var n int64
	err := s.r.QueryRow(ctx, `SELECT COUNT(*) FROM credentials`+where, args...).Scan(&n)
	return n, s.fail("count credentials", err)
}

// SetCredentialPrivate implements store.Store.
func (s *Store) SetCredentialPrivate(ctx context.Context, id string, private bool) error {
	n, err := s.w.Exec(ctx, `UPDATE credentials SET is_private = ? WHERE id = ?`, private, id)
	return expectOne(fmt.Sprintf("set privacy of credential %q", id), n, err, s)
}

// LinkLearnerCredentials implements store.Store: credentials issued to email
// before the learner had an account (or under no account) are attached to
// learnerID. It reports how many were linked.
func (s *Store) LinkLearnerCredentials(ctx context.Context, email, learnerID string) (int64, error) {
	n, err := s.w.Exec(ctx, `UPDATE credentials SET learner_id = ? WHERE recipient_email_key = ? AND learner_id IS NULL`,
		learnerID, store.EmailKey(email))
	return n, s.fail(fmt.Sprintf("link credentials of %q", email), err)
}
