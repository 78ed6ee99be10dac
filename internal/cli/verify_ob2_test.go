package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/testutil"
)

// TestVerifyOB2 verifies the Open Badges 2.0 specification's hosted
// example, served from a loopback server, and its signed example offline:
// the three outcomes with their exit statuses.
func TestVerifyOB2(t *testing.T) {
	spec := filepath.Join(testutil.RepoRoot(t), "internal/verify/ob2/testdata/spec")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := map[string]string{"/beths-robotics-badge.json": "assertion.json", "/robotics-badge.json": "badgeclass.json", "/organization.json": "issuer.json"}[r.URL.Path]
		if file == "" {
			http.NotFound(w, r)
			return
		}
		b, _ := os.ReadFile(filepath.Join(spec, file))
		w.Write([]byte(strings.ReplaceAll(string(b), "https://example.org", srv.URL)))
	}))
	defer srv.Close()
	assertionURL := srv.URL + "/beths-robotics-badge.json"

	code, out, errs := run(t, []byte(assertionURL), "verify", "--fetch-allow", "127.0.0.1")
	if code != exitFailed || !strings.Contains(out, "NOT VERIFIED") || !strings.Contains(out, "expired on 30 June 2017") {
		t.Errorf("spec hosted example: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, []byte(assertionURL), "verify")
	if code != exitCouldNotCheck || !strings.Contains(out, "COULD NOT BE CHECKED") || !strings.Contains(out, "loopback") {
		t.Errorf("loopback without --fetch-allow: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, readFile(t, filepath.Join(spec, "signed.jws")), "verify", "--offline", "--json")
	if code != exitCouldNotCheck || !strings.Contains(out, `"verdict":"could not be checked"`) || !strings.Contains(out, `"format":"Open Badges 2.0 (signed)"`) {
		t.Errorf("spec signed example offline: exit %d\n%s%s", code, out, errs)
	}
}
