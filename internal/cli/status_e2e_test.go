package cli

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRevokeThenVerify runs the demo server, verifies one of its
// credentials with "microcred verify" against the DID document and status
// lists the server publishes (saved to files: the verifier refuses to
// fetch from loopback addresses), revokes it with "microcred revoke" on the
// same database, and checks that verification now fails with exit status
// 1 saying so.
func TestRevokeThenVerify(t *testing.T) {
	d := startDemo(t)
	dir, base, credURL := d.dir, d.base, d.credURL
	resp, err := http.Get(credURL + ".json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(doc), "BitstringStatusListEntry") {
		t.Fatalf("demo credential has no status entry: %.300s", doc)
	}

	tmp := t.TempDir()
	save := func(name, u string) string {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	didDoc := save("did.json", base+"/orgs/demo-university/did.json")
	lists := func() []string {
		// One list: a credential carries a revocation entry only, unless
		// its organization opted in to suspension.
		return []string{"--did-doc", didDoc,
			"--status-list", save("revocation.json", base+"/orgs/demo-university/status/revocation/0")}
	}
	code, out, errs := run(t, doc, append([]string{"verify", "--offline"}, lists()...)...)
	if code != exitOK || !strings.Contains(out, "not revoked") {
		t.Fatalf("verify before revocation: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, doc, "verify", "--offline", "--did-doc", didDoc)
	if code != exitCouldNotCheck || !strings.Contains(out, "[NOT CHECKED] status:") {
		t.Errorf("offline verify without the list: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := run(t, nil, "revoke", "--data", dir, "--id", credURL, "--reason", "issued in error"); code != exitOK {
		t.Fatalf("revoke: exit %d: %s%s", code, out, errs)
	}
	code, out, errs = run(t, doc, append([]string{"verify", "--offline"}, lists()...)...)
	if code != exitFailed || !strings.Contains(out, "[FAILED] status: The issuer has revoked this credential") {
		t.Errorf("verify after revocation: exit %d\n%s%s", code, out, errs)
	}
	// The public page says so too, without the reason.
	resp, err = http.Get(credURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Revoked on") || strings.Contains(string(page), "issued in error") {
		t.Errorf("public page after revocation: %.400s", page)
	}
	d.stop(t)
}
