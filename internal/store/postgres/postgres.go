package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"slices"
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
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &pipeTx{c: c}, nil
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

// pipeTx is a transaction on one pooled connection whose statements travel
// in pipelined batches: BEGIN waits for the transaction's first statement,
// statements queued with Defer wait for the next statement whose result
// is needed (or for the commit), and each such group is one round trip
// whose statements run in order. A batch transaction of the issuance
// service took about twenty round trips as single statements and takes
// four this way (learner lookup, credentials, log allocation, commit).
type pipeTx struct {
	c      *pgxpool.Conn
	begun  bool // BEGIN has been executed
	sent   bool // something was sent: the connection may be in a transaction
	queue  []queued
	closed bool
}

// queued is a deferred statement.
type queued struct {
	op, sql string
	args    []any
}

var (
	_ sqlcore.Tx       = (*pipeTx)(nil)
	_ sqlcore.Deferrer = (*pipeTx)(nil)
)

// errTxDone reports use of a transaction after its commit or rollback.
var errTxDone = errors.New("postgres: transaction already ended")

// Defer implements sqlcore.Deferrer. The arguments are copied, so the
// caller may reuse its slice.
func (t *pipeTx) Defer(op, q string, args ...any) {
	t.queue = append(t.queue, queued{op: op, sql: rebind(q), args: slices.Clone(args)})
}

// direct reports whether a statement can go alone, without a batch.
func (t *pipeTx) direct() bool { return t.begun && len(t.queue) == 0 }

// send sends BEGIN (the first time), the queued statements and q in one
// batch and reads the results before q's: on success the caller reads q's
// result from the returned batch and closes it.
func (t *pipeTx) send(ctx context.Context, q string, args []any) (pgx.BatchResults, error) {
	if t.closed {
		return nil, errTxDone
	}
	b := &pgx.Batch{}
	if !t.begun {
		b.Queue("begin")
	}
	queue := t.queue
	t.queue = nil
	for _, d := range queue {
		b.Queue(d.sql, d.args...)
	}
	b.Queue(q, args...)
	t.sent = true
	br := t.c.SendBatch(ctx, b)
	if !t.begun {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("begin: %w", err)
		}
		t.begun = true
	}
	for _, d := range queue {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("%s: %w", d.op, err)
		}
	}
	return br, nil
}

func (t *pipeTx) exec(ctx context.Context, q string, args []any) (pgconn.CommandTag, error) {
	if t.closed {
		return pgconn.CommandTag{}, errTxDone
	}
	if t.direct() {
		return t.c.Exec(ctx, q, args...)
	}
	br, err := t.send(ctx, q, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (t *pipeTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.exec(ctx, rebind(q), args)
	return tag.RowsAffected(), err
}

func (t *pipeTx) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	q = rebind(q)
	if t.closed {
		return nil, errTxDone
	}
	if t.direct() {
		return t.c.Query(ctx, q, args...)
	}
	br, err := t.send(ctx, q, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (t *pipeTx) QueryRow(ctx context.Context, q string, args ...any) sqlcore.Row {
	q = rebind(q)
	if t.closed {
		return errRow{errTxDone}
	}
	if t.direct() {
		return t.c.QueryRow(ctx, q, args...)
	}
	br, err := t.send(ctx, q, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{row: br.QueryRow(), br: br}
}

// Commit sends the queued statements and COMMIT together. A transaction
// that never sent anything (it only read nothing and wrote nothing) just
// returns its connection.
func (t *pipeTx) Commit(ctx context.Context) error {
	if t.closed {
		return errTxDone
	}
	if !t.sent && len(t.queue) == 0 {
		t.release()
		return nil
	}
	tag, err := t.exec(ctx, "commit", nil)
	if err != nil {
		_ = t.Rollback(context.WithoutCancel(ctx))
		return err
	}
	t.release()
	if tag.String() == "ROLLBACK" {
		// COMMIT of a transaction that had failed rolls it back.
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Rollback drops the queued statements and rolls back what was sent. When
// the connection cannot say it left the transaction, it is closed instead
// of returned to the pool (pgxpool destroys a connection released inside a
// transaction).
func (t *pipeTx) Rollback(ctx context.Context) error {
	if t.closed {
		return nil
	}
	t.queue = nil
	var err error
	if t.sent && t.c.Conn().PgConn().TxStatus() != 'I' && !t.c.Conn().IsClosed() {
		_, err = t.c.Exec(ctx, "rollback")
	}
	t.release()
	return err
}

func (t *pipeTx) release() {
	t.closed = true
	t.c.Release()
}

// batchRows are the rows of a batch's last statement; closing them closes
// the batch.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if r.br != nil {
		r.err = r.br.Close()
		r.br = nil
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// batchRow is the row of a batch's last statement.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a row whose query could not be sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

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
