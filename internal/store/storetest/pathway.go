package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// testPathwayDefinitions: versions are allocated in order, the current
// one is what reads and listings return, old versions stay readable, and
// two writers of the same definition never lose a version.
func testPathwayDefinitions(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "pathway-org")
	other := newFixture(t, s, "pathway-other")
	save := func(org, slug, name string, kind store.PathwayKind) store.PathwayDefinition {
		t.Helper()
		return try(s.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: org, Kind: kind, Slug: slug, Name: name,
			Document: json.RawMessage(`{"id":"` + slug + `","name":"` + name + `"}`), CreatedBy: "user-1"})).must(t)
	}
	v1 := save(f.org.ID, "data", "Data v1", store.PathwayKindPathway)
	v2 := save(f.org.ID, "data", "Data v2", store.PathwayKindPathway)
	if v1.Version != 1 || v2.Version != 2 || v1.CreatedAt.IsZero() {
		t.Fatalf("versions %d, %d; created %v", v1.Version, v2.Version, v1.CreatedAt)
	}
	save(f.org.ID, "data", "Degree scheme", store.PathwayKindScheme) // same slug, other kind
	save(f.org.ID, "cloud", "Cloud", store.PathwayKindPathway)
	save(other.org.ID, "data", "Elsewhere", store.PathwayKindPathway)

	cur := try(s.PathwayDefinition(ctx, f.org.ID, store.PathwayKindPathway, "data", 0)).must(t)
	if !reflect.DeepEqual(cur, v2) {
		t.Errorf("current = %+v, want %+v", cur, v2)
	}
	old := try(s.PathwayDefinition(ctx, f.org.ID, store.PathwayKindPathway, "data", 1)).must(t)
	if old.Name != "Data v1" || string(old.Document) != `{"id":"data","name":"Data v1"}` || old.CreatedBy != "user-1" {
		t.Errorf("version 1 = %+v", old)
	}
	_, err := s.PathwayDefinition(ctx, f.org.ID, store.PathwayKindPathway, "data", 3)
	wantErr(t, "missing version", err, store.ErrNotFound)
	_, err = s.PathwayDefinition(ctx, f.org.ID, store.PathwayKindPathway, "nothing", 0)
	wantErr(t, "missing definition", err, store.ErrNotFound)

	list := try(s.ListPathwayDefinitions(ctx, f.org.ID, store.PathwayKindPathway)).must(t)
	if len(list) != 2 || list[0].Slug != "cloud" || list[1].Slug != "data" || list[1].Version != 2 {
		t.Errorf("list = %+v", list)
	}
	if all := try(s.ListPathwayDefinitions(ctx, "", store.PathwayKindPathway)).must(t); len(all) != 3 {
		t.Errorf("list of every organization has %d entries, want 3", len(all))
	}
	if schemes := try(s.ListPathwayDefinitions(ctx, f.org.ID, store.PathwayKindScheme)).must(t); len(schemes) != 1 || schemes[0].Name != "Degree scheme" {
		t.Errorf("schemes = %+v", schemes)
	}
	versions := try(s.ListPathwayDefinitionVersions(ctx, f.org.ID, store.PathwayKindPathway, "data")).must(t)
	if len(versions) != 2 || versions[0].Version != 2 || versions[1].Version != 1 {
		t.Errorf("versions = %+v", versions)
	}

	for name, d := range map[string]store.PathwayDefinition{
		"no organization": {Kind: store.PathwayKindPathway, Slug: "x", Name: "x", Document: json.RawMessage(`{}`)},
		"bad kind":        {OrgID: f.org.ID, Kind: "track", Slug: "x", Name: "x", Document: json.RawMessage(`{}`)},
		"bad slug":        {OrgID: f.org.ID, Kind: store.PathwayKindPathway, Slug: "X Y", Name: "x", Document: json.RawMessage(`{}`)},
		"no name":         {OrgID: f.org.ID, Kind: store.PathwayKindPathway, Slug: "x", Document: json.RawMessage(`{}`)},
		"bad document":    {OrgID: f.org.ID, Kind: store.PathwayKindPathway, Slug: "x", Name: "x", Document: json.RawMessage(`{`)},
	} {
		_, err := s.SavePathwayDefinition(ctx, d)
		wantErr(t, name, err, store.ErrInvalid)
	}
	_, err = s.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: "no-such-org", Kind: store.PathwayKindPathway, Slug: "x", Name: "x", Document: json.RawMessage(`{}`)})
	wantErr(t, "unknown organization", err, store.ErrConflict)

	// Concurrent saves: every save that succeeds has its own version, and
	// the versions run without gaps.
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]bool{}
	for range 6 {
		wg.Go(func() {
			d, err := s.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: f.org.ID, Kind: store.PathwayKindPathway, Slug: "busy", Name: "Busy", Document: json.RawMessage(`{}`)})
			if err != nil {
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("concurrent save: %v", err)
				}
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if got[d.Version] {
				t.Errorf("version %d allocated twice", d.Version)
			}
			got[d.Version] = true
		})
	}
	wg.Wait()
	vs := try(s.ListPathwayDefinitionVersions(ctx, f.org.ID, store.PathwayKindPathway, "busy")).must(t)
	if len(vs) != len(got) || len(vs) == 0 || vs[0].Version != len(vs) {
		t.Errorf("%d versions stored for %d successful saves, newest %d", len(vs), len(got), vs[0].Version)
	}
}

// testPathwayProgress: upserts keep award state, listing filters,
// deleting keeps awarded rows, award transitions are checked.
func testPathwayProgress(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "progress-org")
	rows := []store.PathwayProgress{
		{OrgID: f.org.ID, Pathway: "data", LearnerKey: "ada@example.org", Version: 1, Progress: 0.5, Used: []string{"c1"}},
		{OrgID: f.org.ID, Pathway: "data", LearnerKey: "bob@example.org", Version: 1, Progress: 1, Complete: true, Used: []string{"c2", "c3"}},
		{OrgID: f.org.ID, Pathway: "cloud", LearnerKey: "ada@example.org", Version: 2, Progress: 0.25},
	}
	need(t, s.SavePathwayProgress(ctx, rows))
	need(t, s.SetPathwayAward(ctx, f.org.ID, "data", "bob@example.org", store.AwardReview, "", store.AwardNone))
	wantErr(t, "award twice", s.SetPathwayAward(ctx, f.org.ID, "data", "bob@example.org", store.AwardReview, "", store.AwardNone), store.ErrConflict)
	wantErr(t, "award of no row", s.SetPathwayAward(ctx, f.org.ID, "data", "zed@example.org", store.AwardReview, "", store.AwardNone), store.ErrNotFound)
	wantErr(t, "bad state", s.SetPathwayAward(ctx, f.org.ID, "data", "bob@example.org", "maybe", ""), store.ErrInvalid)

	// Recompute: Ada progresses, Bob's row is rewritten but keeps its award.
	rows[0].Progress, rows[0].Used = 1, []string{"c1", "c4"}
	rows[0].Complete = true
	rows[1].Version = 2
	need(t, s.SavePathwayProgress(ctx, rows[:2]))
	ada := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{LearnerKey: "ada@example.org"})).must(t)
	if len(ada) != 2 || ada[0].Pathway != "cloud" || ada[1].Progress != 1 || !ada[1].Complete || !reflect.DeepEqual(ada[1].Used, []string{"c1", "c4"}) {
		t.Errorf("ada = %+v", ada)
	}
	review := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: f.org.ID, AwardState: store.AwardReview})).must(t)
	if len(review) != 1 || review[0].LearnerKey != "bob@example.org" || review[0].Version != 2 {
		t.Errorf("review queue = %+v", review)
	}
	complete := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{Pathway: "data", CompleteOnly: true})).must(t)
	if len(complete) != 2 {
		t.Errorf("complete = %+v", complete)
	}
	need(t, s.SetPathwayAward(ctx, f.org.ID, "data", "bob@example.org", store.AwardIssued, "urn:uuid:award", store.AwardReview))
	bob := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{LearnerKey: "bob@example.org"})).must(t)
	if len(bob) != 1 || bob[0].AwardState != store.AwardIssued || bob[0].AwardCredentialID != "urn:uuid:award" || bob[0].UpdatedAt.IsZero() {
		t.Errorf("bob = %+v", bob)
	}

	// Ada keeps only "data"; Bob's awarded row survives a delete.
	need(t, s.DeletePathwayProgress(ctx, f.org.ID, "ada@example.org", []string{"data"}))
	need(t, s.DeletePathwayProgress(ctx, f.org.ID, "bob@example.org", nil))
	all := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: f.org.ID})).must(t)
	if len(all) != 2 || all[0].LearnerKey != "ada@example.org" || all[0].Pathway != "data" || all[1].LearnerKey != "bob@example.org" {
		t.Errorf("after delete = %+v", all)
	}
	// Pruning removes rows not saved since a time, except awarded ones.
	cut := time.Now()
	time.Sleep(2 * time.Millisecond)
	need(t, s.SavePathwayProgress(ctx, []store.PathwayProgress{{OrgID: f.org.ID, Pathway: "data", LearnerKey: "cy@example.org", Progress: 0.5}}))
	if n := try(s.PrunePathwayProgress(ctx, cut)).must(t); n != 1 {
		t.Errorf("pruned %d rows, want 1 (Ada's)", n)
	}
	left := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: f.org.ID})).must(t)
	if len(left) != 2 || left[0].LearnerKey != "bob@example.org" || left[1].LearnerKey != "cy@example.org" {
		t.Errorf("after prune = %+v", left)
	}
	wantErr(t, "progress above 1", s.SavePathwayProgress(ctx, []store.PathwayProgress{{OrgID: f.org.ID, Pathway: "x", LearnerKey: "a", Progress: 1.5}}), store.ErrInvalid)

	// Many rows in one call (several multi-row statements).
	var many []store.PathwayProgress
	for i := range 700 {
		many = append(many, store.PathwayProgress{OrgID: f.org.ID, Pathway: "bulk", LearnerKey: string(rune('a'+i%26)) + time.Duration(i).String(), Progress: 0.1})
	}
	need(t, s.SavePathwayProgress(ctx, many))
	if got := try(s.ListPathwayProgress(ctx, store.PathwayProgressQuery{Pathway: "bulk", Limit: 5000})).must(t); len(got) != 700 {
		t.Errorf("bulk rows = %d, want 700", len(got))
	}
}

// testCredentialFacts: facts arrive grouped by learner, in issue order,
// with revocation and suspension.
func testCredentialFacts(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "facts-org")
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	until := base.AddDate(1, 0, 0)
	add := func(id, email string, at time.Time, validUntil *time.Time) {
		c := f.credential(id)
		c.RecipientEmail, c.IssuedAt, c.ValidUntil = email, at, validUntil
		try3(s.InsertCredential(ctx, c)).must(t)
	}
	add("urn:uuid:f3", "Zoe@Example.org", base, nil)
	add("urn:uuid:f2", "ada@example.org", base.Add(time.Hour), &until)
	add("urn:uuid:f1", "ada@example.org", base, nil)
	slots := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, 1, 16)).must(t)
	need(t, s.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: "urn:uuid:f2", OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: slots[0].List, Index: 3, Seq: slots[0].Seq}))
	try(s.SetCredentialStatus(ctx, "urn:uuid:f2", store.PurposeRevocation, false, true, base)).must(t)
	sus := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeSuspension, 1, 16)).must(t)
	need(t, s.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: "urn:uuid:f3", OrgID: f.org.ID, Purpose: store.PurposeSuspension, List: sus[0].List, Index: 5, Seq: sus[0].Seq}))

	var got []store.CredentialFact
	need(t, s.CredentialFacts(ctx, "", func(cf store.CredentialFact) error { got = append(got, cf); return nil }))
	if len(got) != 3 {
		t.Fatalf("facts = %+v", got)
	}
	want := []struct {
		id, learner        string
		revoked, suspended bool
		issued             time.Time
		validUntil         *time.Time
	}{
		{"urn:uuid:f1", "ada@example.org", false, false, base, nil},
		{"urn:uuid:f2", "ada@example.org", true, false, base.Add(time.Hour), &until},
		{"urn:uuid:f3", "zoe@example.org", false, false, base, nil}, // a suspension entry whose bit is not set
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.LearnerKey != w.learner || g.Revoked != w.revoked || g.Suspended != w.suspended || !g.IssuedAt.Equal(w.issued) ||
			g.OrgID != f.org.ID || g.AchievementID != f.ach.Achievement.ID || g.AchievementVersion != 1 || (w.validUntil == nil) != (g.ValidUntil == nil) {
			t.Errorf("fact %d = %+v, want %+v", i, g, w)
		}
	}
	try(s.SetCredentialStatus(ctx, "urn:uuid:f3", store.PurposeSuspension, false, true, base)).must(t)
	got = nil
	need(t, s.CredentialFacts(ctx, "zoe@example.org", func(cf store.CredentialFact) error { got = append(got, cf); return nil }))
	if len(got) != 1 || !got[0].Suspended {
		t.Errorf("zoe's facts = %+v", got)
	}
}
