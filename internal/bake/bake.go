package bake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Version is the Open Badges version a baked credential follows.
type Version int

const (
	// Auto chooses by the credential: an Open Badges 2.0 assertion (its
	// @context is https://w3id.org/openbadges/v2) is baked as 2.0, anything
	// else as 3.0.
	Auto Version = iota
	// OB3 bakes an OpenBadgeCredential (Open Badges 3.0).
	OB3
	// OB2 bakes an Open Badges 2.0 assertion.
	OB2
)

func (v Version) String() string {
	switch v {
	case OB3:
		return "Open Badges 3.0"
	case OB2:
		return "Open Badges 2.0"
	default:
		return "automatic"
	}
}

// Image formats.
const (
	PNG = "png"
	SVG = "svg"
)

// Errors of Bake and Unbake; test them with errors.Is.
var (
	ErrNotImage      = errors.New("not a PNG or SVG image")
	ErrAlreadyBaked  = errors.New("the image already carries a credential")
	ErrNotBaked      = errors.New("the image carries no credential")
	ErrBadCredential = errors.New("not a credential that can be baked")
	ErrCorrupt       = errors.New("the image is damaged")
)

// MaxCredentialBytes bounds a credential read out of an image (after
// decompression, for PNGs that compress it against the specification).
const MaxCredentialBytes = 4 << 20

// Baked is a credential read out of an image.
type Baked struct {
	// Credential is the text exactly as baked: JSON, a compact JWS, or for
	// a legacy or hosted Open Badges 2.0 image the assertion's URL.
	Credential []byte
	Version    Version // OB3 or OB2
	Format     string  // PNG or SVG
	// Verify is the verify attribute of an Open Badges 2.0 SVG whose body
	// holds the assertion JSON: the hosted assertion's URL.
	Verify string
}

// IsJWS reports whether the credential is a compact JWS (VC-JWT, or a
// signed Open Badges 2.0 assertion) rather than JSON or a URL.
func (b *Baked) IsJWS() bool { return isCompactJWS(b.Credential) }

// Format reports the image format of data by its content: PNG by its
// signature, SVG by an <svg> root element; "" otherwise.
func Format(data []byte) string {
	if bytes.HasPrefix(data, pngSignature) {
		return PNG
	}
	if looksLikeSVG(data) {
		return SVG
	}
	return ""
}

// Bake returns image with credential embedded. image is a PNG or an SVG
// (recognized by content); credential is the credential's JSON or compact
// JWS, embedded byte for byte. version Auto chooses from the credential.
func Bake(image, credential []byte, version Version) ([]byte, error) {
	kind, err := credentialKind(credential)
	if err != nil {
		return nil, err
	}
	if version == Auto {
		version = detectVersion(credential, kind)
	}
	switch Format(image) {
	case PNG:
		return bakePNG(image, credential, version)
	case SVG:
		return bakeSVG(image, credential, kind, version)
	default:
		return nil, ErrNotImage
	}
}

// Unbake reads the credential out of a baked PNG or SVG.
func Unbake(image []byte) (*Baked, error) {
	switch Format(image) {
	case PNG:
		return unbakePNG(image)
	case SVG:
		return unbakeSVG(image)
	default:
		return nil, ErrNotImage
	}
}

const (
	kindJSON = "json"
	kindJWS  = "jws"
)

// credentialKind accepts a JSON object or a compact JWS, the two forms the
// specifications bake.
func credentialKind(c []byte) (string, error) {
	switch {
	case len(c) == 0:
		return "", fmt.Errorf("%w: it is empty", ErrBadCredential)
	case len(c) > MaxCredentialBytes:
		return "", fmt.Errorf("%w: it is larger than %d bytes", ErrBadCredential, MaxCredentialBytes)
	case !utf8.Valid(c):
		return "", fmt.Errorf("%w: it is not UTF-8 text", ErrBadCredential)
	case isCompactJWS(c):
		return kindJWS, nil
	}
	t := bytes.TrimSpace(c)
	if len(t) == 0 || t[0] != '{' || !json.Valid(c) {
		return "", fmt.Errorf("%w: it is neither a JSON object nor a compact JWS (header.payload.signature)", ErrBadCredential)
	}
	return kindJSON, nil
}

// isCompactJWS checks the shape of a compact JWS: three base64url parts,
// the first two non-empty.
func isCompactJWS(c []byte) bool {
	c = bytes.TrimSpace(c)
	parts := bytes.Split(c, []byte("."))
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[1]) == 0 {
		return false
	}
	for _, p := range parts {
		for _, b := range p {
			if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
				return false
			}
		}
	}
	return true
}

// detectVersion recognizes an Open Badges 2.0 assertion by its context, in
// the JSON or in a JWS payload.
func detectVersion(c []byte, kind string) Version {
	payload := c
	if kind == kindJWS {
		p, err := jwsPayload(c)
		if err != nil {
			return OB3
		}
		payload = p
	}
	var head struct {
		Context any `json:"@context"`
	}
	if json.Unmarshal(payload, &head) != nil {
		return OB3
	}
	var ctxs []any
	switch v := head.Context.(type) {
	case string:
		ctxs = []any{v}
	case []any:
		ctxs = v
	}
	for _, x := range ctxs {
		if s, ok := x.(string); ok && (s == "https://w3id.org/openbadges/v2" || s == "https://w3id.org/openbadges/v1" || s == "https://openbadgespec.org/v2/context.json") {
			return OB2
		}
	}
	return OB3
}
