package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// benchLogResult is the output of "microcred bench log --json".
type benchLogResult struct {
	Leaves          int64   `json:"leaves"`
	File            string  `json:"file"`
	Built           bool    `json:"built"` // false: the cached file was reused
	Proofs          int     `json:"proofs"`
	ProofMicros     float64 `json:"proof_us"`
	SHA256Micros    float64 `json:"sha256_64b_us"`
	Ed25519Micros   float64 `json:"ed25519_verify_us"`
	ProofPerSHA256  float64 `json:"proof_per_sha256"`
	ProofPerEd25519 float64 `json:"proof_per_ed25519_verify"`
	AppendBatch     int     `json:"append_batch"`
	AppendPerS      float64 `json:"append_leaves_per_s"`
}

// runBenchLog handles "microcred bench log [-n LEAVES] [--file PATH]
// [--proofs P] [--append A] [--json]": inclusion proofs for single leaves
// of an n-leaf log through the store's real code path (one ReadHashes
// query per proof), and batched append throughput.
//
// Building a 10,000,000-leaf tree through AppendLeaves would take long, so
// the proof benchmark builds its tree once into a SQLite file in the OS
// temporary directory, writing the stored hashes in bulk (the leaf texts
// are not stored: proofs read only hashes), and reuses that file on later
// runs.
func runBenchLog(e *env, args []string) int {
	f := newFlags("bench log", e)
	n := f.Int64("n", 10_000_000, "leaves in the proof benchmark's tree")
	file := f.String("file", "", "SQLite `FILE` caching the tree (default: microcred-bench-log-N.db in the OS temp directory)")
	proofs := f.Int("proofs", 5000, "inclusion proofs to time")
	appendN := f.Int("append", 100_000, "leaves to append in the throughput benchmark (0: skip)")
	batch := f.Int("batch", 256, "leaves per append transaction")
	asJSON := f.Bool("json", false, "print the result as JSON")
	if !parseFlags(f, args) {
		return exitBadInput
	}
	if *n < 1 || *n > 1<<40 || *proofs < 1 || *batch < 1 || *appendN < 0 {
		return fail(e, exitBadInput, "bench log: -n, --proofs and --batch must be positive")
	}
	if *file == "" {
		*file = filepath.Join(os.TempDir(), fmt.Sprintf("microcred-bench-log-%d.db", *n))
	}
	ctx := context.Background()
	res := benchLogResult{Leaves: *n, File: *file, Proofs: *proofs, AppendBatch: *batch}
	built, err := ensureBenchTree(ctx, e, *file, *n)
	if err != nil {
		return fail(e, exitFailed, "bench log: %v", err)
	}
	res.Built = built
	st, err := store.Open(ctx, "sqlite:"+*file)
	if err != nil {
		return fail(e, exitFailed, "bench log: %v", err)
	}
	defer st.Close()
	read := sumdb.HashReaderFunc(func(idx []int64) ([]sumdb.Hash, error) { return st.ReadHashes(ctx, idx) })
	root, err := sumdb.TreeHash(*n, read)
	if err != nil {
		return fail(e, exitFailed, "bench log: tree hash: %v", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	indexes := make([]int64, *proofs)
	for i := range indexes {
		indexes[i] = rng.Int64N(*n)
	}
	// Warm up the page cache as a running server's would be, then time.
	for _, i := range indexes[:min(len(indexes), 200)] {
		if _, err := sumdb.ProveRecord(*n, i, read); err != nil {
			return fail(e, exitFailed, "bench log: prove %d: %v", i, err)
		}
	}
	start := time.Now()
	var last sumdb.RecordProof
	for _, i := range indexes {
		if last, err = sumdb.ProveRecord(*n, i, read); err != nil {
			return fail(e, exitFailed, "bench log: prove %d: %v", i, err)
		}
	}
	res.ProofMicros = micros(time.Since(start), *proofs)
	// The proofs must be real: check the last one against the root.
	leafHash, err := st.ReadHashes(ctx, []int64{sumdb.StoredHashIndex(0, indexes[len(indexes)-1])})
	if err != nil {
		return fail(e, exitFailed, "bench log: %v", err)
	}
	if err := sumdb.CheckRecord(last, *n, root, indexes[len(indexes)-1], leafHash[0]); err != nil {
		return fail(e, exitFailed, "bench log: a generated proof does not check: %v", err)
	}
	res.SHA256Micros, res.Ed25519Micros = baselineMicros()
	res.ProofPerSHA256 = res.ProofMicros / res.SHA256Micros
	res.ProofPerEd25519 = res.ProofMicros / res.Ed25519Micros
	if *appendN > 0 {
		if res.AppendPerS, err = benchAppend(ctx, *appendN, *batch); err != nil {
			return fail(e, exitFailed, "bench log: append: %v", err)
		}
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.stdout.Write(append(out, '\n'))
		return exitOK
	}
	how := "reused the cached tree"
	if built {
		how = "built the tree (stored hashes only, no leaf texts)"
	}
	fmt.Fprintf(e.stdout, "log of %d leaves in SQLite %s (%s)\n", *n, *file, how)
	fmt.Fprintf(e.stdout, "inclusion proof  %8.1f µs per proof (n=%d, one query per proof)   sha256(64 B) %.3f µs -> ratio %.0f   ed25519 verify %.1f µs -> ratio %.2f\n",
		res.ProofMicros, *proofs, res.SHA256Micros, res.ProofPerSHA256, res.Ed25519Micros, res.ProofPerEd25519)
	if *appendN > 0 {
		fmt.Fprintf(e.stdout, "batched append   %8.0f leaves/s (%d leaves, %d per transaction, fresh SQLite store)\n", res.AppendPerS, *appendN, *batch)
	}
	return exitOK
}

func micros(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(n) }

// baselineMicros times SHA-256 of 64 bytes and Ed25519 verification on
// this machine, now, so the proof figure can be compared across machines.
func baselineMicros() (shaUS, edUS float64) {
	var buf [64]byte
	const shaN = 200_000
	start := time.Now()
	h := sha256.Sum256(buf[:])
	for range shaN {
		// Chained, so the compiler cannot drop or hoist the work.
		copy(buf[:32], h[:])
		h = sha256.Sum256(buf[:])
	}
	shaUS = micros(time.Since(start), shaN)
	copy(buf[:32], h[:])
	pub, priv, _ := ed25519.GenerateKey(nil)
	sig := ed25519.Sign(priv, buf[:])
	const edN = 2000
	start = time.Now()
	for range edN {
		if !ed25519.Verify(pub, buf[:], sig) {
			panic("ed25519 verify failed")
		}
	}
	return shaUS, micros(time.Since(start), edN)
}

// ensureBenchTree builds the n-leaf tree into file unless the file already
// holds it, and reports whether it built.
func ensureBenchTree(ctx context.Context, e *env, file string, n int64) (bool, error) {
	if _, err := os.Stat(file); err == nil {
		st, err := store.Open(ctx, "sqlite:"+file)
		if err == nil {
			size, err := st.TreeSize(ctx)
			st.Close()
			if err == nil && size == n {
				return false, nil
			}
		}
		if err := os.Remove(file); err != nil {
			return false, err
		}
		_ = os.Remove(file + "-wal")
		_ = os.Remove(file + "-shm")
	}
	st, err := store.Open(ctx, "sqlite:"+file)
	if err != nil {
		return false, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return false, err
	}
	st.Close()
	fmt.Fprintf(e.stderr, "bench log: building a %d-leaf tree in %s (once; later runs reuse it)...\n", n, file)
	start := time.Now()
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=synchronous(OFF)&_pragma=journal_mode(WAL)")
	if err != nil {
		return false, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	const rowsPerStmt = 500
	stmtText := "INSERT INTO tlog_hashes (idx, hash) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?), ", rowsPerStmt), ", ")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	stmt, err := tx.PrepareContext(ctx, stmtText)
	if err != nil {
		return false, err
	}
	args := make([]any, 0, 2*rowsPerStmt)
	rows := 0
	flush := func() error {
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		args = args[:0]
		rows += rowsPerStmt
		if rows%(1<<20) < rowsPerStmt {
			// Commit now and then so the WAL stays small.
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return err
			}
			stmt, err = tx.PrepareContext(ctx, stmtText)
			return err
		}
		return nil
	}
	var tree tlog.StreamTree
	tree.OnHash(func(index int64, h sumdb.Hash) error {
		args = append(args, index, append([]byte(nil), h[:]...))
		if len(args) == cap(args) {
			return flush()
		}
		return nil
	})
	var leaf [8]byte
	for i := range n {
		for b := range leaf {
			leaf[b] = byte(i >> (8 * b))
		}
		if err := tree.Append(leaf[:]); err != nil {
			return false, err
		}
	}
	for i := 0; i < len(args); i += 2 {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tlog_hashes (idx, hash) VALUES (?, ?)", args[i], args[i+1]); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE tlog_state SET size = ? WHERE id = 1", n); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return false, errors.Join(errors.New("checkpoint the WAL"), err)
	}
	fmt.Fprintf(e.stderr, "bench log: built in %s\n", time.Since(start).Round(time.Second))
	return true, nil
}

// benchAppend measures AppendLeaves throughput in batches on a fresh
// SQLite store, with leaves shaped like issuance entries.
func benchAppend(ctx context.Context, total, batch int) (float64, error) {
	dir, err := os.MkdirTemp("", "microcred-bench-append-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "log.db"))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return 0, err
	}
	now := time.Now()
	leaves := make([]store.LogLeaf, 0, batch)
	start := time.Now()
	for done := 0; done < total; {
		leaves = leaves[:0]
		for i := 0; i < batch && done+i < total; i++ {
			id := fmt.Sprintf("urn:uuid:bench-%d", done+i)
			ev := tlog.CredentialEvent(tlog.KindIssue, store.Credential{ID: id, OrgID: "bench-org", Document: id}, now)
			leaves = append(leaves, ev.StoreLeaf())
		}
		if err := st.WithTx(ctx, func(tx store.Store) error { _, err := tx.AppendLeaves(ctx, leaves); return err }); err != nil {
			return 0, err
		}
		done += len(leaves)
	}
	return float64(total) / time.Since(start).Seconds(), nil
}
