package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

const endorsementCols = `id, org_id, direction, subject_kind, subject_id, subject_org_id, subject_achievement_id, subject_name,
	endorser_id, endorser_name, comment, document, issued_at, valid_from, valid_until, created_by, created_at`

func scanEndorsement(r Row) (store.Endorsement, error) {
	var e store.Endorsement
	err := r.Scan(&e.ID, &e.OrgID, &e.Direction, &e.SubjectKind, &e.SubjectID, &e.SubjectOrgID, &e.SubjectAchievementID, &e.SubjectName,
		&e.EndorserID, &e.EndorserName, &e.Comment, &e.Document, ts(&e.IssuedAt), ts(&e.ValidFrom), tsOpt(&e.ValidUntil), &e.CreatedBy, ts(&e.CreatedAt))
	return e, err
}

// InsertEndorsement implements store.Store.
func (s *Store) InsertEndorsement(ctx context.Context, e store.Endorsement) (store.Endorsement, error) {
	invalid := func(msg string) (store.Endorsement, error) {
		return store.Endorsement{}, &store.Error{Kind: store.ErrInvalid, Op: "store: insert endorsement", Err: errors.New(msg)}
	}
	switch {
	case e.ID == "" || e.OrgID == "" || e.SubjectID == "" || e.EndorserID == "" || e.Document == "":
		return invalid("id, organization, subject, endorser and document are required")
	case e.Direction != store.EndorsementGiven && e.Direction != store.EndorsementReceived:
		return invalid(fmt.Sprintf("direction %q is not given or received", e.Direction))
	case e.SubjectKind != store.EndorsedAchievement && e.SubjectKind != store.EndorsedProfile:
		return invalid(fmt.Sprintf("subject kind %q is not achievement or profile", e.SubjectKind))
	case e.IssuedAt.IsZero():
		return invalid("issue time is required")
	}
	if e.ValidFrom.IsZero() {
		e.ValidFrom = e.IssuedAt
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now()
	}
	e.IssuedAt, e.ValidFrom, e.CreatedAt, e.ValidUntil = norm(e.IssuedAt), norm(e.ValidFrom), norm(e.CreatedAt), normPtr(e.ValidUntil)
	_, err := s.w.Exec(ctx, `INSERT INTO endorsements (`+endorsementCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.OrgID, e.Direction, e.SubjectKind, e.SubjectID, e.SubjectOrgID, e.SubjectAchievementID, e.SubjectName,
		e.EndorserID, e.EndorserName, e.Comment, e.Document, e.IssuedAt, e.ValidFrom, tsArg(e.ValidUntil), e.CreatedBy, e.CreatedAt)
	if err != nil {
		return store.Endorsement{}, s.fail(fmt.Sprintf("insert endorsement %q", e.ID), err)
	}
	return e, nil
}

// Endorsement implements store.Store.
func (s *Store) Endorsement(ctx context.Context, id string) (store.Endorsement, error) {
	e, err := scanEndorsement(s.r.QueryRow(ctx, `SELECT `+endorsementCols+` FROM endorsements WHERE id = ?`, id))
	return e, s.fail(fmt.Sprintf("endorsement %q", id), err)
}

// ListEndorsements implements store.Store.
func (s *Store) ListEndorsements(ctx context.Context, q store.EndorsementQuery) ([]store.Endorsement, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, v string }{
		{"org_id", q.OrgID}, {"direction", q.Direction}, {"subject_org_id", q.SubjectOrgID}, {"subject_achievement_id", q.SubjectAchievementID},
		{"subject_kind", q.SubjectKind},
	} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if len(q.SubjectIDs) > 0 {
		where = append(where, "subject_id IN ("+placeholders(len(q.SubjectIDs))+")")
		for _, id := range q.SubjectIDs {
			args = append(args, id)
		}
	}
	sql := `SELECT ` + endorsementCols + ` FROM endorsements`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY issued_at DESC, id LIMIT ? OFFSET ?"
	args = append(args, limit(q.Limit), max(q.Offset, 0))
	rows, err := s.r.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.fail("list endorsements", err)
	}
	return collect(rows, scanEndorsement, s, "list endorsements")
}

// DeleteEndorsement implements store.Store.
func (s *Store) DeleteEndorsement(ctx context.Context, orgID, id string) error {
	n, err := s.w.Exec(ctx, `DELETE FROM endorsements WHERE org_id = ? AND id = ? AND direction = 'received'`, orgID, id)
	return expectOne(fmt.Sprintf("delete endorsement %q", id), n, err, s)
}
