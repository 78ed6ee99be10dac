package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

func TestEndorsementPages(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	agency, err := e.svc.CreateOrganization(ctx, store.Organization{Name: "Quality Agency", Slug: "quality-agency", URL: "https://qa.example",
		Email: "office@qa.example"}, e.users["owner"].ID, e.users["owner"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddMembership(ctx, store.Membership{OrgID: agency.ID, UserID: e.users["viewer"].ID, Role: store.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	achName := e.seeded[0].Name
	comment := "Meets the agency's framework for short courses."
	endorse := func(f url.Values) url.Values {
		out := url.Values{"target": {"achievement"}, "achievement": {e.achievementID}, "comment": {comment}}
		for k, v := range f {
			out[k] = v
		}
		return out
	}
	admin := "/admin/orgs/quality-agency/endorsements"
	for _, tc := range []struct {
		name    string
		req     request
		status  int
		want    []string
		notWant []string
	}{
		{"admin page", request{method: "GET", path: admin, as: "owner"}, 200,
			[]string{"Endorse an achievement or an organization", htmlEscape(achName) + " — City University", `<option value="city-uni"`, "has not endorsed anything yet"}, nil},
		{"a viewer sees the page without the form", request{method: "GET", path: admin, as: "viewer"}, 200, []string{"Given by Quality Agency"}, []string{"Sign and publish"}},
		{"a viewer may not endorse", request{method: "POST", path: admin, as: "viewer", form: endorse(nil)}, 403, nil, nil},
		{"no CSRF token", request{method: "POST", path: admin, as: "owner", form: endorse(nil), noCSRF: true}, 403, nil, nil},
		{"the words are required", request{method: "POST", path: admin, as: "owner", form: endorse(url.Values{"comment": {" "}})}, 422,
			[]string{`data-field="comment"`, "is required: say in a sentence or two why you endorse it", `aria-invalid="true"`}, nil},
		{"nothing chosen", request{method: "POST", path: admin, as: "owner", form: endorse(url.Values{"achievement": {""}})}, 422,
			[]string{`data-field="achievement"`, "choose an achievement, an organization"}, nil},
		{"a bad external id", request{method: "POST", path: admin, as: "owner", form: endorse(url.Values{"target": {"external"}, "subject_id": {"not an id"}})}, 422,
			[]string{`data-field="subject_id"`, "must be a web address"}, nil},
		{"a bad date", request{method: "POST", path: admin, as: "owner", form: endorse(url.Values{"valid_until": {"soon"}})}, 422,
			[]string{`data-field="valid_until"`, "give a date"}, nil},
		{"self-endorsement is refused", request{method: "POST", path: "/admin/orgs/city-uni/endorsements", as: "owner", form: endorse(nil)}, 422,
			[]string{"adds no trust"}, nil},
		{"endorse", request{method: "POST", path: admin, as: "owner", form: endorse(url.Values{"valid_until": {"2099-12-31"}})}, 303, nil, nil},
		{"endorse the organization (chosen in its list, the radio button left on achievement)", request{method: "POST", path: admin, as: "owner",
			form: endorse(url.Values{"achievement": {""}, "organization": {"city-uni"}, "comment": {"A trustworthy issuer."}})}, 303, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(tc.req)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body has %q", w)
				}
			}
		})
	}
	given, err := e.store.ListEndorsements(ctx, store.EndorsementQuery{OrgID: agency.ID, SubjectAchievementID: e.achievementID})
	if err != nil || len(given) != 1 {
		t.Fatalf("given = %+v, %v", given, err)
	}
	id := strings.TrimPrefix(given[0].ID, "urn:uuid:")
	page := "/endorsements/" + id

	for _, tc := range []struct {
		name   string
		req    request
		status int
		want   []string
	}{
		{"achievement page", request{method: "GET", path: "/achievements/" + e.achievementID}, 200,
			[]string{`id="endorsements-title"`, "<strong>Quality Agency</strong> endorses", htmlEscape(comment), `class="endorsement-verdict ok">Verified`, "the issuer, City University"}},
		{"credential page", request{method: "GET", path: "/c/" + e.credUUID}, 200,
			[]string{`id="endorsements-title"`, htmlEscape(comment), `class="endorsement-verdict ok">Verified`, "<summary>Technical detail</summary>"}},
		{"endorsement page", request{method: "GET", path: page}, 200,
			[]string{"Quality Agency endorses " + htmlEscape(achName), `href="/achievements/` + e.achievementID + `"`, ">Verified</span>", "How this was checked"}},
		{"the endorsed organization's public page", request{method: "GET", path: "/orgs/city-uni"}, 200,
			[]string{`id="endorsements-title"`, "A trustworthy issuer."}},
		{"its JSON", request{method: "GET", path: page + ".json"}, 200, []string{`"EndorsementSubject"`, `"endorsementComment"`}},
		{"JSON-LD by content negotiation", request{method: "GET", path: page, header: map[string]string{"Accept": "application/vc+ld+json"}}, 200,
			[]string{`"EndorsementCredential"`, `"eddsa-rdfc-2022"`}},
		{"an unknown endorsement", request{method: "GET", path: "/endorsements/00000000-0000-4000-8000-000000000000"}, 404, nil},
		{"not an id", request{method: "GET", path: "/endorsements/nope"}, 404, nil},
		{"admin lists what was given and received", request{method: "GET", path: "/admin/orgs/city-uni/endorsements", as: "owner"}, 200,
			[]string{"Received by City University", "Quality Agency</a> endorses " + htmlEscape(achName)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(tc.req)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %.500s", rec.Code, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
		})
	}
	if ct := e.do(request{method: "GET", path: page, header: map[string]string{"Accept": "application/vc+ld+json"}}).Header().Get("Content-Type"); ct != "application/vc+ld+json" {
		t.Errorf("negotiated content type %q", ct)
	}

	// The verify page says who endorses what.
	rec := e.do(request{method: "POST", path: "/verify", form: url.Values{"credential": {given[0].Document}}})
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "Quality Agency (did:web:microcred.test:orgs:quality-agency) endorses "+htmlEscape(achName)+" (") ||
		!strings.Contains(body, "✔ Verified") {
		t.Fatalf("verify page %d: %.2000s", rec.Code, body)
	}

	// Attaching: a tampered copy of a real endorsement is refused.
	tampered := strings.Replace(given[0].Document, "Meets the agency", "Exceeds the agency", 1)
	rec = e.do(request{method: "POST", path: "/admin/orgs/city-uni/endorsements/attach", as: "owner",
		form: url.Values{"attach_to": {e.achievementID}, "document": {tampered}}})
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "did not verify: ") {
		t.Fatalf("attach tampered %d: %.1000s", rec.Code, body)
	}

	// Withdrawal: only by the endorser's staff with the role to.
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/endorsements/withdraw", as: "owner", form: url.Values{"id": {given[0].ID}}}); rec.Code != 404 {
		t.Fatalf("withdraw by the endorsed: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: admin + "/withdraw", as: "viewer", form: url.Values{"id": {given[0].ID}}}); rec.Code != 403 {
		t.Fatalf("withdraw by a viewer: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: admin + "/withdraw", as: "owner", form: url.Values{"id": {given[0].ID}, "reason": {"Course retired"}}}); rec.Code != 303 {
		t.Fatalf("withdraw: %d %s", rec.Code, rec.Body.String())
	}
	for _, path := range []string{page, "/achievements/" + e.achievementID, "/c/" + e.credUUID} {
		if body := e.do(request{method: "GET", path: path}).Body.String(); !strings.Contains(body, `class="endorsement-verdict fail">Withdrawn`) {
			t.Errorf("%s does not say the endorsement was withdrawn", path)
		}
	}
}

// TestAttachEndorsementUpload attaches an endorsement issued elsewhere
// (signed with a did:key, so it verifies offline) by uploading its file;
// it then shows on the achievement's page, and the organization can take
// it off again.
func TestAttachEndorsementUpload(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	var ob3 map[string]any
	if err := json.Unmarshal(must(e.store.AchievementVersion(ctx, e.achievementID, 1)).Document, &ob3); err != nil {
		t.Fatal(err)
	}
	kp, err := keys.Generate("")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := credential.NewEndorsementCredential("urn:uuid:"+store.NewID(), credential.Profile{ID: kp.Controller, Name: "Employers' Board"},
		ob3["id"].(string), "Our members hire its graduates.", "Employers' Board endorsement", time.Now().Add(-time.Hour)).Map()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := proof.Sign(doc, kp, proof.Options{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", e.logins["issuer"].CSRF)
	_ = mw.WriteField("attach_to", e.achievementID)
	fw, _ := mw.CreateFormFile("file", "endorsement.json")
	_, _ = fw.Write(file)
	_ = mw.Close()
	rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/endorsements/attach", as: "issuer", body: body.String(), contentType: mw.FormDataContentType()})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("attach: %d %s", rec.Code, rec.Body.String())
	}
	page := e.do(request{method: "GET", path: "/achievements/" + e.achievementID}).Body.String()
	if !strings.Contains(page, "<strong>Employers&#39; Board</strong> endorses") || !strings.Contains(page, `class="endorsement-verdict ok">Verified`) {
		t.Fatalf("achievement page lacks the attached endorsement")
	}
	if admin := e.do(request{method: "GET", path: "/admin/orgs/city-uni/endorsements", as: "viewer"}).Body.String(); !strings.Contains(admin, "(attached by you)") ||
		strings.Contains(admin, "Remove from your pages") {
		t.Fatal("the admin page does not list the attached endorsement, or offers a viewer to remove it")
	}
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/endorsements/detach", as: "viewer", form: url.Values{"id": {doc["id"].(string)}}}); rec.Code != 403 {
		t.Fatalf("detach by a viewer: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/endorsements/detach", as: "owner", form: url.Values{"id": {doc["id"].(string)}}}); rec.Code != 303 {
		t.Fatalf("detach: %d", rec.Code)
	}
	if page := e.do(request{method: "GET", path: "/achievements/" + e.achievementID}).Body.String(); strings.Contains(page, "Employers&#39; Board") {
		t.Fatal("the removed endorsement still shows")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestEndorsementsAdminPaging: the admin page lists endorsements a page at
// a time, newest first, with links to older and newer pages.
func TestEndorsementsAdminPaging(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	org := e.org
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 52 {
		if _, err := e.store.InsertEndorsement(ctx, store.Endorsement{
			ID: fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i), OrgID: org.ID, Direction: store.EndorsementReceived,
			SubjectKind: store.EndorsedProfile, SubjectID: "did:web:city.example.edu", SubjectOrgID: org.ID,
			EndorserID: "did:web:elsewhere.example", EndorserName: fmt.Sprintf("Endorser %02d", i), Document: `{}`, IssuedAt: at.Add(time.Duration(i) * time.Hour),
		}); err != nil {
			t.Fatal(err)
		}
	}
	admin := "/admin/orgs/" + org.Slug + "/endorsements"
	first := e.do(request{method: "GET", path: admin, as: "owner"}).Body.String()
	second := e.do(request{method: "GET", path: admin + "?page=2", as: "owner"}).Body.String()
	for _, c := range []struct {
		name, page string
		want, not  []string
	}{
		{"first page", first, []string{"Endorser 51", "Endorser 02", `href="?page=2" rel="next"`}, []string{"Endorser 01", `rel="prev"`}},
		{"second page", second, []string{"Endorser 01", "Endorser 00", `href="?page=1" rel="prev"`}, []string{"Endorser 02", `rel="next"`}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.page, w) {
				t.Errorf("%s lacks %q", c.name, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(c.page, n) {
				t.Errorf("%s has %q", c.name, n)
			}
		}
	}
}
