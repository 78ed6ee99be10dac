package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testEndorsements(t *testing.T, s store.Store) {
	ctx := context.Background()
	endorser := newFixture(t, s, "end-a")
	endorsed := newFixture(t, s, "end-b")
	at := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	until := at.Add(365 * 24 * time.Hour)
	given := store.Endorsement{
		ID: "urn:uuid:00000000-0000-4000-8000-00000000e001", OrgID: endorser.org.ID, Direction: store.EndorsementGiven,
		SubjectKind: store.EndorsedAchievement, SubjectID: "https://example.org/achievements/x",
		SubjectOrgID: endorsed.org.ID, SubjectAchievementID: endorsed.ach.Achievement.ID, SubjectName: "Course",
		EndorserID: "did:web:example.org:orgs:end-a", EndorserName: "Org end-a", Comment: "Rigorous.",
		Document: `{"id":"e1"}`, IssuedAt: at, ValidUntil: &until, CreatedBy: "u1",
	}
	got := try(s.InsertEndorsement(ctx, given)).must(t)
	if !got.ValidFrom.Equal(got.IssuedAt) || got.CreatedAt.IsZero() {
		t.Fatalf("inserted = %+v", got)
	}
	wantErr(t, "same id twice", second(s.InsertEndorsement(ctx, given)), store.ErrConflict)
	profile := store.Endorsement{
		ID: "urn:uuid:00000000-0000-4000-8000-00000000e002", OrgID: endorsed.org.ID, Direction: store.EndorsementReceived,
		SubjectKind: store.EndorsedProfile, SubjectID: "did:web:example.org:orgs:end-b", SubjectOrgID: endorsed.org.ID,
		EndorserID: "did:web:elsewhere.example", Document: `{"id":"e2"}`, IssuedAt: at.Add(time.Hour),
	}
	try(s.InsertEndorsement(ctx, profile)).must(t)

	for _, tc := range []struct {
		name string
		e    store.Endorsement
	}{
		{"no id", store.Endorsement{OrgID: endorser.org.ID, Direction: store.EndorsementGiven, SubjectKind: store.EndorsedProfile, SubjectID: "x", EndorserID: "y", Document: "{}", IssuedAt: at}},
		{"bad direction", store.Endorsement{ID: "a", OrgID: endorser.org.ID, Direction: "sideways", SubjectKind: store.EndorsedProfile, SubjectID: "x", EndorserID: "y", Document: "{}", IssuedAt: at}},
		{"bad kind", store.Endorsement{ID: "b", OrgID: endorser.org.ID, Direction: store.EndorsementGiven, SubjectKind: "person", SubjectID: "x", EndorserID: "y", Document: "{}", IssuedAt: at}},
		{"no time", store.Endorsement{ID: "c", OrgID: endorser.org.ID, Direction: store.EndorsementGiven, SubjectKind: store.EndorsedProfile, SubjectID: "x", EndorserID: "y", Document: "{}"}},
	} {
		wantErr(t, tc.name, second(s.InsertEndorsement(ctx, tc.e)), store.ErrInvalid)
	}

	back := try(s.Endorsement(ctx, given.ID)).must(t)
	if !back.IssuedAt.Equal(at.Truncate(time.Microsecond)) || back.ValidUntil == nil || !back.ValidUntil.Equal(until.Truncate(time.Microsecond)) ||
		back.Comment != "Rigorous." || back.SubjectAchievementID != endorsed.ach.Achievement.ID || back.Document != `{"id":"e1"}` {
		t.Fatalf("read back = %+v", back)
	}
	wantErr(t, "unknown id", second(s.Endorsement(ctx, "urn:uuid:nope")), store.ErrNotFound)

	ids := func(l []store.Endorsement) []string {
		out := []string{}
		for _, e := range l {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    store.EndorsementQuery
		want []string
	}{
		{"all, newest first", store.EndorsementQuery{}, []string{profile.ID, given.ID}},
		{"given by the endorser", store.EndorsementQuery{OrgID: endorser.org.ID, Direction: store.EndorsementGiven}, []string{given.ID}},
		{"about the endorsed organization", store.EndorsementQuery{SubjectOrgID: endorsed.org.ID}, []string{profile.ID, given.ID}},
		{"about one achievement", store.EndorsementQuery{SubjectAchievementID: endorsed.ach.Achievement.ID}, []string{given.ID}},
		// The profile's endorsements are selected before the limit, so
		// newer endorsements of achievements cannot crowd them out.
		{"about the organization's profile", store.EndorsementQuery{SubjectOrgID: endorsed.org.ID, SubjectKind: store.EndorsedProfile, Limit: 1}, []string{profile.ID}},
		{"about its achievements", store.EndorsementQuery{SubjectOrgID: endorsed.org.ID, SubjectKind: store.EndorsedAchievement, Limit: 1}, []string{given.ID}},
		{"by subject ids", store.EndorsementQuery{SubjectIDs: []string{"did:web:example.org:orgs:end-b", "nothing"}}, []string{profile.ID}},
		{"paged", store.EndorsementQuery{Limit: 1, Offset: 1}, []string{given.ID}},
		{"received by nobody else", store.EndorsementQuery{OrgID: endorser.org.ID, Direction: store.EndorsementReceived}, []string{}},
	} {
		if got := ids(try(s.ListEndorsements(ctx, tc.q)).must(t)); !equalStrings(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	wantErr(t, "delete a given endorsement", s.DeleteEndorsement(ctx, endorser.org.ID, given.ID), store.ErrNotFound)
	wantErr(t, "delete another's", s.DeleteEndorsement(ctx, endorser.org.ID, profile.ID), store.ErrNotFound)
	need(t, s.DeleteEndorsement(ctx, endorsed.org.ID, profile.ID))
	wantErr(t, "deleted", second(s.Endorsement(ctx, profile.ID)), store.ErrNotFound)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
