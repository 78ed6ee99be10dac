package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// statusRoutes registers the published status lists and the status
// management pages.
func (s *server) statusRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orgs/{slug}/status/{purpose}/{list}", s.statusList)
	mux.HandleFunc("GET /admin/orgs/{slug}/credentials/{uuid}", s.orgRoute(catalogRoles, s.manageCredential))
	mux.HandleFunc("POST /admin/orgs/{slug}/credentials/{uuid}/{action}", s.orgRoute(catalogRoles, s.changeCredentialStatus))
}

// statusList serves a signed BitstringStatusListCredential with a strong
// ETag and a short max-age: verifiers cache it for five minutes, then
// revalidate with If-None-Match.
func (s *server) statusList(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("list"))
	if err != nil || n < 0 || strconv.Itoa(n) != r.PathValue("list") {
		s.notFound(w, r)
		return
	}
	p, err := s.status.List(r.Context(), r.PathValue("slug"), r.PathValue("purpose"), n)
	if errors.Is(err, status.ErrUnknownList) || errors.Is(err, store.ErrInvalid) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("status list: %w", err))
		return
	}
	h := w.Header()
	h.Set("ETag", p.ETag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(status.TTL.Seconds())))
	h.Set("Last-Modified", p.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Access-Control-Allow-Origin", "*") // browser wallets and verifiers fetch lists cross-origin
	if etagMatches(r.Header.Get("If-None-Match"), p.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/vc+ld+json")
	h.Set("Content-Length", strconv.Itoa(len(p.Document)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.Document)
	}
}

// etagMatches implements If-None-Match's weak comparison for a strong tag.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if header == "*" {
		return true
	}
	for _, part := range splitComma(header) {
		if part == etag || part == "W/"+etag {
			return true
		}
	}
	return false
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			part := s[start:i]
			for len(part) > 0 && part[0] == ' ' {
				part = part[1:]
			}
			for len(part) > 0 && part[len(part)-1] == ' ' {
				part = part[:len(part)-1]
			}
			if part != "" {
				out = append(out, part)
			}
			start = i + 1
		}
	}
	return out
}

// statusView is what a page shows about a credential's status.
type statusView struct {
	State       status.State
	Label       string
	RevokedOn   string
	SuspendedOn string
}

func (s *server) statusOf(r *http.Request, id string) (*statusView, error) {
	st, err := s.status.State(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := &statusView{State: st, Label: st.Label()}
	if st.RevokedAt != nil {
		v.RevokedOn = formatDate(*st.RevokedAt)
	}
	if st.SuspendedAt != nil {
		v.SuspendedOn = formatDate(*st.SuspendedAt)
	}
	return v, nil
}

// orgCredential loads the credential {uuid} of the organization of the
// route, or answers 404.
func (s *server) orgCredential(w http.ResponseWriter, r *http.Request) (store.Credential, bool) {
	oc := currentOrg(r)
	id := r.PathValue("uuid")
	if !uuidRE.MatchString(id) {
		s.notFound(w, r)
		return store.Credential{}, false
	}
	c, err := s.store.Credential(r.Context(), credential.NormalizeID("urn:uuid:"+id))
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.OrgID != oc.Org.ID) {
		s.notFound(w, r)
		return store.Credential{}, false
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load credential: %w", err))
		return store.Credential{}, false
	}
	return c, true
}

// manageCredential shows a credential's status with the revoke, suspend,
// unsuspend and renew forms.
func (s *server) manageCredential(w http.ResponseWriter, r *http.Request) {
	s.renderManage(w, r, nil)
}

func (s *server) renderManage(w http.ResponseWriter, r *http.Request, errs formErrors) {
	oc := currentOrg(r)
	c, ok := s.orgCredential(w, r)
	if !ok {
		return
	}
	st, err := s.statusOf(r, c.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("credential status: %w", err))
		return
	}
	uuid := s.issuer.CredentialUUID(c.ID)
	data := map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Credential": c, "UUID": uuid, "URL": "/c/" + uuid, "Status": st,
	}
	if len(errs) > 0 {
		s.renderForm(w, r, "credential_manage", "Manage credential", data, errs)
		return
	}
	s.render(w, r, http.StatusOK, "credential_manage", "Manage credential", data)
}

// changeCredentialStatus handles the revoke, suspend and unsuspend forms.
func (s *server) changeCredentialStatus(w http.ResponseWriter, r *http.Request) {
	c, ok := s.orgCredential(w, r)
	if !ok {
		return
	}
	v := currentViewer(r)
	reason := r.PostFormValue("reason")
	var err error
	var done string
	switch r.PathValue("action") {
	case "revoke":
		_, err = s.status.Revoke(r.Context(), c.ID, reason, v.User.ID)
		done = "Credential revoked."
	case "suspend":
		_, err = s.status.Suspend(r.Context(), c.ID, reason, v.User.ID)
		done = "Credential suspended."
	case "unsuspend":
		_, err = s.status.Unsuspend(r.Context(), c.ID, reason, v.User.ID)
		done = "Suspension lifted."
	case "renew":
		s.renewCredential(w, r, c)
		return
	default:
		s.notFound(w, r)
		return
	}
	switch {
	case errors.Is(err, status.ErrReason):
		s.renderManage(w, r, formErrors{{Field: "reason", Message: "Give a reason (it is kept in the audit log, not published)."}})
		return
	case errors.Is(err, status.ErrRefused):
		s.renderManage(w, r, formErrors{{Field: "reason", Message: refusal(err)}})
		return
	case err != nil:
		s.serverError(w, r, fmt.Errorf("change status of %s: %w", c.ID, err))
		return
	}
	s.setFlash(w, done)
	http.Redirect(w, r, r.URL.Path[:len(r.URL.Path)-len(r.PathValue("action"))-1], http.StatusSeeOther)
}

// renewCredential issues a replacement for c through issue.Service.Renew:
// the same learner and achievement (its current catalog version), a new
// expiry date (empty keeps the old validity period), and Replaces pointing
// at c, which the public pages of both show. The old credential stays
// valid until it expires or is revoked.
func (s *server) renewCredential(w http.ResponseWriter, r *http.Request, c store.Credential) {
	var until time.Time
	if v := r.PostFormValue("valid_until"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			s.renderManage(w, r, formErrors{{Field: "valid_until", Message: "Use a date such as 2030-12-31."}})
			return
		}
		until = t
	}
	nc, err := s.issuer.Renew(r.Context(), c.ID, until, currentViewer(r).User.ID)
	if err != nil {
		var fe issue.FieldErrors
		switch {
		case errors.As(err, &fe) && len(fe) > 0:
			s.renderManage(w, r, formErrors{{Field: "valid_until", Message: fe[0].Problem}})
		case errors.Is(err, issue.ErrNotRenewable):
			s.renderManage(w, r, formErrors{{Field: "valid_until", Message: notRenewable(err)}})
		default:
			s.serverError(w, r, fmt.Errorf("renew %s: %w", c.ID, err))
		}
		return
	}
	s.setFlash(w, "Renewed: the new credential replaces the old one.")
	http.Redirect(w, r, "/admin/orgs/"+currentOrg(r).Org.Slug+"/credentials/"+s.issuer.CredentialUUID(nc.ID), http.StatusSeeOther)
}

// notRenewable is a refused renewal in words for the form.
func notRenewable(err error) string {
	msg := strings.TrimPrefix(err.Error(), issue.ErrNotRenewable.Error()+": ")
	return "Cannot renew: " + msg + "."
}

// refusal is a refused transition in words for the form.
func refusal(err error) string {
	msg := err.Error()
	if i := len("status: refused: "); len(msg) > i && msg[:i] == "status: refused: " {
		msg = msg[i:]
	}
	return "Refused: " + msg + "."
}

// lifecycleView is the credential page's status and renewal section.
type lifecycleView struct {
	Status    *statusView
	RenewedBy string // public page of the credential that replaces this one
	Renews    string // public page of the credential this one replaces
	ManageURL string // for members who may change the status
}

// lifecycleOf reads a credential's status and renewals for its public
// page. The page shows that a credential is revoked or suspended and
// since when, never why: the reason stays in the audit log.
func (s *server) lifecycleOf(r *http.Request, c store.Credential) *lifecycleView {
	ctx := r.Context()
	lv := &lifecycleView{}
	if st, err := s.statusOf(r, c.ID); err == nil {
		lv.Status = st
	} else {
		s.log.Warn("credential status", "credential", c.ID, "err", err)
	}
	if n, err := s.store.ReplacementOf(ctx, c.ID); err == nil && !n.Private {
		lv.RenewedBy = "/c/" + s.issuer.CredentialUUID(n.ID)
	}
	if c.Replaces != "" {
		lv.Renews = "/c/" + s.issuer.CredentialUUID(c.Replaces)
	}
	switch currentViewer(r).role(c.OrgID) {
	case store.RoleOwner, store.RoleIssuer:
		if org, err := s.store.Organization(ctx, c.OrgID); err == nil {
			lv.ManageURL = "/admin/orgs/" + org.Slug + "/credentials/" + s.issuer.CredentialUUID(c.ID)
		}
	}
	return lv
}
