package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
)

// Statement caching.
//
// Every query the store runs is parsed and planned by SQLite
// (sqlite3_prepare_v2) unless a prepared statement is reused; for the short
// inserts and lookups of issuing a credential, preparing costs about as much
// as running. database/sql's own prepared statements do not help inside a
// transaction on the single write connection: preparing one through the pool
// needs a free connection, and the transaction holds the only one.
//
// So the cache lives one level lower, in the driver connection: each
// connection keeps its prepared statements by query text and runs a query
// through the cached statement when it is free. database/sql never uses a
// driver connection from two goroutines at once, but a connection can have
// a result set open while it runs another statement (a query inside a loop
// over rows, in a transaction); a statement whose rows are still open is
// busy, and the query then runs unprepared, as without a cache.
//
// Only single statements are cached (no ';': migration scripts hold
// several statements and run once), and at most maxCachedStatements per
// connection. SQLite re-prepares a cached statement by itself when the
// schema changes.

// maxCachedStatements bounds the statements one connection keeps. The
// store's query texts form a small fixed set, plus bounded variants for
// optional filters and IN lists.
const maxCachedStatements = 256

// openCaching opens a database/sql pool over the registered SQLite driver
// whose connections cache prepared statements.
func openCaching(dsn string) (*sql.DB, error) {
	// sql.Open does not connect; it is the way to reach the registered
	// driver (with any functions or hooks registered on it).
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{dsn: dsn, drv: drv}), nil
}

type cachingConnector struct {
	dsn string
	drv driver.Driver
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	// The conversions below must succeed for the cache to work at all; the
	// driver implements them.
	inner, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite: driver connection lacks the context interfaces")
	}
	return &cachingConn{sqliteConn: inner, stmts: make(map[string]*cachedStmt)}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what the SQLite driver's connection implements and the
// cache passes through.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type statement interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is a driver connection with a statement cache.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	st   statement
	busy bool // a result set of st is open
}

// stmt returns the cached statement for query, preparing it on first use,
// or nil when the query is not cacheable or its statement is busy.
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil
		}
		return cs
	}
	if len(c.stmts) >= maxCachedStatements || strings.Contains(query, ";") {
		return nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		// Let the uncached path run the query and report the error.
		return nil
	}
	st, ok := ds.(statement)
	if !ok {
		ds.Close()
		return nil
	}
	cs := &cachedStmt{st: st}
	c.stmts[query] = cs
	return cs
}

// ExecContext implements driver.ExecerContext.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if cs := c.stmt(ctx, query); cs != nil {
		return cs.st.ExecContext(ctx, args)
	}
	return c.sqliteConn.ExecContext(ctx, query, args)
}

// QueryContext implements driver.QueryerContext.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.stmt(ctx, query)
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.st.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, stmt: cs}, nil
}

// Close finalizes the cached statements and closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, cs := range c.stmts {
		errs = append(errs, cs.st.Close())
		delete(c.stmts, q)
	}
	errs = append(errs, c.sqliteConn.Close())
	return errors.Join(errs...)
}

// cachedRows frees its statement for reuse when closed. database/sql
// closes rows exactly once, also when the caller forgets to.
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}
