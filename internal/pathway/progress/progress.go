// Package progress connects the pathway engine to the store: it loads
// each organization's pathways and articulation schemes, turns stored
// credentials into the engine's input, audits a learner, and recomputes
// and records every learner's progress.
//
// Credentials issued by this server are taken as verified unless their
// issuer revoked or suspended them or they expired: the server signed
// them and keeps their status, so the store is the authority on them.
// The issuer of such a credential is its organization's issuer id (its
// DID). Pathway and scheme documents may name an organization of this
// server as "org:SLUG" wherever an issuer is expected, and, with such an
// issuer, an achievement by its catalog slug; Load replaces both with
// the issuer id and achievement id credentials carry, so that
// definitions survive a change of host name.
package progress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/store"
)

// OrgRef is the prefix that names an organization of this server in a
// definition's issuer fields.
const OrgRef = "org:"

// Service audits learners against the definitions in Store.
type Service struct {
	Store store.Store
	// IssuerID returns an organization's issuer id (the issue service's
	// IssuerID).
	IssuerID func(ctx context.Context, org store.Organization) (string, error)
	// AchievementURL returns the id credentials give the achievement with
	// a store id (the issue service's AchievementURL).
	AchievementURL func(storeID string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (l *Loaded) now() time.Time {
	if l.svc.Now != nil {
		return l.svc.Now()
	}
	return time.Now()
}

// Org is one organization's definitions, ready to audit with.
type Org struct {
	Org      store.Organization
	Engine   *pathway.Engine
	Pathways []store.PathwayDefinition
	Schemes  []store.PathwayDefinition
}

// Loaded is what Load read: the organizations with definitions, and the
// lookups that turn stored credentials into engine input.
type Loaded struct {
	Orgs    []*Org
	issuers map[string]string // org id -> issuer id
	orgs    map[string]store.Organization
	bySlug  map[string]store.Organization
	orgList []store.Organization
	achs    map[achVersion]achInfo
	usesRes bool
	svc     *Service
	offers  []pathway.Offer
	// Problems lists the organizations whose definitions could not be
	// used (a definition names an organization or achievement that is
	// gone); they are left out rather than stopping everyone's audits.
	Problems []error
}

type achVersion struct {
	id      string
	version int
}

type achInfo struct {
	name    string
	credits []pathway.Credit
	results map[string]string // result description id -> name
}

// loadCatalog reads the organizations and the current catalog, which
// every definition is resolved against.
func (s *Service) loadCatalog(ctx context.Context) (*Loaded, error) {
	orgs, err := s.Store.ListOrganizations(ctx)
	if err != nil {
		return nil, fmt.Errorf("load pathways: %w", err)
	}
	l := &Loaded{issuers: map[string]string{}, orgs: map[string]store.Organization{}, bySlug: map[string]store.Organization{}, achs: map[achVersion]achInfo{}, svc: s}
	l.orgList = orgs
	for _, o := range orgs {
		l.orgs[o.ID] = o
		l.bySlug[o.Slug] = o
	}
	// Offers: every current catalog entry, for what-if suggestions.
	entries, err := s.Store.SearchAchievements(ctx, store.AchievementQuery{Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("load pathways: catalog: %w", err)
	}
	for _, e := range entries {
		info, err := decodeAchievement(e.Version)
		if err != nil {
			continue // a malformed entry offers nothing
		}
		l.achs[achVersion{e.Achievement.ID, e.Version.Version}] = info
		iss, err := l.issuer(ctx, e.Achievement.OrgID)
		if err != nil {
			return nil, err
		}
		l.offers = append(l.offers, pathway.Offer{Issuer: iss, AchievementID: s.AchievementURL(e.Achievement.ID), Name: info.name, Credits: info.credits})
	}
	return l, nil
}

// Load reads every organization's current pathway and scheme definitions
// and builds an engine for each organization that has any.
func (s *Service) Load(ctx context.Context) (*Loaded, error) {
	l, err := s.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	orgs := l.orgList
	for _, o := range orgs {
		ps, err := s.Store.ListPathwayDefinitions(ctx, o.ID, store.PathwayKindPathway)
		if err != nil {
			return nil, fmt.Errorf("load pathways of %s: %w", o.Slug, err)
		}
		ss, err := s.Store.ListPathwayDefinitions(ctx, o.ID, store.PathwayKindScheme)
		if err != nil {
			return nil, fmt.Errorf("load schemes of %s: %w", o.Slug, err)
		}
		if len(ps) == 0 && len(ss) == 0 {
			continue
		}
		org, err := l.build(ctx, o, ps, ss)
		var ie *InvalidError
		if errors.As(err, &ie) {
			l.Problems = append(l.Problems, fmt.Errorf("definitions of %s: %w", o.Slug, err))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("definitions of %s: %w", o.Slug, err)
		}
		l.Orgs = append(l.Orgs, org)
	}
	return l, nil
}

// build parses and resolves an organization's definitions and builds
// its engine.
func (l *Loaded) build(ctx context.Context, o store.Organization, ps, ss []store.PathwayDefinition) (*Org, error) {
	defs := pathway.Definitions{Offers: l.offers}
	resolve := func(m *pathway.Match) error { return l.resolve(ctx, m) }
	for _, d := range ps {
		p, err := pathway.ParsePathway(d.Document)
		if err != nil {
			return nil, &InvalidError{Kind: store.PathwayKindPathway, Slug: d.Slug, Err: err}
		}
		p.Version = d.Version
		if err := resolveRule(&p.Root, resolve); err != nil {
			return nil, &InvalidError{Kind: store.PathwayKindPathway, Slug: d.Slug, Err: err}
		}
		defs.Pathways = append(defs.Pathways, p)
	}
	for _, d := range ss {
		sc, err := pathway.ParseScheme(d.Document)
		if err != nil {
			return nil, &InvalidError{Kind: store.PathwayKindScheme, Slug: d.Slug, Err: err}
		}
		sc.Version = d.Version
		for i := range sc.Rules {
			if err := resolve(&sc.Rules[i].Match); err != nil {
				return nil, &InvalidError{Kind: store.PathwayKindScheme, Slug: d.Slug, Err: fmt.Errorf("rules[%d].match: %w", i, err)}
			}
		}
		defs.Schemes = append(defs.Schemes, sc)
	}
	e, err := pathway.New(defs)
	if err != nil {
		return nil, &InvalidError{Err: err}
	}
	l.usesRes = l.usesRes || usesResults(defs)
	return &Org{Org: o, Engine: e, Pathways: ps, Schemes: ss}, nil
}

// InvalidError is a definition that does not validate, or that does not
// fit with the organization's other definitions.
type InvalidError struct {
	Kind store.PathwayKind
	Slug string
	Err  error
}

func (e *InvalidError) Error() string {
	if e.Slug == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s %s: %v", e.Kind, e.Slug, e.Err)
}

func (e *InvalidError) Unwrap() error { return e.Err }

func resolveRule(r *pathway.Rule, resolve func(*pathway.Match) error) error {
	if r.Match != nil {
		if err := resolve(r.Match); err != nil {
			return err
		}
	}
	for i := range r.Rules {
		if err := resolveRule(&r.Rules[i], resolve); err != nil {
			return err
		}
	}
	return nil
}

// resolve replaces "org:SLUG" issuers with the organization's issuer id
// and, with such an issuer, an achievement slug with its id.
func (l *Loaded) resolve(ctx context.Context, m *pathway.Match) error {
	orgOf := func(ref string) (store.Organization, bool, error) {
		slug, ok := strings.CutPrefix(ref, OrgRef)
		if !ok {
			return store.Organization{}, false, nil
		}
		org, found := l.bySlug[slug]
		if !found {
			return store.Organization{}, true, fmt.Errorf("issuer %q: no organization %q on this server", ref, slug)
		}
		return org, true, nil
	}
	if org, local, err := orgOf(m.Issuer); err != nil {
		return err
	} else if local {
		if m.Issuer, err = l.issuer(ctx, org.ID); err != nil {
			return err
		}
		if m.Achievement != "" && !strings.Contains(m.Achievement, ":") {
			a, err := l.svc.Store.AchievementBySlug(ctx, org.ID, m.Achievement)
			if err != nil {
				return fmt.Errorf("achievement %q of %s: %w", m.Achievement, org.Slug, err)
			}
			m.Achievement = l.svc.AchievementURL(a.ID)
		}
	}
	if m.Name == "" {
		// Explanations and suggestions then name the achievement as
		// people know it.
		m.Name = l.Name(m)
	}
	for i, ref := range m.Issuers {
		org, local, err := orgOf(ref)
		if err != nil {
			return err
		}
		if local {
			if m.Issuers[i], err = l.issuer(ctx, org.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func usesResults(d pathway.Definitions) bool {
	var walk func(r *pathway.Rule) bool
	walk = func(r *pathway.Rule) bool {
		if r.Match != nil && r.Match.Result != nil {
			return true
		}
		for i := range r.Rules {
			if walk(&r.Rules[i]) {
				return true
			}
		}
		return false
	}
	for i := range d.Pathways {
		if walk(&d.Pathways[i].Root) {
			return true
		}
	}
	for _, s := range d.Schemes {
		for _, r := range s.Rules {
			if r.Match.Result != nil {
				return true
			}
		}
	}
	return false
}

// issuer returns the issuer id of an organization, cached.
func (l *Loaded) issuer(ctx context.Context, orgID string) (string, error) {
	if id, ok := l.issuers[orgID]; ok {
		return id, nil
	}
	org, ok := l.orgs[orgID]
	if !ok {
		o, err := l.svc.Store.Organization(ctx, orgID)
		if err != nil {
			return "", fmt.Errorf("issuer of organization %s: %w", orgID, err)
		}
		org = o
		l.orgs[orgID] = o
	}
	id, err := l.svc.IssuerID(ctx, org)
	if err != nil {
		return "", fmt.Errorf("issuer of %s: %w", org.Slug, err)
	}
	l.issuers[orgID] = id
	return id, nil
}

// achievement returns what the audit needs of an achievement version.
func (l *Loaded) achievement(ctx context.Context, id string, version int) (achInfo, error) {
	k := achVersion{id, version}
	if a, ok := l.achs[k]; ok {
		return a, nil
	}
	v, err := l.svc.Store.AchievementVersion(ctx, id, version)
	if err != nil {
		return achInfo{}, fmt.Errorf("achievement %s version %d: %w", id, version, err)
	}
	info, err := decodeAchievement(v)
	if err != nil {
		info = achInfo{name: v.Name} // still countable by id
	}
	l.achs[k] = info
	return info, nil
}

func decodeAchievement(v store.AchievementVersion) (achInfo, error) {
	var a catalog.Achievement
	if err := json.Unmarshal(v.Document, &a); err != nil {
		return achInfo{name: v.Name}, err
	}
	info := achInfo{name: a.Name, results: map[string]string{}}
	if info.name == "" {
		info.name = v.Name
	}
	for _, cr := range a.CreditRecommendations {
		info.credits = append(info.credits, pathway.Credit{Framework: cr.Framework, Amount: cr.Amount, Level: cr.Level})
	}
	for _, rd := range a.ResultDescription {
		info.results[rd.ID] = rd.Name
	}
	return info, nil
}

// Credential turns a stored credential's facts into engine input. doc,
// when not empty, is the credential's document, read for its results.
func (l *Loaded) Credential(ctx context.Context, f store.CredentialFact, doc string) (pathway.Credential, error) {
	iss, err := l.issuer(ctx, f.OrgID)
	if err != nil {
		return pathway.Credential{}, err
	}
	a, err := l.achievement(ctx, f.AchievementID, f.AchievementVersion)
	if err != nil {
		return pathway.Credential{}, err
	}
	// A credential's learning date is its validFrom (VC 2.0 has no
	// separate issuance date, and a credential may be issued for learning
	// completed earlier); the signing time stands in when it is unset.
	earned := f.IssuedAt
	if !f.ValidFrom.IsZero() {
		earned = f.ValidFrom
	}
	c := pathway.Credential{
		ID: f.ID, Issuer: iss, IssuerName: l.orgs[f.OrgID].Name, AchievementID: l.svc.AchievementURL(f.AchievementID), Name: a.name,
		Credits: a.credits, IssuedAt: earned, ValidFrom: f.ValidFrom, Status: pathway.Verified,
	}
	if f.ValidUntil != nil {
		c.ValidUntil = *f.ValidUntil
	}
	switch {
	case f.Revoked:
		c.Status, c.StatusDetail = pathway.Revoked, "revoked by "+l.orgs[f.OrgID].Name
	case f.Suspended:
		c.Status, c.StatusDetail = pathway.Suspended, "suspended by "+l.orgs[f.OrgID].Name
	}
	if doc != "" {
		c.Results = Results([]byte(doc), a.results)
	}
	return c, nil
}

// UsesResults reports whether any loaded rule has a result condition, so
// that credentials' documents must be read for their results.
func (l *Loaded) UsesResults() bool { return l.usesRes }

// Results reads the OB 3.0 results of a credential document
// (credentialSubject.result[].resultDescription and value). Each result
// is listed under its result description id and, when names gives one,
// under its name too, so that a condition may use either.
func Results(doc []byte, names map[string]string) []pathway.Result {
	var d struct {
		CredentialSubject struct {
			Result []struct {
				ResultDescription string `json:"resultDescription"`
				Value             string `json:"value"`
				Status            string `json:"status"`
			} `json:"result"`
		} `json:"credentialSubject"`
	}
	if json.Unmarshal(doc, &d) != nil {
		return nil
	}
	var out []pathway.Result
	for _, r := range d.CredentialSubject.Result {
		v := r.Value
		if v == "" {
			v = r.Status
		}
		if r.ResultDescription == "" || v == "" {
			continue
		}
		out = append(out, pathway.Result{Name: r.ResultDescription, Value: v})
		if n := names[r.ResultDescription]; n != "" {
			out = append(out, pathway.Result{Name: n, Value: v})
		}
	}
	return out
}

// LearnerCredentials returns the engine input for every credential
// issued here to the learner's email.
func (l *Loaded) LearnerCredentials(ctx context.Context, email string) ([]pathway.Credential, error) {
	key := store.EmailKey(email)
	var facts []store.CredentialFact
	if err := l.svc.Store.CredentialFacts(ctx, key, func(f store.CredentialFact) error {
		facts = append(facts, f)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", email, err)
	}
	out := make([]pathway.Credential, 0, len(facts))
	for _, f := range facts {
		doc := ""
		if l.usesRes {
			sc, err := l.svc.Store.Credential(ctx, f.ID)
			if err != nil {
				return nil, fmt.Errorf("credential %s: %w", f.ID, err)
			}
			doc = sc.Document
		}
		c, err := l.Credential(ctx, f, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// LearnerAudit is one organization's audit of a learner.
type LearnerAudit struct {
	Org    store.Organization   `json:"-"`
	OrgID  string               `json:"org"`
	Name   string               `json:"orgName"`
	Audit  pathway.Audit        `json:"audit"`
	WhatIf []pathway.Suggestion `json:"whatIf,omitempty"`
}

// AuditLearner audits the learner's credentials against every
// organization's definitions on asOf.
func (l *Loaded) AuditLearner(ctx context.Context, email string, asOf time.Time) ([]LearnerAudit, error) {
	creds, err := l.LearnerCredentials(ctx, email)
	if err != nil {
		return nil, err
	}
	var out []LearnerAudit
	for _, o := range l.Orgs {
		out = append(out, LearnerAudit{
			Org: o.Org, OrgID: o.Org.Slug, Name: o.Org.Name,
			Audit: o.Engine.Audit(asOf, creds), WhatIf: o.Engine.WhatIf(asOf, creds),
		})
	}
	return out, nil
}

// Stats reports a recomputation.
type Stats struct {
	Learners    int           `json:"learners"`
	Credentials int           `json:"credentials"`
	Rows        int           `json:"rows"`     // progress rows saved
	Complete    int           `json:"complete"` // of them, complete
	Pruned      int64         `json:"pruned"`
	Elapsed     time.Duration `json:"elapsed_ns"`
}

// batchRows is how many progress rows a recomputation saves at once.
const batchRows = 2000

// Recompute audits every learner with credentials in the store against
// every organization's pathways on asOf, saves a progress row for each
// pathway a learner has progress on, and removes the rows of learners
// whose progress is gone. It reads credentials as one ordered stream, so
// memory stays at one learner's credentials and one batch of rows.
func (l *Loaded) Recompute(ctx context.Context, asOf time.Time) (Stats, error) {
	start := time.Now()
	var st Stats
	// Batches are saved by a second goroutine while the next learners are
	// read and audited: on PostgreSQL the two wait on different round
	// trips, on SQLite on different connections (WAL).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []store.PathwayProgress, 2)
	saved := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err == nil {
				if err = l.svc.Store.SavePathwayProgress(ctx, b); err != nil {
					cancel() // stop the reader too
				}
			}
		}
		saved <- err
	}()
	var batch []store.PathwayProgress
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		select {
		case batches <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]store.PathwayProgress, 0, batchRows)
		return nil
	}
	var learner string
	var creds []pathway.Credential
	audit := func() error {
		if len(creds) == 0 {
			return nil
		}
		st.Learners++
		for _, o := range l.Orgs {
			for _, p := range o.Engine.Progress(asOf, creds) {
				if p.Progress <= 0 {
					continue
				}
				batch = append(batch, store.PathwayProgress{OrgID: o.Org.ID, Pathway: p.ID, LearnerKey: learner, Version: p.Version,
					Progress: p.Progress, Complete: p.Complete, Used: p.Used})
				st.Rows++
				if p.Complete {
					st.Complete++
				}
			}
		}
		creds = creds[:0]
		if len(batch) >= batchRows {
			return flush()
		}
		return nil
	}
	// Saving while the read stream is open would, on SQLite, wait for
	// nothing (WAL readers do not block the writer), and on PostgreSQL
	// use a second connection; both are fine.
	err := l.svc.Store.CredentialFacts(ctx, "", func(f store.CredentialFact) error {
		if f.LearnerKey != learner {
			if err := audit(); err != nil {
				return err
			}
			learner = f.LearnerKey
		}
		if f.LearnerKey == "" {
			return nil // no recipient to audit
		}
		doc := ""
		if l.usesRes {
			sc, err := l.svc.Store.Credential(ctx, f.ID)
			if err != nil {
				return fmt.Errorf("credential %s: %w", f.ID, err)
			}
			doc = sc.Document
		}
		c, err := l.Credential(ctx, f, doc)
		if err != nil {
			return err
		}
		creds = append(creds, c)
		st.Credentials++
		return nil
	})
	if err == nil {
		err = audit()
	}
	if err == nil {
		err = flush()
	}
	close(batches)
	if serr := <-saved; serr != nil {
		err = serr // the writer's failure is the cause of a cancelled read
	}
	if err != nil {
		return st, fmt.Errorf("recompute pathway progress: %w", err)
	}
	// Rows not saved in this run belong to learners without progress now.
	pruned, err := l.svc.Store.PrunePathwayProgress(ctx, start.Add(-time.Millisecond))
	if err != nil {
		return st, fmt.Errorf("recompute pathway progress: %w", err)
	}
	st.Pruned = pruned
	st.Elapsed = time.Since(start)
	return st, nil
}

// ErrNoDefinitions is returned when no organization has a pathway or
// scheme.
var ErrNoDefinitions = errors.New("no organization has defined a pathway or credit scheme")

// Name returns the catalog name of what a match asks for: the name of
// the achievement it names, or "" when it names none this server knows.
func (l *Loaded) Name(m *pathway.Match) string {
	if m == nil || m.Achievement == "" {
		return ""
	}
	for _, o := range l.offers {
		if o.Issuer == m.Issuer && o.AchievementID == m.Achievement {
			return o.Name
		}
	}
	return ""
}

// OrgBySlug returns the loaded definitions of an organization.
func (l *Loaded) OrgBySlug(slug string) (*Org, bool) {
	for _, o := range l.Orgs {
		if o.Org.Slug == slug {
			return o, true
		}
	}
	return nil, false
}

// OrgByIssuer returns the organization of this server with the issuer id.
func (l *Loaded) OrgByIssuer(issuer string) (store.Organization, bool) {
	for orgID, id := range l.issuers {
		if id == issuer {
			return l.orgs[orgID], true
		}
	}
	return store.Organization{}, false
}
