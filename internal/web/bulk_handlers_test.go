package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

// bulkEnv is the shared test server with uploads kept in the test's
// directory.
func bulkEnv(t *testing.T) *env {
	e := newEnv(t, envOptions{})
	h, err := web.New(web.Config{Store: e.store, Issuer: e.svc, BaseURL: testBase, Logger: testLogger(t), BulkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = h
	return e
}

// upload posts a CSV file to the bulk upload form as who.
func (e *env) upload(who, achievementID, content string) *httpResponse {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", e.logins[who].CSRF)
	_ = mw.WriteField("achievement_id", achievementID)
	fw, _ := mw.CreateFormFile("csv", "graduates.csv")
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	rec := e.do(request{method: http.MethodPost, path: "/admin/orgs/city-uni/bulk", body: body.String(), contentType: mw.FormDataContentType(), as: who})
	return &httpResponse{Code: rec.Code, Body: rec.Body.String(), Location: rec.Header().Get("Location")}
}

type httpResponse struct {
	Code           int
	Body, Location string
}

func TestBulkUploadPreviewStartProgressResults(t *testing.T) {
	e := bulkEnv(t)
	before := e.countCredentials()
	var rows strings.Builder
	rows.WriteString("Student Mail,name,result\r\n")
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&rows, "grad%d@city.example.edu,Graduate %d,Distinction\r\n", i, i)
	}

	// Viewers may not upload; issuers may.
	if r := e.upload("viewer", e.achievementID, rows.String()); r.Code != http.StatusForbidden {
		t.Fatalf("viewer upload: %d", r.Code)
	}
	r := e.upload("issuer", e.achievementID, rows.String())
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/orgs/city-uni/bulk/") {
		t.Fatalf("upload: %d %q %s", r.Code, r.Location, r.Body)
	}
	jobPath := r.Location
	jobID := strings.TrimPrefix(jobPath, "/admin/orgs/city-uni/bulk/")

	// Preview: the email column is not recognized yet, so the page offers
	// the mapping and names the problem; the first rows are shown.
	rec := e.do(request{method: http.MethodGet, path: jobPath, as: "issuer"})
	if rec.Code != http.StatusOK {
		t.Fatalf("job page: %d", rec.Code)
	}
	page := rec.Body.String()
	if !strings.Contains(page, `name="map_0"`) {
		t.Error("no mapping form")
	}
	for _, want := range []string{"no column for email", "Student Mail", "Graduate 10"} {
		if !strings.Contains(page, htmlEscape(want)) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(page, "Graduate 11") {
		t.Error("preview shows more than 10 rows")
	}

	// Start with the mapping chosen on the form.
	form := url.Values{"column_0": {"Student Mail"}, "map_0": {"email"}, "column_1": {"name"}, "map_1": {"name"},
		"column_2": {"result"}, "map_2": {"result"}, "notify": {"1"}}
	rec = e.do(request{method: http.MethodPost, path: jobPath + "/start", form: form, as: "issuer"})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d %s", rec.Code, rec.Body)
	}

	// Progress JSON until done.
	var p struct {
		State       string
		Total, Done int
		Failed      int
		Percent     float64
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		rec = e.do(request{method: http.MethodGet, path: jobPath + "/progress.json", as: "issuer"})
		if rec.Code != http.StatusOK {
			t.Fatalf("progress: %d", rec.Code)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if p.State == "done" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if p.State != "done" || p.Done != 25 || p.Total != 25 || p.Failed != 0 || p.Percent != 100 {
		t.Fatalf("progress = %+v", p)
	}
	if got := e.countCredentials(); got != before+25 {
		t.Fatalf("credentials %d, want %d", got, before+25)
	}

	// Results CSV: one line per row with its public page.
	rec = e.do(request{method: http.MethodGet, path: jobPath + "/results.csv", as: "issuer"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("results: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(recs) != 26 {
		t.Fatalf("results: %d lines, %v", len(recs), err)
	}
	if recs[1][0] != "1" || recs[1][2] != "grad1@city.example.edu" || !strings.HasPrefix(recs[1][4], testBase+"/c/") {
		t.Errorf("first result = %q", recs[1])
	}

	// The same file again finds the same job, which is done.
	r = e.upload("issuer", e.achievementID, rows.String())
	if r.Location != jobPath {
		t.Errorf("re-upload went to %q, want %q", r.Location, jobPath)
	}
	j, err := e.store.BulkJob(context.Background(), jobID)
	if err != nil || j.State != store.BulkDone || !strings.Contains(j.Mapping, "student_mail=email") {
		t.Errorf("job = %+v, %v", j, err)
	}

	// Cancelling a finished job changes nothing.
	rec = e.do(request{method: http.MethodPost, path: jobPath + "/cancel", as: "issuer"})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("cancel: %d", rec.Code)
	}
	if j, _ := e.store.BulkJob(context.Background(), jobID); j.State != store.BulkDone {
		t.Errorf("state after cancel of a done job = %s", j.State)
	}
	// Jobs are not visible from another organization's pages or anonymously.
	if rec := e.do(request{method: http.MethodGet, path: jobPath + "/progress.json"}); rec.Code == http.StatusOK {
		t.Errorf("anonymous progress: %d", rec.Code)
	}
}

func TestBulkStartRefusesInvalidFile(t *testing.T) {
	e := bulkEnv(t)
	before := e.countCredentials()
	r := e.upload("owner", e.achievementID, "email,name\nnot-an-email,Ann\nb@city.example.edu,\n")
	if r.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Code, r.Body)
	}
	rec := e.do(request{method: http.MethodGet, path: r.Location, as: "owner"})
	page := rec.Body.String()
	for _, want := range []string{`line 2, column email: "not-an-email" is not an email address`, "line 3, column name: is empty", "2 problems in 2 rows"} {
		if !strings.Contains(page, htmlEscape(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	form := url.Values{"column_0": {"email"}, "map_0": {"email"}, "column_1": {"name"}, "map_1": {"name"}}
	rec = e.do(request{method: http.MethodPost, path: r.Location + "/start", form: form, as: "owner"})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d", rec.Code)
	}
	time.Sleep(100 * time.Millisecond)
	if got := e.countCredentials(); got != before {
		t.Errorf("an invalid file issued %d credentials", got-before)
	}
	jobID := strings.TrimPrefix(r.Location, "/admin/orgs/city-uni/bulk/")
	if j, _ := e.store.BulkJob(context.Background(), jobID); j.State != store.BulkPending {
		t.Errorf("state = %s, want pending", j.State)
	}
}

// TestBulkCheckSavesMappingWithoutIssuing covers the check button of the
// mapping form: the mapping is stored and the page then shows the preview
// and the validation report under it, and nothing is issued.
func TestBulkCheckSavesMappingWithoutIssuing(t *testing.T) {
	e := bulkEnv(t)
	before := e.countCredentials()
	r := e.upload("owner", e.achievementID, "E-mail address,Full name\nann@city.example.edu,Ann\nben@city.example.edu,Ben\n")
	if r.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Code, r.Body)
	}
	if page := e.do(request{method: http.MethodGet, path: r.Location, as: "owner"}).Body.String(); !strings.Contains(page, "no column for email and name") {
		t.Error("the unmapped file's page does not name the missing columns")
	}
	form := url.Values{"column_0": {"E-mail address"}, "map_0": {"email"}, "column_1": {"Full name"}, "map_1": {"name"}, "action": {"check"}}
	if rec := e.do(request{method: http.MethodPost, path: r.Location + "/start", form: form, as: "owner"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	jobID := strings.TrimPrefix(r.Location, "/admin/orgs/city-uni/bulk/")
	j, err := e.store.BulkJob(context.Background(), jobID)
	if err != nil || j.State != store.BulkPending || j.Mapping != "e_mail_address=email\nfull_name=name" {
		t.Fatalf("job after check = %+v, %v; want pending with the mapping", j, err)
	}
	if got := e.countCredentials(); got != before {
		t.Errorf("checking issued %d credentials", got-before)
	}
	page := e.do(request{method: http.MethodGet, path: r.Location, as: "owner"}).Body.String()
	for _, want := range []string{"2 rows, no problems.", `<option value="email" selected>`, `<option value="name" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page after check lacks %q", want)
		}
	}
}
