package proof

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"sync"
)

// configHashes remembers the hashes of recent canonical eddsa-rdfc-2022
// proof configurations. Canonicalizing the proof configuration (a handful
// of statements under the document's whole @context) costs as much as a
// tenth of a signature, yet during bulk issuance nearly every credential
// has the same one: the same contexts, key, purpose and, since created has
// second precision, the same creation time for every credential of a
// second. Verifying a batch of credentials issued together profits the
// same way. The key is the exact configuration (see configKey), and the
// shipped contexts cannot change while the process runs, so a remembered
// hash is the hash that canonicalization would give.
var configHashes = struct {
	mu sync.Mutex
	m  map[string][sha256.Size]byte
}{m: make(map[string][sha256.Size]byte)}

// maxConfigHashes bounds the memory of configHashes; when it is full it
// starts over, which costs one canonicalization per configuration.
const maxConfigHashes = 128

// maxConfigKey bounds the configurations worth remembering; a larger one
// (long ids, many or large inline contexts) is simply canonicalized.
const maxConfigKey = 16 << 10

func lookupConfigHash(key []byte) ([sha256.Size]byte, bool) {
	configHashes.mu.Lock()
	h, ok := configHashes.m[string(key)]
	configHashes.mu.Unlock()
	return h, ok
}

func storeConfigHash(key []byte, h [sha256.Size]byte) {
	configHashes.mu.Lock()
	if len(configHashes.m) >= maxConfigHashes {
		clear(configHashes.m)
	}
	configHashes.m[string(key)] = h
	configHashes.mu.Unlock()
}

// configKey appends to dst an unambiguous encoding of a proof
// configuration document: its members in key order, each value tagged by
// its JSON type, strings length-prefixed, nested objects (an inline
// @context) in key order too. It reports false for a configuration with a
// value JSON decoding does not produce, or one too large to be worth it.
func configKey(dst []byte, config map[string]any) ([]byte, bool) {
	return appendJSONKey(dst, config)
}

// configKeyOf is configKey of the configuration document configDocument
// builds from doc and proof (proof without proofValue, with doc's
// @context), computed without building it.
func configKeyOf(dst []byte, doc, proof map[string]any) ([]byte, bool) {
	ctx, hasCtx := doc["@context"]
	var keyBuf [16]string
	keys := keyBuf[:0]
	for k := range proof {
		if k == "proofValue" || (hasCtx && k == "@context") {
			continue
		}
		keys = append(keys, k)
	}
	if hasCtx {
		keys = append(keys, "@context")
	}
	slices.Sort(keys)
	dst = append(dst, 'm')
	dst = binary.AppendUvarint(dst, uint64(len(keys)))
	for _, k := range keys {
		dst = appendKeyString(dst, k)
		v := proof[k]
		if hasCtx && k == "@context" {
			v = ctx
		}
		var ok bool
		if dst, ok = appendJSONKey(dst, v); !ok {
			return dst, false
		}
	}
	return dst, len(dst) <= maxConfigKey
}

func appendJSONKey(dst []byte, v any) ([]byte, bool) {
	if len(dst) > maxConfigKey {
		return dst, false
	}
	switch x := v.(type) {
	case nil:
		return append(dst, 'n'), true
	case bool:
		if x {
			return append(dst, 't'), true
		}
		return append(dst, 'f'), true
	case string:
		dst = append(dst, 's')
		return appendKeyString(dst, x), true
	case float64:
		dst = append(dst, 'd')
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(x)), true
	case []any:
		dst = append(dst, 'l')
		dst = binary.AppendUvarint(dst, uint64(len(x)))
		for _, e := range x {
			var ok bool
			if dst, ok = appendJSONKey(dst, e); !ok {
				return dst, false
			}
		}
		return dst, true
	case map[string]any:
		var keyBuf [16]string
		keys := keyBuf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, 'm')
		dst = binary.AppendUvarint(dst, uint64(len(keys)))
		for _, k := range keys {
			dst = appendKeyString(dst, k)
			var ok bool
			if dst, ok = appendJSONKey(dst, x[k]); !ok {
				return dst, false
			}
		}
		return dst, len(dst) <= maxConfigKey
	}
	return dst, false
}

func appendKeyString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
