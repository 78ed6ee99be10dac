package sqlcore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/store"
)

// SearchCredentials implements store.Store.
func (s *Store) SearchCredentials(ctx context.Context, q store.CredentialSearch) ([]store.CredentialListing, error) {
	if q.OrgID == "" {
		return nil, fmt.Errorf("%w: credential search needs an organization", store.ErrInvalid)
	}
	status := func(purpose string) string {
		return `EXISTS (SELECT 1 FROM credential_status cs WHERE cs.credential_id = c.id AND cs.purpose = '` + purpose + `' AND cs.is_set = ?)`
	}
	// For an email address the organization is written so that no index
	// on it applies: the planner then starts from the address, a handful
	// of rows, instead of walking the organization's credentials newest
	// first looking for them (SQLite, without statistics, prefers the
	// index that gives the order).
	org := "c.org_id = ?"
	if q.Email != "" {
		org = "c.org_id || '' = ?"
	}
	where := []string{org}
	args := []any{q.OrgID}
	if q.ID != "" {
		where, args = append(where, "c.id = ?"), append(args, q.ID)
	}
	if q.Email != "" {
		where, args = append(where, "c.recipient_email_key = ?"), append(args, store.EmailKey(q.Email))
	}
	if p := asciiLower(strings.TrimSpace(q.Name)); p != "" {
		// SQL lower() folds ASCII letters only (SQLite, and PostgreSQL in
		// the C locale), so the prefix is folded the same way. A range on the indexed lower-cased name, then the exact prefix
		// (the range alone is exact only under byte-order collation).
		where = append(where, "lower(c.recipient_name) >= ?", "lower(c.recipient_name) < ?", "substr(lower(c.recipient_name), 1, ?) = ?")
		args = append(args, p, prefixEnd(p), utf8.RuneCountInString(p), p)
	}
	if q.AchievementID != "" {
		where, args = append(where, "c.achievement_id = ?"), append(args, q.AchievementID)
	}
	if !q.IssuedFrom.IsZero() {
		where, args = append(where, "c.issued_at >= ?"), append(args, norm(q.IssuedFrom))
	}
	if !q.IssuedTo.IsZero() {
		where, args = append(where, "c.issued_at < ?"), append(args, norm(q.IssuedTo))
	}
	switch q.Status {
	case "":
	case store.StatusRevoked:
		where, args = append(where, "c.id IN (SELECT cs.credential_id FROM credential_status cs WHERE cs.org_id = ? AND cs.purpose = 'revocation' AND cs.is_set = ?)"), append(args, q.OrgID, true)
	case store.StatusSuspended:
		where, args = append(where, "c.id IN (SELECT cs.credential_id FROM credential_status cs WHERE cs.org_id = ? AND cs.purpose = 'suspension' AND cs.is_set = ?)"), append(args, q.OrgID, true)
	case store.StatusExpired:
		where, args = append(where, "c.valid_until IS NOT NULL AND c.valid_until <= ?"), append(args, norm(q.Now))
	case store.StatusActive:
		where = append(where, "(c.valid_until IS NULL OR c.valid_until > ?)", "NOT "+status("revocation"), "NOT "+status("suspension"))
		args = append(args, norm(q.Now), true, true)
	default:
		return nil, fmt.Errorf("%w: credential status %q", store.ErrInvalid, q.Status)
	}
	if a := q.After; a != nil {
		where = append(where, "(c.issued_at < ? OR (c.issued_at = ? AND c.id < ?))")
		args = append(args, norm(a.IssuedAt), norm(a.IssuedAt), a.ID)
	}
	query := `SELECT c.id, c.org_id, c.achievement_id, c.recipient_name, c.recipient_email, c.format, c.issued_at, c.valid_until, ` +
		status("revocation") + `, ` + status("suspension") + ` FROM credentials c WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY c.issued_at DESC, c.id DESC LIMIT ?`
	args = append([]any{true, true}, args...)
	args = append(args, limit(q.Limit))
	rows, err := s.r.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail("search credentials", err)
	}
	return collect(rows, func(r Row) (store.CredentialListing, error) {
		var c store.CredentialListing
		var format string
		err := r.Scan(&c.ID, &c.OrgID, &c.AchievementID, &c.RecipientName, &c.RecipientEmail, &format, ts(&c.IssuedAt), tsOpt(&c.ValidUntil), &c.Revoked, &c.Suspended)
		c.Format = store.Format(format)
		return c, err
	}, s, "search credentials")
}

// prefixEnd is the smallest string above every string starting with p
// (in byte order): p with its last rune incremented.
func prefixEnd(p string) string {
	r, size := utf8.DecodeLastRuneInString(p)
	return p[:len(p)-size] + string(r+1)
}

// asciiLower lower-cases ASCII letters only, as SQL lower() does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
