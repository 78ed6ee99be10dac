package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

const bulkJobCols = `id, org_id, achievement_id, csv_sha256, csv_path, file_name, mapping, notify, state, total, done, failed,
	error, created_by, created_at, updated_at, validation`

func scanBulkJob(r Row) (store.BulkJob, error) {
	var j store.BulkJob
	var state string
	err := r.Scan(&j.ID, &j.OrgID, &j.AchievementID, &j.CSVSHA256, &j.CSVPath, &j.FileName, &j.Mapping, &j.Notify, &state,
		intDest{&j.Total}, intDest{&j.Done}, intDest{&j.Failed}, &j.Error, &j.CreatedBy, ts(&j.CreatedAt), ts(&j.UpdatedAt), &j.Validation)
	j.State = store.BulkState(state)
	return j, err
}

// CreateBulkJob implements store.Store. The unique (org_id,
// achievement_id, csv_sha256) constraint settles two processes starting
// the same file at once: the loser's insert does nothing and it reads the
// winner's job.
func (s *Store) CreateBulkJob(ctx context.Context, j store.BulkJob) (store.BulkJob, bool, error) {
	if j.ID == "" {
		j.ID = store.NewID()
	}
	if j.State == "" {
		j.State = store.BulkPending
	}
	if !j.State.Valid() || j.OrgID == "" || j.AchievementID == "" || len(j.CSVSHA256) != 64 {
		return store.BulkJob{}, false, &store.Error{Kind: store.ErrInvalid, Op: "store: create bulk job",
			Err: errors.New("organization, achievement, a 64-digit CSV digest and a valid state are required")}
	}
	j.CreatedAt = now()
	j.UpdatedAt = j.CreatedAt
	n, err := s.w.Exec(ctx, `INSERT INTO bulk_jobs (`+bulkJobCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, achievement_id, csv_sha256) DO NOTHING`,
		j.ID, j.OrgID, j.AchievementID, j.CSVSHA256, j.CSVPath, j.FileName, j.Mapping, j.Notify, string(j.State),
		j.Total, j.Done, j.Failed, j.Error, j.CreatedBy, j.CreatedAt, j.UpdatedAt, j.Validation)
	if err != nil {
		return store.BulkJob{}, false, s.fail("create bulk job", err)
	}
	if n == 1 {
		return j, true, nil
	}
	stored, err := s.FindBulkJob(ctx, j.OrgID, j.AchievementID, j.CSVSHA256)
	return stored, false, err
}

// BulkJob implements store.Store.
func (s *Store) BulkJob(ctx context.Context, id string) (store.BulkJob, error) {
	j, err := scanBulkJob(s.r.QueryRow(ctx, `SELECT `+bulkJobCols+` FROM bulk_jobs WHERE id = ?`, id))
	return j, s.fail(fmt.Sprintf("bulk job %q", id), err)
}

// FindBulkJob implements store.Store.
func (s *Store) FindBulkJob(ctx context.Context, orgID, achievementID, csvSHA256 string) (store.BulkJob, error) {
	j, err := scanBulkJob(s.r.QueryRow(ctx, `SELECT `+bulkJobCols+` FROM bulk_jobs
		WHERE org_id = ? AND achievement_id = ? AND csv_sha256 = ?`, orgID, achievementID, csvSHA256))
	return j, s.fail("find bulk job", err)
}

// ListBulkJobs implements store.Store.
func (s *Store) ListBulkJobs(ctx context.Context, orgID string, states ...store.BulkState) ([]store.BulkJob, error) {
	var where []string
	var args []any
	if orgID != "" {
		where, args = append(where, "org_id = ?"), append(args, orgID)
	}
	if len(states) > 0 {
		where = append(where, "state IN ("+placeholders(len(states))+")")
		for _, st := range states {
			args = append(args, string(st))
		}
	}
	q := `SELECT ` + bulkJobCols + ` FROM bulk_jobs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.r.Query(ctx, q+" ORDER BY created_at DESC, id DESC LIMIT 1000", args...)
	if err != nil {
		return nil, s.fail("list bulk jobs", err)
	}
	return collect(rows, scanBulkJob, s, "list bulk jobs")
}

// SetBulkJobState implements store.Store.
func (s *Store) SetBulkJobState(ctx context.Context, id string, to store.BulkState, errText string, total int, from ...store.BulkState) (store.BulkJob, error) {
	op := fmt.Sprintf("set state of bulk job %q to %s", id, to)
	if !to.Valid() {
		return store.BulkJob{}, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op}
	}
	var j store.BulkJob
	err := s.atomic(ctx, func(tx *Store) error {
		q := `UPDATE bulk_jobs SET state = ?, error = ?, updated_at = ?`
		args := []any{string(to), errText, now()}
		if total >= 0 {
			q, args = q+`, total = ?`, append(args, total)
		}
		q, args = q+` WHERE id = ?`, append(args, id)
		if len(from) > 0 {
			q += " AND state IN (" + placeholders(len(from)) + ")"
			for _, st := range from {
				args = append(args, string(st))
			}
		}
		n, err := tx.w.Exec(ctx, q, args...)
		if err != nil {
			return tx.fail(op, err)
		}
		j, err = scanBulkJob(tx.w.QueryRow(ctx, `SELECT `+bulkJobCols+` FROM bulk_jobs WHERE id = ?`, id))
		if err != nil {
			return tx.fail(op, err)
		}
		if n == 0 {
			return &store.Error{Kind: store.ErrConflict, Op: "store: " + op,
				Err: fmt.Errorf("the job is %s", j.State)}
		}
		return nil
	})
	return j, err
}

// SetBulkJobOptions implements store.Store.
func (s *Store) SetBulkJobOptions(ctx context.Context, id, mapping string, notify bool) error {
	op := fmt.Sprintf("set options of bulk job %q", id)
	n, err := s.w.Exec(ctx, `UPDATE bulk_jobs SET mapping = ?, notify = ?, updated_at = ? WHERE id = ? AND state IN (?, ?) AND done = 0`,
		mapping, notify, now(), id, string(store.BulkPending), string(store.BulkFailed))
	if err != nil {
		return s.fail(op, err)
	}
	if n == 0 {
		if _, err := s.BulkJob(ctx, id); err != nil {
			return err
		}
		return &store.Error{Kind: store.ErrConflict, Op: "store: " + op, Err: errors.New("the job has started")}
	}
	return nil
}

// SetBulkJobValidation implements store.Store.
func (s *Store) SetBulkJobValidation(ctx context.Context, id, report string) error {
	n, err := s.w.Exec(ctx, `UPDATE bulk_jobs SET validation = ? WHERE id = ?`, report, id)
	return expectOne(fmt.Sprintf("set validation of bulk job %q", id), n, err, s)
}

// bulkRowChunk bounds the rows of one multi-row INSERT (6 parameters
// each), far below the parameter limits of both databases.
const bulkRowChunk = 200

// RecordBulkRows implements store.Store.
func (s *Store) RecordBulkRows(ctx context.Context, jobID string, rows []store.BulkRow) (store.BulkJob, error) {
	op := fmt.Sprintf("record rows of bulk job %q", jobID)
	var j store.BulkJob
	err := s.atomic(ctx, func(tx *Store) error {
		done, failed := 0, 0
		for start := 0; start < len(rows); start += bulkRowChunk {
			chunk := rows[start:min(start+bulkRowChunk, len(rows))]
			args := make([]any, 0, 6*len(chunk))
			for _, r := range chunk {
				if r.CredentialID != "" {
					done++
				} else {
					failed++
				}
				args = append(args, jobID, r.Row, r.Line, r.RecipientEmail, nstr(r.CredentialID), r.Error)
			}
			q := `INSERT INTO bulk_rows (job_id, row_num, line, recipient_email, credential_id, error) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)), ", ") +
				` ON CONFLICT (job_id, row_num) DO UPDATE SET line = excluded.line, recipient_email = excluded.recipient_email,
				credential_id = excluded.credential_id, error = excluded.error`
			if _, err := tx.w.Exec(ctx, q, args...); err != nil {
				return tx.fail(op, err)
			}
		}
		n, err := tx.w.Exec(ctx, `UPDATE bulk_jobs SET done = done + ?, failed = failed + ?, updated_at = ? WHERE id = ?`,
			done, failed, now(), jobID)
		if err := expectOne(op, n, err, tx); err != nil {
			return err
		}
		j, err = scanBulkJob(tx.w.QueryRow(ctx, `SELECT `+bulkJobCols+` FROM bulk_jobs WHERE id = ?`, jobID))
		return tx.fail(op, err)
	})
	return j, err
}

// ReconcileBulkJob implements store.Store. The credentials of the job are
// found by their idempotency keys, "bulk:<job>:<row>", in one statement,
// so a crash between the credential's commit and the runner's own
// bookkeeping loses nothing.
func (s *Store) ReconcileBulkJob(ctx context.Context, jobID string) (store.BulkJob, error) {
	op := fmt.Sprintf("reconcile bulk job %q", jobID)
	var j store.BulkJob
	err := s.atomic(ctx, func(tx *Store) error {
		var err error
		j, err = scanBulkJob(tx.w.QueryRow(ctx, `SELECT `+bulkJobCols+` FROM bulk_jobs WHERE id = ?`, jobID))
		if err != nil {
			return tx.fail(op, err)
		}
		prefix := store.BulkIdempotencyPrefix(jobID)
		if _, err := tx.w.Exec(ctx, `DELETE FROM bulk_rows WHERE job_id = ? AND credential_id IS NULL`, jobID); err != nil {
			return tx.fail(op, err)
		}
		if _, err := tx.w.Exec(ctx, `INSERT INTO bulk_rows (job_id, row_num, recipient_email, credential_id)
			SELECT ?, CAST(substr(idempotency_key, ?) AS BIGINT), recipient_email, id FROM credentials
			WHERE org_id = ? AND idempotency_key LIKE ? ESCAPE '\'
			ON CONFLICT (job_id, row_num) DO UPDATE SET credential_id = excluded.credential_id, error = ''`,
			jobID, len(prefix)+1, j.OrgID, likePrefix(prefix)); err != nil {
			return tx.fail(op, err)
		}
		if _, err := tx.w.Exec(ctx, `UPDATE bulk_jobs SET
			done = (SELECT COUNT(*) FROM bulk_rows WHERE job_id = ? AND credential_id IS NOT NULL),
			failed = 0, updated_at = ? WHERE id = ?`, jobID, now(), jobID); err != nil {
			return tx.fail(op, err)
		}
		j, err = scanBulkJob(tx.w.QueryRow(ctx, `SELECT `+bulkJobCols+` FROM bulk_jobs WHERE id = ?`, jobID))
		return tx.fail(op, err)
	})
	return j, err
}

// likePrefix returns a LIKE pattern matching strings that start with p.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

// BulkRows implements store.Store.
func (s *Store) BulkRows(ctx context.Context, jobID string, fn func(store.BulkRow) error) error {
	op := fmt.Sprintf("rows of bulk job %q", jobID)
	rows, err := s.r.Query(ctx, `SELECT row_num, line, recipient_email, credential_id, error FROM bulk_rows
		WHERE job_id = ? ORDER BY row_num`, jobID)
	if err != nil {
		return s.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		r := store.BulkRow{JobID: jobID}
		if err := rows.Scan(intDest{&r.Row}, intDest{&r.Line}, &r.RecipientEmail, strDest{&r.CredentialID}, &r.Error); err != nil {
			return s.fail(op, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return s.fail(op, rows.Err())
}

// AchievementRecipients implements store.Store.
func (s *Store) AchievementRecipients(ctx context.Context, achievementID, excludeKeyPrefix string, fn func(string) error) error {
	q := `SELECT recipient_email_key FROM credentials WHERE achievement_id = ?`
	args := []any{achievementID}
	if excludeKeyPrefix != "" {
		q, args = q+` AND (idempotency_key IS NULL OR idempotency_key NOT LIKE ? ESCAPE '\')`, append(args, likePrefix(excludeKeyPrefix))
	}
	rows, err := s.r.Query(ctx, q, args...)
	if err != nil {
		return s.fail("recipients of achievement", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return s.fail("recipients of achievement", err)
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return s.fail("recipients of achievement", rows.Err())
}
