package demo

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

const testBase = "http://127.0.0.1:8080"

func newService(t *testing.T) (*issue.Service, store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var master keys.MasterKey
	rand.Read(master[:])
	return &issue.Service{Store: st, Master: master, BaseURL: testBase}, st
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	start := time.Now()
	res, err := Seed(ctx, svc, st)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("seeded in %s: %d achievements, %d credentials, %d mails", took, res.Achievements, res.Credentials, res.Mails)
	if took > 20*time.Second {
		t.Errorf("seeding took %s; it must take a few seconds", took)
	}
	if res.AlreadySeeded {
		t.Fatal("fresh database reported as already seeded")
	}

	// Organizations and catalog.
	if len(res.Orgs) != 2 || res.Orgs[0] != UniversitySlug || res.Orgs[1] != ProviderSlug {
		t.Fatalf("orgs = %v", res.Orgs)
	}
	orgs, err := st.ListOrganizations(ctx)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("ListOrganizations = %d, %v; want 2", len(orgs), err)
	}
	entries, err := st.SearchAchievements(ctx, store.AchievementQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 8 || res.Achievements != len(entries) {
		t.Fatalf("achievements: stored %d, reported %d; want ≥ 8 and equal", len(entries), res.Achievements)
	}
	var withCredit bool
	for _, e := range entries {
		if e.Version.Name == "" || e.Version.Description == "" || e.Version.EQFLevel == 0 && e.Version.NSQFLevel == 0 {
			t.Errorf("achievement %s lacks metadata: %+v", e.Achievement.ID, e.Version)
		}
		for _, f := range e.Version.CreditFrameworks {
			withCredit = withCredit || f == "ACE"
		}
	}
	if !withCredit {
		t.Error("no achievement carries an ACE credit recommendation")
	}

	// People.
	if res.Learners != LearnerCount {
		t.Errorf("learners = %d, want %d", res.Learners, LearnerCount)
	}
	admin, err := st.UserByEmail(ctx, AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.CheckPassword(admin.PasswordHash, res.AdminPassword); !ok || err != nil {
		t.Fatalf("admin password does not match its stored hash: %v", err)
	}
	if strings.Contains(admin.PasswordHash, res.AdminPassword) {
		t.Fatal("admin password stored in the clear")
	}
	uni, err := st.OrganizationBySlug(ctx, UniversitySlug)
	if err != nil {
		t.Fatal(err)
	}
	members, err := st.ListOrgMembers(ctx, uni.ID)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[store.Role]bool{}
	for _, m := range members {
		roles[m.Role] = true
	}
	for _, r := range []store.Role{store.RoleOwner, store.RoleIssuer, store.RoleViewer} {
		if !roles[r] {
			t.Errorf("demo-university has no %s member", r)
		}
	}
	for _, l := range res.Logins {
		u, err := st.UserByEmail(ctx, l.Email)
		if err != nil {
			t.Fatalf("login %s: %v", l.Email, err)
		}
		if ok, _ := auth.CheckPassword(u.PasswordHash, l.Password); !ok {
			t.Errorf("login %s: printed password does not match", l.Email)
		}
	}

	// Credentials: every learner holds one, all are linked, mails queued.
	if res.Credentials < LearnerCount || len(res.CredentialIDs) != res.Credentials {
		t.Fatalf("credentials = %d (%d ids), want ≥ %d", res.Credentials, len(res.CredentialIDs), LearnerCount)
	}
	total, err := st.CountCredentials(ctx, store.CredentialQuery{})
	if err != nil || int(total) != res.Credentials {
		t.Fatalf("CountCredentials = %d, %v; want %d", total, err, res.Credentials)
	}
	mails, err := st.ListMail(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) < res.Credentials || res.Mails != len(mails) {
		t.Fatalf("outbox holds %d mails (reported %d), want one per credential (%d)", len(mails), res.Mails, res.Credentials)
	}
	learner, err := st.UserByEmail(ctx, res.Logins[len(res.Logins)-1].Email)
	if err != nil || !learner.IsLearner {
		t.Fatalf("first learner: %+v, %v", learner, err)
	}
	held, err := st.ListCredentials(ctx, store.CredentialQuery{LearnerID: learner.ID})
	if err != nil || len(held) == 0 {
		t.Fatalf("first learner holds %d linked credentials (%v), want ≥ 1", len(held), err)
	}
	if res.ClientID == "" || len(res.ClientSecret) < 20 {
		t.Fatalf("API client %q with secret of %d characters", res.ClientID, len(res.ClientSecret))
	}
	client, err := st.APIClient(ctx, res.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if string(client.SecretHash) != string(auth.HashToken(res.ClientSecret)) {
		t.Fatal("client secret does not match its stored digest")
	}
	if !strings.HasPrefix(res.SampleCredentialURL, testBase+"/c/") {
		t.Fatalf("sample credential URL %q", res.SampleCredentialURL)
	}

	// Every format occurs, some credentials have expired, and a sample of
	// each format verifies (expired ones fail only the validity check).
	byFormat := map[store.Format][]store.Credential{}
	var expired int
	for _, id := range res.CredentialIDs {
		c, err := st.Credential(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		byFormat[c.Format] = append(byFormat[c.Format], c)
		if c.ValidUntil != nil && c.ValidUntil.Before(time.Now()) {
			expired++
		}
	}
	if expired < 2 {
		t.Errorf("%d expired credentials, want at least 2", expired)
	}
	if n := len(byFormat[store.FormatLDPRDFC]); n*2 < res.Credentials {
		t.Errorf("%d of %d credentials are ldp-rdfc, want most", n, res.Credentials)
	}
	checked := 0
	for _, f := range []store.Format{store.FormatLDPRDFC, store.FormatLDPJCS, store.FormatJWT} {
		cs := byFormat[f]
		if len(cs) == 0 {
			t.Errorf("no %s credential seeded", f)
			continue
		}
		for i, c := range cs {
			if i >= 6 {
				break
			}
			report, err := svc.Verify(ctx, []byte(c.Document))
			if err != nil {
				t.Fatalf("verify %s (%s): %v", c.ID, f, err)
			}
			isExpired := c.ValidUntil != nil && c.ValidUntil.Before(time.Now())
			if report.Verified == isExpired {
				t.Errorf("%s (%s, expired=%v): verified=%v, checks %+v", c.ID, f, isExpired, report.Verified, report.Checks)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("verified %d credentials, want at least 10", checked)
	}

	// Seeding again changes nothing.
	again, err := Seed(ctx, svc, st)
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadySeeded || again.Credentials != res.Credentials || again.Achievements != res.Achievements || again.AdminPassword != "" {
		t.Fatalf("second seed: %+v", again)
	}
	if n, _ := st.CountCredentials(ctx, store.CredentialQuery{}); int(n) != res.Credentials {
		t.Fatalf("second seed changed the credential count to %d", n)
	}
}

// An interrupted seed resumes: the organizations exist but the completion
// event does not, so a second run finishes the work without duplicates.
func TestSeedResumes(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	s := &seeder{svc: svc, st: st, now: time.Now().UTC(), res: &Result{}}
	owner, _, err := s.user(ctx, AdminEmail, "Admin", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrganization(ctx, store.Organization{
		Slug: UniversitySlug, Name: "Demo University", URL: "https://demo-university.example", Email: "x@demo-university.example", Country: "NL",
	}, owner.ID, owner.ID); err != nil {
		t.Fatal(err)
	}
	res, err := Seed(ctx, svc, st)
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadySeeded || res.Learners != LearnerCount {
		t.Fatalf("resumed seed: %+v", res)
	}
	orgs, _ := st.ListOrganizations(ctx)
	if len(orgs) != 2 {
		t.Fatalf("%d organizations after resuming, want 2", len(orgs))
	}
	u, _ := st.UserByEmail(ctx, AdminEmail)
	if ok, _ := auth.CheckPassword(u.PasswordHash, res.AdminPassword); !ok {
		t.Fatal("resumed seed did not reset the admin password it printed")
	}
}

func TestLearnerEmail(t *testing.T) {
	for _, tc := range []struct {
		name string
		i    int
		want string
	}{
		{"Sanne de Vries", 0, "sanne.de.vries.1@learners.example"},
		{"Lucía García", 3, "lucia.garcia.4@learners.example"},
		{"Layla Al-Masri", 9, "layla.al.masri.10@learners.example"},
		{"Lukas Müller", 49, "lukas.muller.50@learners.example"},
	} {
		if got := learnerEmail(tc.name, tc.i); got != tc.want {
			t.Errorf("learnerEmail(%q, %d) = %q, want %q", tc.name, tc.i, got, tc.want)
		}
	}
}

// TestSeedPathways: the demo defines pathways and a credit scheme, and its
// learners stand at several stages of them.
func TestSeedPathways(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	if _, err := Seed(ctx, svc, st); err != nil {
		t.Fatal(err)
	}
	uni, err := st.OrganizationBySlug(ctx, UniversitySlug)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListPathwayDefinitions(ctx, uni.ID, store.PathwayKindPathway)
	if err != nil || len(ps) != 2 {
		t.Fatalf("pathways = %d, %v; want 2", len(ps), err)
	}
	rows, err := st.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: uni.ID, Pathway: "applied-data-science", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	complete, partial := 0, 0
	for _, r := range rows {
		if r.Complete {
			complete++
		} else {
			partial++
		}
	}
	if complete < 2 || partial < 2 {
		t.Errorf("programme: %d learners complete, %d under way; want at least two of each", complete, partial)
	}
	review, err := st.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: uni.ID, AwardState: store.AwardReview})
	if err != nil || len(review) != complete-demoCohortSize || len(review) < 2 {
		t.Errorf("%d awards wait for review (%v), want one per completion (%d) but the approved cohort's (%d)", len(review), err, complete, demoCohortSize)
	}
	awarded, err := st.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: uni.ID, AwardState: store.AwardIssued})
	if err != nil || len(awarded) != demoCohortSize {
		t.Errorf("%d awards issued (%v), want %d", len(awarded), err, demoCohortSize)
	}
	// The impact report's stacking flow shows the cohort, every band of
	// at least five learners.
	rep, err := analytics.Build(ctx, st, uni.ID, time.Now().AddDate(-1, 0, 0), time.Now().AddDate(0, 0, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	flow := rep.StackingFlow()
	if len(flow.Links) < 5 {
		t.Errorf("stacking flow = %+v", flow)
	}
	for _, l := range flow.Links {
		if l.Learners.Suppressed || l.Learners.N < 5 || l.To == "credit" && l.Credits <= 0 {
			t.Errorf("stacking flow band %+v", l)
		}
	}
	specialist, err := st.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: uni.ID, Pathway: "cloud-data-specialist", CompleteOnly: true})
	if err != nil || len(specialist) < 1 {
		t.Errorf("specialists complete = %d, %v; want at least 1", len(specialist), err)
	}
}
