package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/demo"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

var (
	editorFormRE = regexp.MustCompile(`(?s)<form class="form wide editor"[^>]*>(.*?)</form>`)
	controlRE    = regexp.MustCompile(`(?s)<input\b([^>]*)>|<select\b([^>]*)>(.*?)</select>|<textarea\b([^>]*)>(.*?)</textarea>`)
	attrRE       = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
	optionRE     = regexp.MustCompile(`<option\b([^>]*)>`)
	documentRE   = regexp.MustCompile(`(?s)<textarea id="document"[^>]*>(.*?)</textarea>`)
)

func htmlAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

// editorFields returns what a browser posts from the page's editor form
// without a button: every named input, the checked boxes and radios, the
// selected options and the textareas.
func editorFields(t *testing.T, page string) url.Values {
	t.Helper()
	m := editorFormRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no editor form in the page:\n%s", page)
	}
	v := url.Values{}
	for _, c := range controlRE.FindAllStringSubmatch(m[1], -1) {
		switch {
		case c[1] != "":
			a := htmlAttrs(c[1])
			if a["name"] == "" {
				continue
			}
			if (a["type"] == "checkbox" || a["type"] == "radio") && !strings.Contains(c[1], " checked") {
				continue
			}
			v.Add(a["name"], a["value"])
		case c[2] != "":
			a := htmlAttrs(c[2])
			val := ""
			for i, o := range optionRE.FindAllStringSubmatch(c[3], -1) {
				oa := htmlAttrs(o[1])
				if i == 0 || strings.Contains(o[1], " selected") {
					val = oa["value"]
				}
			}
			v.Add(a["name"], val)
		case c[4] != "":
			v.Add(htmlAttrs(c[4])["name"], html.UnescapeString(c[5]))
		}
	}
	v.Del("csrf_token")
	return v
}

// documentOf returns the JSON the page's advanced editor shows.
func documentOf(t *testing.T, page string) string {
	t.Helper()
	m := documentRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no JSON editor in the page")
	}
	return html.UnescapeString(m[1])
}

// sameDocument compares two pathway or scheme documents as the engine
// reads them, before validation fills in anything.
func sameDocument(t *testing.T, kind store.PathwayKind, a, b []byte) (string, string) {
	t.Helper()
	norm := func(doc []byte) string {
		var v any = &pathway.Pathway{}
		if kind == store.PathwayKindScheme {
			v = &pathway.Scheme{}
		}
		dec := json.NewDecoder(strings.NewReader(string(doc)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("decode %s: %v", doc, err)
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return norm(a), norm(b)
}

// TestPathwayEditorRoundTripDemo: each demo pathway and scheme, opened in
// the editor and saved unchanged, is saved as a new version with the
// very same document.
func TestPathwayEditorRoundTripDemo(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := newService(t, st, testBase)
	if _, err := demo.Seed(ctx, svc, st); err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Config{Store: st, Issuer: svc, BaseURL: testBase, Demo: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, svc: svc, handler: h, users: map[string]store.User{}, logins: map[string]login{}}
	org, err := st.OrganizationBySlug(ctx, demo.UniversitySlug)
	if err != nil {
		t.Fatal(err)
	}
	members, err := st.ListOrgMembers(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Role == store.RoleOwner {
			e.logins["owner"] = e.startSession(m.UserID)
		}
	}
	n := 0
	for _, kind := range []store.PathwayKind{store.PathwayKindPathway, store.PathwayKindScheme} {
		defs, err := st.ListPathwayDefinitions(ctx, org.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range defs {
			n++
			t.Run(string(kind)+"/"+d.Slug, func(t *testing.T) {
				path := "/admin/orgs/" + org.Slug + "/pathways/" + string(kind) + "/" + d.Slug + "/edit"
				rec := e.do(request{method: "GET", path: path, as: "owner"})
				if rec.Code != 200 {
					t.Fatalf("GET %s: %d", path, rec.Code)
				}
				form := editorFields(t, rec.Body.String())
				if testing.Verbose() {
					t.Logf("%v", form)
				}
				if kind == store.PathwayKindPathway && form.Get("r1-source") != "local" && d.Slug == "applied-data-science" {
					t.Errorf("the programme's first credential is not shown as one of this server's: %v", form)
				}
				form.Set("op", "save")
				rec = e.do(request{method: "POST", path: path, as: "owner", form: form})
				if rec.Code != http.StatusSeeOther {
					t.Fatalf("save: %d\n%s", rec.Code, rec.Body)
				}
				next, err := st.PathwayDefinition(ctx, org.ID, kind, d.Slug, 0)
				if err != nil || next.Version != d.Version+1 {
					t.Fatalf("new version = %+v, %v", next, err)
				}
				if a, b := sameDocument(t, kind, d.Document, next.Document); a != b {
					t.Errorf("the document changed:\nwas  %s\nnow  %s", a, b)
				}
			})
		}
	}
	if n < 3 {
		t.Fatalf("the demo has %d definitions, want at least 3", n)
	}
}

// TestPathwayEditorPages drives the form editor as a browser without
// JavaScript would: buttons post the whole form, mistakes come back named
// by rule and field label, Preview draws the diagram, Save stores it.
func TestPathwayEditorPages(t *testing.T) {
	e := newEnv(t, envOptions{catalogSize: 4})
	const newPath = "/admin/orgs/city-uni/pathways/new?kind=pathway"
	rec := e.do(request{method: "GET", path: newPath, as: "issuer"})
	if rec.Code != 200 {
		t.Fatalf("GET the form: %d", rec.Code)
	}
	page := rec.Body.String()
	for _, want := range []string{`<legend>Rule 1: the whole pathway</legend>`, `<label for="r1-local">Achievement</label>`,
		`<option value="city-uni/statistics-for-data-science">Statistics for Data Science — City University</option>`,
		`Add a rule inside rule 1`, `<summary>Edit as JSON (advanced)</summary>`, `<option value="applied-data-science-programme">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the new form lacks %q", want)
		}
	}
	form := editorFields(t, page)
	form.Set("p-id", "data-programme")
	form.Set("p-name", "Data Programme")
	form.Set("r1-local", "city-uni/statistics-for-data-science")
	// Add an n-of group inside the top rule, then two credentials in it.
	form.Set("r0-newkind", "nOf")
	form.Set("op", "add:0")
	rec = e.do(request{method: "POST", path: newPath, as: "issuer", form: form})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<legend>Rule 3, inside rule 1</legend>") {
		t.Fatalf("add a group: %d\n%s", rec.Code, rec.Body)
	}
	for range 2 {
		form = editorFields(t, rec.Body.String())
		form.Set("op", "add:2")
		rec = e.do(request{method: "POST", path: newPath, as: "issuer", form: form})
		if rec.Code != 200 {
			t.Fatalf("add a rule: %d", rec.Code)
		}
	}
	// Prerequisites offer the other rules but not the groups a rule is in.
	if b := rec.Body.String(); !strings.Contains(b, `name="r3-prereq" value="r-1"`) || strings.Contains(b, `name="r3-prereq" value="r-2"`) ||
		strings.Contains(b, `name="r3-prereq" value="r"`) {
		t.Error("rule 4's prerequisites offer its own group or miss a rule")
	}
	form = editorFields(t, rec.Body.String())
	if form.Get("r4-depth") != "2" || form.Get("r4-kind") != "credential" || form.Get("r3-kind") != "credential" || form.Get("r2-kind") != "nOf" {
		t.Fatalf("rows after adding: %v", form)
	}
	form.Set("r2-label", "One advanced module")
	form.Set("r3-local", "city-uni/machine-learning-in-practice")
	form.Set("r4-local", "city-uni/data-engineering-and-governance")
	form.Set("r2-n", "5")
	form.Set("r1-source", "other")
	form.Set("op", "save")
	rec = e.do(request{method: "POST", path: newPath, as: "issuer", form: form})
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("a mistake saved: %d", rec.Code)
	}
	for _, want := range []string{
		`<a href="#r2-n" data-focus="r2-n">Rule 3 (n of): N must be between 1 and the number of rules inside it (2)</a>`,
		`<a href="#r1-issuer" data-focus="r1-issuer">Rule 2 (a specific credential): Issuer id: required`,
		`id="r2-n" name="r2-n" value="5" inputmode="numeric" aria-invalid="true" aria-describedby="r2-n-error"`,
		`<span class="field-error" id="r2-n-error">Rule 3 (n of): N must be between`,
		`id="r1-issuer" name="r1-issuer" value="" aria-invalid="true" aria-describedby="r1-issuer-help r1-issuer-error"`,
		`id="error-summary" tabindex="-1"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the errors lack %q", want)
		}
	}
	if strings.Contains(body, "root.rules") {
		t.Error("an engine path is shown")
	}
	// An issuer no one knows is Define's finding, shown in plain words.
	form = editorFields(t, body)
	form.Set("r2-n", "1")
	form.Set("r1-issuer", "org:nowhere")
	form.Set("r1-achievement", "statistics")
	form.Set("op", "save")
	rec = e.do(request{method: "POST", path: newPath, as: "issuer", form: form})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `<a href="#r1-issuer" data-focus="r1-issuer">Rule 2 (a specific credential): Issuer id: no organization &#34;nowhere&#34; on this server</a>`) {
		t.Fatalf("unknown issuer: %d\n%s", rec.Code, rec.Body)
	}
	form = editorFields(t, rec.Body.String())
	form.Set("r1-source", "local")
	form.Set("op", "preview")
	rec = e.do(request{method: "POST", path: newPath, as: "issuer", form: form})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<h2 id="preview-title">Preview</h2>`) ||
		!strings.Contains(rec.Body.String(), `class="pathway-diagram"`) || !strings.Contains(rec.Body.String(), "Machine Learning in Practice") ||
		!strings.Contains(rec.Body.String(), `<span class="rule-label">One advanced module</span> <span class="small muted">(any 1 of these)</span>`) {
		t.Fatalf("preview: %d\n%s", rec.Code, rec.Body)
	}
	if n := e.countDefinitions(t); n != 0 {
		t.Fatalf("preview saved %d definitions", n)
	}
	form = editorFields(t, rec.Body.String())
	form.Set("op", "save")
	rec = e.do(request{method: "POST", path: newPath, as: "issuer", form: form})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", rec.Code, rec.Body)
	}
	rec = e.do(request{method: "GET", path: "/pathways/city-uni/data-programme"})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "any 1 of these") || !strings.Contains(rec.Body.String(), "One advanced module") {
		t.Fatalf("public page: %d\n%s", rec.Code, rec.Body)
	}
	// Editing: the id stays whatever is posted, and the form starts from
	// the current version.
	const editPath = "/admin/orgs/city-uni/pathways/pathway/data-programme/edit"
	rec = e.do(request{method: "GET", path: editPath, as: "owner"})
	form = editorFields(t, rec.Body.String())
	if form.Get("r2-label") != "One advanced module" || form.Has("p-id") {
		t.Fatalf("edit form: %v", form)
	}
	form.Set("p-id", "elsewhere")
	form.Set("p-name", "Data Science Programme")
	form.Set("op", "save")
	if rec = e.do(request{method: "POST", path: editPath, as: "owner", form: form}); rec.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", rec.Code, rec.Body)
	}
	cur, err := e.store.PathwayDefinition(context.Background(), e.org.ID, store.PathwayKindPathway, "data-programme", 0)
	if err != nil || cur.Version != 2 || cur.Name != "Data Science Programme" {
		t.Fatalf("version 2: %+v, %v", cur, err)
	}
	// A loop of nested pathways is named on the rule that closes it.
	if rec = e.do(request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "owner", form: url.Values{"document": {
		`{"id":"outer","name":"Outer","root":{"kind":"pathway","pathway":"data-programme"}}`}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("outer: %d\n%s", rec.Code, rec.Body)
	}
	rec = e.do(request{method: "GET", path: editPath, as: "owner"})
	form = editorFields(t, rec.Body.String())
	form.Set("r0-newkind", "pathway")
	form.Set("op", "add:0")
	rec = e.do(request{method: "POST", path: editPath, as: "owner", form: form})
	if !strings.Contains(rec.Body.String(), `<option value="outer">Outer</option>`) {
		t.Fatalf("the nested pathway list lacks the other pathway:\n%s", rec.Body)
	}
	form = editorFields(t, rec.Body.String())
	form.Set("r5-pathway", "outer")
	form.Set("op", "save")
	rec = e.do(request{method: "POST", path: editPath, as: "owner", form: form})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(),
		`<a href="#r5-pathway" data-focus="r5-pathway">Rule 6 (another pathway): Pathway: this would make the pathway contain itself, through the pathways it needs</a>`) {
		t.Fatalf("a loop: %d\n%s", rec.Code, rec.Body)
	}
	// A JSON mistake leaves the form showing the current version.
	rec = e.do(request{method: "POST", path: editPath, as: "owner", form: url.Values{"document": {`{"id": "data-programme",`}}})
	if rec.Code != http.StatusBadRequest || editorFields(t, rec.Body.String()).Get("p-name") != "Data Science Programme" ||
		!strings.Contains(rec.Body.String(), `<details class="json-editor" open>`) {
		t.Errorf("JSON mistake: %d, form %v", rec.Code, editorFields(t, rec.Body.String()))
	}
	// A viewer may not post the editor.
	if rec = e.do(request{method: "POST", path: editPath, as: "viewer", form: form}); rec.Code != http.StatusForbidden {
		t.Errorf("viewer: %d", rec.Code)
	}
}

func (e *env) countDefinitions(t *testing.T) int {
	t.Helper()
	n := 0
	for _, k := range []store.PathwayKind{store.PathwayKindPathway, store.PathwayKindScheme} {
		ds, err := e.store.ListPathwayDefinitions(context.Background(), e.org.ID, k)
		if err != nil {
			t.Fatal(err)
		}
		n += len(ds)
	}
	return n
}

// TestPathwayEditorRoundTripEverything: documents using every field the
// engine knows, saved through the API's JSON and saved again unchanged
// through the form, keep their content.
func TestPathwayEditorRoundTripEverything(t *testing.T) {
	e := newEnv(t, envOptions{catalogSize: 4})
	docs := []struct {
		kind store.PathwayKind
		id   string
		doc  string
	}{
		{store.PathwayKindPathway, "foundations", `{"id":"foundations","name":"Foundations","root":{"kind":"credential",
			"match":{"issuer":"org:city-uni","achievement":"statistics-for-data-science"}}}`},
		{store.PathwayKindPathway, "data-programme", testPathway},
		{store.PathwayKindPathway, "everything", `{"id":"everything","name":"Everything","description":"All the fields.",
		  "award":{"achievementId":"applied-data-science-programme","review":true},
		  "root":{"id":"top","label":"Top","kind":"nOf","n":2,"withinDays":730,"rules":[
		    {"id":"found","kind":"pathway","pathway":"foundations","label":"Foundations first"},
		    {"kind":"credential","prerequisites":["found"],"match":{"issuer":"did:web:northwind.example","achievement":"https://northwind.example/achievements/7",
		      "name":"Cloud Certificate","result":{"name":"Final grade","min":70,"oneOf":["A","B"]}}},
		    {"kind":"minCredits","minCredits":4.5,"unit":"NCrF","rules":[
		      {"kind":"credential","credits":1.5,"match":{"framework":"NCrF","minAmount":1,"levels":["4.5"],"issuers":["did:key:z6Mk","org:city-uni"]}},
		      {"kind":"credential","match":{"issuer":"org:city-uni","achievement":"machine-learning-in-practice"}}]},
		    {"kind":"allOf","rules":[{"kind":"allOf","rules":[{"kind":"credential","match":{"framework":"ECTS"}}]}]}]}}`},
		{store.PathwayKindScheme, "bsc", testScheme},
		{store.PathwayKindScheme, "msc", `{"id":"msc","name":"MSc","description":"d","unit":"ECTS","conversion":{"hoursPerCredit":{"SCH":60,"NCrF":25},"step":0.25},
		  "rules":[{"id":"a","label":"A","match":{"issuer":"did:web:x.example","achievement":"urn:a","name":"A cert"},"course":"C1","courseTitle":"Course","credits":2,"maxAgeDays":365,"group":"g"},
		    {"match":{"framework":"ACE","minAmount":2,"levels":["upper-division baccalaureate"],"result":{"name":"score","min":0.5}}}],
		  "caps":[{"group":"g","max":10},{"max":30,"label":"at most 30"}]}`},
	}
	for _, d := range docs {
		t.Run(d.id, func(t *testing.T) {
			rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=" + string(d.kind), as: "owner", form: url.Values{"document": {d.doc}}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("save the JSON: %d\n%s", rec.Code, rec.Body)
			}
			path := "/admin/orgs/city-uni/pathways/" + string(d.kind) + "/" + d.id + "/edit"
			rec = e.do(request{method: "GET", path: path, as: "owner"})
			form := editorFields(t, rec.Body.String())
			// The JSON editor shows the stored document.
			if a, b := sameDocument(t, d.kind, []byte(d.doc), []byte(documentOf(t, rec.Body.String()))); a != b {
				t.Errorf("the JSON editor shows\n%s\nnot\n%s", b, a)
			}
			form.Set("op", "save")
			if rec = e.do(request{method: "POST", path: path, as: "owner", form: form}); rec.Code != http.StatusSeeOther {
				t.Fatalf("save the form: %d\n%s", rec.Code, rec.Body)
			}
			cur, err := e.store.PathwayDefinition(context.Background(), e.org.ID, d.kind, d.id, 0)
			if err != nil || cur.Version != 2 {
				t.Fatalf("version 2: %+v, %v", cur, err)
			}
			if a, b := sameDocument(t, d.kind, []byte(d.doc), cur.Document); a != b {
				t.Errorf("the document changed:\nwas  %s\nnow  %s", a, b)
			}
		})
	}
}

func TestSchemeEditorPages(t *testing.T) {
	e := newEnv(t, envOptions{catalogSize: 4})
	const newPath = "/admin/orgs/city-uni/pathways/new?kind=scheme"
	rec := e.do(request{method: "GET", path: newPath, as: "owner"})
	page := rec.Body.String()
	for _, want := range []string{`<legend>Rule 1</legend>`, `<label for="s-hours-sch">Hours per US semester credit hour</label>`,
		`placeholder="45"`, `Default 30: the ECTS Users’ Guide`, `>Add a limit</button>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the scheme form lacks %q", want)
		}
	}
	form := editorFields(t, page)
	form.Set("s-id", "bsc")
	form.Set("s-name", "BSc Data Science")
	form.Set("a0-local", "city-uni/statistics-for-data-science")
	form.Set("a0-group", "micro")
	form.Set("op", "add-cap")
	rec = e.do(request{method: "POST", path: newPath, as: "owner", form: form})
	form = editorFields(t, rec.Body.String())
	form.Set("c0-group", "mikro")
	form.Set("c0-max", "18")
	form.Set("op", "save")
	rec = e.do(request{method: "POST", path: newPath, as: "owner", form: form})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `<a href="#c0-group" data-focus="c0-group">Limit 1: Group: no rule is in group &#34;mikro&#34;; the rules&#39; groups are micro</a>`) {
		t.Fatalf("cap error: %d\n%s", rec.Code, rec.Body)
	}
	form = editorFields(t, rec.Body.String())
	form.Set("c0-group", "micro")
	form.Set("op", "preview")
	rec = e.do(request{method: "POST", path: newPath, as: "owner", form: form})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<li>Statistics for Data Science: the recommended credit, converted</li>") ||
		!strings.Contains(rec.Body.String(), "Limits: at most 18 SCH from micro.") {
		t.Fatalf("scheme preview: %d\n%s", rec.Code, rec.Body)
	}
	form = editorFields(t, rec.Body.String())
	form.Set("op", "save")
	if rec = e.do(request{method: "POST", path: newPath, as: "owner", form: form}); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", rec.Code, rec.Body)
	}
	cur, err := e.store.PathwayDefinition(context.Background(), e.org.ID, store.PathwayKindScheme, "bsc", 0)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sameDocument(t, store.PathwayKindScheme, cur.Document, []byte(`{"id":"bsc","name":"BSc Data Science","unit":"SCH",
		"rules":[{"group":"micro","match":{"issuer":"org:city-uni","achievement":"statistics-for-data-science"}}],"caps":[{"group":"micro","max":18}]}`)); a != b {
		t.Errorf("saved %s, want %s", a, b)
	}
}
