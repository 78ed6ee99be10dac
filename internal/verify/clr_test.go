package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
)

// clrRecord returns a CLR 2.0 record signed by kp that embeds creds (each
// a signed credential, JSON or a JWT string).
func clrRecord(t testing.TB, kp *keys.KeyPair, creds ...[]byte) []byte {
	t.Helper()
	var vcs []any
	for _, c := range creds {
		if c[0] != '{' {
			vcs = append(vcs, string(c))
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(c, &m); err != nil {
			t.Fatal(err)
		}
		vcs = append(vcs, m)
	}
	doc := map[string]any{
		"@context": []any{credential.ContextV2, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", credential.ContextOB},
		"id":       "urn:uuid:6a0c1f5e-3b3e-4c1e-9d52-000000000001",
		"type":     []any{"VerifiableCredential", "ClrCredential"},
		"issuer":   map[string]any{"id": kp.Controller, "type": []any{"Profile"}, "name": "Example University"},
		"name":     "Comprehensive Learner Record from Example University", "validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": []any{"ClrSubject"},
			"identifier":           []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "ada@example.org"}},
			"verifiableCredential": vcs},
	}
	return signed(t, kp, proof.SuiteRDFC, doc)
}

// TestClrEmbedded checks that a record's embedded credentials are each
// verified, with the three verdicts, apart from the record's own.
func TestClrEmbedded(t *testing.T) {
	kp := testKey(t)
	other, err := keys.Generate("")
	if err != nil {
		t.Fatal(err)
	}
	withStatus := sample(kp)
	withStatus["credentialStatus"] = status.NewEntry(listURL, "revocation", 7).Map()
	listed := signed(t, kp, proof.SuiteRDFC, withStatus)
	foreignDoc := sample(other)
	foreignDoc["id"] = "urn:uuid:2f8c0b5e-7d3a-4c61-9a0e-000000000002"
	foreignDoc["issuer"].(map[string]any)["name"] = "Industry Academy"
	foreignDoc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Cloud Fundamentals"
	foreign := signed(t, other, proof.SuiteRDFC, foreignDoc)
	// A credential altered after its issuer signed it, then put in a record
	// its issuer signed: the record is genuine, the credential is not.
	var m map[string]any
	if err := json.Unmarshal(foreign, &m); err != nil {
		t.Fatal(err)
	}
	m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Cloud Architecture (Expert)"
	altered, _ := json.Marshal(m)
	jwt := signed(t, other, "jwt", foreignDoc)

	clear := &status.Checker{Source: status.Files{listURL: signedList(t, kp)}}
	revoked := &status.Checker{Source: status.Files{listURL: signedList(t, kp, 7)}}
	record := clrRecord(t, kp, listed, foreign)
	cases := []struct {
		name     string
		data     []byte
		checker  StatusChecker
		own      Verdict   // the record's verdict
		embedded []Verdict // each embedded credential's
		check    State     // the "embedded credentials" check
		says     []string  // in its summary
	}{
		{"all verify", record, clear, Verified, []Verdict{Verified, Verified}, Passed, []string{"All 2 credentials in this record verified on their own."}},
		{"one revoked since", record, revoked, Verified, []Verdict{NotVerified, Verified}, Warning,
			[]string{"1 of the 2 credentials", "“Applied Data Analysis with Python” from Example University, Faculty of Science is not verified", "revoked", "The record itself is checked separately"}},
		{"offline: could not check, never invalid", record, nil, Verified, []Verdict{CouldNotCheck, Verified}, Warning,
			[]string{"could not be checked", "Could not be checked does not mean false."}},
		{"an altered credential in a genuine record", clrRecord(t, kp, listed, altered), clear, Verified, []Verdict{Verified, NotVerified}, Warning,
			[]string{"“Cloud Architecture (Expert)” from Industry Academy is not verified"}},
		{"a JWT in the record", clrRecord(t, kp, jwt), nil, Verified, []Verdict{Verified}, Passed, []string{"The credential in this record verified on its own."}},
		{"an enveloped JWT in the record (VC 2.0)", clrRecord(t, kp, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,`+string(jwt)+`"}`)),
			nil, Verified, []Verdict{Verified}, Passed, []string{"The credential in this record verified on its own."}},
		{"a single credential offline", clrRecord(t, kp, listed), nil, Verified, []Verdict{CouldNotCheck}, Warning,
			[]string{"The credential in this record could not be checked on its own."}},
		{"the record altered after signing", []byte(strings.Replace(string(record), "Applied Data Analysis with Python", "Applied Data Analysis with Rust", 1)),
			clear, NotVerified, []Verdict{NotVerified, Verified}, Warning, []string{"“Applied Data Analysis with Rust”", "is not verified"}},
		{"an entry that is not a credential", clrRecord(t, kp, []byte("hello")), nil, Verified, []Verdict{NotVerified}, Warning, []string{"“Credential 1”"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Credential(context.Background(), c.data, Options{Keys: &did.Resolver{}, Now: testNow, Status: c.checker})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != c.own {
				t.Errorf("record verdict %s, want %s\n%s", rep.Verdict, c.own, dump(rep))
			}
			if len(rep.Embedded) != len(c.embedded) {
				t.Fatalf("%d embedded reports, want %d", len(rep.Embedded), len(c.embedded))
			}
			worst := Verified
			for i, want := range c.embedded {
				if got := rep.Embedded[i].Report.Verdict; got != want {
					t.Errorf("embedded %d (%s): %s, want %s\n%s", i, rep.Embedded[i].Name, got, want, dump(rep.Embedded[i].Report))
				}
				worst = worse(worst, want)
			}
			if rep.EmbeddedVerdict != worst {
				t.Errorf("embedded verdict %s, want %s", rep.EmbeddedVerdict, worst)
			}
			ch := checkNamed(rep, "embedded credentials")
			if ch == nil || ch.State != c.check {
				t.Fatalf("embedded check %+v, want %s", ch, c.check)
			}
			for _, s := range c.says {
				if !strings.Contains(ch.Summary, s) {
					t.Errorf("summary %q lacks %q", ch.Summary, s)
				}
			}
			if c.own != NotVerified {
				// A JWT string in the record departs from the CLR 2.0
				// schema (it wants objects): a warning, not a failure.
				if m := checkNamed(rep, "data model"); m == nil || m.State == Failed || !strings.Contains(m.Summary, "CLR 2.0 learner record") {
					t.Errorf("data model check %+v", m)
				}
			}
		})
	}
}

// TestClrSchemaWarnings checks that what 1EdTech's CLR 2.0 schema finds in
// a record is a warning naming the field, not a failure, and that 1EdTech's
// own sample is a well-formed record.
func TestClrSchemaWarnings(t *testing.T) {
	kp := testKey(t)
	var m map[string]any
	if err := json.Unmarshal(clrRecord(t, kp, signed(t, kp, proof.SuiteRDFC, sample(kp))), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "proof")
	delete(m, "name") // required by the CLR 2.0 schema
	rep, err := Credential(context.Background(), signed(t, kp, proof.SuiteRDFC, m), Options{Keys: &did.Resolver{}, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	c := checkNamed(rep, "data model")
	if rep.Verdict != Verified || c == nil || c.State != Warning || !strings.Contains(c.Detail, "missing property 'name' (CLR 2.0 JSON Schema)") {
		t.Errorf("verdict %s, data model %+v", rep.Verdict, c)
	}
}

// TestClr1EdTechSample verifies 1EdTech's own signed CLR 2.0 sample (from
// 1EdTech's validator) with microcred's verifier: the record and the
// credential in it. Their issuers are https URLs whose verification
// methods name Multikey keys by fragment; their controller documents are
// supplied as the issuers would publish them.
func TestClr1EdTechSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "credential", "testdata", "clr20", "simple.json"))
	if err != nil {
		t.Fatal(err)
	}
	vector, err := os.ReadFile(filepath.Join("..", "credential", "testdata", "clr20", "ob-spec-clr-signed.json"))
	if err != nil {
		t.Fatal(err)
	}
	controller := func(id, key string) *did.Document {
		return &did.Document{Context: []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}, ID: id,
			VerificationMethod: []did.VerificationMethod{{ID: id + "#" + key, Type: "Multikey", Controller: id, PublicKeyMultibase: key}},
			AssertionMethod:    []any{id + "#" + key}}
	}
	keys := &did.Resolver{Documents: map[string]*did.Document{
		"https://example.edu/issuers/565049": controller("https://example.edu/issuers/565049", "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
		"https://example.com/issuers/876543": controller("https://example.com/issuers/876543", "z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx"),
	}}
	rep, err := Credential(context.Background(), data, Options{Keys: keys, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Verified || rep.EmbeddedVerdict != Verified || len(rep.Embedded) != 1 || rep.Embedded[0].Name != "Teamwork" {
		t.Fatalf("record %s, embedded %s\n%s", rep.Verdict, rep.EmbeddedVerdict, dump(rep))
	}
	// The record names 1EdTech's CLR 2.0 schema, which microcred ships:
	// it is checked against it.
	if c := checkNamed(rep, "schema"); c == nil || c.State != Passed || !strings.Contains(c.Summary, "CLR 2.0") {
		t.Errorf("schema check %+v", c)
	}
	// The signed CLR test vector of the Open Badges 3.0 implementation
	// guide, signed with the same key: record and credential verify.
	rep, err = Credential(context.Background(), vector, Options{Keys: keys, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Verified || rep.EmbeddedVerdict != Verified || len(rep.Embedded) != 1 {
		t.Errorf("the implementation guide's vector: record %s, embedded %s\n%s", rep.Verdict, rep.EmbeddedVerdict, dump(rep))
		for _, e := range rep.Embedded {
			t.Log(dump(e.Report))
		}
	}
	// Altered, the record no longer verifies; its credential still does.
	rep, err = Credential(context.Background(), []byte(strings.Replace(string(data), "Sample Transcript", "Sample Diploma", 1)), Options{Keys: keys, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != NotVerified || rep.EmbeddedVerdict != Verified {
		t.Errorf("altered record %s, embedded %s", rep.Verdict, rep.EmbeddedVerdict)
	}
}

// BenchmarkVerifyClr measures verifying a record of ten credentials (the
// record and each credential in it) beside verifying one credential, the
// baseline: the ratio is what a record costs in single verifications.
func BenchmarkVerifyClr(b *testing.B) {
	kp := testKey(b)
	var creds [][]byte
	for i := range 10 {
		doc := sample(kp)
		doc["id"] = fmt.Sprintf("urn:uuid:2f8c0b5e-7d3a-4c61-9a0e-%012d", i)
		creds = append(creds, signed(b, kp, proof.SuiteRDFC, doc))
	}
	record := clrRecord(b, kp, creds...)
	for _, c := range []struct {
		name string
		data []byte
	}{{"one credential", creds[0]}, {"record of 10", record}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rep, err := Credential(context.Background(), c.data, Options{Keys: &did.Resolver{}, Now: testNow})
				if err != nil || !rep.Verified {
					b.Fatalf("%v %v", err, rep)
				}
			}
		})
	}
}

// FuzzClr mutates signed learner records. Verification never panics, each
// embedded credential gets one of the three verdicts, and the embedded
// verdict is the worst of theirs.
func FuzzClr(f *testing.F) {
	kp := testKey(f)
	one := signed(f, kp, proof.SuiteRDFC, sample(kp))
	f.Add(clrRecord(f, kp, one))
	f.Add(clrRecord(f, kp, one, signed(f, kp, "jwt", sample(kp))))
	f.Add(clrRecord(f, kp, []byte("x")))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","ClrCredential"],` +
		`"credentialSubject":{"verifiableCredential":[{"type":"ClrCredential","credentialSubject":{"verifiableCredential":[{}]}},7,null]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Credential(context.Background(), data, Options{Keys: &did.Resolver{}, Now: testNow})
		if err != nil {
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("error not marked unusable: %v", err)
			}
			return
		}
		worst := Verified
		for _, e := range rep.Embedded {
			switch e.Report.Verdict {
			case Verified, NotVerified, CouldNotCheck:
			default:
				t.Fatalf("embedded %d: verdict %q", e.Index, e.Report.Verdict)
			}
			if len(e.Report.Embedded) > 0 {
				t.Fatalf("embedded %d: a record inside a record was opened", e.Index)
			}
			worst = worse(worst, e.Report.Verdict)
		}
		if len(rep.Embedded) > 0 && rep.EmbeddedVerdict != worst {
			t.Fatalf("embedded verdict %s, worst is %s", rep.EmbeddedVerdict, worst)
		}
	})
}

// TestClrCredits checks how the academic credit a record lists is read:
// microcred's courses with their unit and source, another issuer's course
// without a unit tag, and what is not credit (a pathway's award, an
// achievement that is not a course).
func TestClrCredits(t *testing.T) {
	kp := testKey(t)
	cred := signed(t, kp, proof.SuiteRDFC, sample(kp))
	var vc map[string]any
	if err := json.Unmarshal(cred, &vc); err != nil {
		t.Fatal(err)
	}
	_, _, achID := embeddedLabels(vc)
	name, _, _ := embeddedLabels(vc)
	course := func(id, code, name string, credits float64, tags ...any) map[string]any {
		a := map[string]any{"id": id, "type": []any{"Achievement"}, "achievementType": "Course", "name": name,
			"description": name + " credit", "criteria": map[string]any{"narrative": "x"}, "creditsAvailable": credits}
		if code != "" {
			a["humanCode"] = code
		}
		if len(tags) > 0 {
			a["tag"] = tags
		}
		return a
	}
	rel := func(kind, src, target string) map[string]any {
		return map[string]any{"type": "Association", "associationType": kind, "sourceId": src, "targetId": target}
	}
	tests := []struct {
		name         string
		achievements []any
		associations []any
		want         []string
	}{
		{"credit in two units, one from an achievement not in the record",
			[]any{course("urn:uuid:c1", "STAT 210", "Applied Statistics", 3, "academic credit", "SCH"),
				course("urn:uuid:c2", "STAT 7001", "Statistical Inference", 2.5, "academic credit", "ECTS")},
			[]any{rel("isRelatedTo", achID, "urn:uuid:c1"), rel("isRelatedTo", "https://other.example/a/9", "urn:uuid:c2")},
			[]string{"STAT 210 Applied Statistics: 3 US semester credit hours, for " + name,
				"STAT 7001 Statistical Inference: 2.5 ECTS credits, for https://other.example/a/9"}},
		{"another issuer's course: no unit tag, no code, no association",
			[]any{course("urn:uuid:c3", "", "Elective", 4)}, nil,
			[]string{"Elective: 4 credits"}},
		{"no credit: a pathway's award and a badge",
			[]any{course("urn:uuid:award", "", "Programme", 30, "SCH"),
				map[string]any{"id": "urn:uuid:b", "type": []any{"Achievement"}, "achievementType": "Badge", "name": "B", "creditsAvailable": 1.0}},
			[]any{rel("isPartOf", achID, "urn:uuid:award")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(clrRecord(t, kp, cred), &doc); err != nil {
				t.Fatal(err)
			}
			subj := doc["credentialSubject"].(map[string]any)
			if tt.achievements != nil {
				subj["achievement"] = tt.achievements
			}
			if tt.associations != nil {
				subj["association"] = tt.associations
			}
			var got []string
			for _, c := range ClrCredits(doc) {
				got = append(got, c.Line())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("credit lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			// Describe, which `microcred verify` prints, lists them too.
			desc := strings.Join(Describe(doc), "\n")
			for _, w := range tt.want {
				if !strings.Contains(desc, "Academic credit: "+w) {
					t.Errorf("Describe lacks %q:\n%s", w, desc)
				}
			}
			if len(tt.want) == 0 && strings.Contains(desc, "Academic credit") {
				t.Errorf("Describe lists credit the record does not hold:\n%s", desc)
			}
		})
	}
}
