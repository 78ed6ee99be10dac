package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DumpTable describes one table of a dump: its name, the columns in the
// order the rows carry them, and how many rows it holds.
type DumpTable struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
}

// DumpInfo is what Dump returns: the tables in an order that loads without
// breaking a foreign key (referenced tables first) and the schema version
// the rows belong to.
type DumpInfo struct {
	SchemaVersion int         `json:"schemaVersion"`
	Tables        []DumpTable `json:"tables"`
}

// Dump writes every table of the database at url to the writers open
// returns, one per table, in PostgreSQL's text COPY format (stable across
// server versions, and what COPY FROM reads back). All tables are read in
// one REPEATABLE READ READ ONLY transaction, so the dump is one consistent
// snapshot even while app nodes keep issuing: a credential, its status
// entries and its log leaf are all in it or all absent. schema_migrations
// is not dumped; its highest version is returned instead, and Load
// recreates the schema with Migrate.
func Dump(ctx context.Context, url string, open func(table string) (io.Writer, error)) (DumpInfo, error) {
	var info DumpInfo
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return info, fmt.Errorf("postgres: dump: connect: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return info, fmt.Errorf("postgres: dump: begin snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&info.SchemaVersion); err != nil {
		return info, fmt.Errorf("postgres: dump: read schema version (is this a microcred database?): %w", err)
	}
	tables, err := tablesInLoadOrder(ctx, tx)
	if err != nil {
		return info, fmt.Errorf("postgres: dump: %w", err)
	}
	for _, t := range tables {
		if t == "schema_migrations" {
			continue
		}
		cols, err := tableColumns(ctx, tx, t)
		if err != nil {
			return info, fmt.Errorf("postgres: dump %s: %w", t, err)
		}
		w, err := open(t)
		if err != nil {
			return info, err
		}
		tag, err := tx.Conn().PgConn().CopyTo(ctx, w, "COPY "+ident(t)+" ("+identList(cols)+") TO STDOUT")
		if err != nil {
			return info, fmt.Errorf("postgres: dump %s: %w", t, err)
		}
		info.Tables = append(info.Tables, DumpTable{Name: t, Columns: cols, Rows: tag.RowsAffected()})
	}
	return info, nil
}

// Load fills the freshly migrated database at url with a dump. It refuses
// a database that already holds organizations, users or credentials, or
// whose schema version differs from the dump's (restore with the microcred
// version that made the dump, then upgrade). Everything is loaded in one
// transaction: on any error nothing is left behind. Rows that migrations
// seed (the log's state row) are replaced by the dump's.
func Load(ctx context.Context, url string, info DumpInfo, open func(table string) (io.ReadCloser, error)) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("postgres: load: connect: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	var version int
	if err := c.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("postgres: load: read schema version: %w", err)
	}
	if version != info.SchemaVersion {
		return fmt.Errorf("postgres: load: the backup has schema version %d and this database %d: restore with the microcred version that made the backup, then start the new version to upgrade", info.SchemaVersion, version)
	}
	for _, t := range []string{"organizations", "users", "credentials"} {
		var nonEmpty bool
		if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+ident(t)+")").Scan(&nonEmpty); err != nil {
			return fmt.Errorf("postgres: load: check %s: %w", t, err)
		}
		if nonEmpty {
			return fmt.Errorf("postgres: load: the database already holds %s: restore only into a new, empty database", t)
		}
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: load: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Referencing tables first, so the seeded rows go without a foreign
	// key complaint. The append-only tables are empty here, so their
	// triggers, which fire per row, never run.
	for _, t := range slices.Backward(info.Tables) {
		if _, err := tx.Exec(ctx, "DELETE FROM "+ident(t.Name)); err != nil {
			return fmt.Errorf("postgres: load: empty %s: %w", t.Name, err)
		}
	}
	for _, t := range info.Tables {
		r, err := open(t.Name)
		if err != nil {
			return err
		}
		// COPY FROM writes identity columns as given, like INSERT with
		// OVERRIDING SYSTEM VALUE; their sequences are moved on below.
		tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, "COPY "+ident(t.Name)+" ("+identList(t.Columns)+") FROM STDIN")
		r.Close()
		if err != nil {
			return fmt.Errorf("postgres: load %s: %w", t.Name, err)
		}
		if tag.RowsAffected() != t.Rows {
			return fmt.Errorf("postgres: load %s: %d rows read, the backup lists %d", t.Name, tag.RowsAffected(), t.Rows)
		}
	}
	if err := resetIdentities(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: load: commit: %w", err)
	}
	return nil
}

// resetIdentities moves every identity column's sequence past the highest
// loaded value, so the next insert does not collide with a restored row.
func resetIdentities(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT c.relname, a.attname FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
		  AND a.attidentity <> '' AND NOT a.attisdropped`)
	if err != nil {
		return fmt.Errorf("postgres: load: list identity columns: %w", err)
	}
	type col struct{ table, name string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cols {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(%s), 0) + 1, false) FROM %s`, ident(c.name), ident(c.table))
		if _, err := tx.Exec(ctx, q, c.table, c.name); err != nil {
			return fmt.Errorf("postgres: load: move the sequence of %s.%s: %w", c.table, c.name, err)
		}
	}
	return nil
}

// tablesInLoadOrder lists the ordinary tables of the current schema with
// every table after the tables its foreign keys reference.
func tablesInLoadOrder(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT relname FROM pg_class
		WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
		ORDER BY relname`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if from != to {
			deps[unquote(from)] = append(deps[unquote(from)], unquote(to))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return loadOrder(names, deps)
}

// loadOrder sorts names so that each comes after its dependencies,
// keeping the given order otherwise.
func loadOrder(names []string, deps map[string][]string) ([]string, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var out []string
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		}
		state[n] = visiting
		for _, d := range deps[n] {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[n] = done
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tableColumns lists the columns a dump carries: every column but
// generated ones, which PostgreSQL computes again on load.
func tableColumns(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT a.attname FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = $1
		  AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
		ORDER BY a.attnum`, table)
	if err != nil {
		return nil, err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errors.New("no columns")
	}
	return cols, nil
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func identList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = ident(c)
	}
	return strings.Join(q, ", ")
}

// unquote undoes the quoting regclass output applies to unusual names.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}
