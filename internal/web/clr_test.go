package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// clrEnv is a learner at several stages of City University's pathways: a
// graded statistics credential, machine learning, Northwind's industry
// certificate (another organization on this server) and a credential of an
// issuer elsewhere imported into the wallet; two pathways and a credit
// scheme.
func clrEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, envOptions{catalogSize: 4})
	ps := &progress.Service{Store: e.store, IssuerID: e.svc.IssuerID, AchievementURL: e.svc.AchievementURL}
	second := `{"id": "ml-track", "name": "Machine learning track", "award": {"achievementId": "applied-data-science-programme"},
	  "root": {"kind": "allOf", "rules": [
	    {"kind": "credential", "match": {"issuer": "org:city-uni", "achievement": "statistics-for-data-science"}},
	    {"kind": "credential", "match": {"issuer": "org:city-uni", "achievement": "machine-learning-in-practice"}}]}}`
	for _, d := range []struct {
		kind store.PathwayKind
		doc  string
	}{{store.PathwayKindPathway, testPathway}, {store.PathwayKindPathway, second}, {store.PathwayKindScheme, testScheme}} {
		if _, err := ps.Define(ctx, e.org, d.kind, []byte(d.doc), e.users["owner"].ID); err != nil {
			t.Fatal(err)
		}
	}
	achID := func(orgID, slug string) string {
		t.Helper()
		a, err := e.store.AchievementBySlug(ctx, orgID, slug)
		if err != nil {
			t.Fatalf("achievement %s: %v", slug, err)
		}
		return a.ID
	}
	if _, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: achID(e.org.ID, "machine-learning-in-practice"),
		RecipientEmail: "learner@example.edu", RecipientName: "Learner Person", Actor: e.users["owner"].ID,
		Results: []issue.Result{{Value: "8", Status: "Completed"}}}); err != nil {
		t.Fatal(err)
	}
	nw := catalog.DemoCatalogAt(testBase)[1]
	other, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: nw.Slug, Name: nw.Name}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	ach := nw.Achievements[0]
	entry, err := e.svc.SaveAchievement(ctx, other.ID, &ach, "system")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Issue(ctx, issue.Request{OrgID: other.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "learner@example.edu", Actor: "system"}); err != nil {
		t.Fatal(err)
	}
	if rec := e.do(request{method: "POST", path: "/wallet/import", as: "learner", form: url.Values{"credential": {foreignCredential(t)}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("import: %d", rec.Code)
	}
	return e
}

// TestWalletCLR checks the record the wallet hands out against 1EdTech's
// CLR 2.0 JSON Schema and microcred's verifier, and the plain answer to a
// learner who has nothing to put in one.
func TestWalletCLR(t *testing.T) {
	e := clrEnv(t)
	rec := e.do(request{method: "GET", path: "/wallet/clr/city-uni", as: "learner"})
	if rec.Code != http.StatusOK {
		t.Fatalf("record: %d\n%s", rec.Code, rec.Body)
	}
	raw := rec.Body.Bytes()
	if err := credential.ValidateClr(raw); err != nil {
		t.Fatalf("the record fails 1EdTech's CLR 2.0 JSON Schema: %v", err)
	}
	var doc struct {
		CredentialSubject struct {
			VerifiableCredential []map[string]any `json:"verifiableCredential"`
			Achievement          []map[string]any `json:"achievement"`
			Association          []map[string]any `json:"association"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.CredentialSubject
	// City University's two credentials and Northwind's certificate, which
	// the data programme rests on; not the credential imported from
	// elsewhere, which no pathway here counts.
	// Beside the programme's award, the scheme credits STAT 101 for the
	// statistics credential: a Course achievement with its credit.
	var awards, courses []map[string]any
	for _, a := range s.Achievement {
		if a["achievementType"] == "Course" {
			courses = append(courses, a)
		} else {
			awards = append(awards, a)
		}
	}
	if len(s.VerifiableCredential) != 3 || len(awards) != 1 || len(s.Association) < 4 {
		t.Errorf("record holds %d credentials, %d awards, %d associations", len(s.VerifiableCredential), len(awards), len(s.Association))
	}
	if len(courses) != 1 || courses[0]["humanCode"] != "STAT 101" || courses[0]["creditsAvailable"] != 5.0 {
		t.Errorf("credited courses = %v, want STAT 101 with 5 ECTS", courses)
	}
	rep, err := e.svc.Verify(context.Background(), raw)
	if err != nil || !rep.Verified {
		t.Fatalf("microcred's verifier: %v\n%+v", err, rep)
	}
	// Northwind's record of the same learner holds its certificate.
	rec = e.do(request{method: "GET", path: "/wallet/clr/northwind-academy", as: "learner"})
	if rec.Code != http.StatusOK {
		t.Fatalf("Northwind's record: %d", rec.Code)
	}
	if err := credential.ValidateClr(rec.Body.Bytes()); err != nil {
		t.Errorf("Northwind's record fails the schema: %v", err)
	}
	// The learner keeps the record in the wallet; its page shows the
	// record with each credential's verdict.
	if rec := e.do(request{method: "POST", path: "/wallet/import", as: "learner", form: url.Values{"credential": {string(raw)}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("import the record: %d\n%s", rec.Code, rec.Body)
	}
	items, err := e.store.WalletItems(context.Background(), e.users["learner"].ID)
	if err != nil {
		t.Fatal(err)
	}
	itemID := ""
	for _, it := range items {
		if it.Name == "Comprehensive Learner Record from City University" && it.IssuerName == "City University" {
			itemID = it.ID
		}
	}
	if itemID == "" {
		t.Fatalf("the record is not in the wallet under its name: %+v", items)
	}
	page := e.do(request{method: "GET", path: "/wallet/items/" + itemID, as: "learner"}).Body.String()
	for _, want := range []string{"The learner record", "Achievements, each checked on its own", "Machine Learning in Practice"} {
		if !strings.Contains(page, want) {
			t.Errorf("the wallet's record page lacks %q", want)
		}
	}

	// Someone who holds nothing from City University is told so.
	rec = e.do(request{method: "GET", path: "/wallet/clr/city-uni", as: "viewer"})
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "You hold no credential from City University that can go into a learner record yet.") {
		t.Errorf("empty record: %d\n%s", rec.Code, rec.Body)
	}
}

// TestVerifyPageCLR pastes an exported record into the verify page: whose
// record, from whom, each credential with its own verdict, credits and
// pathways; then the same record after one of its credentials was
// revoked (the record is still genuine, the credential is not), and the
// record altered (not verified).
func TestVerifyPageCLR(t *testing.T) {
	e := clrEnv(t)
	ctx := context.Background()
	rec := e.do(request{method: "GET", path: "/wallet/clr/city-uni", as: "learner"})
	if rec.Code != http.StatusOK {
		t.Fatalf("record: %d", rec.Code)
	}
	record := rec.Body.String()
	page := func(t *testing.T, input string) string {
		t.Helper()
		rec := e.do(request{method: "POST", path: "/verify", form: url.Values{"credential": {input}}})
		if rec.Code != http.StatusOK {
			t.Fatalf("verify: %d\n%s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	expect := func(t *testing.T, body string, want, notWant []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("page lacks %q", w)
			}
		}
		for _, w := range notWant {
			if strings.Contains(body, w) {
				t.Errorf("page has %q", w)
			}
		}
	}
	stats := htmlEscape(e.seeded[0].Name)
	expect(t, page(t, record), []string{
		"✔ Verified", "This is a learner record (CLR 2.0).", "<dt>Whose record</dt><dd>Learner Person</dd>", "<dt>Issued by</dt><dd>City University</dd>",
		"<dt>Credentials in it</dt><dd>3: 3 verified</dd>", "from Northwind Academy", "<dt>Credits</dt>", "Achievements, each checked on its own",
		"<strong>" + stats + "</strong>, from City University", "<strong>Machine Learning in Practice</strong>", "✔ verified",
		"<h3>Pathways</h3>", "Applied Data Science Programme Certificate", "Built from: ",
		"<h3>Academic credit</h3>", stats + " → <strong>STAT 101 Statistics</strong>, 5 ECTS credits (ECTS)",
	}, []string{"✘ not verified", "did not verify"})

	// A record of City University's own credentials only (as the API
	// hands out) says that a part of the pathway is not in it.
	ps := &progress.Service{Store: e.store, IssuerID: e.svc.IssuerID, AchievementURL: e.svc.AchievementURL}
	l, err := ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	own, err := l.ClrCredential(ctx, e.svc, e.org, "learner@example.edu", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	expect(t, page(t, string(own)), []string{"✔ Verified", "<dt>Credentials in it</dt><dd>2: 2 verified</dd>", ", and 1 more not in this record"}, nil)

	// Machine learning is revoked after the record was handed out.
	list, err := e.store.ListCredentials(ctx, store.CredentialQuery{OrgID: e.org.ID, RecipientEmail: "learner@example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	revoked := ""
	for _, c := range list {
		if strings.Contains(c.Document, "Machine Learning in Practice") {
			revoked = c.ID
		}
	}
	if _, err := e.svc.StatusService().Revoke(ctx, revoked, "issued in error", e.users["owner"].ID); err != nil {
		t.Fatal(err)
	}
	expect(t, page(t, record), []string{
		"✔ Verified", "<strong>1 of them did not verify</strong>", "<dt>Credentials in it</dt><dd>3: 2 verified, 1 not verified</dd>",
		"✘ not verified</span>\n      <strong>Machine Learning in Practice</strong>", "revoked", "Machine Learning in Practice (not verified)",
	}, nil)

	// A record that holds a credential signed with a cryptosuite microcred
	// does not implement: that credential could not be checked, which is
	// not "not verified", and the record is still verified.
	var doc map[string]any
	if err := json.Unmarshal([]byte(record), &doc); err != nil {
		t.Fatal(err)
	}
	var foreign map[string]any
	if err := json.Unmarshal([]byte(foreignCredential(t)), &foreign); err != nil {
		t.Fatal(err)
	}
	foreign["proof"].(map[string]any)["cryptosuite"] = "bbs-2023"
	subject := doc["credentialSubject"].(map[string]any)
	subject["verifiableCredential"] = append(subject["verifiableCredential"].([]any), foreign)
	delete(doc, "proof")
	kp, _, err := e.svc.ActiveKey(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	resigned, err := proof.Sign(doc, kp, proof.Options{Suite: proof.SuiteRDFC})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(resigned)
	expect(t, page(t, string(b)), []string{
		"✔ Verified", "<dt>Credentials in it</dt><dd>4: 2 verified, 1 not verified, 1 could not be checked</dd>",
		"? could not be checked</span>\n      <strong>Applied Data Analysis with Python</strong>, from Industry Academy",
	}, nil)

	// The record altered after signing: the record is not verified.
	altered := strings.Replace(record, `"name":"Learner Person"`, `"name":"Someone Else"`, 1)
	if altered == record {
		t.Fatal("the record does not carry the learner's name")
	}
	expect(t, page(t, altered), []string{"✘ Not verified", "The learner record (unverified)", "Someone Else"}, []string{"✔ Verified"})
}
