package sqlcore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

// PutEvidenceRequirement implements store.Store.
func (s *Store) PutEvidenceRequirement(ctx context.Context, r store.EvidenceRequirement) error {
	if r.AchievementID == "" || r.OrgID == "" || len(r.Document) == 0 {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: put evidence requirement", Err: fmt.Errorf("achievement, organization and document are required")}
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = now()
	}
	_, err := s.w.Exec(ctx, `INSERT INTO evidence_requirements (achievement_id, org_id, document, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (achievement_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
		r.AchievementID, r.OrgID, string(r.Document), norm(r.UpdatedAt))
	return s.fail("put evidence requirement", err)
}

// EvidenceRequirement implements store.Store.
func (s *Store) EvidenceRequirement(ctx context.Context, achievementID string) (store.EvidenceRequirement, error) {
	var r store.EvidenceRequirement
	var doc string
	err := s.r.QueryRow(ctx, `SELECT achievement_id, org_id, document, updated_at FROM evidence_requirements WHERE achievement_id = ?`, achievementID).
		Scan(&r.AchievementID, &r.OrgID, &doc, ts(&r.UpdatedAt))
	r.Document = []byte(doc)
	return r, s.fail(fmt.Sprintf("evidence requirement of %q", achievementID), err)
}

// DeleteEvidenceRequirement implements store.Store.
func (s *Store) DeleteEvidenceRequirement(ctx context.Context, achievementID string) error {
	n, err := s.w.Exec(ctx, `DELETE FROM evidence_requirements WHERE achievement_id = ?`, achievementID)
	return expectOne(fmt.Sprintf("delete evidence requirement of %q", achievementID), n, err, s)
}

const applicationCols = `id, org_id, achievement_id, learner_id, state, statement, links, assigned_to, credential_id, created_at, updated_at, submitted_at`

func scanApplication(r Row) (store.Application, error) {
	var a store.Application
	var links string
	err := r.Scan(&a.ID, &a.OrgID, &a.AchievementID, &a.LearnerID, &a.State, &a.Statement, &links, &a.AssignedTo, &a.CredentialID,
		ts(&a.CreatedAt), ts(&a.UpdatedAt), tsOpt(&a.SubmittedAt))
	if links != "" {
		a.Links = strings.Split(links, "\n")
	}
	return a, err
}

// CreateApplication implements store.Store.
func (s *Store) CreateApplication(ctx context.Context, a store.Application) (store.Application, error) {
	if a.OrgID == "" || a.AchievementID == "" || a.LearnerID == "" || a.State == "" {
		return store.Application{}, &store.Error{Kind: store.ErrInvalid, Op: "store: create application", Err: fmt.Errorf("organization, achievement, learner and state are required")}
	}
	if a.ID == "" {
		a.ID = store.NewID()
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now()
	}
	a.CreatedAt = norm(a.CreatedAt)
	a.UpdatedAt = a.CreatedAt
	_, err := s.w.Exec(ctx, `INSERT INTO applications (`+applicationCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.OrgID, a.AchievementID, a.LearnerID, a.State, a.Statement, strings.Join(a.Links, "\n"), a.AssignedTo, a.CredentialID,
		a.CreatedAt, a.UpdatedAt, tsArg(normPtr(a.SubmittedAt)))
	if err != nil {
		return store.Application{}, s.fail("create application", err)
	}
	return a, nil
}

// Application implements store.Store.
func (s *Store) Application(ctx context.Context, id string) (store.Application, error) {
	a, err := scanApplication(s.r.QueryRow(ctx, `SELECT `+applicationCols+` FROM applications WHERE id = ?`, id))
	return a, s.fail(fmt.Sprintf("application %q", id), err)
}

// UpdateApplication implements store.Store.
func (s *Store) UpdateApplication(ctx context.Context, a store.Application, fromState string) error {
	a.UpdatedAt = now()
	n, err := s.w.Exec(ctx, `UPDATE applications SET state = ?, statement = ?, links = ?, assigned_to = ?, credential_id = ?, updated_at = ?, submitted_at = ?
		WHERE id = ? AND state = ?`,
		a.State, a.Statement, strings.Join(a.Links, "\n"), a.AssignedTo, a.CredentialID, a.UpdatedAt, tsArg(normPtr(a.SubmittedAt)), a.ID, fromState)
	if err != nil {
		return s.fail("update application", err)
	}
	if n != 1 {
		return &store.Error{Kind: store.ErrConflict, Op: "store: update application", Err: fmt.Errorf("application %q is no longer %q", a.ID, fromState)}
	}
	return nil
}

// ListApplications implements store.Store.
func (s *Store) ListApplications(ctx context.Context, q store.ApplicationQuery) ([]store.Application, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, v string }{{"org_id", q.OrgID}, {"learner_id", q.LearnerID}, {"achievement_id", q.AchievementID}, {"state", q.State}, {"assigned_to", q.AssignedTo}} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	sql := `SELECT ` + applicationCols + ` FROM applications`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	// Oldest submission first is the fair order for a review queue; the
	// CASE puts never-submitted drafts last, newest first.
	sql += ` ORDER BY CASE WHEN submitted_at IS NULL THEN 1 ELSE 0 END, submitted_at, created_at DESC, id LIMIT ? OFFSET ?`
	args = append(args, limit(q.Limit), max(q.Offset, 0))
	rows, err := s.r.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.fail("list applications", err)
	}
	return collect(rows, scanApplication, s, "list applications")
}

const fileCols = `id, application_id, name, media_type, size, sha256, created_at`

func scanFile(r Row) (store.ApplicationFile, error) {
	var f store.ApplicationFile
	err := r.Scan(&f.ID, &f.ApplicationID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, ts(&f.CreatedAt))
	return f, err
}

// AddApplicationFile implements store.Store.
func (s *Store) AddApplicationFile(ctx context.Context, f store.ApplicationFile, data []byte) (store.ApplicationFile, error) {
	if f.ApplicationID == "" || f.Name == "" || f.MediaType == "" || len(data) == 0 {
		return store.ApplicationFile{}, &store.Error{Kind: store.ErrInvalid, Op: "store: add application file", Err: fmt.Errorf("application, name, type and content are required")}
	}
	sum := sha256.Sum256(data)
	f.SHA256, f.Size = sum[:], int64(len(data))
	if f.ID == "" {
		f.ID = store.NewID()
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now()
	}
	f.CreatedAt = norm(f.CreatedAt)
	err := s.WithTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		if _, err := t.w.Exec(ctx, `INSERT INTO blobs (sha256, data, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, f.SHA256, data, f.CreatedAt); err != nil {
			return t.fail("store file content", err)
		}
		_, err := t.w.Exec(ctx, `INSERT INTO application_files (`+fileCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.ApplicationID, f.Name, f.MediaType, f.Size, f.SHA256, f.CreatedAt)
		return t.fail("add application file", err)
	})
	if err != nil {
		return store.ApplicationFile{}, err
	}
	return f, nil
}

// ApplicationFiles implements store.Store.
func (s *Store) ApplicationFiles(ctx context.Context, applicationID string) ([]store.ApplicationFile, error) {
	rows, err := s.r.Query(ctx, `SELECT `+fileCols+` FROM application_files WHERE application_id = ? ORDER BY created_at, id`, applicationID)
	if err != nil {
		return nil, s.fail("list application files", err)
	}
	return collect(rows, scanFile, s, "list application files")
}

// ApplicationFileData implements store.Store.
func (s *Store) ApplicationFileData(ctx context.Context, applicationID, fileID string) (store.ApplicationFile, []byte, error) {
	var data []byte
	f, err := scanFile(s.r.QueryRow(ctx, `SELECT `+fileCols+` FROM application_files WHERE id = ? AND application_id = ?`, fileID, applicationID))
	if err == nil {
		err = s.r.QueryRow(ctx, `SELECT data FROM blobs WHERE sha256 = ?`, f.SHA256).Scan(&data)
	}
	return f, data, s.fail(fmt.Sprintf("file %q", fileID), err)
}

// DeleteApplicationFile implements store.Store. The content stays in blobs
// while another file shares it; unreferenced content is removed.
func (s *Store) DeleteApplicationFile(ctx context.Context, applicationID, fileID string) error {
	return s.WithTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		f, _, err := t.ApplicationFileData(ctx, applicationID, fileID)
		if err != nil {
			return err
		}
		if _, err := t.w.Exec(ctx, `DELETE FROM application_files WHERE id = ?`, fileID); err != nil {
			return t.fail("delete application file", err)
		}
		_, err = t.w.Exec(ctx, `DELETE FROM blobs WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM application_files WHERE sha256 = ?)`, f.SHA256, f.SHA256)
		return t.fail("delete unreferenced content", err)
	})
}

// AddReview implements store.Store.
func (s *Store) AddReview(ctx context.Context, r store.Review) (store.Review, error) {
	if r.ApplicationID == "" || r.ReviewerID == "" || r.Action == "" {
		return store.Review{}, &store.Error{Kind: store.ErrInvalid, Op: "store: add review", Err: fmt.Errorf("application, reviewer and action are required")}
	}
	if r.ID == "" {
		r.ID = store.NewID()
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now()
	}
	r.CreatedAt = norm(r.CreatedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO reviews (id, application_id, reviewer_id, action, comment, scores, points, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ApplicationID, r.ReviewerID, r.Action, r.Comment, string(r.Scores), r.Points, r.CreatedAt)
	if err != nil {
		return store.Review{}, s.fail("add review", err)
	}
	return r, nil
}

// ListReviews implements store.Store; oldest first.
func (s *Store) ListReviews(ctx context.Context, applicationID string) ([]store.Review, error) {
	rows, err := s.r.Query(ctx, `SELECT id, application_id, reviewer_id, action, comment, scores, points, created_at FROM reviews WHERE application_id = ? ORDER BY created_at, id`, applicationID)
	if err != nil {
		return nil, s.fail("list reviews", err)
	}
	return collect(rows, func(r Row) (store.Review, error) {
		var v store.Review
		var scores string
		err := r.Scan(&v.ID, &v.ApplicationID, &v.ReviewerID, &v.Action, &v.Comment, &scores, &v.Points, ts(&v.CreatedAt))
		if scores != "" {
			v.Scores = []byte(scores)
		}
		return v, err
	}, s, "list reviews")
}
