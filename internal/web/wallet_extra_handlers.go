package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
	"github.com/microcred/microcred/internal/wallet"
)

// walletEntry is one credential of the wallet page: issued here (Issued
// set) or imported (Item set), with its live verdict.
type walletEntry struct {
	Ref        string // credential id (issued here) or wallet item id
	Name       string
	IssuerName string
	URL        string // the page to open it on
	Issued     *credentialRow
	Item       *store.WalletItem
	Verdict    verdict
	Meta       store.WalletMeta
	Image      string // the badge image of a credential issued here, "" when none
}

// walletEntries lists the signed-in learner's credentials, verifying each
// on view so that a revocation or an expiry shows at once.
func (s *server) walletEntries(r *http.Request, userID string) ([]walletEntry, error) {
	ctx := r.Context()
	metas, err := s.store.WalletMetas(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("wallet meta: %w", err)
	}
	issued, err := s.store.ListCredentials(ctx, store.CredentialQuery{LearnerID: userID, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	var out []walletEntry
	for _, row := range s.credentialRows(issued) {
		row := row
		e := walletEntry{Ref: row.ID, URL: row.URL, Issued: &row, Meta: metas[row.ID]}
		if rep, err := s.issuer.Verify(ctx, []byte(row.Document)); err == nil {
			e.Verdict = verdictOf(rep)
		}
		e.Name, e.IssuerName = e.Verdict.Meaning.AchievementName, e.Verdict.Meaning.IssuerName
		if a, _, err := s.issuer.Achievement(ctx, row.AchievementID, row.AchievementVersion); err == nil && a.Image != nil {
			e.Image = a.Image.ID
		}
		out = append(out, e)
	}
	items, err := s.store.WalletItems(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list wallet items: %w", err)
	}
	for _, it := range items {
		it := it
		e := walletEntry{Ref: it.ID, URL: "/wallet/items/" + it.ID, Item: &it, Name: it.Name, IssuerName: it.IssuerName, Meta: metas[it.ID]}
		if rep, err := s.issuer.Verify(ctx, []byte(it.Document)); err == nil {
			e.Verdict = verdictOf(rep)
		} else {
			e.Verdict = verdict{Outcome: verify.CouldNotCheck, Reason: "It could not be read again."}
		}
		out = append(out, e)
	}
	return out, nil
}

// walletPage is the wallet: every credential with its live verdict, the
// collections, the import form and the share links.
func (s *server) walletPage(w http.ResponseWriter, r *http.Request) {
	s.renderWallet(w, r, nil, "")
}

func (s *server) renderWallet(w http.ResponseWriter, r *http.Request, errs formErrors, pasted string) {
	v := currentViewer(r)
	entries, err := s.walletEntries(r, v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	collection := r.URL.Query().Get("collection")
	seen := map[string]bool{}
	var collections []string
	shown := entries[:0:0]
	for _, e := range entries {
		if c := e.Meta.Collection; c != "" && !seen[c] {
			seen[c] = true
			collections = append(collections, c)
		}
		if collection == "" || e.Meta.Collection == collection {
			shown = append(shown, e)
		}
	}
	sort.Strings(collections)
	links, err := s.store.ListShareLinks(r.Context(), v.User.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list share links: %w", err))
		return
	}
	names := map[string]string{}
	for _, e := range entries {
		names[e.Ref] = e.Name
	}
	type linkRow struct {
		store.ShareLink
		Name   string
		Usable bool
	}
	var rows []linkRow
	for _, l := range links {
		rows = append(rows, linkRow{ShareLink: l, Name: names[l.Ref], Usable: l.Usable(s.now())})
	}
	profile, err := s.store.Profile(r.Context(), v.User.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, fmt.Errorf("load profile: %w", err))
		return
	}
	s.renderForm(w, r, "wallet", "Your wallet", map[string]any{
		"Entries": shown, "All": len(entries), "Collections": collections, "Collection": collection,
		"Links": rows, "Profile": profile, "Pasted": pasted,
	}, errs)
}

// importCredential verifies a pasted or uploaded credential and keeps it.
// It is kept whatever the verdict, which the wallet shows and re-checks:
// a learner may hold a credential that cannot be checked today.
func (s *server) importCredential(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	data := []byte(r.PostFormValue("credential"))
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, wallet.MaxImportBytes+1))
		if err != nil {
			s.serverError(w, r, fmt.Errorf("read upload: %w", err))
			return
		}
		if len(strings.TrimSpace(string(data))) == 0 {
			data = b
		}
	}
	var errs formErrors
	if link := strings.TrimSpace(string(data)); strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
		fetched, err := s.credentialAtLink(r, link)
		if err != nil {
			errs.add("credential", "The link could not be used: "+err.Error()+".")
			s.renderWallet(w, r, errs, link)
			return
		}
		data = fetched
	}
	if bake.Format(data) != "" {
		b, err := bake.Unbake(data)
		if err != nil {
			errs.add("credential", "This image carries no credential: "+err.Error()+".")
			s.renderWallet(w, r, errs, "")
			return
		}
		data = b.Credential
	}
	p, err := wallet.Parse(data)
	if err != nil {
		errs.add("credential", "Paste or choose a credential: "+err.Error()+".")
		s.renderWallet(w, r, errs, string(data[:min(len(data), 64<<10)]))
		return
	}
	rep, err := s.issuer.Verify(r.Context(), []byte(p.Document))
	if err != nil {
		errs.add("credential", "This could not be read as a credential. Check that you pasted all of it.")
		s.renderWallet(w, r, errs, p.Document)
		return
	}
	vd := verdictOf(rep)
	name := vd.Meaning.AchievementName
	if name == "" && vd.Record != nil {
		name = vd.Record.Name
		if name == "" {
			name = "Learner record"
		}
	}
	if name == "" {
		name = "Credential"
	}
	issuerName := vd.Meaning.IssuerName
	if issuerName == "" && vd.Record != nil {
		issuerName = vd.Record.Issuer
	}
	_, err = s.store.AddWalletItem(r.Context(), store.WalletItem{UserID: v.User.ID, Digest: p.Digest, CredentialID: p.CredentialID,
		Document: p.Document, Format: p.Format, Name: name, IssuerName: issuerName})
	switch {
	case errors.Is(err, store.ErrConflict):
		s.setFlash(w, name+" is already in your wallet.")
	case err != nil:
		s.serverError(w, r, fmt.Errorf("store import: %w", err))
		return
	default:
		s.setFlash(w, name+" was added to your wallet. "+verdictSentence(vd.Outcome))
	}
	seeOther(w, r, "/wallet")
}

func verdictSentence(o verify.Verdict) string {
	switch o {
	case verify.Verified:
		return "It is verified."
	case verify.NotVerified:
		return "It is not verified: see why on its page."
	}
	return "It could not be checked right now: see why on its page."
}

// walletItemPage shows an imported credential with its live verdict.
func (s *server) walletItemPage(w http.ResponseWriter, r *http.Request) {
	it, err := s.store.WalletItem(r.Context(), currentViewer(r).User.ID, r.PathValue("id"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.renderSharedCredential(w, r, it.Document, it.Name, true)
}

// renderSharedCredential shows a credential document with its verdict.
func (s *server) renderSharedCredential(w http.ResponseWriter, r *http.Request, doc, name string, owner bool) {
	rep, err := s.issuer.Verify(r.Context(), []byte(doc))
	if err != nil {
		s.renderError(w, r, http.StatusUnprocessableEntity, "This credential could not be read.")
		return
	}
	s.render(w, r, http.StatusOK, "shared", name, map[string]any{"Verdict": verdictOf(rep), "Document": doc, "Owner": owner, "Name": name})
}

func (s *server) deleteWalletItem(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteWalletItem(r.Context(), currentViewer(r).User.ID, r.PathValue("id")); err != nil {
		s.notFound(w, r)
		return
	}
	s.setFlash(w, "The credential was removed from your wallet.")
	seeOther(w, r, "/wallet")
}

// ownsRef reports whether ref is a credential of the learner's wallet.
func (s *server) ownsRef(r *http.Request, userID, ref string) (bool, error) {
	if _, err := s.store.WalletItem(r.Context(), userID, ref); err == nil {
		return true, nil
	}
	c, err := s.store.Credential(r.Context(), ref)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return false, nil
	}
	return err == nil && c.LearnerID == userID, err
}

// fileCredential sets a credential's collection and whether it shows on
// the public profile.
func (s *server) fileCredential(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	ref := r.PostFormValue("ref")
	if ok, err := s.ownsRef(r, v.User.ID, ref); err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok {
		s.notFound(w, r)
		return
	}
	col := strings.TrimSpace(r.PostFormValue("collection"))
	if len(col) > 80 {
		col = col[:80]
	}
	if err := s.store.SetWalletMeta(r.Context(), store.WalletMeta{UserID: v.User.ID, Ref: ref, Collection: col, OnProfile: r.PostFormValue("on_profile") == "1"}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Saved.")
	seeOther(w, r, "/wallet")
}

// createShareLink makes a link to one credential that works until it
// expires or the learner revokes it; the token is shown once.
func (s *server) createShareLink(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	ref := r.PostFormValue("ref")
	if ok, err := s.ownsRef(r, v.User.ID, ref); err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok {
		s.notFound(w, r)
		return
	}
	var exp *time.Time
	if d, err := strconv.Atoi(r.PostFormValue("days")); err == nil && d > 0 && d <= 3650 {
		t := s.now().Add(time.Duration(d) * 24 * time.Hour)
		exp = &t
	}
	token, hash := auth.NewToken()
	if _, err := s.store.CreateShareLink(r.Context(), store.ShareLink{TokenHash: hash, UserID: v.User.ID, Ref: ref, ExpiresAt: exp}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if c, err := s.store.Credential(r.Context(), ref); err == nil {
		s.recordEvent(r, credentialEvent(c, analytics.Shared, "link"))
	}
	s.render(w, r, http.StatusOK, "notice", "Share link", noticeData{Heading: "Your share link",
		Message:  "Copy this link now and send it to whoever should see the credential; it is shown only once. You can revoke it on your wallet page at any time: " + s.base + "/s/" + url.PathEscape(token),
		LinkText: "Back to your wallet", Link: "/wallet"})
}

func (s *server) revokeShareLink(w http.ResponseWriter, r *http.Request) {
	if err := s.store.RevokeShareLink(r.Context(), currentViewer(r).User.ID, r.PathValue("id"), s.now()); err != nil {
		s.notFound(w, r)
		return
	}
	s.setFlash(w, "The share link no longer works.")
	seeOther(w, r, "/wallet")
}

// sharedPage shows the credential behind a share link, with its live
// verdict, to anyone who has the link.
func (s *server) sharedPage(w http.ResponseWriter, r *http.Request) {
	l, err := s.store.ShareLinkByToken(r.Context(), auth.HashToken(r.PathValue("token")))
	if err != nil || !l.Usable(s.now()) {
		s.renderError(w, r, http.StatusNotFound, "This share link does not work: it was revoked by its owner, has expired, or was mistyped.")
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "private, no-store")
	if it, err := s.store.WalletItem(r.Context(), l.UserID, l.Ref); err == nil {
		s.renderSharedCredential(w, r, it.Document, it.Name, false)
		return
	}
	c, err := s.store.Credential(r.Context(), l.Ref)
	if err != nil || c.LearnerID != l.UserID {
		s.notFound(w, r)
		return
	}
	s.recordEvent(r, credentialEvent(c, analytics.Viewed, "share"))
	name := "Credential"
	if a, _, err := s.issuer.Achievement(r.Context(), c.AchievementID, c.AchievementVersion); err == nil {
		name = a.Name
	}
	s.renderSharedCredential(w, r, c.Document, name, false)
}

// exportWallet downloads everything in the wallet as one JSON bundle.
func (s *server) exportWallet(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	entries, err := s.walletEntries(r, v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type item struct {
		Name       string          `json:"name"`
		Issuer     string          `json:"issuer"`
		Source     string          `json:"source"` // issued here, or imported
		Verdict    verify.Verdict  `json:"verdict"`
		Collection string          `json:"collection,omitempty"`
		PageURL    string          `json:"pageUrl,omitempty"`
		Credential json.RawMessage `json:"credential"`
		// CertificatePDF is the PDF certificate (base64), with the
		// credential attached, for credentials issued here.
		CertificatePDF []byte `json:"certificatePdf,omitempty"`
	}
	bundle := struct {
		Exported string `json:"exported"`
		Account  struct {
			Name, Email string
		} `json:"account"`
		Credentials []item `json:"credentials"`
	}{Exported: s.now().UTC().Format(time.RFC3339)}
	bundle.Account.Name, bundle.Account.Email = v.User.Name, v.User.Email
	for _, e := range entries {
		it := item{Name: e.Name, Issuer: e.IssuerName, Verdict: e.Verdict.Outcome, Collection: e.Meta.Collection}
		doc := ""
		if e.Issued != nil {
			it.Source, it.PageURL, doc = "issued", s.base+e.URL, e.Issued.Document
			pdf, err := s.certificatePDF(r, e.Issued.Credential, paperFor(r))
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			it.CertificatePDF = pdf
		} else {
			it.Source, doc = "imported", e.Item.Document
		}
		if strings.HasPrefix(strings.TrimSpace(doc), "{") {
			it.Credential = json.RawMessage(doc)
		} else {
			b, _ := json.Marshal(doc)
			it.Credential = b
		}
		bundle.Credentials = append(bundle.Credentials, it)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="microcred-wallet.json"`)
	w.Header().Set("Cache-Control", "private, no-store")
	s.writeJSON(w, r, http.StatusOK, bundle)
}

// saveProfile sets the public profile's handle and headline.
func (s *server) saveProfile(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	handle := strings.ToLower(strings.TrimSpace(r.PostFormValue("handle")))
	headline := strings.TrimSpace(r.PostFormValue("headline"))
	var errs formErrors
	if !store.ValidSlug(handle) {
		errs.add("handle", "Choose a profile address of 1 to 64 lower-case letters, digits and dashes, such as ada-lovelace.")
	}
	if len(headline) > 200 {
		errs.add("headline", "Keep the headline to 200 characters.")
	}
	if !errs.Any() {
		err := s.store.PutProfile(r.Context(), store.Profile{UserID: v.User.ID, Handle: handle, Headline: headline})
		if errors.Is(err, store.ErrConflict) {
			errs.add("handle", "Someone else uses this profile address; choose another.")
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if errs.Any() {
		s.renderWallet(w, r, errs, "")
		return
	}
	s.setFlash(w, "Your public profile is at "+s.base+"/u/"+handle+". It shows the credentials you chose.")
	seeOther(w, r, "/wallet")
}

// profilePage is a learner's public profile: the credentials they chose to
// show, each with its live verdict. Private credentials never show.
func (s *server) profilePage(w http.ResponseWriter, r *http.Request) {
	p, err := s.store.ProfileByHandle(r.Context(), r.PathValue("handle"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	u, err := s.store.User(r.Context(), p.UserID)
	if err != nil {
		s.notFound(w, r)
		return
	}
	entries, err := s.walletEntries(r, p.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var shown []walletEntry
	for _, e := range entries {
		if e.Meta.OnProfile && (e.Issued == nil || !e.Issued.Private) {
			if e.Item != nil {
				e.URL = "" // imported ones have no public page of their own
			}
			shown = append(shown, e)
		}
	}
	s.render(w, r, http.StatusOK, "profile", u.Name, map[string]any{"Name": u.Name, "Profile": p, "Entries": shown})
}

// presentForm asks for the verifier's request and the credentials to
// present; presentSubmit answers with a signed Verifiable Presentation.
func (s *server) presentForm(w http.ResponseWriter, r *http.Request) {
	entries, err := s.walletEntries(r, currentViewer(r).User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "present", "Present credentials", map[string]any{"Entries": entries})
}

func (s *server) presentSubmit(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	entries, err := s.walletEntries(r, v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var errs formErrors
	req, err := wallet.ParseRequest(r.PostFormValue("request"), r.PostFormValue("challenge"), r.PostFormValue("domain"))
	if err != nil {
		errs.add("challenge", strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".")
	}
	chosen := map[string]bool{}
	for _, ref := range r.PostForm["ref"] {
		chosen[ref] = true
	}
	var docs []string
	for _, e := range entries {
		if chosen[e.Ref] {
			if e.Issued != nil {
				docs = append(docs, e.Issued.Document)
			} else {
				docs = append(docs, e.Item.Document)
			}
		}
	}
	if len(docs) == 0 {
		errs.add("ref", "Choose at least one credential to present.")
	}
	if errs.Any() {
		s.renderForm(w, r, "present", "Present credentials", map[string]any{"Entries": entries}, errs)
		return
	}
	holder, err := s.holderKey(r, v.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	vp, err := wallet.Present(docs, holder, req, s.now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="presentation.json"`)
	w.Header().Set("Cache-Control", "private, no-store")
	s.writeJSON(w, r, http.StatusOK, vp)
}

// holderKey returns the learner's holder key, creating it on first use.
func (s *server) holderKey(r *http.Request, userID string) (*wallet.HolderKeyPair, error) {
	k, err := s.store.HolderKey(r.Context(), userID)
	if errors.Is(err, store.ErrNotFound) {
		nk, err := wallet.NewHolderKey(s.issuer.Master, userID)
		if err != nil {
			return nil, err
		}
		if k, err = s.store.CreateHolderKey(r.Context(), nk); err != nil {
			return nil, fmt.Errorf("store holder key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("load holder key: %w", err)
	}
	return wallet.OpenHolderKey(s.issuer.Master, k)
}

// deleteAccount erases the signed-in learner's account after they confirm
// with their password. Organization members leave their organizations
// first, so that no organization loses its owner by accident.
func (s *server) deleteAccount(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	var errs formErrors
	if len(v.Memberships) > 0 {
		s.renderError(w, r, http.StatusConflict, "You are a member of an organization. Ask an owner to remove you (or hand over ownership) first, then delete your account.")
		return
	}
	ok, err := s.gate.CheckPassword(r.Context(), v.User.PasswordHash, r.PostFormValue("current_password"))
	if errors.Is(err, auth.ErrBusy) {
		s.busy(w, r)
		return
	}
	if err != nil || !ok {
		errs.add("delete_password", "Your password is not correct.")
		s.renderAccount(w, r, accountData{}, errs)
		return
	}
	if err := s.store.EraseUser(r.Context(), v.User.ID); err != nil {
		s.serverError(w, r, fmt.Errorf("erase account: %w", err))
		return
	}
	if _, err := s.store.AppendAudit(r.Context(), store.AuditEvent{Actor: "account", Action: "account.erase", Target: v.User.ID}); err != nil {
		s.log.Error("audit account erasure", "err", err)
	}
	s.clearSessionCookie(w)
	s.render(w, r, http.StatusOK, "notice", "Account deleted", noticeData{Heading: "Your account is deleted",
		Message:  "Your name, addresses, wallet, profile, share links and applications are erased. Credentials issued to you stay with their issuers and remain verifiable; the transparency log, which holds no personal data, is unchanged.",
		LinkText: "Home", Link: "/"})
}

// credentialAtLink reads the credential a pasted link points to. Links to
// this server's credential pages are resolved from the store; others are
// fetched through the guarded client (public addresses only, bounded in
// size and time) with JSON asked for.
func (s *server) credentialAtLink(r *http.Request, link string) ([]byte, error) {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return nil, errors.New("it is not a web address")
	}
	if base, err := url.Parse(s.base); err == nil && strings.EqualFold(u.Host, base.Host) {
		id, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/c/"), ".")
		if !strings.HasPrefix(u.Path, "/c/") || !uuidRE.MatchString(id) {
			return nil, errors.New("it is not the address of a credential on this server")
		}
		c, err := s.store.Credential(r.Context(), "urn:uuid:"+id)
		if err != nil || c.Private {
			return nil, errors.New("there is no public credential at that address")
		}
		return []byte(c.Document), nil
	}
	body, err := s.issuer.FetchClient().Get(r.Context(), link, "application/vc+ld+json, application/ld+json, application/json, application/vc+jwt")
	if err != nil {
		// The guarded client's messages are plain words that name the
		// address and why it was not read (not public, too large, ...).
		return nil, err
	}
	return body, nil
}
