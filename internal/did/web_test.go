package did

import (
	"crypto/ed25519"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestWebURL(t *testing.T) {
	tests := []struct{ did, want string }{
		{"did:web:example.com", "https://example.com/.well-known/did.json"},
		{"did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"},
		{"did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"},
		{"did:web:example.com:orgs:acme", "https://example.com/orgs/acme/did.json"},
		{"did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"},
		{"did:web:localhost%3A8080:orgs:x", "https://localhost:8080/orgs/x/did.json"},
		{"did:web:localhost%3a8080", "https://localhost:8080/.well-known/did.json"},
		{"did:web:127.0.0.1%3A443", "https://127.0.0.1:443/.well-known/did.json"},
		{"did:web:example.com:user%20name", "https://example.com/user%20name/did.json"},
		{"did:web:example.com:a_b:c-d:e.f", "https://example.com/a_b/c-d/e.f/did.json"},
	}
	for _, tt := range tests {
		t.Run(tt.did, func(t *testing.T) {
			got, err := WebURL(tt.did)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("WebURL = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWebURLErrors(t *testing.T) {
	tests := []struct{ name, did, msg string }{
		{"not did:web", "did:key:z6Mk", "not a did:web"},
		{"prefix only", "did:web:", "empty host"},
		{"empty host before path", "did:web::orgs:acme", "empty host"},
		{"dot-dot segment", "did:web:example.com:..:secret", `is ".."`},
		{"encoded dot-dot", "did:web:example.com:%2E%2E:secret", `is ".."`},
		{"single dot", "did:web:example.com:.", `is "."`},
		{"encoded slash", "did:web:example.com:a%2Fb", `contains '/'`},
		{"encoded backslash", "did:web:example.com:a%5Cb", `contains '\\'`},
		{"encoded NUL", "did:web:example.com:a%00b", `contains '\x00'`},
		{"literal slash", "did:web:example.com/evil", "character '/'"},
		{"fragment", "did:web:example.com#key-1", "character '#'"},
		{"query", "did:web:example.com?x=1", "character '?'"},
		{"user info", "did:web:user@example.com", "character '@'"},
		{"space", "did:web:exa mple.com", "character ' '"},
		{"empty segment", "did:web:example.com::acme", "segment 1 is empty"},
		{"trailing colon", "did:web:example.com:orgs:", "segment 2 is empty"},
		{"bad percent in path", "did:web:example.com:a%zz", "bad percent-encoding"},
		{"truncated percent in path", "did:web:example.com:a%4", "bad percent-encoding"},
		{"percent in host name", "did:web:exa%6Dple.com", "only the port separator"},
		{"bad percent in host", "did:web:example.com%zz", "only the port separator"},
		{"empty port", "did:web:example.com%3A", "port"},
		{"port zero", "did:web:example.com%3A0", "port"},
		{"port too big", "did:web:example.com%3A65536", "port"},
		{"port leading zero", "did:web:example.com%3A080", "port"},
		{"port not numeric", "did:web:example.com%3Ahttp", "port"},
		{"two ports", "did:web:example.com%3A80%3A81", "only the port separator"},
		{"empty label", "did:web:example..com", "empty label"},
		{"leading dot", "did:web:.example.com", "empty label"},
		{"hyphen label", "did:web:-example.com", "hyphen"},
		{"underscore host", "did:web:ex_ample.com", "underscore"},
		{"long label", "did:web:" + strings.Repeat("a", 64) + ".com", "63"},
		{"too long", "did:web:example.com:" + strings.Repeat("a", 3000), "longer than"},
		{"non-ASCII", "did:web:exämple.com", "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WebURL(tt.did)
			if !errors.Is(err, ErrInvalidDID) {
				t.Fatalf("WebURL(%q) = %q, %v; want ErrInvalidDID", tt.did, got, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func FuzzWebURL(f *testing.F) {
	for _, s := range []string{
		"did:web:example.com", "did:web:example.com%3A3000:user:alice", "did:web:example.com:..:x",
		"did:web:example.com:%2e%2E", "did:web:a%3A1%3A2", "did:web::", "did:web:x:%", "did:web:x:%2F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, did string) {
		got, err := WebURL(did)
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("WebURL(%q) = %q, which does not parse: %v", did, got, err)
		}
		if u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("WebURL(%q) = %q: not a plain https URL", did, got)
		}
		if !strings.HasSuffix(u.Path, "/did.json") {
			t.Fatalf("WebURL(%q) = %q: path does not end in /did.json", did, got)
		}
		for _, seg := range strings.Split(u.Path, "/")[1:] {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("WebURL(%q) = %q: path segment %q", did, got, seg)
			}
		}
		if strings.Count(u.Path, "/") != strings.Count(did, ":")-1 && !strings.HasSuffix(got, "/.well-known/did.json") {
			t.Fatalf("WebURL(%q) = %q: path depth differs from the DID", did, got)
		}
	})
}

func TestWebDocument(t *testing.T) {
	const did = "did:web:example.com:orgs:acme"
	pub1 := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	pub2 := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1)).Public().(ed25519.PublicKey)
	doc, err := WebDocument(did, []VerificationMethod{
		{ID: "#key-1", Type: TypeMultikey, PublicKeyMultibase: EncodePublicKey(pub1)},
		{ID: did + "#key-2", Type: TypeJsonWebKey2020, Controller: did, PublicKeyJwk: JWKFromPublicKey(pub2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.ID != did || len(doc.VerificationMethod) != 2 {
		t.Fatalf("document %+v", doc)
	}
	ctx, ok := doc.Context.([]any)
	if !ok || len(ctx) != 3 || ctx[0] != ContextDID || ctx[1] != ContextMultikey || ctx[2] != ContextJWS2020 {
		t.Errorf("@context = %v", doc.Context)
	}
	for i, id := range []string{did + "#key-1", did + "#key-2"} {
		vm := doc.VerificationMethod[i]
		if vm.ID != id || vm.Controller != did {
			t.Errorf("method %d = %+v", i, vm)
		}
		if !doc.Authorizes(AssertionMethod, id) || !doc.Authorizes(Authentication, id) {
			t.Errorf("%s not listed under assertionMethod and authentication", id)
		}
		if doc.Authorizes(CapabilityInvocation, id) {
			t.Errorf("%s unexpectedly listed under capabilityInvocation", id)
		}
	}
	if got, err := doc.VerificationMethod[1].Ed25519PublicKey(); err != nil || !got.Equal(pub2) {
		t.Errorf("JWK method key %x, %v", got, err)
	}

	good := VerificationMethod{ID: "#k", Type: TypeMultikey, PublicKeyMultibase: EncodePublicKey(pub1)}
	errTests := []struct {
		name    string
		did     string
		methods []VerificationMethod
		msg     string
	}{
		{"bad DID", "did:web:..", []VerificationMethod{good}, "empty label"},
		{"no methods", did, nil, "no verification methods"},
		{"other DID", did, []VerificationMethod{{ID: "did:web:other.example#k", Type: TypeMultikey, PublicKeyMultibase: good.PublicKeyMultibase}}, "is not"},
		{"empty fragment", did, []VerificationMethod{{ID: did + "#", Type: TypeMultikey, PublicKeyMultibase: good.PublicKeyMultibase}}, "is not"},
		{"duplicate", did, []VerificationMethod{good, good}, "appears twice"},
		{"controller", did, []VerificationMethod{{ID: "#k", Type: TypeMultikey, Controller: "did:web:evil.example", PublicKeyMultibase: good.PublicKeyMultibase}}, "controller"},
		{"bad key", did, []VerificationMethod{{ID: "#k", Type: TypeMultikey, PublicKeyMultibase: "z6Mk"}}, "publicKeyMultibase"},
		{"unsupported type", did, []VerificationMethod{{ID: "#k", Type: "EcdsaSecp256k1VerificationKey2019", PublicKeyMultibase: good.PublicKeyMultibase}}, "type"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := WebDocument(tt.did, tt.methods)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want mention of %q", err, tt.msg)
			}
		})
	}
}
