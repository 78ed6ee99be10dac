package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/limit"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

func TestVCAPIIssueAndVerify(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testVCAPIIssueAndVerify(t, b) })
	}
}

func testVCAPIIssueAndVerify(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	tok := e.token("all")
	e.addClient("reader", e.org.ID, ScopeCredentialRead)
	readerTok := e.token("reader")
	issuer := e.issuerID()
	issueBody := func(cred map[string]any, options any) string {
		m := map[string]any{"credential": cred}
		if options != nil {
			m["options"] = options
		}
		return mustJSON(t, m)
	}
	var issued map[string]any // filled by the happy path, used by verify scenarios
	captureVC := func(suite string) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			body := decode[map[string]map[string]any](t, rec)
			vc := body["verifiableCredential"]
			p, _ := vc["proof"].(map[string]any)
			if p["type"] != "DataIntegrityProof" || p["cryptosuite"] != suite {
				t.Fatalf("proof %v, want DataIntegrityProof %s", p, suite)
			}
			if vc["issuer"] != issuer || !strings.HasPrefix(vc["id"].(string), "urn:uuid:") {
				t.Errorf("issuer %v id %v", vc["issuer"], vc["id"])
			}
			// It is stored under its id.
			if _, err := e.store.Credential(context.Background(), vc["id"].(string)); err != nil {
				t.Errorf("issued credential not stored: %v", err)
			}
			issued = vc
		}
	}
	e.run(t, []scenario{
		{name: "issue eddsa-jcs-2022", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"cryptosuite": "eddsa-jcs-2022"}), status: 201,
			check: captureVC(proof.SuiteJCS)},
		{name: "issue default suite", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{}), status: 201, check: captureVC(proof.SuiteRDFC)},
		{name: "no token", method: "POST", url: "/credentials/issue",
			body: issueBody(vcapiCredential(issuer), nil), status: 401, header: map[string]string{"WWW-Authenticate": `Bearer realm="microcred"`}},
		{name: "token without issue scope", method: "POST", url: "/credentials/issue", headers: bearer(readerTok),
			body: issueBody(vcapiCredential(issuer), nil), status: 403},
		{name: "unknown top-level field", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: `{"credential":` + mustJSON(t, vcapiCredential(issuer)) + `,"extra":1}`, status: 400,
			contains: []string{`"field":"extra"`, "unknown field"}},
		{name: "unknown option", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"proofFormat": "x"}), status: 400,
			contains: []string{`"field":"options.proofFormat"`}},
		{name: "mandatoryPointers refused", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"mandatoryPointers": []any{"/issuer"}}), status: 400,
			contains: []string{"options.mandatoryPointers", "not supported"}},
		{name: "created not a date-time", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"created": "yesterday"}), status: 400,
			contains: []string{`"field":"options.created"`, "RFC 3339"}},
		{name: "created without time zone", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"created": "2026-01-31T09:00:00"}), status: 400,
			contains: []string{`"field":"options.created"`, "RFC 3339"}},
		{name: "created dates the proof", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"created": "2026-01-31T09:00:00Z"}), status: 201,
			contains: []string{`"created":"2026-01-31T09:00:00Z"`}},
		{name: "created with fractional seconds", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"created": "2026-01-31T09:00:00.25Z"}), status: 400,
			contains: []string{`"field":"options.created"`, "whole seconds"}},
		{name: "unknown cryptosuite", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"cryptosuite": "ecdsa-rdfc-2019"}), status: 400,
			contains: []string{"options.cryptosuite"}},
		{name: "malformed JSON", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: `{"credential": {`, status: 400, contains: []string{"malformed JSON"}},
		{name: "options of wrong type", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential(issuer), map[string]any{"cryptosuite": 5}), status: 400,
			contains: []string{`"field":"options.cryptosuite"`, "must be a string"}},
		{name: "credential missing", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: `{"options":{}}`, status: 400, contains: []string{`"field":"credential"`}},
		{name: "credential not an object", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: `{"credential":"abc"}`, status: 400, contains: []string{`"field":"credential"`}},
		{name: "issuer mismatch", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(vcapiCredential("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"), nil), status: 400,
			contains: []string{`"field":"credential.issuer"`}},
		{name: "credential without subject", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body:   issueBody(map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"}}, nil),
			status: 400, contains: []string{`"field":"credential.credentialSubject"`}},
		{name: "credential already signed", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: issueBody(func() map[string]any {
				c := vcapiCredential(issuer)
				c["proof"] = map[string]any{"type": "DataIntegrityProof"}
				return c
			}(), nil), status: 400, contains: []string{`"field":"credential.proof"`}},
	})
	if issued == nil {
		t.Fatal("no credential issued")
	}

	tampered := map[string]any{}
	for k, v := range issued {
		tampered[k] = v
	}
	tampered["credentialSubject"] = map[string]any{"id": "did:example:mallory"}
	verifyBody := func(vc any) string {
		return mustJSON(t, map[string]any{"verifiableCredential": vc, "options": map[string]any{"checks": []any{"proof"}}})
	}
	json200 := map[string]string{"Content-Type": "application/json"}
	e.run(t, []scenario{
		{name: "verify issued", method: "POST", url: "/credentials/verify", headers: json200, body: verifyBody(issued), status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				res := decode[verifyResult](t, rec)
				if !res.Verified || res.Verdict != verify.Verified || len(res.Checks) == 0 || len(res.Errors) != 0 || res.Warnings == nil {
					t.Errorf("result %+v", res)
				}
			}},
		{name: "verify tampered", method: "POST", url: "/credentials/verify", headers: json200, body: verifyBody(tampered), status: 422,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				res := decode[verifyResult](t, rec)
				if res.Verified || res.Verdict != verify.NotVerified || len(res.Errors) == 0 || res.Errors[0].Summary == "" {
					t.Errorf("result %+v", res)
				}
				for _, leak := range []string{"issue: ", "verify: ", "<nil>"} {
					if strings.Contains(rec.Body.String(), leak) {
						t.Errorf("answer leaks %q: %s", leak, rec.Body)
					}
				}
			}},
		{name: "verify a credential with a cryptosuite microcred does not implement", method: "POST", url: "/credentials/verify", headers: json200,
			body: strings.Replace(verifyBody(issued), `"cryptosuite":"eddsa-`, `"cryptosuite":"ecdsa-`, 1), status: 422,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				res := decode[verifyResult](t, rec)
				if res.Verified || res.Verdict != verify.CouldNotCheck || len(res.Errors) != 1 || res.Errors[0].State != verify.NotChecked {
					t.Errorf("result %s", rec.Body)
				}
			}},
		{name: "verify a JSON credential sent as a string", method: "POST", url: "/credentials/verify", headers: json200,
			body: verifyBody(mustJSON(t, issued)), status: 400, contains: []string{`"field":"verifiableCredential"`, "not a compact JWS"}},
		{name: "verify missing credential", method: "POST", url: "/credentials/verify", headers: json200, body: `{}`, status: 400,
			contains: []string{`"field":"verifiableCredential"`}},
		{name: "verify unknown field", method: "POST", url: "/credentials/verify", headers: json200,
			body: `{"verifiableCredential":{},"presentation":1}`, status: 400, contains: []string{`"field":"presentation"`}},
		{name: "verify garbage string", method: "POST", url: "/credentials/verify", headers: json200,
			body: `{"verifiableCredential":"not a jwt"}`, status: 400, contains: []string{"verifiableCredential"}},
		{name: "verify number", method: "POST", url: "/credentials/verify", headers: json200,
			body: `{"verifiableCredential":42}`, status: 400},
	})

	// Presentations: the holder's proof against the verifier's challenge
	// and domain, and each credential with its own verdict.
	holder, err := keys.FromSeed([]byte(strings.Repeat("h", 32)), "")
	if err != nil {
		t.Fatal(err)
	}
	vp := func(creds ...any) map[string]any {
		return map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiablePresentation"},
			"holder": holder.Controller, "verifiableCredential": creds}
	}
	signVP := func(doc map[string]any, challenge, domain string) map[string]any {
		s, err := proof.Sign(doc, holder, proof.Options{ProofPurpose: "authentication", Challenge: challenge, Domain: domain})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	presBody := func(p map[string]any, challenge, domain string) string {
		return mustJSON(t, map[string]any{"verifiablePresentation": p, "options": map[string]any{"challenge": challenge, "domain": domain}})
	}
	e.run(t, []scenario{
		{name: "presentation verified", method: "POST", url: "/presentations/verify", headers: json200,
			body: presBody(signVP(vp(issued), "n-1", "verifier.example"), "n-1", "verifier.example"), status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				res := decode[presentationResult](t, rec)
				if !res.Verified || res.Verdict != verify.Verified || len(res.CredentialResults) != 1 || res.CredentialResults[0].Verdict != verify.Verified ||
					res.PresentationResult.Verdict != verify.Verified {
					t.Errorf("result %s", rec.Body)
				}
			}},
		{name: "presentation with the wrong challenge", method: "POST", url: "/presentations/verify", headers: json200,
			body: presBody(signVP(vp(issued), "n-1", "verifier.example"), "n-2", "verifier.example"), status: 422,
			contains: []string{`"verdict":"not_verified"`, `"name":"holder proof"`, "challenge"}},
		{name: "presentation with the wrong domain", method: "POST", url: "/presentations/verify", headers: json200,
			body: presBody(signVP(vp(issued), "n-1", "verifier.example"), "n-1", "other.example"), status: 422,
			contains: []string{`"verdict":"not_verified"`, `"name":"holder proof"`}},
		{name: "presentation carrying a tampered credential", method: "POST", url: "/presentations/verify", headers: json200,
			body: presBody(signVP(vp(issued, tampered), "n-1", "verifier.example"), "n-1", "verifier.example"), status: 422,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				res := decode[presentationResult](t, rec)
				if res.Verdict != verify.NotVerified || len(res.CredentialResults) != 2 || res.CredentialResults[0].Verdict != verify.Verified ||
					res.CredentialResults[1].Verdict != verify.NotVerified || res.PresentationResult.Verdict != verify.Verified {
					t.Errorf("result %s", rec.Body)
				}
			}},
		{name: "presentation missing", method: "POST", url: "/presentations/verify", headers: json200, body: `{}`, status: 400,
			contains: []string{`"field":"verifiablePresentation"`}},
		{name: "presentation that is a credential", method: "POST", url: "/presentations/verify", headers: json200,
			body: mustJSON(t, map[string]any{"verifiablePresentation": issued}), status: 400, contains: []string{"VerifiablePresentation"}},
	})
}

// TestVCAPIOpenBadge issues an OpenBadgeCredential naming a catalog
// achievement through the VC-API and checks that content problems are 400
// with JSON paths.
func TestVCAPIOpenBadge(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	tok := e.token("all")
	ob := func(criteria bool) map[string]any {
		ach := map[string]any{
			"id": e.svc.AchievementURL(e.achID), "type": []any{"Achievement"}, "name": "Data Analytics",
			"description": "Analyses data.",
		}
		if criteria {
			ach["criteria"] = map[string]any{"narrative": "Pass the exam."}
		}
		return map[string]any{
			"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
			"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
			"name":      "Data Analytics",
			"validFrom": e.clock.Now().Format(time.RFC3339),
			"credentialSubject": map[string]any{
				"type": []any{"AchievementSubject"}, "id": "did:example:learner", "achievement": ach,
			},
		}
	}
	e.run(t, []scenario{
		{name: "open badge", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: mustJSON(t, map[string]any{"credential": ob(true)}), status: 201,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				vc := decode[map[string]map[string]any](t, rec)["verifiableCredential"]
				stored, err := e.store.Credential(context.Background(), vc["id"].(string))
				if err != nil {
					t.Fatal(err)
				}
				if stored.AchievementID != e.achID {
					t.Errorf("recorded under achievement %s, want %s", stored.AchievementID, e.achID)
				}
				if iss, _ := vc["issuer"].(map[string]any); iss["id"] != e.issuerID() {
					t.Errorf("issuer %v", vc["issuer"])
				}
			}},
		{name: "missing criteria", method: "POST", url: "/credentials/issue", headers: bearer(tok),
			body: mustJSON(t, map[string]any{"credential": ob(false)}), status: 400,
			contains: []string{`"field":"credential.credentialSubject.achievement.criteria"`}},
	})
}

// TestVCAPIOfflineDIDKey is what a W3C VC test suite does against an
// issuer configured with a did:key: issue through /credentials/issue and
// verify the result with nothing but the credential (no network, no store).
func TestVCAPIOfflineDIDKey(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDKey)
	tok := e.token("all")
	issuer := e.issuerID()
	if !strings.HasPrefix(issuer, "did:key:z6Mk") {
		t.Fatalf("issuer %s is not a did:key", issuer)
	}
	for _, suite := range []string{proof.SuiteRDFC, proof.SuiteJCS} {
		t.Run(suite, func(t *testing.T) {
			cred := vcapiCredential(issuer)
			cred["id"] = "urn:uuid:" + store.NewID()
			rec := e.do("POST", "/credentials/issue", bearer(tok),
				mustJSON(t, map[string]any{"credential": cred, "options": map[string]any{"type": "DataIntegrityProof", "cryptosuite": suite}}))
			if rec.Code != 201 {
				t.Fatalf("issue: %d %s", rec.Code, rec.Body)
			}
			var body struct {
				VerifiableCredential json.RawMessage `json:"verifiableCredential"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			// Offline: no DID fetching, and the status lists given as files.
			lists := status.Files{}
			for _, purpose := range status.PurposesFor(e.org) {
				p, err := e.svc.StatusService().List(context.Background(), e.org.Slug, purpose, 0)
				if err != nil {
					t.Fatal(err)
				}
				lists[status.ListURL(testBase, e.org.Slug, purpose, 0)] = p.Document
			}
			rep, err := verify.Credential(context.Background(), body.VerifiableCredential,
				verify.Options{Keys: &did.Resolver{}, Now: e.clock.Now(), Status: &status.Checker{Source: lists}})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Verified {
				t.Fatalf("offline verification failed: %+v", rep.Checks)
			}
			if rep.Credential["id"] != cred["id"] {
				t.Errorf("id %v, want the one supplied %v", rep.Credential["id"], cred["id"])
			}
		})
	}
}

// TestVCAPICredentialID checks options.credentialId.
func TestVCAPICredentialID(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	tok := e.token("all")
	id := "urn:uuid:" + store.NewID()
	body := mustJSON(t, map[string]any{"credential": vcapiCredential(e.issuerID()), "options": map[string]any{"credentialId": id}})
	rec := e.do("POST", "/credentials/issue", bearer(tok), body)
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	// The same id again is refused on content.
	rec = e.do("POST", "/credentials/issue", bearer(tok), body)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "credential.id") {
		t.Fatalf("duplicate id: %d %s", rec.Code, rec.Body)
	}
}

// TestVerifyBusy checks the admission limit of the public verifier: when
// every slot is taken and the queue is full, POST /credentials/verify
// answers 429 with Retry-After at once, and works again once a slot frees.
func TestVerifyBusy(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	e.svc.VerifyGate = limit.NewGate(1, 0, time.Hour)
	release, err := e.svc.AdmitVerify(context.Background(), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Content-Type": "application/json"}
	rec := e.do("POST", "/credentials/verify", hdr, `{}`)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), "retry") {
		t.Errorf("saturated: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	release()
	if rec := e.do("POST", "/credentials/verify", hdr, `{}`); rec.Code != http.StatusBadRequest {
		t.Errorf("after release: %d %s", rec.Code, rec.Body)
	}
}

// TestLoneSurrogatesRefused: a credential carrying a lone surrogate is
// refused with 400 rather than silently changed before it is signed.
func TestLoneSurrogatesRefused(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDKey)
	tok := e.token("all")
	body := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"id":"did:example:1","name":"x\ud800y"}}}`
	rec := e.do("POST", "/credentials/issue", bearer(tok), body)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "surrogate") {
		t.Errorf("lone surrogate: %d %s", rec.Code, rec.Body)
	}
}
