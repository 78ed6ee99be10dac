package pathway

import (
	"testing"
	"time"
)

const (
	uni = "did:web:uni.example"
	ind = "did:web:northwind.example"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func days(n int) time.Time { return t0.AddDate(0, 0, n) }

func cred(id, issuer, ach string, issued time.Time, credits ...Credit) Credential {
	return Credential{ID: id, Issuer: issuer, AchievementID: ach, Name: ach, IssuedAt: issued, Status: Verified, Credits: credits}
}

func leaf(id, issuer, ach string) Rule {
	return Rule{ID: id, Kind: KindCredential, Match: &Match{Issuer: issuer, Achievement: ach}}
}

// demoDefs is a small institution: three university modules and an
// industry certificate stack into a programme; a degree scheme gives
// credit with an 18-hour cap on micro-credentials.
func demoDefs() Definitions {
	return Definitions{
		Pathways: []Pathway{
			{
				ID: "data-programme", Name: "Applied Data Science Programme",
				Award: &Award{AchievementID: "urn:uni:programme"},
				Root: Rule{ID: "root", Kind: KindAllOf, Rules: []Rule{
					leaf("stats", uni, "urn:uni:stats"),
					{ID: "two-of", Kind: KindNOf, N: 1, Rules: []Rule{
						leaf("ml", uni, "urn:uni:ml"),
						leaf("eng", uni, "urn:uni:eng"),
					}},
					{ID: "credits", Kind: KindMinCredits, MinCredits: 6, Unit: ECTS, Rules: []Rule{
						{ID: "any-ace", Kind: KindCredential, Match: &Match{Framework: "ACE", MinAmount: 3, Issuers: []string{ind}}},
					}},
				}},
			},
			{
				ID: "capstone", Name: "Capstone",
				Root: Rule{ID: "root", Kind: KindAllOf, Rules: []Rule{
					{ID: "prog", Kind: KindPathway, Pathway: "data-programme"},
					{ID: "cap", Kind: KindCredential, Match: &Match{Issuer: uni, Achievement: "urn:uni:capstone"}, Prerequisites: []string{"prog"}},
				}},
			},
		},
		Schemes: []Scheme{{
			ID: "bsc", Name: "BSc Data Science", Unit: SCH,
			Rules: []ArticulationRule{
				{ID: "pc", Match: Match{Issuer: ind, Achievement: "urn:ind:pc"}, Course: "DATA 101", Group: "micro"},
				{ID: "ace", Match: Match{Framework: "ACE", MinAmount: 1}, Group: "micro", MaxAgeDays: 3650},
				{ID: "stats", Match: Match{Issuer: uni, Achievement: "urn:uni:stats"}, Course: "STAT 200", Credits: 3, Group: "micro"},
			},
			Caps: []Cap{{Group: "micro", Max: 18}},
		}},
		Offers: []Offer{
			{Issuer: ind, AchievementID: "urn:ind:pc", Name: "Data Analytics Professional Certificate", Credits: []Credit{{Framework: "ACE", Amount: 12, Level: "lower-division baccalaureate"}}},
			{Issuer: uni, AchievementID: "urn:uni:ml", Name: "Machine Learning in Practice"},
		},
	}
}

func mustEngine(t testing.TB, d Definitions) *Engine {
	t.Helper()
	e, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func pathwayResult(t testing.TB, a Audit, id string) PathwayResult {
	t.Helper()
	for _, p := range a.Pathways {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no pathway %q in audit", id)
	return PathwayResult{}
}
