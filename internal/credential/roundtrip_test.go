package credential

import (
	"bytes"
	"encoding/json"
	"github.com/microcred/microcred/internal/testutil"
	"os"
	"path/filepath"
	"testing"

	"github.com/gowebpki/jcs"
)

func roundTripInputs(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"ob3 test vector":     ob3VectorCredential(t),
		"ob3-full.json":       readTestdata(t, "ob3-full.json"),
		"ob3-extensions.json": readTestdata(t, "ob3-extensions.json"),
	}
}

func TestRoundTrip(t *testing.T) {
	for name, in := range roundTripInputs(t) {
		t.Run(name, func(t *testing.T) {
			c, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			out, err := c.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !semanticEqual(decodeGeneric(t, in), decodeGeneric(t, out)) {
				t.Errorf("round trip changed the document\nin:  %s\nout: %s", compact(t, in), out)
			}

			m, err := c.Map()
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			var want map[string]any
			if err := json.Unmarshal(in, &want); err != nil {
				t.Fatal(err)
			}
			if !semanticEqual(toGeneric(t, want), toGeneric(t, m)) {
				t.Errorf("Map differs from the document:\n%v\n%v", m, want)
			}

			// Encoding is deterministic and a fixed point after one pass.
			c2, err := Parse(out)
			if err != nil {
				t.Fatalf("re-Parse: %v", err)
			}
			out2, err := c2.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, out2) {
				t.Errorf("second round trip differs:\n%s\n%s", out, out2)
			}
		})
	}
}

func compact(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// toGeneric re-encodes a tree so both sides of a comparison use json.Number.
func toGeneric(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decodeGeneric(t, b)
}

// TestExtensionsPreserved checks the typed view of the extension fixture:
// each unusual form lands where the lossless encoding needs it.
func TestExtensionsPreserved(t *testing.T) {
	c, err := Parse(readTestdata(t, "ob3-extensions.json"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"embedded context object kept", len(c.Context.Items) == 3 && len(c.Context.URLs()) == 2},
		{"AchievementCredential type", c.Type.Has(TypeAchievementCredential)},
		{"credential extension property in Extra", string(c.Extra["x-internal-ref"]) != ""},
		{"image bare IRI", c.Image != nil && c.Image.IDOnly && c.Image.ID == "https://example.edu/images/statistics.png"},
		{"issuer type single string", c.Issuer.Type.Single && c.Issuer.Type.Has(TypeProfile)},
		{"issuer extension object", string(c.Issuer.Extra["accreditation"]) != ""},
		{"parentOrg bare IRI", c.Issuer.ParentOrg != nil && c.Issuer.ParentOrg.IDOnly},
		{"latitude 0 kept", c.Issuer.Address.Geo.Latitude != nil && *c.Issuer.Address.Geo.Latitude == 0},
		{"hashed false kept", c.CredentialSubject.Identifier[0].Hashed != nil && !*c.CredentialSubject.Identifier[0].Hashed},
		{"creditsEarned 0 kept", c.CredentialSubject.CreditsEarned != nil && *c.CredentialSubject.CreditsEarned == 0},
		{"empty term kept in Extra", string(c.CredentialSubject.Extra["term"]) == `""`},
		{"achievement extension", string(c.CredentialSubject.Achievement.Extra["ectsCredits"]) == "5"},
		{"criteria extension", string(c.CredentialSubject.Achievement.Criteria.Extra["weighting"]) == "[0.4, 0.6]"},
		{"result null extension", string(c.CredentialSubject.Result[0].Extra["x-note"]) == "null"},
		{"credentialSchema single", c.CredentialSchema.Single && len(c.CredentialSchema.Items) == 1},
		{"termsOfUse array", !c.TermsOfUse.Single && len(c.TermsOfUse.Items) == 1},
		{"proof single", c.Proof.Single && c.Proof.Items[0].Cryptosuite == "eddsa-rdfc-2022"},
		{"status entry", c.CredentialStatus.StatusListIndex == "94567"},
		{"endorsement", len(c.Endorsement) == 1 && c.Endorsement[0].CredentialSubject.EndorsementComment == "Well designed."},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: not preserved", ch.name)
		}
	}
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// The big integer in an extension property must keep every digit.
	if !bytes.Contains(out, []byte("12345678901234567890")) {
		t.Errorf("large integer in extension lost: %s", out)
	}
}

func TestFixturesValid(t *testing.T) {
	for name, in := range roundTripInputs(t) {
		t.Run(name, func(t *testing.T) {
			if err := ValidateJSON(in); err != nil {
				t.Errorf("ValidateJSON: %v", err)
			}
			c, err := Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestFullFixtureSize(t *testing.T) {
	// Other packages use ob3-full.json as a benchmark input of "about 2 KB";
	// keep it in that range when editing it.
	n := len(compact(t, readTestdata(t, "ob3-full.json")))
	if n < 1500 || n > 3500 {
		t.Errorf("compact ob3-full.json is %d bytes, want about 2 KB", n)
	}
}

// TestRoundTripSignedVCs runs signed VC 2.0 documents from the Data
// Integrity EdDSA test suites through Parse and Marshal and checks that their
// JCS canonical form (what eddsa-jcs-2022 signs) is unchanged, so a proof over
// the original still verifies over the re-encoded document. They are not Open
// Badges, so only decoding and encoding are exercised.
func TestRoundTripSignedVCs(t *testing.T) {
	dir := testutil.Vectors(t)
	files := []string{
		"vc-di-eddsa/eddsa-jcs-2022/signedJCS.json",
		"vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json",
		"vc-di-eddsa/proof-set-chain/signedProofSet2.json",
		"vc-di-eddsa/proof-set-chain/signedProofChain2.json",
	}
	inputs := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = b
	}
	for name, b := range roundTripInputs(t) {
		inputs[name] = b
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			c, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			out, err := c.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			want, err := jcs.Transform(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := jcs.Transform(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("JCS form changed\nwant %s\n got %s", want, got)
			}
		})
	}
}
