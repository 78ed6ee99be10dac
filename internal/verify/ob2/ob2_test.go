package ob2

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/fetch"
)

// issuerServer serves the fixtures of testdata (and the specification's
// examples under /spec/, with https://example.org replaced by the server's
// address) from a loopback listener. overrides replaces or adds documents
// by path; a value "410" or "404" or "500" answers with that status.
type issuerServer struct {
	*httptest.Server
	docs map[string]string
}

func newIssuerServer(t *testing.T) *issuerServer {
	t.Helper()
	s := &issuerServer{docs: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := s.docs[r.URL.Path]
		switch {
		case !ok:
			http.NotFound(w, r)
		case body == "500":
			http.Error(w, "down", http.StatusInternalServerError)
		case strings.HasPrefix(body, "410 "):
			w.WriteHeader(http.StatusGone)
			w.Write([]byte(strings.TrimPrefix(body, "410 ")))
		default:
			w.Header().Set("Content-Type", "application/ld+json")
			w.Write([]byte(body))
		}
	}))
	t.Cleanup(s.Close)
	pemText := strings.ReplaceAll(strings.TrimSpace(readTestdata(t, "issuer-pub.pem")), "\n", `\n`)
	for _, f := range []string{"issuer.json", "badge.json", "key.json", "revocations.json", "assertion.json"} {
		doc := s.expand(readTestdata(t, f))
		s.docs["/"+f] = strings.ReplaceAll(doc, "{{PEM}}", pemText)
	}
	s.docs["/assertions/1.json"] = s.docs["/assertion.json"]
	for _, f := range []string{"assertion.json", "badgeclass.json", "issuer.json", "assertion-embedded.json"} {
		s.docs["/spec/"+f] = strings.ReplaceAll(readTestdata(t, "spec/"+f), "https://example.org/", s.URL+"/spec/")
	}
	// The spec examples live at example.org's root; the server serves
	// them under /spec/.
	s.docs["/spec/beths-robotics-badge.json"] = s.docs["/spec/assertion.json"]
	s.docs["/spec/robotics-badge.json"] = s.docs["/spec/badgeclass.json"]
	s.docs["/spec/organization.json"] = s.docs["/spec/issuer.json"]
	return s
}

func (s *issuerServer) expand(doc string) string { return strings.ReplaceAll(doc, "{{BASE}}", s.URL) }

// options verifies through the guarded client, allowing only loopback.
func (s *issuerServer) options(now time.Time) Options {
	return Options{Fetch: fetch.New(fetch.Config{Allow: fetch.Loopback(), AllowHTTP: true}), Now: now}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// signJWS signs claims with RS256 under the key in testdata/<keyFile>.
func signJWS(t *testing.T, keyFile, alg string, claims []byte) string {
	t.Helper()
	block, _ := pem.Decode([]byte(readTestdata(t, keyFile)))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `"}`))
	payload := base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(header + "." + payload))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.(*rsa.PrivateKey), crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return header + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// edit changes a JSON document with f.
func edit(t *testing.T, doc string, f func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, _ := json.Marshal(m)
	return string(b)
}

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestVerify(t *testing.T) {
	s := newIssuerServer(t)
	hosted := s.docs["/assertion.json"]
	claims := s.expand(readTestdata(t, "signed-claims.json"))
	signed := signJWS(t, "issuer-key.pem", "RS256", []byte(claims))

	tests := []struct {
		name    string
		setup   func()        // changes served documents
		input   func() string // the assertion as given
		now     time.Time
		verdict Verdict
		check   string // name of the check that decides
		status  Status
		meaning string // part of that check's plain words
	}{
		{name: "hosted, given as JSON", input: func() string { return hosted }, verdict: Verified,
			check: "issuer's website", status: Passed, meaning: "issuer's own website"},
		{name: "hosted, given as its URL (legacy baked badge)", input: func() string { return s.URL + "/assertions/1.json" }, verdict: Verified,
			check: "published by the issuer", status: Passed, meaning: "publishes this badge award"},
		{name: "hosted, copy in hand altered", input: func() string {
			return edit(t, hosted, func(m map[string]any) { m["recipient"].(map[string]any)["identity"] = "mallory@example.org" })
		}, verdict: NotVerified, check: "published by the issuer", status: Failed, meaning: "its recipient was changed"},
		{name: "hosted, revoked with 410 Gone", setup: func() {
			s.docs["/assertions/1.json"] = `410 {"id":"` + s.URL + `/assertions/1.json","revoked":true,"revocationReason":"Plagiarism."}`
		}, input: func() string { return hosted }, verdict: NotVerified, check: "revocation", status: Failed, meaning: "reason given: Plagiarism."},
		{name: "hosted, marked revoked", setup: func() {
			s.docs["/assertions/1.json"] = edit(t, hosted, func(m map[string]any) { m["revoked"] = true })
		}, input: func() string { return s.URL + "/assertions/1.json" }, verdict: NotVerified, check: "revocation", status: Failed, meaning: "revoked"},
		{name: "hosted, no longer published (404)", setup: func() { delete(s.docs, "/assertions/1.json") },
			input: func() string { return hosted }, verdict: NotChecked, check: "published by the issuer", status: Skipped, meaning: "could not be checked"},
		{name: "hosted, issuer profile down", setup: func() { s.docs["/issuer.json"] = "500" },
			input: func() string { return hosted }, verdict: NotChecked, check: "issuer", status: Skipped, meaning: "could not be fetched"},
		{name: "hosted, published on a host the issuer does not use", setup: func() {
			local := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
			s.docs["/assertions/1.json"] = edit(t, hosted, func(m map[string]any) { m["id"] = local + "/assertions/1.json" })
		}, input: func() string { return strings.Replace(s.URL, "127.0.0.1", "localhost", 1) + "/assertions/1.json" },
			verdict: NotVerified, check: "issuer's website", status: Failed, meaning: "not the issuer's"},
		{name: "hosted, other host allowed by allowedOrigins", setup: func() {
			local := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
			s.docs["/assertions/1.json"] = edit(t, hosted, func(m map[string]any) { m["id"] = local + "/assertions/1.json" })
			s.docs["/issuer.json"] = edit(t, s.docs["/issuer.json"], func(m map[string]any) {
				m["verification"] = map[string]any{"allowedOrigins": []any{strings.TrimPrefix(local, "http://")}}
			})
		}, input: func() string { return strings.Replace(s.URL, "127.0.0.1", "localhost", 1) + "/assertions/1.json" },
			verdict: Verified, check: "issuer's website", status: Passed, meaning: "own website"},
		{name: "hosted, outside startsWith", setup: func() {
			s.docs["/issuer.json"] = edit(t, s.docs["/issuer.json"], func(m map[string]any) {
				m["verification"] = map[string]any{"startsWith": s.URL + "/badges/"}
			})
		}, input: func() string { return hosted }, verdict: NotVerified, check: "issuer's website", status: Failed, meaning: "does not use"},
		{name: "hosted, expired", input: func() string { return hosted }, now: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
			verdict: NotVerified, check: "validity period", status: Failed, meaning: "expired on 1 March 2034"},
		{name: "hosted, not yet issued", input: func() string { return hosted }, now: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			verdict: NotVerified, check: "validity period", status: Failed, meaning: "dated in the future"},
		{name: "signed", input: func() string { return signed }, verdict: Verified, check: "signature", status: Passed, meaning: "signed with the issuer's key"},
		{name: "signed, payload altered", input: func() string {
			parts := strings.Split(signed, ".")
			evil := strings.Replace(claims, "alice@example.org", "mallory@example.org", 1)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(evil)) + "." + parts[2]
		}, verdict: NotVerified, check: "signature", status: Failed, meaning: "does not match"},
		{name: "signed by another key", input: func() string { return signJWS(t, "other-key.pem", "RS256", []byte(claims)) },
			verdict: NotVerified, check: "signature", status: Failed, meaning: "does not match"},
		{name: "signed, revoked in the revocation list", input: func() string {
			return signJWS(t, "issuer-key.pem", "RS256", []byte(strings.Replace(claims, "000000000001", "00000000dead", 1)))
		}, verdict: NotVerified, check: "revocation", status: Failed, meaning: "Issued to the wrong person."},
		{name: "signed, revocation list unreachable", setup: func() { s.docs["/revocations.json"] = "500" },
			input: func() string { return signed }, verdict: NotChecked, check: "revocation", status: Skipped, meaning: "unknown whether"},
		{name: "signed, key not listed by the issuer", setup: func() {
			s.docs["/issuer.json"] = edit(t, s.docs["/issuer.json"], func(m map[string]any) { m["publicKey"] = s.URL + "/other-key.json" })
		}, input: func() string { return signed }, verdict: NotVerified, check: "signature", status: Failed, meaning: "does not list as its own"},
		{name: "signed, key owned by someone else", setup: func() {
			s.docs["/key.json"] = edit(t, s.docs["/key.json"], func(m map[string]any) { m["owner"] = "https://elsewhere.example/issuer" })
		}, input: func() string { return signed }, verdict: NotChecked, check: "signature", status: Skipped, meaning: "could not be read"},
		{name: "signed with an unsupported algorithm", input: func() string { return signJWS(t, "issuer-key.pem", "PS256", []byte(claims)) },
			verdict: NotChecked, check: "signature", status: Skipped, meaning: "does not support"},
		{name: "signed assertion without its signature", input: func() string { return claims },
			verdict: NotChecked, check: "signature", status: Skipped, meaning: "without the signature"},
		{name: "spec hosted example, while valid", input: func() string { return s.docs["/spec/assertion.json"] },
			now: time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC), verdict: Verified, check: "validity period", status: Passed, meaning: "valid until 30 June 2017"},
		{name: "spec hosted example, today", input: func() string { return s.docs["/spec/assertion.json"] },
			verdict: NotVerified, check: "validity period", status: Failed, meaning: "expired on 30 June 2017"},
		{name: "spec example with embedded badge class and issuer", input: func() string { return s.docs["/spec/assertion-embedded.json"] },
			setup:   func() { s.docs["/spec/beths-robotics-badge.json"] = s.docs["/spec/assertion-embedded.json"] },
			verdict: Verified, check: "issuer", status: Passed, meaning: "An Example Badge Issuer"},
		{name: "spec revoked hosted example (410 Gone)", setup: func() {
			s.docs["/spec/beths-robotics-badge.json"] = "410 " + strings.ReplaceAll(readTestdata(t, "spec/revoked-hosted.json"), "https://example.org/", s.URL+"/spec/")
		}, input: func() string { return s.URL + "/spec/beths-robotics-badge.json" },
			verdict: NotVerified, check: "revocation", status: Failed, meaning: "three stacked children in a trenchcoat"},
		{name: "spec revocation list: revoked by id", setup: func() {
			s.docs["/revocations.json"] = strings.ReplaceAll(readTestdata(t, "spec/revocation-list.json"), "https://example.org/", s.URL+"/spec/")
		}, input: func() string {
			return signJWS(t, "issuer-key.pem", "RS256", []byte(strings.Replace(claims, "urn:uuid:6d1b4c7e-0000-4000-8000-000000000001", "urn:uuid:e79a6c18-787e-4868-8e65-e6a4530fb418", 1)))
		}, verdict: NotVerified, check: "revocation", status: Failed, meaning: "Honor code violation"},
		{name: "spec revocation list: revoked by uid", setup: func() {
			s.docs["/revocations.json"] = strings.ReplaceAll(readTestdata(t, "spec/revocation-list.json"), "https://example.org/", s.URL+"/spec/")
		}, input: func() string {
			return signJWS(t, "issuer-key.pem", "RS256", []byte(edit(t, claims, func(m map[string]any) { m["uid"] = "abc123" })))
		}, verdict: NotVerified, check: "revocation", status: Failed, meaning: "Issued in error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := map[string]string{}
			for k, v := range s.docs {
				saved[k] = v
			}
			defer func() { s.docs = saved }()
			if tt.setup != nil {
				tt.setup()
			}
			at := tt.now
			if at.IsZero() {
				at = now
			}
			res, err := Verify(context.Background(), []byte(tt.input()), s.options(at))
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != tt.verdict {
				t.Errorf("verdict %q, want %q\n%s", res.Verdict, tt.verdict, dump(res))
			}
			var found bool
			for _, c := range res.Checks {
				if c.Name == tt.check && c.Status == tt.status && strings.Contains(c.Meaning, tt.meaning) {
					found = true
				}
				if c.Meaning == "" || c.Detail == "" {
					t.Errorf("check %q lacks its plain words or its detail", c.Name)
				}
			}
			if !found {
				t.Errorf("no %s check %q saying %q\n%s", tt.status, tt.check, tt.meaning, dump(res))
			}
		})
	}
}

func dump(r *Result) string {
	b, _ := json.MarshalIndent(r, "", "  ")
	return string(b)
}

// TestSpecSignedExample checks the specification's signed example offline
// against the specification's own documents: its payload names the key
// https://example.org/publicKey, which the example issuer profile does not
// list (it lists .../publicKey.json), so the badge is not verified.
func TestSpecSignedExample(t *testing.T) {
	docs := map[string][]byte{}
	for url, f := range map[string]string{
		"https://example.org/robotics-badge.json": "spec/badgeclass.json",
		"https://example.org/organization.json":   "spec/issuer.json",
		"https://example.org/publicKey.json":      "spec/cryptographic-key.json",
		"https://example.org/revocationList.json": "spec/revocation-list.json",
	} {
		docs[url] = []byte(readTestdata(t, f))
	}
	jws := readTestdata(t, "spec/signed.jws")
	res, err := Verify(context.Background(), []byte(jws), Options{Documents: docs, Offline: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != NotVerified || res.Method != "signed" {
		t.Fatalf("verdict %q method %q\n%s", res.Verdict, res.Method, dump(res))
	}
	last := res.Checks[len(res.Checks)-1]
	if last.Name != "signature" || !strings.Contains(last.Detail, "https://example.org/publicKey is not among the issuer's publicKey") {
		t.Errorf("last check %+v", last)
	}
	// Listing the key it names leaves the abbreviated example key, which
	// cannot be read: could not be checked, not "false".
	docs["https://example.org/organization.json"] = []byte(strings.Replace(string(docs["https://example.org/organization.json"]), "publicKey.json", "publicKey", 1))
	docs["https://example.org/publicKey"] = []byte(strings.Replace(string(docs["https://example.org/publicKey.json"]), "publicKey.json", "publicKey", 1))
	res, _ = Verify(context.Background(), []byte(jws), Options{Documents: docs, Offline: true, Now: now})
	if res.Verdict != NotChecked {
		t.Errorf("with the key listed: verdict %q\n%s", res.Verdict, dump(res))
	}
	// Offline without the documents: could not be checked.
	res, _ = Verify(context.Background(), []byte(jws), Options{Offline: true, Now: now})
	if res.Verdict != NotChecked {
		t.Errorf("offline: verdict %q", res.Verdict)
	}
}

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{readTestdata(t, "spec/assertion.json"), true},
		{readTestdata(t, "spec/signed.jws"), true},
		{"https://example.org/assertions/1", true},
		{`{"type":"Assertion","verify":{"type":"hosted","url":"https://example.org/a"}}`, true},
		{`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"]}`, false},
		{"eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2ln", false},
		{"hello", false},
		{"", false},
		{"https://example.org/a b", false},
	} {
		if got := Detect([]byte(tt.in)); got != tt.want {
			t.Errorf("Detect(%.40q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if _, err := Verify(context.Background(), []byte(`{"a":1}`), Options{}); !errors.Is(err, ErrNotOB2) {
		t.Errorf("err = %v, want ErrNotOB2", err)
	}
}

// TestRefusesPrivateAddresses: with the default client, a hosted
// assertion's URL on a loopback or private address is never fetched; the
// badge is reported as could not be checked.
func TestRefusesPrivateAddresses(t *testing.T) {
	s := newIssuerServer(t)
	res, err := Verify(context.Background(), []byte(s.docs["/assertion.json"]), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != NotChecked || !strings.Contains(res.Checks[0].Detail, "loopback") {
		t.Errorf("default client: %s", dump(res))
	}
}
