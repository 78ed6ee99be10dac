package issue

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
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
// digests that agree with what this server knows of them (see
// checkRelatedResource). Field paths start with "credential.".
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
// VC 2.0 has the digest checked by the verifier that retrieves the
// resource ("MUST compute the digest of the retrieved resource" and
// produce an error on a mismatch). This issuer retrieves nothing: fetching
// URLs named in a request would let callers make the server send requests
// for them. It compares a digest with what it knows offline (see
// knownDigests): the digests the specifications publish for the base
// contexts, and those of the copies it ships. A digest of an algorithm
// for which the published digest is known must match it; any other digest
// is checked for form (a known hash algorithm, a digest of its length),
// so that a digest that cannot match anything is refused before it is
// signed, and is otherwise left to the verifier.
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
	known := knownDigests(id)
	if hasSRI {
		s, ok := sri.(string)
		if !ok {
			fe.add(field+".digestSRI", "must be a string such as sha384-<base64 digest>")
		} else if err := checkSRI(s, known); err != nil {
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
			if err := checkMultibaseDigest(s, known); err != nil {
				fe.add(field+".digestMultibase", "%v", describeDigestError(err, id))
				break
			}
		}
	}
}

// describeDigestError says what is wrong with a digest.
func describeDigestError(err error, id string) string {
	var m *digestMismatch
	if errors.As(err, &m) {
		return "does not match the published digest of " + id + " (" + m.want + ")"
	}
	return err.Error()
}

// digestMismatch is a well-formed digest that does not match the
// published digest of the resource; want is that digest in the same form.
type digestMismatch struct{ want string }

func (m *digestMismatch) Error() string { return "digest mismatch; the published digest is " + m.want }

// digests are what is known offline of one resource: published, the
// digests its publisher states, by algorithm name ("sha256", "sha384");
// copy, the bytes of the copy microcred ships, if any.
type digests struct {
	published map[string][]byte
	copy      []byte
}

// publishedDigests are the digests the specifications publish for their
// contexts, kept to those corroborated by a second source, since a wrong
// entry here would refuse correct credentials. microcred's shipped copies
// serve JSON-LD processing and are not all byte for byte what is
// published (the copy of the VC 2.0 context hashes differently from the
// digest its specification gives), so a digest that differs from a copy
// is not thereby wrong; one that differs from the published digest is.
var publishedDigests = map[string]map[string]string{
	// VC 2.0, the section Integrity of Related Resources: its
	// digestMultibase example gives the SHA2-256 digest, and the SHA2-384
	// one (its digestSRI example) is what other implementations compute
	// for the same file.
	"https://www.w3.org/ns/credentials/v2": {
		"sha256": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
		"sha384": "97f1eb8e5042356c805fdd61afa2c557663785e0794dcafa21e138fd38def18cb360133c221aa31d6896a6bf3e65b614",
	},
}

// knownDigests returns what is known offline of the resource id.
func knownDigests(id string) digests {
	var d digests
	if hexes, ok := publishedDigests[id]; ok {
		d.published = make(map[string][]byte, len(hexes))
		for alg, h := range hexes {
			b, err := hex.DecodeString(h)
			if err != nil {
				panic("issue: bad published digest for " + id) // a constant above
			}
			d.published[alg] = b
		}
	}
	d.copy, _ = jsonld.Context(id)
	return d
}

// check tells whether digest, of the algorithm alg (newHash), is right:
// nil when it matches the published digest or the shipped copy, or when
// neither is known for this algorithm; a *digestMismatch, giving the
// published digest as format would write it, when one is published and it
// differs.
func (d digests) check(alg string, newHash func() hash.Hash, digest []byte, format func([]byte) string) error {
	want, published := d.published[alg]
	if published && bytes.Equal(want, digest) {
		return nil
	}
	if d.copy != nil {
		h := newHash()
		h.Write(d.copy)
		if bytes.Equal(h.Sum(nil), digest) {
			return nil
		}
	}
	if published {
		return &digestMismatch{want: format(want)}
	}
	return nil
}

// sriHashes are the algorithms Subresource Integrity defines.
var sriHashes = map[string]func() hash.Hash{"sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}

// checkSRI checks an SRI integrity value: one or more space-separated
// hash expressions alg-base64[?options], each well formed; at least one
// must pass known's check (Subresource Integrity accepts a resource that
// matches any of them).
func checkSRI(v string, known digests) error {
	exprs := strings.Fields(v)
	if len(exprs) == 0 {
		return errors.New("must be a Subresource Integrity value such as sha384-<base64 digest>")
	}
	var mismatch error
	for _, e := range exprs {
		e, _, _ = strings.Cut(e, "?")
		alg, b64, ok := strings.Cut(e, "-")
		newHash := sriHashes[alg]
		if !ok || newHash == nil {
			return fmt.Errorf("%q must start with sha256-, sha384- or sha512-", e)
		}
		digest, err := base64.StdEncoding.DecodeString(b64)
		if size := newHash().Size(); err != nil || len(digest) != size {
			return fmt.Errorf("%q is not a %s digest in base64 (%d bytes)", e, alg, size)
		}
		if err := known.check(alg, newHash, digest, func(b []byte) string { return alg + "-" + base64.StdEncoding.EncodeToString(b) }); err != nil {
			mismatch = err
			continue
		}
		return nil
	}
	return mismatch
}

// multihashes are the multihash codes accepted in digestMultibase, with
// their digest functions.
var multihashes = map[uint64]struct {
	name, alg string // multicodec name; the SRI name of the same function, if any
	new       func() hash.Hash
}{
	0x12: {"sha2-256", "sha256", sha256.New},
	0x20: {"sha2-384", "sha384", sha512.New384},
	0x13: {"sha2-512", "sha512", sha512.New},
	0x16: {"sha3-256", "sha3-256", func() hash.Hash { return sha3.New256() }},
	0x15: {"sha3-384", "sha3-384", func() hash.Hash { return sha3.New384() }},
	0x14: {"sha3-512", "sha3-512", func() hash.Hash { return sha3.New512() }},
}

// checkMultibaseDigest checks a multibase-encoded multihash (base64url
// "u..." or base58btc "z...") and then known's check.
func checkMultibaseDigest(v string, known digests) error {
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
	mh, ok := multihashes[code]
	if m <= 0 || !ok {
		return bad
	}
	digest := raw[n+m:]
	if want := mh.new().Size(); size != uint64(want) || len(digest) != want {
		return fmt.Errorf("%q is not a %s digest (%d bytes)", v, mh.name, want)
	}
	header := raw[: n+m : n+m]
	return known.check(mh.alg, mh.new, digest, func(b []byte) string {
		return string(v[0]) + encodeMultibase(v[0], append(header, b...))
	})
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
