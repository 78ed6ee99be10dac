package proof

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/mr-tron/base58"

	"github.com/microcred/microcred/internal/did"
)

var updateJWT = flag.Bool("update-jwt", false, "regenerate testdata/jwt with fresh keys")

// jwtNow is the time the JWT fixtures are checked at: after every nbf,
// before every exp except the expired case's.
var jwtNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// The issuers of the JWT fixtures: one DID whose document lists an
// Ed25519, an RSA and a P-256 key, and one issuer identified by an https
// URL that publishes its keys as a JWK Set (the OB 3.0 recommended
// practice).
const (
	jwtIssuerDID  = "did:web:issuer.example"
	jwtIssuerHTTP = "https://badges.example/issuers/1"
	jwtSetURL     = "https://badges.example/.well-known/jwks.json"
)

// jwtKeys holds the private keys while the fixtures are generated.
type jwtKeySet struct {
	ed    ed25519.PrivateKey
	rsa   *rsa.PrivateKey
	ec    *ecdsa.PrivateKey
	other *ecdsa.PrivateKey // a key nobody lists
}

func newJWTKeys(t *testing.T) *jwtKeySet {
	t.Helper()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &jwtKeySet{ed: ed, rsa: rk, ec: ek, other: ok}
}

func mustJWK(t *testing.T, pub crypto.PublicKey) *did.JWK {
	t.Helper()
	j, err := did.JWKFromKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// jwtCase is one fixture: a token and the outcome CheckJWT must give.
type jwtCase struct {
	Name   string `json:"name"`
	Token  string `json:"token"`
	Format string `json:"format,omitempty"`
	Alg    string `json:"alg"`
	// Want is "verified", "not verified" or "could not check"; Error, for
	// the last two, names the package error the result wraps.
	Want  string `json:"want"`
	Error string `json:"error,omitempty"`
	// KeySource and Method are the expected key provenance of a verified
	// token.
	KeySource string `json:"keySource,omitempty"`
	Method    string `json:"method,omitempty"`
}

// jwtErrors names the errors the fixtures' manifest refers to.
var jwtErrors = map[string]error{
	"ErrSignature":               ErrSignature,
	"ErrJWTAlgorithm":            ErrJWTAlgorithm,
	"ErrJWTUnsupportedAlgorithm": ErrJWTUnsupportedAlgorithm,
	"ErrJWTExpired":              ErrJWTExpired,
	"ErrJWTNotYetValid":          ErrJWTNotYetValid,
	"ErrJWTClaims":               ErrJWTClaims,
	"ErrJWTIssuerKey":            ErrJWTIssuerKey,
	"ErrJWTKeyID":                ErrJWTKeyID,
	"ErrJWTType":                 ErrJWTType,
	"ErrKey":                     ErrKey,
	"ErrKeyFetch":                ErrKeyFetch,
}

// jwtCredential builds the OB 3.0 credential the fixtures carry. v1 makes
// it a VC 1.1 credential (issuanceDate, expirationDate).
func jwtCredentialDoc(issuer string, v1 bool) map[string]any {
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":       "urn:uuid:677fe8a6cacf98774d482d06",
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":     "Teamwork",
		"issuer":   map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example Issuer"},
		"credentialSubject": map[string]any{
			"id":   "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id": "https://badges.example/achievements/teamwork", "type": []any{"Achievement"}, "name": "Teamwork",
				"description": "Works well in a team.", "criteria": map[string]any{"narrative": "Peer nominated."},
			},
		},
	}
	if v1 {
		doc["@context"] = []any{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
		doc["issuanceDate"] = "2026-01-15T10:00:00Z"
		doc["expirationDate"] = "2030-01-15T10:00:00Z"
	} else {
		doc["validFrom"] = "2026-01-15T10:00:00Z"
		doc["validUntil"] = "2030-01-15T10:00:00Z"
	}
	return doc
}

// ob3Claims wraps a credential in the OB 3.0 JWT claims.
func ob3Claims(doc map[string]any) map[string]any {
	nbf, _ := parseDateTime(doc["validFrom"])
	if _, ok := doc["issuanceDate"]; ok {
		nbf, _ = parseDateTime(doc["issuanceDate"])
	}
	exp, _ := parseDateTime(doc["validUntil"])
	if _, ok := doc["expirationDate"]; ok {
		exp, _ = parseDateTime(doc["expirationDate"])
	}
	return map[string]any{
		"iss": issuerID(doc["issuer"]), "jti": doc["id"], "sub": subjectID(doc["credentialSubject"]),
		"nbf": nbf.Unix(), "exp": exp.Unix(), "vc": doc,
	}
}

// generateJWTFixtures writes testdata/jwt: the issuers' DID document and
// key set, and the tokens with their expected outcomes.
func generateJWTFixtures(t *testing.T) {
	k := newJWTKeys(t)
	dir := filepath.Join("testdata", "jwt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	edVM, rsaVM, ecVM := jwtIssuerDID+"#ed", jwtIssuerDID+"#rsa", jwtIssuerDID+"#p256"
	didDoc := map[string]any{
		"@context": []any{did.ContextDID, did.ContextMultikey, did.ContextJWS2020},
		"id":       jwtIssuerDID,
		"verificationMethod": []any{
			map[string]any{"id": edVM, "type": "Multikey", "controller": jwtIssuerDID, "publicKeyMultibase": did.EncodePublicKey(k.ed.Public().(ed25519.PublicKey))},
			map[string]any{"id": rsaVM, "type": "JsonWebKey2020", "controller": jwtIssuerDID, "publicKeyJwk": mustJWK(t, &k.rsa.PublicKey)},
			map[string]any{"id": ecVM, "type": "JsonWebKey", "controller": jwtIssuerDID, "publicKeyJwk": mustJWK(t, &k.ec.PublicKey)},
		},
		"assertionMethod": []any{edVM, rsaVM, ecVM},
	}
	withKid := func(j *did.JWK, kid string) *did.JWK { c := *j; c.Kid = kid; return &c }
	jwks := map[string]any{"keys": []any{
		withKid(mustJWK(t, &k.rsa.PublicKey), "rsa-1"),
		withKid(mustJWK(t, &k.ec.PublicKey), "p256-1"),
		withKid(mustJWK(t, k.ed.Public()), "ed-1"),
	}}

	type signer struct {
		alg jose.SignatureAlgorithm
		key any
		vm  string
		kid string // the key's kid in the key set
	}
	signers := []signer{{jose.EdDSA, k.ed, edVM, "ed-1"}, {jose.RS256, k.rsa, rsaVM, "rsa-1"}, {jose.ES256, k.ec, ecVM, "p256-1"}}
	var cases []jwtCase
	add := func(c jwtCase, alg jose.SignatureAlgorithm, key any, header map[string]any, payload any) {
		c.Token = craftJWT(t, alg, key, header, payload)
		c.Alg = string(alg)
		cases = append(cases, c)
	}
	for _, s := range signers {
		a := string(s.alg)
		// Valid, both formats, DID issuer, kid a DID URL.
		add(jwtCase{Name: a + " vc+jwt DID kid", Format: JWTFormatVCJOSE, Want: "verified", KeySource: KeyFromKID, Method: s.vm},
			s.alg, s.key, map[string]any{"typ": "vc+jwt", "kid": s.vm}, jwtCredentialDoc(jwtIssuerDID, false))
		add(jwtCase{Name: a + " OB 3.0 JWT DID kid", Format: JWTFormatOB3, Want: "verified", KeySource: KeyFromKID, Method: s.vm},
			s.alg, s.key, map[string]any{"typ": "JWT", "kid": s.vm}, ob3Claims(jwtCredentialDoc(jwtIssuerDID, false)))
		add(jwtCase{Name: a + " OB 3.0 JWT on VC 1.1", Format: JWTFormatOB3, Want: "verified", KeySource: KeyFromKID, Method: s.vm},
			s.alg, s.key, map[string]any{"typ": "JWT", "kid": s.vm}, ob3Claims(jwtCredentialDoc(jwtIssuerDID, true)))
		// Issuer with an https id: key from its JWK Set, by kid and by jwk.
		add(jwtCase{Name: a + " OB 3.0 JWT key set kid", Format: JWTFormatOB3, Want: "verified", KeySource: KeyFromJWKS, Method: jwtSetURL + "#" + s.kid},
			s.alg, s.key, map[string]any{"typ": "JWT", "kid": s.kid}, ob3Claims(jwtCredentialDoc(jwtIssuerHTTP, false)))
		pubJWK := mustJWK(t, s.key.(crypto.Signer).Public())
		add(jwtCase{Name: a + " OB 3.0 JWT jwk header in key set", Format: JWTFormatOB3, Want: "verified", KeySource: KeyFromJWK, Method: jwtSetURL + "#" + s.kid},
			s.alg, s.key, map[string]any{"typ": "JWT", "jwk": pubJWK}, ob3Claims(jwtCredentialDoc(jwtIssuerHTTP, false)))
		// jwk header with a DID issuer: found in the DID document.
		add(jwtCase{Name: a + " vc+jwt jwk header of DID issuer", Format: JWTFormatVCJOSE, Want: "verified", KeySource: KeyFromJWK, Method: s.vm},
			s.alg, s.key, map[string]any{"typ": "vc+jwt", "jwk": pubJWK}, jwtCredentialDoc(jwtIssuerDID, false))

		// Invalid kinds.
		tampered := jwtCredentialDoc(jwtIssuerDID, false)
		good := craftJWT(t, s.alg, s.key, map[string]any{"typ": "vc+jwt", "kid": s.vm}, jwtCredentialDoc(jwtIssuerDID, false))
		tampered["name"] = "Forged"
		parts := strings.Split(good, ".")
		cases = append(cases, jwtCase{Name: a + " tampered payload", Token: parts[0] + "." + b64(tampered) + "." + parts[2], Format: JWTFormatVCJOSE, Alg: a, Want: "not verified", Error: "ErrSignature"})
		add(jwtCase{Name: a + " expired exp", Format: JWTFormatOB3, Want: "not verified", Error: "ErrJWTExpired"},
			s.alg, s.key, map[string]any{"typ": "JWT", "kid": s.vm}, func() map[string]any {
				d := jwtCredentialDoc(jwtIssuerDID, false)
				d["validUntil"] = "2026-02-01T00:00:00Z"
				return ob3Claims(d)
			}())
		add(jwtCase{Name: a + " nbf in the future", Format: JWTFormatOB3, Want: "not verified", Error: "ErrJWTNotYetValid"},
			s.alg, s.key, map[string]any{"typ": "JWT", "kid": s.vm}, func() map[string]any {
				d := jwtCredentialDoc(jwtIssuerDID, false)
				d["validFrom"] = "2026-06-01T00:00:00Z"
				return ob3Claims(d)
			}())
	}
	// kid: the issuer's DID without fragment; kid relative to the DID.
	add(jwtCase{Name: "RS256 OB 3.0 JWT kid without fragment", Format: JWTFormatOB3, Want: "verified", KeySource: KeyFromKID, Method: rsaVM},
		jose.RS256, k.rsa, map[string]any{"typ": "JWT", "kid": jwtIssuerDID}, ob3Claims(jwtCredentialDoc(jwtIssuerDID, false)))
	add(jwtCase{Name: "ES256 vc+jwt kid relative to the issuer DID", Format: JWTFormatVCJOSE, Want: "verified", KeySource: KeyFromKID, Method: ecVM},
		jose.ES256, k.ec, map[string]any{"typ": "vc+jwt", "kid": "#p256"}, jwtCredentialDoc(jwtIssuerDID, false))
	// Wrong key: signed by a key nobody lists, naming the issuer's key.
	add(jwtCase{Name: "ES256 signed by another key", Format: JWTFormatVCJOSE, Want: "not verified", Error: "ErrSignature"},
		jose.ES256, k.other, map[string]any{"typ": "vc+jwt", "kid": ecVM}, jwtCredentialDoc(jwtIssuerDID, false))
	// Wrong alg: an RS256 token whose kid is the issuer's P-256 key.
	add(jwtCase{Name: "RS256 token naming an ES256 key", Format: JWTFormatVCJOSE, Want: "not verified", Error: "ErrJWTAlgorithm"},
		jose.RS256, k.rsa, map[string]any{"typ": "vc+jwt", "kid": ecVM}, jwtCredentialDoc(jwtIssuerDID, false))
	add(jwtCase{Name: "HS256 keyed with nothing secret", Format: JWTFormatVCJOSE, Want: "not verified", Error: "ErrJWTAlgorithm"},
		jose.HS256, []byte("the issuer's public key bytes...."), map[string]any{"typ": "vc+jwt", "kid": ecVM}, jwtCredentialDoc(jwtIssuerDID, false))
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	add(jwtCase{Name: "ES384 is not checked", Format: JWTFormatVCJOSE, Want: "could not check", Error: "ErrJWTUnsupportedAlgorithm"},
		jose.ES384, p384, map[string]any{"typ": "vc+jwt", "kid": jwtIssuerDID + "#p384"}, jwtCredentialDoc(jwtIssuerDID, false))
	// jwk headers that are not the issuer's key.
	add(jwtCase{Name: "jwk header not in the DID document", Format: JWTFormatVCJOSE, Want: "not verified", Error: "ErrJWTIssuerKey"},
		jose.ES256, k.other, map[string]any{"typ": "vc+jwt", "jwk": mustJWK(t, &k.other.PublicKey)}, jwtCredentialDoc(jwtIssuerDID, false))
	add(jwtCase{Name: "jwk header not in the key set", Format: JWTFormatOB3, Want: "not verified", Error: "ErrJWTIssuerKey"},
		jose.ES256, k.other, map[string]any{"typ": "JWT", "jwk": mustJWK(t, &k.other.PublicKey)}, ob3Claims(jwtCredentialDoc(jwtIssuerHTTP, false)))
	// Claims that contradict the credential.
	for _, c := range []struct{ name, claim, value string }{
		{"iss of another issuer", "iss", "did:web:evil.example"},
		{"jti of another credential", "jti", "urn:uuid:00000000-0000-0000-0000-000000000000"},
		{"sub of another learner", "sub", "did:example:mallory"},
	} {
		claims := ob3Claims(jwtCredentialDoc(jwtIssuerDID, false))
		claims[c.claim] = c.value
		add(jwtCase{Name: "ES256 " + c.name, Format: JWTFormatOB3, Want: "not verified", Error: "ErrJWTClaims"},
			jose.ES256, k.ec, map[string]any{"typ": "JWT", "kid": ecVM}, claims)
	}
	noNbf := ob3Claims(jwtCredentialDoc(jwtIssuerDID, false))
	delete(noNbf, "nbf")
	add(jwtCase{Name: "RS256 OB 3.0 JWT without nbf", Format: JWTFormatOB3, Want: "not verified", Error: "ErrJWTClaims"},
		jose.RS256, k.rsa, map[string]any{"typ": "JWT", "kid": rsaVM}, noNbf)
	shifted := ob3Claims(jwtCredentialDoc(jwtIssuerDID, false))
	shifted["nbf"] = shifted["nbf"].(int64) - 86400
	add(jwtCase{Name: "RS256 nbf unlike validFrom", Format: JWTFormatOB3, Want: "not verified", Error: "ErrJWTClaims"},
		jose.RS256, k.rsa, map[string]any{"typ": "JWT", "kid": rsaVM}, shifted)
	add(jwtCase{Name: "EdDSA no kid and no jwk", Format: JWTFormatVCJOSE, Want: "not verified", Error: "ErrJWTKeyID"},
		jose.EdDSA, k.ed, map[string]any{"typ": "vc+jwt"}, jwtCredentialDoc(jwtIssuerDID, false))

	write := func(name string, v any) {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("did-issuer.example.json", didDoc)
	write("jwks.json", jwks)
	write("cases.json", cases)
}

// jwtFixtureEnv loads the fixtures' DID document and key set.
func jwtFixtureEnv(t testing.TB) (*did.Resolver, mapFetcher) {
	t.Helper()
	doc, err := did.ParseDocument(readFile(t, "testdata", "jwt", "did-issuer.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	return &did.Resolver{Documents: map[string]*did.Document{jwtIssuerDID: doc}},
		mapFetcher{jwtSetURL: readFile(t, "testdata", "jwt", "jwks.json")}
}

// mapFetcher serves fixed documents by URL, standing in for the network
// in the way the guarded fetcher would answer.
type mapFetcher map[string][]byte

func (m mapFetcher) Fetch(_ context.Context, url string) ([]byte, error) {
	b, ok := m[url]
	if !ok {
		return nil, fmt.Errorf("%s: HTTP status 404 Not Found", url)
	}
	return b, nil
}

// TestJWTFixtures checks every token of testdata/jwt/cases.json against its
// expected outcome. Run with -update-jwt to regenerate the fixtures with
// fresh keys.
func TestJWTFixtures(t *testing.T) {
	if *updateJWT {
		generateJWTFixtures(t)
	}
	keys, fetcher := jwtFixtureEnv(t)
	var cases []jwtCase
	if err := json.Unmarshal(readFile(t, "testdata", "jwt", "cases.json"), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			res, err := CheckJWT(context.Background(), c.Token, keys, JWTOptions{Now: jwtNow, Keys: fetcher})
			if err != nil {
				t.Fatalf("CheckJWT: %v", err)
			}
			if res.Alg != c.Alg || (c.Format != "" && res.Format != c.Format) {
				t.Errorf("alg %q format %q, want %q %q", res.Alg, res.Format, c.Alg, c.Format)
			}
			got := "not verified"
			switch {
			case res.Verified:
				got = "verified"
			case res.CouldNotCheck:
				got = "could not check"
			}
			if got != c.Want {
				t.Fatalf("%s (%v), want %s", got, res.Err, c.Want)
			}
			if c.Want == "verified" {
				if res.Err != nil || res.KeySource != c.KeySource || res.VerificationMethod != c.Method || !res.IssuerBound {
					t.Errorf("key %s %s bound %v err %v, want %s %s", res.KeySource, res.VerificationMethod, res.IssuerBound, res.Err, c.KeySource, c.Method)
				}
				if res.Credential["id"] != "urn:uuid:677fe8a6cacf98774d482d06" {
					t.Errorf("credential %v", res.Credential)
				}
				return
			}
			want := jwtErrors[c.Error]
			if want == nil || !errors.Is(res.Err, want) {
				t.Fatalf("error %v, want %s", res.Err, c.Error)
			}
			msg := res.Err.Error()
			for _, bad := range []string{"<nil>", `""`, "()"} {
				if strings.Contains(msg, bad) {
					t.Errorf("message %q contains %s", msg, bad)
				}
			}
			// A failure on a token signed with RS256 or ES256 must never
			// speak of another algorithm.
			for _, alg := range []string{"EdDSA", "RS256", "ES256"} {
				if alg != c.Alg && strings.Contains(msg, "alg "+alg) && c.Error != "ErrJWTAlgorithm" {
					t.Errorf("message %q announces alg %s for a %s token", msg, alg, c.Alg)
				}
			}
		})
	}
}

// TestJWTWithoutKeyFetcher: an https issuer's key set cannot be consulted
// without a fetcher, so its tokens could not be checked (not "invalid").
func TestJWTWithoutKeyFetcher(t *testing.T) {
	keys, _ := jwtFixtureEnv(t)
	var cases []jwtCase
	if err := json.Unmarshal(readFile(t, "testdata", "jwt", "cases.json"), &cases); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if !strings.Contains(c.Name, "key set") || c.Want != "verified" {
			continue
		}
		n++
		res, err := CheckJWT(context.Background(), c.Token, keys, JWTOptions{Now: jwtNow})
		if err != nil || res.Verified || !res.CouldNotCheck || !errors.Is(res.Err, ErrKeyFetch) {
			t.Errorf("%s: %+v %v", c.Name, res, err)
		}
		// Unreachable key set: also "could not check".
		res, err = CheckJWT(context.Background(), c.Token, keys, JWTOptions{Now: jwtNow, Keys: mapFetcher{}})
		if err != nil || res.Verified || !res.CouldNotCheck || !errors.Is(res.Err, ErrKeyFetch) {
			t.Errorf("%s, key set missing: %+v %v", c.Name, res, err)
		}
	}
	if n == 0 {
		t.Fatal("no key set cases")
	}
}

// TestSignOB3JWT checks that microcred produces the OB 3.0 JWT format
// exactly: header alg EdDSA, typ JWT, kid; claims iss, jti, nbf, sub, exp
// and vc, the credential unchanged.
func TestSignOB3JWT(t *testing.T) {
	key := testKey("issuer")
	doc := SampleCredential()
	token, err := SignOB3JWT(doc, key, "")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	var header, claims map[string]any
	for i, v := range []*map[string]any{&header, &claims} {
		raw, _ := base64.RawURLEncoding.DecodeString(parts[i])
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
	}
	if len(header) != 3 || header["alg"] != "EdDSA" || header["typ"] != "JWT" || header["kid"] != key.ID {
		t.Errorf("header %v", header)
	}
	want := map[string]any{
		"iss": "did:web:university.example",
		"jti": doc["id"],
		"sub": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"nbf": float64(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC).Unix()),
		"exp": float64(time.Date(2031, 6, 30, 0, 0, 0, 0, time.UTC).Unix()),
	}
	var names []string
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "exp,iss,jti,nbf,sub,vc" {
		t.Errorf("claims %v", names)
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if !jsonEqual(t, claims["vc"], doc) {
		t.Error("vc claim is not the credential")
	}
	res, err := CheckJWT(context.Background(), token, resolverFor(key), JWTOptions{Now: testNow})
	if err != nil || !res.Verified || res.Format != JWTFormatOB3 || res.Alg != "EdDSA" {
		t.Fatalf("%+v %v", res, err)
	}
	if !jsonEqual(t, res.Credential, doc) {
		t.Error("verified credential differs")
	}

	// Without validUntil there is no exp; what the required claims are
	// made of must be there.
	noUntil := SampleCredential()
	delete(noUntil, "validUntil")
	token, err = SignOB3JWT(noUntil, key, "")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if strings.Contains(string(raw), `"exp"`) {
		t.Error("exp without validUntil")
	}
	for member, mutate := range map[string]func(d map[string]any){
		"issuer.id":            func(d map[string]any) { delete(d["issuer"].(map[string]any), "id") },
		"id is missing":        func(d map[string]any) { delete(d, "id") },
		"credentialSubject.id": func(d map[string]any) { delete(d["credentialSubject"].(map[string]any), "id") },
		"validFrom":            func(d map[string]any) { delete(d, "validFrom") },
	} {
		d := deepCopy(SampleCredential()).(map[string]any)
		mutate(d)
		if _, err := SignOB3JWT(d, key, ""); err == nil || !strings.Contains(err.Error(), member) {
			t.Errorf("without %s: %v", member, err)
		}
	}
}

// TestJWTVC11Decoding reads a VC 1.1 JWT whose vc claim left id, issuer,
// issuanceDate and the subject id to the registered claims (VC Data Model
// 1.1, JWT decoding): they are filled in.
func TestJWTVC11Decoding(t *testing.T) {
	key := testKey("issuer")
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/2018/credentials/v1"},
		"type":              []any{"VerifiableCredential"},
		"credentialSubject": map[string]any{"alumniOf": "Example University"},
	}
	nbf := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	token := craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "JWT", "kid": key.ID}, map[string]any{
		"iss": "did:example:issuer", "jti": "urn:uuid:677fe8a6cacf98774d482d06", "sub": "did:example:alice", "nbf": nbf.Unix(), "vc": vc,
	})
	res, err := CheckJWT(context.Background(), token, resolverFor(key), JWTOptions{Now: testNow})
	if err != nil || !res.Verified {
		t.Fatalf("%+v %v", res, err)
	}
	c := res.Credential
	if c["id"] != "urn:uuid:677fe8a6cacf98774d482d06" || c["issuer"] != "did:example:issuer" || c["issuanceDate"] != "2025-05-01T08:00:00Z" ||
		c["credentialSubject"].(map[string]any)["id"] != "did:example:alice" {
		t.Errorf("credential %v", c)
	}
	if _, ok := vc["id"]; ok {
		t.Error("the vc claim itself was modified")
	}
}

// TestVCJOSEClaimsNotTied: VC-JOSE-COSE does not tie nbf, exp and jti to
// the credential's members, so a vc+jwt whose nbf is its signing time (not
// validFrom) verifies, while the OB 3.0 format refuses the same claims.
func TestVCJOSEClaimsNotTied(t *testing.T) {
	key := testKey("issuer")
	doc := SampleCredential()
	doc["nbf"] = float64(testNow.Add(-time.Hour).Unix())
	doc["jti"] = "urn:uuid:4d2e1b8c-0000-4000-8000-000000000001"
	token := craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "vc+jwt", "kid": key.ID}, doc)
	res, err := CheckJWT(context.Background(), token, resolverFor(key), JWTOptions{Now: testNow})
	if err != nil || !res.Verified {
		t.Fatalf("vc+jwt: %+v %v", res, err)
	}
	claims := ob3Claims(SampleCredential())
	claims["nbf"] = testNow.Add(-time.Hour).Unix()
	token = craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "JWT", "kid": key.ID}, claims)
	res, err = CheckJWT(context.Background(), token, resolverFor(key), JWTOptions{Now: testNow})
	if err != nil || res.Verified || !errors.Is(res.Err, ErrJWTClaims) || !strings.Contains(res.Err.Error(), "differs from validFrom") {
		t.Fatalf("OB 3.0: %+v %v", res, err)
	}
}

// TestJWTKeyResolverWithoutRSA: a KeyResolver that only knows Ed25519 keys
// still verifies EdDSA tokens; the JWK header of a DID issuer then cannot
// be looked up, which is "could not check".
func TestJWTKeyResolverWithoutRSA(t *testing.T) {
	key := testKey("issuer")
	doc := SampleCredential()
	doc["issuer"] = "did:example:issuer"
	token := craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "vc+jwt", "jwk": did.JWKFromPublicKey(key.Public)}, doc)
	res, err := CheckJWT(context.Background(), token, resolverFor(key), JWTOptions{Now: testNow})
	if err != nil || res.Verified || !res.CouldNotCheck || !errors.Is(res.Err, ErrJWTIssuerKey) {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestES256WithP256DIDKey verifies an OB 3.0 JWT whose issuer is a P-256
// did:key (zDn...) and whose kid is its verification method.
func TestES256WithP256DIDKey(t *testing.T) {
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point, _ := ek.PublicKey.Bytes()
	mb := "z" + base58.Encode(append([]byte{0x80, 0x24, 2 | point[64]&1}, point[1:33]...))
	issuer := "did:key:" + mb
	doc := jwtCredentialDoc(issuer, false)
	token := craftJWT(t, jose.ES256, ek, map[string]any{"typ": "JWT", "kid": issuer + "#" + mb}, ob3Claims(doc))
	res, err := CheckJWT(context.Background(), token, &did.Resolver{}, JWTOptions{Now: jwtNow})
	if err != nil || !res.Verified || !res.IssuerBound || res.Alg != "ES256" {
		t.Fatalf("%+v %v", res, err)
	}
	// The same token under an Ed25519 did:key is refused, naming ES256.
	other := testKey("other")
	token = craftJWT(t, jose.ES256, ek, map[string]any{"typ": "JWT", "kid": did.KeyVerificationMethod(other.Public)}, ob3Claims(doc))
	res, err = CheckJWT(context.Background(), token, &did.Resolver{}, JWTOptions{Now: jwtNow})
	if err != nil || res.Verified || !errors.Is(res.Err, ErrJWTAlgorithm) || !strings.Contains(res.Err.Error(), "alg ES256") {
		t.Fatalf("%+v %v", res, err)
	}
}

// The DID document fetcher serves JWK Sets too: the key set URL is fetched
// the same way, through the same address checks.
var _ Fetcher = (*did.HTTPFetcher)(nil)

// And *did.Resolver returns every key type JWTs need.
var _ VerificationKeyResolver = (*did.Resolver)(nil)

// TestCheckJWTHeaderEdges covers headers and payloads that are wrong in
// their own way; each is "not verified" (never "could not check") with a
// message naming the member.
func TestCheckJWTHeaderEdges(t *testing.T) {
	key := testKey("issuer")
	doc := SampleCredential()
	private := did.JWKFromPublicKey(key.Public)
	private.D = "c2VjcmV0"
	tests := []struct {
		name    string
		header  map[string]any
		payload any
		want    error
		msg     string
	}{
		{"kid a number", map[string]any{"typ": "vc+jwt", "kid": 7}, doc, ErrJWTKeyID, "kid is the JSON value 7"},
		{"jwk with a private key", map[string]any{"typ": "vc+jwt", "jwk": private}, doc, ErrKey, `member "d"`},
		{"typ a number", map[string]any{"typ": 1, "kid": key.ID}, doc, ErrJWTType, "typ is the JSON value 1"},
		{"vc claim not an object", map[string]any{"typ": "JWT", "kid": key.ID}, map[string]any{"vc": "x"}, ErrJWTClaims, `the vc claim is "x"`},
		{"OB 3.0 without iss", map[string]any{"typ": "JWT", "kid": key.ID}, func() map[string]any {
			c := ob3Claims(SampleCredential())
			delete(c, "iss")
			return c
		}(), ErrJWTClaims, "iss is missing"},
		{"OB 3.0 without jti", map[string]any{"kid": key.ID}, func() map[string]any {
			c := ob3Claims(SampleCredential())
			delete(c, "jti")
			return c
		}(), ErrJWTClaims, "jti is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := craftJWT(t, jose.EdDSA, key.Private, tc.header, tc.payload)
			res, err := CheckJWT(context.Background(), token, resolverFor(key), JWTOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verified || res.CouldNotCheck || !errors.Is(res.Err, tc.want) || !strings.Contains(res.Err.Error(), tc.msg) {
				t.Fatalf("%+v, want %v mentioning %q", res, tc.want, tc.msg)
			}
		})
	}
	// alg none is refused as false, not as "could not check".
	res, err := CheckJWT(context.Background(), b64(map[string]any{"alg": "none", "typ": "vc+jwt", "kid": key.ID})+"."+b64(doc)+".", resolverFor(key), JWTOptions{Now: testNow})
	if err != nil || res.Verified || res.CouldNotCheck || !errors.Is(res.Err, ErrJWTAlgorithm) || !strings.Contains(res.Err.Error(), `alg "none"`) {
		t.Fatalf("alg none: %+v %v", res, err)
	}
}

// TestVerifyCompactJWS checks a JWS against a key the caller holds (the
// Open Badges 2.0 signed assertion case), with the algorithm rules of
// CheckJWT.
func TestVerifyCompactJWS(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	assertion := map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:uuid:677fe8a6cacf98774d482d06"}
	token := craftJWT(t, jose.RS256, rk, map[string]any{}, assertion)
	payload, alg, err := VerifyCompactJWS(token, &rk.PublicKey)
	if err != nil || alg != "RS256" || !strings.Contains(string(payload), "urn:uuid:677fe8a6cacf98774d482d06") {
		t.Fatalf("%s %q %v", payload, alg, err)
	}
	parts := strings.Split(token, ".")
	for name, tc := range map[string]struct {
		token string
		key   any
		want  error
	}{
		"tampered":        {parts[0] + "." + b64(map[string]any{"type": "Assertion"}) + "." + parts[2], &rk.PublicKey, ErrSignature},
		"other key":       {token, func() any { o, _ := rsa.GenerateKey(rand.Reader, 2048); return &o.PublicKey }(), ErrSignature},
		"key of ES256":    {token, &ek.PublicKey, ErrJWTAlgorithm},
		"alg none":        {b64(map[string]any{"alg": "none"}) + "." + parts[1] + ".", &rk.PublicKey, ErrJWTAlgorithm},
		"alg PS256":       {b64(map[string]any{"alg": "PS256"}) + "." + parts[1] + "." + parts[2], &rk.PublicKey, ErrJWTUnsupportedAlgorithm},
		"two parts":       {parts[0] + "." + parts[1], &rk.PublicKey, ErrMalformedJWT},
		"padded base64":   {parts[0] + "=." + parts[1] + "." + parts[2], &rk.PublicKey, ErrMalformedJWT},
		"header not JSON": {base64.RawURLEncoding.EncodeToString([]byte("x")) + "." + parts[1] + "." + parts[2], &rk.PublicKey, ErrMalformedJWT},
	} {
		if p, _, err := VerifyCompactJWS(tc.token, tc.key); p != nil || !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
