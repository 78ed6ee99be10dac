package pathway

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchDefs builds 50 rules: four pathways of ten rules each (an allOf
// of two achievements, an nOf of three, and a minCredits over two credit
// recommendation matches) and a scheme of ten articulation rules with
// caps, over a pool of 60 achievements.
func benchDefs() Definitions {
	var d Definitions
	a := func(i int) (string, string) { return []string{uni, ind}[i%2], fmt.Sprintf("urn:a:%d", i) }
	m := func(i int) *Match { iss, ach := a(i); return &Match{Issuer: iss, Achievement: ach} }
	for p := range 4 {
		b := p * 12
		d.Pathways = append(d.Pathways, Pathway{ID: fmt.Sprintf("p%d", p), Name: "Pathway", Root: Rule{Kind: KindAllOf, Rules: []Rule{
			{Kind: KindCredential, Match: m(b)},
			{Kind: KindCredential, Match: m(b + 1)},
			{Kind: KindNOf, N: 2, Rules: []Rule{{Kind: KindCredential, Match: m(b + 2)}, {Kind: KindCredential, Match: m(b + 3)}, {Kind: KindCredential, Match: m(b + 4)}}},
			{Kind: KindMinCredits, MinCredits: 12, Unit: ECTS, Rules: []Rule{
				{Kind: KindCredential, Match: &Match{Framework: "ACE", MinAmount: 3}},
				{Kind: KindCredential, Match: &Match{Framework: "ECTS", Levels: []string{"first cycle"}}},
			}},
		}}})
	}
	s := Scheme{ID: "degree", Name: "Degree", Unit: SCH, Caps: []Cap{{Group: "micro", Max: 18}, {Max: 30}}}
	for i := range 8 {
		iss, ach := a(i * 7)
		s.Rules = append(s.Rules, ArticulationRule{Match: Match{Issuer: iss, Achievement: ach}, Course: fmt.Sprintf("C%d", i), Group: "micro", Credits: 3})
	}
	s.Rules = append(s.Rules, ArticulationRule{Match: Match{Framework: "ACE", MinAmount: 1}, Group: "micro"},
		ArticulationRule{Match: Match{Framework: "NCrF"}})
	d.Schemes = []Scheme{s}
	return d
}

func benchCredentials(n int) []Credential {
	r := rand.New(rand.NewPCG(1, 2))
	cs := make([]Credential, n)
	for i := range cs {
		k := r.IntN(60)
		cs[i] = Credential{
			ID: fmt.Sprintf("urn:uuid:%08d", i), Issuer: []string{uni, ind}[k%2], AchievementID: fmt.Sprintf("urn:a:%d", k),
			IssuedAt: t0.Add(time.Duration(r.IntN(1000)) * 24 * time.Hour), Status: Verified,
			Credits: []Credit{{Framework: frameworks[r.IntN(3)], Amount: float64(1 + r.IntN(12)), Level: "first cycle"}},
		}
	}
	return cs
}

func countRules(d Definitions) int {
	n := 0
	var walk func(r *Rule)
	walk = func(r *Rule) {
		n++
		for i := range r.Rules {
			walk(&r.Rules[i])
		}
	}
	for i := range d.Pathways {
		walk(&d.Pathways[i].Root)
	}
	for _, s := range d.Schemes {
		n += len(s.Rules)
	}
	return n
}

// BenchmarkAudit audits one learner with 200 credentials against 50
// rules (target: under 2 ms) and reports the time against raw Ed25519
// verification measured in the same run: "verifies/audit" is how many
// signature checks one audit costs.
func BenchmarkAudit(b *testing.B) {
	d := benchDefs()
	if n := countRules(d); n != 50 {
		b.Fatalf("%d rules, want 50", n)
	}
	e := mustEngine(b, d)
	creds := benchCredentials(200)
	// Baseline: raw Ed25519 verification of a 2 KB message, timed in
	// turns with the audits so that both see the same load on a shared
	// machine.
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := make([]byte, 2048)
	sig := ed25519.Sign(priv, msg)
	const verifiesPerAudit = 4
	var auditTime, verifyTime time.Duration
	n := 0
	for b.Loop() {
		t := time.Now()
		a := e.Audit(asOf, creds)
		auditTime += time.Since(t)
		if len(a.Pathways) != 4 {
			b.Fatal("missing pathways")
		}
		t = time.Now()
		for range verifiesPerAudit {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("verify failed")
			}
		}
		verifyTime += time.Since(t)
		n++
	}
	perAudit := auditTime / time.Duration(n)
	perVerify := verifyTime / time.Duration(n*verifiesPerAudit)
	b.ReportMetric(float64(perAudit.Microseconds())/1000, "ms/audit")
	b.ReportMetric(float64(perVerify.Nanoseconds())/1000, "µs/ed25519-verify")
	b.ReportMetric(float64(perAudit)/float64(perVerify), "verifies/audit")
}

// BenchmarkWhatIf is the what-if view for the same learner.
func BenchmarkWhatIf(b *testing.B) {
	e := mustEngine(b, benchDefs())
	creds := benchCredentials(200)[:20]
	for b.Loop() {
		e.WhatIf(asOf, creds)
	}
}
