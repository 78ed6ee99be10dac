package ob2

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
)

// signed verifies a signed assertion given as its compact JWS.
func (v *verifier) signed(ctx context.Context, a map[string]any, jws string) {
	const sigName = "signature"
	v.res.Assertion = a
	parts := strings.Split(jws, ".")
	var header struct {
		Alg string `json:"alg"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err == nil {
		err = json.Unmarshal(hb, &header)
	}
	if err != nil {
		v.add(sigName, Failed, "The badge's signature is damaged.", "the JWS header is not base64url JSON: %v", err)
		return
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err != nil {
		v.add(sigName, Failed, "The badge's signature is damaged.", "the JWS signature is not base64url: %v", err)
		return
	}
	if header.Alg != "RS256" {
		v.add(sigName, Skipped, "The badge is signed with a method this verifier does not support, so its signature could not be checked.",
			"JWS alg %q; Open Badges 2.0 signed assertions use RS256", header.Alg)
		return
	}
	if m := method(a); m != "signed" {
		v.add(sigName, Failed, "The signed badge does not say it is a signed badge.", "verification.type %q in a JWS payload; SignedBadge expected", typeString(verifyObject(a)["type"]))
		return
	}
	bc := v.badgeClass(ctx, a, true)
	issuer := v.issuer(ctx, bc, false)
	if issuer == nil {
		v.add(sigName, Skipped, "Without the issuer's profile, the key the badge was signed with cannot be confirmed as the issuer's.",
			"the issuer Profile is needed to trust the signing key")
		return
	}
	issuerID, _ := idOf(issuer["id"])
	creator, _ := verifyObject(a)["creator"].(string)
	listed := issuerKeys(issuer)
	candidates := listed
	if creator != "" {
		if len(listed) > 0 && !slices.Contains(listed, creator) {
			v.add(sigName, Failed, "The badge was signed with a key the issuer does not list as its own.",
				"verification.creator %s is not among the issuer's publicKey %q", creator, listed)
			return
		}
		candidates = []string{creator}
	}
	if len(candidates) == 0 {
		v.add(sigName, Skipped, "The issuer publishes no key to check the signature with.", "neither verification.creator nor the issuer's publicKey names a key")
		return
	}
	signingInput := []byte(parts[0] + "." + parts[1])
	digest := sha256.Sum256(signingInput)
	var problems []string
	for _, keyID := range candidates {
		pub, err := v.key(ctx, issuer, keyID, issuerID)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil {
			v.add(sigName, Passed, "The badge is signed with the issuer's key, and nothing in it has changed since it was signed.",
				"RS256 signature verified with %s, owned by %s", keyID, issuerID)
			v.revocationList(ctx, a, issuer)
			v.validity(a)
			return
		}
		problems = append(problems, "the signature does not match the key "+keyID)
	}
	// A key that could not be read leaves the signature unchecked; a key
	// that was read and does not match means the badge was altered or
	// signed by someone else.
	for _, p := range problems {
		if strings.HasPrefix(p, "the signature does not match") {
			v.add(sigName, Failed, "The signature does not match the issuer's key: the badge was changed after it was signed, or someone else signed it.",
				"%s", strings.Join(problems, "; "))
			return
		}
	}
	v.add(sigName, Skipped, "The issuer's key could not be read, so the signature could not be checked.", "%s", strings.Join(problems, "; "))
}

// issuerKeys lists the key ids the issuer profile's publicKey names.
func issuerKeys(issuer map[string]any) []string {
	var out []string
	for _, k := range asList(issuer["publicKey"]) {
		if id, ok := idOf(k); ok && id != "" {
			out = append(out, id)
		}
	}
	return out
}

// key fetches a CryptographicKey document and returns its RSA key after
// checking that it names the issuer as its owner. A key embedded in the
// hosted issuer profile with its publicKeyPem is used as it is.
func (v *verifier) key(ctx context.Context, issuer map[string]any, keyID, issuerID string) (*rsa.PublicKey, error) {
	var doc map[string]any
	for _, k := range asList(issuer["publicKey"]) {
		if obj, ok := k.(map[string]any); ok {
			if id, _ := idOf(obj); id == keyID && obj["publicKeyPem"] != nil {
				doc = obj
			}
		}
	}
	if doc == nil {
		if !isHTTPURL(keyID) {
			return nil, fmt.Errorf("the key %q is not an http(s) URL", keyID)
		}
		var err error
		if doc, _, err = v.getJSON(ctx, keyID); err != nil {
			return nil, fmt.Errorf("fetching the key: %v", err)
		}
		if owner, _ := idOf(doc["owner"]); owner != issuerID {
			return nil, fmt.Errorf("the key %s names %q as its owner, not the issuer %s", keyID, owner, issuerID)
		}
	}
	pemText, _ := doc["publicKeyPem"].(string)
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, fmt.Errorf("the key %s has no PEM publicKeyPem", keyID)
	}
	var parsed any
	var err error
	switch block.Type {
	case "RSA PUBLIC KEY":
		parsed, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		parsed, err = x509.ParsePKIXPublicKey(block.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("the key %s cannot be read: %v", keyID, err)
	}
	pub, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the key %s is not an RSA key", keyID)
	}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("the key %s is an RSA key of %d bits, below the 2048 bits RS256 requires", keyID, pub.N.BitLen())
	}
	return pub, nil
}

// revocationList checks a signed assertion against the issuer's
// revocationList, by id or (legacy) uid.
func (v *verifier) revocationList(ctx context.Context, a, issuer map[string]any) {
	const name = "revocation"
	listURL, _ := idOf(issuer["revocationList"])
	if listURL == "" {
		v.add(name, Passed, "The issuer keeps no list of revoked badges, so nothing says this one was revoked.", "the issuer Profile names no revocationList")
		return
	}
	list, _, err := v.getJSON(ctx, listURL)
	if err != nil {
		v.add(name, Skipped, "The issuer's list of revoked badges could not be fetched, so it is unknown whether this badge was revoked.", "fetching the revocationList: %v", err)
		return
	}
	id, _ := idOf(a["id"])
	uid, _ := a["uid"].(string)
	for _, entry := range asList(list["revokedAssertions"]) {
		switch e := entry.(type) {
		case string:
			if e == id && id != "" {
				v.add(name, Failed, "The issuer has revoked this badge.", "%s is listed in the revocationList %s", id, listURL)
				return
			}
		case map[string]any:
			eid, _ := e["id"].(string)
			euid, _ := e["uid"].(string)
			if (eid != "" && eid == id) || (euid != "" && euid == uid) {
				v.add(name, Failed, "The issuer has revoked this badge"+reasonSuffix(e)+".", "listed in the revocationList %s", listURL)
				return
			}
		}
	}
	v.add(name, Passed, "The issuer has not revoked this badge.", "%s is not in the revocationList %s", id, listURL)
}
