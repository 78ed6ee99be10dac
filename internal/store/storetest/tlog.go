package storetest

import (
	"context"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/store"
)

// testLogAppend appends leaves in batches of several sizes, inside and
// outside explicit transactions, and checks every stored hash against an
// independent in-memory tree and every inclusion and consistency proof
// against the tree heads.
func testLogAppend(t *testing.T, s store.Store) {
	ctx := context.Background()
	if n := try(s.TreeSize(ctx)).must(t); n != 0 {
		t.Fatalf("empty log has size %d", n)
	}
	var mem memTree
	var all [][]byte
	batches := []int{1, 3, 7, 1, 64, 300, 2, 16}
	for b, k := range batches {
		leaves := make([]store.LogLeaf, k)
		for i := range leaves {
			data := fmt.Appendf(nil, "leaf %d of batch %d\n", i, b)
			leaves[i] = store.LogLeaf{Data: data, Kind: "test", CredentialHash: credHash(fmt.Sprintf("c%d", len(all)+i))}
		}
		var first int64
		var err error
		if b%2 == 0 {
			first, err = s.AppendLeaves(ctx, leaves)
		} else {
			err = s.WithTx(ctx, func(tx store.Store) error {
				var e error
				first, e = tx.AppendLeaves(ctx, leaves)
				return e
			})
		}
		need(t, err)
		if first != int64(len(all)) {
			t.Fatalf("batch %d starts at %d, want %d", b, first, len(all))
		}
		for _, l := range leaves {
			all = append(all, l.Data)
			mem.append(t, l.Data)
		}
	}
	n := int64(len(all))
	if got := try(s.TreeSize(ctx)).must(t); got != n {
		t.Fatalf("TreeSize = %d, want %d", got, n)
	}
	// Every stored hash equals the in-memory one, read in one batch.
	idx := make([]int64, tlog.StoredHashCount(n))
	for i := range idx {
		idx[i] = int64(i)
	}
	got := try(s.ReadHashes(ctx, idx)).must(t)
	for i := range idx {
		if got[i] != mem.hashes[i] {
			t.Fatalf("stored hash %d differs from the reference", i)
		}
	}
	// Repeated and unordered indexes come back in the order asked.
	if hs := try(s.ReadHashes(ctx, []int64{5, 0, 5})).must(t); hs[0] != mem.hashes[5] || hs[1] != mem.hashes[0] || hs[2] != mem.hashes[5] {
		t.Error("ReadHashes with repeats: wrong order")
	}
	wantErr(t, "missing hash", second(s.ReadHashes(ctx, []int64{tlog.StoredHashCount(n) + 10})), store.ErrNotFound)

	reader := storeReader(ctx, s)
	head := try(tlog.TreeHash(n, reader)).must(t)
	if head != try(tlog.TreeHash(n, &mem)).must(t) {
		t.Fatal("tree hash over the store differs from the reference")
	}
	for _, i := range []int64{0, 1, 2, 63, 64, n / 2, n - 1} {
		p := try(tlog.ProveRecord(n, i, reader)).must(t)
		need(t, tlog.CheckRecord(p, n, head, i, tlog.RecordHash(all[i])))
		if tlog.CheckRecord(p, n, head, i, tlog.RecordHash([]byte("forged"))) == nil {
			t.Errorf("proof of leaf %d accepts a forged leaf", i)
		}
	}
	for _, old := range []int64{1, 11, 76, n - 1} {
		p := try(tlog.ProveTree(n, old, reader)).must(t)
		oldHead := try(tlog.TreeHash(old, reader)).must(t)
		need(t, tlog.CheckTree(p, n, head, old, oldHead))
	}

	// Leaves by index, by range and by credential.
	l := try(s.Leaf(ctx, 10)).must(t)
	if string(l.Data) != string(all[10]) || l.Index != 10 || l.Kind != "test" || l.CreatedAt.IsZero() {
		t.Errorf("Leaf(10) = %+v", l)
	}
	wantErr(t, "leaf past the end", second(s.Leaf(ctx, n)), store.ErrNotFound)
	rng := try(s.Leaves(ctx, 70, 75)).must(t)
	if len(rng) != 5 || rng[0].Index != 70 || rng[4].Index != 74 {
		t.Errorf("Leaves(70, 75) returned %d leaves", len(rng))
	}
	byCred := try(s.LeavesByCredential(ctx, credHash("c12"))).must(t)
	if len(byCred) != 1 || byCred[0].Index != 12 {
		t.Errorf("LeavesByCredential(c12) = %+v", byCred)
	}
	if none := try(s.LeavesByCredential(ctx, credHash("nope"))).must(t); len(none) != 0 {
		t.Errorf("LeavesByCredential(unknown) = %+v", none)
	}
	wantErr(t, "leaf without kind", second(s.AppendLeaves(ctx, []store.LogLeaf{{Data: []byte("x")}})), store.ErrInvalid)

	// A failed transaction gives its sequence numbers back.
	_ = s.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.AppendLeaves(ctx, []store.LogLeaf{{Data: []byte("rolled back"), Kind: "test"}}); err != nil {
			return err
		}
		return fmt.Errorf("abort")
	})
	if got := try(s.AppendLeaves(ctx, []store.LogLeaf{{Data: []byte("after rollback"), Kind: "test"}})).must(t); got != n {
		t.Errorf("append after a rollback starts at %d, want %d", got, n)
	}
	// So does a savepoint rolled back inside a transaction that commits.
	// Nothing a rolled-back append computed may be remembered: the
	// appends after it must still hash the tree right.
	need(t, s.WithTx(ctx, func(tx store.Store) error {
		_ = tx.WithTx(ctx, func(sp store.Store) error {
			if _, err := sp.AppendLeaves(ctx, []store.LogLeaf{{Data: []byte("savepoint rolled back"), Kind: "test"}}); err != nil {
				return err
			}
			return fmt.Errorf("abort")
		})
		_, err := tx.AppendLeaves(ctx, []store.LogLeaf{{Data: []byte("after savepoint"), Kind: "test"}})
		return err
	}))
	for i := range 6 {
		need(t, second(s.AppendLeaves(ctx, []store.LogLeaf{{Data: fmt.Appendf(nil, "last %d", i), Kind: "test"}})))
	}
	CheckLogConsistent(t, s, int(n)+8)
}

// testLogConcurrentAppend appends from several goroutines at once, each in
// its own transactions; every leaf must get its own index and the tree
// must match the leaves in index order.
func testLogConcurrentAppend(t *testing.T, s store.Store) {
	ctx := context.Background()
	const workers, batches, per = 6, 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches)
	for w := range workers {
		wg.Go(func() {
			for b := range batches {
				leaves := make([]store.LogLeaf, per)
				for i := range leaves {
					leaves[i] = store.LogLeaf{Data: fmt.Appendf(nil, "w%d b%d i%d", w, b, i), Kind: "test"}
				}
				err := s.WithTx(ctx, func(tx store.Store) error {
					_, e := tx.AppendLeaves(ctx, leaves)
					return e
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	CheckLogConsistent(t, s, workers*batches*per)
}

// CheckLogConsistent checks that the log holds want leaves with distinct
// contents at indexes 0..want-1 and that its stored hashes are exactly
// those of an independent tree built from the leaves in index order. It is
// exported for tests that append through several store handles.
func CheckLogConsistent(t testing.TB, s store.Store, want int) {
	t.Helper()
	ctx := context.Background()
	n := try(s.TreeSize(ctx)).must(t)
	if n != int64(want) {
		t.Fatalf("tree size %d, want %d", n, want)
	}
	var mem memTree
	seen := make(map[string]int64)
	for from := int64(0); from < n; from += 1000 {
		leaves := try(s.Leaves(ctx, from, n)).must(t)
		for i, l := range leaves {
			if l.Index != from+int64(i) {
				t.Fatalf("leaf at position %d has index %d", from+int64(i), l.Index)
			}
			if prev, dup := seen[string(l.Data)]; dup {
				t.Fatalf("leaf %q stored at %d and %d", l.Data, prev, l.Index)
			}
			seen[string(l.Data)] = l.Index
			mem.append(t, l.Data)
		}
	}
	if int64(len(seen)) != n {
		t.Fatalf("read %d leaves, tree size %d", len(seen), n)
	}
	for from := int64(0); from < int64(len(mem.hashes)); from += 400 {
		to := min(from+400, int64(len(mem.hashes)))
		idx := make([]int64, 0, to-from)
		for i := from; i < to; i++ {
			idx = append(idx, i)
		}
		got := try(s.ReadHashes(ctx, idx)).must(t)
		for j, h := range got {
			if h != mem.hashes[from+int64(j)] {
				t.Fatalf("stored hash %d does not match the leaves", from+int64(j))
			}
		}
	}
}

func testLogCheckpoints(t *testing.T, s store.Store) {
	ctx := context.Background()
	wantErr(t, "no checkpoint yet", second(s.LatestCheckpoint(ctx)), store.ErrNotFound)
	need(t, s.SaveCheckpoint(ctx, store.LogCheckpoint{Size: 3, Note: "three"}))
	need(t, s.SaveCheckpoint(ctx, store.LogCheckpoint{Size: 10, Note: "ten"}))
	need(t, s.SaveCheckpoint(ctx, store.LogCheckpoint{Size: 5, Note: "five"}))
	// A second note for a stored size is ignored.
	need(t, s.SaveCheckpoint(ctx, store.LogCheckpoint{Size: 10, Note: "other ten"}))
	if c := try(s.LatestCheckpoint(ctx)).must(t); c.Size != 10 || c.Note != "ten" || c.CreatedAt.IsZero() {
		t.Errorf("LatestCheckpoint = %+v", c)
	}
	if c := try(s.Checkpoint(ctx, 5)).must(t); c.Note != "five" {
		t.Errorf("Checkpoint(5) = %+v", c)
	}
	wantErr(t, "unknown size", second(s.Checkpoint(ctx, 4)), store.ErrNotFound)
	wantErr(t, "empty note", s.SaveCheckpoint(ctx, store.LogCheckpoint{Size: 11}), store.ErrInvalid)

	wantErr(t, "no signer yet", second(s.LogSigner(ctx)), store.ErrNotFound)
	first := try(s.CreateLogSigner(ctx, store.LogSigner{Name: "a/log", VerifierKey: "a/log+1+x", SealedKey: []byte{1}})).must(t)
	again := try(s.CreateLogSigner(ctx, store.LogSigner{Name: "b/log", VerifierKey: "b/log+2+y", SealedKey: []byte{2}})).must(t)
	if first.Name != "a/log" || again.Name != "a/log" || string(again.SealedKey) != "\x01" {
		t.Errorf("CreateLogSigner kept %+v then %+v, want the first both times", first, again)
	}
	if k := try(s.LogSigner(ctx)).must(t); k.VerifierKey != "a/log+1+x" {
		t.Errorf("LogSigner = %+v", k)
	}
	wantErr(t, "signer without key", second(s.CreateLogSigner(ctx, store.LogSigner{Name: "x"})), store.ErrInvalid)
}

func credHash(id string) string {
	return hex.EncodeToString(digest(id))
}

// storeReader adapts the store to tlog.HashReader.
func storeReader(ctx context.Context, s store.Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, idx) })
}

// memTree is a reference tree kept in memory.
type memTree struct {
	hashes []tlog.Hash
	n      int64
}

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTree) append(t testing.TB, data []byte) {
	t.Helper()
	hs, err := tlog.StoredHashes(m.n, data, m)
	if err != nil {
		t.Fatal(err)
	}
	m.hashes = append(m.hashes, hs...)
	m.n++
}
