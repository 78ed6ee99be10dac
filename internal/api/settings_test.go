package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// TestSettingsEndpoints: the suspension setting is read with the profile
// read scope, changed with the profile update scope, and decides how many
// credentialStatus entries the next credential gets.
func TestSettingsEndpoints(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	tok := bearer(e.token("all"))
	e.addClient("reader", e.org.ID, ScopeProfileRead)
	readTok := bearer(e.token("reader"))
	const path = "/api/v1/organization/settings"
	entries := func(want int) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			t.Helper()
			c, _, err := e.svc.Issue(context.Background(), issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "ada@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(c.Document), &doc); err != nil {
				t.Fatal(err)
			}
			got := 1
			if list, ok := doc["credentialStatus"].([]any); ok {
				got = len(list)
			}
			if got != want {
				t.Errorf("credentialStatus %v; want %d entries", doc["credentialStatus"], want)
			}
		}
	}
	e.run(t, []scenario{
		{name: "no token", method: "GET", url: path, status: 401},
		{name: "read", method: "GET", url: path, headers: readTok, status: 200, contains: []string{`{"suspension":false}`}, check: entries(1)},
		{name: "read scope may not change", method: "PUT", url: path, headers: readTok, body: `{"suspension":true}`, status: 403},
		{name: "missing", method: "PUT", url: path, headers: tok, body: `{}`, status: 400, contains: []string{`"field":"suspension"`}},
		{name: "not a boolean", method: "PUT", url: path, headers: tok, body: `{"suspension":"yes"}`, status: 400, contains: []string{"suspension"}},
		{name: "unknown member", method: "PUT", url: path, headers: tok, body: `{"suspension":true,"x":1}`, status: 400, contains: []string{`"x"`}},
		{name: "turn on", method: "PUT", url: path, headers: tok, body: `{"suspension":true}`, status: 200, contains: []string{`{"suspension":true}`}, check: entries(2)},
		{name: "read back", method: "GET", url: path, headers: readTok, status: 200, contains: []string{`{"suspension":true}`}},
		{name: "turn off", method: "PUT", url: path, headers: tok, body: `{"suspension":false}`, status: 200, contains: []string{`{"suspension":false}`}, check: entries(1)},
	})
}
