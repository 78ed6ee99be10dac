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

// TestVerifyFetchAllow verifies a demo credential online: the status lists
// and the transparency log live on this machine's loopback address, which
// the verifier refuses to reach until the operator allows it with
// --fetch-allow (and a log URL typed with --log is the operator's own
// choice, while --log auto takes the address from the credential).
func TestVerifyFetchAllow(t *testing.T) {
	d := startDemo(t)
	resp, err := http.Get(d.credURL + ".json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp, err = http.Get(d.base + "/orgs/demo-university/did.json")
	if err != nil {
		t.Fatal(err)
	}
	didJSON, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	didDoc := filepath.Join(t.TempDir(), "did.json")
	if err := os.WriteFile(didDoc, didJSON, 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errs := run(t, doc, "verify", "--did-doc", didDoc)
	if code != exitCouldNotCheck || !strings.Contains(out, "only https addresses are fetched") {
		t.Errorf("status list on plain http loopback, not allowed: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, doc, "verify", "--did-doc", didDoc, "--fetch-allow", "127.0.0.1", "--log", d.base)
	if code != exitOK || !strings.Contains(out, "has not revoked it") || !strings.Contains(out, "[ok] transparency log") {
		t.Errorf("allowed loopback: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, doc, "verify", "--did-doc", didDoc, "--fetch-allow", "127.0.0.1", "--log", "auto")
	if code != exitCouldNotCheck || !strings.Contains(out, "[NOT CHECKED] transparency log") {
		t.Errorf("--log auto reaches https://127.0.0.1 (the demo serves http): exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, doc, "verify", "--did-doc", didDoc, "--log", "auto")
	if code != exitCouldNotCheck || !strings.Contains(out, "lies in the loopback range 127.0.0.0/8") {
		t.Errorf("--log auto to loopback without --fetch-allow: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := run(t, doc, "verify", "--fetch-allow", "10.0.0.0/33"); code != exitBadInput || !strings.Contains(errs, "fetch allow list") {
		t.Errorf("bad --fetch-allow: exit %d %s", code, errs)
	}
	d.stop(t)
}
