package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// maxBulkUploadBytes bounds a bulk CSV upload, on its route only: 240,000
// rows of a registrar's export are about 20 MB.
const maxBulkUploadBytes = 100 << 20

// maxOrgUploadBytes bounds the uploaded files an organization keeps for
// jobs that have not ended (three files of the largest size): a file is
// deleted when its job is done or cancelled, and further uploads wait
// until then.
const maxOrgUploadBytes = 300 << 20

// bulkUploadTimeout is how long the upload route may take to receive its
// body (and answer), instead of the server's read and write timeouts:
// 100 MiB over a 1 Mbit/s link take about 14 minutes.
const bulkUploadTimeout = 20 * time.Minute

// isBulkUpload reports whether r uploads a bulk CSV file
// (POST /admin/orgs/{slug}/bulk), which gets the large body limit.
func isBulkUpload(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/admin/orgs/")
	if !ok {
		return false
	}
	slug, tail, _ := strings.Cut(rest, "/")
	return slug != "" && tail == "bulk"
}

func (s *server) bulkRoutes(mux *http.ServeMux) {
	if s.bulk == nil {
		s.bulk = &bulk.Manager{Runner: &bulk.Runner{Store: s.store, Issuer: s.issuer}, Logger: s.log}
	}
	if s.bulkDir == "" {
		s.bulkDir = filepath.Join(os.TempDir(), "microcred-bulk")
	}
	mux.HandleFunc("GET /admin/orgs/{slug}/bulk", s.orgRoute(catalogRoles, s.bulkJobs))
	mux.HandleFunc("POST /admin/orgs/{slug}/bulk", s.orgRoute(catalogRoles, s.bulkUpload))
	mux.HandleFunc("GET /admin/orgs/{slug}/bulk/{id}", s.orgRoute(catalogRoles, s.bulkJobPage))
	mux.HandleFunc("GET /admin/orgs/{slug}/bulk/{id}/progress.json", s.orgRoute(catalogRoles, s.bulkProgress))
	mux.HandleFunc("GET /admin/orgs/{slug}/bulk/{id}/results.csv", s.orgRoute(catalogRoles, s.bulkResults))
	mux.HandleFunc("POST /admin/orgs/{slug}/bulk/{id}/start", s.orgRoute(catalogRoles, s.bulkStart))
	mux.HandleFunc("POST /admin/orgs/{slug}/bulk/{id}/pause", s.orgRoute(catalogRoles, s.bulkPause))
	mux.HandleFunc("POST /admin/orgs/{slug}/bulk/{id}/cancel", s.orgRoute(catalogRoles, s.bulkCancel))
}

type bulkListData struct {
	Org          store.Organization
	Role         store.Role
	Achievements []store.CatalogEntry
	Jobs         []store.BulkJob
	MaxMB        int
}

func (s *server) bulkJobs(w http.ResponseWriter, r *http.Request) {
	s.renderBulkJobs(w, r, nil)
}

func (s *server) renderBulkJobs(w http.ResponseWriter, r *http.Request, errs formErrors) {
	s.renderBulkJobsStatus(w, r, 0, errs)
}

// renderBulkJobsStatus is renderBulkJobs with the status code of the
// answer (0: the form's usual one).
func (s *server) renderBulkJobsStatus(w http.ResponseWriter, r *http.Request, status int, errs formErrors) {
	oc := currentOrg(r)
	entries, err := s.store.SearchAchievements(r.Context(), issue.Listed(store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000}))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	jobs, err := s.store.ListBulkJobs(r.Context(), oc.Org.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list bulk jobs: %w", err))
		return
	}
	data := bulkListData{Org: oc.Org, Role: oc.Role, Achievements: entries, Jobs: jobs, MaxMB: maxBulkUploadBytes >> 20}
	if status == 0 {
		s.renderForm(w, r, "bulk", "Bulk issuance", data, errs)
		return
	}
	s.renderWith(w, r, status, "bulk", pageData{Title: "Bulk issuance", Data: data, Errors: errs})
}

// bulkUpload stores the uploaded file under the bulk directory, named by
// its digest, and creates (or finds) its job; the job page then offers the
// column mapping and the preview.
func (s *server) bulkUpload(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	var errs formErrors
	achID := r.PostFormValue("achievement_id")
	if a, err := s.store.Achievement(r.Context(), achID); err != nil || a.OrgID != oc.Org.ID {
		errs.add("achievement_id", "Choose an achievement of this organization.")
	}
	file, hdr, err := r.FormFile("csv")
	if err != nil {
		errs.add("csv", "Choose a CSV file to upload.")
	}
	if errs.Any() {
		s.renderBulkJobs(w, r, errs)
		return
	}
	defer file.Close()
	path, sum, err := s.saveUpload(oc.Org.ID, achID, file)
	var over *uploadQuotaError
	if errors.As(err, &over) {
		errs.add("csv", fmt.Sprintf("This organization already keeps %d MB of uploaded files for jobs that have not ended, and %d MB is the most it may keep. Start, finish or cancel those jobs, then upload this file again.",
			over.kept>>20, maxOrgUploadBytes>>20))
		s.renderBulkJobsStatus(w, r, http.StatusRequestEntityTooLarge, errs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	j, created, err := s.store.CreateBulkJob(r.Context(), store.BulkJob{OrgID: oc.Org.ID, AchievementID: achID, CSVSHA256: sum,
		CSVPath: path, FileName: filepath.Base(hdr.Filename), Notify: true, CreatedBy: currentViewer(r).User.ID})
	if err != nil {
		os.Remove(path)
		s.serverError(w, r, fmt.Errorf("create bulk job: %w", err))
		return
	}
	if !created {
		// The job has its own copy, unless it has ended and needs none.
		if j.CSVPath != path {
			os.Remove(path)
		} else if err := bulk.RemoveUpload(j); err != nil {
			s.log.Error("bulk upload: remove the copy of an ended job's file", "job", j.ID, "err", err)
		}
		s.setFlash(w, "This file was uploaded for this achievement before; here is its job.")
	}
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
}

// saveUpload copies the upload to BulkDir/<org>/<achievement>-<sha256>.csv,
// streaming, and returns the path and the digest. The name is that of the
// job the file makes (one per organization, achievement and file), so the
// file can be deleted with its job. It fails with *uploadQuotaError when
// the organization's kept uploads and this one would pass
// maxOrgUploadBytes.
func (s *server) saveUpload(orgID, achID string, src io.Reader) (path, sum string, err error) {
	dir := filepath.Join(s.bulkDir, orgID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("bulk upload: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return "", "", fmt.Errorf("bulk upload: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		tmp.Close()
		return "", "", fmt.Errorf("bulk upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", "", fmt.Errorf("bulk upload: %w", err)
	}
	kept, err := keptBytes(dir)
	if err != nil {
		return "", "", err
	}
	if kept+size > maxOrgUploadBytes {
		return "", "", &uploadQuotaError{kept: kept}
	}
	sum = hex.EncodeToString(h.Sum(nil))
	path = filepath.Join(dir, achID+"-"+sum+".csv")
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", "", fmt.Errorf("bulk upload: %w", err)
	}
	return path, sum, nil
}

// uploadQuotaError reports an upload refused because the organization
// already keeps kept bytes of uploads.
type uploadQuotaError struct{ kept int64 }

func (e *uploadQuotaError) Error() string {
	return fmt.Sprintf("bulk upload: the organization keeps %d bytes of uploads", e.kept)
}

// keptBytes sums the sizes of the uploads kept in an organization's
// directory (files of unfinished uploads, named ".upload-*", included).
func keptBytes(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("bulk upload: %w", err)
	}
	var n int64
	for _, de := range entries {
		if !de.Type().IsRegular() {
			continue
		}
		fi, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("bulk upload: %w", err)
		}
		n += fi.Size()
	}
	return n, nil
}

// loadJob returns the job named in the path if it belongs to the
// organization of the route.
func (s *server) loadJob(w http.ResponseWriter, r *http.Request) (store.BulkJob, bool) {
	j, err := s.store.BulkJob(r.Context(), r.PathValue("id"))
	if err != nil || j.OrgID != currentOrg(r).Org.ID {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, fmt.Errorf("load bulk job: %w", err))
			return j, false
		}
		s.notFound(w, r)
		return j, false
	}
	return j, true
}

// bulkColumn is one CSV column on the mapping form.
type bulkColumn struct {
	Index  int
	Name   string
	Field  string // current mapping, "" for ignored
	Sample string
}

type bulkJobData struct {
	Org         store.Organization
	Role        store.Role
	Job         store.BulkJob
	Achievement string
	Columns     []bulkColumn
	Fields      []string
	Preview     [][]string
	Problems    []string
	ProblemsN   int
	Rows        int
	HeaderError string
	Live        bool // the page should refresh: the job is moving
	Progress    bulkProgressJSON
}

// maxShownProblems bounds the problems listed on the page; the count is
// always exact and the CLI dry run lists them all.
const maxShownProblems = 200

func (s *server) bulkJobPage(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	j, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	d := bulkJobData{Org: oc.Org, Role: oc.Role, Job: j, Fields: bulk.Fields, Progress: s.progressOf(j)}
	if a, err := s.store.Achievement(r.Context(), j.AchievementID); err == nil {
		if v, err := s.store.AchievementVersion(r.Context(), a.ID, a.CurrentVersion); err == nil {
			d.Achievement = v.Name
		}
	}
	d.Live = j.State == store.BulkRunning || j.State == store.BulkValidating
	if j.State == store.BulkPending || j.State == store.BulkFailed {
		if err := s.preview(r.Context(), &d); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "bulk_job", "Bulk job "+j.FileName, d)
}

// preview fills the mapping form, the first rows and the validation
// report of a job not started yet.
func (s *server) preview(ctx context.Context, d *bulkJobData) error {
	m, err := bulk.ParseMapping(strings.Split(d.Job.Mapping, "\n"))
	if err != nil {
		m = nil
	}
	f, err := os.Open(d.Job.CSVPath)
	if err != nil {
		d.HeaderError = "The uploaded file is no longer on this server; upload it again."
		return nil
	}
	defer f.Close()
	header, rows, err := bulk.Peek(f, 10)
	if err != nil {
		d.HeaderError = "The first line of the file cannot be read as CSV column names."
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("bulk preview: %w", err)
	}
	var fields []string
	if rd, err := bulk.NewReader(f, m); err != nil {
		d.HeaderError = strings.TrimPrefix(err.Error(), bulk.ErrHeader.Error()+": ")
	} else {
		fields = rd.Columns()
	}
	for i, h := range header {
		c := bulkColumn{Index: i, Name: h}
		if i < len(fields) {
			c.Field = fields[i]
		}
		d.Columns = append(d.Columns, c)
	}
	for _, rec := range rows {
		line := make([]string, len(header))
		copy(line, rec)
		d.Preview = append(d.Preview, line)
	}
	if d.HeaderError != "" {
		return nil
	}
	// The file is validated once per mapping and the report kept with the
	// job: reading a large file again for every view of the page cost
	// seconds and, for a file of one long line, gigabytes.
	rep, ok := bulk.SavedReport(d.Job)
	if !ok {
		runner := &bulk.Runner{Store: s.store, Issuer: s.issuer}
		if rep, err = runner.ValidateJob(ctx, d.Job, m, maxShownProblems); err != nil {
			return fmt.Errorf("bulk preview: %w", err)
		}
	}
	d.Problems, d.ProblemsN, d.Rows = rep.Shown, rep.Problems, rep.Rows
	return nil
}

// bulkStart records the column mapping chosen on the form and starts the
// job in the background. A job with problems is not started: the page
// shows them again. With action=check it only records the mapping and
// validates, so that a file whose columns needed mapping gets its preview
// and validation report before anything is issued.
func (s *server) bulkStart(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	j, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	switch j.State {
	case store.BulkPending, store.BulkFailed, store.BulkPaused:
	default:
		s.setFlash(w, "The job is "+string(j.State)+"; it cannot be started now.")
		seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
		return
	}
	if j.State != store.BulkPaused {
		// The mapping may change until the first row is issued.
		var pairs []string
		for i := 0; i < 200; i++ {
			col, ok := r.PostForm["column_"+strconv.Itoa(i)]
			if !ok {
				break
			}
			field := r.PostFormValue("map_" + strconv.Itoa(i))
			if field == "" {
				field = bulk.FieldIgnore
			}
			pairs = append(pairs, col[0]+"="+field)
		}
		m, err := bulk.ParseMapping(pairs)
		if err != nil {
			s.setFlash(w, "The column mapping is not valid: "+err.Error())
			seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
			return
		}
		notify := r.PostFormValue("notify") != ""
		if err := s.setJobOptions(r.Context(), j, m.String(), notify); err != nil {
			s.serverError(w, r, err)
			return
		}
		j.Mapping = m.String()
		// Validate now, so that a file with problems comes straight back
		// to the report instead of failing in the background.
		runner := &bulk.Runner{Store: s.store, Issuer: s.issuer}
		v, err := runner.ValidateJob(r.Context(), j, m, maxShownProblems)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !v.OK() {
			s.setFlash(w, fmt.Sprintf("The file has %d problems; nothing was issued. Fix the file or the mapping and upload it again.", v.Problems))
			seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
			return
		}
		if r.PostFormValue("action") == "check" {
			s.setFlash(w, fmt.Sprintf("Mapping saved: %d rows, no problems. Check the preview, then start issuing.", v.Rows))
			seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
			return
		}
	}
	if _, err := s.store.SetBulkJobState(r.Context(), j.ID, store.BulkRunning, "", -1, j.State); err != nil {
		s.serverError(w, r, fmt.Errorf("start bulk job: %w", err))
		return
	}
	s.bulk.Start(r.Context(), j.ID)
	s.setFlash(w, "Started. This page shows the progress.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
}

// setJobOptions stores the mapping and the notify choice of a job that
// has not issued anything yet (the store refuses it otherwise).
func (s *server) setJobOptions(ctx context.Context, j store.BulkJob, mapping string, notify bool) error {
	if j.Mapping == mapping && j.Notify == notify {
		return nil
	}
	if err := s.store.SetBulkJobOptions(ctx, j.ID, mapping, notify); err != nil {
		return fmt.Errorf("bulk job options: %w", err)
	}
	return nil
}

type bulkProgressJSON struct {
	ID         string  `json:"id"`
	State      string  `json:"state"`
	Total      int     `json:"total"`
	Done       int     `json:"done"`
	Failed     int     `json:"failed"`
	Percent    float64 `json:"percent"`
	RatePerS   float64 `json:"rate_per_s"`
	ETASeconds float64 `json:"eta_seconds"`
	Error      string  `json:"error,omitempty"`
}

func (s *server) progressOf(j store.BulkJob) bulkProgressJSON {
	p := bulkProgressJSON{ID: j.ID, State: string(j.State), Total: j.Total, Done: j.Done, Failed: j.Failed, Error: j.Error}
	if live, ok := s.bulk.Progress(j.ID); ok && live.Job.ID != "" {
		p.RatePerS = live.Rate()
		p.ETASeconds = live.ETA().Seconds()
	}
	if j.Total > 0 {
		p.Percent = 100 * float64(j.Done+j.Failed) / float64(j.Total)
	}
	return p
}

func (s *server) bulkProgress(w http.ResponseWriter, r *http.Request) {
	j, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, s.progressOf(j))
}

func (s *server) bulkResults(w http.ResponseWriter, r *http.Request) {
	j, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="results-`+j.ID+`.csv"`)
	h.Set("Cache-Control", "no-store")
	if err := bulk.WriteResults(r.Context(), s.store, s.issuer, j.ID, w); err != nil {
		// Headers are gone; the log has the cause and the file ends short.
		s.log.Error("bulk results", "job", j.ID, "err", err)
	}
}

func (s *server) bulkPause(w http.ResponseWriter, r *http.Request) {
	s.bulkControl(w, r, bulk.Pause, "Paused: the rows in flight finish, then the job waits. Start resumes it.")
}

func (s *server) bulkCancel(w http.ResponseWriter, r *http.Request) {
	s.bulkControl(w, r, bulk.Cancel, "Cancelled. Credentials already issued stay issued.")
}

func (s *server) bulkControl(w http.ResponseWriter, r *http.Request, op func(context.Context, store.Store, string) (store.BulkJob, error), done string) {
	oc := currentOrg(r)
	j, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	if nj, err := op(r.Context(), s.store, j.ID); err != nil {
		if !errors.Is(err, store.ErrConflict) {
			s.serverError(w, r, err)
			return
		}
		done = "The job is " + string(j.State) + "; nothing changed."
	} else if err := bulk.RemoveUpload(nj); err != nil {
		// A cancelled job needs its file no more (a running one stops
		// after the rows in flight, which it has read already).
		s.log.Error("bulk: remove upload", "job", j.ID, "err", err)
	}
	s.setFlash(w, done)
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/bulk/"+j.ID)
}
