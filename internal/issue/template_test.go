package issue

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/store"
)

// demoData returns the OB 3.0 form of a demo catalog entry, as
// achievementVersion caches it.
func demoData(t testing.TB) *achievementData {
	t.Helper()
	orgs := catalog.DemoCatalogAt("http://127.0.0.1:8080")
	if len(orgs) == 0 || len(orgs[0].Achievements) == 0 {
		t.Fatal("demo catalog is empty")
	}
	a := orgs[0].Achievements[0]
	a.Version = 1
	ob3, err := plainJSON(a.OB3())
	if err != nil {
		t.Fatal(err)
	}
	return &achievementData{entry: &a, ob3: ob3}
}

var testOrg = store.Organization{Slug: "demo-university", Name: "Demo University", URL: "https://uni.example", Email: "registrar@uni.example"}

// FuzzPerCredentialCheck builds credentials from valid requests with fuzzed
// per-credential fields: whenever the direct check accepts one, full
// validation must accept it too, so the fast path never lets through what
// credential.ValidateMap would refuse.
func FuzzPerCredentialCheck(f *testing.F) {
	data := demoData(f)
	profile := profileMap("did:web:127.0.0.1%3A8080:orgs:demo-university", testOrg)
	f.Add("ada@example.org", "Ada Lovelace", "", "Built a dashboard.", "https://example.org/e", int64(0), int64(3600))
	f.Add("grace@example.org", "", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "", "", int64(-86400), int64(0))
	f.Add("kim@example.org", "Kim", "did:example:123", "", "http://x.example/a b", int64(0), int64(1))
	f.Add("lin@example.org", "Lin\u00e9", "did:web:example.org", strings.Repeat("n", 100), "https://example.org/%zz", int64(5), int64(86400*365))
	f.Add("x@example.org", "X", "did:", "", "https://", int64(0), int64(-5))
	f.Fuzz(func(t *testing.T, email, name, did, narrative, evidence string, fromOffset, untilOffset int64) {
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		req := Request{OrgID: "o", AchievementID: "a", RecipientEmail: email, RecipientName: name,
			RecipientDID: did, Narrative: narrative, EvidenceURL: evidence}
		from := base.Add(time.Duration(fromOffset%(1<<40)) * time.Millisecond)
		req.ValidFrom = from
		if untilOffset != 0 {
			req.ValidUntil = from.Add(time.Duration(untilOffset%(1<<40)) * time.Millisecond)
		}
		if req.Validate() != nil {
			return
		}
		doc := buildCredential(req, "urn:uuid:"+store.NewID(), profile, data, from)
		fast := checkPerCredential(doc)
		full := credential.ValidateMap(doc)
		if fast == nil && full != nil {
			t.Fatalf("direct check accepted what full validation refuses: %v\nrequest %+v", full, req)
		}
	})
}

// TestCheckTemplate: the template check accepts and prepares the demo
// achievement once and remembers the answer; a broken achievement fails with the full
// validation's message.
func TestCheckTemplate(t *testing.T) {
	s := &Service{BaseURL: "http://127.0.0.1:8080"}
	data := demoData(t)
	issuer := "did:web:127.0.0.1%3A8080:orgs:demo-university"
	k := templateKey{achievementKey{"a1", 1}, issuerKeyOf(issuer, testOrg)}
	tmpl, err := s.template(k, data, issuer, testOrg)
	if err != nil {
		t.Fatalf("demo achievement: %v", err)
	}
	if tmpl.canon == nil {
		t.Error("the demo achievement was not prepared for fast canonicalization")
	}
	if again, _ := s.template(k, data, issuer, testOrg); again != tmpl {
		t.Error("template not cached")
	}

	broken := &achievementData{entry: data.entry, ob3: map[string]any{}}
	for key, v := range data.ob3 {
		broken.ob3[key] = v
	}
	delete(broken.ob3, "criteria")
	k2 := templateKey{achievementKey{"a2", 1}, k.issuer}
	_, err = s.template(k2, broken, issuer, testOrg)
	if err == nil || !strings.Contains(err.Error(), "criteria") {
		t.Fatalf("achievement without criteria: %v", err)
	}
	badOrg := testOrg
	badOrg.Email = "not an address"
	k3 := templateKey{achievementKey{"a1", 1}, issuerKeyOf(issuer, badOrg)}
	if _, err := s.template(k3, data, issuer, badOrg); err == nil || !strings.Contains(err.Error(), "issuer.email") {
		t.Errorf("profile with a bad email: %v", err)
	}
}

// TestCheckPerCredential: what the direct check refuses.
func TestCheckPerCredential(t *testing.T) {
	data := demoData(t)
	profile := profileMap("did:web:x", testOrg)
	from := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	good := Request{RecipientEmail: "ada@example.org", RecipientDID: "did:key:z6Mk", EvidenceURL: "https://example.org/e"}
	tests := []struct {
		name  string
		edit  func(doc map[string]any)
		field string
	}{
		{"valid", func(map[string]any) {}, ""},
		{"until equals from after truncation", func(doc map[string]any) { doc["validUntil"] = doc["validFrom"] }, "valid_until"},
		{"until not a date", func(doc map[string]any) { doc["validUntil"] = "tomorrow" }, "valid_until"},
		{"relative id", func(doc map[string]any) { doc["id"] = "123" }, "id"},
		{"subject id", func(doc map[string]any) { subject(doc)["id"] = "not a uri" }, "recipient_did"},
		{"bad hash", func(doc map[string]any) {
			subject(doc)["identifier"].([]any)[0].(map[string]any)["identityHash"] = "sha256$xyz"
		}, "recipient_email"},
		{"no identifier", func(doc map[string]any) { delete(subject(doc), "identifier"); delete(subject(doc), "id") }, "recipient_email"},
		{"evidence", func(doc map[string]any) { doc["evidence"] = []any{map[string]any{"id": "x"}} }, "evidence_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := buildCredential(good, "urn:uuid:"+store.NewID(), profile, data, from)
			tt.edit(doc)
			err := checkPerCredential(doc)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if full := credential.ValidateMap(doc); full != nil {
					t.Fatalf("full validation: %v", full)
				}
				return
			}
			b, _ := json.Marshal(err)
			if err == nil || !strings.Contains(string(b), `"field":"`+tt.field+`"`) {
				t.Errorf("got %v, want a %s problem", err, tt.field)
			}
			if credential.ValidateMap(doc) == nil {
				t.Errorf("full validation accepts the document the direct check refuses")
			}
		})
	}
}

func subject(doc map[string]any) map[string]any { return doc["credentialSubject"].(map[string]any) }

// TestTemplateHoldsItsParts: a template recognises its parts by address,
// so it must keep them alive — were the achievement map collected, a new
// map (a proof, say) could be allocated at its address and be encoded as
// the achievement.
func TestTemplateHoldsItsParts(t *testing.T) {
	s := &Service{BaseURL: "http://127.0.0.1:8080"}
	issuer := "did:web:127.0.0.1%3A8080:orgs:demo-university"
	tmpl, err := s.template(templateKey{achievementKey{"a1", 1}, issuerKeyOf(issuer, testOrg)}, demoData(t), issuer, testOrg)
	if err != nil {
		t.Fatal(err)
	}
	// The new maps are kept, so that each takes fresh memory — the address
	// of a collected part among them.
	var keep []map[string]any
	for range 20 {
		runtime.GC()
		for range 2000 {
			m := map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}
			if tmpl.raw(m) != nil {
				t.Fatal("a new map was taken for a part of the template: the part was collected")
			}
			keep = append(keep, m)
		}
	}
	runtime.KeepAlive(keep)
	if tmpl.data.ob3["name"] == nil {
		t.Fatal("the template's achievement lost its content")
	}
}
