package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestStatementCache runs statements through a caching pool: repeated
// statements are prepared once per connection, the same query can run
// while its own result set is still open (the busy statement is bypassed),
// scripts are not cached, and errors of cached statements leave them
// usable.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := openCaching("file:" + filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (n INTEGER PRIMARY KEY); CREATE TABLE u (s TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (n) VALUES (?)`, i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t (n) VALUES (?)`, 3); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t (n) VALUES (?)`, 5); err != nil {
		t.Fatalf("cached statement after an error: %v", err)
	}

	// A nested loop over the same query inside one transaction.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	const q = `SELECT n FROM t WHERE n >= ? ORDER BY n`
	outer, err := tx.QueryContext(ctx, q, 4)
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]int
	for outer.Next() {
		var a int
		if err := outer.Scan(&a); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.QueryContext(ctx, q, a)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var b int
			if err := inner.Scan(&b); err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, [2]int{a, b})
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if want := [][2]int{{4, 4}, {4, 5}, {5, 5}}; len(pairs) != len(want) || pairs[0] != want[0] || pairs[1] != want[1] || pairs[2] != want[2] {
		t.Errorf("nested query rows %v, want %v", pairs, want)
	}

	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cached []string
	var busy int
	if err := conn.Raw(func(dc any) error {
		for q, cs := range dc.(*cachingConn).stmts {
			cached = append(cached, q)
			if cs.busy {
				busy++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(cached) != 2 || busy != 0 {
		t.Errorf("cached %q (%d busy); want the insert and the select, none busy", cached, busy)
	}
}
