package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestVerifyClr verifies a learner record on the command line: the
// record's own verdict, then each credential in it with its own, an
// altered one named with the reason.
func TestVerifyClr(t *testing.T) {
	key := newKey(t, "")
	issuer := controllerOf(t, key)
	code, good, errs := run(t, sampleFor(t, issuer), "sign", "--key", key, "--created", "2026-01-02T03:04:05Z")
	if code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	var altered map[string]any
	if err := json.Unmarshal([]byte(strings.Replace(good, "urn:uuid:2f8c0b5e", "urn:uuid:3f8c0b5e", 1)), &altered); err != nil {
		t.Fatal(err)
	}
	altered["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Quantum Data Analysis"
	var first map[string]any
	if err := json.Unmarshal([]byte(good), &first); err != nil {
		t.Fatal(err)
	}
	record, _ := json.Marshal(map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id": "urn:uuid:6a0c1f5e-3b3e-4c1e-9d52-000000000009", "type": []any{"VerifiableCredential", "ClrCredential"},
		"issuer": map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example University"},
		"name":   "Comprehensive Learner Record", "validFrom": "2026-01-02T00:00:00Z",
		"credentialSubject": map[string]any{"type": []any{"ClrSubject"}, "name": "Ada Lovelace",
			"verifiableCredential": []any{first, altered},
			// The academic credit the university awards for the first,
			// as microcred states it: a course related to its achievement.
			"achievement": []any{map[string]any{"id": "urn:uuid:6a0c1f5e-3b3e-4c1e-9d52-0000000000c1", "type": []any{"Achievement"},
				"achievementType": "Course", "name": "Applied Statistics", "humanCode": "STAT 210", "creditsAvailable": 3,
				"description": "3 US semester credit hours awarded", "criteria": map[string]any{"narrative": "rule stats"},
				"tag": []any{"academic credit", "SCH"}}},
			"association": []any{map[string]any{"type": "Association", "associationType": "isRelatedTo",
				"sourceId": first["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["id"],
				"targetId": "urn:uuid:6a0c1f5e-3b3e-4c1e-9d52-0000000000c1"}}},
	})
	code, signed, errs := run(t, record, "sign", "--key", key, "--created", "2026-01-02T03:04:05Z")
	if code != 0 {
		t.Fatalf("sign the record: %s", errs)
	}
	code, text, errs := run(t, []byte(signed), "verify", "--offline")
	if code != exitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, text, errs)
	}
	for _, want := range []string{
		"VERIFIED:", "Learner: Ada Lovelace", "Holds: 2 credentials",
		"[warning] embedded credentials: 1 of the 2 credentials in this record verified on their own.",
		"The credentials in this record, each checked on its own (2):",
		"1. [VERIFIED] Applied Data Analysis with Python",
		"2. [NOT VERIFIED] Quantum Data Analysis", "why: ",
		"Academic credit: STAT 210 Applied Statistics: 3 US semester credit hours, for Applied Data Analysis with Python",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	code, out, _ := run(t, []byte(signed), "verify", "--offline", "--json")
	var rep struct {
		Verdict         string `json:"verdict"`
		EmbeddedVerdict string `json:"embeddedVerdict"`
		Embedded        []struct {
			Name   string `json:"name"`
			Report struct {
				Verdict string `json:"verdict"`
			} `json:"report"`
		} `json:"embedded"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("--json: exit %d, %v\n%s", code, err, out)
	}
	if rep.Verdict != "verified" || rep.EmbeddedVerdict != "not_verified" || len(rep.Embedded) != 2 || rep.Embedded[1].Report.Verdict != "not_verified" {
		t.Errorf("--json report %+v", rep)
	}
}
