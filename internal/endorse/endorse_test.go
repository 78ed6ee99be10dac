package endorse_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
	"github.com/microcred/microcred/internal/verify"
)

const testBase = "http://127.0.0.1:8080"

// offline is a did:web fetcher for tests: no document of another server
// can be obtained, as when that server is down.
type offline struct{}

func (offline) Fetch(context.Context, string) ([]byte, error) {
	return nil, errors.New("no network in tests")
}

type world struct {
	st                store.Store
	iss               *issue.Service
	svc               *endorse.Service
	accreditor, univ  store.Organization
	owner             store.User
	course, ownCourse store.CatalogEntry
}

func newWorld(t *testing.T) world { return newWorldOn(t, "sqlite") }

func newWorldOn(t *testing.T, backend string) world {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, backend)
	var err error
	var master keys.MasterKey
	_, _ = rand.Read(master[:])
	iss := &issue.Service{Store: st, Master: master, BaseURL: testBase, Fetcher: offline{}}
	owner, err := st.CreateUser(ctx, store.User{Email: "owner@example.org", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	w := world{st: st, iss: iss, svc: &endorse.Service{Store: st, Issuer: iss}, owner: owner}
	w.accreditor = mustOrg(t, iss, store.Organization{Slug: "quality-agency", Name: "Quality Agency", URL: "https://qa.example", Email: "qa@qa.example"}, owner.ID)
	w.univ = mustOrg(t, iss, store.Organization{Slug: "demo-university", Name: "Demo University", URL: "https://uni.example", Email: "reg@uni.example"}, owner.ID)
	orgs := catalog.DemoCatalogAt(testBase)
	a := orgs[0].Achievements[0]
	a.ID, a.Slug, a.Version = "", "", 0
	if w.course, err = iss.SaveAchievement(ctx, w.univ.ID, &a, owner.ID); err != nil {
		t.Fatal(err)
	}
	b := orgs[0].Achievements[1]
	b.ID, b.Slug, b.Version = "", "", 0
	if w.ownCourse, err = iss.SaveAchievement(ctx, w.accreditor.ID, &b, owner.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

func mustOrg(t *testing.T, iss *issue.Service, o store.Organization, owner string) store.Organization {
	t.Helper()
	org, err := iss.CreateOrganization(context.Background(), o, owner, owner)
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// verifyDoc runs verify.Credential with this server's keys and status
// lists, as an independent verifier with them at hand would.
func (w world) verifyDoc(t *testing.T, doc string) *verify.Report {
	t.Helper()
	rep, err := verify.Credential(context.Background(), []byte(doc), verify.Options{
		Keys:   w.iss.Resolver(),
		Status: &status.Checker{Source: status.LocalFirst{Local: w.iss.StatusService()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func fieldOf(err error) string {
	var fe issue.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe[0].Field
	}
	return ""
}

func TestRequestValidate(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		r     endorse.Request
		field string // "" means valid
	}{
		{"achievement", endorse.Request{AchievementID: "a1", Comment: "Good."}, ""},
		{"organization", endorse.Request{OrgSlug: "uni", Comment: "Good."}, ""},
		{"external achievement", endorse.Request{SubjectID: "https://other.example/achievements/1", SubjectKind: "achievement", Comment: "Good."}, ""},
		{"external profile DID", endorse.Request{SubjectID: "did:web:other.example", SubjectKind: "profile", Comment: "Good."}, ""},
		{"nothing chosen", endorse.Request{Comment: "Good."}, endorse.FieldAchievement},
		{"two chosen", endorse.Request{AchievementID: "a1", OrgSlug: "uni", Comment: "Good."}, endorse.FieldAchievement},
		{"id not a URL", endorse.Request{SubjectID: "just words", SubjectKind: "profile", Comment: "Good."}, endorse.FieldSubjectID},
		{"id without kind", endorse.Request{SubjectID: "https://other.example/a", Comment: "Good."}, endorse.FieldSubjectKind},
		{"no comment", endorse.Request{AchievementID: "a1", Comment: "  "}, endorse.FieldComment},
		{"comment too long", endorse.Request{AchievementID: "a1", Comment: strings.Repeat("x", endorse.MaxCommentLen+1)}, endorse.FieldComment},
		{"ends in the past", endorse.Request{AchievementID: "a1", Comment: "Good.", ValidUntil: now.Add(-time.Hour)}, endorse.FieldValidUntil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate(now)
			if got := fieldOf(err); got != tc.field || (tc.field == "" && err != nil) {
				t.Fatalf("Validate = %v (field %q), want field %q", err, got, tc.field)
			}
		})
	}
}

// TestIssueVerifyWithdraw is the life of an endorsement: issued, verified
// by the verification pipeline, logged, shown on what it endorses,
// withdrawn (then not verified, and labelled so), and a tampered copy
// never verifies.
func TestIssueVerifyWithdraw(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testIssueVerifyWithdraw(t, newWorldOn(t, b)) })
	}
}

func testIssueVerifyWithdraw(t *testing.T, w world) {
	ctx := context.Background()
	e, err := w.svc.Issue(ctx, endorse.Request{OrgID: w.accreditor.ID, Actor: w.owner.ID, AchievementID: w.course.Achievement.ID,
		Comment: "Meets our quality framework for short courses.", ValidUntil: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if e.SubjectOrgID != w.univ.ID || e.SubjectAchievementID != w.course.Achievement.ID || e.EndorserName != "Quality Agency" {
		t.Fatalf("stored = %+v", e)
	}
	if err := credential.ValidateEndorsementJSON([]byte(e.Document)); err != nil {
		t.Fatalf("OB 3.0 rules: %v", err)
	}
	if err := credential.ValidateSchema(credential.SchemaEndorsementCredential, []byte(e.Document)); err != nil {
		t.Fatalf("1EdTech schema: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(e.Document), &doc); err != nil {
		t.Fatal(err)
	}
	subj := doc["credentialSubject"].(map[string]any)
	var ob3 map[string]any
	if err := json.Unmarshal(w.course.Version.Document, &ob3); err != nil {
		t.Fatal(err)
	}
	if subj["id"] != ob3["id"] || subj["endorsementComment"] != "Meets our quality framework for short courses." {
		t.Fatalf("credentialSubject = %v, achievement id %v", subj, ob3["id"])
	}
	if iss := doc["issuer"].(map[string]any); iss["id"] != "did:web:127.0.0.1%3A8080:orgs:quality-agency" || iss["name"] != "Quality Agency" {
		t.Fatalf("issuer = %v", iss)
	}
	proofs := doc["proof"].([]any)
	if p := proofs[0].(map[string]any); p["cryptosuite"] != proof.SuiteRDFC {
		t.Fatalf("proof = %v", p)
	}
	if cs, ok := doc["credentialStatus"].(map[string]any); !ok || cs["statusPurpose"] != "revocation" {
		t.Fatalf("credentialStatus = %v", doc["credentialStatus"])
	}

	rep := w.verifyDoc(t, e.Document)
	if rep.Verdict != verify.Verified {
		t.Fatalf("verdict %s: %+v", rep.Verdict, rep.Problems())
	}
	if lines := verify.Describe(rep.Credential); len(lines) == 0 || !strings.Contains(lines[0], "Quality Agency") || !strings.Contains(lines[0], "endorses") {
		t.Fatalf("Describe = %q", lines)
	}

	// Logged, and the database auditor matches the entry with the row.
	leaves, err := w.st.LeavesByCredential(ctx, tlog.HashCredentialID(e.ID))
	if err != nil || len(leaves) != 1 || leaves[0].Kind != string(tlog.KindIssue) {
		t.Fatalf("log leaves = %+v, %v", leaves, err)
	}
	rc, err := tlog.NewRowChecker(ctx, w.st)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := tlog.ParseLeaf(leaves[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Check(ctx, leaves[0].Index, leaves[0].Data, ev); err != nil {
		t.Fatalf("row check: %v", err)
	}

	// Shown on the achievement's pages.
	views, err := w.svc.About(ctx, w.univ.ID, w.course.Achievement.ID)
	if err != nil || len(views) != 1 || views[0].Label != endorse.LabelVerified || views[0].UUID == "" {
		t.Fatalf("About = %+v, %v", views, err)
	}

	// Tampered: another comment under the same signature.
	tampered := strings.Replace(e.Document, "Meets our quality", "Fails our quality", 1)
	rep = w.verifyDoc(t, tampered)
	if rep.Verdict != verify.NotVerified {
		t.Fatalf("tampered verdict %s", rep.Verdict)
	}
	if label, _ := endorse.Judge(rep); label != endorse.LabelNotVerified {
		t.Fatalf("tampered label %q", label)
	}

	// Withdrawn: only by its endorser, once.
	if err := w.svc.Withdraw(ctx, w.univ.ID, e.ID, "", w.owner.ID); !errors.Is(err, endorse.ErrNotFound) {
		t.Fatalf("withdraw by the endorsed = %v", err)
	}
	if err := w.svc.Withdraw(ctx, w.accreditor.ID, e.ID, "Course no longer assessed", w.owner.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Withdraw(ctx, w.accreditor.ID, e.ID, "again", w.owner.ID); !errors.Is(err, endorse.ErrAlreadyWithdrawn) {
		t.Fatalf("second withdrawal = %v", err)
	}
	rep = w.verifyDoc(t, e.Document)
	if rep.Verdict != verify.NotVerified {
		t.Fatalf("withdrawn verdict %s", rep.Verdict)
	}
	if label, _ := endorse.Judge(rep); label != endorse.LabelWithdrawn {
		t.Fatalf("withdrawn label %q", label)
	}
	if views, _ := w.svc.About(ctx, w.univ.ID, w.course.Achievement.ID); len(views) != 1 || views[0].Label != endorse.LabelWithdrawn {
		t.Fatalf("About after withdrawal = %+v", views)
	}
	leaves, _ = w.st.LeavesByCredential(ctx, tlog.HashCredentialID(e.ID))
	if len(leaves) != 2 || leaves[1].Kind != string(tlog.KindRevoke) {
		t.Fatalf("log after withdrawal = %+v", leaves)
	}
	// The database auditor matches both entries with the row, and finds
	// nothing stored that the log does not cover.
	if rc, err = tlog.NewRowChecker(ctx, w.st); err != nil {
		t.Fatal(err)
	}
	for _, l := range leaves {
		ev, err := tlog.ParseLeaf(l.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Check(ctx, l.Index, l.Data, ev); err != nil {
			t.Errorf("row check of the %s entry: %v", l.Kind, err)
		}
	}
	if un := rc.Unlogged(); len(un) != 0 {
		t.Errorf("unlogged = %v", un)
	}
	events, err := w.st.ListAudit(ctx, store.AuditQuery{OrgID: w.accreditor.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range events {
		actions = append(actions, a.Action)
	}
	if s := strings.Join(actions, ","); !strings.Contains(s, "endorsement.issue") || !strings.Contains(s, "endorsement.withdraw") {
		t.Fatalf("audit actions = %s", s)
	}
}

func TestIssueTargets(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		r       endorse.Request
		field   string
		subject string
		kind    string
	}{
		{"another organization's profile", endorse.Request{OrgSlug: "demo-university"}, "", "did:web:127.0.0.1%3A8080:orgs:demo-university", store.EndorsedProfile},
		{"an external achievement", endorse.Request{SubjectID: "https://mooc.example/achievements/ml", SubjectKind: "achievement"}, "", "https://mooc.example/achievements/ml", store.EndorsedAchievement},
		{"own achievement", endorse.Request{AchievementID: w.ownCourse.Achievement.ID}, endorse.FieldAchievement, "", ""},
		{"own profile", endorse.Request{OrgSlug: "quality-agency"}, endorse.FieldOrganization, "", ""},
		{"own DID as an id", endorse.Request{SubjectID: "did:web:127.0.0.1%3A8080:orgs:quality-agency", SubjectKind: "profile"}, endorse.FieldSubjectID, "", ""},
		{"unknown achievement", endorse.Request{AchievementID: "nope"}, endorse.FieldAchievement, "", ""},
		{"unknown organization", endorse.Request{OrgSlug: "nobody"}, endorse.FieldOrganization, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.OrgID, tc.r.Comment = w.accreditor.ID, "We vouch for it."
			e, err := w.svc.Issue(ctx, tc.r)
			if tc.field != "" {
				if fieldOf(err) != tc.field {
					t.Fatalf("err = %v, want a problem with %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.SubjectID != tc.subject || e.SubjectKind != tc.kind {
				t.Fatalf("subject = %s (%s)", e.SubjectID, e.SubjectKind)
			}
			if rep := w.verifyDoc(t, e.Document); rep.Verdict != verify.Verified {
				t.Fatalf("verdict %s: %+v", rep.Verdict, rep.Problems())
			}
		})
	}
}

// external signs an endorsement as another server's issuer would: with a
// did:key (verifiable offline) or a did:web key whose document cannot be
// fetched.
func external(t *testing.T, issuerDID string, subject, comment string) string {
	t.Helper()
	kp, err := keys.Generate(issuerDID)
	if err != nil {
		t.Fatal(err)
	}
	if issuerDID == "" {
		issuerDID = kp.Controller
	}
	doc, err := credential.NewEndorsementCredential("urn:uuid:"+store.NewID(), credential.Profile{ID: issuerDID, Name: "Industry Board"},
		subject, comment, "Industry Board endorsement", time.Now().Add(-time.Hour)).Map()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := proof.Sign(doc, kp, proof.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAttach(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var ob3 map[string]any
	if err := json.Unmarshal(w.course.Version.Document, &ob3); err != nil {
		t.Fatal(err)
	}
	courseID := ob3["id"].(string)
	good := external(t, "", courseID, "Hired three graduates; strong skills.")
	// The same kind of endorsement secured as a VC-JWT.
	jwtKey, err := keys.Generate("")
	if err != nil {
		t.Fatal(err)
	}
	jwtDoc, err := credential.NewEndorsementCredential("urn:uuid:"+store.NewID(), credential.Profile{ID: jwtKey.Controller, Name: "Industry Board"},
		courseID, "Signed as a JWT.", "Industry Board endorsement", time.Now().Add(-time.Hour)).Map()
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := proof.SignJWT(jwtDoc, jwtKey, "")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := external(t, "did:web:board.example", courseID, "Recognised by the board.")
	for _, tc := range []struct {
		name   string
		r      endorse.AttachRequest
		field  string
		label  string
		reason string
	}{
		{"verified", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(good)}, "", endorse.LabelVerified, ""},
		{"a VC-JWT", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(jwt)}, "", endorse.LabelVerified, ""},
		{"attached twice", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(good)}, endorse.FieldDocument, "", "already kept on this server"},
		{"tampered", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(strings.Replace(external(t, "", courseID, "Fine."), "Fine.", "Superb.", 1))}, endorse.FieldDocument, "", "did not verify"},
		{"another subject", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(external(t, "", "https://elsewhere.example/a", "x"))}, endorse.FieldDocument, "", "endorses"},
		{"the profile's subject is not the achievement", endorse.AttachRequest{Document: []byte(external(t, "", courseID, "x"))}, endorse.FieldDocument, "", "endorses"},
		{"could not check, not accepted", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(unreachable)}, endorse.FieldAccept, "", "could not be fully checked"},
		{"could not check, accepted", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(unreachable), AcceptUnchecked: true}, "", endorse.LabelCouldNotCheck, ""},
		{"not an endorsement", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(`{"type":["VerifiableCredential"]}`)}, endorse.FieldDocument, "", "not an EndorsementCredential"},
		{"not JSON", endorse.AttachRequest{AchievementID: w.course.Achievement.ID, Document: []byte(`{nope`)}, endorse.FieldDocument, "", "not valid JSON"},
		{"empty", endorse.AttachRequest{AchievementID: w.course.Achievement.ID}, endorse.FieldDocument, "", "required"},
		{"another organization's achievement", endorse.AttachRequest{AchievementID: w.ownCourse.Achievement.ID, Document: []byte(good)}, endorse.FieldAchievement, "", "not an achievement of your organization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.OrgID, tc.r.Actor = w.univ.ID, w.owner.ID
			e, _, err := w.svc.Attach(ctx, tc.r)
			if tc.field != "" {
				if fieldOf(err) != tc.field || !strings.Contains(err.Error(), tc.reason) {
					t.Fatalf("err = %v, want %s: …%s…", err, tc.field, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Direction != store.EndorsementReceived || e.EndorserName != "Industry Board" {
				t.Fatalf("stored = %+v", e)
			}
			if v := w.svc.Check(ctx, e); v.Label != tc.label {
				t.Fatalf("label %q (%s), want %q", v.Label, v.Reason, tc.label)
			}
		})
	}
	views, err := w.svc.Received(ctx, w.univ.ID, endorse.Page{})
	if err != nil || len(views) != 3 {
		t.Fatalf("received = %d, %v", len(views), err)
	}
	if err := w.svc.Detach(ctx, w.accreditor.ID, views[0].ID, w.owner.ID); !errors.Is(err, endorse.ErrNotFound) {
		t.Fatalf("detach by another organization = %v", err)
	}
	if err := w.svc.Detach(ctx, w.univ.ID, views[0].ID, w.owner.ID); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":["VerifiableCredential","EndorsementCredential"],"credentialSubject":{"id":"x"}}`,
		`{"vc":{"type":"EndorsementCredential"}}`,
		`eyJhbGciOiJFZERTQSJ9.eyJ0eXBlIjpbIkVuZG9yc2VtZW50Q3JlZGVudGlhbCJdfQ.c2ln`,
		`{"type":"VerifiableCredential"}`, `a.b`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := endorse.Decode(data)
		if err != nil {
			if doc != nil {
				t.Fatal("a document with an error")
			}
			return
		}
		if doc == nil {
			t.Fatal("no document and no error")
		}
		_ = endorse.Read(doc)
	})
}
