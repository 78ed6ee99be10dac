package did

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

const webPrefix = "did:web:"

// maxDIDLen bounds the DIDs this package parses. DID URLs in credentials are
// short; the limit keeps error messages and map keys small.
const maxDIDLen = 2048

// WebURL returns the https URL of the DID document of a did:web DID
// (did:web method specification, "Read (Resolve)"):
//
//	did:web:example.com                   -> https://example.com/.well-known/did.json
//	did:web:example.com:orgs:acme         -> https://example.com/orgs/acme/did.json
//	did:web:localhost%3A8080:orgs:x       -> https://localhost:8080/orgs/x/did.json
//
// Validation is strict because the result is fetched: the host must be a DNS
// name or IPv4 address with an optional percent-encoded port and nothing else
// percent-encoded; path segments must be non-empty, correctly
// percent-encoded, and may not decode to "." or ".." or contain a slash,
// backslash or control character. Errors wrap ErrInvalidDID.
func WebURL(did string) (string, error) {
	host, segments, err := parseWeb(did)
	if err != nil {
		return "", err
	}
	path := "/.well-known/did.json"
	if len(segments) > 0 {
		escaped := make([]string, len(segments))
		for i, s := range segments {
			escaped[i] = url.PathEscape(s)
		}
		path = "/" + strings.Join(escaped, "/") + "/did.json"
	}
	return "https://" + host + path, nil
}

// parseWeb returns the host (with port) and the decoded path segments of a
// did:web DID.
func parseWeb(did string) (string, []string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %q: %s", ErrInvalidDID, truncate(did), fmt.Sprintf(format, args...))
	}
	if len(did) > maxDIDLen {
		return "", nil, bad("longer than %d characters", maxDIDLen)
	}
	msid, ok := strings.CutPrefix(did, webPrefix)
	if !ok {
		return "", nil, bad("not a did:web DID")
	}
	// DID syntax: idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded,
	// with ":" separating segments. Anything else ("/", "?", "#", spaces)
	// is a DID URL or garbage, not a DID.
	for i := 0; i < len(msid); i++ {
		c := msid[i]
		if !isIDChar(c) && c != ':' && c != '%' {
			return "", nil, bad("character %q is not allowed in a DID", c)
		}
	}
	parts := strings.Split(msid, ":")
	if parts[0] == "" {
		return "", nil, bad("empty host")
	}
	host, err := webHost(parts[0])
	if err != nil {
		return "", nil, bad("host: %v", err)
	}
	segments := make([]string, 0, len(parts)-1)
	for i, p := range parts[1:] {
		if p == "" {
			return "", nil, bad("path segment %d is empty", i+1)
		}
		seg, err := url.PathUnescape(p)
		if err != nil {
			return "", nil, bad("path segment %d: bad percent-encoding", i+1)
		}
		if seg == "." || seg == ".." {
			return "", nil, bad("path segment %d is %q", i+1, seg)
		}
		for j := 0; j < len(seg); j++ {
			if c := seg[j]; c == '/' || c == '\\' || c < 0x20 || c == 0x7f {
				return "", nil, bad("path segment %d contains %q", i+1, c)
			}
		}
		segments = append(segments, seg)
	}
	return host, segments, nil
}

func isIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_'
}

// webHost validates the host segment of a did:web DID and returns it with
// the port decoded ("localhost%3A8080" -> "localhost:8080").
func webHost(enc string) (string, error) {
	name, port, hasPort := strings.Cut(enc, "%")
	if hasPort {
		p, ok := strings.CutPrefix(strings.ToUpper(port), "3A")
		if !ok || strings.Contains(p, "%") {
			return "", fmt.Errorf("only the port separator %%3A may be percent-encoded")
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || p[0] == '0' {
			return "", fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		port = p
	}
	if len(name) > 253 {
		return "", fmt.Errorf("host name longer than 253 characters")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return "", fmt.Errorf("host %q has an empty label", name)
		}
		if len(label) > 63 {
			return "", fmt.Errorf("host label longer than 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("host label %q starts or ends with a hyphen", label)
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; c == '_' {
				return "", fmt.Errorf("host label %q contains an underscore", label)
			}
		}
	}
	if hasPort {
		return name + ":" + port, nil
	}
	return name, nil
}

// WebDocument builds the DID document a did:web controller publishes for its
// keys: every method is listed under verificationMethod and referenced from
// assertionMethod and authentication. Method ids may be given relative
// ("#key-1") and are made absolute; an empty controller is set to the DID.
// Each method must belong to the DID and carry a valid Ed25519 key.
func WebDocument(did string, methods []VerificationMethod) (*Document, error) {
	if _, err := WebURL(did); err != nil {
		return nil, err
	}
	if len(methods) == 0 {
		return nil, fmt.Errorf("did:web document for %q: no verification methods", did)
	}
	doc := &Document{ID: did}
	contexts := []any{ContextDID, ContextMultikey}
	seen := make(map[string]bool)
	for _, vm := range methods {
		vm.ID = doc.absolute(vm.ID)
		if !strings.HasPrefix(vm.ID, did+"#") || len(vm.ID) == len(did)+1 {
			return nil, fmt.Errorf("did:web document for %q: method id %q is not %s#<fragment>", did, vm.ID, did)
		}
		if seen[vm.ID] {
			return nil, fmt.Errorf("did:web document for %q: method id %q appears twice", did, vm.ID)
		}
		seen[vm.ID] = true
		if vm.Controller == "" {
			vm.Controller = did
		}
		if vm.Controller != did {
			return nil, fmt.Errorf("did:web document for %q: %w: method %q has controller %q", did, ErrControllerMismatch, vm.ID, vm.Controller)
		}
		if _, err := vm.Ed25519PublicKey(); err != nil {
			return nil, fmt.Errorf("did:web document for %q: %w", did, err)
		}
		if vm.Type == TypeJsonWebKey2020 && len(contexts) == 2 {
			contexts = append(contexts, ContextJWS2020)
		}
		doc.VerificationMethod = append(doc.VerificationMethod, vm)
		doc.AssertionMethod = append(doc.AssertionMethod, vm.ID)
		doc.Authentication = append(doc.Authentication, vm.ID)
	}
	doc.Context = contexts
	return doc, nil
}
