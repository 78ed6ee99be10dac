package sqlcore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/store"
)

const credentialCols = `id, org_id, achievement_id, achievement_version, learner_id, recipient_email, recipient_name,
	format, document, issued_at, valid_from, valid_until, is_private, replaces, idempotency_key, document_part_at,
	(SELECT data FROM document_parts WHERE document_parts.id = credentials.document_part)`

func scanCredential(r Row) (store.Credential, error) {
	var c store.Credential
	var format, part string
	var at sql.NullInt64
	err := r.Scan(&c.ID, &c.OrgID, &c.AchievementID, &c.AchievementVersion, strDest{&c.LearnerID}, &c.RecipientEmail,
		&c.RecipientName, &format, &c.Document, ts(&c.IssuedAt), ts(&c.ValidFrom), tsOpt(&c.ValidUntil), &c.Private,
		strDest{&c.Replaces}, strDest{&c.IdempotencyKey}, &at, strDest{&part})
	c.Format = store.Format(format)
	if err == nil && at.Valid {
		if at.Int64 < 0 || at.Int64 > int64(len(c.Document)) {
			return c, fmt.Errorf("credential %s: shared part at %d of a %d-byte remainder", c.ID, at.Int64, len(c.Document))
		}
		c.Document = c.Document[:at.Int64] + part + c.Document[at.Int64:]
	}
	return c, err
}

// minSharedPart is the shortest shared part worth a row of its own.
const minSharedPart = 512

// sharedParts collects the shared parts (store.Credential.SharedPart) of
// the credentials one insert writes: each distinct part once, with its id,
// the hex SHA-256 of its bytes (computed here, never taken from callers).
type sharedParts map[string]string

// split returns what to store for c: the document, without its shared part
// when c has a valid hint, and the part's id and offset (nil otherwise).
func (p sharedParts) split(c *store.Credential) (doc string, partID, at any) {
	part, from := c.SharedPart, c.SharedAt
	end := from + len(part)
	if len(part) < minSharedPart || from < 0 || end > len(c.Document) || c.Document[from:end] != part ||
		!utf8.RuneStart(c.Document[from]) || (end < len(c.Document) && !utf8.RuneStart(c.Document[end])) {
		// The rest must stay valid UTF-8 (PostgreSQL text), so the part
		// must not cut a character.
		return c.Document, nil, nil
	}
	id, ok := p[part]
	if !ok {
		sum := sha256.Sum256([]byte(part))
		id = hex.EncodeToString(sum[:])
		p[part] = id
	}
	return c.Document[:from] + c.Document[end:], id, from
}

// insert stores the collected parts that are not stored yet. Parts are
// immutable and never deleted: the id is their digest, and one known to be
// stored is not written again.
func (p sharedParts) insert(ctx context.Context, s *Store) error {
	for part, id := range p {
		if s.cache.parts.has(id) {
			continue
		}
		if err := s.execLater(ctx, "store shared document part",
			`INSERT INTO document_parts (id, data) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, part); err != nil {
			return s.fail("store shared document part", err)
		}
		s.whenCommitted(func() { s.cache.parts.add(id) })
	}
	return nil
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
	if err := s.noteValidity(ctx, []store.Credential{c}); err != nil {
		return store.Credential{}, false, err
	}
	insert := `INSERT INTO credentials (` + credentialInsertCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	parts := sharedParts{}
	args := credentialArgs(nil, &c, parts)
	c.SharedPart, c.SharedAt = "", 0
	if err := parts.insert(ctx, s); err != nil {
		return store.Credential{}, false, err
	}
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

var _ store.BatchWriter = (*Store)(nil)

// credentialInsertCols are the columns InsertCredential and
// InsertCredentials write.
const credentialInsertCols = `id, org_id, achievement_id, achievement_version, learner_id, recipient_email,
	recipient_email_key, recipient_name, format, document, issued_at, valid_from, valid_until, is_private, replaces,
	idempotency_key, document_part, document_part_at`

// credentialInsertArgs is the number of credentialInsertCols.
const credentialInsertArgs = 18

// credentialArgs appends the values of credentialInsertCols for c to args,
// collecting its shared part in parts.
func credentialArgs(args []any, c *store.Credential, parts sharedParts) []any {
	doc, partID, at := parts.split(c)
	return append(args, c.ID, c.OrgID, c.AchievementID, c.AchievementVersion, nstr(c.LearnerID), c.RecipientEmail,
		store.EmailKey(c.RecipientEmail), c.RecipientName, string(c.Format), doc, c.IssuedAt, c.ValidFrom,
		tsArg(c.ValidUntil), c.Private, nstr(c.Replaces), nstr(c.IdempotencyKey), partID, at)
}

// LearnersByEmail implements store.BatchWriter with one query per
// maxChunkRows addresses.
func (s *Store) LearnersByEmail(ctx context.Context, emails []string) (map[string]string, error) {
	seen := make(map[string]bool, len(emails))
	var keys []string
	for _, e := range emails {
		if k := store.EmailKey(e); k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	out := make(map[string]string)
	for len(keys) > 0 {
		n := min(len(keys), maxChunkRows)
		in, args := inList(keys[:n])
		rows, err := s.r.Query(ctx, `SELECT email_key, id FROM users WHERE is_learner = ? AND email_key IN (`+in+`)
			UNION ALL SELECT user_emails.email_key, users.id FROM user_emails JOIN users ON users.id = user_emails.user_id
			WHERE users.is_learner = ? AND user_emails.email_key IN (`+in+`)`,
			append(append(append([]any{true}, args...), true), args...)...)
		if err != nil {
			return nil, s.fail("learners by email", err)
		}
		for rows.Next() {
			var k, id string
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nil, s.fail("learners by email", err)
			}
			out[k] = id
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, s.fail("learners by email", err)
		}
		keys = keys[n:]
	}
	return out, nil
}

// InsertCredentials implements store.BatchWriter: one multi-row INSERT
// ... ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id per
// chunk, and a read of the stored credential for each key found in use
// (rare: the issuance service answers retries before signing). Repeated
// keys within cs are settled here, before the database sees them, so that
// the outcome does not depend on how a database orders the rows of one
// statement.
func (s *Store) InsertCredentials(ctx context.Context, cs []store.Credential) ([]store.CredentialInsert, error) {
	const op = "insert credentials"
	out := make([]store.CredentialInsert, len(cs))
	sameAs := make([]int, len(cs)) // index+1 of the earlier row with the same key, 0 if none
	ids := make(map[string]int, len(cs))
	keys := make(map[[2]string]int)
	args := make([]any, 0, credentialInsertArgs*len(cs))
	parts := sharedParts{}
	for i, c := range cs {
		if c.ValidFrom.IsZero() {
			c.ValidFrom = c.IssuedAt
		}
		if err := c.Validate(); err != nil {
			return nil, &store.RowError{Row: i, Err: err}
		}
		if c.IdempotencyKey != "" {
			k := [2]string{c.OrgID, c.IdempotencyKey}
			if j, ok := keys[k]; ok {
				sameAs[i] = j + 1
				continue
			}
			keys[k] = i
		}
		if j, ok := ids[c.ID]; ok {
			return nil, &store.RowError{Row: i, Err: &store.Error{Kind: store.ErrConflict, Op: "store: " + op,
				Err: fmt.Errorf("credential id %q is also row %d", c.ID, j)}}
		}
		ids[c.ID] = i
		c.IssuedAt, c.ValidFrom, c.ValidUntil = norm(c.IssuedAt), norm(c.ValidFrom), normPtr(c.ValidUntil)
		out[i].Stored = c
		out[i].Stored.SharedPart, out[i].Stored.SharedAt = "", 0
		args = credentialArgs(args, &c, parts)
	}
	if err := parts.insert(ctx, s); err != nil {
		return nil, err
	}
	if err := s.noteValidity(ctx, cs); err != nil {
		return nil, err
	}
	inserted := make(map[string]bool, len(ids))
	err := s.queryRows(ctx, `INSERT INTO credentials (`+credentialInsertCols+`) VALUES `,
		` ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id`, credentialInsertArgs, args, func(r Row) error {
			var id string
			if err := r.Scan(&id); err != nil {
				return err
			}
			inserted[id] = true
			return nil
		})
	if err != nil {
		return nil, s.fail(op, err)
	}
	for id, i := range ids {
		if inserted[id] {
			continue
		}
		// Only a row whose key was taken is skipped: rows without a key
		// never conflict on (org_id, idempotency_key), NULLs being
		// distinct. As in InsertCredential, the row holding the key is
		// committed (or this transaction's own), so the read finds it.
		c := cs[i]
		stored, err := scanCredential(s.w.QueryRow(ctx, `SELECT `+credentialCols+` FROM credentials
			WHERE org_id = ? AND idempotency_key = ?`, c.OrgID, c.IdempotencyKey))
		if err != nil {
			return nil, s.fail(fmt.Sprintf("%s: read credential with idempotency key %q", op, c.IdempotencyKey), err)
		}
		out[i] = store.CredentialInsert{Stored: stored, Existed: true}
	}
	for i, j := range sameAs {
		if j > 0 {
			out[i] = store.CredentialInsert{Stored: out[j-1].Stored, Existed: true}
		}
	}
	return out, nil
}
