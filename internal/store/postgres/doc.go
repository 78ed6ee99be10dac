// Package postgres is the PostgreSQL implementation of store.Store, for
// deployments with several stateless application nodes. It uses pgx/v5
// through a pgxpool connection pool.
//
// The SQL is shared with the SQLite store (internal/store/internal/sqlcore);
// this package rebinds '?' placeholders to $n, maps SQLSTATE codes to the
// store's error kinds, and runs migrations under a PostgreSQL advisory lock
// so that nodes starting together apply each migration exactly once.
//
// Importing the package registers the "postgres" scheme with store.Open.
package postgres
