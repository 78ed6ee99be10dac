package sqlcore

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/store"
)

// maxReadHashes bounds the indexes of one ReadHashes query; a proof needs
// about two per tree level, far fewer.
const maxReadHashes = 500

const leafCols = `idx, data, kind, credential_hash, created_at`

func scanLeaf(r Row) (store.LogLeaf, error) {
	var l store.LogLeaf
	err := r.Scan(&l.Index, &l.Data, &l.Kind, strDest{&l.CredentialHash}, ts(&l.CreatedAt))
	return l, err
}

// AppendLeaves implements store.LogStore.
//
// The sequence number is allocated by UPDATE ... RETURNING on the single
// tlog_state row. On PostgreSQL the update takes the row lock, which a
// concurrent appender waits for until this transaction ends and then
// re-reads the committed size; on SQLite every write transaction is
// exclusive anyway. Either way the stored hashes of earlier leaves, which
// the new hashes depend on, are committed and visible when the lock is
// granted.
func (s *Store) AppendLeaves(ctx context.Context, leaves []store.LogLeaf) (int64, error) {
	const op = "append log leaves"
	for i, l := range leaves {
		if len(l.Data) == 0 || l.Kind == "" {
			return 0, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op,
				Err: fmt.Errorf("leaf %d: data and kind are required", i)}
		}
	}
	if len(leaves) == 0 {
		return s.TreeSize(ctx)
	}
	var first int64
	err := s.atomic(ctx, func(tx *Store) error {
		var size int64
		if err := tx.w.QueryRow(ctx, `UPDATE tlog_state SET size = size + ? WHERE id = 1 RETURNING size`,
			int64(len(leaves))).Scan(&size); err != nil {
			return tx.fail(op+": allocate", err)
		}
		first = size - int64(len(leaves))
		hashes, err := tx.storedHashes(ctx, first, leaves)
		if err != nil {
			return err
		}
		created := now()
		leafArgs := make([]any, 0, 5*len(leaves))
		for i, l := range leaves {
			at := created
			if !l.CreatedAt.IsZero() {
				at = norm(l.CreatedAt)
			}
			leafArgs = append(leafArgs, first+int64(i), l.Data, l.Kind, nstr(l.CredentialHash), at)
		}
		if err := tx.execRows(ctx, op+": insert leaves", `INSERT INTO tlog_leaves (`+leafCols+`) VALUES `, "", 5, leafArgs); err != nil {
			return tx.fail(op+": insert leaves", err)
		}
		base := tlog.StoredHashIndex(0, first)
		hashArgs := make([]any, 0, 2*len(hashes))
		for i, h := range hashes {
			hashArgs = append(hashArgs, base+int64(i), h[:])
		}
		if err := tx.execRows(ctx, op+": insert hashes", `INSERT INTO tlog_hashes (idx, hash) VALUES `, "", 2, hashArgs); err != nil {
			return tx.fail(op+": insert hashes", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return first, nil
}

// storedHashes computes the stored hashes of leaves appended at first,
// first+1, ...: one contiguous run starting at StoredHashIndex(0, first).
// Each new leaf's hashes depend on the roots of complete subtrees to its
// left; those already committed come from the cache (see hashCache) or the
// database, and are remembered for the following leaves, which need the
// same ones; the rest were computed for the leaves before it in this
// batch. Once the transaction commits, what was read and computed joins
// the cache.
func (s *Store) storedHashes(ctx context.Context, first int64, leaves []store.LogLeaf) ([]tlog.Hash, error) {
	known := make(map[int64]tlog.Hash)
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		var missing []int64
		for _, i := range indexes {
			if _, ok := known[i]; ok {
				continue
			}
			if h, ok := s.cache.hashes.get(i); ok {
				known[i] = h
				continue
			}
			missing = append(missing, i)
		}
		if len(missing) > 0 {
			hs, err := s.ReadHashes(ctx, missing)
			if err != nil {
				return nil, err
			}
			for j, i := range missing {
				known[i] = hs[j]
			}
		}
		out := make([]tlog.Hash, len(indexes))
		for j, i := range indexes {
			out[j] = known[i]
		}
		return out, nil
	})
	all := make([]tlog.Hash, 0, 2*len(leaves))
	index := tlog.StoredHashIndex(0, first)
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(first+int64(i), l.Data, reader)
		if err != nil {
			return nil, fmt.Errorf("store: append log leaves: hashes of leaf %d: %w", first+int64(i), err)
		}
		for _, h := range hs {
			known[index] = h
			index++
		}
		all = append(all, hs...)
	}
	size := first + int64(len(leaves))
	s.whenCommitted(func() { s.cache.hashes.add(known, size) })
	return all, nil
}

// ReadHashes implements store.LogStore.
func (s *Store) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	pos := make(map[int64][]int, len(indexes))
	for i, idx := range indexes {
		pos[idx] = append(pos[idx], i)
	}
	unique := make([]any, 0, len(pos))
	for idx := range pos {
		unique = append(unique, idx)
	}
	found := 0
	for len(unique) > 0 {
		n := min(len(unique), maxReadHashes)
		rows, err := s.r.Query(ctx, `SELECT idx, hash FROM tlog_hashes WHERE idx IN (`+placeholders(n)+`)`, unique[:n]...)
		if err != nil {
			return nil, s.fail("read log hashes", err)
		}
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, s.fail("read log hashes", err)
			}
			if len(h) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("store: read log hashes: hash %d has %d bytes", idx, len(h))
			}
			for _, i := range pos[idx] {
				copy(out[i][:], h)
			}
			found++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, s.fail("read log hashes", err)
		}
		unique = unique[n:]
	}
	if found != len(pos) {
		return nil, notFound(fmt.Sprintf("read log hashes: %d of %d stored hashes missing", len(pos)-found, len(pos)))
	}
	return out, nil
}

// TreeSize implements store.LogStore.
func (s *Store) TreeSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRow(ctx, `SELECT size FROM tlog_state WHERE id = 1`).Scan(&n)
	return n, s.fail("log tree size", err)
}

// Leaf implements store.LogStore.
func (s *Store) Leaf(ctx context.Context, index int64) (store.LogLeaf, error) {
	l, err := scanLeaf(s.r.QueryRow(ctx, `SELECT `+leafCols+` FROM tlog_leaves WHERE idx = ?`, index))
	return l, s.fail(fmt.Sprintf("log leaf %d", index), err)
}

// Leaves implements store.LogStore.
func (s *Store) Leaves(ctx context.Context, from, to int64) ([]store.LogLeaf, error) {
	to = min(to, from+1000)
	rows, err := s.r.Query(ctx, `SELECT `+leafCols+` FROM tlog_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`, from, to)
	if err != nil {
		return nil, s.fail("log leaves", err)
	}
	return collect(rows, scanLeaf, s, "log leaves")
}

// LeavesByCredential implements store.LogStore.
func (s *Store) LeavesByCredential(ctx context.Context, credentialHash string) ([]store.LogLeaf, error) {
	rows, err := s.r.Query(ctx, `SELECT `+leafCols+` FROM tlog_leaves WHERE credential_hash = ? ORDER BY idx`, credentialHash)
	if err != nil {
		return nil, s.fail("log leaves of a credential", err)
	}
	return collect(rows, scanLeaf, s, "log leaves of a credential")
}

const checkpointCols = `size, note, created_at`

func scanCheckpoint(r Row) (store.LogCheckpoint, error) {
	var c store.LogCheckpoint
	err := r.Scan(&c.Size, &c.Note, ts(&c.CreatedAt))
	return c, err
}

// SaveCheckpoint implements store.LogStore.
func (s *Store) SaveCheckpoint(ctx context.Context, c store.LogCheckpoint) error {
	if c.Size < 0 || c.Note == "" {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: save checkpoint", Err: errors.New("size must be >= 0 and note set")}
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now()
	}
	_, err := s.w.Exec(ctx, `INSERT INTO tlog_checkpoints (`+checkpointCols+`) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING`,
		c.Size, c.Note, norm(c.CreatedAt))
	return s.fail(fmt.Sprintf("save checkpoint of size %d", c.Size), err)
}

// LatestCheckpoint implements store.LogStore.
func (s *Store) LatestCheckpoint(ctx context.Context) (store.LogCheckpoint, error) {
	c, err := scanCheckpoint(s.r.QueryRow(ctx, `SELECT `+checkpointCols+` FROM tlog_checkpoints ORDER BY size DESC LIMIT 1`))
	return c, s.fail("latest checkpoint", err)
}

// Checkpoint implements store.LogStore.
func (s *Store) Checkpoint(ctx context.Context, size int64) (store.LogCheckpoint, error) {
	c, err := scanCheckpoint(s.r.QueryRow(ctx, `SELECT `+checkpointCols+` FROM tlog_checkpoints WHERE size = ?`, size))
	return c, s.fail(fmt.Sprintf("checkpoint of size %d", size), err)
}

// CreateLogSigner implements store.LogStore.
func (s *Store) CreateLogSigner(ctx context.Context, k store.LogSigner) (store.LogSigner, error) {
	if k.Name == "" || k.VerifierKey == "" || len(k.SealedKey) == 0 {
		return store.LogSigner{}, &store.Error{Kind: store.ErrInvalid, Op: "store: create log signer",
			Err: errors.New("name, verifier key and sealed key are required")}
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	if _, err := s.w.Exec(ctx, `INSERT INTO tlog_signer (id, name, verifier_key, sealed_key, created_at)
		VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, k.Name, k.VerifierKey, k.SealedKey, norm(k.CreatedAt)); err != nil {
		return store.LogSigner{}, s.fail("create log signer", err)
	}
	// Read through the write connection: the row may have been committed a
	// moment ago by another node, or just now by this statement.
	return scanSigner(s.w.QueryRow(ctx, `SELECT `+signerCols+` FROM tlog_signer WHERE id = 1`), s)
}

const signerCols = `name, verifier_key, sealed_key, created_at`

func scanSigner(r Row, s *Store) (store.LogSigner, error) {
	var k store.LogSigner
	err := r.Scan(&k.Name, &k.VerifierKey, &k.SealedKey, ts(&k.CreatedAt))
	return k, s.fail("log signer", err)
}

// LogSigner implements store.LogStore.
func (s *Store) LogSigner(ctx context.Context) (store.LogSigner, error) {
	return scanSigner(s.r.QueryRow(ctx, `SELECT `+signerCols+` FROM tlog_signer WHERE id = 1`), s)
}
