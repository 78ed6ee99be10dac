package proof

import (
	"crypto/sha256"
	"encoding/binary"
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
// (long ids or many contexts) is simply canonicalized.
const maxConfigKey = 2048

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
// configuration document: its members in key order, each key and value
// length-prefixed, values tagged by JSON type. It reports false for a
// configuration with values other than strings and arrays of strings
// (such a one is not remembered), or one too large to be worth it.
func configKey(dst []byte, config map[string]any) ([]byte, bool) {
	if len(config) > 16 {
		return dst, false
	}
	var keyBuf [16]string
	keys := keyBuf[:0]
	for k := range config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = appendKeyString(dst, k)
		switch v := config[k].(type) {
		case string:
			dst = append(dst, 's')
			dst = appendKeyString(dst, v)
		case []any:
			dst = append(dst, 'l')
			dst = binary.AppendUvarint(dst, uint64(len(v)))
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return dst, false
				}
				dst = appendKeyString(dst, s)
			}
		default:
			return dst, false
		}
		if len(dst) > maxConfigKey {
			return dst, false
		}
	}
	return dst, true
}

func appendKeyString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
