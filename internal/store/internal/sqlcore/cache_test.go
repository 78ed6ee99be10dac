package sqlcore

import (
	"fmt"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestFrontierHoldsWhatAppendsRead checks the premise of hashCache: the
// hashes tlog reads to append leaf n are all in frontier(n), so a cache
// that keeps the frontier serves every append.
func TestFrontierHoldsWhatAppendsRead(t *testing.T) {
	hashes := map[int64]tlog.Hash{}
	for n := int64(0); n < 1100; n++ {
		f := frontier(n)
		var read []int64
		r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			read = append(read, idx...)
			out := make([]tlog.Hash, len(idx))
			for i, j := range idx {
				h, ok := hashes[j]
				if !ok {
					return nil, fmt.Errorf("hash %d not stored", j)
				}
				out[i] = h
			}
			return out, nil
		})
		hs, err := tlog.StoredHashes(n, fmt.Appendf(nil, "leaf %d", n), r)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range read {
			if !slices.Contains(f, i) {
				t.Fatalf("append of leaf %d reads hash %d, outside frontier %v", n, i, f)
			}
		}
		base := tlog.StoredHashIndex(0, n)
		for i, h := range hs {
			hashes[base+int64(i)] = h
		}
	}
	if got := frontier(0); len(got) != 0 {
		t.Errorf("frontier(0) = %v", got)
	}
	if got, want := frontier(5), []int64{tlog.StoredHashIndex(2, 0), tlog.StoredHashIndex(0, 4)}; !slices.Equal(got, want) {
		t.Errorf("frontier(5) = %v, want %v", got, want)
	}
}

// TestHashCachePrunesToFrontier: past maxCachedHashes entries, only the
// frontier of the largest tree survives.
func TestHashCachePrunesToFrontier(t *testing.T) {
	c := hashCache{m: map[int64]tlog.Hash{}}
	all := map[int64]tlog.Hash{}
	for i := range int64(maxCachedHashes + 10) {
		all[i] = tlog.Hash{byte(i), byte(i >> 8)}
	}
	c.add(all, 1000)
	c.add(map[int64]tlog.Hash{}, 10) // a smaller tree never shrinks what is kept
	f := frontier(1000)
	if len(c.m) != len(f) {
		t.Fatalf("kept %d hashes, want the %d of the frontier", len(c.m), len(f))
	}
	for _, i := range f {
		if h, ok := c.get(i); !ok || h != all[i] {
			t.Errorf("frontier hash %d missing or wrong", i)
		}
	}
}
