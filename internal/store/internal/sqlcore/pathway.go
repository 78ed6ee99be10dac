package sqlcore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
)

const pathwayDefCols = `v.org_id, v.kind, v.slug, v.version, v.name, v.document, v.created_by, v.created_at`

func scanPathwayDef(r Row) (store.PathwayDefinition, error) {
	var d store.PathwayDefinition
	var kind, doc string
	err := r.Scan(&d.OrgID, &kind, &d.Slug, &d.Version, &d.Name, &doc, &d.CreatedBy, ts(&d.CreatedAt))
	d.Kind, d.Document = store.PathwayKind(kind), json.RawMessage(doc)
	return d, err
}

// SavePathwayDefinition implements store.Store. The next version number
// is read and written in one transaction; two writers of the same
// definition collide on the version's primary key and one gets
// ErrConflict rather than a silently lost version.
func (s *Store) SavePathwayDefinition(ctx context.Context, d store.PathwayDefinition) (store.PathwayDefinition, error) {
	op := fmt.Sprintf("save %s %q", d.Kind, d.Slug)
	switch {
	case d.OrgID == "":
		return d, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: errors.New("organization is required")}
	case !d.Kind.Valid():
		return d, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("kind %q is not pathway or scheme", d.Kind)}
	case !store.ValidSlug(d.Slug):
		return d, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: errors.New("id must be [a-z0-9-]")}
	case strings.TrimSpace(d.Name) == "":
		return d, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: errors.New("name is required")}
	case !json.Valid(d.Document):
		return d, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: errors.New("document is not valid JSON")}
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now()
	}
	d.CreatedAt = norm(d.CreatedAt)
	err := s.atomic(ctx, func(tx *Store) error {
		var cur int
		err := tx.tx.QueryRow(ctx, `SELECT current_version FROM pathway_definitions WHERE org_id = ? AND kind = ? AND slug = ?`,
			d.OrgID, string(d.Kind), d.Slug).Scan(&cur)
		switch {
		case err == nil:
			d.Version = cur + 1
			if _, err := tx.tx.Exec(ctx, `UPDATE pathway_definitions SET current_version = ?, name = ?, updated_at = ?
				WHERE org_id = ? AND kind = ? AND slug = ? AND current_version = ?`,
				d.Version, d.Name, d.CreatedAt, d.OrgID, string(d.Kind), d.Slug, cur); err != nil {
				return tx.fail(op, err)
			}
		case tx.b.Classify(err) == store.ErrNotFound:
			d.Version = 1
			if _, err := tx.tx.Exec(ctx, `INSERT INTO pathway_definitions (org_id, kind, slug, current_version, name, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, d.OrgID, string(d.Kind), d.Slug, 1, d.Name, d.CreatedAt, d.CreatedAt); err != nil {
				return tx.fail(op, err)
			}
		default:
			return tx.fail(op, err)
		}
		_, err = tx.tx.Exec(ctx, `INSERT INTO pathway_definition_versions (org_id, kind, slug, version, name, document, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.OrgID, string(d.Kind), d.Slug, d.Version, d.Name, string(d.Document), d.CreatedBy, d.CreatedAt)
		return tx.fail(op, err)
	})
	if err != nil {
		return store.PathwayDefinition{}, err
	}
	return d, nil
}

// PathwayDefinition implements store.Store.
func (s *Store) PathwayDefinition(ctx context.Context, orgID string, kind store.PathwayKind, slug string, version int) (store.PathwayDefinition, error) {
	op := fmt.Sprintf("%s %q version %d", kind, slug, version)
	var r Row
	if version > 0 {
		r = s.r.QueryRow(ctx, `SELECT `+pathwayDefCols+` FROM pathway_definition_versions v
			WHERE v.org_id = ? AND v.kind = ? AND v.slug = ? AND v.version = ?`, orgID, string(kind), slug, version)
	} else {
		r = s.r.QueryRow(ctx, `SELECT `+pathwayDefCols+` FROM pathway_definitions d
			JOIN pathway_definition_versions v ON v.org_id = d.org_id AND v.kind = d.kind AND v.slug = d.slug AND v.version = d.current_version
			WHERE d.org_id = ? AND d.kind = ? AND d.slug = ?`, orgID, string(kind), slug)
	}
	d, err := scanPathwayDef(r)
	return d, s.fail(op, err)
}

// ListPathwayDefinitions implements store.Store.
func (s *Store) ListPathwayDefinitions(ctx context.Context, orgID string, kind store.PathwayKind) ([]store.PathwayDefinition, error) {
	q := `SELECT ` + pathwayDefCols + ` FROM pathway_definitions d
		JOIN pathway_definition_versions v ON v.org_id = d.org_id AND v.kind = d.kind AND v.slug = d.slug AND v.version = d.current_version
		WHERE d.kind = ?`
	args := []any{string(kind)}
	if orgID != "" {
		q, args = q+` AND d.org_id = ?`, append(args, orgID)
	}
	rows, err := s.r.Query(ctx, q+` ORDER BY d.org_id, d.slug LIMIT 10000`, args...)
	if err != nil {
		return nil, s.fail("list pathway definitions", err)
	}
	return collect(rows, scanPathwayDef, s, "list pathway definitions")
}

// ListPathwayDefinitionVersions implements store.Store.
func (s *Store) ListPathwayDefinitionVersions(ctx context.Context, orgID string, kind store.PathwayKind, slug string) ([]store.PathwayDefinition, error) {
	rows, err := s.r.Query(ctx, `SELECT `+pathwayDefCols+` FROM pathway_definition_versions v
		WHERE v.org_id = ? AND v.kind = ? AND v.slug = ? ORDER BY v.version DESC`, orgID, string(kind), slug)
	if err != nil {
		return nil, s.fail("list pathway definition versions", err)
	}
	return collect(rows, scanPathwayDef, s, "list pathway definition versions")
}

const progressCols = `org_id, pathway, learner_key, version, progress, complete, used, award_state, award_credential_id, updated_at`

func scanProgress(r Row) (store.PathwayProgress, error) {
	var p store.PathwayProgress
	var used string
	err := r.Scan(&p.OrgID, &p.Pathway, &p.LearnerKey, &p.Version, floatDest{&p.Progress}, &p.Complete, &used,
		&p.AwardState, &p.AwardCredentialID, ts(&p.UpdatedAt))
	if err == nil {
		err = json.Unmarshal([]byte(used), &p.Used)
	}
	return p, err
}

// SavePathwayProgress implements store.Store with multi-row upserts.
func (s *Store) SavePathwayProgress(ctx context.Context, rows []store.PathwayProgress) error {
	if len(rows) == 0 {
		return nil
	}
	const width = 8
	args := make([]any, 0, len(rows)*width)
	at := now()
	for _, p := range rows {
		if p.OrgID == "" || p.Pathway == "" || p.LearnerKey == "" || !(p.Progress >= 0 && p.Progress <= 1) {
			return &store.Error{Kind: store.ErrInvalid, Op: "store: save pathway progress",
				Err: fmt.Errorf("row for %q on %q needs an organization, a pathway, a learner and a progress from 0 to 1", p.LearnerKey, p.Pathway)}
		}
		used := p.Used
		if used == nil {
			used = []string{}
		}
		b, err := json.Marshal(used)
		if err != nil {
			return fmt.Errorf("store: save pathway progress: %w", err)
		}
		args = append(args, p.OrgID, p.Pathway, p.LearnerKey, p.Version, p.Progress, p.Complete, string(b), at)
	}
	return s.atomic(ctx, func(tx *Store) error {
		err := tx.execRows(ctx, "save pathway progress",
			`INSERT INTO pathway_progress (org_id, pathway, learner_key, version, progress, complete, used, updated_at) VALUES `,
			` ON CONFLICT (org_id, pathway, learner_key) DO UPDATE SET version = excluded.version, progress = excluded.progress,
			complete = excluded.complete, used = excluded.used, updated_at = excluded.updated_at`, width, args)
		return tx.fail("save pathway progress", err)
	})
}

// DeletePathwayProgress implements store.Store.
func (s *Store) DeletePathwayProgress(ctx context.Context, orgID, learnerKey string, keep []string) error {
	q := `DELETE FROM pathway_progress WHERE org_id = ? AND learner_key = ? AND award_state = ''`
	args := []any{orgID, learnerKey}
	if len(keep) > 0 {
		q += ` AND pathway NOT IN (` + placeholders(len(keep)) + `)`
		for _, k := range keep {
			args = append(args, k)
		}
	}
	_, err := s.w.Exec(ctx, q, args...)
	return s.fail("delete pathway progress", err)
}

// PrunePathwayProgress implements store.Store.
func (s *Store) PrunePathwayProgress(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.w.Exec(ctx, `DELETE FROM pathway_progress WHERE updated_at < ? AND award_state = ''`, norm(before))
	return n, s.fail("prune pathway progress", err)
}

// ListPathwayProgress implements store.Store.
func (s *Store) ListPathwayProgress(ctx context.Context, q store.PathwayProgressQuery) ([]store.PathwayProgress, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if q.OrgID != "" {
		add("org_id = ?", q.OrgID)
	}
	if q.Pathway != "" {
		add("pathway = ?", q.Pathway)
	}
	if q.LearnerKey != "" {
		add("learner_key = ?", q.LearnerKey)
	}
	if q.AwardState != "" {
		add("award_state = ?", q.AwardState)
	}
	if q.CompleteOnly {
		add("complete = ?", true)
	}
	query := `SELECT ` + progressCols + ` FROM pathway_progress`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	n := q.Limit
	switch {
	case n <= 0:
		n = 100
	case n > 10000:
		n = 10000
	}
	args = append(args, n, max(q.Offset, 0))
	rows, err := s.r.Query(ctx, query+` ORDER BY org_id, pathway, learner_key LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, s.fail("list pathway progress", err)
	}
	return collect(rows, scanProgress, s, "list pathway progress")
}

// SetPathwayAward implements store.Store.
func (s *Store) SetPathwayAward(ctx context.Context, orgID, pathway, learnerKey, state, credentialID string, from ...string) error {
	op := fmt.Sprintf("set award of %q on %q to %q", learnerKey, pathway, state)
	if state != store.AwardNone && state != store.AwardReview && state != store.AwardIssued {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: " + op}
	}
	return s.atomic(ctx, func(tx *Store) error {
		q := `UPDATE pathway_progress SET award_state = ?, award_credential_id = ?, updated_at = ?
			WHERE org_id = ? AND pathway = ? AND learner_key = ?`
		args := []any{state, credentialID, now(), orgID, pathway, learnerKey}
		if len(from) > 0 {
			q += ` AND award_state IN (` + placeholders(len(from)) + `)`
			for _, f := range from {
				args = append(args, f)
			}
		}
		n, err := tx.w.Exec(ctx, q, args...)
		if err != nil {
			return tx.fail(op, err)
		}
		if n == 1 {
			return nil
		}
		var exists int
		err = tx.r.QueryRow(ctx, `SELECT COUNT(*) FROM pathway_progress WHERE org_id = ? AND pathway = ? AND learner_key = ?`,
			orgID, pathway, learnerKey).Scan(&exists)
		if err != nil {
			return tx.fail(op, err)
		}
		if exists == 0 {
			return notFound(op)
		}
		return &store.Error{Kind: store.ErrConflict, Op: "store: " + op, Err: errors.New("the award is in another state")}
	})
}

// CredentialFacts implements store.Store.
func (s *Store) CredentialFacts(ctx context.Context, learnerKey string, fn func(store.CredentialFact) error) error {
	q := `SELECT c.id, c.org_id, c.achievement_id, c.achievement_version, c.recipient_email_key, c.issued_at, c.valid_from, c.valid_until,
		COALESCE(r.is_set, FALSE), COALESCE(p.is_set, FALSE)
		FROM credentials c
		LEFT JOIN credential_status r ON r.credential_id = c.id AND r.purpose = 'revocation'
		LEFT JOIN credential_status p ON p.credential_id = c.id AND p.purpose = 'suspension'`
	var args []any
	if learnerKey != "" {
		q, args = q+` WHERE c.recipient_email_key = ?`, append(args, learnerKey)
	}
	rows, err := s.r.Query(ctx, q+` ORDER BY c.recipient_email_key, c.issued_at, c.id`, args...)
	if err != nil {
		return s.fail("credential facts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f store.CredentialFact
		if err := rows.Scan(&f.ID, &f.OrgID, &f.AchievementID, &f.AchievementVersion, &f.LearnerKey, ts(&f.IssuedAt), ts(&f.ValidFrom),
			tsOpt(&f.ValidUntil), &f.Revoked, &f.Suspended); err != nil {
			return s.fail("credential facts", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return s.fail("credential facts", rows.Err())
}
