package credential

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestNewOpenBadgeCredential(t *testing.T) {
	achievement := NewAchievement(
		"https://example.edu/achievements/sql-basics",
		"SQL Basics",
		"Querying relational databases with SQL.",
		"Pass the final assessment with at least 70%.",
	)
	achievement.AchievementType = "MicroCredential"
	achievement.CreditsAvailable = Float(1.5)
	issuer := Profile{ID: "did:web:example.edu", Name: "Example University", IDOnly: true}
	subject := AchievementSubject{
		ID:          "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		Identifier:  []IdentityObject{HashedEmail("learner@example.org", "s4lt")},
		Achievement: achievement,
	}
	validFrom := time.Date(2026, 1, 31, 10, 0, 0, 123, time.FixedZone("CET", 3600))
	c := NewOpenBadgeCredential("urn:uuid:0f6a7b2c-1d3e-4f5a-8b9c-0d1e2f3a4b5c", issuer, subject, validFrom)

	if err := c.Validate(); err != nil {
		t.Fatalf("new credential invalid: %v", err)
	}
	if c.Name != "SQL Basics" {
		t.Errorf("Name = %q, want the achievement name", c.Name)
	}
	if c.ValidFrom != "2026-01-31T09:00:00Z" {
		t.Errorf("ValidFrom = %q, want UTC whole seconds", c.ValidFrom)
	}
	if got := c.Context.URLs(); !slices.Equal(got, []string{ContextV2, ContextOB}) {
		t.Errorf("@context = %v", got)
	}
	if !c.Type.Has(TypeVerifiableCredential) || !c.Type.Has(TypeOpenBadgeCredential) {
		t.Errorf("type = %v", c.Type.Items)
	}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	issuerDoc, ok := doc["issuer"].(map[string]any)
	if !ok || issuerDoc["name"] != "Example University" {
		t.Errorf("issuer encoded as %#v, want a Profile object", doc["issuer"])
	}
	parsed, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if *parsed.CredentialSubject.Achievement.CreditsAvailable != 1.5 {
		t.Errorf("creditsAvailable lost: %s", b)
	}
	vf, err := ParseDateTime(parsed.ValidFrom)
	if err != nil || !vf.Equal(validFrom.Truncate(time.Second)) {
		t.Errorf("ParseDateTime(%q) = %v, %v", parsed.ValidFrom, vf, err)
	}
}

func TestNewEndorsementCredential(t *testing.T) {
	e := NewEndorsementCredential("urn:uuid:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
		Profile{ID: "https://stats.example.org", Name: "Statistics Society"},
		"https://example.edu/achievements/sql-basics", "Rigorous assessment.", "Endorsement of SQL Basics",
		time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	if err := e.Validate(); err != nil {
		t.Fatalf("new endorsement invalid: %v", err)
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateEndorsementJSON(b); err != nil {
		t.Errorf("encoded endorsement invalid: %v", err)
	}
	m, err := e.Map()
	if err != nil {
		t.Fatal(err)
	}
	if m["validFrom"] != "2026-02-01T00:00:00Z" {
		t.Errorf("validFrom = %v", m["validFrom"])
	}
}

func TestParseDateTime(t *testing.T) {
	good := []string{"2010-01-01T00:00:00Z", "2026-06-15T11:00:00.5+02:00", "2026-06-15T11:00:00-05:30"}
	bad := []string{"2010-01-01", "2010-01-01T00:00:00", "2010-01-01t00:00:00z", "2010-01-01 00:00:00Z", "2010-02-30T00:00:00Z", "2010-01-01T24:00:00Z"}
	for _, s := range good {
		if _, err := ParseDateTime(s); err != nil {
			t.Errorf("ParseDateTime(%q): %v", s, err)
		}
	}
	for _, s := range bad {
		if _, err := ParseDateTime(s); err == nil {
			t.Errorf("ParseDateTime(%q) accepted", s)
		}
	}
}
