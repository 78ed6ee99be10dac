package proof

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"sync"

	"github.com/microcred/microcred/internal/jsonld"
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

// configKey appends to dst the jsonld.AppendValueKey encoding of a proof
// configuration document: its members in key order, each value tagged by
// its JSON type, strings length-prefixed, nested objects (an inline
// @context) in key order too. It reports false for a configuration with a
// value JSON decoding does not produce, or one too large to be worth it.
func configKey(dst []byte, config map[string]any) ([]byte, bool) {
	return jsonld.AppendValueKey(dst, config, maxConfigKey)
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
		if dst, ok = jsonld.AppendValueKey(dst, v, maxConfigKey); !ok {
			return dst, false
		}
	}
	return dst, len(dst) <= maxConfigKey
}

func appendKeyString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
