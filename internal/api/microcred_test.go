package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

func TestAwardCredential(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testAwardCredential(t, b) })
	}
}

func testAwardCredential(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	ctx := context.Background()
	tok := e.token("all")
	e.addClient("reader", e.org.ID, ScopeCredentialRead)
	readTok := e.token("reader")
	withKey := func(key string) map[string]string {
		h := bearer(tok)
		h["Idempotency-Key"] = key
		return h
	}
	good := mustJSON(t, map[string]any{
		"achievementId": e.achID,
		"recipient":     map[string]any{"email": "ada@example.org", "name": "Ada Lovelace"},
		"narrative":     "Completed the capstone.", "evidenceUrl": "https://example.org/capstone",
	})
	var firstID string
	record := func(wantFormat string) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			r := decode[map[string]any](t, rec)
			id, _ := r["id"].(string)
			if !strings.HasPrefix(id, "urn:uuid:") || !strings.HasPrefix(r["url"].(string), testBase+"/c/") {
				t.Errorf("record %v", r)
			}
			switch wantFormat {
			case "jwt":
				if s, _ := r["credential"].(string); !compactJWS(s) {
					t.Errorf("credential is not a JWT: %v", r["credential"])
				}
			default:
				doc, _ := r["credential"].(map[string]any)
				if doc["proof"] == nil || doc["id"] != id {
					t.Errorf("credential %v", doc)
				}
			}
			if firstID == "" {
				firstID = id
			}
		}
	}
	url := "/api/v1/credentials"
	e.run(t, []scenario{
		{name: "issue with idempotency key", method: "POST", url: url, headers: withKey("k-1"), body: good, status: 201,
			contains: []string{"Ada Lovelace"}, check: record("ldp")},
		{name: "retry with the same key", method: "POST", url: url, headers: withKey("k-1"), body: good, status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if id := decode[map[string]any](t, rec)["id"]; id != firstID {
					t.Errorf("retry returned %v, want %v", id, firstID)
				}
			}},
		{name: "jwt by URL id", method: "POST", url: url, headers: bearer(tok), status: 201, check: record("jwt"),
			body: mustJSON(t, map[string]any{"achievementId": e.svc.AchievementURL(e.achID), "format": "jwt", "notify": false,
				"recipient": map[string]any{"email": "bob@example.org"}})},
		{name: "field errors by JSON path", method: "POST", url: url, headers: bearer(tok), status: 400,
			body: mustJSON(t, map[string]any{"achievementId": e.achID, "format": "pdf", "evidenceUrl": "javascript:x",
				"recipient": map[string]any{"email": "not-an-address"}}),
			contains: []string{`"field":"recipient.email"`, `"field":"format"`, `"field":"evidenceUrl"`}},
		{name: "unknown achievement", method: "POST", url: url, headers: bearer(tok), status: 400,
			body:     mustJSON(t, map[string]any{"achievementId": "nope", "recipient": map[string]any{"email": "a@example.org"}}),
			contains: []string{`"field":"achievementId"`}},
		{name: "unknown recipient field", method: "POST", url: url, headers: bearer(tok), status: 400,
			body:     `{"achievementId":"x","recipient":{"email":"a@example.org","phone":"1"}}`,
			contains: []string{`"field":"recipient.phone"`, "unknown field"}},
		{name: "unknown top-level field", method: "POST", url: url, headers: bearer(tok), status: 400,
			body: `{"achievementId":"x","recipient":{"email":"a@example.org"},"grade":"A"}`, contains: []string{`"field":"grade"`}},
		{name: "wrong type", method: "POST", url: url, headers: bearer(tok), status: 400,
			body: `{"achievementId":"x","recipient":{"email":"a@example.org"},"notify":"yes"}`, contains: []string{`"field":"notify"`, "boolean"}},
		{name: "missing recipient", method: "POST", url: url, headers: bearer(tok), status: 400,
			body: `{"achievementId":"x"}`, contains: []string{`"field":"recipient"`}},
		{name: "bad date", method: "POST", url: url, headers: bearer(tok), status: 400,
			body:     mustJSON(t, map[string]any{"achievementId": e.achID, "validUntil": "next year", "recipient": map[string]any{"email": "a@example.org"}}),
			contains: []string{`"field":"validUntil"`}},
		{name: "trailing data", method: "POST", url: url, headers: bearer(tok), status: 400, body: good + "{}"},
		{name: "no token", method: "POST", url: url, body: good, status: 401},
		{name: "read-only token", method: "POST", url: url, headers: bearer(readTok), body: good, status: 403},
	})
	all, err := e.store.ListCredentials(ctx, store.CredentialQuery{OrgID: e.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("%d credentials stored, want 2 (the retry and the failures add none)", len(all))
	}
	uuid := strings.TrimPrefix(firstID, "urn:uuid:")
	e.run(t, []scenario{
		{name: "get", method: "GET", url: url + "/" + uuid, headers: bearer(readTok), status: 200, contains: []string{firstID}},
		{name: "get unknown", method: "GET", url: url + "/" + store.NewID(), headers: bearer(readTok), status: 404},
		{name: "get without scope", method: "GET", url: url + "/" + uuid, headers: bearer(e.token("all", ScopeIssue)), status: 403},
	})
	// Another organization cannot read it.
	other, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: "other-org", Name: "Other"}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	e.addClient("other", other.ID, ScopeCredentialRead)
	e.run(t, []scenario{{name: "other org", method: "GET", url: url + "/" + uuid, headers: bearer(e.token("other")), status: 404}})
}

func TestAchievementsCatalog(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	ach, err := e.store.Achievement(context.Background(), e.achID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.store.AchievementVersion(context.Background(), e.achID, ach.CurrentVersion)
	if err != nil {
		t.Fatal(err)
	}
	word := strings.Fields(v.Name)[0]
	e.run(t, []scenario{
		{name: "all", method: "GET", url: "/api/v1/achievements", status: 200,
			contains: []string{`"org":"` + e.org.Slug + `"`, `"id":"` + e.svc.AchievementURL(e.achID) + `"`}},
		{name: "text", method: "GET", url: "/api/v1/achievements?q=" + word, status: 200, contains: []string{v.Name}},
		{name: "provider", method: "GET", url: "/api/v1/achievements?provider=" + e.org.Slug, status: 200, contains: []string{v.Name}},
		{name: "unknown provider", method: "GET", url: "/api/v1/achievements?provider=nobody", status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if strings.TrimSpace(rec.Body.String()) != "[]" {
					t.Errorf("body %s", rec.Body)
				}
			}},
		{name: "bad level", method: "GET", url: "/api/v1/achievements?eqf=12", status: 400, contains: []string{`"field":"eqf"`}},
		{name: "bad framework", method: "GET", url: "/api/v1/achievements?framework=XYZ", status: 400, contains: []string{`"field":"framework"`}},
	})
}

// TestAwardResponseEncode: the hand-built answer decodes to what
// json.Marshal makes of the record, and carries the document verbatim.
func TestAwardResponseEncode(t *testing.T) {
	docs := []string{
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"name":"Data & <Analytics>","n":1.5e3,"x":[true,null]}`,
		`"eyJhbGciOiJFZERTQSJ9.e30.c2ln"`, // a JWT credential is a JSON string
		`{}`,
	}
	for _, doc := range docs {
		r := awardResponse{ID: "urn:uuid:1 <&>", URL: "https://example.org/c/1?a=b&c=\"d\"", Credential: json.RawMessage(doc)}
		got := r.encode()
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("encode gave invalid JSON %s: %v", got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("encode = %s\nwant equivalent of %s", got, want)
		}
		if !bytes.Contains(got, []byte(`"credential":`+doc+`}`)) {
			t.Errorf("document not copied verbatim: %s", got)
		}
	}
}
