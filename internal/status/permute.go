package status

import (
	"crypto/sha256"
	"encoding/binary"
)

// Permute maps sequence number seq (0 <= seq < size) of a list to its
// index: a pseudo-random permutation of [0, size) chosen by key. It is a
// four-round Feistel network on the smallest even number of bits that
// covers size, with SHA-256 of key, round and half as the round function,
// and cycle walking to stay below size (a Feistel network is a bijection
// on its domain, and walking keeps it one on the subset). Distinct seq
// values therefore always give distinct indexes, and without key the
// indexes of consecutive credentials look unrelated.
func Permute(key []byte, size, seq int) int {
	if size <= 1 {
		return 0
	}
	half := 1
	for 1<<(2*half) < size {
		half++
	}
	mask := uint32(1)<<half - 1
	x := uint32(seq)
	for {
		l, r := x>>half, x&mask
		for round := range 4 {
			l, r = r, l^(roundFunc(key, round, r)&mask)
		}
		x = l<<half | r
		if int(x) < size {
			return int(x)
		}
	}
}

func roundFunc(key []byte, round int, v uint32) uint32 {
	var buf [64]byte
	n := copy(buf[:48], key)
	buf[n] = byte(round)
	binary.BigEndian.PutUint32(buf[n+1:], v)
	sum := sha256.Sum256(buf[:n+5])
	return binary.BigEndian.Uint32(sum[:4])
}
