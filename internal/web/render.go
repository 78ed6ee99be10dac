package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
)

//go:embed templates static
var assets embed.FS

// pages holds one parsed template set per page: the layout, the shared
// partials and the page's own "content" (and optional "head") blocks.
type pages struct {
	sets map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"date":       formatDate,
	"datetime":   formatDateTime,
	"inputDate":  inputDate,
	"num":        formatNumber,
	"join":       strings.Join,
	"eqfURI":     catalog.EQFLevelURI,
	"onetURL":    catalog.ONETURL,
	"framework":  frameworkName,
	"lines":      func(s []string) string { return strings.Join(s, "\n") },
	"isLocalURL": func(s string) bool { return strings.HasPrefix(s, "data:image/") },
	"imageSrc":   imageSrc,
	"safeURL":    safeURL,
	"dict":       dict,
	"markdown":   renderMarkdown,
	"verdictClass": func(label string) string {
		return map[string]string{"Verified": "ok", "Withdrawn": "fail", "Not verified": "fail"}[label]
	},
}

// dict builds a map from alternating keys and values, to pass several
// values to a template partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func loadPages() (*pages, error) {
	entries, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	p := &pages{sets: make(map[string]*template.Template)}
	for _, e := range entries {
		name := strings.TrimSuffix(path.Base(e), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(assets, "templates/layout.html", "templates/partials.html", e)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// ogMeta is the Open Graph description of a public page.
type ogMeta struct {
	Title       string
	Description string
	URL         string
	Type        string
	// Image is the page's picture (a badge) for og:image and the Twitter
	// card; absolute URLs only, since crawlers do not read data: URLs.
	Image    string
	ImageAlt string
}

// pageData is what every template receives.
type pageData struct {
	Title  string
	Viewer *viewer
	CSRF   string
	Flash  string
	Demo   bool
	Base   string
	Data   any
	Errors formErrors
	Meta   *ogMeta
}

// fieldMsg is one validation problem of one form field.
type fieldMsg struct {
	Field   string
	Message string
}

// formErrors lists the validation problems of a submitted form. Field names
// are the names of the form inputs, which for the catalog form are the JSON
// paths catalog validation reports, so a message lands next to its input.
type formErrors []fieldMsg

// Get returns the messages for one input.
func (e formErrors) Get(field string) []string {
	var out []string
	for _, m := range e {
		if m.Field == field {
			out = append(out, m.Message)
		}
	}
	return out
}

// Any reports whether there is at least one problem.
func (e formErrors) Any() bool { return len(e) > 0 }

func (e *formErrors) add(field, msg string) { *e = append(*e, fieldMsg{field, msg}) }

// listIndex matches an element path such as "learningOutcomes[2]" or
// "tag[0]"; list fields edited as one textarea show element errors on it.
var listIndex = regexp.MustCompile(`^(learningOutcomes|prerequisites|tag)\[\d+\]$`)

// addError records err as form errors: field errors from the catalog or the
// issuance service one by one, and reports whether err was of that kind.
func (e *formErrors) addError(err error) bool {
	var ce catalog.FieldErrors
	var ie issue.FieldErrors
	switch {
	case errors.As(err, &ce):
		for _, fe := range ce {
			field := fe.Field
			if m := listIndex.FindStringSubmatch(field); m != nil {
				field = m[1]
			}
			e.add(field, fe.Message)
		}
	case errors.As(err, &ie):
		for _, fe := range ie {
			field := fe.Field
			if m := listIndex.FindStringSubmatch(field); m != nil {
				field = m[1]
			}
			e.add(field, fe.Problem)
		}
	default:
		return false
	}
	return true
}

// render executes page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	s.renderWith(w, r, status, page, pageData{Title: title, Data: data})
}

// renderForm renders a form page with its validation problems; a form with
// problems answers 400.
func (s *server) renderForm(w http.ResponseWriter, r *http.Request, page, title string, data any, errs formErrors) {
	status := http.StatusOK
	if errs.Any() {
		status = http.StatusBadRequest
	}
	s.renderWith(w, r, status, page, pageData{Title: title, Data: data, Errors: errs})
}

func (s *server) renderWith(w http.ResponseWriter, r *http.Request, status int, page string, pd pageData) {
	t, ok := s.pages.sets[page]
	if !ok {
		s.log.Error("missing template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pd.Viewer = currentViewer(r)
	if pd.Viewer != nil {
		pd.CSRF = auth.CSRFToken(pd.Viewer.Session.CSRFSecret)
	}
	pd.Demo = s.demo
	pd.Base = s.base
	pd.Flash = s.takeFlash(w, r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		s.log.Error("render template", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		// Pages carry the CSRF token and per-user content.
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorData is what the error page shows.
type errorData struct {
	Status  int
	Heading string
	Message string
}

func (s *server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", http.StatusText(status), errorData{Status: status, Heading: http.StatusText(status), Message: msg})
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "There is nothing at this address. It may have been moved, made private by its owner, or never existed.")
}

// busy answers 503 when the server has too much expensive work in hand
// (password hashing): the client is told when to retry instead of queueing
// without bound.
func (s *server) busy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "2")
	s.renderError(w, r, http.StatusServiceUnavailable, "The server is busy right now. Wait a few seconds and try again.")
}

// serverError logs err (never shown to the client) and renders a 500 page.
func (s *server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.renderError(w, r, http.StatusInternalServerError, "Something went wrong on our side. The problem has been logged.")
}

// setFlash leaves a one-line message for the next page the browser shows.
func (s *server) setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(flashCookie), Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(s.cookieName(flashCookie))
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(flashCookie), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || len(msg) > 200 {
		return ""
	}
	return msg
}

// writeJSON writes v as indented JSON.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		s.serverError(w, r, fmt.Errorf("encode json: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// seeOther redirects after a successful POST.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func formatDate(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 January 2006")
	case *time.Time:
		if t == nil || t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 January 2006")
	}
	return ""
}

func formatDateTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 MST")
	case *time.Time:
		if t == nil || t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 MST")
	}
	return ""
}

// inputDate formats a date for an <input type="date">.
func inputDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func formatNumber(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func frameworkName(key string) string {
	if f, ok := catalog.FrameworkByKey(key); ok {
		return f.Name
	}
	return key
}

// safeURL returns s when it is an http(s) URL, else "" — values from
// credentials and forms must not become javascript: links.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return s
}
