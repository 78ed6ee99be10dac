package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

var testPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 200)...)

// uploadEvidence posts one file to an application as the learner.
func (e *env) uploadEvidence(appID, as, name string, data []byte) *httptest.ResponseRecorder {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", e.logins[as].CSRF)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return e.do(request{method: "POST", path: "/applications/" + appID + "/files", as: as, body: body.String(), contentType: mw.FormDataContentType()})
}

func TestEvidenceFlow(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	achPath := "/admin/orgs/city-uni/achievements/" + e.achievementID + "/evidence"

	// The catalog editor sets the requirement; errors name the line.
	bad := e.do(request{method: "POST", path: achPath, as: "issuer", form: url.Values{"enabled": {"1"}, "instructions": {"Upload your dashboard."}, "rubric": {"Charts no levels"}, "passPoints": {"3"}, "maxFiles": {"2"}}})
	if bad.Code != 400 || !strings.Contains(bad.Body.String(), "line 1") || !strings.Contains(bad.Body.String(), `id="rubric-err"`) {
		t.Fatalf("bad rubric: %d", bad.Code)
	}
	if rec := e.do(request{method: "POST", path: achPath, as: "viewer", form: url.Values{"enabled": {"1"}}}); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer set a requirement: %d", rec.Code)
	}
	ok := e.do(request{method: "POST", path: achPath, as: "issuer", form: url.Values{"enabled": {"1"}, "instructions": {"Upload your **dashboard**."},
		"rubric": {"Charts: Poor = 0; Good = 3\nStory: Weak = 0; Clear = 2"}, "passPoints": {"4"}, "maxFiles": {"2"}}})
	if ok.Code != http.StatusSeeOther {
		t.Fatalf("save requirement: %d %s", ok.Code, ok.Body.String())
	}
	page := e.do(request{method: "GET", path: "/achievements/" + e.achievementID}).Body.String()
	if !strings.Contains(page, "Sign in to apply") || !strings.Contains(page, "at least 4 of 5 points") {
		t.Fatalf("public page does not invite applications")
	}

	// The learner applies, uploads, writes and submits.
	rec := e.do(request{method: "POST", path: "/apply/" + e.achievementID, as: "learner"})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/applications/") {
		t.Fatalf("apply: %d %s", rec.Code, rec.Body.String())
	}
	appID := strings.TrimPrefix(rec.Header().Get("Location"), "/applications/")
	if again := e.do(request{method: "POST", path: "/apply/" + e.achievementID, as: "learner"}); again.Header().Get("Location") != "/applications/"+appID {
		t.Errorf("a second application was opened: %s", again.Header().Get("Location"))
	}
	if rec := e.uploadEvidence(appID, "learner", "../../etc/dashboard.png", testPNG); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"work.zip", "archive", []byte("PK\x03\x04\x14\x00zip content here")},
		{"shot.png", "also contains an archive", append(append([]byte{}, testPNG...), "PK\x05\x06end"...)},
		{"report.pdf", "does not match", testPNG},
		{"page.txt", "web page", []byte("<html><script>alert(1)</script>")},
	} {
		rec := e.uploadEvidence(appID, "learner", c.name, c.data)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), c.want) || !strings.Contains(rec.Body.String(), "Nothing was saved") {
			t.Errorf("upload %s: %d, want a 400 saying %q", c.name, rec.Code, c.want)
		}
	}
	if rec := e.uploadEvidence(appID, "learner", "huge.txt", bytes.Repeat([]byte("a"), 11<<20)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d", rec.Code)
	}
	files, _ := e.store.ApplicationFiles(ctx, appID)
	if len(files) != 1 || files[0].Name != "dashboard.png" || files[0].MediaType != "image/png" {
		t.Fatalf("stored files = %+v", files)
	}
	if rec := e.uploadEvidence(appID, "viewer", "x.png", testPNG); rec.Code != http.StatusNotFound {
		t.Errorf("another user uploaded to the application: %d", rec.Code)
	}
	dl := e.do(request{method: "GET", path: "/applications/" + appID + "/files/" + files[0].ID, as: "learner"})
	if dl.Code != 200 || !bytes.Equal(dl.Body.Bytes(), testPNG) || !strings.HasPrefix(dl.Header().Get("Content-Disposition"), "attachment") || dl.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %v", dl.Code, dl.Header())
	}
	if rec := e.do(request{method: "POST", path: "/applications/" + appID, as: "learner", form: url.Values{"statement": {"x"}, "links": {"javascript:alert(1)"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "not a web address") {
		t.Errorf("bad link: %d", rec.Code)
	}
	rec = e.do(request{method: "POST", path: "/applications/" + appID, as: "learner", form: url.Values{"statement": {"I built a dashboard of city air quality."}, "links": {"https://example.org/dashboard"}, "then": {"submit"}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
	}
	if a, _ := e.store.Application(ctx, appID); a.State != "submitted" || a.SubmittedAt == nil {
		t.Fatalf("after submit: %+v", a)
	}
	if rec := e.uploadEvidence(appID, "learner", "late.png", testPNG); rec.Code != http.StatusConflict {
		t.Errorf("upload after submitting: %d", rec.Code)
	}

	// The reviewer asks for changes (a comment is required), the learner
	// resubmits, the reviewer approves with passing scores.
	review := "/admin/orgs/city-uni/reviews/" + appID
	if q := e.do(request{method: "GET", path: "/admin/orgs/city-uni/reviews", as: "issuer"}).Body.String(); !strings.Contains(q, "Learner Person") {
		t.Fatal("queue does not list the submission")
	}
	if rec := e.do(request{method: "GET", path: "/admin/orgs/city-uni/reviews", as: "viewer"}); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer opened the review queue: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: review + "/decide", as: "issuer", form: url.Values{"action": {"request_changes"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "Tell the learner why") {
		t.Errorf("changes without a comment: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: review + "/decide", as: "issuer", form: url.Values{"action": {"request_changes"}, "comment": {"Add a legend to the charts."}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("request changes: %d %s", rec.Code, rec.Body.String())
	}
	if p := e.do(request{method: "GET", path: "/applications/" + appID, as: "learner"}).Body.String(); !strings.Contains(p, "Add a legend to the charts.") {
		t.Error("the learner does not see the reviewer's comment")
	}
	if e.mailedLink("learner@example.edu", "/applications/") == "" {
		t.Error("no mail about the review")
	}
	if rec := e.do(request{method: "POST", path: "/applications/" + appID + "/submit", as: "learner"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %s", rec.Code, rec.Body.String())
	}
	if rec := e.do(request{method: "POST", path: review + "/decide", as: "issuer", form: url.Values{"action": {"approve"}, "score.c1": {"1"}, "score.c2": {"0"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "approval needs at least 4") {
		t.Errorf("approve below the pass mark: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: review + "/decide", as: "issuer", form: url.Values{"action": {"approve"}, "score.c1": {"1"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "choose a level for") {
		t.Errorf("approve without every score: %d", rec.Code)
	}
	rec = e.do(request{method: "POST", path: review + "/decide", as: "issuer", form: url.Values{"action": {"approve"}, "score.c1": {"1"}, "score.c2": {"1"}, "comment": {"Clear and well made."}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body.String())
	}
	a, _ := e.store.Application(ctx, appID)
	if a.State != "approved" || a.CredentialID == "" {
		t.Fatalf("after approval: %+v", a)
	}
	c, err := e.store.Credential(ctx, a.CredentialID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"evidence"`, "dashboard.png", "https://example.org/dashboard", "I built a dashboard", `"result"`, "5 of 5 points (pass mark 4)", "Charts: Good (3 points)", `"Completed"`} {
		if !strings.Contains(c.Document, want) {
			t.Errorf("issued credential lacks %q", want)
		}
	}
	if c.LearnerID != e.users["learner"].ID {
		t.Errorf("credential not in the learner's wallet")
	}
	if rec := e.do(request{method: "POST", path: review + "/decide", as: "owner", form: url.Values{"action": {"approve"}, "score.c1": {"1"}, "score.c2": {"1"}}}); rec.Code != http.StatusConflict {
		t.Errorf("second approval: %d", rec.Code)
	}
	n, _ := e.store.CountCredentials(ctx, store.CredentialQuery{OrgID: e.org.ID, RecipientEmail: "learner@example.edu"})
	if n != 2 { // the seeded one and the awarded one
		t.Errorf("credentials of the learner = %d, want 2", n)
	}
	// The issued credential verifies on its public page.
	if p := e.do(request{method: "GET", path: "/c/" + e.svc.CredentialUUID(c.ID)}); p.Code != 200 || !strings.Contains(p.Body.String(), "erified") {
		t.Errorf("credential page: %d", p.Code)
	}
}
