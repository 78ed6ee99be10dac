package sqlcore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/store"
)

// SearchCredentials implements store.Store.
//
// Every filter is answered by walking an index newest first (keyset
// paging on issued_at, id), testing the other filters on columns the
// index carries where it can, so a page costs about the rows it skips, not
// the organization's size: status is the row's status_set (the copy of
// its status bits, migration 0019), whose partial index lists the few
// revoked and suspended credentials; the expired filter walks the partial
// indexes of credentials that have a validity end; a name prefix walks
// the name index, which carries the order and the filtered columns. The
// expired filter also starts its walk at the newest issue time an expired
// credential can have (now minus the shortest validity period stored,
// credential_validity), so it does not step over the credentials issued
// since, which have not had the time to expire.
//
// SQLite plans without statistics and, given the choice, walks the
// organization's full (org_id, issued_at, id) index, reading every row it
// steps over: two seconds for the expired filter at a million credentials,
// a tenth of one for an achievement whose credentials in a period have all
// expired. On SQLite the search therefore names the index to walk (see
// indexHinter): the name index for a name prefix, else the expiring or
// status index for those filters, else the achievement's index; none when
// an email or id narrows the rows to a handful. PostgreSQL chooses from
// its statistics. Nothing here depends on ANALYZE having run.
func (s *Store) SearchCredentials(ctx context.Context, q store.CredentialSearch) ([]store.CredentialListing, error) {
	if q.OrgID == "" {
		return nil, fmt.Errorf("%w: credential search needs an organization", store.ErrInvalid)
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
	narrowed := q.ID != "" || q.Email != "" // a handful of rows: no index to name
	byName := false
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
		byName = true
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
	index := "" // the index SQLite must walk, when the filter needs one named
	switch q.Status {
	case "":
	case store.StatusRevoked, store.StatusSuspended:
		// "status_set <> 0" lets both databases use the partial index.
		bit := statusBit(store.PurposeRevocation)
		if q.Status == store.StatusSuspended {
			bit = statusBit(store.PurposeSuspension)
		}
		where, args = append(where, "c.status_set <> 0", "(c.status_set & ?) <> 0"), append(args, bit)
		index = "credentials_org_status_set"
	case store.StatusExpired:
		where, args = append(where, "c.valid_until IS NOT NULL", "c.valid_until <= ?"), append(args, norm(q.Now))
		bound, ok, err := s.expiredBound(ctx, q.OrgID, q.AchievementID, q.Now)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil // nothing of the organization (or achievement) ever expires
		}
		where, args = append(where, "c.issued_at <= ?"), append(args, norm(bound))
		index = "credentials_org_expiring"
		if q.AchievementID != "" {
			index = "credentials_org_achievement_expiring"
		}
	case store.StatusActive:
		where = append(where, "c.status_set = 0", "(c.valid_until IS NULL OR c.valid_until > ?)")
		args = append(args, norm(q.Now))
	default:
		return nil, fmt.Errorf("%w: credential status %q", store.ErrInvalid, q.Status)
	}
	if a := q.After; a != nil {
		// A row value, which both databases turn into one index range; the
		// equivalent OR of two comparisons made SQLite merge two index
		// scans and sort everything older than the cursor.
		where, args = append(where, "(c.issued_at, c.id) < (?, ?)"), append(args, norm(a.IssuedAt), a.ID)
	}
	if index == "" && q.AchievementID != "" {
		// Without statistics SQLite may prefer the organization's index
		// with a date range, reading every row of the period to find one
		// achievement's; the achievement's index carries the status
		// columns and walks only its rows.
		index = "credentials_org_achievement_issued"
	}
	if byName {
		// The name index carries every filtered column and the order:
		// the prefix's matches are filtered and ordered without reading
		// rows, whereas walking another index would read a row for each
		// credential it steps over.
		index = "credentials_org_name"
	}
	from := "credentials c"
	if h, ok := s.b.(indexHinter); ok && index != "" && !narrowed {
		from += h.IndexedBy(index)
	}
	// The page's ids first, from the index alone where it carries every
	// filtered column; the rows are read for those ids only. (Selecting the
	// columns in one query made SQLite read the row of every match of a
	// name prefix before sorting them.)
	query := `SELECT c.id, c.org_id, c.achievement_id, c.recipient_name, c.recipient_email, c.format, c.issued_at, c.valid_until,
		(c.status_set & 1) <> 0, (c.status_set & 2) <> 0 FROM credentials c JOIN (SELECT c.id FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY c.issued_at DESC, c.id DESC LIMIT ?) page ON c.id = page.id ORDER BY c.issued_at DESC, c.id DESC`
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

// indexHinter is implemented by a backend whose planner needs to be told
// which index a query walks (SQLite: " INDEXED BY name").
type indexHinter interface {
	IndexedBy(index string) string
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
