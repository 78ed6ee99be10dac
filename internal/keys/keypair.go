package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/microcred/microcred/internal/did"
)

// MultikeyContext is the JSON-LD context of Multikey key files.
const MultikeyContext = "https://w3id.org/security/multikey/v1"

// cidContext also defines the Multikey type; key files exported by
// Controlled Identifiers implementations use it.
const cidContext = "https://www.w3.org/ns/cid/v1"

// KeyPair is an Ed25519 issuer key in the Multikey form other VC libraries
// export. Private is nil for a public-only key.
type KeyPair struct {
	// ID is the verification method URL proofs refer to.
	ID string
	// Controller is the DID or URL whose document lists the key.
	Controller string
	Public     ed25519.PublicKey
	Private    ed25519.PrivateKey
}

// Generate creates a key pair with a fresh random key. See FromSeed for the
// controller forms.
func Generate(controller string) (*KeyPair, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return FromSeed(seed, controller)
}

// FromSeed derives the key pair of a 32-byte Ed25519 seed. The controller
// decides the verification method id:
//
//   - "" or the key's own did:key DID: controller did:key:z6Mk..., ID
//     did:key:z6Mk...#z6Mk...
//   - a did:web DID or an https URL without fragment: ID is the controller,
//     "#", and the public Multikey.
func FromSeed(seed []byte, controller string) (*KeyPair, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	controller, id, err := bind(pub, controller, "")
	if err != nil {
		return nil, err
	}
	return &KeyPair{ID: id, Controller: controller, Public: pub, Private: priv}, nil
}

// bind checks controller and id against the public key and fills in the
// defaults. An empty id becomes controller#publicKeyMultibase; an empty
// controller becomes the part of id before '#', or the key's did:key.
func bind(pub ed25519.PublicKey, controller, id string) (string, string, error) {
	mb := did.EncodePublicKey(pub)
	if controller == "" && id != "" {
		c, _, ok := strings.Cut(id, "#")
		if !ok {
			return "", "", memberErr("id", "%q has no #fragment", id)
		}
		controller = c
	}
	if controller == "" {
		controller = did.KeyDID(pub)
	}
	switch {
	case strings.HasPrefix(controller, "did:key:"):
		// A did:key document has exactly one method, derived from the key,
		// so no other controller or id can be right.
		if controller != did.KeyDID(pub) {
			return "", "", memberErr("controller", "%q is a did:key of another key (want %s)", controller, did.KeyDID(pub))
		}
		if id != "" && id != did.KeyVerificationMethod(pub) {
			return "", "", memberErr("id", "%q is not the did:key verification method %s", id, did.KeyVerificationMethod(pub))
		}
		return controller, did.KeyVerificationMethod(pub), nil
	case strings.HasPrefix(controller, "did:web:"):
		if _, err := did.WebURL(controller); err != nil {
			return "", "", &memberError{member: "controller", err: err}
		}
	case strings.HasPrefix(controller, "https://"):
		u, err := url.Parse(controller)
		if err != nil || u.Host == "" || u.User != nil || strings.Contains(controller, "#") {
			return "", "", memberErr("controller", "%q is not an https URL without user info or fragment", controller)
		}
	default:
		return "", "", memberErr("controller", "%q is not a did:key, did:web or https URL", controller)
	}
	if id == "" {
		return controller, controller + "#" + mb, nil
	}
	if !strings.HasPrefix(id, controller+"#") || len(id) == len(controller)+1 {
		return "", "", memberErr("id", "%q is not %s#<fragment>", id, controller)
	}
	return controller, id, nil
}

// memberError says which key file member (id or controller) is wrong.
type memberError struct {
	member string
	err    error
}

func (e *memberError) Error() string { return e.member + ": " + e.err.Error() }
func (e *memberError) Unwrap() error { return e.err }

func memberErr(member, format string, args ...any) error {
	return &memberError{member: member, err: fmt.Errorf(format, args...)}
}

// PublicKeyMultibase returns the Multikey form of the public key.
func (k KeyPair) PublicKeyMultibase() string {
	return did.EncodePublicKey(k.Public)
}

// VerificationMethod returns the Multikey verification method of the key,
// ready for a DID or controller document.
func (k KeyPair) VerificationMethod() did.VerificationMethod {
	return did.VerificationMethod{
		ID:                 k.ID,
		Type:               did.TypeMultikey,
		Controller:         k.Controller,
		PublicKeyMultibase: k.PublicKeyMultibase(),
	}
}

// keyFile is the Multikey key file, in the member order other libraries
// write.
type keyFile struct {
	Context            any    `json:"@context,omitempty"`
	Type               string `json:"type,omitempty"`
	ID                 string `json:"id,omitempty"`
	Controller         string `json:"controller,omitempty"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	SecretKeyMultibase string `json:"secretKeyMultibase,omitempty"`
	// PrivateKeyMultibase is the member name of the W3C test vector files;
	// it is read, never written.
	PrivateKeyMultibase string `json:"privateKeyMultibase,omitempty"`
}

// MarshalJSON writes the Multikey key file, secret included:
//
//	{"@context":"https://w3id.org/security/multikey/v1","type":"Multikey",
//	 "id":...,"controller":...,"publicKeyMultibase":"z6Mk...","secretKeyMultibase":"z3u2..."}
//
// A public-only pair is written without secretKeyMultibase. The method has a
// value receiver so that marshalling a KeyPair value cannot fall back to the
// default encoding of its fields.
func (k KeyPair) MarshalJSON() ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	f := k.file()
	if k.Private != nil {
		f.SecretKeyMultibase = did.EncodeSecretKey(k.Private)
	}
	return json.Marshal(f)
}

// PublicMultikey writes the key file without the secret, for publishing.
func (k KeyPair) PublicMultikey() ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	return json.Marshal(k.file())
}

func (k KeyPair) file() keyFile {
	return keyFile{
		Context:            MultikeyContext,
		Type:               did.TypeMultikey,
		ID:                 k.ID,
		Controller:         k.Controller,
		PublicKeyMultibase: k.PublicKeyMultibase(),
	}
}

func (k KeyPair) check() error {
	if len(k.Public) != ed25519.PublicKeySize {
		return fmt.Errorf("key pair %q: public key is %d bytes", k.ID, len(k.Public))
	}
	if k.Private != nil {
		if len(k.Private) != ed25519.PrivateKeySize {
			return fmt.Errorf("key pair %q: private key is %d bytes", k.ID, len(k.Private))
		}
		if !k.Public.Equal(k.Private.Public()) {
			return fmt.Errorf("key pair %q: private key does not match the public key", k.ID)
		}
	}
	return nil
}

// MaxKeyFileBytes bounds ParseKeyFile's input; a key file is under 1 KiB.
const MaxKeyFileBytes = 64 << 10

// ErrKeyFile is wrapped by every ParseKeyFile error.
var ErrKeyFile = errors.New("invalid key file")

// ParseKeyFile reads a Multikey key file:
//
//	{"@context": ..., "type": "Multikey", "id": ..., "controller": ...,
//	 "publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z3u2..."}
//
// "@context", "type", "id", "controller" and the secret are optional: the
// W3C test vectors carry only the two keys (the secret under
// "privateKeyMultibase", also accepted). The secret may be the 32-byte seed
// or the 64 bytes of seed and public key that the JavaScript libraries
// export (see did.DecodeSecretKey); files of type Ed25519VerificationKey2020
// are read like Multikey ones. Without a secret the pair is
// public-only (Private nil). The secret must derive the public key; missing
// id or controller are filled in as FromSeed does. Errors name the member at
// fault and never contain secret material.
func ParseKeyFile(data []byte) (*KeyPair, error) {
	if len(data) > MaxKeyFileBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrKeyFile, len(data), MaxKeyFileBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrKeyFile)
	}
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		var typ *json.UnmarshalTypeError
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return nil, fmt.Errorf("%w: member %q: JSON %s where %s was expected", ErrKeyFile, typ.Field, typ.Value, typ.Type)
		case errors.As(err, &syn):
			return nil, fmt.Errorf("%w: JSON syntax error at byte offset %d", ErrKeyFile, syn.Offset)
		default:
			// Other decoding errors (a top-level array, say) carry no
			// content of the file.
			return nil, fmt.Errorf("%w: %v", ErrKeyFile, err)
		}
	}
	if err := checkContext(f.Context); err != nil {
		return nil, fmt.Errorf("%w: member \"@context\": %v", ErrKeyFile, err)
	}
	if f.Type != "" && f.Type != did.TypeMultikey && f.Type != did.TypeEd25519VerificationKey2020 {
		return nil, fmt.Errorf("%w: member \"type\" is %q, want \"Multikey\" (or \"Ed25519VerificationKey2020\")", ErrKeyFile, f.Type)
	}
	if f.PublicKeyMultibase == "" {
		return nil, fmt.Errorf("%w: member \"publicKeyMultibase\" is missing", ErrKeyFile)
	}
	pub, err := did.DecodePublicKey(f.PublicKeyMultibase)
	if err != nil {
		return nil, fmt.Errorf("%w: member \"publicKeyMultibase\": %w", ErrKeyFile, err)
	}
	secretMember, secret := "secretKeyMultibase", f.SecretKeyMultibase
	if f.PrivateKeyMultibase != "" {
		if secret != "" && secret != f.PrivateKeyMultibase {
			return nil, fmt.Errorf("%w: members \"secretKeyMultibase\" and \"privateKeyMultibase\" differ", ErrKeyFile)
		}
		secretMember, secret = "privateKeyMultibase", f.PrivateKeyMultibase
	}
	kp := &KeyPair{Public: pub}
	if secret != "" {
		priv, err := did.DecodeSecretKey(secret)
		if err != nil {
			return nil, fmt.Errorf("%w: member %q: %w", ErrKeyFile, secretMember, err)
		}
		if !pub.Equal(priv.Public()) {
			return nil, fmt.Errorf("%w: member %q does not match \"publicKeyMultibase\"", ErrKeyFile, secretMember)
		}
		kp.Private = priv
	}
	kp.Controller, kp.ID, err = bind(pub, f.Controller, f.ID)
	if err != nil {
		var me *memberError
		if errors.As(err, &me) {
			return nil, fmt.Errorf("%w: member %q: %w", ErrKeyFile, me.member, me.err)
		}
		return nil, fmt.Errorf("%w: %w", ErrKeyFile, err)
	}
	return kp, nil
}

// ed25519Context defines Ed25519VerificationKey2020, the type of the key
// files the JavaScript library ed25519-verification-key-2020 exports (with
// a 64-byte privateKeyMultibase).
const ed25519Context = "https://w3id.org/security/suites/ed25519-2020/v1"

// checkContext accepts a missing @context, or one that is or contains a
// context defining Multikey or Ed25519VerificationKey2020.
func checkContext(ctx any) error {
	known := func(s string) bool { return s == MultikeyContext || s == cidContext || s == ed25519Context }
	switch c := ctx.(type) {
	case nil:
		return nil
	case string:
		if known(c) {
			return nil
		}
	case []any:
		for _, e := range c {
			if s, ok := e.(string); ok && known(s) {
				return nil
			}
		}
	}
	return fmt.Errorf("does not include %s", MultikeyContext)
}

// String describes the key pair without its private key.
func (k KeyPair) String() string {
	secret := "none"
	if k.Private != nil {
		secret = "REDACTED"
	}
	return fmt.Sprintf("KeyPair{ID: %q, Controller: %q, Public: %s, Private: %s}", k.ID, k.Controller, did.EncodePublicKey(k.Public), secret)
}

// GoString is String, so %#v redacts too.
func (k KeyPair) GoString() string { return k.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q, %x ...), so no
// formatting directive reaches the private key bytes.
func (k KeyPair) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", k.String())
		return
	}
	fmt.Fprint(f, k.String())
}

// LogValue keeps slog from serializing the key pair with MarshalJSON, which
// would include the secret.
func (k KeyPair) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", k.ID),
		slog.String("controller", k.Controller),
		slog.String("publicKeyMultibase", did.EncodePublicKey(k.Public)),
	)
}
