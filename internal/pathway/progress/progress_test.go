package progress_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
	"github.com/microcred/microcred/internal/verify"
)

const base = "http://127.0.0.1:8080"

type env struct {
	st    store.Store
	svc   *issue.Service
	ps    *progress.Service
	orgs  map[string]store.Organization
	achs  map[string]string // slug -> store id
	owner store.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var master keys.MasterKey
	rand.Read(master[:])
	svc := &issue.Service{Store: st, Master: master, BaseURL: base}
	e := &env{st: st, svc: svc, orgs: map[string]store.Organization{}, achs: map[string]string{},
		ps: &progress.Service{Store: st, IssuerID: svc.IssuerID, AchievementURL: svc.AchievementURL}}
	e.owner, err = st.CreateUser(ctx, store.User{Email: "owner@example.org", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"statistics-for-data-science": true, "machine-learning-in-practice": true,
		"data-engineering-and-governance": true, "applied-data-science-programme": true, "data-analytics-professional-certificate": true}
	for _, dc := range catalog.DemoCatalogAt(base) {
		org, err := svc.CreateOrganization(ctx, store.Organization{Slug: dc.Slug, Name: dc.Name, Country: dc.Country}, e.owner.ID, e.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.orgs[dc.Slug] = org
		for i := range dc.Achievements {
			a := dc.Achievements[i]
			if !want[a.Slug] {
				continue
			}
			entry, err := svc.SaveAchievement(ctx, org.ID, &a, e.owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			e.achs[a.Slug] = entry.Achievement.ID
		}
	}
	return e
}

const programme = `{
  "id": "applied-data-science", "name": "Applied Data Science Programme",
  "award": {"achievementId": "applied-data-science-programme", "review": true},
  "root": {"kind": "allOf", "rules": [
    {"id": "stats", "label": "Statistics for Data Science", "kind": "credential",
     "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}},
    {"id": "advanced", "label": "One advanced module", "kind": "nOf", "n": 1, "rules": [
      {"kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "machine-learning-in-practice"}},
      {"kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "data-engineering-and-governance"}}]},
    {"id": "industry", "label": "Industry certificate worth 6 ECTS", "kind": "minCredits", "minCredits": 6, "unit": "ECTS",
     "rules": [{"kind": "credential", "match": {"framework": "ACE", "minAmount": 3, "issuers": ["org:northwind-academy"]}}]}]}}`

const degree = `{
  "id": "bsc-data-science", "name": "BSc Data Science", "unit": "SCH",
  "rules": [
    {"id": "northwind-pc", "label": "Northwind Data Analytics certificate", "course": "DATA 150", "courseTitle": "Data Analytics",
     "group": "micro", "match": {"issuer": "org:northwind-academy", "achievement": "data-analytics-professional-certificate"}},
    {"id": "stats", "course": "STAT 210", "credits": 3, "group": "micro",
     "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}}],
  "caps": [{"group": "micro", "max": 18, "label": "at most 18 credit hours from micro-credentials"}]}`

func (e *env) define(t *testing.T, kind store.PathwayKind, doc string) {
	t.Helper()
	var head struct{ ID, Name string }
	if err := json.Unmarshal([]byte(doc), &head); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SavePathwayDefinition(context.Background(), store.PathwayDefinition{OrgID: e.orgs["demo-university"].ID, Kind: kind,
		Slug: head.ID, Name: head.Name, Document: json.RawMessage(doc)}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) issue(t *testing.T, org, slug, email string) store.Credential {
	t.Helper()
	c, _, err := e.svc.Issue(context.Background(), issue.Request{OrgID: e.orgs[org].ID, AchievementID: e.achs[slug], RecipientEmail: email, RecipientName: "Learner", Actor: e.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func programmeOf(t *testing.T, las []progress.LearnerAudit) (pathway.PathwayResult, pathway.SchemeResult) {
	t.Helper()
	if len(las) != 1 || len(las[0].Audit.Pathways) != 1 || len(las[0].Audit.Credit) != 1 {
		t.Fatalf("audits = %+v", las)
	}
	return las[0].Audit.Pathways[0], las[0].Audit.Credit[0]
}

func TestAuditRecomputeAndRevocation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.define(t, store.PathwayKindPathway, programme)
	e.define(t, store.PathwayKindScheme, degree)
	e.issue(t, "demo-university", "statistics-for-data-science", "Ada@Example.org")
	pc := e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "ada@example.org")
	e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "bob@example.org")

	l, err := e.ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Minute)
	las, err := l.AuditLearner(ctx, "ada@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	p, credit := programmeOf(t, las)
	if p.Complete || p.Progress < 0.66 || p.Progress > 0.67 {
		t.Errorf("programme: %v complete %v", p.Progress, p.Complete)
	}
	if credit.Total != 15 || !strings.Contains(credit.Lines[1].Why, "recommended 12 ACE (lower-division baccalaureate); articulated to DATA 150 Data Analytics") {
		t.Errorf("credit = %+v", credit)
	}
	if w := las[0].WhatIf; len(w) != 1 || !w[0].Completes || len(w[0].Add) != 1 || w[0].Add[0].Name != "Machine Learning in Practice" {
		t.Errorf("what-if = %+v", w)
	}

	e.issue(t, "demo-university", "machine-learning-in-practice", "ada@example.org")
	st, err := l.Recompute(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Learners != 2 || st.Credentials != 4 || st.Rows != 2 || st.Complete != 1 {
		t.Errorf("stats = %+v", st)
	}
	rows, err := e.st.ListPathwayProgress(ctx, store.PathwayProgressQuery{Pathway: "applied-data-science"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].LearnerKey != "ada@example.org" || !rows[0].Complete || len(rows[0].Used) != 3 || rows[0].Version != 1 ||
		rows[1].LearnerKey != "bob@example.org" || rows[1].Progress < 0.33 || rows[1].Progress > 0.34 {
		t.Errorf("rows = %+v", rows)
	}

	// The industry certificate is revoked: it drops out of the audit, and
	// the next recomputation lowers Ada's progress.
	if _, err := e.svc.StatusService().Revoke(ctx, pc.ID, "issued in error", e.owner.ID); err != nil {
		t.Fatal(err)
	}
	las, err = l.AuditLearner(ctx, "ada@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	p, credit = programmeOf(t, las)
	if p.Complete || credit.Total != 3 {
		t.Errorf("after revocation: complete %v, credit %v", p.Complete, credit.Total)
	}
	var line pathway.CredentialLine
	for _, c := range las[0].Audit.Credentials {
		if c.ID == pc.ID {
			line = c
		}
	}
	if line.Counted || line.Why != "revoked by its issuer" {
		t.Errorf("revoked credential line = %+v", line)
	}
	if _, err := l.Recompute(ctx, now); err != nil {
		t.Fatal(err)
	}
	rows, _ = e.st.ListPathwayProgress(ctx, store.PathwayProgressQuery{LearnerKey: "ada@example.org"})
	if len(rows) != 1 || rows[0].Complete {
		t.Errorf("ada after revocation = %+v", rows)
	}
}

func TestLoadNamesTheBrokenDefinition(t *testing.T) {
	e := newEnv(t)
	e.define(t, store.PathwayKindPathway, strings.Replace(programme, "org:northwind-academy", "org:nowhere", 1))
	l, err := e.ps.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Orgs) != 0 || len(l.Problems) != 1 ||
		!strings.Contains(l.Problems[0].Error(), `definitions of demo-university: pathway applied-data-science: issuer "org:nowhere": no organization "nowhere"`) {
		t.Errorf("orgs %d, problems %v", len(l.Orgs), l.Problems)
	}
}

func TestResults(t *testing.T) {
	doc := `{"credentialSubject":{"result":[{"resultDescription":"urn:r:grade","value":"B"},{"resultDescription":"urn:r:status","status":"Completed"},{"value":"x"}]}}`
	got := progress.Results([]byte(doc), map[string]string{"urn:r:grade": "Final grade"})
	want := []pathway.Result{{Name: "urn:r:grade", Value: "B"}, {Name: "Final grade", Value: "B"}, {Name: "urn:r:status", Value: "Completed"}}
	if len(got) != len(want) {
		t.Fatalf("results = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if progress.Results([]byte(`not json`), nil) != nil {
		t.Error("results from a broken document")
	}
}

func TestDefine(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	uni := e.orgs["demo-university"]
	for _, tt := range []struct {
		name, doc, want string
		kind            store.PathwayKind
	}{
		{"not JSON", `{"id":`, "not valid JSON", store.PathwayKindPathway},
		{"bad rule", strings.Replace(programme, `"n": 1`, `"n": 5`, 1), "root.rules[1].n: 5 must be between 1 and the number of child rules (2)", store.PathwayKindPathway},
		{"unknown achievement slug", strings.Replace(programme, "statistics-for-data-science", "astrology", 1), `achievement "astrology" of demo-university`, store.PathwayKindPathway},
		{"missing nested pathway", `{"id":"outer","name":"Outer","root":{"kind":"pathway","pathway":"inner"}}`, `no pathway "inner"`, store.PathwayKindPathway},
		{"scheme without unit", `{"id":"s","name":"S","rules":[]}`, `unit: ""`, store.PathwayKindScheme},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.ps.Define(ctx, uni, tt.kind, []byte(tt.doc), e.owner.ID)
			var ie *progress.InvalidError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Define: %v, want an InvalidError containing %q", err, tt.want)
			}
		})
	}
	d1, err := e.ps.Define(ctx, uni, store.PathwayKindPathway, []byte(programme), e.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := e.ps.Define(ctx, uni, store.PathwayKindPathway, []byte(strings.Replace(programme, "Applied Data Science Programme", "Applied Data Science", 1)), e.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d1.Version != 1 || d2.Version != 2 || d2.Name != "Applied Data Science" || d2.Slug != "applied-data-science" {
		t.Errorf("versions: %+v %+v", d1, d2)
	}
	// Now the nested pathway exists.
	if _, err := e.ps.Define(ctx, uni, store.PathwayKindPathway, []byte(`{"id":"outer","name":"Outer","root":{"kind":"pathway","pathway":"applied-data-science"}}`), e.owner.ID); err != nil {
		t.Error(err)
	}
	events, err := e.st.ListAudit(ctx, store.AuditQuery{Action: "pathway.save"})
	if err != nil || len(events) != 3 || events[0].Target != "pathway:applied-data-science" {
		t.Errorf("audit events = %+v, %v", events, err)
	}
}

func TestAwards(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	uni := e.orgs["demo-university"]
	// Without review: issued as soon as the pathway completes.
	direct := strings.Replace(programme, `"review": true`, `"review": false`, 1)
	if _, err := e.ps.Define(ctx, uni, store.PathwayKindPathway, []byte(direct), e.owner.ID); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"statistics-for-data-science", "machine-learning-in-practice"} {
		e.issue(t, "demo-university", slug, "ada@example.org")
		e.issue(t, "demo-university", slug, "bob@example.org")
	}
	pc := e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "ada@example.org")
	bobPC := e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "bob@example.org")
	recompute := func() *progress.Loaded {
		t.Helper()
		l, err := e.ps.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Recompute(ctx, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := recompute()
	st, err := l.Award(ctx, e.svc, base)
	if err != nil || st.Issued != 2 || st.Review != 0 {
		t.Fatalf("award: %+v, %v", st, err)
	}
	rows, _ := e.st.ListPathwayProgress(ctx, store.PathwayProgressQuery{LearnerKey: "ada@example.org"})
	if len(rows) != 1 || rows[0].AwardState != store.AwardIssued || rows[0].AwardCredentialID == "" {
		t.Fatalf("ada's row = %+v", rows)
	}
	award, err := e.st.Credential(ctx, rows[0].AwardCredentialID)
	if err != nil {
		t.Fatal(err)
	}
	if award.AchievementID != e.achs["applied-data-science-programme"] || !strings.Contains(award.Document, e.svc.PublicURL(pc)) ||
		!strings.Contains(award.Document, "Awarded for completing the pathway") || !strings.Contains(award.Document, base+"/pathways/demo-university/applied-data-science") {
		t.Errorf("award credential does not point to its sources:\n%s", award.Document)
	}
	if st, err := recompute().Award(ctx, e.svc, base); err != nil || st.Issued != 0 {
		t.Errorf("second award run: %+v, %v", st, err)
	}
	// The impact report's stacking flow counts both learners once, even
	// after the second run: from each achievement used (the other
	// issuer's certificate as "other issuers"), into the pathway, to the
	// stacked credential and to the ECTS credits it carries.
	rep, err := analytics.Build(ctx, e.st, uni.ID, time.Now().AddDate(-1, 0, 0), time.Now().AddDate(0, 0, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	prog := e.achs["applied-data-science-programme"]
	links := map[string]analytics.FlowLink{}
	for _, l := range rep.StackingFlow().Links {
		links[l.From+">"+l.To] = l
	}
	v, err := e.st.AchievementVersion(ctx, prog, award.AchievementVersion)
	if err != nil {
		t.Fatal(err)
	}
	for link, n := range map[string]int64{
		"a:" + e.achs["statistics-for-data-science"] + ">p:applied-data-science":  2,
		"a:" + e.achs["machine-learning-in-practice"] + ">p:applied-data-science": 2,
		"a:" + analytics.ExternalAchievement + ">p:applied-data-science":          2,
		"p:applied-data-science>s:" + prog:                                        2,
		"s:" + prog + ">credit":                                                   2,
	} {
		if l := links[link]; l.Learners.N != n || strings.HasSuffix(link, "credit") && l.Credits != 2*v.ECTS {
			t.Errorf("stacking flow %s = %+v, want %d learners (%v ECTS each)", link, l, n, v.ECTS)
		}
	}
	if len(links) != 5 || v.ECTS <= 0 {
		t.Errorf("stacking flow = %+v (programme worth %v ECTS)", links, v.ECTS)
	}

	// With review: queued; the registrar's approval issues it, unless a
	// source credential stopped verifying meanwhile.
	if _, err := e.ps.Define(ctx, uni, store.PathwayKindPathway, []byte(strings.Replace(programme, `"id": "applied-data-science"`, `"id": "reviewed"`, 1)), e.owner.ID); err != nil {
		t.Fatal(err)
	}
	l = recompute()
	if st, err := l.Award(ctx, e.svc, base); err != nil || st.Review != 2 || st.Issued != 0 {
		t.Fatalf("review run: %+v, %v", st, err)
	}
	c, err := l.ApproveAward(ctx, e.svc, base, uni, "reviewed", "ada@example.org", e.owner.ID)
	if err != nil || c.RecipientEmail != "ada@example.org" {
		t.Fatalf("approve: %+v, %v", c, err)
	}
	if _, err := l.ApproveAward(ctx, e.svc, base, uni, "reviewed", "ada@example.org", e.owner.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second approval: %v", err)
	}
	if _, err := e.svc.StatusService().Revoke(ctx, bobPC.ID, "fraud", e.owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ApproveAward(ctx, e.svc, base, uni, "reviewed", "bob@example.org", e.owner.ID); !errors.Is(err, store.ErrConflict) ||
		!strings.Contains(err.Error(), "no longer completes") {
		t.Errorf("approval after revocation: %v", err)
	}
}

func TestClrCredential(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	uni := e.orgs["demo-university"]
	e.define(t, store.PathwayKindPathway, programme)
	stats := e.issue(t, "demo-university", "statistics-for-data-science", "ada@example.org")
	ml := e.issue(t, "demo-university", "machine-learning-in-practice", "ada@example.org")
	eng := e.issue(t, "demo-university", "data-engineering-and-governance", "ada@example.org")
	pc := e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "ada@example.org")
	if _, err := e.svc.StatusService().Revoke(ctx, eng.ID, "issued in error", e.owner.ID); err != nil {
		t.Fatal(err)
	}
	l, err := e.ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := l.ClrCredential(ctx, e.svc, uni, "Ada@Example.org", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := credential.ValidateClr(raw); err != nil {
		t.Errorf("the record fails 1EdTech's CLR 2.0 JSON Schema: %v", err)
	}
	// microcred's own verifier accepts it, offline, with the issuer's DID
	// document supplied.
	issuer, err := e.svc.IssuerID(ctx, uni)
	if err != nil {
		t.Fatal(err)
	}
	didDoc, err := e.svc.DIDDocument(ctx, uni)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Credential(ctx, raw, verify.Options{Keys: &did.Resolver{Documents: map[string]*did.Document{issuer: didDoc}}})
	if err != nil || !rep.Verified {
		t.Fatalf("verify: %v\n%+v", err, rep)
	}
	var doc struct {
		Type              []string `json:"type"`
		CredentialSubject struct {
			Type                 []string         `json:"type"`
			Identifier           []map[string]any `json:"identifier"`
			VerifiableCredential []struct {
				ID string `json:"id"`
			} `json:"verifiableCredential"`
			Achievement []struct {
				ID string `json:"id"`
			} `json:"achievement"`
			Association []map[string]string `json:"association"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.CredentialSubject
	if doc.Type[1] != "ClrCredential" || s.Type[0] != "ClrSubject" || len(s.Identifier) != 1 || s.Identifier[0]["hashed"] != true {
		t.Errorf("types %v %v, identifier %v", doc.Type, s.Type, s.Identifier)
	}
	got := map[string]bool{}
	for _, vc := range s.VerifiableCredential {
		got[vc.ID] = true
	}
	// Its own credentials that still count: not the revoked one, not
	// another organization's.
	if len(got) != 2 || !got[stats.ID] || !got[ml.ID] || got[eng.ID] || got[pc.ID] {
		t.Errorf("embedded credentials = %v", got)
	}
	award := e.svc.AchievementURL(e.achs["applied-data-science-programme"])
	if len(s.Achievement) != 1 || s.Achievement[0].ID != award {
		t.Errorf("achievements = %+v, want the programme award %s", s.Achievement, award)
	}
	// The programme rests on statistics, machine learning and the
	// Northwind certificate: three isPartOf associations.
	if len(s.Association) != 3 {
		t.Errorf("associations = %+v", s.Association)
	}
	for _, a := range s.Association {
		if a["associationType"] != "isPartOf" || a["targetId"] != award || a["type"] != "Association" {
			t.Errorf("association %v", a)
		}
	}
}

// TestClrCredentialSchema checks records of learners at several stages
// against 1EdTech's CLR 2.0 JSON Schema: several pathways and a credit
// scheme, a credential with a result, other issuers' credentials, a
// credential the CLR cannot embed, and a learner with nothing to put in a
// record.
func TestClrCredentialSchema(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	uni := e.orgs["demo-university"]
	e.define(t, store.PathwayKindPathway, programme)
	e.define(t, store.PathwayKindPathway, `{"id": "stats-track", "name": "Statistics track",
	  "root": {"kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}}}`)
	e.define(t, store.PathwayKindScheme, degree)
	graded, _, err := e.svc.Issue(ctx, issue.Request{OrgID: uni.ID, AchievementID: e.achs["statistics-for-data-science"],
		RecipientEmail: "ada@example.org", RecipientName: "Ada Lovelace", Actor: e.owner.ID,
		Results: []issue.Result{{Value: "8.5", Status: "Completed"}}})
	if err != nil {
		t.Fatal(err)
	}
	ml := e.issue(t, "demo-university", "machine-learning-in-practice", "ada@example.org")
	e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "ada@example.org")
	e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "bob@example.org")
	// A VC 1.1 credential of the university (the VC-API issue endpoint
	// signs those as given): CLR 2.0 cannot embed it.
	v11 := `{"@context":["https://www.w3.org/2018/credentials/v1","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],` +
		`"id":"urn:uuid:0b4c3d2e-1f00-4a00-8000-000000000011","type":["VerifiableCredential","OpenBadgeCredential"],` +
		`"issuer":{"id":"did:web:x.example","type":["Profile"]},"issuanceDate":"2026-01-01T00:00:00Z",` +
		`"credentialSubject":{"type":["AchievementSubject"],"achievement":{"id":"urn:x","type":["Achievement"],"name":"x","criteria":{"narrative":"x"}}}}`
	if _, _, err := e.st.InsertCredential(ctx, store.Credential{ID: "urn:uuid:0b4c3d2e-1f00-4a00-8000-000000000011", OrgID: uni.ID,
		AchievementID: e.achs["data-engineering-and-governance"], AchievementVersion: 1, RecipientEmail: "ada@example.org",
		Format: store.FormatLDPRDFC, Document: v11, IssuedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	l, err := e.ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := l.ClrCredential(ctx, e.svc, uni, "ada@example.org", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := credential.ValidateClr(raw); err != nil {
		t.Fatalf("the record fails 1EdTech's CLR 2.0 JSON Schema: %v", err)
	}
	var doc struct {
		CredentialSubject struct {
			VerifiableCredential []struct {
				ID                string `json:"id"`
				CredentialSubject struct {
					Result []map[string]any `json:"result"`
				} `json:"credentialSubject"`
			} `json:"verifiableCredential"`
			Achievement []map[string]any `json:"achievement"`
			Association []map[string]any `json:"association"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.CredentialSubject
	results := 0
	got := map[string]bool{}
	for _, vc := range s.VerifiableCredential {
		got[vc.ID] = true
		results += len(vc.CredentialSubject.Result)
	}
	if len(got) != 2 || !got[graded.ID] || !got[ml.ID] || results != 1 {
		t.Errorf("embedded %v with %d results, want the graded statistics credential and machine learning, not the VC 1.1 one", got, results)
	}
	if len(s.Association) < 3 {
		t.Errorf("associations = %v", s.Association)
	}
	for _, a := range s.Achievement {
		if a["creditsAvailable"] == nil {
			t.Errorf("award %v without its credits", a["name"])
		}
	}
	// The same record proves itself.
	issuer, _ := e.svc.IssuerID(ctx, uni)
	didDoc, _ := e.svc.DIDDocument(ctx, uni)
	rep, err := verify.Credential(ctx, raw, verify.Options{Keys: &did.Resolver{Documents: map[string]*did.Document{issuer: didDoc}}})
	if err != nil || !rep.Verified {
		t.Fatalf("verify: %v\n%+v", err, rep)
	}
	// It names the CLR 2.0 schema, which the verifier applies.
	schemaChecked := false
	for _, c := range rep.Checks {
		schemaChecked = schemaChecked || (c.Name == "schema" && c.State == verify.Passed)
	}
	if !schemaChecked || len(rep.Embedded) != 2 || rep.EmbeddedVerdict != verify.CouldNotCheck {
		// Offline, without the status lists, the embedded credentials
		// cannot be checked for revocation: could not check, not invalid.
		t.Errorf("schema checked %v, %d embedded, embedded verdict %s\n%+v", schemaChecked, len(rep.Embedded), rep.EmbeddedVerdict, rep.Checks)
	}

	// From the wallet (every linked credential accepted), the record also
	// embeds Northwind's certificate, which the programme rests on, with
	// Northwind's own proof; not Bob's.
	raw, err = l.ClrCredential(ctx, e.svc, uni, "ada@example.org", func(string) bool { return true }, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := credential.ValidateClr(raw); err != nil {
		t.Fatalf("the wallet's record fails the schema: %v", err)
	}
	var wallet struct {
		CredentialSubject struct {
			VerifiableCredential []struct {
				ID     string         `json:"id"`
				Issuer map[string]any `json:"issuer"`
			} `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(raw, &wallet); err != nil {
		t.Fatal(err)
	}
	issuers := map[string]int{}
	for _, vc := range wallet.CredentialSubject.VerifiableCredential {
		issuers[fmt.Sprint(vc.Issuer["name"])]++
	}
	if len(wallet.CredentialSubject.VerifiableCredential) != 3 || issuers[e.orgs["northwind-academy"].Name] != 1 {
		t.Errorf("the wallet's record embeds %v", issuers)
	}
	nwIssuer, _ := e.svc.IssuerID(ctx, e.orgs["northwind-academy"])
	nwDoc, _ := e.svc.DIDDocument(ctx, e.orgs["northwind-academy"])
	rep, err = verify.Credential(ctx, raw, verify.Options{Keys: &did.Resolver{Documents: map[string]*did.Document{issuer: didDoc, nwIssuer: nwDoc}}})
	if err != nil || !rep.Verified || len(rep.Embedded) != 3 {
		t.Fatalf("verify the wallet's record: %v\n%+v", err, rep)
	}
	for _, emb := range rep.Embedded {
		for _, c := range emb.Report.Checks {
			if c.Name == "proof" && c.State != verify.Passed {
				t.Errorf("%s: proof %s", emb.Name, c.State)
			}
		}
	}

	// Bob holds only Northwind's certificate: the university has nothing
	// to put in a record for him, and says so rather than handing out a
	// record CLR 2.0 does not allow (ClrSubject needs a credential).
	if _, err := l.ClrCredential(ctx, e.svc, uni, "bob@example.org", nil, time.Now()); !errors.Is(err, progress.ErrClrEmpty) {
		t.Errorf("record of a learner with none of the organization's credentials: %v", err)
	}
	northwind := e.orgs["northwind-academy"]
	raw, err = l.ClrCredential(ctx, e.svc, northwind, "bob@example.org", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := credential.ValidateClr(raw); err != nil {
		t.Errorf("Northwind's record fails the schema: %v", err)
	}
}

// TestClrCredentialCredit checks that a signed record states the academic
// credit the organization's articulation awards: each credited course as
// a Course achievement with its code, credit and unit, related to the
// achievement of the credential it was articulated from, in two units and
// under a cap; that it still passes 1EdTech's CLR 2.0 JSON Schema and
// verifies; and that a learner without credit gets no course.
func TestClrCredentialCredit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	uni := e.orgs["demo-university"]
	// The degree caps micro-credentials at 14 credit hours: statistics (3,
	// issued first) and Northwind's certificate (12 recommended by ACE)
	// get 3 and 11.
	e.define(t, store.PathwayKindScheme, strings.Replace(degree, `"max": 18`, `"max": 14`, 1))
	e.define(t, store.PathwayKindScheme, `{"id": "msc-statistics", "name": "MSc Statistics", "unit": "ECTS",
	  "rules": [{"id": "stats", "course": "STAT 7001", "courseTitle": "Statistical Inference", "credits": 5,
	    "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}}]}`)
	e.issue(t, "demo-university", "statistics-for-data-science", "ada@example.org")
	time.Sleep(1100 * time.Millisecond) // issue dates a second apart: the cap fills in issue order
	e.issue(t, "northwind-academy", "data-analytics-professional-certificate", "ada@example.org")
	e.issue(t, "demo-university", "machine-learning-in-practice", "bob@example.org")
	l, err := e.ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	issuer, _ := e.svc.IssuerID(ctx, uni)
	didDoc, _ := e.svc.DIDDocument(ctx, uni)
	nwIssuer, _ := e.svc.IssuerID(ctx, e.orgs["northwind-academy"])
	nwDoc, _ := e.svc.DIDDocument(ctx, e.orgs["northwind-academy"])
	resolver := &did.Resolver{Documents: map[string]*did.Document{issuer: didDoc, nwIssuer: nwDoc}}
	stats := e.svc.AchievementURL(e.achs["statistics-for-data-science"])
	pc := e.svc.AchievementURL(e.achs["data-analytics-professional-certificate"])
	type course struct {
		code, unit, from string
		credits          float64
	}
	tests := []struct {
		name, email string
		include     func(string) bool
		want        []course
		embedded    int
	}{
		{"wallet: two units, one under a cap", "ada@example.org", func(string) bool { return true },
			[]course{{"STAT 210", "SCH", stats, 3}, {"DATA 150", "SCH", pc, 11}, {"STAT 7001", "ECTS", stats, 5}}, 2},
		{"API: the organization's own credentials", "ada@example.org", nil,
			// The credit is the university's to state, Northwind's
			// certificate is only not embedded.
			[]course{{"STAT 210", "SCH", stats, 3}, {"DATA 150", "SCH", pc, 11}, {"STAT 7001", "ECTS", stats, 5}}, 1},
		{"no credit", "bob@example.org", nil, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := l.ClrCredential(ctx, e.svc, uni, tt.email, tt.include, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := credential.ValidateClr(raw); err != nil {
				t.Fatalf("the record fails 1EdTech's CLR 2.0 JSON Schema: %v", err)
			}
			rep, err := verify.Credential(ctx, raw, verify.Options{Keys: resolver})
			if err != nil || !rep.Verified || len(rep.Embedded) != tt.embedded {
				t.Fatalf("verify: %v, %d embedded\n%+v", err, len(rep.Embedded), rep.Checks)
			}
			var doc struct {
				CredentialSubject struct {
					Achievement []map[string]any    `json:"achievement"`
					Association []map[string]string `json:"association"`
				} `json:"credentialSubject"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			var got []course
			for _, a := range doc.CredentialSubject.Achievement {
				if a["achievementType"] != "Course" {
					continue
				}
				c := course{code: fmt.Sprint(a["humanCode"]), unit: fmt.Sprint(a["tag"].([]any)[1]), credits: a["creditsAvailable"].(float64)}
				for _, as := range doc.CredentialSubject.Association {
					if as["targetId"] == a["id"] && as["associationType"] == "isRelatedTo" {
						c.from = as["sourceId"]
					}
				}
				got = append(got, c)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("courses = %v, want %v", got, tt.want)
			}
			// The verifier reads the same credit back in plain words.
			lines := verify.ClrCredits(rep.Credential)
			if len(lines) != len(tt.want) {
				t.Fatalf("verify.ClrCredits = %+v", lines)
			}
			for i, w := range tt.want {
				if lines[i].Code != w.code || lines[i].Credits != w.credits || len(lines[i].From) != 1 {
					t.Errorf("credit line %d = %+v, want %+v", i, lines[i], w)
				}
			}
		})
	}
}
