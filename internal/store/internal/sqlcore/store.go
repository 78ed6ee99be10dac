package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Store implements store.Store on top of a Backend.
type Store struct {
	b     Backend
	r, w  Conn
	tx    Tx  // nil outside a transaction
	depth int // savepoint nesting depth inside tx
	// epoch counts this process's changes that can invalidate a bearer
	// token (see store.AuthEpoch); shared by every Store derived from New.
	epoch *atomic.Uint64
	// authDirty is set inside a transaction that made such a change, so
	// that the epoch moves again once the change is committed and a
	// cache cannot keep what it re-read before the commit.
	authDirty *atomic.Bool
	// cache holds what every Store derived from New remembers of the
	// database (see caches).
	cache *caches
	// committed collects, inside a transaction or savepoint, what to do
	// once it commits (see whenCommitted); nil outside transactions.
	committed *[]func()
}

// New returns a Store over b.
func New(b Backend) *Store {
	return &Store{b: b, r: b.Read(), w: b.Write(), epoch: new(atomic.Uint64), cache: newCaches()}
}

// whenCommitted runs fn once what s wrote so far is committed: at once
// outside a transaction, after the commit inside one, never if the
// transaction (or the savepoint s belongs to) is rolled back. Caches of
// facts the database never changes once committed fill through it, so
// that they never hold a row a rollback took back.
func (s *Store) whenCommitted(fn func()) {
	if s.committed == nil {
		fn()
		return
	}
	*s.committed = append(*s.committed, fn)
}

// derive returns a Store for a transaction or savepoint running on tx.
func (s *Store) derive(tx Tx, depth int, authDirty *atomic.Bool) *Store {
	return &Store{b: s.b, r: tx, w: tx, tx: tx, depth: depth, epoch: s.epoch, authDirty: authDirty,
		cache: s.cache, committed: new([]func())}
}

// AuthEpoch implements store.AuthEpoch.
func (s *Store) AuthEpoch() uint64 { return s.epoch.Load() }

// authChanged records a change that can invalidate bearer tokens.
func (s *Store) authChanged() {
	s.epoch.Add(1)
	if s.authDirty != nil {
		s.authDirty.Store(true)
	}
}

var _ store.Store = (*Store)(nil)

// fail wraps a driver error for operation op, attaching the store's error
// kind when the backend recognises one.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	if kind := s.b.Classify(err); kind != nil {
		if kind == store.ErrNotFound {
			return &store.Error{Kind: kind, Op: "store: " + op}
		}
		return &store.Error{Kind: kind, Op: "store: " + op, Err: err}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func notFound(op string) error {
	return &store.Error{Kind: store.ErrNotFound, Op: "store: " + op}
}

// WithTx implements store.Store.
func (s *Store) WithTx(ctx context.Context, fn func(store.Store) error) (err error) {
	if s.tx != nil {
		return s.savepoint(ctx, fn)
	}
	tx, err := s.b.Begin(ctx)
	if err != nil {
		return s.fail("begin transaction", err)
	}
	inner := s.derive(tx, 0, new(atomic.Bool))
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
	}()
	if err := fn(inner); err != nil {
		// The rollback error is secondary: fn's error is what the caller
		// must see, and a failed rollback ends the transaction anyway.
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail("commit", err)
	}
	if inner.authDirty.Load() {
		s.epoch.Add(1)
	}
	for _, fn := range *inner.committed {
		fn()
	}
	return nil
}

func (s *Store) savepoint(ctx context.Context, fn func(store.Store) error) error {
	name := fmt.Sprintf("sp%d", s.depth+1)
	if _, err := s.tx.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return s.fail("savepoint", err)
	}
	inner := s.derive(s.tx, s.depth+1, s.authDirty)
	undo := func() error {
		if _, err := s.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return err
		}
		_, err := s.tx.Exec(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = undo()
			panic(p)
		}
	}()
	if err := fn(inner); err != nil {
		if uerr := undo(); uerr != nil {
			return errors.Join(err, s.fail("rollback to savepoint", uerr))
		}
		return err
	}
	if _, err := s.tx.Exec(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return s.fail("release savepoint", err)
	}
	*s.committed = append(*s.committed, *inner.committed...)
	return nil
}

// atomic runs fn in a transaction unless s already is one.
func (s *Store) atomic(ctx context.Context, fn func(*Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.WithTx(ctx, func(inner store.Store) error { return fn(inner.(*Store)) })
}

// Migrate implements store.Store.
func (s *Store) Migrate(ctx context.Context) error {
	if s.tx != nil {
		return errors.New("store: migrate: not allowed inside a transaction")
	}
	return s.b.Migrate(ctx)
}

// Close implements store.Store.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("store: close: not allowed inside a transaction")
	}
	return s.b.Close()
}

func now() time.Time { return norm(time.Now()) }

func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// likePattern turns free text into a LIKE pattern matching it as a
// substring, escaping the wildcard characters with '\'.
func likePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(text)) + "%"
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// expectOne turns "no row affected" into ErrNotFound.
func expectOne(op string, n int64, err error, s *Store) error {
	if err != nil {
		return s.fail(op, err)
	}
	if n == 0 {
		return notFound(op)
	}
	return nil
}

// WriteConcurrency implements store.WriteConcurrency by asking the
// backend, which may implement the same method; 0 (unknown) otherwise.
func (s *Store) WriteConcurrency() int {
	if c, ok := s.b.(store.WriteConcurrency); ok {
		return c.WriteConcurrency()
	}
	return 0
}
