package did

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/mr-tron/base58"
)

// Context URLs used in the documents this package builds.
const (
	ContextDID      = "https://www.w3.org/ns/did/v1"
	ContextMultikey = "https://w3id.org/security/multikey/v1"
	ContextJWS2020  = "https://w3id.org/security/suites/jws-2020/v1"
)

// Verification method types that can carry an Ed25519 public key.
const (
	TypeMultikey                   = "Multikey"
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	TypeEd25519VerificationKey2018 = "Ed25519VerificationKey2018"
	TypeJsonWebKey                 = "JsonWebKey"
	TypeJsonWebKey2020             = "JsonWebKey2020"
)

// Verification relationships of a DID document.
const (
	Authentication       = "authentication"
	AssertionMethod      = "assertionMethod"
	KeyAgreement         = "keyAgreement"
	CapabilityInvocation = "capabilityInvocation"
	CapabilityDelegation = "capabilityDelegation"
)

// Errors about DID documents and verification methods; test with errors.Is.
var (
	// ErrInvalidDocument reports a document that is not valid JSON or lacks
	// required members.
	ErrInvalidDocument = errors.New("invalid DID document")
	// ErrDocumentTooLarge reports a document above the size limit.
	ErrDocumentTooLarge = errors.New("DID document too large")
	// ErrDocumentID reports a document whose id is not the DID it was
	// resolved for.
	ErrDocumentID = errors.New("DID document id mismatch")
	// ErrMethodNotFound reports a verification method absent from the
	// controller's document.
	ErrMethodNotFound = errors.New("verification method not found")
	// ErrControllerMismatch reports a verification method whose controller is
	// not the document's subject.
	ErrControllerMismatch = errors.New("verification method controller mismatch")
	// ErrRelationship reports a verification method the controller did not
	// authorize for the requested purpose.
	ErrRelationship = errors.New("verification method not authorized for relationship")
	// ErrUnsupportedKey reports a verification method that does not carry an
	// Ed25519 key in a supported form.
	ErrUnsupportedKey = errors.New("unsupported verification method key")
)

// MaxDocumentBytes is the default size limit for a fetched or parsed DID
// document. Real documents are a few kilobytes; the limit stops a hostile
// server from making a verifier buffer an unbounded body.
const MaxDocumentBytes = 256 << 10

// Document is a DID document (DID Core 1.0) or controlled identifier
// document. Verification relationships hold either string references
// (absolute or "#fragment" relative to ID) or embedded verification methods
// (VerificationMethod, *VerificationMethod, or a JSON object once decoded).
type Document struct {
	Context              any                  `json:"@context"`
	ID                   string               `json:"id"`
	Controller           StringSet            `json:"controller,omitempty"`
	AlsoKnownAs          []string             `json:"alsoKnownAs,omitempty"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []any                `json:"authentication,omitempty"`
	AssertionMethod      []any                `json:"assertionMethod,omitempty"`
	KeyAgreement         []any                `json:"keyAgreement,omitempty"`
	CapabilityInvocation []any                `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []any                `json:"capabilityDelegation,omitempty"`
	Service              []any                `json:"service,omitempty"`
}

// VerificationMethod is a public key entry of a DID document. Multikey and
// Ed25519VerificationKey2020 carry PublicKeyMultibase, JsonWebKey and
// JsonWebKey2020 carry PublicKeyJwk, and the legacy
// Ed25519VerificationKey2018 carries PublicKeyBase58.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase,omitempty"`
	PublicKeyJwk       *JWK   `json:"publicKeyJwk,omitempty"`
	PublicKeyBase58    string `json:"publicKeyBase58,omitempty"`
}

// JWK is the public part of a JSON Web Key (RFC 7517): OKP Ed25519
// (RFC 8037) for Data Integrity and EdDSA JWTs, and RSA or EC P-256 for the
// RS256 and ES256 JWTs Open Badges 3.0 issuers sign.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
	// D is decoded so that a method publishing its private key can be
	// rejected (Ed25519PublicKey and PublicKey fail on it).
	D string `json:"d,omitempty"`
}

// StringSet is a JSON member that holds either one string or an array of
// strings, like the controller of a DID document. One element marshals as a
// plain string.
type StringSet []string

// MarshalJSON writes a single element as a string and more as an array.
func (s StringSet) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

// UnmarshalJSON accepts a string or an array of strings.
func (s *StringSet) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*s = StringSet{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		// An UnmarshalTypeError gets the member name filled in by the
		// decoder, so the caller's message can say which member is wrong.
		return &json.UnmarshalTypeError{Value: "value other than a string or array of strings", Type: reflect.TypeFor[StringSet]()}
	}
	*s = many
	return nil
}

// JWKFromPublicKey returns the OKP JWK of an Ed25519 public key.
func JWKFromPublicKey(pub ed25519.PublicKey) *JWK {
	return &JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub)}
}

// Ed25519PublicKey extracts the Ed25519 key of the method according to its
// type. Errors wrap ErrUnsupportedKey or the Multikey decoding errors.
func (vm VerificationMethod) Ed25519PublicKey() (ed25519.PublicKey, error) {
	switch vm.Type {
	case TypeMultikey, TypeEd25519VerificationKey2020:
		if vm.PublicKeyMultibase == "" {
			return nil, fmt.Errorf("%w: %s method %q has no publicKeyMultibase", ErrUnsupportedKey, vm.Type, vm.ID)
		}
		pub, err := DecodePublicKey(vm.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("method %q publicKeyMultibase: %w", vm.ID, err)
		}
		return pub, nil
	case TypeJsonWebKey, TypeJsonWebKey2020:
		return vm.PublicKeyJwk.ed25519(vm.ID)
	case TypeEd25519VerificationKey2018:
		raw, err := base58.Decode(vm.PublicKeyBase58)
		if err != nil || vm.PublicKeyBase58 == "" {
			return nil, fmt.Errorf("method %q publicKeyBase58: %w: not base58", vm.ID, ErrMultibase)
		}
		if len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("method %q publicKeyBase58: %w: %d bytes, want %d", vm.ID, ErrKeyLength, len(raw), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(raw), nil
	default:
		return nil, fmt.Errorf("%w: method %q has type %q", ErrUnsupportedKey, vm.ID, vm.Type)
	}
}

func (j *JWK) ed25519(id string) (ed25519.PublicKey, error) {
	switch {
	case j == nil:
		return nil, fmt.Errorf("%w: method %q has no publicKeyJwk", ErrUnsupportedKey, id)
	case j.D != "":
		return nil, fmt.Errorf("%w: method %q publicKeyJwk contains a private key (\"d\")", ErrUnsupportedKey, id)
	case j.Kty != "OKP" || j.Crv != "Ed25519":
		return nil, fmt.Errorf("%w: method %q publicKeyJwk is kty %q crv %q, want OKP Ed25519", ErrUnsupportedKey, id, j.Kty, j.Crv)
	}
	raw, err := base64.RawURLEncoding.DecodeString(j.X)
	if err != nil {
		return nil, fmt.Errorf("method %q publicKeyJwk x: not base64url: %w", id, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("method %q publicKeyJwk x: %w: %d bytes, want %d", id, ErrKeyLength, len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// ParseDocument decodes a DID or controller document of at most
// MaxDocumentBytes and checks its structure: an id, and an id, type and
// controller on every verification method, with no id used twice. It does
// not check the id against a DID; Resolver does that. JSON errors name the
// byte offset or the member at fault.
func ParseDocument(data []byte) (*Document, error) {
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrDocumentTooLarge, len(data), MaxDocumentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidDocument, describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object at byte offset %d", ErrInvalidDocument, dec.InputOffset())
	}
	if err := doc.validate(); err != nil {
		return nil, err
	}
	return &doc, nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("JSON syntax error at byte offset %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(document)"
		}
		return fmt.Sprintf("member %q: JSON %s where %s was expected", field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF):
		return "empty input"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	default:
		return err.Error()
	}
}

// validate checks the structure of the document (see ParseDocument).
func (d *Document) validate() error {
	if d.ID == "" {
		return fmt.Errorf("%w: member \"id\" is missing", ErrInvalidDocument)
	}
	// A method may be listed more than once (DCC's published did:web
	// documents embed it in assertionMethod and repeat it under
	// verificationMethod): DID Core only forbids two different methods
	// with one id, which would leave the key ambiguous.
	seen := make(map[string]VerificationMethod)
	check := func(vm VerificationMethod, where string) error {
		if vm.ID == "" || vm.Type == "" || vm.Controller == "" {
			return fmt.Errorf("%w: %s: a verification method lacks %s", ErrInvalidDocument, where, missingMembers(vm))
		}
		id := d.absolute(vm.ID)
		vm.ID = id
		if first, ok := seen[id]; ok {
			if !reflect.DeepEqual(first, vm) {
				return fmt.Errorf("%w: verification method id %q is listed twice with different contents (%s)", ErrInvalidDocument, id, where)
			}
			return nil
		}
		seen[id] = vm
		return nil
	}
	for _, vm := range d.VerificationMethod {
		if err := check(vm, "verificationMethod"); err != nil {
			return err
		}
	}
	for _, rel := range relationships {
		for _, entry := range *d.relationship(rel) {
			ref, vm, err := parseEntry(entry)
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrInvalidDocument, rel, err)
			}
			if vm == nil {
				if ref == "" {
					return fmt.Errorf("%w: %s: empty reference", ErrInvalidDocument, rel)
				}
				continue
			}
			if err := check(*vm, rel); err != nil {
				return err
			}
		}
	}
	return nil
}

// missingMembers names the required members a verification method lacks
// (and its id when it has one), for an error message.
func missingMembers(vm VerificationMethod) string {
	var missing []string
	for _, m := range []struct{ name, value string }{{"id", vm.ID}, {"type", vm.Type}, {"controller", vm.Controller}} {
		if m.value == "" {
			missing = append(missing, m.name)
		}
	}
	out := strings.Join(missing, " and ")
	if vm.ID != "" {
		out += fmt.Sprintf(" (method %q)", vm.ID)
	}
	return out
}

var relationships = []string{Authentication, AssertionMethod, KeyAgreement, CapabilityInvocation, CapabilityDelegation}

// relationship returns the list for a relationship name, or nil if the name
// is not one of the five DID Core relationships.
func (d *Document) relationship(name string) *[]any {
	switch name {
	case Authentication:
		return &d.Authentication
	case AssertionMethod:
		return &d.AssertionMethod
	case KeyAgreement:
		return &d.KeyAgreement
	case CapabilityInvocation:
		return &d.CapabilityInvocation
	case CapabilityDelegation:
		return &d.CapabilityDelegation
	}
	return nil
}

// absolute resolves a "#fragment" reference against the document id; DID
// Core allows relative references inside a document.
func (d *Document) absolute(ref string) string {
	if strings.HasPrefix(ref, "#") {
		return d.ID + ref
	}
	return ref
}

// parseEntry splits a relationship entry into a reference or an embedded
// method.
func parseEntry(entry any) (string, *VerificationMethod, error) {
	switch e := entry.(type) {
	case string:
		return e, nil, nil
	case VerificationMethod:
		return "", &e, nil
	case *VerificationMethod:
		if e == nil {
			return "", nil, errors.New("nil verification method")
		}
		return "", e, nil
	case map[string]any:
		raw, err := json.Marshal(e)
		if err != nil {
			return "", nil, fmt.Errorf("embedded verification method: %w", err)
		}
		var vm VerificationMethod
		if err := json.Unmarshal(raw, &vm); err != nil {
			return "", nil, fmt.Errorf("embedded verification method: %s", describeJSONError(err))
		}
		return "", &vm, nil
	default:
		return "", nil, fmt.Errorf("entry of type %T is neither a reference nor a verification method", entry)
	}
}

// Method finds a verification method by its absolute URL among the
// verificationMethod list and the methods embedded in relationships.
func (d *Document) Method(id string) (VerificationMethod, bool) {
	for _, vm := range d.VerificationMethod {
		if d.absolute(vm.ID) == id {
			return vm, true
		}
	}
	for _, rel := range relationships {
		for _, entry := range *d.relationship(rel) {
			if _, vm, err := parseEntry(entry); err == nil && vm != nil && d.absolute(vm.ID) == id {
				return *vm, true
			}
		}
	}
	return VerificationMethod{}, false
}

// Authorizes reports whether the document lists the verification method with
// absolute URL id under the relationship (by reference or embedded).
func (d *Document) Authorizes(relationship, id string) bool {
	list := d.relationship(relationship)
	if list == nil {
		return false
	}
	for _, entry := range *list {
		ref, vm, err := parseEntry(entry)
		if err != nil {
			continue
		}
		if vm != nil {
			ref = vm.ID
		}
		if d.absolute(ref) == id {
			return true
		}
	}
	return false
}
