package did

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/microcred/microcred/internal/fetch"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// mapFetcher serves documents from memory and records the URLs asked for.
type mapFetcher struct {
	docs      map[string]string
	requested []string
}

func (m *mapFetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	m.requested = append(m.requested, u)
	doc, ok := m.docs[u]
	if !ok {
		return nil, fmt.Errorf("%w: %s: HTTP status 404 Not Found", ErrFetch, u)
	}
	return []byte(doc), nil
}

func testKey(b byte) (ed25519.PublicKey, string) {
	seed := make([]byte, 32)
	seed[0] = b
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return pub, EncodePublicKey(pub)
}

func TestResolverPublicKey(t *testing.T) {
	pub1, mk1 := testKey(1)
	pub2, mk2 := testKey(2)
	_, mk3 := testKey(3)
	const web = "did:web:issuer.example:orgs:acme"
	const webURL = "https://issuer.example/orgs/acme/did.json"
	const https = "https://example.edu/issuers/565049"

	webDoc := `{
	  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
	  "id": "` + web + `",
	  "verificationMethod": [
	    {"id": "` + web + `#key-1", "type": "Multikey", "controller": "` + web + `", "publicKeyMultibase": "` + mk1 + `"},
	    {"id": "#key-2", "type": "JsonWebKey2020", "controller": "` + web + `", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "` + JWKFromPublicKey(pub2).X + `"}},
	    {"id": "#auth-only", "type": "Multikey", "controller": "` + web + `", "publicKeyMultibase": "` + mk3 + `"},
	    {"id": "#foreign", "type": "Multikey", "controller": "did:web:evil.example", "publicKeyMultibase": "` + mk3 + `"},
	    {"id": "#secp", "type": "EcdsaSecp256k1VerificationKey2019", "controller": "` + web + `", "publicKeyMultibase": "` + mk3 + `"}
	  ],
	  "assertionMethod": ["` + web + `#key-1", "#key-2", "#foreign", "#secp",
	    {"id": "#embedded", "type": "Multikey", "controller": "` + web + `", "publicKeyMultibase": "` + mk2 + `"}],
	  "authentication": ["#auth-only"]
	}`
	// The Open Badges 3.0 vector signs with an https controller document.
	httpsDoc := `{"id": "` + https + `",
	  "verificationMethod": [{"id": "` + https + `#` + mk1 + `", "type": "Multikey", "controller": "` + https + `", "publicKeyMultibase": "` + mk1 + `"}],
	  "assertionMethod": ["` + https + `#` + mk1 + `"]}`
	fetcher := &mapFetcher{docs: map[string]string{
		webURL: webDoc,
		https:  httpsDoc,
		"https://wrong-id.example/.well-known/did.json":   `{"id": "did:web:other.example"}`,
		"https://not-json.example/.well-known/did.json":   `<html>`,
		"https://big.example/.well-known/did.json":        `{"id": "` + strings.Repeat("x", MaxDocumentBytes) + `"}`,
		"https://no-methods.example/.well-known/did.json": `{"id": "did:web:no-methods.example"}`,
	}}
	r := &Resolver{Fetcher: fetcher}
	ctx := context.Background()

	ok := []struct {
		name, vm, rel string
		want          ed25519.PublicKey
	}{
		{"did:web absolute id", web + "#key-1", AssertionMethod, pub1},
		{"did:web relative id and JWK", web + "#key-2", AssertionMethod, pub2},
		{"did:web embedded method", web + "#embedded", AssertionMethod, pub2},
		{"did:web authentication", web + "#auth-only", Authentication, testKeyPub(3)},
		{"did:key", KeyVerificationMethod(pub1), AssertionMethod, pub1},
		{"did:key capabilityDelegation", KeyVerificationMethod(pub2), CapabilityDelegation, pub2},
		{"https controller document", https + "#" + mk1, AssertionMethod, pub1},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.PublicKey(ctx, tt.vm, tt.rel)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("key %x, want %x", got, tt.want)
			}
		})
	}

	fail := []struct {
		name, vm, rel string
		want          error
	}{
		{"method not in document", web + "#key-9", AssertionMethod, ErrMethodNotFound},
		{"method not in assertionMethod", web + "#auth-only", AssertionMethod, ErrRelationship},
		{"method not in capabilityInvocation", web + "#key-1", CapabilityInvocation, ErrRelationship},
		{"unknown relationship", web + "#key-1", "proofPurpose", ErrRelationship},
		{"controller mismatch", web + "#foreign", AssertionMethod, ErrControllerMismatch},
		{"unsupported key type", web + "#secp", AssertionMethod, ErrUnsupportedKey},
		{"document id mismatch", "did:web:wrong-id.example#k", AssertionMethod, ErrDocumentID},
		{"invalid JSON", "did:web:not-json.example#k", AssertionMethod, ErrInvalidDocument},
		{"document too large", "did:web:big.example#k", AssertionMethod, ErrDocumentTooLarge},
		{"document without methods", "did:web:no-methods.example#k", AssertionMethod, ErrMethodNotFound},
		{"not served", "did:web:absent.example#k", AssertionMethod, ErrFetch},
		{"did:key other fragment", "did:key:" + mk1 + "#" + mk2, AssertionMethod, ErrMethodNotFound},
		{"did:key bad key", "did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW#z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW", AssertionMethod, ErrMulticodec},
		{"did:key keyAgreement", KeyVerificationMethod(pub1), KeyAgreement, ErrRelationship},
		{"no fragment", web, AssertionMethod, ErrInvalidDID},
		{"empty fragment", web + "#", AssertionMethod, ErrInvalidDID},
		{"DID URL path", "did:web:issuer.example/path#k", AssertionMethod, ErrInvalidDID},
		{"did:web path traversal", "did:web:issuer.example:..:x#k", AssertionMethod, ErrInvalidDID},
		{"did:web empty host", "did:web:#k", AssertionMethod, ErrInvalidDID},
		{"unsupported method", "did:example:123#k", AssertionMethod, ErrUnsupportedMethod},
		{"http controller", "http://example.edu/issuers/1#k", AssertionMethod, ErrInvalidDID},
		{"https with user info", "https://user@example.edu/issuers/1#k", AssertionMethod, ErrInvalidDID},
		{"not an identifier", "urn:uuid:1234#k", AssertionMethod, ErrInvalidDID},
	}
	for _, tt := range fail {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.PublicKey(ctx, tt.vm, tt.rel)
			if !errors.Is(err, tt.want) {
				t.Fatalf("PublicKey(%q, %s) = %x, %v; want %v", tt.vm, tt.rel, got, err, tt.want)
			}
		})
	}
	for _, u := range fetcher.requested {
		if !strings.HasPrefix(u, "https://") {
			t.Errorf("fetched non-https URL %s", u)
		}
	}
}

func testKeyPub(b byte) ed25519.PublicKey {
	pub, _ := testKey(b)
	return pub
}

func TestResolverSuppliedDocuments(t *testing.T) {
	pub, mk := testKey(7)
	const web = "did:web:offline.example"
	doc, err := WebDocument(web, []VerificationMethod{{ID: "#key-1", Type: TypeMultikey, PublicKeyMultibase: mk}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// No fetcher: the supplied document alone answers; nothing else does.
	r := &Resolver{Documents: map[string]*Document{web: doc, "did:web:mislabelled.example": doc}}
	got, err := r.PublicKey(ctx, web+"#key-1", AssertionMethod)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("supplied document: %x, %v", got, err)
	}
	if _, err := r.Resolve(ctx, "did:web:mislabelled.example"); !errors.Is(err, ErrDocumentID) {
		t.Errorf("document stored under another DID: err = %v, want ErrDocumentID", err)
	}
	if _, err := r.Resolve(ctx, "did:web:elsewhere.example"); !errors.Is(err, ErrFetch) {
		t.Errorf("unknown did:web without fetcher: err = %v, want ErrFetch", err)
	}

	// A supplied document wins over the network.
	fetcher := &mapFetcher{docs: map[string]string{}}
	r.Fetcher = fetcher
	if _, err := r.Resolve(ctx, web); err != nil {
		t.Fatal(err)
	}
	if len(fetcher.requested) != 0 {
		t.Errorf("fetched %v although the document was supplied", fetcher.requested)
	}

	// A nil resolver still resolves did:key.
	var none *Resolver
	if got, err := none.PublicKey(ctx, KeyVerificationMethod(pub), AssertionMethod); err != nil || !got.Equal(pub) {
		t.Errorf("nil resolver did:key: %x, %v", got, err)
	}
	if _, err := none.Resolve(ctx, web); !errors.Is(err, ErrFetch) {
		t.Errorf("nil resolver did:web: err = %v, want ErrFetch", err)
	}
}

// TestHTTPFetcherResolve resolves a did:web DID end to end over TLS from a
// local server; the DID carries the server's port percent-encoded.
func TestHTTPFetcherResolve(t *testing.T) {
	pub, mk := testKey(9)
	var did string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orgs/acme/did.json", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept"), "application/did+json") {
			t.Errorf("Accept header %q", r.Header.Get("Accept"))
		}
		doc, err := WebDocument(did, []VerificationMethod{{ID: "#key-1", Type: TypeMultikey, PublicKeyMultibase: mk}})
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/did+json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	did = "did:web:" + strings.ReplaceAll(u.Host, ":", "%3A") + ":orgs:acme"

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	r := &Resolver{Fetcher: &HTTPFetcher{Client: fetch.New(fetch.Config{Allow: fetch.Loopback(), TLS: &tls.Config{RootCAs: pool}})}}
	got, err := r.PublicKey(context.Background(), did+"#key-1", AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(pub) {
		t.Errorf("key %x, want %x", got, pub)
	}
	if _, err := r.PublicKey(context.Background(), "did:web:"+strings.ReplaceAll(u.Host, ":", "%3A")+":orgs:other#key-1", AssertionMethod); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing document: err = %v, want ErrFetch with status 404", err)
	}
}

// TestHTTPFetcher exercises the limits of the fetcher against a plain http
// loopback server, allowed by the operator setting.
func TestHTTPFetcher(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /doc", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"id":"x"}`))
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "200")
		_, _ = w.Write([]byte(strings.Repeat("a", 200)))
	})
	mux.HandleFunc("GET /chunked", func(w http.ResponseWriter, _ *http.Request) {
		for range 20 {
			_, _ = w.Write([]byte(strings.Repeat("b", 10)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/doc", http.StatusFound)
	})
	mux.HandleFunc("GET /loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("GET /error", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	local := &HTTPFetcher{Client: fetch.New(fetch.Config{Allow: fetch.Loopback()}), MaxBytes: 100}
	tests := []struct {
		name    string
		fetcher *HTTPFetcher
		path    string
		want    string
		err     error
		msg     string
	}{
		{"ok", local, "/doc", `{"id":"x"}`, nil, ""},
		{"redirect within limits", local, "/redirect", `{"id":"x"}`, nil, ""},
		{"redirect loop", local, "/loop", "", ErrFetch, "redirects"},
		{"Content-Length over limit", local, "/big", "", ErrDocumentTooLarge, "announces 200 bytes"},
		{"chunked body over limit", local, "/chunked", "", ErrDocumentTooLarge, "more than 100 bytes"},
		{"server error", local, "/error", "", ErrFetch, "500"},
		{"http refused", &HTTPFetcher{}, "/doc", "", ErrFetch, "only https"},
		{"loopback refused", &HTTPFetcher{Client: fetch.New(fetch.Config{AllowHTTP: true})}, "/doc", "", ErrFetch, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fetcher.Fetch(ctx, srv.URL+tt.path)
			if tt.err == nil {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Fetch = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Fetch err = %v, want %v mentioning %q", err, tt.err, tt.msg)
			}
		})
	}

	// A redirect from https to plain http is refused (the fetch package
	// re-checks every hop).
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+"/doc", http.StatusFound)
	}))
	defer tlsSrv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	httpsOnly := &HTTPFetcher{Client: fetch.New(fetch.Config{Allow: fetch.MustParseAllowlist("127.0.0.1"), TLS: &tls.Config{RootCAs: pool}})}
	if _, err := httpsOnly.Fetch(ctx, tlsSrv.URL); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "only https") {
		t.Errorf("https to http redirect: err = %v", err)
	}
	// Schemes other than https (and http when allowed) are refused before
	// any connection.
	if _, err := local.Fetch(ctx, strings.Replace(srv.URL, "http:", "ftp:", 1)); !errors.Is(err, ErrFetch) {
		t.Errorf("ftp URL: err = %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := local.Fetch(cancelled, srv.URL+"/doc"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}
