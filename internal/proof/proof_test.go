package proof

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/canonjson"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/keys"
)

// testKey returns a deterministic did:key style key pair named by seed.
func testKey(seed string) *keys.KeyPair {
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	id := "did:example:" + seed
	return &keys.KeyPair{ID: id + "#key-1", Controller: id, Public: priv.Public().(ed25519.PublicKey), Private: priv}
}

var testNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func signSample(t testing.TB, key *keys.KeyPair, opt Options) map[string]any {
	t.Helper()
	if opt.Created.IsZero() {
		opt.Created = testNow.Add(-time.Hour)
	}
	signed, err := Sign(SampleCredential(), key, opt)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return signed
}

func TestSignVerifyRoundTrip(t *testing.T) {
	key := testKey("issuer")
	for _, suite := range []string{SuiteRDFC, SuiteJCS, ""} {
		t.Run("suite="+suite, func(t *testing.T) {
			signed := signSample(t, key, Options{Suite: suite})
			p := signed["proof"].(map[string]any)
			want := suite
			if want == "" {
				want = SuiteRDFC
			}
			if p["cryptosuite"] != want || p["verificationMethod"] != key.ID || p["proofPurpose"] != "assertionMethod" ||
				p["created"] != "2026-07-01T11:00:00Z" {
				t.Fatalf("proof = %v", p)
			}
			_, hasCtx := p["@context"]
			if hasCtx != (want == SuiteJCS) {
				t.Fatalf("proof @context present = %v for %s", hasCtx, want)
			}
			r := resolverFor(key)
			res := mustVerify(t, signed, r, VerifyOptions{Now: testNow})
			if res[0].Suite != want || !res[0].Created.Equal(testNow.Add(-time.Hour)) {
				t.Fatalf("result = %+v", res[0])
			}
			if len(r.asked) != 1 || r.asked[0] != "assertionMethod" {
				t.Fatalf("resolver asked for %v, want the proof purpose", r.asked)
			}
		})
	}
}

func TestSignDefaultsAndErrors(t *testing.T) {
	key := testKey("issuer")
	signed, err := Sign(SampleCredential(), key, Options{Suite: SuiteJCS})
	if err != nil {
		t.Fatal(err)
	}
	created, err := parseDateTime(signed["proof"].(map[string]any)["created"])
	if err != nil || time.Since(created) > time.Minute || time.Since(created) < -time.Second {
		t.Fatalf("default created = %v, %v", created, err)
	}
	if _, err := Sign(SampleCredential(), key, Options{Suite: "ecdsa-rdfc-2019"}); !errors.Is(err, ErrUnsupportedSuite) {
		t.Errorf("unknown suite: %v", err)
	}
	if _, err := Sign(SampleCredential(), &keys.KeyPair{ID: "x"}, Options{}); err == nil {
		t.Error("signing without a private key succeeded")
	}
	if _, err := Sign(SampleCredential(), key, Options{PreviousProof: "urn:uuid:missing"}); !errors.Is(err, ErrPreviousProof) {
		t.Errorf("previousProof to nothing: %v", err)
	}
	noCtx := SampleCredential()
	delete(noCtx, "@context")
	if _, err := Sign(noCtx, key, Options{Suite: SuiteRDFC}); !errors.Is(err, ErrCanonicalize) {
		t.Errorf("rdfc without @context: %v", err)
	}
	if _, err := Sign(noCtx, key, Options{Suite: SuiteJCS}); err != nil {
		t.Errorf("jcs without @context: %v", err)
	}
	withExpiry := signSample(t, key, Options{Expires: testNow.Add(time.Hour), Challenge: "c1", Domain: "verifier.example", ID: "urn:uuid:p1"})
	p := withExpiry["proof"].(map[string]any)
	if p["expires"] != "2026-07-01T13:00:00Z" || p["challenge"] != "c1" || p["domain"] != "verifier.example" || p["id"] != "urn:uuid:p1" {
		t.Fatalf("proof = %v", p)
	}
	mustVerify(t, withExpiry, resolverFor(key), VerifyOptions{Now: testNow, Challenge: "c1", Domain: "verifier.example"})
}

// TestProofChainMixedSuites builds a set and a chain across both suites and
// checks that the chain binds the proofs it references.
func TestProofChainMixedSuites(t *testing.T) {
	k1, k2, k3 := testKey("one"), testKey("two"), testKey("three")
	doc := signSample(t, k1, Options{Suite: SuiteJCS, ID: "urn:uuid:p1"})
	doc2, err := Sign(doc, k2, Options{Suite: SuiteRDFC, ID: "urn:uuid:p2", Created: testNow})
	if err != nil {
		t.Fatal(err)
	}
	doc3, err := Sign(doc2, k3, Options{Suite: SuiteJCS, PreviousProof: []string{"urn:uuid:p2", "urn:uuid:p1"}, Created: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc2["proof"].([]any); !ok || len(doc2["proof"].([]any)) != 2 {
		t.Fatalf("Sign modified its input or did not make a set: %v", doc2["proof"])
	}
	res := mustVerify(t, doc3, resolverFor(k1, k2, k3), VerifyOptions{Now: testNow})
	if len(res) != 3 {
		t.Fatalf("%d results", len(res))
	}
	// Removing a referenced proof breaks the chain.
	broken := deepCopy(doc3).(map[string]any)
	broken["proof"] = []any{broken["proof"].([]any)[1], broken["proof"].([]any)[2]}
	res, err = Verify(context.Background(), broken, resolverFor(k1, k2, k3), VerifyOptions{Now: testNow})
	if err != nil || !res[0].Verified || res[1].Verified || !errors.Is(res[1].Err, ErrPreviousProof) {
		t.Fatalf("chain without p1: %+v, %v", res, err)
	}
	// A chained proof whose referenced proof fails is not verified, even
	// though its own signature is good.
	res, err = Verify(context.Background(), doc3, resolverFor(k2, k3), VerifyOptions{Now: testNow})
	if err != nil || res[0].Verified || !errors.Is(res[0].Err, ErrKey) || !res[1].Verified ||
		res[2].Verified || !errors.Is(res[2].Err, ErrPreviousProof) {
		t.Fatalf("chain with unverifiable p1: %+v, %v", res, err)
	}
}

// TestVerifyNegative is the table of documents that must not verify, and
// why.
func TestVerifyNegative(t *testing.T) {
	key, other := testKey("issuer"), testKey("other")
	type mutate func(doc map[string]any, p map[string]any)
	setProof := func(k string, v any) mutate {
		return func(_ map[string]any, p map[string]any) { p[k] = v }
	}
	tests := []struct {
		name     string
		mutate   mutate
		resolver *mapResolver
		opt      VerifyOptions
		want     error
	}{
		{"tampered subject name", func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Advanced Data Analysis"
		}, nil, VerifyOptions{}, ErrSignature},
		{"tampered credit count", func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["creditsEarned"] = 50.0
		}, nil, VerifyOptions{}, ErrSignature},
		{"removed validUntil", func(d, _ map[string]any) { delete(d, "validUntil") }, nil, VerifyOptions{}, ErrSignature},
		{"tampered proof created", setProof("created", "2026-07-01T10:00:00Z"), nil, VerifyOptions{}, ErrSignature},
		{"added proof domain", setProof("domain", "evil.example"), nil, VerifyOptions{}, ErrSignature},
		{"tampered verification method", setProof("verificationMethod", other.ID), resolverFor(key, other), VerifyOptions{}, ErrSignature},
		{"wrong key", nil, resolverFor().add(key.ID, other.Public), VerifyOptions{}, ErrSignature},
		{"unknown key", nil, resolverFor(), VerifyOptions{}, ErrKey},
		{"key not authorized for purpose", nil, &mapResolver{keys: resolverFor(key).keys, purposeOK: func(string) bool { return false }}, VerifyOptions{}, ErrKey},
		{"unsupported cryptosuite", setProof("cryptosuite", "ecdsa-rdfc-2019"), nil, VerifyOptions{}, ErrUnsupportedSuite},
		{"cryptosuite not a string", setProof("cryptosuite", 7.0), nil, VerifyOptions{}, ErrUnsupportedSuite},
		{"unknown proof type", setProof("type", "EcdsaSecp256k1Signature2019"), nil, VerifyOptions{}, ErrUnknownProofType},
		// cryptosuite is not a term of the legacy suite, so the relabelled
		// proof cannot even be canonicalized (safe mode).
		{"DataIntegrityProof relabelled Ed25519Signature2020", setProof("type", "Ed25519Signature2020"), nil, VerifyOptions{}, ErrCanonicalize},
		{"missing proofValue", func(_, p map[string]any) { delete(p, "proofValue") }, nil, VerifyOptions{}, ErrProofValue},
		{"proofValue not multibase base58btc", setProof("proofValue", "u3q2"), nil, VerifyOptions{}, ErrProofValue},
		{"proofValue bad base58", setProof("proofValue", "z0OIl"), nil, VerifyOptions{}, ErrProofValue},
		{"proofValue short", setProof("proofValue", "z3yQ"), nil, VerifyOptions{}, ErrProofValue},
		{"proofValue huge", setProof("proofValue", "z"+string(make([]byte, 5000))), nil, VerifyOptions{}, ErrProofValue},
		{"missing verificationMethod", func(_, p map[string]any) { delete(p, "verificationMethod") }, nil, VerifyOptions{}, ErrMalformedProof},
		{"missing proofPurpose", func(_, p map[string]any) { delete(p, "proofPurpose") }, nil, VerifyOptions{}, ErrMalformedProof},
		{"unexpected proof purpose", nil, nil, VerifyOptions{ProofPurpose: "authentication"}, ErrProofPurpose},
		{"proof @context mismatch", setProof("@context", []any{"https://www.w3.org/ns/credentials/v2", "https://example.org/other/v1"}), nil, VerifyOptions{}, ErrContextMismatch},
		{"proof @context longer than document's", func(d, p map[string]any) {
			p["@context"] = append(append([]any{}, d["@context"].([]any)...), "https://example.org/more/v1")
		}, nil, VerifyOptions{}, ErrContextMismatch},
		{"expired proof", setProof("expires", "2026-07-01T11:30:00Z"), nil, VerifyOptions{}, ErrProofDate},
		{"created in the future", setProof("created", "2026-07-02T12:00:00Z"), nil, VerifyOptions{}, ErrProofDate},
		{"created not a dateTime", setProof("created", "yesterday"), nil, VerifyOptions{}, ErrProofDate},
		{"previousProof pointing nowhere", setProof("previousProof", "urn:uuid:nowhere"), nil, VerifyOptions{}, ErrPreviousProof},
		{"previousProof not a string", setProof("previousProof", 3.0), nil, VerifyOptions{}, ErrPreviousProof},
		{"domain expected", nil, nil, VerifyOptions{Domain: "verifier.example"}, ErrDomain},
		{"challenge expected", nil, nil, VerifyOptions{Challenge: "n-0S6_WzA2Mj"}, ErrChallenge},
	}
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		signed := signSample(t, key, Options{Suite: suite})
		for _, tc := range tests {
			t.Run(suite+"/"+tc.name, func(t *testing.T) {
				doc := deepCopy(signed).(map[string]any)
				if tc.mutate != nil {
					tc.mutate(doc, doc["proof"].(map[string]any))
				}
				r := tc.resolver
				if r == nil {
					r = resolverFor(key)
				}
				opt := tc.opt
				opt.Now = testNow
				res, err := Verify(context.Background(), doc, r, opt)
				if err != nil {
					t.Fatalf("Verify error %v, want a failed result", err)
				}
				if len(res) != 1 || res[0].Verified || !errors.Is(res[0].Err, tc.want) {
					t.Fatalf("result %+v, want error %v", res, tc.want)
				}
			})
		}
	}
	t.Run("jcs suite swapped to rdfc", func(t *testing.T) {
		doc := signSample(t, key, Options{Suite: SuiteJCS})
		doc["proof"].(map[string]any)["cryptosuite"] = SuiteRDFC
		res, err := Verify(context.Background(), doc, resolverFor(key), VerifyOptions{Now: testNow})
		if err != nil || res[0].Verified || !errors.Is(res[0].Err, ErrSignature) {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

// TestVerifyUnusable covers input that Verify refuses outright.
func TestVerifyUnusable(t *testing.T) {
	key := testKey("issuer")
	signed := signSample(t, key, Options{})
	tests := []struct {
		name string
		doc  map[string]any
		want error
	}{
		{"nil document", nil, ErrNoProof},
		{"no proof", SampleCredential(), ErrNoProof},
		{"empty proof array", func() map[string]any { d := SampleCredential(); d["proof"] = []any{}; return d }(), ErrNoProof},
		{"proof is a string", func() map[string]any { d := SampleCredential(); d["proof"] = "z3abc"; return d }(), ErrMalformedProof},
		{"proof array with a string", func() map[string]any {
			d := deepCopy(signed).(map[string]any)
			d["proof"] = []any{d["proof"], "x"}
			return d
		}(), ErrMalformedProof},
		{"too many proofs", func() map[string]any {
			d := deepCopy(signed).(map[string]any)
			list := make([]any, MaxProofs+1)
			for i := range list {
				list[i] = d["proof"]
			}
			d["proof"] = list
			return d
		}(), ErrMalformedProof},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Verify(context.Background(), tc.doc, resolverFor(key), VerifyOptions{Now: testNow})
			if !errors.Is(err, tc.want) || res != nil {
				t.Fatalf("Verify = %v, %v; want error %v", res, err, tc.want)
			}
		})
	}
	if _, err := Verify(context.Background(), signed, nil, VerifyOptions{}); err == nil {
		t.Error("Verify without a key resolver succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, signed, resolverFor(key), VerifyOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestSampleCredential(t *testing.T) {
	a, b := SampleCredential(), SampleCredential()
	a["name"] = "changed"
	if b["name"] == "changed" {
		t.Fatal("SampleCredential returns shared state")
	}
	compact, err := canonjson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(compact); n < 1800 || n > 2600 {
		t.Fatalf("sample credential is %d bytes, want about 2 KB", n)
	}
	fast, err := Transform(b, SuiteRDFC)
	if err != nil {
		t.Fatalf("sample credential does not canonicalize: %v", err)
	}
	// The signing path must agree with the reference canonicalization.
	ref, err := jsonld.CanonicalizeReference(b)
	if err != nil || string(fast) != ref {
		t.Fatalf("fast and reference RDFC-1.0 differ (%v):\n%s\n---\n%s", err, fast, ref)
	}
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in   any
		want time.Time
		ok   bool
	}{
		{"2023-02-24T23:36:38Z", time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC), true},
		{"2023-02-24T23:36:38.5+01:00", time.Date(2023, 2, 24, 22, 36, 38, 5e8, time.UTC), true},
		{"2023-02-24T23:36:38", time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC), true},
		{"2023-02-24", time.Time{}, false},
		{"2023-13-24T23:36:38Z", time.Time{}, false},
		{"2023-02-24 23:36:38Z", time.Time{}, false},
		{1677281798.0, time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := parseDateTime(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) {
			t.Errorf("parseDateTime(%v) = %v, %v", tc.in, got, err)
		}
	}
}

// TestContextRules pins the @context rule both suites share: the proof's
// @context must be a prefix of the document's, and only that prefix is
// signed, so a context appended after signing does not break the proof
// while a changed signed context does.
func TestContextRules(t *testing.T) {
	key := testKey("issuer")
	signed := signSample(t, key, Options{Suite: SuiteJCS})
	appended := deepCopy(signed).(map[string]any)
	appended["@context"] = append(appended["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
	mustVerify(t, appended, resolverFor(key), VerifyOptions{Now: testNow})

	reordered := deepCopy(signed).(map[string]any)
	ctx := reordered["@context"].([]any)
	reordered["@context"] = []any{ctx[1], ctx[0]}
	res, err := Verify(context.Background(), reordered, resolverFor(key), VerifyOptions{Now: testNow})
	if err != nil || res[0].Verified || !errors.Is(res[0].Err, ErrContextMismatch) {
		t.Fatalf("reordered contexts: %+v, %v", res, err)
	}
	// Both contexts changed the same way in proof and document: the proof
	// configuration no longer matches what was signed.
	both := deepCopy(reordered).(map[string]any)
	both["proof"].(map[string]any)["@context"] = both["@context"]
	res, err = Verify(context.Background(), both, resolverFor(key), VerifyOptions{Now: testNow})
	if err != nil || res[0].Verified || !errors.Is(res[0].Err, ErrSignature) {
		t.Fatalf("reordered contexts in proof and document: %+v, %v", res, err)
	}
}

// TestVerifyIgnoresJSONSpelling re-encodes a signed credential with other
// member order and number spelling: the canonical forms, and so the proofs,
// are unaffected.
func TestVerifyIgnoresJSONSpelling(t *testing.T) {
	key := testKey("issuer")
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		signed := signSample(t, key, Options{Suite: suite})
		b, err := json.MarshalIndent(signed, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte(`"creditsEarned": 5`), []byte(`"creditsEarned": 5.0e0`), 1)
		if !bytes.Contains(b, []byte("5.0e0")) {
			t.Fatal("number respelling did not apply")
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, doc, resolverFor(key), VerifyOptions{Now: testNow})
	}
}

// TestSignWithTemplate checks that a template changes nothing in the proof:
// the same proofValue as without it, for credentials that embed its parts
// and for one that does not.
func TestSignWithTemplate(t *testing.T) {
	key := testKey("issuer")
	frame := SampleCredential()
	issuer := frame["issuer"].(map[string]any)
	ach := frame["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	tmpl, err := jsonld.NewTemplate(frame, issuer, ach)
	if err != nil {
		t.Fatal(err)
	}
	other := SampleCredential()
	for i, name := range []string{"Ada", "Grace", "Edsger"} {
		doc := SampleCredential()
		doc["issuer"] = issuer
		doc["id"] = "urn:uuid:00000000-0000-4000-8000-00000000000" + string(rune('0'+i))
		subject := doc["credentialSubject"].(map[string]any)
		subject["achievement"] = ach
		subject["id"] = "did:example:" + name
		docs := map[string]map[string]any{"embedding": doc, "not embedding": other}
		for kind, d := range docs {
			opt := Options{Created: testNow}
			plain, err := Sign(d, key, opt)
			if err != nil {
				t.Fatal(err)
			}
			opt.Template = tmpl
			fast, err := Sign(d, key, opt)
			if err != nil {
				t.Fatal(err)
			}
			if p, f := plain["proof"].(map[string]any)["proofValue"], fast["proof"].(map[string]any)["proofValue"]; p != f {
				t.Fatalf("%s %s: proofValue %v with the template, %v without", kind, name, f, p)
			}
			mustVerify(t, fast, resolverFor(key), VerifyOptions{Now: testNow})
		}
	}
}
