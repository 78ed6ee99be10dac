package api

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// TestVCAPIIssueRefusals: POST /credentials/issue refuses, with 400 and
// the field named, what a credential must not say, and never fills in a
// null. Each case runs with both cryptosuites: the checks do not depend on
// the suite.
func TestVCAPIIssueRefusals(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDKey)
	tok := bearer(e.token("all"))
	issuer := e.issuerID()
	v2, _ := jsonld.Context("https://www.w3.org/ns/credentials/v2")
	sri := func(b []byte) string {
		h := sha512.Sum384(b)
		return "sha384-" + base64.StdEncoding.EncodeToString(h[:])
	}
	mb := func(b []byte) string {
		h := sha256.Sum256(b)
		return "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, h[:]...))
	}
	related := func(rr ...map[string]any) func(c map[string]any) {
		return func(c map[string]any) {
			list := make([]any, len(rr))
			for i, r := range rr {
				list[i] = r
			}
			c["relatedResource"] = list
		}
	}
	v1 := func(c map[string]any) {
		c["@context"] = []any{"https://www.w3.org/2018/credentials/v1"}
		c["issuanceDate"] = "2026-01-31T09:00:00Z"
	}
	cases := []struct {
		name   string
		change func(c map[string]any)
		status int
		field  string // the field the refusal names
		say    string // part of its problem
	}{
		{"issuer null", func(c map[string]any) { c["issuer"] = nil }, 400, "credential.issuer", "must not be null"},
		{"issuer not a URL", func(c map[string]any) { c["issuer"] = "Example University" }, 400, "credential.issuer", "must be a URL"},
		{"issuer a number", func(c map[string]any) { c["issuer"] = 7 }, 400, "credential.issuer", "must be a URL"},
		{"issuer object with null id", func(c map[string]any) { c["issuer"] = map[string]any{"id": nil} }, 400, "credential.issuer.id", "is required"},
		{"issuer object with a non-URL id", func(c map[string]any) { c["issuer"] = map[string]any{"id": "me"} }, 400, "credential.issuer.id", "must be a URL"},
		{"issuer of another organization", func(c map[string]any) { c["issuer"] = "did:example:someone-else" }, 400, "credential.issuer", "must be " + issuer},
		{"id null", func(c map[string]any) { c["id"] = nil }, 400, "credential.id", "must not be null"},
		{"id not a URL", func(c map[string]any) { c["id"] = "credential 42" }, 400, "credential.id", "must be a URL"},
		{"id a number", func(c map[string]any) { c["id"] = 42 }, 400, "credential.id", "must be a URL"},
		{"empty credentialSubject", func(c map[string]any) { c["credentialSubject"] = map[string]any{} }, 400, "credential.credentialSubject", "must not be empty"},
		{"empty credentialSubject list", func(c map[string]any) { c["credentialSubject"] = []any{} }, 400, "credential.credentialSubject", "empty list"},
		{"empty subject in a list", func(c map[string]any) {
			c["credentialSubject"] = []any{map[string]any{"id": "did:example:a"}, map[string]any{}}
		}, 400, "credential.credentialSubject[1]", "must not be empty"},
		{"null credentialSubject", func(c map[string]any) { c["credentialSubject"] = nil }, 400, "credential.credentialSubject", "is required"},
		{"credentialStatus without type", func(c map[string]any) {
			c["credentialStatus"] = map[string]any{"id": "https://status.example/1#5"}
		}, 400, "credential.credentialStatus.type", "is required"},
		{"termsOfUse without type", func(c map[string]any) {
			c["termsOfUse"] = []any{map[string]any{"id": "https://policy.example/1"}}
		}, 400, "credential.termsOfUse[0].type", "is required"},
		{"evidence without type", func(c map[string]any) {
			c["evidence"] = []any{map[string]any{"id": "https://evidence.example/1", "type": []any{"Evidence"}}, map[string]any{"id": "https://evidence.example/2"}}
		}, 400, "credential.evidence[1].type", "is required"},
		{"refreshService without type", func(c map[string]any) {
			c["refreshService"] = map[string]any{"id": "https://refresh.example/"}
		}, 400, "credential.refreshService.type", "is required"},
		{"credentialSchema without type", func(c map[string]any) {
			c["credentialSchema"] = map[string]any{"id": "https://schema.example/s.json"}
		}, 400, "credential.credentialSchema.type", "is required"},
		{"credentialSchema without id", func(c map[string]any) {
			c["credentialSchema"] = map[string]any{"type": "JsonSchema"}
		}, 400, "credential.credentialSchema.id", "is required"},
		{"evidence with an id that is not a URL", func(c map[string]any) {
			c["evidence"] = map[string]any{"id": "photo 3", "type": "Evidence"}
		}, 400, "credential.evidence.id", "must be a URL"},
		{"credentialStatus with a null id", func(c map[string]any) {
			c["credentialStatus"] = map[string]any{"id": nil, "type": "BitstringStatusListEntry"}
		}, 400, "credential.credentialStatus.id", "must be a URL"},
		{"evidence not an object", func(c map[string]any) { c["evidence"] = "a photo" }, 400, "credential.evidence", "must be an object"},
		{"relatedResource digestSRI that does not match the published digest", related(map[string]any{
			"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": sri([]byte("something else")),
		}), 400, "credential.relatedResource[0].digestSRI", "does not match the published digest of https://www.w3.org/ns/credentials/v2"},
		{"relatedResource digestMultibase that does not match the published digest", related(map[string]any{
			"id": "https://www.w3.org/ns/credentials/v2", "digestMultibase": mb([]byte("something else")),
		}), 400, "credential.relatedResource[0].digestMultibase", "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"},
		{"relatedResource with the digests VC 2.0 publishes for its context", related(map[string]any{
			"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU",
			"digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA",
		}), 201, "", ""},
		{"relatedResource of a shipped context with no published digest", related(map[string]any{
			"id": "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "digestSRI": sri([]byte("a version we cannot tell")),
		}), 201, "", ""},
		{"relatedResource with an unknown algorithm", related(map[string]any{
			"id": "https://images.example/badge.png", "digestSRI": "md5-1B2M2Y8AsgTpgAmY7PhCfg==",
		}), 400, "credential.relatedResource[0].digestSRI", "sha256-, sha384- or sha512-"},
		{"relatedResource digest of the wrong length", related(map[string]any{
			"id": "https://images.example/badge.png", "digestSRI": "sha256-" + base64.StdEncoding.EncodeToString([]byte("short")),
		}), 400, "credential.relatedResource[0].digestSRI", "not a sha256 digest"},
		{"relatedResource multibase that is not a multihash", related(map[string]any{
			"id": "https://images.example/badge.png", "digestMultibase": "uAAAA",
		}), 400, "credential.relatedResource[0].digestMultibase", "multihash"},
		{"relatedResource without a digest", related(map[string]any{"id": "https://images.example/badge.png"}),
			400, "credential.relatedResource[0]", "digestSRI or digestMultibase"},
		{"relatedResource without id", related(map[string]any{"digestSRI": sri(v2)}),
			400, "credential.relatedResource[0].id", "is required"},
		{"relatedResource matching the shipped copy", related(map[string]any{
			"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": sri(v2), "digestMultibase": mb(v2), "mediaType": "application/ld+json",
		}), 201, "", ""},
		{"relatedResource this server does not hold, well formed", related(map[string]any{
			"id": "https://images.example/badge.png", "digestSRI": sri([]byte("png")), "mediaType": "image/png",
		}), 201, "", ""},
		{"unknown context", func(c map[string]any) {
			c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://contexts.example/unknown.jsonld"}
		}, 400, "credential.@context", "https://contexts.example/unknown.jsonld"},
		{"redefined protected term", func(c map[string]any) {
			c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", map[string]any{"VerifiableCredential": "https://terms.example/vc"}}
		}, 400, "credential", "protected term"},
		{"undefined term (VC 1.1 has no @vocab)", func(c map[string]any) {
			v1(c)
			c["favouriteColour"] = "green"
		}, 400, "credential", "favouriteColour"},
		{"VC 1.1 without issuanceDate", func(c map[string]any) {
			v1(c)
			delete(c, "issuanceDate")
		}, 400, "credential.issuanceDate", "is required"},
		{"VC 1.1 with validFrom", func(c map[string]any) {
			v1(c)
			c["validFrom"] = "2026-01-31T09:00:00Z"
		}, 400, "credential.validFrom", "VC 2.0 property"},
		{"VC 1.1 issuanceDate not a date-time", func(c map[string]any) {
			v1(c)
			c["issuanceDate"] = "31 January 2026"
		}, 400, "credential.issuanceDate", "date-time"},
	}
	for _, suite := range []string{proof.SuiteRDFC, proof.SuiteJCS} {
		for _, c := range cases {
			t.Run(suite+"/"+c.name, func(t *testing.T) {
				cred := vcapiCredential(issuer)
				c.change(cred)
				rec := e.do("POST", "/credentials/issue", tok, mustJSON(t, map[string]any{"credential": cred, "options": map[string]any{"cryptosuite": suite}}))
				if rec.Code != c.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
				}
				if c.status != 400 {
					return
				}
				var body struct {
					Error  string
					Fields []struct{ Field, Problem string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
					t.Fatalf("not the error shape: %s (%v)", rec.Body, err)
				}
				for _, f := range body.Fields {
					if f.Field == c.field && strings.Contains(f.Problem, c.say) {
						return
					}
				}
				t.Errorf("no field %s saying %q in %s", c.field, c.say, rec.Body)
			})
		}
	}
	// A null id is refused even with options.credentialId, not replaced.
	cred := vcapiCredential(issuer)
	cred["id"] = nil
	rec := e.do("POST", "/credentials/issue", tok, mustJSON(t, map[string]any{"credential": cred, "options": map[string]any{"credentialId": "urn:uuid:" + store.NewID()}}))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"credential.id"`) || !strings.Contains(rec.Body.String(), "must not be null") {
		t.Errorf("null id with credentialId: %d %s", rec.Code, rec.Body)
	}
	// Nothing refused was stored.
	n, err := e.store.CountCredentials(context.Background(), store.CredentialQuery{OrgID: e.org.ID})
	if err != nil || n != 8 {
		t.Errorf("%d credentials stored (%v); want the 2 x 4 accepted", n, err)
	}
}

// TestVCAPIIssueVC11: a VC 1.1 credential (the 2018 context, issuanceDate)
// is signed as given, with either cryptosuite, and its proof verifies; an
// Open Badge on VC 1.1 is checked by the Open Badges 3.0 rules as read on
// VC 2.0.
func TestVCAPIIssueVC11(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDKey)
	tok := bearer(e.token("all"))
	issuer := e.issuerID()
	plain := func() map[string]any {
		return map[string]any{
			"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/examples/v2"},
			"type":              []any{"VerifiableCredential"},
			"issuer":            issuer,
			"issuanceDate":      "2026-01-31T09:00:00Z",
			"expirationDate":    "2031-01-31T09:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
		}
	}
	ob := func(criteria bool) map[string]any {
		ach := map[string]any{"id": e.svc.AchievementURL(e.achID), "type": []any{"Achievement"}, "name": "Data Analytics", "description": "Analyses data."}
		if criteria {
			ach["criteria"] = map[string]any{"narrative": "Pass the exam."}
		}
		return map[string]any{
			"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
			"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
			"name":              "Data Analytics",
			"issuanceDate":      "2026-01-31T09:00:00Z",
			"credentialSubject": map[string]any{"type": []any{"AchievementSubject"}, "id": "did:example:learner", "achievement": ach},
		}
	}
	signedAsGiven := func(in map[string]any) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			vc := decode[map[string]map[string]any](t, rec)["verifiableCredential"]
			for k, v := range in {
				if k == "@context" {
					// The contexts sent come first, unchanged; VC 1.1 does not
					// define the status entry's and the proof's terms, so
					// their contexts follow.
					want := append(append([]any(nil), v.([]any)...), "https://www.w3.org/ns/credentials/status/v1", "https://w3id.org/security/data-integrity/v2")
					if mustJSON(t, vc[k]) != mustJSON(t, want) {
						t.Errorf("@context = %s, want %s", mustJSON(t, vc[k]), mustJSON(t, want))
					}
					continue
				}
				if mustJSON(t, vc[k]) != mustJSON(t, v) {
					t.Errorf("%s = %s, sent %s", k, mustJSON(t, vc[k]), mustJSON(t, v))
				}
			}
			if _, has := vc["validFrom"]; has {
				t.Errorf("validFrom added to a VC 1.1 credential")
			}
			res, err := proof.Verify(context.Background(), vc, &did.Resolver{}, proof.VerifyOptions{})
			if err != nil || len(res) == 0 {
				t.Fatalf("proof: %+v %v", res, err)
			}
			stored, err := e.store.Credential(context.Background(), vc["id"].(string))
			if err != nil || !stored.ValidFrom.Equal(time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)) {
				t.Errorf("stored valid from %v (%v); want the issuanceDate", stored.ValidFrom, err)
			}
		}
	}
	var scenarios []scenario
	for _, suite := range []string{proof.SuiteRDFC, proof.SuiteJCS} {
		p := plain()
		o := ob(true)
		scenarios = append(scenarios,
			scenario{name: suite + "/plain VC 1.1", method: "POST", url: "/credentials/issue", headers: tok,
				body: mustJSON(t, map[string]any{"credential": p, "options": map[string]any{"cryptosuite": suite}}), status: 201, check: signedAsGiven(p)},
			scenario{name: suite + "/Open Badge on VC 1.1", method: "POST", url: "/credentials/issue", headers: tok,
				body: mustJSON(t, map[string]any{"credential": o, "options": map[string]any{"cryptosuite": suite}}), status: 201, check: signedAsGiven(o)},
			scenario{name: suite + "/Open Badge on VC 1.1 without criteria", method: "POST", url: "/credentials/issue", headers: tok,
				body: mustJSON(t, map[string]any{"credential": ob(false), "options": map[string]any{"cryptosuite": suite}}), status: 400,
				contains: []string{`"field":"credential.credentialSubject.achievement.criteria"`}},
		)
	}
	e.run(t, scenarios)
}
