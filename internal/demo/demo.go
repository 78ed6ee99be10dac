// Package demo seeds a database with a realistic demonstration of
// microcred: a university (slug demo-university) and an industry provider
// with their catalogs from catalog.DemoCatalogAt, staff accounts in every
// role, fifty learners holding issued credentials in every format, the mails
// that told them, and an API client to try the REST APIs with.
//
// Everything is created through issue.Service, exactly as the web UI and the
// APIs create it, so the demo shows real signed credentials, real audit
// entries and a real outbox.
//
// # Accounts
//
// Staff accounts and one learner get random passwords, returned once in
// Result and stored only as argon2id hashes. The other learners get no
// password: an argon2id hash costs tens of milliseconds and 19 MiB by design,
// and fifty of them would dominate the seeding time for accounts nobody
// signs in to. Their credentials are linked to their accounts all the same.
//
// # Idempotence
//
// Seed records the audit event "demo.seed" when it has finished. A database
// with that event is left alone (Result.AlreadySeeded). A seed interrupted
// half-way resumes instead: every step finds what an earlier run created
// (accounts by email, organizations and achievements by slug, credentials by
// idempotency key), and the accounts whose passwords are returned get fresh
// ones.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// Fixed names of the demo, which the CLI prints and tests look for.
const (
	UniversitySlug = "demo-university"
	ProviderSlug   = "northwind-academy"
	AdminEmail     = "admin@demo-university.example"
	LearnerCount   = 50
	// SeedAction is the audit action recorded when seeding has finished.
	SeedAction = "demo.seed"
)

// API scopes the demo API client receives: every OB 3.0 API scope and
// microcred's VC-API issuing scope.
var clientScopes = []string{
	"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
	"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert",
	"https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly",
	"https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update",
	"microcred:issue",
}

// Login is a seeded account whose password Seed generated.
type Login struct {
	Role     string // "owner of demo-university", "learner", ...
	Email    string
	Password string
}

// Result describes what Seed created. Passwords and the client secret exist
// only here: the database keeps their hashes.
type Result struct {
	// AlreadySeeded is set when the database held a finished demo; then
	// only Orgs, the counts and SampleCredentialURL are filled in.
	AlreadySeeded bool

	AdminEmail    string
	AdminPassword string
	// Logins lists every account with a password, the admin first.
	Logins []Login

	Orgs         []string // slugs, university first
	Achievements int
	Learners     int
	Credentials  int
	Mails        int

	// ClientID and ClientSecret are the provider's OAuth 2.0 client
	// (client credentials grant) with every API scope.
	ClientID     string
	ClientSecret string

	// SampleCredentialURL is the public page of one seeded credential.
	SampleCredentialURL string
	// CredentialIDs lists every seeded credential, oldest first.
	CredentialIDs []string
}

// Seed fills st with the demo through svc (whose Store must be st) and
// returns what it made. It takes about a second on SQLite.
func Seed(ctx context.Context, svc *issue.Service, st store.Store) (*Result, error) {
	if svc == nil || st == nil {
		return nil, errors.New("demo: Seed needs a service and a store")
	}
	done, err := st.ListAudit(ctx, store.AuditQuery{Action: SeedAction, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("demo: checking for an earlier seed: %w", err)
	}
	if len(done) > 0 {
		return existing(ctx, svc, st)
	}
	s := &seeder{svc: svc, st: st, now: time.Now().UTC(), res: &Result{AdminEmail: AdminEmail}}
	if svc.Now != nil {
		s.now = svc.Now().UTC()
	}
	if err := s.run(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return s.res, nil
}

type seeder struct {
	svc *issue.Service
	st  store.Store
	now time.Time
	res *Result
	// plain is how many of res.CredentialIDs, from the start, are the
	// learners' ordinary credentials (not stacked awards, not awarded on
	// evidence).
	plain int
}

// demoOrg is a seeded organization and its saved achievements.
type demoOrg struct {
	org     store.Organization
	owner   store.User
	entries []store.CatalogEntry
	formats []store.Format // per entry: the catalog's default format
}

func (s *seeder) run(ctx context.Context) error {
	demoCatalog := catalog.DemoCatalogAt(s.svc.BaseURL)
	var orgs []*demoOrg
	for i, dc := range demoCatalog {
		ownerEmail := AdminEmail
		ownerName := "Demo Administrator"
		role := "owner of " + dc.Slug + " (admin)"
		if i > 0 {
			ownerEmail = "owner@" + dc.Slug + ".example"
			ownerName = dc.Name + " Owner"
			role = "owner of " + dc.Slug
		}
		owner, pw, err := s.user(ctx, ownerEmail, ownerName, false, true)
		if err != nil {
			return err
		}
		if i == 0 {
			s.res.AdminPassword = pw
		}
		s.res.Logins = append(s.res.Logins, Login{Role: role, Email: ownerEmail, Password: pw})
		o, err := s.organization(ctx, dc, owner)
		if err != nil {
			return err
		}
		orgs = append(orgs, o)
		s.res.Orgs = append(s.res.Orgs, o.org.Slug)
		s.res.Achievements += len(o.entries)
	}
	if len(orgs) < 2 {
		return fmt.Errorf("the demo catalog has %d organizations, want a university and a provider", len(orgs))
	}
	uni, provider := orgs[0], orgs[1]

	// Staff in the other roles, at the university.
	for _, m := range []struct {
		email, name string
		role        store.Role
	}{
		{"issuer@demo-university.example", "Ines Issuer", store.RoleIssuer},
		{"viewer@demo-university.example", "Victor Viewer", store.RoleViewer},
	} {
		u, pw, err := s.user(ctx, m.email, m.name, false, true)
		if err != nil {
			return err
		}
		if err := s.member(ctx, uni.org.ID, u.ID, m.role); err != nil {
			return err
		}
		s.res.Logins = append(s.res.Logins, Login{Role: string(m.role) + " at " + uni.org.Slug, Email: m.email, Password: pw})
	}

	if err := s.learners(ctx, orgs); err != nil {
		return err
	}
	if err := s.pathways(ctx, orgs); err != nil {
		return err
	}
	if err := s.evidence(ctx, uni); err != nil {
		return err
	}
	if err := s.endorsements(ctx, uni, provider); err != nil {
		return err
	}
	if err := s.events(ctx); err != nil {
		return err
	}
	if err := s.statusChanges(ctx, orgs); err != nil {
		return err
	}
	if err := s.apiClient(ctx, provider); err != nil {
		return err
	}
	mails, err := s.st.ListMail(ctx, 1000)
	if err != nil {
		return fmt.Errorf("counting queued mail: %w", err)
	}
	s.res.Mails = len(mails)
	_, err = s.st.AppendAudit(ctx, store.AuditEvent{
		OrgID: uni.org.ID, Actor: "system", Action: SeedAction, Target: uni.org.ID,
		Detail: []byte(fmt.Sprintf(`{"learners":%d,"credentials":%d}`, s.res.Learners, s.res.Credentials)),
	})
	if err != nil {
		return fmt.Errorf("recording the seed: %w", err)
	}
	return nil
}

// user returns the account with email, creating it when missing. With
// withPassword it sets a fresh random password and returns it.
func (s *seeder) user(ctx context.Context, email, name string, learner, withPassword bool) (store.User, string, error) {
	var pw, hash string
	if withPassword {
		pw = randomPassword()
		var err error
		if hash, err = auth.HashPassword(pw); err != nil {
			return store.User{}, "", fmt.Errorf("hashing the password of %s: %w", email, err)
		}
	}
	u, err := s.st.UserByEmail(ctx, email)
	switch {
	case err == nil:
		if withPassword {
			u.PasswordHash = hash
			if err := s.st.UpdateUser(ctx, u); err != nil {
				return store.User{}, "", fmt.Errorf("resetting the password of %s: %w", email, err)
			}
		}
		return u, pw, nil
	case !errors.Is(err, store.ErrNotFound):
		return store.User{}, "", fmt.Errorf("looking up %s: %w", email, err)
	}
	u, err = s.st.CreateUser(ctx, store.User{Email: email, Name: name, PasswordHash: hash, IsLearner: learner})
	if err != nil {
		return store.User{}, "", fmt.Errorf("creating user %s: %w", email, err)
	}
	return u, pw, nil
}

func (s *seeder) member(ctx context.Context, orgID, userID string, role store.Role) error {
	if _, err := s.st.Membership(ctx, orgID, userID); err == nil {
		return nil
	}
	if _, err := s.st.AddMembership(ctx, store.Membership{OrgID: orgID, UserID: userID, Role: role}); err != nil {
		return fmt.Errorf("adding a %s member: %w", role, err)
	}
	return nil
}

// organization creates (or finds) the organization of dc with owner as its
// owner and saves its catalog.
func (s *seeder) organization(ctx context.Context, dc catalog.DemoOrg, owner store.User) (*demoOrg, error) {
	o := &demoOrg{owner: owner}
	org, err := s.st.OrganizationBySlug(ctx, dc.Slug)
	switch {
	case errors.Is(err, store.ErrNotFound):
		org, err = s.svc.CreateOrganization(ctx, store.Organization{
			Slug:        dc.Slug,
			Name:        dc.Name,
			URL:         dc.URL,
			Email:       dc.Email,
			Description: dc.Description,
			Country:     dc.Country,
			DIDMethod:   store.DIDWeb,
		}, owner.ID, owner.ID)
		if err != nil {
			return nil, fmt.Errorf("creating organization %s: %w", dc.Slug, err)
		}
	case err != nil:
		return nil, fmt.Errorf("looking up organization %s: %w", dc.Slug, err)
	default:
		if err := s.member(ctx, org.ID, owner.ID, store.RoleOwner); err != nil {
			return nil, err
		}
	}
	o.org = org
	for i := range dc.Achievements {
		a := dc.Achievements[i]
		entry, err := s.achievement(ctx, org, &a, owner.ID)
		if err != nil {
			return nil, err
		}
		o.entries = append(o.entries, entry)
		o.formats = append(o.formats, store.Format(a.Format))
	}
	return o, nil
}

func (s *seeder) achievement(ctx context.Context, org store.Organization, a *catalog.Achievement, actor string) (store.CatalogEntry, error) {
	if a.Slug != "" {
		existing, err := s.st.AchievementBySlug(ctx, org.ID, a.Slug)
		if err == nil {
			v, err := s.st.AchievementVersion(ctx, existing.ID, existing.CurrentVersion)
			if err != nil {
				return store.CatalogEntry{}, fmt.Errorf("achievement %s: %w", a.Slug, err)
			}
			return store.CatalogEntry{Achievement: existing, Version: v}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.CatalogEntry{}, fmt.Errorf("looking up achievement %s: %w", a.Slug, err)
		}
	}
	entry, err := s.svc.SaveAchievement(ctx, org.ID, a, actor)
	if err != nil {
		return store.CatalogEntry{}, fmt.Errorf("saving achievement %q of %s: %w", a.Name, org.Slug, err)
	}
	return entry, nil
}

// learners creates the learner accounts and issues their credentials.
// Every learner holds at least one credential; every third holds a second
// from the other organization. The first learner gets a password, so the
// wallet can be tried.
func (s *seeder) learners(ctx context.Context, orgs []*demoOrg) error {
	names := catalog.DemoLearnerNames(LearnerCount)
	var sample store.Credential
	for i, name := range names {
		email := learnerEmail(name, i)
		u, pw, err := s.user(ctx, email, name, true, i == 0)
		if err != nil {
			return err
		}
		if i == 0 {
			s.res.Logins = append(s.res.Logins, Login{Role: "learner", Email: email, Password: pw})
		}
		s.res.Learners++
		awards := []*demoOrg{orgs[i%len(orgs)]}
		if i%3 == 0 {
			awards = append(awards, orgs[(i+1)%len(orgs)])
		}
		for j, o := range awards {
			c, err := s.issue(ctx, o, u, i, j)
			if err != nil {
				return err
			}
			s.res.Credentials++
			s.res.CredentialIDs = append(s.res.CredentialIDs, c.ID)
			if sample.ID == "" && c.Format == store.FormatLDPRDFC && c.ValidUntil == nil {
				sample = c
			}
		}
		if _, err := s.st.LinkLearnerCredentials(ctx, email, u.ID); err != nil {
			return fmt.Errorf("linking the credentials of %s: %w", email, err)
		}
	}
	s.plain = len(s.res.CredentialIDs)
	if sample.ID != "" {
		s.res.SampleCredentialURL = s.svc.PublicURL(sample)
	}
	return nil
}

// issue awards learner number i their j-th credential from o. The choice of
// achievement, format and dates is a function of (i, j), so a resumed seed
// asks for the same credential and the idempotency key finds it.
func (s *seeder) issue(ctx context.Context, o *demoOrg, u store.User, i, j int) (store.Credential, error) {
	k := (i/len(o.entries) + i + j) % len(o.entries)
	entry := o.entries[k]
	format := o.formats[k]
	switch {
	case i%10 == 4:
		format = store.FormatLDPJCS
	case i%10 == 7:
		format = store.FormatJWT
	case format == "":
		format = store.FormatLDPRDFC
	}
	// Spread over the past year, the most recent a few days ago.
	issued := s.now.AddDate(0, 0, -(3 + (i*53+j*101)%360)).Truncate(time.Hour)
	req := issue.Request{
		OrgID:          o.org.ID,
		AchievementID:  entry.Achievement.ID,
		RecipientEmail: u.Email,
		RecipientName:  u.Name,
		ValidFrom:      issued,
		Format:         format,
		IdempotencyKey: fmt.Sprintf("demo-%d-%d", i, j),
		Actor:          o.owner.ID,
		Notify:         true,
	}
	switch {
	case i == 5 || i == 11:
		// Expired: a one-year certificate issued over a year ago.
		req.ValidFrom = s.now.AddDate(-1, -2, 0).Truncate(time.Hour)
		req.ValidUntil = s.now.AddDate(0, -2, 0).Truncate(time.Hour)
	case o.org.Slug == ProviderSlug:
		// Professional certificates are valid for three years.
		req.ValidUntil = issued.AddDate(3, 0, 0)
	}
	if i%4 == 1 {
		req.Narrative = "Completed all assessed assignments and the final project with distinction."
	}
	c, _, err := s.svc.Issue(ctx, req)
	if err != nil {
		return store.Credential{}, fmt.Errorf("issuing %q to %s: %w", entry.Version.Name, u.Email, err)
	}
	return c, nil
}

// apiClient gives the provider an OAuth 2.0 client with every API scope.
// The secret is stored as its SHA-256 digest: it is random, so a slow hash
// adds nothing.
func (s *seeder) apiClient(ctx context.Context, o *demoOrg) error {
	secret, hash := auth.NewToken()
	c, err := s.st.CreateAPIClient(ctx, store.APIClient{
		ClientID:   "demo-" + o.org.Slug + "-" + strings.ToLower(rand.Text()[:8]),
		SecretHash: hash,
		OrgID:      o.org.ID,
		Name:       "Demo integration",
		Scopes:     clientScopes,
	})
	if err != nil {
		return fmt.Errorf("creating the API client of %s: %w", o.org.Slug, err)
	}
	s.res.ClientID, s.res.ClientSecret = c.ClientID, secret
	return nil
}

// existing describes a finished demo without changing it.
func existing(ctx context.Context, svc *issue.Service, st store.Store) (*Result, error) {
	res := &Result{AlreadySeeded: true, AdminEmail: AdminEmail}
	for _, slug := range []string{UniversitySlug, ProviderSlug} {
		org, err := st.OrganizationBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		res.Orgs = append(res.Orgs, slug)
		entries, err := st.SearchAchievements(ctx, store.AchievementQuery{OrgID: org.ID, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		res.Achievements += len(entries)
		n, err := st.CountCredentials(ctx, store.CredentialQuery{OrgID: org.ID})
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		res.Credentials += int(n)
		if res.SampleCredentialURL == "" {
			creds, err := st.ListCredentials(ctx, store.CredentialQuery{OrgID: org.ID, PublicOnly: true, Limit: 1})
			if err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			if len(creds) > 0 {
				res.SampleCredentialURL = svc.PublicURL(creds[0])
			}
		}
	}
	return res, nil
}

// learnerEmail makes an address from a name: lower-case ASCII letters, the
// given and family names joined by a dot, and the learner's number so two
// people with the same name stay distinct.
func learnerEmail(name string, i int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if f, ok := asciiFold[r]; ok {
			r = f
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-':
			if s := b.String(); s != "" && !strings.HasSuffix(s, ".") {
				b.WriteByte('.')
			}
		}
	}
	return fmt.Sprintf("%s.%d@learners.example", strings.Trim(b.String(), "."), i+1)
}

// asciiFold maps the Latin-1 letters of the demo names to ASCII.
var asciiFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a',
	'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y',
}

// randomPassword returns 26 base32 characters (128 bits): far beyond the
// password policy and easy to copy from a terminal.
func randomPassword() string { return rand.Text() }
