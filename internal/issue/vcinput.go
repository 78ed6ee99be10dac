package issue

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/mr-tron/base58"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/jsonld"
)

// ContextV1 is the W3C Verifiable Credentials Data Model 1.1 context. The
// VC-API issue endpoint signs VC 1.1 credentials as given: 1EdTech's
// recommended practices ask displayers to accept Open Badges 3.0
// credentials on VC 1.1 as well as on VC 2.0.
const ContextV1 = "https://www.w3.org/2018/credentials/v1"

// typedProperties are the VC properties whose objects must each carry a
// type (VC 2.0, the sections Status, Data Schemas, Refreshing, Terms of
// Use and Evidence): the type tells a verifier which
// mechanism the object describes, and without it the object means nothing.
// credentialSchema objects also need an id, the schema's URL.
var typedProperties = []string{"credentialStatus", "termsOfUse", "evidence", "refreshService", "credentialSchema"}

// checkInput makes the checks every credential sent to IssueDocument gets,
// whatever its type: issuer and id are absent (to be filled in) or valid,
// never null or another organization's; the subject says something; the
// typed objects have their type; related resources carry well-formed
// digests that match what this server holds of them. Field paths start
// with "credential.".
func checkInput(doc map[string]any, issuerID string) FieldErrors {
	var fe FieldErrors
	if iss, has := doc["issuer"]; has {
		switch v := iss.(type) {
		case nil:
			fe.add("credential.issuer", "must not be null: give this organization's issuer id %s, or leave issuer out and it is filled in", issuerID)
		case string:
			checkIssuerID(&fe, "credential.issuer", v, issuerID)
		case map[string]any:
			id, has := v["id"]
			s, isString := id.(string)
			switch {
			case !has || id == nil:
				fe.add("credential.issuer.id", "is required: this organization's issuer id %s", issuerID)
			case !isString:
				fe.add("credential.issuer.id", "must be a URL (a string): this organization's issuer id %s", issuerID)
			default:
				checkIssuerID(&fe, "credential.issuer.id", s, issuerID)
			}
		default:
			fe.add("credential.issuer", "must be a URL (this organization's issuer id %s) or an object with that id", issuerID)
		}
	}
	if id, has := doc["id"]; has {
		switch v := id.(type) {
		case nil:
			fe.add("credential.id", "must not be null: give a URL such as urn:uuid:%s, or leave id out and one is assigned", exampleUUID)
		case string:
			if !credential.IsAbsoluteURI(v) || len(v) > maxURLLen {
				fe.add("credential.id", "must be a URL such as urn:uuid:%s", exampleUUID)
			}
		default:
			fe.add("credential.id", "must be a URL (a string) such as urn:uuid:%s", exampleUUID)
		}
	}
	checkSubjects(&fe, doc)
	for _, name := range typedProperties {
		forEachObject(&fe, doc, name, func(field string, o map[string]any) {
			if !hasType(o["type"]) {
				fe.add(field+".type", "is required: a %s object must say which kind it is (for example %q)", name, typeExample[name])
			}
			id, hasID := o["id"]
			switch s, _ := id.(string); {
			case name == "credentialSchema" && !credential.IsAbsoluteURI(s):
				fe.add(field+".id", "is required: the URL of the schema")
			case hasID && !credential.IsAbsoluteURI(s):
				// VC 2.0: when these objects have an id, it is a URL.
				fe.add(field+".id", "must be a URL")
			}
		})
	}
	forEachObject(&fe, doc, "relatedResource", func(field string, o map[string]any) {
		checkRelatedResource(&fe, field, o)
	})
	return fe
}

const exampleUUID = "0b1c4f8e-8a3d-4c1e-9f2a-6d5e4c3b2a19"

var typeExample = map[string]string{
	"credentialStatus": "BitstringStatusListEntry",
	"termsOfUse":       "TrustFrameworkPolicy",
	"evidence":         "Evidence",
	"refreshService":   "VerifiableCredentialRefreshService2021",
	"credentialSchema": "JsonSchema",
}

func checkIssuerID(fe *FieldErrors, field, got, issuerID string) {
	switch {
	case !credential.IsAbsoluteURI(got):
		fe.add(field, "must be a URL: this organization's issuer id %s", issuerID)
	case got != issuerID:
		fe.add(field, "must be %s: this organization signs only as its own issuer", issuerID)
	}
}

// checkSubjects refuses a credentialSubject that claims nothing: absent,
// null, empty, or an object with no property at all.
func checkSubjects(fe *FieldErrors, doc map[string]any) {
	const field = "credential.credentialSubject"
	switch cs := doc["credentialSubject"].(type) {
	case nil:
		fe.add(field, "is required: the claims the credential makes about its subject")
	case map[string]any:
		if len(cs) == 0 {
			fe.add(field, "must not be empty: give the claims the credential makes about its subject")
		}
	case []any:
		if len(cs) == 0 {
			fe.add(field, "must not be an empty list: give the claims the credential makes about its subject")
		}
		for i, s := range cs {
			m, ok := s.(map[string]any)
			switch {
			case !ok:
				fe.add(fmt.Sprintf("%s[%d]", field, i), "must be an object")
			case len(m) == 0:
				fe.add(fmt.Sprintf("%s[%d]", field, i), "must not be empty")
			}
		}
	default:
		fe.add(field, "must be an object (or a list of objects)")
	}
}

// forEachObject calls fn for the property name of doc, an object or a list
// of objects; any other value is reported.
func forEachObject(fe *FieldErrors, doc map[string]any, name string, fn func(field string, o map[string]any)) {
	v, has := doc[name]
	if !has {
		return
	}
	field := "credential." + name
	switch t := v.(type) {
	case map[string]any:
		fn(field, t)
	case []any:
		for i, x := range t {
			f := fmt.Sprintf("%s[%d]", field, i)
			if m, ok := x.(map[string]any); ok {
				fn(f, m)
			} else {
				fe.add(f, "must be an object")
			}
		}
	default:
		fe.add(field, "must be an object or a list of objects")
	}
}

func hasType(v any) bool {
	switch t := v.(type) {
	case string:
		return t != ""
	case []any:
		for _, x := range t {
			if s, ok := x.(string); !ok || s == "" {
				return false
			}
		}
		return len(t) > 0
	}
	return false
}

// checkRelatedResource checks one relatedResource object (VC 2.0, the
// section Integrity of Related Resources): an id, and at least one digest,
// each well formed.
//
// The digests are compared with the resource when this server holds it —
// the JSON-LD contexts shipped in the binary, which is what relatedResource
// most often pins. Another resource is not retrieved: VC 2.0 has the digest
// checked by whoever retrieves the resource (a verifier that dereferences
// it), an issuer vouching for a caller's claims need not dereference it,
// and fetching URLs named in a request from the server would let callers
// make it send requests on their behalf. Its digests are checked for form
// (a known hash algorithm and a digest of that algorithm's length), so a
// digest that cannot match anything is refused before it is signed.
func checkRelatedResource(fe *FieldErrors, field string, o map[string]any) {
	id, _ := o["id"].(string)
	if !credential.IsAbsoluteURI(id) {
		fe.add(field+".id", "is required: the URL of the related resource")
	}
	sri, hasSRI := o["digestSRI"]
	mb, hasMB := o["digestMultibase"]
	if !hasSRI && !hasMB {
		fe.add(field, "must have digestSRI or digestMultibase: the digest of the resource")
		return
	}
	if mt, has := o["mediaType"]; has {
		if s, ok := mt.(string); !ok || !strings.Contains(s, "/") {
			fe.add(field+".mediaType", "must be a media type such as application/ld+json")
		}
	}
	content, local := jsonld.Context(id)
	if hasSRI {
		s, ok := sri.(string)
		if !ok {
			fe.add(field+".digestSRI", "must be a string such as sha384-<base64 digest>")
		} else if err := checkSRI(s, content, local); err != nil {
			fe.add(field+".digestSRI", "%v", describeDigestError(err, id))
		}
	}
	if hasMB {
		var list []string
		switch t := mb.(type) {
		case string:
			list = []string{t}
		case []any:
			for _, x := range t {
				s, _ := x.(string)
				list = append(list, s)
			}
		}
		if len(list) == 0 {
			fe.add(field+".digestMultibase", "must be a multibase-encoded multihash such as u<base64url digest>")
		}
		for _, s := range list {
			if err := checkMultibaseDigest(s, content, local); err != nil {
				fe.add(field+".digestMultibase", "%v", describeDigestError(err, id))
				break
			}
		}
	}
}

// describeDigestError says what is wrong with a digest. A mismatch is
// stated against the copy microcred processes the credential with: the
// credential would pin another version of the context than the one its
// claims were read with (published contexts have changed over time, so the
// caller's digest may be of an earlier version), and the answer gives the
// digest of the copy in use.
func describeDigestError(err error, id string) string {
	var m *digestMismatch
	if errors.As(err, &m) {
		return "does not match the content of " + id + " as microcred ships it and reads this credential with (" + m.ours +
			"): the credential would pin another version of that context than the one its claims are processed with"
	}
	return err.Error()
}

// digestMismatch is a well-formed digest that does not match the resource
// this server holds; ours is that resource's digest in the same form.
type digestMismatch struct{ ours string }

func (m *digestMismatch) Error() string { return "digest mismatch; this server's copy has " + m.ours }

// sriHashes are the algorithms Subresource Integrity defines.
var sriHashes = map[string]func() hash.Hash{"sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}

// checkSRI checks an SRI integrity value: one or more space-separated
// hash expressions alg-base64[?options]. With content, one of them must
// match it.
func checkSRI(v string, content []byte, local bool) error {
	exprs := strings.Fields(v)
	if len(exprs) == 0 {
		return errors.New("must be a Subresource Integrity value such as sha384-<base64 digest>")
	}
	matched, ours := false, ""
	for _, e := range exprs {
		e, _, _ = strings.Cut(e, "?")
		alg, b64, ok := strings.Cut(e, "-")
		newHash := sriHashes[alg]
		if !ok || newHash == nil {
			return fmt.Errorf("%q must start with sha256-, sha384- or sha512-", e)
		}
		digest, err := base64.StdEncoding.DecodeString(b64)
		h := newHash()
		if err != nil || len(digest) != h.Size() {
			return fmt.Errorf("%q is not a %s digest in base64 (%d bytes)", e, alg, h.Size())
		}
		if local {
			h.Write(content)
			sum := h.Sum(nil)
			matched = matched || bytes.Equal(sum, digest)
			if ours == "" {
				ours = alg + "-" + base64.StdEncoding.EncodeToString(sum)
			}
		}
	}
	if local && !matched {
		return &digestMismatch{ours: ours}
	}
	return nil
}

// multihashes are the multihash codes accepted in digestMultibase, with
// their digest functions.
var multihashes = map[uint64]struct {
	name string
	new  func() hash.Hash
}{
	0x12: {"sha2-256", sha256.New},
	0x20: {"sha2-384", sha512.New384},
	0x13: {"sha2-512", sha512.New},
	0x16: {"sha3-256", func() hash.Hash { return sha3.New256() }},
	0x15: {"sha3-384", func() hash.Hash { return sha3.New384() }},
	0x14: {"sha3-512", func() hash.Hash { return sha3.New512() }},
}

// checkMultibaseDigest checks a multibase-encoded multihash (base64url
// "u..." or base58btc "z..."). With content, it must match it.
func checkMultibaseDigest(v string, content []byte, local bool) error {
	bad := fmt.Errorf("%q must be a multibase-encoded multihash (u<base64url> or z<base58btc>) of a sha2 or sha3 digest", v)
	if len(v) < 2 {
		return bad
	}
	var raw []byte
	var err error
	switch v[0] {
	case 'u':
		raw, err = base64.RawURLEncoding.DecodeString(v[1:])
	case 'z':
		raw, err = base58.Decode(v[1:])
	default:
		return bad
	}
	if err != nil {
		return bad
	}
	code, n := uvarint(raw)
	if n <= 0 {
		return bad
	}
	size, m := uvarint(raw[n:])
	mh, known := multihashes[code]
	if m <= 0 || !known {
		return bad
	}
	digest := raw[n+m:]
	h := mh.new()
	if size != uint64(h.Size()) || len(digest) != h.Size() {
		return fmt.Errorf("%q is not a %s digest (%d bytes)", v, mh.name, h.Size())
	}
	if local {
		h.Write(content)
		if sum := h.Sum(nil); !bytes.Equal(sum, digest) {
			return &digestMismatch{ours: string(v[0]) + encodeMultibase(v[0], append(raw[:n+m:n+m], sum...))}
		}
	}
	return nil
}

// encodeMultibase encodes b in the multibase base of prefix (without the
// prefix): base64url for 'u', base58btc for 'z'.
func encodeMultibase(prefix byte, b []byte) string {
	if prefix == 'z' {
		return base58.Encode(b)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// uvarint decodes an unsigned varint (multiformats) and its length; n <= 0
// when b does not start with one.
func uvarint(b []byte) (v uint64, n int) {
	for i, c := range b {
		if i == 9 {
			return 0, -1
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// vc11Basics checks what VC 1.1 requires of a credential that is signed as
// given: the VC 1.1 context first, the VerifiableCredential type, a
// subject (checkInput) and an issuanceDate; issuanceDate and
// expirationDate are date-times.
func vc11Basics(doc map[string]any) FieldErrors {
	var fe FieldErrors
	if !slices.Contains(typesOf(doc["type"]), credential.TypeVerifiableCredential) {
		fe.add("credential.type", "must include VerifiableCredential")
	}
	if _, has := doc["issuanceDate"]; !has {
		fe.add("credential.issuanceDate", "is required in a VC 1.1 credential (or use the VC 2.0 context %s and validFrom)", credential.ContextV2)
	}
	for _, name := range []string{"issuanceDate", "expirationDate"} {
		if v, ok := doc[name]; ok {
			if _, err := credential.ParseDateTime(stringOf(v)); err != nil {
				fe.add("credential."+name, "must be a date-time with time zone such as 2026-01-31T09:00:00Z")
			}
		}
	}
	for _, name := range []string{"validFrom", "validUntil"} {
		if _, ok := doc[name]; ok {
			fe.add("credential."+name, "is a VC 2.0 property: a VC 1.1 credential has issuanceDate and expirationDate")
		}
	}
	return fe
}

// asVC2 returns a copy of a VC 1.1 Open Badge read as VC 2.0 (the base
// context swapped, issuanceDate and expirationDate as validFrom and
// validUntil), so that the Open Badges 3.0 rules and 1EdTech's JSON Schema,
// written for VC 2.0, check everything else it says. The copy is only
// checked, never signed.
func asVC2(doc map[string]any) map[string]any {
	out := shallowCopy(doc)
	switch c := doc["@context"].(type) {
	case string:
		out["@context"] = credential.ContextV2
	case []any:
		if len(c) > 0 {
			cp := append([]any(nil), c...)
			cp[0] = credential.ContextV2
			out["@context"] = cp
		}
	}
	for v1, v2 := range map[string]string{"issuanceDate": "validFrom", "expirationDate": "validUntil"} {
		if v, ok := out[v1]; ok {
			out[v2] = v
			delete(out, v1)
		}
	}
	return out
}

// firstContext returns the first @context entry when it is a string.
func firstContext(doc map[string]any) string {
	switch c := doc["@context"].(type) {
	case string:
		return c
	case []any:
		if len(c) > 0 {
			s, _ := c[0].(string)
			return s
		}
	}
	return ""
}

// jsonldProblem turns a JSON-LD processing error (an unknown context, a
// redefined protected term, a term no context defines) into a field error.
func jsonldProblem(err error) FieldError {
	msg := err.Error()
	for _, p := range []string{"canonicalization failed: ", "jsonld: "} {
		if i := strings.LastIndex(msg, p); i >= 0 {
			msg = msg[i+len(p):]
		}
	}
	for _, s := range []string{": " + jsonld.ErrUndefinedTerm.Error(), ": " + jsonld.ErrRemoteContext.Error()} {
		msg = strings.TrimSuffix(msg, s)
	}
	if errors.Is(err, jsonld.ErrRemoteContext) {
		return FieldError{Field: "credential.@context", Problem: msg}
	}
	return FieldError{Field: "credential", Problem: "is not valid JSON-LD: " + msg}
}
