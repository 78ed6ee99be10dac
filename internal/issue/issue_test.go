package issue_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

func mustVerify(t *testing.T, svc *issue.Service, doc string) *verify.Report {
	t.Helper()
	rep, err := svc.Verify(context.Background(), []byte(doc))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.Verified {
		t.Fatalf("credential does not verify: %+v", rep.Checks)
	}
	for _, c := range rep.Checks {
		if !c.OK {
			t.Errorf("check %s failed: %s", c.Name, c.Detail)
		}
	}
	if !slices.ContainsFunc(rep.Checks, func(c verify.Check) bool { return c.Name == "issuer" && c.OK }) {
		t.Errorf("no passing issuer check in %+v", rep.Checks)
	}
	return rep
}

func TestIssueFormats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		for _, method := range []store.DIDMethod{store.DIDWeb, store.DIDKey} {
			f := newFixture(t, s, method)
			issuerID, err := f.svc.IssuerID(ctx, f.org)
			if err != nil {
				t.Fatal(err)
			}
			if method == store.DIDWeb && issuerID != "did:web:127.0.0.1%3A8080:orgs:demo-university" {
				t.Errorf("issuer id = %q", issuerID)
			}
			if method == store.DIDKey && !strings.HasPrefix(issuerID, "did:key:z6Mk") {
				t.Errorf("issuer id = %q", issuerID)
			}
			for _, format := range []store.Format{store.FormatLDPRDFC, store.FormatLDPJCS, store.FormatJWT} {
				t.Run(string(method)+"/"+string(format), func(t *testing.T) {
					c, existed, err := f.svc.Issue(ctx, issue.Request{
						OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID,
						RecipientEmail: "Ada@Example.org", RecipientName: "Ada Lovelace",
						Narrative: "Built a dashboard.", EvidenceURL: "https://example.org/portfolio/ada",
						ValidUntil: time.Now().Add(365 * 24 * time.Hour), Format: format, Actor: f.owner.ID,
					})
					if err != nil {
						t.Fatal(err)
					}
					if existed || c.Format != format || c.AchievementVersion != 1 || !strings.HasPrefix(c.ID, "urn:uuid:") {
						t.Errorf("stored %+v existed=%v", c, existed)
					}
					stored, err := s.Credential(ctx, c.ID)
					if err != nil {
						t.Fatal(err)
					}
					rep := mustVerify(t, f.svc, stored.Document)
					doc := rep.Credential
					if iss, _ := doc["issuer"].(map[string]any); iss["id"] != issuerID || iss["name"] != f.org.Name {
						t.Errorf("issuer = %v", doc["issuer"])
					}
					subj := doc["credentialSubject"].(map[string]any)
					ach := subj["achievement"].(map[string]any)
					if ach["id"] != testBase+"/achievements/"+f.ach.Achievement.ID || ach["version"] != "1" {
						t.Errorf("achievement id %v version %v", ach["id"], ach["version"])
					}
					if subj["name"] != "Ada Lovelace" {
						t.Errorf("subject name %v", subj["name"])
					}
					ids := subj["identifier"].([]any)
					email := ids[0].(map[string]any)
					if email["identityType"] != "emailAddress" || email["hashed"] != true ||
						!strings.HasPrefix(email["identityHash"].(string), "sha256$") {
						t.Errorf("email identifier %v", email)
					}
					if strings.Contains(stored.Document, "Ada@Example.org") || strings.Contains(stored.Document, "ada@example.org") {
						t.Error("document contains the email address in the clear")
					}
					if f.svc.PublicURL(c) != testBase+"/c/"+f.svc.CredentialUUID(c.ID) {
						t.Errorf("public URL %q", f.svc.PublicURL(c))
					}
				})
			}
		}
	})
}

func TestRequestValidate(t *testing.T) {
	ok := issue.Request{OrgID: "o", AchievementID: "a", RecipientEmail: "ada@example.org"}
	tests := []struct {
		name  string
		edit  func(r *issue.Request)
		field string // "" means valid
	}{
		{"minimal", func(r *issue.Request) {}, ""},
		{"full", func(r *issue.Request) {
			r.RecipientName, r.RecipientDID = "Ada", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
			r.ValidUntil, r.EvidenceURL, r.Format = time.Now().Add(time.Hour), "https://example.org/e", store.FormatJWT
		}, ""},
		{"no email", func(r *issue.Request) { r.RecipientEmail = "" }, "recipient_email"},
		{"bad email", func(r *issue.Request) { r.RecipientEmail = "not an address" }, "recipient_email"},
		{"display name", func(r *issue.Request) { r.RecipientEmail = "Ada <ada@example.org>" }, "recipient_email"},
		{"no achievement", func(r *issue.Request) { r.AchievementID = " " }, "achievement_id"},
		{"no org", func(r *issue.Request) { r.OrgID = "" }, "org_id"},
		{"long name", func(r *issue.Request) { r.RecipientName = strings.Repeat("x", 257) }, "recipient_name"},
		{"control in name", func(r *issue.Request) { r.RecipientName = "Ada\x00" }, "recipient_name"},
		{"bad did", func(r *issue.Request) { r.RecipientDID = "https://example.org" }, "recipient_did"},
		{"until before from", func(r *issue.Request) {
			r.ValidFrom, r.ValidUntil = time.Now(), time.Now().Add(-time.Hour)
		}, "valid_until"},
		{"until in past", func(r *issue.Request) { r.ValidUntil = time.Now().Add(-time.Hour) }, "valid_until"},
		{"evidence not http", func(r *issue.Request) { r.EvidenceURL = "javascript:alert(1)" }, "evidence_url"},
		{"format", func(r *issue.Request) { r.Format = "pdf" }, "format"},
		{"long narrative", func(r *issue.Request) { r.Narrative = strings.Repeat("n", 10001) }, "narrative"},
		{"long key", func(r *issue.Request) { r.IdempotencyKey = strings.Repeat("k", 257) }, "idempotency_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			err := r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var fe issue.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not FieldErrors", err)
			}
			if len(fe) != 1 || fe[0].Field != tt.field || fe[0].Problem == "" {
				t.Errorf("got %v, want one problem with %s", fe, tt.field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("message %q", err.Error())
			}
		})
	}
}

func TestIssueIdempotencyMailAuditLearner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		learner, err := s.CreateUser(ctx, store.User{Email: "grace@example.org", Name: "Grace", IsLearner: true})
		if err != nil {
			t.Fatal(err)
		}
		req := issue.Request{
			OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "Grace@Example.org",
			RecipientName: "Grace Hopper", IdempotencyKey: "row-17", Actor: "client-1", Notify: true,
		}
		first, existed, err := f.svc.Issue(ctx, req)
		if err != nil || existed {
			t.Fatalf("first issue: existed=%v err=%v", existed, err)
		}
		second, existed, err := f.svc.Issue(ctx, req)
		if err != nil || !existed || second.ID != first.ID || second.Document != first.Document {
			t.Fatalf("second issue: existed=%v err=%v id %s vs %s", existed, err, second.ID, first.ID)
		}
		list, err := s.ListCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("credentials %d, %v; want 1", len(list), err)
		}
		if list[0].LearnerID != learner.ID {
			t.Errorf("learner id %q, want %q", list[0].LearnerID, learner.ID)
		}
		mails, err := s.ClaimMail(ctx, 10, time.Minute)
		if err != nil || len(mails) != 1 {
			t.Fatalf("mails %d, %v; want 1", len(mails), err)
		}
		m := mails[0]
		if m.To != "Grace@Example.org" || !strings.HasPrefix(m.Subject, "You have earned: ") ||
			!strings.Contains(m.Body, f.svc.PublicURL(first)) || !strings.Contains(m.Body, "Demo University") {
			t.Errorf("mail %+v", m)
		}
		events, err := s.ListAudit(ctx, store.AuditQuery{OrgID: f.org.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
			if e.Action == "credential.issue" && (e.Actor != "client-1" || e.Target != first.ID) {
				t.Errorf("audit %+v", e)
			}
		}
		want := []string{"org.create", "achievement.create", "credential.issue"}
		if !slices.Equal(actions, want) {
			t.Errorf("audit actions %v, want %v", actions, want)
		}

		// Not a learner account: no link. Unknown achievement: field error.
		staff, err := s.CreateUser(ctx, store.User{Email: "staff@example.org", Name: "Staff"})
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: staff.Email})
		if err != nil || c.LearnerID != "" {
			t.Errorf("staff recipient: learner %q err %v", c.LearnerID, err)
		}
		_, _, err = f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: "nope", RecipientEmail: "a@example.org"})
		var fe issue.FieldErrors
		if !errors.As(err, &fe) || fe[0].Field != "achievement_id" {
			t.Errorf("unknown achievement: %v", err)
		}
	})
}

func TestAchievementVersioning(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		req := issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "ada@example.org"}
		first, _, err := f.svc.Issue(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		a, entry, err := f.svc.Achievement(ctx, f.ach.Achievement.ID, 0)
		if err != nil || a.Version != 1 || entry.Version.Version != 1 {
			t.Fatalf("achievement v%d entry v%d: %v", a.Version, entry.Version.Version, err)
		}
		a.Name = "Data Analytics Fundamentals (2026 edition)"
		a.Format = "ldp-jcs"
		e2, err := f.svc.SaveAchievement(ctx, f.org.ID, a, f.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e2.Achievement.ID != f.ach.Achievement.ID || e2.Version.Version != 2 || e2.Achievement.CurrentVersion != 2 {
			t.Fatalf("second version: %+v", e2)
		}
		second, _, err := f.svc.Issue(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if second.AchievementVersion != 2 || second.Format != store.FormatLDPJCS {
			t.Errorf("second credential version %d format %s", second.AchievementVersion, second.Format)
		}
		rep := mustVerify(t, f.svc, second.Document)
		ach := rep.Credential["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
		if ach["version"] != "2" || ach["name"] != a.Name {
			t.Errorf("embedded achievement %v %v", ach["version"], ach["name"])
		}
		mustVerify(t, f.svc, first.Document)

		// A version saved past this service (as by another node) is used
		// once the cached current version expires, within a second.
		row, err := s.AchievementVersion(ctx, f.ach.Achievement.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if v3, err := s.AddAchievementVersion(ctx, f.ach.Achievement.ID, row); err != nil || v3.Version != 3 {
			t.Fatalf("third version %d: %v", v3.Version, err)
		}
		if c, _, err := f.svc.Issue(ctx, req); err != nil || c.AchievementVersion != 2 {
			t.Errorf("within the cache TTL: version %d, %v", c.AchievementVersion, err)
		}
		time.Sleep(issue.CurrentTTL + 50*time.Millisecond)
		if c, _, err := f.svc.Issue(ctx, req); err != nil || c.AchievementVersion != 3 {
			t.Errorf("after the cache TTL: version %d, %v, want version 3", c.AchievementVersion, err)
		}

		old, _, err := f.svc.Achievement(ctx, f.ach.Achievement.ID, 1)
		if err != nil || old.Version != 1 || old.Name == a.Name {
			t.Errorf("version 1: %+v %v", old, err)
		}

		// Invalid entries come back as field errors with catalog paths.
		bad := demoAchievement(t)
		bad.Name, bad.Format = "", "pdf"
		_, err = f.svc.SaveAchievement(ctx, f.org.ID, bad, f.owner.ID)
		var fe issue.FieldErrors
		if !errors.As(err, &fe) {
			t.Fatalf("invalid achievement: %v", err)
		}
		fields := map[string]bool{}
		for _, e := range fe {
			fields[e.Field] = true
		}
		if !fields["name"] || !fields["format"] {
			t.Errorf("field errors %v", fe)
		}
		// An id of another organization's namespace is refused.
		other := demoAchievement(t)
		other.ID = testBase + "/achievements/" + store.NewID()
		if _, err := f.svc.SaveAchievement(ctx, f.org.ID, other, f.owner.ID); !errors.As(err, &fe) || fe[0].Field != "id" {
			t.Errorf("unknown id: %v", err)
		}
		events, err := s.ListAudit(ctx, store.AuditQuery{OrgID: f.org.ID, Action: "achievement.update"})
		if err != nil || len(events) != 1 {
			t.Errorf("achievement.update events %d %v", len(events), err)
		}
	})
}

func TestCreateOrganization(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		members, err := s.ListOrgMembers(ctx, f.org.ID)
		if err != nil || len(members) != 1 || members[0].Role != store.RoleOwner || members[0].UserID != f.owner.ID {
			t.Errorf("members %+v %v", members, err)
		}
		tests := []struct {
			name  string
			org   store.Organization
			field string
		}{
			{"duplicate slug", store.Organization{Slug: "demo-university", Name: "Again"}, "slug"},
			{"bad slug", store.Organization{Slug: "Demo Uni", Name: "X"}, "slug"},
			{"no name", store.Organization{Slug: "x", Name: "  "}, "name"},
			{"bad url", store.Organization{Slug: "x", Name: "X", URL: "ftp://x"}, "url"},
			{"bad email", store.Organization{Slug: "x", Name: "X", Email: "nope"}, "email"},
			{"bad method", store.Organization{Slug: "x", Name: "X", DIDMethod: "ion"}, "did_method"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.CreateOrganization(ctx, tt.org, f.owner.ID, f.owner.ID)
				var fe issue.FieldErrors
				if !errors.As(err, &fe) || fe[0].Field != tt.field {
					t.Errorf("got %v, want a %s field error", err, tt.field)
				}
			})
		}
		orgs, err := s.ListOrganizations(ctx)
		if err != nil || len(orgs) != 1 {
			t.Errorf("organizations %d %v; a failed create must leave nothing", len(orgs), err)
		}
		p, err := f.svc.Profile(ctx, f.org)
		if err != nil || p["id"] != "did:web:127.0.0.1%3A8080:orgs:demo-university" || p["url"] != "https://uni.example" ||
			p["email"] != "registrar@uni.example" || p["name"] != "Demo University" {
			t.Errorf("profile %v %v", p, err)
		}
	})
}

func TestRotateKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		req := issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "ada@example.org"}
		before, _, err := f.svc.Issue(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		_, oldKey, err := f.svc.ActiveKey(ctx, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		newKey, err := f.svc.RotateKey(ctx, f.org.ID, f.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if newKey.ID == oldKey.ID {
			t.Fatal("rotation kept the key")
		}
		kp, active, err := f.svc.ActiveKey(ctx, f.org.ID)
		if err != nil || active.ID != newKey.ID || kp.ID != newKey.VerificationMethod {
			t.Fatalf("active key %s (%v), want %s", active.ID, err, newKey.ID)
		}
		after, _, err := f.svc.Issue(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		mustVerify(t, f.svc, before.Document)
		rep := mustVerify(t, f.svc, after.Document)
		// An Open Badges credential's proof is a one-element array, as
		// 1EdTech's JSON Schema has it.
		if p := rep.Credential["proof"].([]any)[0].(map[string]any); p["verificationMethod"] != newKey.VerificationMethod {
			t.Errorf("signed with %v, want %s", p["verificationMethod"], newKey.VerificationMethod)
		}
		doc, err := f.svc.DIDDocument(ctx, f.org)
		if err != nil {
			t.Fatal(err)
		}
		for _, vm := range []string{oldKey.VerificationMethod, newKey.VerificationMethod} {
			if _, ok := doc.Method(vm); !ok || !doc.Authorizes("assertionMethod", vm) {
				t.Errorf("DID document lacks %s", vm)
			}
		}
		raw, err := json.Marshal(doc)
		if err != nil || !strings.Contains(string(raw), `"id":"did:web:127.0.0.1%3A8080:orgs:demo-university"`) {
			t.Errorf("document %s %v", raw, err)
		}
		events, err := s.ListAudit(ctx, store.AuditQuery{OrgID: f.org.ID, Action: "key.rotate"})
		if err != nil || len(events) != 1 {
			t.Errorf("key.rotate events %d %v", len(events), err)
		}
		// A fresh service (another node, empty caches) verifies both.
		other := &issue.Service{Store: s, Master: f.svc.Master, BaseURL: testBase}
		mustVerify(t, other, before.Document)
		mustVerify(t, other, after.Document)
	})
}

func TestDIDKeyOrganization(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDKey)
		id, err := f.svc.IssuerID(ctx, f.org)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := f.svc.DIDDocument(ctx, f.org)
		if err != nil || doc.ID != id {
			t.Fatalf("did:key document %v %v", doc, err)
		}
		c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "a@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		// did:key credentials verify with no store at all, given their
		// status list.
		list, err := f.svc.StatusService().List(ctx, f.org.Slug, store.PurposeRevocation, 0)
		if err != nil {
			t.Fatal(err)
		}
		lists := status.Files{
			status.ListURL(testBase, f.org.Slug, store.PurposeRevocation, 0): list.Document,
		}
		rep, err := verify.Credential(ctx, []byte(c.Document), verify.Options{Keys: &did.Resolver{}, Status: &status.Checker{Source: lists}})
		if err != nil || !rep.Verified {
			t.Fatalf("offline verification: %+v %v", rep, err)
		}
		mustVerify(t, f.svc, c.Document)
		// A did:key organization cannot rotate: its key is its identity.
		var fe issue.FieldErrors
		if _, err := f.svc.RotateKey(ctx, f.org.ID, f.owner.ID); !errors.As(err, &fe) || fe[0].Field != "did_method" {
			t.Fatalf("RotateKey on a did:key organization: %v, want a did_method field error", err)
		}
		id2, err := f.svc.IssuerID(ctx, f.org)
		if err != nil || id2 != id {
			t.Errorf("did:key after refused rotation %q (%v), was %q", id2, err, id)
		}
		mustVerify(t, f.svc, c.Document)
	})
}

func TestSetPrivate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		learner, err := s.CreateUser(ctx, store.User{Email: "lin@example.org", Name: "Lin", IsLearner: true})
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: learner.Email})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			user    string
			private bool
			wantErr error
		}{
			{"owner of org is not the learner", f.owner.ID, true, issue.ErrForbidden},
			{"anonymous", "", true, issue.ErrForbidden},
			{"learner hides", learner.ID, true, nil},
			{"learner shows", learner.ID, false, nil},
			{"learner hides again", learner.ID, true, nil},
		}
		for _, tt := range tests {
			err := f.svc.SetPrivate(ctx, c.ID, tt.user, tt.private)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("%s: err %v, want %v", tt.name, err, tt.wantErr)
			}
		}
		got, err := s.Credential(ctx, c.ID)
		if err != nil || !got.Private {
			t.Errorf("private = %v (%v), want true", got.Private, err)
		}
		if err := f.svc.SetPrivate(ctx, "urn:uuid:"+store.NewID(), learner.ID, true); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown credential: %v", err)
		}
		events, err := s.ListAudit(ctx, store.AuditQuery{Actor: learner.ID})
		if err != nil || len(events) != 3 {
			t.Errorf("learner audit events %d %v, want 3", len(events), err)
		}
	})
}

// TestBatch: a Batch issues like Issue (the same credential shape, one per
// idempotency key, settled by the store since it does not look the key up
// first) and refuses an achievement of another organization.
func TestBatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		b, err := f.svc.NewBatch(ctx, f.org.ID, f.ach.Achievement.ID)
		if err != nil {
			t.Fatal(err)
		}
		req := issue.Request{RecipientEmail: "ada@example.org", RecipientName: "Ada", IdempotencyKey: "bulk:job:1"}
		first, existed, err := b.Issue(ctx, req)
		if err != nil || existed {
			t.Fatalf("first: existed=%v err=%v", existed, err)
		}
		if first.OrgID != f.org.ID || first.AchievementID != f.ach.Achievement.ID {
			t.Fatalf("credential of org %q achievement %q", first.OrgID, first.AchievementID)
		}
		second, existed, err := b.Issue(ctx, req)
		if err != nil || !existed || second.ID != first.ID {
			t.Fatalf("second: existed=%v err=%v id %s vs %s", existed, err, second.ID, first.ID)
		}
		if n, err := s.CountCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID}); err != nil || n != 1 {
			t.Fatalf("%d credentials, %v; want 1", n, err)
		}
		if _, err := f.svc.NewBatch(ctx, "another-org", f.ach.Achievement.ID); err == nil || !strings.Contains(err.Error(), "achievement_id") {
			t.Fatalf("batch for another organization: %v", err)
		}
	})
}
