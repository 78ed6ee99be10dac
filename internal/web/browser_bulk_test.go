package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
)

// txGate is a store whose write transactions wait for the test's
// permission while the gate is held. Holding it makes a background bulk
// job advance in steps the test chooses, so that the test can watch the
// page follow the job without guessing how fast the machine issues.
type txGate struct {
	store.Store
	tokens chan struct{}

	mu     sync.Mutex
	held   bool
	opened chan struct{} // closed when the gate opens
}

func newTxGate(st store.Store) *txGate {
	return &txGate{Store: st, tokens: make(chan struct{}, 1024)}
}

// hold makes every later transaction wait for a token from allow.
func (g *txGate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.held {
		g.held, g.opened = true, make(chan struct{})
	}
}

// allow lets n more transactions through a held gate.
func (g *txGate) allow(n int) {
	for range n {
		g.tokens <- struct{}{}
	}
}

// open lets every transaction through, the waiting ones included.
func (g *txGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held {
		g.held = false
		close(g.opened)
	}
}

// WithTx waits for the gate, then runs fn in a transaction of the store.
func (g *txGate) WithTx(ctx context.Context, fn func(store.Store) error) error {
	g.mu.Lock()
	held, opened := g.held, g.opened
	g.mu.Unlock()
	if held {
		select {
		case <-g.tokens:
		case <-opened:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.Store.WithTx(ctx, fn)
}

// WriteConcurrency passes on the store's, so that the issuer batches its
// writes as it does on the store itself.
func (g *txGate) WriteConcurrency() int {
	if c, ok := g.Store.(store.WriteConcurrency); ok {
		return c.WriteConcurrency()
	}
	return 0
}

// bulkHeader is the header of the registrar's export the test uploads:
// none of its names is a field name, so every column must be mapped.
const bulkHeader = "Student number,Full name,E-mail address,Completion date,Grade\r\n"

// bulkMapping is the mapping chosen on the page, column by column.
var bulkMapping = []string{bulk.FieldIdentifier, bulk.FieldName, bulk.FieldEmail, bulk.FieldValidFrom, bulk.FieldResult}

// bulkLearner is one generated row of the good file.
type bulkLearner struct {
	id, name, email, grade string
}

func bulkLearners(n int) []bulkLearner {
	out := make([]bulkLearner, n)
	for i := range out {
		l := bulkLearner{id: fmt.Sprintf("S2025-%04d", i+1), name: fmt.Sprintf("Learner %03d", i+1),
			email: fmt.Sprintf("learner%03d@harbour.example.edu", i+1), grade: "Merit"}
		if i%2 == 0 {
			l.grade = "Distinction"
		}
		out[i] = l
	}
	// A name that needs quoting and is not ASCII, on the first row, where
	// the preview and the public page show it.
	out[0].name, out[0].email = "Ångström, Zoë", "zoe.angstrom@harbour.example.edu"
	return out
}

// writeCSV writes content to name in a fresh directory and returns its path.
func writeCSV(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// progressView is what the progress box of a job page shows.
type progressView struct {
	Marker string `json:"marker"` // window.liveMarker, "" after a reload
	Ready  string `json:"ready"`  // document.readyState
	State  string `json:"state"`
	Done   string `json:"done"`
	Total  string `json:"total"`
	Failed string `json:"failed"`
	Bar    string `json:"bar"` // the progress element's value attribute
}

// readProgress reads the progress box; the marker tells a page reloaded
// since it was set.
const readProgress = `(() => {
  const box = document.getElementById("bulk-progress");
  const f = (name) => { const el = box && box.querySelector('[data-field="' + name + '"]'); return el ? el.textContent : ""; };
  const bar = box && box.querySelector('[data-field="bar"]');
  return {marker: window.liveMarker || "", ready: document.readyState, state: f("state"), done: f("done"),
    total: f("total"), failed: f("failed"), bar: bar ? bar.getAttribute("value") : ""};
})()`

// previewTable is the mapping form's table: the field chosen for each
// column and the rows shown.
type previewTable struct {
	Columns []string   `json:"columns"`
	Fields  []string   `json:"fields"`
	Rows    [][]string `json:"rows"`
}

const readPreview = `(() => {
  const table = document.querySelector('form.form[action$="/start"] table');
  return {
    columns: [...table.querySelectorAll('thead tr:first-child th')].map((th) => th.textContent.trim()),
    fields: [...table.querySelectorAll('thead select')].map((s) => s.value),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent)),
  };
})()`

// waitJS evaluates expr in the tab every 100 ms until ok accepts its
// value, tolerating errors while a page loads, and fails the test after
// timeout with the last value or error seen.
func waitJS[T any](b *browserEnv, what string, timeout time.Duration, expr string, ok func(T) bool) T {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var last T
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		cancel()
		if err == nil {
			last, lastErr = v, nil
			if ok(v) {
				return v
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not seen within %s (last value %+v, last error %v)", what, timeout, last, lastErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// evalJS evaluates expr in the tab once.
func evalJS[T any](b *browserEnv, what, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestBrowserBulkIssuance drives the bulk issuance pages in a real
// headless Chromium: a registrar's export whose columns must be mapped, a
// file with bad rows that is refused with a report naming line and column,
// then 1,000 rows mapped, previewed, started and watched live until done,
// the per-row results downloaded and one public link verified.
//
// The issuance service writes through a txGate that the test holds while
// the job runs, releasing one write transaction at a time: the page must
// show each portion without a reload, whatever the speed of the machine.
// A transaction carries at most 256 credentials (the issuer's batch
// bound), so two of them leave the job unfinished.
func TestBrowserBulkIssuance(t *testing.T) {
	var gate *txGate
	b := newBrowserEnv(t, browserOptions{
		issuerStore: func(st store.Store) store.Store { gate = newTxGate(st); return gate },
		bulkWorkers: 1,
	})
	// Registered last, so it runs first: a job waiting on the gate would
	// hold up the bulk manager's Close.
	t.Cleanup(gate.open)
	ctx := context.Background()

	ach := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	ach.StacksInto = nil
	if _, err := b.svc.SaveAchievement(ctx, b.org.ID, &ach, b.owner.ID); err != nil {
		t.Fatal(err)
	}
	countIssued := func() int64 {
		t.Helper()
		n, err := b.store.CountCredentials(ctx, store.CredentialQuery{OrgID: b.org.ID})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	const rows = 1000
	learners := bulkLearners(rows)
	var good strings.Builder
	good.WriteString(bulkHeader)
	cw := csv.NewWriter(&good)
	cw.UseCRLF = true
	for _, l := range learners {
		_ = cw.Write([]string{l.id, l.name, l.email, "2025-06-30", l.grade})
	}
	cw.Flush()
	goodPath := writeCSV(t, "registrar-export.csv", good.String())
	badPath := writeCSV(t, "registrar-export-errors.csv", bulkHeader+
		"S2025-9001,Ann Example,ann@harbour.example.edu,2025-06-30,Pass\r\n"+
		"S2025-9002,Ben Example,ben.harbour.example.edu,2025-06-30,Pass\r\n"+
		"S2025-9003,Cy Example,cy@harbour.example.edu,2025-06-30,Pass\r\n"+
		"S2025-9004,Di Example,di@harbour.example.edu,2025-02-30,Pass\r\n")

	bulkPage := b.base + "/admin/orgs/" + b.org.Slug + "/bulk"
	mapSelects := make([]chromedp.Action[chromedp.Void], 0, len(bulkMapping))
	for i, f := range bulkMapping {
		mapSelects = append(mapSelects, setValue("#map_"+strconv.Itoa(i), f))
	}
	// submitTo clicks a button of the mapping form and waits for the page
	// it leads to. The flash of the current page is removed first, so that
	// the wait sees the next page's and not this one's.
	submitTo := func(action string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := chromedp.Evaluate[bool](`document.querySelectorAll(".flash").forEach((el) => el.remove()); true`)(ctx, t)
				return err
			}),
			chromedp.Click(chromedp.CSS(`form.form button[name="action"][value="`+action+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		)
	}
	checkButton, startButton := submitTo("check"), submitTo("start")
	// upload opens the bulk page, uploads path and waits for its job page.
	upload := func(path string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(bulkPage),
			chromedp.WaitVisible(chromedp.CSS(`#csv`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#csv`), []string{path}),
			chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#map_0`)),
		}
	}
	flash := func() string {
		t.Helper()
		return evalJS[string](b, "flash", `(document.querySelector(".flash") || {textContent: ""}).textContent`)
	}
	jobOf := func() store.BulkJob {
		t.Helper()
		loc := evalJS[string](b, "location", `location.pathname`)
		id, ok := strings.CutPrefix(loc, "/admin/orgs/"+b.org.Slug+"/bulk/")
		if !ok {
			t.Fatalf("browser at %q, want a bulk job page", loc)
		}
		j, err := b.store.BulkJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}

	b.signIn("bulk-00-signed-in")

	// 1. The file with two bad rows: its columns are not field names, so
	// the page asks for a mapping before it can validate anything.
	b.do("upload the bad file", upload(badPath)...)
	if page := evalJS[string](b, "job page", `document.querySelector("main").textContent`); !strings.Contains(page, "no column for email and name") {
		t.Errorf("the job page of an unmapped file does not say which columns are missing:\n%s", page)
	}
	b.step("bulk-01-mapping", mapSelects...)
	b.step("bulk-02-validation-report", checkButton)
	problems := evalJS[[]string](b, "problems", `[...document.querySelectorAll("ul.problems li")].map((li) => li.textContent)`)
	wantProblems := []string{
		`line 3, column E-mail address: "ben.harbour.example.edu" is not an email address`,
		`line 5, column Completion date: "2025-02-30" is not a date`,
	}
	if len(problems) != len(wantProblems) {
		t.Errorf("validation report lists %q, want %d problems", problems, len(wantProblems))
	}
	for _, want := range wantProblems {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("validation report %q lacks %q", problems, want)
		}
	}
	if f := flash(); !strings.Contains(f, "2 problems; nothing was issued") {
		t.Errorf("flash after checking the bad file = %q", f)
	}
	// Starting it anyway is refused and issues nothing.
	b.do("start the bad file", startButton)
	if f := flash(); !strings.Contains(f, "2 problems; nothing was issued") {
		t.Errorf("flash after starting the bad file = %q", f)
	}
	if j := jobOf(); j.State != store.BulkPending || j.Done != 0 {
		t.Errorf("bad file's job: state %s, %d done; want pending, 0", j.State, j.Done)
	}
	if n := countIssued(); n != 0 {
		t.Fatalf("the bad file issued %d credentials", n)
	}

	// 2. The good file: map, check, preview.
	b.do("upload the good file", upload(goodPath)...)
	b.do("map the good file", mapSelects...)
	b.do("check the good file", checkButton)
	if f := flash(); !strings.Contains(f, fmt.Sprintf("Mapping saved: %d rows, no problems", rows)) {
		t.Fatalf("flash after checking the good file = %q", f)
	}
	b.screenshot("bulk-03-preview")
	if n := countIssued(); n != 0 {
		t.Fatalf("checking the mapping issued %d credentials", n)
	}
	preview := evalJS[previewTable](b, "preview table", readPreview)
	if !slices.Equal(preview.Fields, bulkMapping) {
		t.Fatalf("the preview maps the columns %q to %q, want %q", preview.Columns, preview.Fields, bulkMapping)
	}
	if len(preview.Rows) != 10 {
		t.Errorf("the preview shows %d rows, want the first 10", len(preview.Rows))
	}
	for i, row := range preview.Rows {
		mapped := map[string]string{}
		for c, v := range row {
			if c < len(preview.Fields) {
				mapped[preview.Fields[c]] = v
			}
		}
		l := learners[i]
		want := map[string]string{bulk.FieldIdentifier: l.id, bulk.FieldName: l.name, bulk.FieldEmail: l.email,
			bulk.FieldValidFrom: "2025-06-30", bulk.FieldResult: l.grade}
		for f, v := range want {
			if mapped[f] != v {
				t.Errorf("preview row %d: %s = %q, want %q", i+1, f, mapped[f], v)
			}
		}
	}
	if page := evalJS[string](b, "job page", `document.querySelector("main").textContent`); !strings.Contains(page, fmt.Sprintf("%d rows, no problems.", rows)) {
		t.Errorf("the preview's validation section does not report %d rows without problems", rows)
	}

	// 3. Start with the gate held: the job waits at its first row.
	gate.hold()
	b.do("start the good file", startButton)
	if f := flash(); !strings.Contains(f, "Started") {
		t.Fatalf("flash after starting = %q", f)
	}
	job := jobOf()
	if !strings.Contains(job.Mapping, "e_mail_address=email") || !strings.Contains(job.Mapping, "student_number=identifier") {
		t.Errorf("job mapping = %q", job.Mapping)
	}
	evalJS[bool](b, "mark the page", `window.liveMarker = "not reloaded"; true`)
	before := waitJS(b, "the job running with nothing issued", 20*time.Second, readProgress, func(p progressView) bool {
		return p.Marker != "" && (p.State == "running" || p.State == "validating") && p.Done == "0"
	})
	seen := []progressView{before}
	for portion := range 2 {
		gate.allow(1)
		prev, _ := strconv.Atoi(seen[len(seen)-1].Done)
		p := waitJS(b, fmt.Sprintf("portion %d on the page", portion+1), 30*time.Second, readProgress, func(p progressView) bool {
			n, err := strconv.Atoi(p.Done)
			return p.Marker == "" || (err == nil && n > prev)
		})
		if p.Marker == "" {
			t.Fatalf("the page reloaded while the job ran (progress %+v); it must update in place", p)
		}
		done, _ := strconv.Atoi(p.Done)
		if p.State != "running" || p.Total != strconv.Itoa(rows) || done >= rows || p.Failed != "0" {
			t.Errorf("live progress %+v, want running with %d rows and fewer than %d issued", p, rows, rows)
		}
		if want := strconv.Itoa(100 * done / rows); p.Bar != want && p.Bar != strconv.Itoa((100*done+rows/2)/rows) {
			t.Errorf("progress bar value %q with %d of %d done, want about %s", p.Bar, done, rows, want)
		}
		if p.Bar == seen[len(seen)-1].Bar && p.Done == seen[len(seen)-1].Done {
			t.Errorf("progress element unchanged: %+v", p)
		}
		seen = append(seen, p)
	}
	b.screenshot("bulk-04-progress")
	t.Logf("live progress seen without a reload: %+v", seen)

	// The rest at full speed; when the job stops the page reloads once so
	// that its buttons match the state.
	gate.open()
	final := waitJS(b, "the job done", 60*time.Second, readProgress, func(p progressView) bool {
		return p.Marker == "" && p.State == "done" && p.Ready == "complete"
	})
	if final.Done != strconv.Itoa(rows) || final.Total != strconv.Itoa(rows) || final.Failed != "0" || final.Bar != "100" {
		t.Errorf("final progress %+v, want %d of %d issued, none failed, bar at 100", final, rows, rows)
	}
	b.step("bulk-05-done", chromedp.WaitVisible(chromedp.CSS(`a[href$="/results.csv"]`)))
	if n := countIssued(); n != rows {
		t.Errorf("%d credentials issued, want %d", n, rows)
	}

	// 4. The per-row results, fetched by the signed-in browser.
	text := evalJS[string](b, "results.csv", `fetch(document.querySelector('a[href$="/results.csv"]').href, {credentials: "same-origin"})
  .then((r) => r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)))`, chromedp.EvalAwaitPromise)
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("results.csv: %v", err)
	}
	if len(recs) != rows+1 || !slices.Equal(recs[0], bulk.ResultsHeader) {
		t.Fatalf("results.csv: %d lines, header %q; want %d rows under %q", len(recs), recs[0], rows, bulk.ResultsHeader)
	}
	ids := map[string]bool{}
	for i, rec := range recs[1:] {
		l := learners[i]
		if rec[0] != strconv.Itoa(i+1) || rec[2] != l.email || !strings.HasPrefix(rec[3], "urn:uuid:") ||
			!strings.HasPrefix(rec[4], b.base+"/c/") || rec[5] != "" {
			t.Errorf("results row %d = %q", i+1, rec)
		}
		ids[rec[3]] = true
	}
	if len(ids) != rows {
		t.Errorf("%d distinct credential ids in %d rows", len(ids), rows)
	}
	// The mapped columns reached the credential.
	c, err := b.store.Credential(ctx, recs[1][3])
	if err != nil {
		t.Fatal(err)
	}
	if c.RecipientName != learners[0].name || !c.ValidFrom.Equal(time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)) ||
		!strings.Contains(string(c.Document), `"identityHash":"`+learners[0].id+`"`) || !strings.Contains(string(c.Document), `"value":"`+learners[0].grade+`"`) ||
		strings.Contains(string(c.Document), "Learner identifier:") {
		t.Errorf("first credential: name %q, valid from %s, document lacks the identifier or the result: %s", c.RecipientName, c.ValidFrom, c.Document)
	}

	// One public link, as an anonymous visitor.
	b.step("bulk-06-public-verified",
		clearCookies(),
		chromedp.Navigate(recs[1][4]),
		chromedp.WaitVisible(chromedp.CSS(`.verdict-title`)),
	)
	verdict := evalJS[string](b, "verdict", `document.querySelector(".verdict-title").textContent`)
	if !strings.Contains(verdict, "Verified") || strings.Contains(verdict, "Not verified") {
		t.Errorf("public page verdict = %q, want Verified", verdict)
	}
	page := evalJS[string](b, "public page", `document.querySelector("main").textContent`)
	for _, want := range []string{learners[0].name, ach.Name, b.org.Name} {
		if !strings.Contains(page, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
}
