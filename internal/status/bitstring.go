package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultListSize is the number of entries of a new list: 131,072, the
// minimum Bitstring Status List 1.0 requires (16 KiB of bits) so that a
// list covers enough credentials to hide which one a verifier checks.
const DefaultListSize = 131072

// Limits on status lists read from elsewhere. A GZIP stream of a few
// kilobytes can expand to gigabytes, so decoding stops at MaxListBytes of
// bitstring (134 million entries, far more than any real list), and the
// encoded text is refused beyond MaxEncodedLen before it is even decoded.
const (
	MaxListBytes  = 16 << 20
	MaxEncodedLen = 4 << 20
)

// Bitstring is a status bitstring. Entry i is bit 7-(i%8) of byte i/8:
// index 0 is the left-most (most significant) bit of the first byte, as
// the specification requires.
type Bitstring []byte

// NewBitstring returns an all-zero bitstring of n entries, n rounded up to
// a whole byte.
func NewBitstring(n int) Bitstring { return make(Bitstring, (n+7)/8) }

// Len is the number of entries.
func (b Bitstring) Len() int { return len(b) * 8 }

// Get reports whether entry i is set. An index outside the bitstring is an
// error: a verifier must not read it as "not revoked".
func (b Bitstring) Get(i int) (bool, error) {
	if i < 0 || i >= b.Len() {
		return false, fmt.Errorf("status: index %d outside a list of %d entries", i, b.Len())
	}
	return b[i/8]&(0x80>>(i%8)) != 0, nil
}

// Set sets (v true) or clears entry i.
func (b Bitstring) Set(i int, v bool) error {
	if i < 0 || i >= b.Len() {
		return fmt.Errorf("status: index %d outside a list of %d entries", i, b.Len())
	}
	if v {
		b[i/8] |= 0x80 >> (i % 8)
	} else {
		b[i/8] &^= 0x80 >> (i % 8)
	}
	return nil
}

// Encode returns the encodedList form of b: the GZIP-compressed bitstring,
// base64url-encoded without padding, with the Multibase prefix 'u'.
func Encode(b Bitstring) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", fmt.Errorf("status: encode list: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return "", fmt.Errorf("status: encode list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("status: encode list: %w", err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// ErrMalformedList reports an encodedList that cannot be decoded, or one
// that decodes to more than the limit.
var ErrMalformedList = errors.New("status: malformed encodedList")

// Decode parses an encodedList, allowing at most MaxListBytes of
// bitstring.
func Decode(encoded string) (Bitstring, error) { return DecodeLimit(encoded, MaxListBytes) }

// DecodeLimit parses an encodedList whose bitstring may be at most
// maxBytes long. Decompression stops as soon as the limit is passed, so a
// small hostile input cannot make it allocate more.
func DecodeLimit(encoded string, maxBytes int) (Bitstring, error) {
	if len(encoded) > MaxEncodedLen {
		return nil, fmt.Errorf("%w: %d characters, more than the %d allowed", ErrMalformedList, len(encoded), MaxEncodedLen)
	}
	if len(encoded) == 0 || encoded[0] != 'u' {
		return nil, fmt.Errorf("%w: not a Multibase base64url value (must start with 'u')", ErrMalformedList)
	}
	return decodeGzip(encoded[1:], maxBytes)
}

// Decode2021 parses the encodedList of a StatusList2021 credential:
// base64url of the GZIP-compressed bitstring without the Multibase prefix
// (some issuers add the prefix or padding; both are accepted).
func Decode2021(encoded string) (Bitstring, error) {
	if len(encoded) > MaxEncodedLen {
		return nil, fmt.Errorf("%w: %d characters, more than the %d allowed", ErrMalformedList, len(encoded), MaxEncodedLen)
	}
	// A gzip stream starts with 1f 8b, whose base64 form starts with
	// "H4"; a leading 'u' is then the Multibase prefix.
	if strings.HasPrefix(encoded, "uH4") {
		encoded = encoded[1:]
	}
	return decodeGzip(strings.TrimRight(encoded, "="), MaxListBytes)
}

func decodeGzip(encoded string, maxBytes int) (Bitstring, error) {
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: base64url: %v", ErrMalformedList, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrMalformedList, err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrMalformedList, err)
	}
	if len(b) > maxBytes {
		return nil, fmt.Errorf("%w: the bitstring is larger than %d bytes", ErrMalformedList, maxBytes)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: the bitstring is empty", ErrMalformedList)
	}
	return Bitstring(b), nil
}
