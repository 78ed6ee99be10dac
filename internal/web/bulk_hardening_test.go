package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/web"
)

// bulkEnvIn is bulkEnv with the upload directory given.
func bulkEnvIn(t *testing.T, dir string) *env {
	e := newEnv(t, envOptions{})
	h, err := web.New(web.Config{Store: e.store, Issuer: e.svc, BaseURL: testBase, Logger: testLogger(t), BulkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = h
	return e
}

// uploads lists the regular files under dir.
func uploads(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func graduates(n int, domain string) string {
	var b strings.Builder
	b.WriteString("email,name,result\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "grad%d@%s,Graduate %d,Distinction\r\n", i, domain, i)
	}
	return b.String()
}

// TestBulkJobValidatedOnceAndUploadRemoved checks that a pending job's
// page validates the file once and keeps the report, and that the upload
// is deleted when the job is cancelled or done while its results stay.
func TestBulkJobValidatedOnceAndUploadRemoved(t *testing.T) {
	dir := t.TempDir()
	e := bulkEnvIn(t, dir)
	ctx := context.Background()

	r := e.upload("issuer", e.achievementID, graduates(5, "a.example"))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Code, r.Body)
	}
	jobPath := r.Location
	jobID := strings.TrimPrefix(jobPath, "/admin/orgs/city-uni/bulk/")
	if page := e.do(request{method: http.MethodGet, path: jobPath, as: "issuer"}).Body.String(); !strings.Contains(page, "5 rows") {
		t.Fatalf("first view lacks the report of 5 rows")
	}
	j, err := e.store.BulkJob(ctx, jobID)
	if err != nil || j.Validation == "" {
		t.Fatalf("job %+v, %v: want its validation report stored", j, err)
	}
	// The file is not read again to show the page: a broken file behind
	// the job's back does not change the report.
	if err := os.WriteFile(j.CSVPath, []byte("email,name,result\nnot an address,X,Y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if page := e.do(request{method: http.MethodGet, path: jobPath, as: "issuer"}).Body.String(); !strings.Contains(page, "5 rows") {
		t.Errorf("second view validated the file again")
	}

	// Cancel removes the upload.
	if rec := e.do(request{method: http.MethodPost, path: jobPath + "/cancel", as: "issuer"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", rec.Code)
	}
	if files := uploads(t, dir); len(files) != 0 {
		t.Errorf("uploads kept after cancel: %v", files)
	}

	// A job that runs to the end removes its upload; its results remain.
	r = e.upload("issuer", e.achievementID, graduates(3, "b.example"))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Code, r.Body)
	}
	form := url.Values{"column_0": {"email"}, "map_0": {"email"}, "column_1": {"name"}, "map_1": {"name"}, "column_2": {"result"}, "map_2": {"result"}}
	if rec := e.do(request{method: http.MethodPost, path: r.Location + "/start", form: form, as: "issuer"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d", rec.Code)
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(uploads(t, dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if files := uploads(t, dir); len(files) != 0 {
		t.Errorf("uploads kept after the job ended: %v", files)
	}
	rec := e.do(request{method: http.MethodGet, path: r.Location + "/results.csv", as: "issuer"})
	if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "b.example") != 3 {
		t.Errorf("results after the upload was removed: %d %s", rec.Code, rec.Body)
	}
	// Uploading the finished file again leaves nothing behind either.
	if r2 := e.upload("issuer", e.achievementID, graduates(3, "b.example")); r2.Location != r.Location {
		t.Errorf("re-upload of a finished file: %q, want its job %q", r2.Location, r.Location)
	}
	if files := uploads(t, dir); len(files) != 0 {
		t.Errorf("re-upload of a finished file kept %v", files)
	}
}

// TestBulkUploadQuota fills an organization's upload space with pending
// jobs and checks that the next upload is refused with a clear message.
func TestBulkUploadQuota(t *testing.T) {
	dir := t.TempDir()
	e := bulkEnvIn(t, dir)
	// Files of about 30 MiB each; 300 MiB is the quota.
	big := func(tag string) string {
		var b strings.Builder
		b.WriteString("email,name,result\n")
		line := strings.Repeat("x", 1000)
		for i := 0; b.Len() < 30<<20; i++ {
			fmt.Fprintf(&b, "%s%d@q.example,%s,ok\n", tag, i, line)
		}
		return b.String()
	}
	refused := false
	for i := range 12 {
		r := e.upload("issuer", e.achievementID, big(fmt.Sprint("f", i)))
		if r.Code == http.StatusSeeOther {
			continue
		}
		if r.Code != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "uploaded files") {
			t.Fatalf("upload %d: %d, want 413 explaining the quota", i, r.Code)
		}
		refused = true
		break
	}
	if !refused {
		t.Fatal("twelve uploads of 30 MiB were all kept")
	}
	var total int64
	for _, f := range uploads(t, dir) {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	if total > 300<<20 {
		t.Errorf("the organization keeps %d MiB of uploads, over the quota", total>>20)
	}
}

// TestBulkLineTooLong uploads a file of one huge line: the job page names
// the problem instead of holding the line in memory.
func TestBulkLineTooLong(t *testing.T) {
	e := bulkEnvIn(t, t.TempDir())
	r := e.upload("issuer", e.achievementID, "email,name\n"+strings.Repeat("a", 8<<20)+"\n")
	if r.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", r.Code)
	}
	page := e.do(request{method: http.MethodGet, path: r.Location, as: "issuer"}).Body.String()
	if !strings.Contains(page, "one row per line") {
		t.Errorf("job page of a file with an 8 MiB line does not name the problem")
	}
}

// slowReader yields its content in pieces with pauses, like an upload
// over a slow link.
type slowReader struct {
	r     io.Reader
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p[:min(len(p), 16<<10)])
}

// TestBulkUploadOutlastsReadTimeout sends a bulk upload more slowly than
// the server's read timeout allows for other requests: the upload route
// extends its own deadline, a slow sign-in form is still cut off.
func TestBulkUploadOutlastsReadTimeout(t *testing.T) {
	e := bulkEnvIn(t, t.TempDir())
	srv := httptest.NewUnstartedServer(e.handler)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("achievement_id", e.achievementID)
	fw, _ := mw.CreateFormFile("csv", "graduates.csv")
	_, _ = fw.Write([]byte(graduates(2000, "slow.example")))
	_ = mw.Close()
	// About 100 KiB in 16 KiB pieces, 150 ms apart: over a second.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/orgs/city-uni/bulk", &slowReader{r: &body, pause: 150 * time.Millisecond})
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", e.logins["issuer"].CSRF)
	req.AddCookie(&http.Cookie{Name: "microcred_session", Value: e.logins["issuer"].Token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("slow upload: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("slow upload: %d, want 303", resp.StatusCode)
	}

	form := url.Values{"email": {"owner@example.edu"}, "password": {"wrong password here"}}.Encode()
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/login", &slowReader{r: strings.NewReader(form + "&pad=" + strings.Repeat("x", 64<<10-len(form)-10)), pause: 150 * time.Millisecond})
	req.ContentLength = 64<<10 - 5
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("slow sign-in form: %d, want it cut off", resp.StatusCode)
		}
	}
}
