package sqlcore

import (
	"context"
	"strings"
	"sync"
)

// Multi-row statements.
//
// Writing many rows with one INSERT ... VALUES (...), (...) costs one
// statement's overhead (a driver call, on PostgreSQL a network round trip)
// instead of one per row. A batch of up to exactRows rows is one statement;
// a longer one is sent in chunks whose row counts are powers of two up to
// maxChunkRows, then the exact rest. All batches together use a few dozen
// distinct statement texts per table: the prepared-statement caches
// (SQLite's per connection, pgx's) and the placeholder rebinding cache stay
// small, and a batch of n rows takes at most log2(n)+1 statements.

// maxChunkRows bounds the rows of one statement. At the widest row (18
// columns) a chunk has 4,608 parameters, far below SQLite's 32,766 and
// PostgreSQL's 65,535.
const maxChunkRows = 256

// exactRows is the longest batch written with one statement of its own
// length. Batches of the issuance service under load hold a few
// credentials each: as powers of two, a batch of three rows took two
// statements per table.
const exactRows = 8

// chunkRows returns the rows of the next chunk of a batch with rows left:
// all of them up to exactRows, else the largest power of two not above
// rows and maxChunkRows.
func chunkRows(rows int) int {
	if rows <= exactRows {
		return rows
	}
	n := 1
	for n*2 <= rows && n*2 <= maxChunkRows {
		n *= 2
	}
	return n
}

var valuesCache sync.Map // valuesKey -> string

type valuesKey struct{ width, rows int }

// values returns "(?, ?), (?, ?)" for rows rows of width placeholders.
func values(width, rows int) string {
	k := valuesKey{width, rows}
	if v, ok := valuesCache.Load(k); ok {
		return v.(string)
	}
	row := "(" + placeholders(width) + ")"
	v := strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	valuesCache.Store(k, v)
	return v
}

// execRows runs prefix + VALUES rows + suffix for args, which hold rows of
// width arguments each, in chunks. Inside a transaction that can defer
// statements (Deferrer), the chunks are queued: a failure is then reported
// by a later statement of the transaction or its commit, with op in the
// message.
func (s *Store) execRows(ctx context.Context, op, prefix, suffix string, width int, args []any) error {
	for rows := len(args) / width; rows > 0; {
		n := chunkRows(rows)
		if err := s.execLater(ctx, op, prefix+values(width, n)+suffix, args[:n*width]...); err != nil {
			return err
		}
		args, rows = args[n*width:], rows-n
	}
	return nil
}

// execLater runs a statement whose outcome the caller does not need,
// deferring it when the transaction can (see Deferrer).
func (s *Store) execLater(ctx context.Context, op, query string, args ...any) error {
	if d, ok := s.tx.(Deferrer); ok {
		d.Defer(op, query, args...)
		return nil
	}
	_, err := s.w.Exec(ctx, query, args...)
	return err
}

// queryRows is execRows for statements with a RETURNING clause: scan is
// called for each row returned.
func (s *Store) queryRows(ctx context.Context, prefix, suffix string, width int, args []any, scan func(Row) error) error {
	for rows := len(args) / width; rows > 0; {
		n := chunkRows(rows)
		rs, err := s.w.Query(ctx, prefix+values(width, n)+suffix, args[:n*width]...)
		if err != nil {
			return err
		}
		for rs.Next() {
			if err := scan(rs); err != nil {
				rs.Close()
				return err
			}
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return err
		}
		args, rows = args[n*width:], rows-n
	}
	return nil
}

// inList returns "?, ?, ..." and its arguments for the values vals, padded
// to a power of two by repeating the last value (which changes no IN
// result), so that IN lists of any length share a few statement texts. vals
// must not be empty and hold at most maxChunkRows values.
func inList(vals []string) (string, []any) {
	n := 1
	for n < len(vals) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = vals[min(i, len(vals)-1)]
	}
	return placeholders(n), args
}
