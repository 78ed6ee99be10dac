package issue

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// ErrClosed reports a write submitted after Service.Close.
var ErrClosed = errors.New("issue: service closed")

// Group commit limits. maxBatch bounds the work one transaction does, so
// that the callers of a batch wait for at most that many inserts;
// batchTimeout bounds one batch transaction, which no single caller's
// context may cancel once the batch has started (see batchWriter.do).
const (
	maxBatch     = 256
	batchTimeout = 30 * time.Second
	// maxFlushers is how many batches may be in flight at once. Two let
	// PostgreSQL, where each statement is a network round trip, work on
	// one batch while the next is being sent; on SQLite the second batch
	// queues for the single write connection and starts the moment the
	// first commits.
	maxFlushers = 2
)

// writeFunc is one caller's share of a batch: it writes through tx, the
// store bound to the batch's transaction. It may run more than once (a
// batch that fails is retried in parts), always in a fresh transaction, so
// it must set its results anew on each run rather than accumulate them.
type writeFunc func(ctx context.Context, tx store.Store) error

// batchWriter commits the writes of concurrent callers together (group
// commit). Each caller prepares its rows first — building and signing a
// credential is CPU work that runs in parallel in the callers' goroutines —
// and hands the writes to do, which queues them and waits. One flusher
// goroutine takes everything queued (up to maxBatch items) and runs it in
// a single transaction; while that transaction commits, new items queue up
// and form the next batch, which a second flusher (up to maxFlushers) takes. Under load one commit serves many callers; at
// low load a lone item is written at once, because the flusher never waits
// for company.
//
// Flushers exist only while there is work: one starts when an item is
// queued and fewer than maxFlushers run, and each ends when the queue is
// empty, so an idle writer holds no
// goroutine and need not be closed. Close stops new work and waits for
// queued work to commit.
//
// Correctness rests on the database, not on this queue: a batch is an
// ordinary transaction, idempotency keys are settled by the store's unique
// constraint (a second item with the same key in the same batch finds the
// first one's row), and several processes may batch against one
// PostgreSQL database.
//
// When a batch fails, its items are retried in smaller transactions — the
// items before the failing one together, the failing one alone and the
// rest together, recursively — so one bad item costs its neighbours a
// retry, not their credential, and each caller gets its own error.
type batchWriter struct {
	store store.Store

	mu      sync.Mutex
	queue   []*writeItem
	running int            // flusher goroutines draining the queue
	closed  bool           // Close was called
	flusher sync.WaitGroup // the running flusher, for Close
}

// writeItem is a queued write and, once done is closed, its outcome.
type writeItem struct {
	write writeFunc
	taken bool // the flusher has taken the item; guarded by batchWriter.mu
	err   error
	done  chan struct{}
}

// batchFailure is the error of a batch transaction that failed inside the
// write of one item.
type batchFailure struct {
	index int
	err   error
}

func (e *batchFailure) Error() string { return e.err.Error() }
func (e *batchFailure) Unwrap() error { return e.err }

// do queues write and waits until the transaction carrying it has
// committed (nil) or failed (the write's or the transaction's error).
//
// ctx can withdraw the item only while it is still queued; once the
// flusher has taken it, do waits for the outcome, so that a nil error
// always means committed and a non-nil error means nothing was written.
func (w *batchWriter) do(ctx context.Context, write writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	it := &writeItem{write: write, done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.queue = append(w.queue, it)
	if w.running < maxFlushers {
		w.running++
		w.flusher.Add(1)
		go w.flush()
	}
	w.mu.Unlock()

	select {
	case <-it.done:
		return it.err
	case <-ctx.Done():
	}
	w.mu.Lock()
	if !it.taken {
		for i, q := range w.queue {
			if q == it {
				w.queue = append(w.queue[:i], w.queue[i+1:]...)
				break
			}
		}
		w.mu.Unlock()
		return ctx.Err()
	}
	w.mu.Unlock()
	<-it.done
	return it.err
}

// flush commits queued batches until the queue is empty.
func (w *batchWriter) flush() {
	defer w.flusher.Done()
	for {
		w.mu.Lock()
		n := min(len(w.queue), maxBatch)
		if n == 0 {
			w.running--
			w.mu.Unlock()
			return
		}
		batch := make([]*writeItem, n)
		copy(batch, w.queue)
		for _, it := range batch {
			it.taken = true
		}
		// Shift rather than reslice, so the queue's backing array does not
		// grow without bound under steady load.
		rest := copy(w.queue, w.queue[n:])
		clear(w.queue[rest:])
		w.queue = w.queue[:rest]
		w.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		w.commit(ctx, batch)
		cancel()
		for _, it := range batch {
			close(it.done)
		}
	}
}

// commit writes items in one transaction, splitting the batch on failure
// so that every item ends with its own outcome in it.err.
func (w *batchWriter) commit(ctx context.Context, items []*writeItem) {
	if len(items) == 0 {
		return
	}
	err := w.store.WithTx(ctx, func(tx store.Store) error {
		ctx, logs := withLogBatch(ctx)
		for i, it := range items {
			if err := it.write(ctx, tx); err != nil {
				return &batchFailure{index: i, err: err}
			}
		}
		return logs.flush(ctx, tx) // last: see issue/tlog.go
	})
	var bf *batchFailure
	switch {
	case err == nil:
		for _, it := range items {
			it.err = nil
		}
	case len(items) == 1:
		if errors.As(err, &bf) {
			err = bf.err
		}
		items[0].err = err
	case errors.As(err, &bf):
		// The items before the failure wrote fine and are likely to
		// again; the failing item is retried alone, because its failure
		// may have depended on its neighbours (the same credential id
		// twice in one batch fails only the second).
		w.commit(ctx, items[:bf.index])
		w.commit(ctx, items[bf.index:bf.index+1])
		w.commit(ctx, items[bf.index+1:])
	default:
		// The transaction itself failed (begin or commit): no item is to
		// blame, so each gets a transaction of its own.
		for _, it := range items {
			w.commit(ctx, []*writeItem{it})
		}
	}
}

// close refuses new items and waits until the queued ones are written.
func (w *batchWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.flusher.Wait()
}

// writer returns the service's batch writer.
func (s *Service) writer() *batchWriter {
	s.init()
	return s.batch
}

// Close stops the service's background work: writes already queued are
// committed and their callers answered, and any later Issue fails with
// ErrClosed. Calling Close is optional — the service keeps no goroutine
// while idle — but a server should call it on shutdown, after the HTTP
// server has stopped and before closing the store. Close is idempotent.
func (s *Service) Close() {
	s.writer().close()
}
