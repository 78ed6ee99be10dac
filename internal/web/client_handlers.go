package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// apiScopes are the OAuth 2.0 scopes an API client may be granted: the
// Open Badges 3.0 API scopes and microcred:issue for VC-API issuing.
var apiScopes = []scopeInfo{
	{"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly", "read credentials (OB 3.0 getCredentials)"},
	{"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert", "create and update credentials (OB 3.0 upsertCredential)"},
	{"https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly", "read the issuer profile (OB 3.0 getProfile)"},
	{"https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update", "update the issuer profile (OB 3.0 putProfile)"},
	{"microcred:issue", "issue credentials (VC-API POST /credentials/issue)"},
}

type scopeInfo struct {
	Scope, Description string
}

// clientsData is the API clients page; Secret is shown once, right after
// the client was created.
type clientsData struct {
	Org      store.Organization
	Role     store.Role
	Clients  []store.APIClient
	Scopes   []scopeInfo
	Name     string
	Chosen   []string
	ClientID string
	Secret   string
}

func (d clientsData) IsChosen(scope string) bool { return slices.Contains(d.Chosen, scope) }

func (s *server) renderClients(w http.ResponseWriter, r *http.Request, d clientsData, errs formErrors) {
	oc := currentOrg(r)
	list, err := s.store.ListAPIClients(r.Context(), oc.Org.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list api clients: %w", err))
		return
	}
	d.Org, d.Role, d.Clients, d.Scopes = oc.Org, oc.Role, list, apiScopes
	s.renderForm(w, r, "clients", "API clients of "+oc.Org.Name, d, errs)
}

func (s *server) clients(w http.ResponseWriter, r *http.Request) {
	s.renderClients(w, r, clientsData{}, nil)
}

// createClient registers an OAuth 2.0 client-credentials client. The secret
// is shown once; the store keeps only its SHA-256 digest.
func (s *server) createClient(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	d := clientsData{Name: strings.TrimSpace(r.PostFormValue("name")), Chosen: r.PostForm["scope"]}
	var errs formErrors
	if d.Name == "" || len(d.Name) > 200 {
		errs.add("name", "Name the client (at most 200 characters), such as \"Student information system\".")
	}
	if len(d.Chosen) == 0 {
		errs.add("scope", "Choose at least one scope.")
	}
	for _, sc := range d.Chosen {
		if !slices.ContainsFunc(apiScopes, func(i scopeInfo) bool { return i.Scope == sc }) {
			errs.add("scope", "Unknown scope "+sc+".")
		}
	}
	if errs.Any() {
		s.renderClients(w, r, d, errs)
		return
	}
	idBytes := make([]byte, 16)
	if _, err := rand.Read(idBytes); err != nil {
		s.serverError(w, r, fmt.Errorf("client id: %w", err))
		return
	}
	clientID := "mc_" + hex.EncodeToString(idBytes)
	secret, hash := auth.NewToken()
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if _, err := tx.CreateAPIClient(r.Context(), store.APIClient{ClientID: clientID, SecretHash: hash, OrgID: oc.Org.ID, Name: d.Name, Scopes: d.Chosen}); err != nil {
			return fmt.Errorf("create api client: %w", err)
		}
		return appendAudit(r, tx, oc.Org.ID, currentViewer(r).User.ID, "client.create", clientID, map[string]any{"name": d.Name, "scopes": d.Chosen})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderClients(w, r, clientsData{ClientID: clientID, Secret: secret}, nil)
}

func (s *server) deleteClient(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	clientID := r.PathValue("clientID")
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		c, err := tx.APIClient(r.Context(), clientID)
		if err != nil {
			return err
		}
		if c.OrgID != oc.Org.ID {
			return store.ErrNotFound
		}
		if err := tx.DeleteAPIClient(r.Context(), clientID); err != nil {
			return err
		}
		return appendAudit(r, tx, oc.Org.ID, currentViewer(r).User.ID, "client.delete", clientID, map[string]any{"name": c.Name})
	})
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("delete api client: %w", err))
		return
	}
	s.setFlash(w, "API client deleted; its tokens no longer work.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/clients")
}
