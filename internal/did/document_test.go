package did

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseDocumentErrors(t *testing.T) {
	const mk = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	tests := []struct {
		name, json string
		want       error
		msg        string
	}{
		{"empty", "", ErrInvalidDocument, "empty input"},
		{"syntax", `{"id": "did:web:a.example",}`, ErrInvalidDocument, "byte offset"},
		{"truncated", `{"id": "did:web:a.example"`, ErrInvalidDocument, "truncated"},
		{"array", `[]`, ErrInvalidDocument, "array"},
		{"id type", `{"id": 7}`, ErrInvalidDocument, `member "id"`},
		{"methods type", `{"id": "did:web:a.example", "verificationMethod": {}}`, ErrInvalidDocument, `member "verificationMethod"`},
		{"method member type", `{"id": "did:web:a.example", "verificationMethod": [{"id": 1}]}`, ErrInvalidDocument, `verificationMethod.id`},
		{"controller type", `{"id": "did:web:a.example", "controller": 5}`, ErrInvalidDocument, `controller`},
		{"trailing data", `{"id": "did:web:a.example"} {}`, ErrInvalidDocument, "data after"},
		{"missing id", `{"verificationMethod": []}`, ErrInvalidDocument, `"id" is missing`},
		{"method without type", `{"id": "did:web:a.example", "verificationMethod": [{"id": "#k", "controller": "did:web:a.example"}]}`, ErrInvalidDocument, `lacks type (method "#k")`},
		{"duplicate method with another key", `{"id": "did:web:a.example", "verificationMethod": [
			{"id": "#k", "type": "Multikey", "controller": "did:web:a.example", "publicKeyMultibase": "` + mk + `"},
			{"id": "did:web:a.example#k", "type": "Multikey", "controller": "did:web:a.example", "publicKeyMultibase": "z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"}]}`, ErrInvalidDocument, "listed twice with different contents"},
		{"duplicate method embedded with another type", `{"id": "did:web:a.example",
			"verificationMethod": [{"id": "#k", "type": "Multikey", "controller": "did:web:a.example", "publicKeyMultibase": "` + mk + `"}],
			"assertionMethod": [{"id": "#k", "type": "Ed25519VerificationKey2020", "controller": "did:web:a.example", "publicKeyMultibase": "` + mk + `"}]}`, ErrInvalidDocument, "listed twice with different contents (assertionMethod)"},
		{"bad relationship entry", `{"id": "did:web:a.example", "assertionMethod": [42]}`, ErrInvalidDocument, "assertionMethod"},
		{"empty reference", `{"id": "did:web:a.example", "authentication": [""]}`, ErrInvalidDocument, "empty reference"},
		{"embedded without controller", `{"id": "did:web:a.example", "assertionMethod": [{"id": "#e", "type": "Multikey"}]}`, ErrInvalidDocument, "assertionMethod"},
		{"too large", `{"id": "` + strings.Repeat("a", MaxDocumentBytes) + `"}`, ErrDocumentTooLarge, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDocument([]byte(tt.json))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

// TestDuplicateMethodsAgreeing accepts a document that lists one method
// twice with the same contents, as DCC's published did:web documents do
// (embedded under assertionMethod and again under verificationMethod), and
// resolves the key through it.
func TestDuplicateMethodsAgreeing(t *testing.T) {
	const id = "did:web:digitalcredentials.github.io:dcc-did-web:multikey"
	const vm = id + "#z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"
	method := `{"id": "` + vm + `", "type": "Multikey", "controller": "` + id + `", "publicKeyMultibase": "z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"}`
	for name, doc := range map[string]string{
		"embedded and listed": `{"id": "` + id + `", "assertionMethod": [` + method + `], "verificationMethod": [` + method + `]}`,
		"listed twice":        `{"id": "` + id + `", "assertionMethod": ["` + vm + `"], "verificationMethod": [` + method + `, ` + method + `]}`,
		"relative and absolute": `{"id": "` + id + `", "assertionMethod": ["#z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"], "verificationMethod": [` + method +
			`, {"id": "#z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q", "type": "Multikey", "controller": "` + id + `", "publicKeyMultibase": "z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			d, err := ParseDocument([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			r := &Resolver{Documents: map[string]*Document{id: d}}
			pub, err := r.PublicKey(t.Context(), vm, AssertionMethod)
			if err != nil || EncodePublicKey(pub) != "z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q" {
				t.Fatalf("key %v, err %v", pub, err)
			}
		})
	}
}

func TestStringSet(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{`"did:web:a.example"`, []string{"did:web:a.example"}},
		{`["did:web:a.example","did:web:b.example"]`, []string{"did:web:a.example", "did:web:b.example"}},
	} {
		var s StringSet
		if err := json.Unmarshal([]byte(tt.in), &s); err != nil {
			t.Fatal(err)
		}
		if strings.Join(s, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s decoded as %v", tt.in, s)
		}
		out, err := json.Marshal(s)
		if err != nil || string(out) != tt.in {
			t.Errorf("%v encoded as %s (%v), want %s", s, out, err, tt.in)
		}
	}
}

func TestEd25519PublicKeyForms(t *testing.T) {
	const mk = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	want, err := DecodePublicKey(mk)
	if err != nil {
		t.Fatal(err)
	}
	good := []VerificationMethod{
		{ID: "#a", Type: TypeMultikey, PublicKeyMultibase: mk},
		{ID: "#b", Type: TypeEd25519VerificationKey2020, PublicKeyMultibase: mk},
		{ID: "#c", Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"},
		{ID: "#d", Type: TypeJsonWebKey, PublicKeyJwk: JWKFromPublicKey(want)},
		{ID: "#e", Type: TypeJsonWebKey2020, PublicKeyJwk: JWKFromPublicKey(want)},
	}
	for _, vm := range good {
		got, err := vm.Ed25519PublicKey()
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %x, %v", vm.Type, got, err)
		}
	}
	bad := []struct {
		vm   VerificationMethod
		want error
	}{
		{VerificationMethod{ID: "#a", Type: TypeMultikey}, ErrUnsupportedKey},
		{VerificationMethod{ID: "#a", Type: TypeMultikey, PublicKeyMultibase: "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"}, ErrMulticodec},
		{VerificationMethod{ID: "#b", Type: "EcdsaSecp256k1VerificationKey2019", PublicKeyMultibase: mk}, ErrUnsupportedKey},
		{VerificationMethod{ID: "#c", Type: TypeEd25519VerificationKey2018}, ErrMultibase},
		{VerificationMethod{ID: "#c", Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4Mcphgm"}, ErrKeyLength},
		{VerificationMethod{ID: "#d", Type: TypeJsonWebKey}, ErrUnsupportedKey},
		{VerificationMethod{ID: "#d", Type: TypeJsonWebKey, PublicKeyJwk: &JWK{Kty: "EC", Crv: "P-256", X: "AA"}}, ErrUnsupportedKey},
		{VerificationMethod{ID: "#d", Type: TypeJsonWebKey, PublicKeyJwk: &JWK{Kty: "OKP", Crv: "Ed25519", X: "AAAA"}}, ErrKeyLength},
		{VerificationMethod{ID: "#d", Type: TypeJsonWebKey, PublicKeyJwk: &JWK{Kty: "OKP", Crv: "Ed25519", X: JWKFromPublicKey(want).X, D: "c2VjcmV0"}}, ErrUnsupportedKey},
	}
	for _, tt := range bad {
		if _, err := tt.vm.Ed25519PublicKey(); !errors.Is(err, tt.want) {
			t.Errorf("%s %+v: err = %v, want %v", tt.vm.Type, tt.vm, err, tt.want)
		}
	}
	if _, err := (VerificationMethod{ID: "#d", Type: TypeJsonWebKey, PublicKeyJwk: &JWK{Kty: "OKP", Crv: "Ed25519", X: "!!"}}).Ed25519PublicKey(); err == nil || !strings.Contains(err.Error(), "base64url") {
		t.Errorf("bad base64url accepted or unnamed: %v", err)
	}
}

func FuzzParseDocument(f *testing.F) {
	doc, err := ResolveKey("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	if err != nil {
		f.Fatal(err)
	}
	seed, err := json.Marshal(doc)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"id":"did:web:a.example","assertionMethod":[{"id":"#k","type":"Multikey","controller":"did:web:a.example"}],"controller":["x"]}`))
	f.Add([]byte(`{"id":"x","verificationMethod":[{"id":"#k","type":"JsonWebKey","controller":"x","publicKeyJwk":{"kty":"OKP"}}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			return
		}
		for _, vm := range doc.VerificationMethod {
			_, _ = vm.Ed25519PublicKey()
			if _, ok := doc.Method(doc.absolute(vm.ID)); !ok {
				t.Fatalf("method %q not found by its own id", vm.ID)
			}
		}
		for _, rel := range relationships {
			_ = doc.Authorizes(rel, doc.ID+"#k")
		}
	})
}
