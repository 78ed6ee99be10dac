package issue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// webDID returns the did:web identifier of the organization with slug.
func (s *Service) webDID(slug string) string {
	s.init()
	return "did:web:" + s.host + ":orgs:" + slug
}

// IssuerID returns the organization's issuer identifier: its did:web DID
// (did:web:HOST%3APORT:orgs:SLUG), or for a did:key organization the
// did:key of its active signing key.
func (s *Service) IssuerID(ctx context.Context, org store.Organization) (string, error) {
	if org.DIDMethod != store.DIDKey {
		return s.webDID(org.Slug), nil
	}
	kp, _, err := s.ActiveKey(ctx, org.ID)
	if err != nil {
		return "", err
	}
	return kp.Controller, nil
}

// validateOrganization checks the fields a person fills in when creating an
// organization, naming form fields.
// reservedSlugs are the words of the server's own addresses, which an
// organization slug beside them would shadow or be shadowed by
// (/admin/orgs/new is the new-organization form, not an organization
// "new"), and a few more kept free for pages to come.
var reservedSlugs = []string{
	"new", "edit", "delete", "admin", "api", "static", "assets", "login", "logout", "setup", "oauth", "well-known",
	"orgs", "org", "wallet", "catalog", "verify", "c", "achievements", "credentials", "ims", "status", "log",
	"privacy", "outbox", "invitations", "invite", "members", "keys", "clients", "audit", "bulk", "issue",
	"settings", "health", "healthz", "ready", "readyz", "metrics", "favicon-ico", "robots-txt",
}

func validateOrganization(org store.Organization) FieldErrors {
	var fe FieldErrors
	if !store.ValidSlug(org.Slug) {
		fe.add("slug", "must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'")
	} else if slices.Contains(reservedSlugs, org.Slug) {
		fe.add("slug", "%q is reserved for the server's own pages; choose another", org.Slug)
	}
	switch name := strings.TrimSpace(org.Name); {
	case name == "":
		fe.add("name", "is required")
	case utf8.RuneCountInString(name) > 256:
		fe.add("name", "must be at most 256 characters")
	}
	if org.URL != "" && !isHTTPURL(org.URL) {
		fe.add("url", "must be an http or https URL")
	}
	if org.Email != "" && !isEmail(org.Email) {
		fe.add("email", "must be an email address")
	}
	if org.ImageURL != "" && !credential.IsAbsoluteURI(org.ImageURL) {
		fe.add("image_url", "must be an absolute URL")
	}
	if utf8.RuneCountInString(org.Description) > 10000 {
		fe.add("description", "must be at most 10000 characters")
	}
	if org.Country != "" && (len(org.Country) != 2 || strings.ToUpper(org.Country) != org.Country) {
		fe.add("country", "must be an ISO 3166-1 alpha-2 code such as DE")
	}
	if org.DIDMethod != "" && org.DIDMethod != store.DIDWeb && org.DIDMethod != store.DIDKey {
		fe.add("did_method", "must be web or key")
	}
	return fe
}

func isHTTPURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && credential.IsAbsoluteURI(s)
}

// isEmail accepts a bare address (no display name) of at most 320 bytes.
func isEmail(s string) bool {
	if len(s) > 320 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// CreateOrganization creates the organization, makes ownerUserID its owner
// (when not empty), creates its first signing key and records the audit
// event "org.create", all in one transaction. Invalid or already used
// fields are reported as FieldErrors.
func (s *Service) CreateOrganization(ctx context.Context, org store.Organization, ownerUserID, actor string) (store.Organization, error) {
	s.init()
	org.Slug = strings.TrimSpace(org.Slug)
	org.Name = strings.TrimSpace(org.Name)
	if org.DIDMethod == "" {
		org.DIDMethod = store.DIDWeb
	}
	if fe := validateOrganization(org); len(fe) > 0 {
		return store.Organization{}, fe
	}
	if fe, err := s.CheckProfileDistinct(ctx, org); err != nil {
		return store.Organization{}, fmt.Errorf("issue: create organization: %w", err)
	} else if len(fe) > 0 {
		return store.Organization{}, fe
	}
	if _, err := s.Store.OrganizationBySlug(ctx, org.Slug); err == nil {
		return store.Organization{}, FieldErrors{{Field: "slug", Problem: "is already used by another organization"}}
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Organization{}, fmt.Errorf("issue: create organization: %w", err)
	}
	if org.ID == "" {
		org.ID = store.NewID()
	}
	var created store.Organization
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		var err error
		created, err = tx.CreateOrganization(ctx, org)
		if err != nil {
			return err
		}
		if ownerUserID != "" {
			if _, err := tx.AddMembership(ctx, store.Membership{OrgID: created.ID, UserID: ownerUserID, Role: store.RoleOwner}); err != nil {
				return fmt.Errorf("owner membership: %w", err)
			}
		}
		key, err := s.newSigningKey(ctx, tx, created)
		if err != nil {
			return err
		}
		return audit(ctx, tx, created.ID, actor, "org.create", created.ID, map[string]any{
			"slug": created.Slug, "name": created.Name, "did_method": string(created.DIDMethod), "key": key.VerificationMethod,
		})
	})
	if errors.Is(err, store.ErrConflict) {
		// Lost a race with another request creating the same slug.
		return store.Organization{}, FieldErrors{{Field: "slug", Problem: "is already used by another organization"}}
	}
	if err != nil {
		return store.Organization{}, fmt.Errorf("issue: create organization %q: %w", org.Slug, err)
	}
	return created, nil
}

// newSigningKey generates a key for org, seals it under the master key with
// the row id as associated data and stores it through tx.
func (s *Service) newSigningKey(ctx context.Context, tx store.Store, org store.Organization) (store.SigningKey, error) {
	controller := "" // did:key: the key is its own controller
	if org.DIDMethod != store.DIDKey {
		controller = s.webDID(org.Slug)
	}
	kp, err := keys.Generate(controller)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	id := store.NewID()
	sealed, err := s.Master.Seal(kp.Private, id)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("seal signing key: %w", err)
	}
	row, err := tx.CreateSigningKey(ctx, store.SigningKey{
		ID:                 id,
		OrgID:              org.ID,
		VerificationMethod: kp.ID,
		PublicKeyMultibase: kp.PublicKeyMultibase(),
		SealedPrivateKey:   sealed,
		Suite:              proof.SuiteRDFC,
		CreatedAt:          s.now(),
	})
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("store signing key: %w", err)
	}
	s.cache.keys.put(id, kp, s.now())
	return row, nil
}

// ActiveKey returns the organization's current signing key, unsealed, with
// its store row. Unsealed keys are cached by key id; which key is active is
// cached for a few seconds (see orgTTL).
func (s *Service) ActiveKey(ctx context.Context, orgID string) (*keys.KeyPair, store.SigningKey, error) {
	s.init()
	if a, ok := s.cache.active.get(orgID, s.now()); ok {
		return a.pair, a.row, nil
	}
	row, err := s.Store.ActiveSigningKey(ctx, orgID)
	if err != nil {
		return nil, store.SigningKey{}, fmt.Errorf("issue: active signing key of %q: %w", orgID, err)
	}
	kp, err := s.unseal(row)
	if err != nil {
		return nil, store.SigningKey{}, err
	}
	s.cache.active.put(orgID, activeKey{pair: kp, row: row}, s.now())
	return kp, row, nil
}

// unseal opens a stored key, or returns it from the cache.
func (s *Service) unseal(row store.SigningKey) (*keys.KeyPair, error) {
	if kp, ok := s.cache.keys.get(row.ID, s.now()); ok {
		return kp, nil
	}
	priv, err := s.Master.Open(row.SealedPrivateKey, row.ID)
	if err != nil {
		return nil, fmt.Errorf("issue: unseal signing key %s: %w", row.ID, err)
	}
	controller, _, err := did.SplitMethodURL(row.VerificationMethod)
	if err != nil {
		return nil, fmt.Errorf("issue: signing key %s: %w", row.ID, err)
	}
	if strings.HasPrefix(controller, "did:key:") {
		controller = ""
	}
	kp, err := keys.FromSeed(priv.Seed(), controller)
	if err != nil {
		return nil, fmt.Errorf("issue: signing key %s: %w", row.ID, err)
	}
	if kp.ID != row.VerificationMethod {
		return nil, fmt.Errorf("issue: signing key %s: private key does not match verification method %s", row.ID, row.VerificationMethod)
	}
	s.cache.keys.put(row.ID, kp, s.now())
	return kp, nil
}

// RotateKey retires the organization's active key and creates a new one in
// one transaction, with the audit event "key.rotate". The retired key stays
// in the DID document, so credentials it signed keep verifying. For a
// did:key organization the new key is a new DID.
func (s *Service) RotateKey(ctx context.Context, orgID, actor string) (store.SigningKey, error) {
	s.init()
	var created store.SigningKey
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		org, err := tx.Organization(ctx, orgID)
		if err != nil {
			return err
		}
		// A did:key identifier is its key: rotating would make a new
		// issuer whose status lists could no longer vouch for the
		// credentials the old identifier issued. Such an organization
		// keeps its key; did:web (the default) rotates freely.
		if org.DIDMethod == store.DIDKey {
			return FieldErrors{{Field: "did_method", Problem: "a did:key organization cannot rotate its key, because the key is its identity; use did:web to rotate keys"}}
		}
		old, err := tx.ActiveSigningKey(ctx, orgID)
		if err != nil {
			return err
		}
		if err := tx.RetireSigningKey(ctx, old.ID, s.now()); err != nil {
			return err
		}
		if created, err = s.newSigningKey(ctx, tx, org); err != nil {
			return err
		}
		if err := audit(ctx, tx, orgID, actor, "key.rotate", created.ID, map[string]any{
			"retired": old.VerificationMethod, "active": created.VerificationMethod,
		}); err != nil {
			return err
		}
		return LogEvent(ctx, tx, tlog.KeyRotationEvent(created, old.VerificationMethod))
	})
	s.cache.active.delete(orgID)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("issue: rotate key of %q: %w", orgID, err)
	}
	return created, nil
}

// DIDDocument returns the organization's DID document. For did:web it lists
// every signing key, retired ones included, under verificationMethod and
// assertionMethod; for a did:key organization it is the did:key document of
// the active key.
func (s *Service) DIDDocument(ctx context.Context, org store.Organization) (*did.Document, error) {
	if org.DIDMethod == store.DIDKey {
		kp, _, err := s.ActiveKey(ctx, org.ID)
		if err != nil {
			return nil, err
		}
		doc, err := did.ResolveKey(kp.Controller)
		if err != nil {
			return nil, fmt.Errorf("issue: did:key document: %w", err)
		}
		return doc, nil
	}
	list, err := s.Store.ListSigningKeys(ctx, org.ID)
	if err != nil {
		return nil, fmt.Errorf("issue: DID document of %q: %w", org.Slug, err)
	}
	id := s.webDID(org.Slug)
	methods := make([]did.VerificationMethod, 0, len(list))
	for _, k := range list {
		if !strings.HasPrefix(k.VerificationMethod, id+"#") {
			// A key from before a switch between did:key and did:web
			// belongs to another DID and cannot appear in this document.
			continue
		}
		methods = append(methods, did.VerificationMethod{
			ID: k.VerificationMethod, Type: did.TypeMultikey, Controller: id, PublicKeyMultibase: k.PublicKeyMultibase,
		})
	}
	doc, err := did.WebDocument(id, methods)
	if err != nil {
		return nil, fmt.Errorf("issue: DID document of %q: %w", org.Slug, err)
	}
	return doc, nil
}

// Profile returns the organization's Open Badges 3.0 issuer Profile: id (the
// issuer DID), type, name and, when set, url, email, description and image.
func (s *Service) Profile(ctx context.Context, org store.Organization) (map[string]any, error) {
	id, err := s.IssuerID(ctx, org)
	if err != nil {
		return nil, err
	}
	return profileMap(id, org), nil
}

// CheckProfileDistinct reports, as FieldErrors, the display fields of org
// that another organization on this server already shows: its name
// (compared without regard to case and spacing) and its URL. Credentials
// show these to people as who issued them, and one organization must not
// be able to pass itself off as another.
func (s *Service) CheckProfileDistinct(ctx context.Context, org store.Organization) (FieldErrors, error) {
	orgs, err := s.Store.ListOrganizations(ctx)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	var fe FieldErrors
	name, url := displayKey(org.Name), urlKey(org.URL)
	for _, o := range orgs {
		if o.ID == org.ID {
			continue
		}
		if name != "" && displayKey(o.Name) == name && !slices.ContainsFunc(fe, func(e FieldError) bool { return e.Field == "name" }) {
			fe = append(fe, FieldError{Field: "name", Problem: "is the name of another organization on this server"})
		}
		if url != "" && urlKey(o.URL) == url && !slices.ContainsFunc(fe, func(e FieldError) bool { return e.Field == "url" }) {
			fe = append(fe, FieldError{Field: "url", Problem: "is the web address of another organization on this server"})
		}
	}
	return fe, nil
}

// displayKey folds a display name for comparison: case and runs of
// spaces do not make two names different to a reader.
func displayKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// urlKey folds a URL for comparison: scheme and host case, and a trailing
// slash.
func urlKey(s string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), "/")
}

// IssuerDisplayErrors reports the display fields of a signed credential's
// issuer object (name, url, email, image) that differ from the
// organization's profile: a credential stored under the organization must
// show it as it is, not under another name.
func IssuerDisplayErrors(issuer any, org store.Organization) FieldErrors {
	obj, ok := issuer.(map[string]any)
	if !ok {
		return nil // an issuer given by id alone shows no name
	}
	want := profileMap("", org)
	var fe FieldErrors
	for _, k := range []string{"name", "url", "email"} {
		if v, has := obj[k]; has && v != want[k] {
			fe.add("issuer."+k, "must be the organization's %s, %q", k, want[k])
		}
	}
	if v, has := obj["image"]; has {
		id, _ := v.(string)
		if m, ok := v.(map[string]any); ok {
			id, _ = m["id"].(string)
		}
		if id != org.ImageURL {
			fe.add("issuer.image", "must be the organization's image")
		}
	}
	return fe
}

func profileMap(id string, org store.Organization) map[string]any {
	p := map[string]any{"id": id, "type": []any{"Profile"}, "name": org.Name}
	if org.URL != "" {
		p["url"] = org.URL
	}
	if org.Email != "" {
		p["email"] = org.Email
	}
	if org.Description != "" {
		p["description"] = org.Description
	}
	if org.ImageURL != "" {
		p["image"] = map[string]any{"id": org.ImageURL, "type": "Image"}
	}
	return p
}

// audit appends one audit event through tx.
func audit(ctx context.Context, tx store.Store, orgID, actor, action, target string, detail map[string]any) error {
	e, err := auditEvent(orgID, actor, action, target, detail)
	if err != nil {
		return err
	}
	if _, err := tx.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditEvent builds an audit event; an empty actor is "system".
func auditEvent(orgID, actor, action, target string, detail map[string]any) (store.AuditEvent, error) {
	var raw json.RawMessage
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return store.AuditEvent{}, fmt.Errorf("audit detail: %w", err)
		}
		raw = b
	}
	if actor == "" {
		actor = "system"
	}
	return store.AuditEvent{OrgID: orgID, Actor: actor, Action: action, Target: target, Detail: raw}, nil
}

// SetSuspension turns the organization's suspension setting on or off and
// audits the change. With it on, credentials issued from then on carry a
// second credentialStatus entry, for suspension, besides the revocation
// entry; that goes beyond Open Badges 3.0, which allows one
// credentialStatus (0..1), so it is off by default. Credentials already
// issued keep the entries they were issued with, so turning it off never
// takes suspension away from a credential that has it.
func (s *Service) SetSuspension(ctx context.Context, orgID string, on bool, actor string) (store.Organization, error) {
	s.init()
	var org store.Organization
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		var err error
		if org, err = tx.Organization(ctx, orgID); err != nil {
			return err
		}
		if org.Suspension == on {
			return nil
		}
		org.Suspension = on
		if err := tx.UpdateOrganization(ctx, org); err != nil {
			return err
		}
		return audit(ctx, tx, org.ID, actor, "org.settings.update", org.ID, map[string]any{"suspension": on})
	})
	if err != nil {
		return store.Organization{}, fmt.Errorf("issue: suspension setting: %w", err)
	}
	s.OrganizationChanged(orgID)
	return org, nil
}

// SetLogo replaces the organization's logo (its profile's image), given as
// a data: URI the caller has checked (a PNG, or a sanitized SVG), or ""
// to remove it. Credentials issued from then on carry the new image in
// their issuer profile; earlier ones keep theirs.
func (s *Service) SetLogo(ctx context.Context, orgID, imageURI, actor string) error {
	s.init()
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		org, err := tx.Organization(ctx, orgID)
		if err != nil {
			return err
		}
		org.ImageURL = imageURI
		if err := tx.UpdateOrganization(ctx, org); err != nil {
			return err
		}
		return audit(ctx, tx, org.ID, actor, "org.logo.update", org.ID, map[string]any{"bytes": len(imageURI)})
	})
	if err != nil {
		return fmt.Errorf("issue: set logo: %w", err)
	}
	s.OrganizationChanged(orgID)
	return nil
}
