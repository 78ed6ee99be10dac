package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockKey is the advisory lock key under which migrations run; any
// constant works as long as nothing else in the database uses it.
const migrationLockKey int64 = 0x6d6963726f637264 // "microcrd"

func init() {
	store.Register("postgres", Open)
}

// Open connects to the PostgreSQL database at url (postgres:// or
// postgresql://; pgx connection parameters such as pool_max_conns and
// search_path are honoured). It does not migrate; call Migrate.
func Open(ctx context.Context, url string) (store.Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return sqlcore.New(&backend{pool: pool}), nil
}

type backend struct{ pool *pgxpool.Pool }

func (b *backend) Read() sqlcore.Conn  { return conn{b.pool} }
func (b *backend) Write() sqlcore.Conn { return conn{b.pool} }

func (b *backend) Begin(ctx context.Context) (sqlcore.Tx, error) {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return txConn{conn{tx}, tx}, nil
}

func (b *backend) Close() error {
	b.pool.Close()
	return nil
}

// Classify maps SQLSTATE classes to the store's error kinds.
func (b *backend) Classify(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	switch pe.Code {
	case "23505", "23503", "23000": // unique_violation, foreign_key_violation, integrity_constraint_violation
		return store.ErrConflict
	case "23514", "23502", "22P02": // check_violation, not_null_violation, invalid_text_representation (bad JSON)
		return store.ErrInvalid
	}
	return nil
}

// Migrate applies pending migrations while holding a session advisory lock
// on one pooled connection: a second node blocks on the lock, then sees the
// migrations recorded and applies nothing.
func (b *backend) Migrate(ctx context.Context) error {
	ms, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer c.Release()
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("postgres: migrate: take lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is cancelled; if that fails the lock dies
		// with the connection, so the connection is closed rather than
		// returned to the pool still holding it.
		if _, err := c.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey); err != nil {
			_ = c.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// Simple protocol: a migration file holds several statements.
			if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// pgxRunner is what pgxpool.Pool and pgx.Tx have in common.
type pgxRunner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// conn adapts pgx to sqlcore.Conn, rebinding '?' placeholders to $n.
type conn struct{ r pgxRunner }

func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := c.r.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c conn) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	rows, err := c.r.Query(ctx, rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlcore.Row {
	return c.r.QueryRow(ctx, rebind(q), args...)
}

type txConn struct {
	conn
	tx pgx.Tx
}

func (t txConn) Commit(ctx context.Context) error   { return t.tx.Commit(ctx) }
func (t txConn) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

var rebound sync.Map // query text with '?' -> query text with $n

// rebind rewrites '?' placeholders as $1, $2, .... The store's queries
// contain no '?' inside string literals, so a plain scan is exact. Results
// are cached: the set of query texts is small and fixed, apart from the
// IN lists and optional filters, which still form a bounded set.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}
