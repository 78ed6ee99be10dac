package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testEvidence(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "ev")
	achID := f.ach.Achievement.ID
	learner := try(s.CreateUser(ctx, store.User{Email: "ev@example.org", IsLearner: true})).must(t)

	wantErr(t, "no requirement", second(s.EvidenceRequirement(ctx, achID)), store.ErrNotFound)
	need(t, s.PutEvidenceRequirement(ctx, store.EvidenceRequirement{AchievementID: achID, OrgID: f.org.ID, Document: json.RawMessage(`{"v":1}`)}))
	need(t, s.PutEvidenceRequirement(ctx, store.EvidenceRequirement{AchievementID: achID, OrgID: f.org.ID, Document: json.RawMessage(`{"v":2}`)}))
	if r := try(s.EvidenceRequirement(ctx, achID)).must(t); string(r.Document) != `{"v":2}` {
		t.Fatalf("requirement = %s", r.Document)
	}

	a := try(s.CreateApplication(ctx, store.Application{OrgID: f.org.ID, AchievementID: achID, LearnerID: learner.ID, State: "draft",
		Statement: "My work", Links: []string{"https://example.org/a", "https://example.org/b"}})).must(t)
	got := try(s.Application(ctx, a.ID)).must(t)
	if got.Statement != "My work" || len(got.Links) != 2 || got.SubmittedAt != nil {
		t.Fatalf("application = %+v", got)
	}
	now := time.Now()
	got.State, got.SubmittedAt = "submitted", &now
	need(t, s.UpdateApplication(ctx, got, "draft"))
	wantErr(t, "stale state", s.UpdateApplication(ctx, got, "draft"), store.ErrConflict)
	if l := try(s.ListApplications(ctx, store.ApplicationQuery{OrgID: f.org.ID, State: "submitted"})).must(t); len(l) != 1 || l[0].SubmittedAt == nil {
		t.Fatalf("queue = %+v", l)
	}
	if l := try(s.ListApplications(ctx, store.ApplicationQuery{LearnerID: "nobody"})).must(t); len(l) != 0 {
		t.Fatalf("learner filter = %+v", l)
	}

	// Files: content stored once, served back byte for byte, removed with
	// its last reference.
	data := []byte("%PDF-1.4 evidence")
	f1 := try(s.AddApplicationFile(ctx, store.ApplicationFile{ApplicationID: a.ID, Name: "a.pdf", MediaType: "application/pdf"}, data)).must(t)
	f2 := try(s.AddApplicationFile(ctx, store.ApplicationFile{ApplicationID: a.ID, Name: "copy.pdf", MediaType: "application/pdf"}, data)).must(t)
	if f1.Size != int64(len(data)) || !bytes.Equal(f1.SHA256, f2.SHA256) {
		t.Fatalf("files %+v %+v", f1, f2)
	}
	if _, d, err := s.ApplicationFileData(ctx, a.ID, f2.ID); err != nil || !bytes.Equal(d, data) {
		t.Fatalf("file data %q %v", d, err)
	}
	wantErr(t, "file of another application", third(s.ApplicationFileData(ctx, "other", f1.ID)), store.ErrNotFound)
	need(t, s.DeleteApplicationFile(ctx, a.ID, f1.ID))
	if _, d, err := s.ApplicationFileData(ctx, a.ID, f2.ID); err != nil || !bytes.Equal(d, data) {
		t.Fatalf("shared content lost with the first file: %v", err)
	}
	need(t, s.DeleteApplicationFile(ctx, a.ID, f2.ID))
	if l := try(s.ApplicationFiles(ctx, a.ID)).must(t); len(l) != 0 {
		t.Fatalf("files after delete = %+v", l)
	}
	wantErr(t, "empty file", second(s.AddApplicationFile(ctx, store.ApplicationFile{ApplicationID: a.ID, Name: "x", MediaType: "text/plain"}, nil)), store.ErrInvalid)

	pts := 7
	try(s.AddReview(ctx, store.Review{ApplicationID: a.ID, ReviewerID: "r1", Action: "request_changes", Comment: "More charts", Scores: json.RawMessage(`{"c1":1}`), Points: &pts})).must(t)
	try(s.AddReview(ctx, store.Review{ApplicationID: a.ID, ReviewerID: "r1", Action: "comment", Comment: "Thanks"})).must(t)
	rs := try(s.ListReviews(ctx, a.ID)).must(t)
	if len(rs) != 2 || rs[0].Points == nil || *rs[0].Points != 7 || string(rs[0].Scores) != `{"c1":1}` || rs[1].Points != nil {
		t.Fatalf("reviews = %+v", rs)
	}
}

func third[A, B any](_ A, _ B, err error) error { return err }
