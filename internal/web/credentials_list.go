package web

import (
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/store"
)

// The registrar's credential list: search by name prefix, email or
// credential id, filters, keyset paging and a CSV export of every match,
// however many there are.

const credentialPage = 50

// credentialFilter is the list's query as typed, and the search it means.
type credentialFilter struct {
	Q, Achievement, Status, From, To string
	search                           store.CredentialSearch
}

// parseCredentialFilter reads the list's query; problems name the field.
func (s *server) parseCredentialFilter(q url.Values, orgID string) (credentialFilter, formErrors) {
	f := credentialFilter{Q: strings.TrimSpace(q.Get("q")), Achievement: q.Get("achievement"), Status: q.Get("status"),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	var errs formErrors
	sq := store.CredentialSearch{OrgID: orgID, AchievementID: f.Achievement, Now: s.now().UTC()}
	switch t := f.Q; {
	case t == "":
	case strings.Contains(t, "@"):
		sq.Email = t
	case uuidRE.MatchString(strings.ToLower(t)):
		sq.ID = "urn:uuid:" + strings.ToLower(t)
	case strings.HasPrefix(t, "urn:uuid:") || strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://"):
		sq.ID = credential.NormalizeID(t)
	default:
		sq.Name = t
	}
	switch f.Status {
	case "", store.StatusActive, store.StatusRevoked, store.StatusSuspended, store.StatusExpired:
		sq.Status = f.Status
	default:
		errs.add("status", "Status: choose one from the list.")
	}
	if f.From != "" {
		d, err := time.Parse(time.DateOnly, f.From)
		if err != nil {
			errs.add("from", "Issued from: enter a date such as 2026-01-31.")
		}
		sq.IssuedFrom = d
	}
	if f.To != "" {
		d, err := time.Parse(time.DateOnly, f.To)
		if err != nil {
			errs.add("to", "Issued to: enter a date such as 2026-12-31.")
		}
		sq.IssuedTo = d.AddDate(0, 0, 1)
	}
	if !sq.IssuedFrom.IsZero() && !sq.IssuedTo.IsZero() && sq.IssuedTo.Before(sq.IssuedFrom) {
		errs.add("to", "Issued to must be on or after Issued from.")
	}
	f.search = sq
	return f, errs
}

// query is the filter as URL parameters, for the next-page and CSV links.
func (f credentialFilter) query() string {
	v := url.Values{}
	for k, x := range map[string]string{"q": f.Q, "achievement": f.Achievement, "status": f.Status, "from": f.From, "to": f.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// encodeCursor and decodeCursor turn a list position into an opaque
// parameter and back.
func encodeCursor(c store.CredentialCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.IssuedAt.UnixNano(), 10) + " " + c.ID))
}

func decodeCursor(s string) (*store.CredentialCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	ns, id, ok := strings.Cut(string(b), " ")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return nil, false
	}
	return &store.CredentialCursor{IssuedAt: time.Unix(0, n).UTC(), ID: id}, true
}

// credentialListRow is one line of the list.
type credentialListRow struct {
	store.CredentialListing
	UUID, URL, Achievement, Status string
}

func (s *server) listingStatus(c store.CredentialListing) string {
	switch {
	case c.Revoked:
		return "revoked"
	case c.Suspended:
		return "suspended"
	case c.ValidUntil != nil && !c.ValidUntil.After(s.now()):
		return "expired"
	}
	return "active"
}

func (s *server) orgCredentials(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	ctx := r.Context()
	q := r.URL.Query()
	f, errs := s.parseCredentialFilter(q, oc.Org.ID)
	entries, err := s.store.SearchAchievements(ctx, store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	names := map[string]string{}
	for _, e := range entries {
		names[e.Achievement.ID] = e.Version.Name
	}
	if a := q.Get("after"); a != "" {
		c, ok := decodeCursor(a)
		if !ok {
			errs.add("after", "This page link is damaged; start again from the first page.")
		}
		f.search.After = c
	}
	var rows []credentialListRow
	next := ""
	if !errs.Any() {
		f.search.Limit = credentialPage + 1
		list, err := s.store.SearchCredentials(ctx, f.search)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("search credentials: %w", err))
			return
		}
		if len(list) > credentialPage {
			list = list[:credentialPage]
			last := list[len(list)-1]
			next = encodeCursor(store.CredentialCursor{IssuedAt: last.IssuedAt, ID: last.ID})
		}
		for _, c := range list {
			uuid := s.issuer.CredentialUUID(c.ID)
			rows = append(rows, credentialListRow{CredentialListing: c, UUID: uuid, URL: "/c/" + uuid, Achievement: names[c.AchievementID], Status: s.listingStatus(c)})
		}
	}
	s.renderForm(w, r, "credentials", "Credentials of "+oc.Org.Name, map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Rows": rows, "Filter": f, "Query": f.query(), "Next": next, "First": q.Get("after") == "",
		"Achievements": entries, "CanManage": oc.Role == store.RoleOwner || oc.Role == store.RoleIssuer,
	}, errs)
}

// orgCredentialsCSV streams every matching credential as CSV, a page of
// the keyset at a time, so memory stays flat whatever the count.
func (s *server) orgCredentialsCSV(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	ctx := r.Context()
	f, errs := s.parseCredentialFilter(r.URL.Query(), oc.Org.ID)
	if errs.Any() {
		http.Error(w, errs[0].Message, http.StatusBadRequest)
		return
	}
	entries, err := s.store.SearchAchievements(ctx, store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	names := map[string]string{}
	for _, e := range entries {
		names[e.Achievement.ID] = e.Version.Name
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+oc.Org.Slug+`-credentials-`+s.now().UTC().Format("20060102")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Issued (UTC)", "Recipient name", "Recipient email", "Achievement", "Status", "Valid until (UTC)", "Credential id", "Public page"})
	f.search.Limit = 1000
	for {
		list, err := s.store.SearchCredentials(ctx, f.search)
		if err != nil {
			// The header is sent: end the file with a line that says so.
			s.log.Error("export credentials", "err", err)
			_ = cw.Write([]string{"The export stopped early because of a server error; download it again."})
			break
		}
		for _, c := range list {
			until := ""
			if c.ValidUntil != nil {
				until = c.ValidUntil.UTC().Format(time.RFC3339)
			}
			_ = cw.Write([]string{c.IssuedAt.UTC().Format(time.RFC3339), csvSafe(c.RecipientName), csvSafe(c.RecipientEmail), csvSafe(names[c.AchievementID]),
				s.listingStatus(c), until, c.ID, s.base + "/c/" + s.issuer.CredentialUUID(c.ID)})
		}
		cw.Flush()
		if len(list) < f.search.Limit || cw.Error() != nil {
			break
		}
		last := list[len(list)-1]
		f.search.After = &store.CredentialCursor{IssuedAt: last.IssuedAt, ID: last.ID}
	}
	cw.Flush()
}
