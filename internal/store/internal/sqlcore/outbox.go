package sqlcore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
)

const mailCols = `id, to_addr, subject, body, created_at, sent_at, attempts, error, claimed_until, org_id`

func scanMail(r Row) (store.Mail, error) {
	var m store.Mail
	err := r.Scan(&m.ID, &m.To, &m.Subject, &m.Body, ts(&m.CreatedAt), tsOpt(&m.SentAt), &m.Attempts, &m.Error, ts(&m.ClaimedUntil), &m.OrgID)
	return m, err
}

// EnqueueMail implements store.Store.
func (s *Store) EnqueueMail(ctx context.Context, m store.Mail) (store.Mail, error) {
	if strings.TrimSpace(m.To) == "" {
		return store.Mail{}, &store.Error{Kind: store.ErrInvalid, Op: "store: enqueue mail", Err: fmt.Errorf("recipient is required")}
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now()
	}
	m.CreatedAt = norm(m.CreatedAt)
	m.SentAt, m.Attempts, m.Error, m.ClaimedUntil = nil, 0, "", time.Time{}
	err := s.w.QueryRow(ctx, `INSERT INTO mail_outbox (to_addr, subject, body, created_at, org_id) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		m.To, m.Subject, m.Body, m.CreatedAt, m.OrgID).Scan(&m.ID)
	if err != nil {
		return store.Mail{}, s.fail("enqueue mail", err)
	}
	return m, nil
}

// ClaimMail implements store.Store. The lease condition is repeated in the
// outer WHERE so that, on PostgreSQL, a node that lost a race for a row
// re-checks it after the winner commits and skips it.
func (s *Store) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]store.Mail, error) {
	t := now()
	until := norm(t.Add(lease))
	rows, err := s.w.Query(ctx, `UPDATE mail_outbox SET claimed_until = ?
		WHERE sent_at IS NULL AND attempts < ? AND (claimed_until IS NULL OR claimed_until <= ?)
		AND id IN (SELECT id FROM mail_outbox
			WHERE sent_at IS NULL AND attempts < ? AND (claimed_until IS NULL OR claimed_until <= ?)
			ORDER BY id LIMIT ?)
		RETURNING `+mailCols, until, store.MaxMailAttempts, t, store.MaxMailAttempts, t, limit(n))
	if err != nil {
		return nil, s.fail("claim mail", err)
	}
	ms, err := collect(rows, scanMail, s, "claim mail")
	slices.SortFunc(ms, func(a, b store.Mail) int { return cmp.Compare(a.ID, b.ID) })
	return ms, err
}

// MarkMailSent implements store.Store.
func (s *Store) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	n, err := s.w.Exec(ctx, `UPDATE mail_outbox SET sent_at = ?, error = '' WHERE id = ?`, norm(at), id)
	return expectOne(fmt.Sprintf("mark mail %d sent", id), n, err, s)
}

// MarkMailFailed implements store.Store: the claim is extended to retryAt,
// so the message is offered again only then.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, sendErr string, retryAt time.Time) error {
	n, err := s.w.Exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, error = ?, claimed_until = ? WHERE id = ?`,
		sendErr, norm(retryAt), id)
	return expectOne(fmt.Sprintf("mark mail %d failed", id), n, err, s)
}

const auditCols = `id, org_id, actor, action, target, detail, created_at`

func scanAudit(r Row) (store.AuditEvent, error) {
	var e store.AuditEvent
	var detail string
	err := r.Scan(&e.ID, strDest{&e.OrgID}, &e.Actor, &e.Action, &e.Target, strDest{&detail}, ts(&e.CreatedAt))
	if detail != "" {
		e.Detail = json.RawMessage(detail)
	}
	return e, err
}

// AppendAudit implements store.Store.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) (store.AuditEvent, error) {
	const op = "store: append audit event"
	if e.Actor == "" || e.Action == "" {
		return store.AuditEvent{}, &store.Error{Kind: store.ErrInvalid, Op: op, Err: fmt.Errorf("actor and action are required")}
	}
	var detail any
	if len(e.Detail) > 0 {
		if !json.Valid(e.Detail) {
			return store.AuditEvent{}, &store.Error{Kind: store.ErrInvalid, Op: op, Err: fmt.Errorf("detail is not valid JSON")}
		}
		detail = string(e.Detail)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now()
	}
	e.CreatedAt = norm(e.CreatedAt)
	err := s.w.QueryRow(ctx, `INSERT INTO audit_log (org_id, actor, action, target, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, nstr(e.OrgID), e.Actor, e.Action, e.Target, detail, e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return store.AuditEvent{}, s.fail(fmt.Sprintf("append audit event %q", e.Action), err)
	}
	return e, nil
}

// ListAudit implements store.Store, in id order.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, val string }{{"org_id", q.OrgID}, {"actor", q.Actor}, {"action", q.Action}} {
		if f.val != "" {
			where, args = append(where, f.col+" = ?"), append(args, f.val)
		}
	}
	if q.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, q.AfterID)
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	query := `SELECT ` + auditCols + ` FROM audit_log`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if q.Descending {
		query += " ORDER BY id DESC"
	} else {
		query += " ORDER BY id"
	}
	query += " LIMIT ?"
	args = append(args, limit(q.Limit))
	rows, err := s.r.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail("list audit events", err)
	}
	return collect(rows, scanAudit, s, "list audit events")
}

// ListMail implements store.Store: newest first, by id (ids increase with
// insertion order).
func (s *Store) ListMail(ctx context.Context, n int) ([]store.Mail, error) {
	rows, err := s.r.Query(ctx, `SELECT `+mailCols+` FROM mail_outbox ORDER BY id DESC LIMIT ?`, limit(n))
	if err != nil {
		return nil, s.fail("list mail", err)
	}
	return collect(rows, scanMail, s, "list mail")
}

// ListOrgMail implements store.Store: one organization's messages, newest
// first.
func (s *Store) ListOrgMail(ctx context.Context, orgID string, n int) ([]store.Mail, error) {
	rows, err := s.r.Query(ctx, `SELECT `+mailCols+` FROM mail_outbox WHERE org_id = ? ORDER BY id DESC LIMIT ?`, orgID, limit(n))
	if err != nil {
		return nil, s.fail("list organization mail", err)
	}
	return collect(rows, scanMail, s, "list organization mail")
}

// OutboxDepth implements store.Store. The partial index on unsent
// messages keeps it cheap however long the outbox's history is.
func (s *Store) OutboxDepth(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts < ?`, store.MaxMailAttempts).Scan(&n)
	return n, s.fail("outbox depth", err)
}

// EnqueueMails implements store.BatchWriter.
func (s *Store) EnqueueMails(ctx context.Context, ms []store.Mail) error {
	t := now()
	args := make([]any, 0, 5*len(ms))
	for i, m := range ms {
		if strings.TrimSpace(m.To) == "" {
			return &store.RowError{Row: i, Err: &store.Error{Kind: store.ErrInvalid, Op: "store: enqueue mails",
				Err: fmt.Errorf("recipient is required")}}
		}
		at := t
		if !m.CreatedAt.IsZero() {
			at = norm(m.CreatedAt)
		}
		args = append(args, m.To, m.Subject, m.Body, at, m.OrgID)
	}
	err := s.execRows(ctx, "enqueue mails", `INSERT INTO mail_outbox (to_addr, subject, body, created_at, org_id) VALUES `, "", 5, args)
	return s.fail("enqueue mails", err)
}

// AppendAudits implements store.BatchWriter. The rows of one statement
// take their ids in the order of its VALUES list, on both databases, so id
// order stays insertion order.
func (s *Store) AppendAudits(ctx context.Context, es []store.AuditEvent) error {
	const op = "store: append audit events"
	t := now()
	args := make([]any, 0, 6*len(es))
	for i, e := range es {
		if e.Actor == "" || e.Action == "" {
			return &store.RowError{Row: i, Err: &store.Error{Kind: store.ErrInvalid, Op: op, Err: fmt.Errorf("actor and action are required")}}
		}
		var detail any
		if len(e.Detail) > 0 {
			if !json.Valid(e.Detail) {
				return &store.RowError{Row: i, Err: &store.Error{Kind: store.ErrInvalid, Op: op, Err: fmt.Errorf("detail is not valid JSON")}}
			}
			detail = string(e.Detail)
		}
		at := t
		if !e.CreatedAt.IsZero() {
			at = norm(e.CreatedAt)
		}
		args = append(args, nstr(e.OrgID), e.Actor, e.Action, e.Target, detail, at)
	}
	err := s.execRows(ctx, "append audit events", `INSERT INTO audit_log (org_id, actor, action, target, detail, created_at) VALUES `, "", 6, args)
	return s.fail("append audit events", err)
}
