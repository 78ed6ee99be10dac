package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/catalog"
)

// browserResolve resolves a Location value against base the way a browser
// does (WHATWG URL parsing): leading and trailing C0 controls and spaces
// are dropped, every tab and newline anywhere is removed, and a backslash
// counts as a slash in http(s) URLs.
func browserResolve(base *url.URL, loc string) (*url.URL, error) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	return base.Parse(loc)
}

// FuzzLocalPathInBrowser checks the promise of localPath, which vets
// ?next= after sign-in: whatever it accepts, a browser following it stays
// on this server.
func FuzzLocalPathInBrowser(f *testing.F) {
	for _, s := range []string{"/\t/evil.example/x", "/admin", "/wallet?x=1", "//evil.example", "/\\evil.example", "https://evil.example/",
		"/ok/../x", "", "/%2F%2Fevil.example", "\n/x", "/x#frag", "/\x00x", " /x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://badges.example.edu/login")
	f.Fuzz(func(t *testing.T, next string) {
		p := localPath(next)
		if p == "" {
			return
		}
		if !strings.HasPrefix(p, "/") {
			t.Fatalf("localPath(%q) = %q: not a path", next, p)
		}
		u, err := browserResolve(base, p)
		if err != nil {
			// Go's parser is stricter than browsers' in places (bad
			// percent escapes); a browser would still stay on the host
			// for a path, so this is not a finding.
			return
		}
		if u.Scheme != base.Scheme || u.Host != base.Host {
			t.Fatalf("localPath(%q) accepted %q, which a browser resolves to %s", next, p, u)
		}
	})
}

// FuzzSafeURL checks that safeURL, which vets every link shown on a page,
// lets nothing through but absolute http and https URLs.
func FuzzSafeURL(f *testing.F) {
	for _, s := range []string{"https://example.org", "javascript:alert(1)", "JaVaScRiPt:x", " https://x", "data:text/html,x",
		"http://[::1]/", "//evil.example", "vbscript:x", "https:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeURL(s)
		if got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			t.Fatalf("safeURL(%q) = %q: not an http(s) URL (%v)", s, got, err)
		}
		// Browsers trim leading spaces and controls before reading the
		// scheme; what is left must start with it.
		if lower := strings.ToLower(strings.TrimLeft(got, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r ")); !strings.HasPrefix(lower, "http:") && !strings.HasPrefix(lower, "https:") {
			t.Fatalf("safeURL(%q) = %q: a browser may not read it as http(s)", s, got)
		}
	})
}

// FuzzOrgForm feeds arbitrary form bodies to the organization form: no
// panic, every problem names a field of the form, and a form without
// problems holds a valid slug, a two-letter country and a known DID method.
func FuzzOrgForm(f *testing.F) {
	for _, s := range []string{
		"name=Harbour+College&slug=harbour&country=NL&did_method=web",
		"name=&slug=Bad+Slug&country=Germany&did_method=x&url=javascript:alert(1)&email=nope",
		"slug=-a-&country=n%C3%9F&did_method=key", "name=%00&slug=ab&country=de", "%zz=1&slug",
	} {
		f.Add(s)
	}
	fields := map[string]bool{"name": true, "slug": true, "url": true, "email": true, "country": true, "did_method": true, "description": true}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/setup", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form := readOrgForm(r)
		var errs formErrors
		validateOrgForm(form, &errs)
		for _, e := range errs {
			if !fields[e.Field] || e.Message == "" {
				t.Fatalf("form error %+v does not name a field of the form", e)
			}
		}
		if errs.Any() {
			return
		}
		if !validSlug(form.Slug) || len(form.Country) != 2 || (form.DIDMethod != "web" && form.DIDMethod != "key") || form.Name == "" {
			t.Fatalf("form accepted with slug %q, country %q, method %q, name %q", form.Slug, form.Country, form.DIDMethod, form.Name)
		}
		if form.URL != "" && safeURL(form.URL) == "" {
			t.Fatalf("form accepted the URL %q", form.URL)
		}
	})
}

// FuzzAchievementForm feeds arbitrary form bodies to the achievement
// form and the catalog's validation behind it: no panic, and every
// problem names a field.
func FuzzAchievementForm(f *testing.F) {
	for _, s := range []string{
		"name=Data+Literacy&description=d&criteria.narrative=c&workload.hours=30&workload.ects=1.5&eqfLevel=5",
		"workload.hours=NaN&workload.ects=-1e400&eqfLevel=99999999999999999999&nsqfLevel=x",
		"creditRecommendations[0].framework=ects&creditRecommendations[0].amount=3&creditRecommendations[0].validFrom=2025-13-45",
		"skills[0].framework=onet&skills[0].ref=15-2051.00&skills[49].name=x&skills[50].name=dropped",
		"learningOutcomes=a%0A%0Ab&tag=,,x,&inLanguage=zz-%00&qualityAssurance.url=javascript:x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/admin/orgs/x/achievements/new", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form := readAchievementForm(r)
		if len(form.Credits) > 50 || len(form.Skills) > 50 {
			t.Fatalf("form kept %d credit rows and %d skill rows, more than it shows", len(form.Credits), len(form.Skills))
		}
		a := &catalog.Achievement{ID: "https://badges.example.edu/achievements/new", Provider: "x"}
		var errs formErrors
		form.apply(a, &errs)
		if err := a.Validate(); err != nil {
			errs.addError(err)
		}
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("form error %+v names no field", e)
			}
		}
	})
}
