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
	// maxGather bounds how long a flusher waits for callers that are
	// still preparing (signing) before it starts a batch; see gather.
	maxGather = 2 * time.Millisecond
	// maxFlushers is how many batches may be in flight at once. Two let
	// PostgreSQL, where each statement is a network round trip, work on
	// one batch while the next is being sent. A store with a single
	// writer (SQLite, see store.WriteConcurrency) gets one: a second
	// flusher there would take the few items queued the moment it starts
	// and then wait for the write connection, while the items queued
	// behind it could have joined its batch — measured, it made batches
	// of about 3 credentials under 16 concurrent HTTP clients, where one
	// flusher makes batches of everything that queued during the previous
	// commit.
	maxFlushers = 2
)

// newBatchWriter returns a batch writer over st, with as many flushers as
// st can run write transactions at once, up to maxFlushers.
func newBatchWriter(st store.Store) *batchWriter {
	w := &batchWriter{store: st, flushers: maxFlushers}
	if c, ok := st.(store.WriteConcurrency); ok {
		if n := c.WriteConcurrency(); n > 0 {
			w.flushers = min(n, maxFlushers)
		}
	}
	return w
}

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
// and form the next batch, which a second flusher (up to maxFlushers)
// takes.
//
// Before it takes a batch, a flusher waits briefly (at most maxGather) for
// the callers that are still building and signing (see expect) to queue
// their items. On a machine whose cores are busy signing, items otherwise
// trickle in one at a time and each small batch pays a transaction's fixed
// cost — measured at about 3 credentials per batch under 16 concurrent
// HTTP clients on SQLite; waiting for the callers already in flight makes
// the batch hold all of them. A lone caller is written at once: nobody
// else is preparing, so there is no one to wait for.
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
	store    store.Store
	flushers int // flusher goroutines allowed at once, 1..maxFlushers

	mu        sync.Mutex
	queue     []*writeItem
	running   int            // flusher goroutines draining the queue
	closed    bool           // Close was called
	flusher   sync.WaitGroup // the running flusher, for Close
	preparing int            // callers between expect and their enqueue or cancel
	changed   chan struct{}  // closed (and replaced) when queue or preparing changes
	batches   int64          // batches taken, for tests and benchmarks
	items     int64          // items in those batches
}

// expectation is a caller's announcement that it will queue an item soon
// (see batchWriter.expect). It is used by one goroutine only.
type expectation struct {
	w    *batchWriter
	done bool // queued or cancelled
}

// expect announces a caller that is about to prepare an item, so that a
// flusher about to start a batch waits for it (see gather). The caller
// must end the expectation by passing it to issue, or by calling cancel
// (which is harmless after issue, so it can be deferred).
func (w *batchWriter) expect() *expectation {
	w.mu.Lock()
	w.preparing++
	w.mu.Unlock()
	return &expectation{w: w}
}

// cancel ends an expectation whose caller queues nothing.
func (e *expectation) cancel() {
	if e == nil || e.done {
		return
	}
	e.done = true
	e.w.mu.Lock()
	e.w.preparing--
	e.w.notifyLocked()
	e.w.mu.Unlock()
}

// notifyLocked wakes the flushers waiting in gather. w.mu must be held.
func (w *batchWriter) notifyLocked() {
	if w.changed != nil {
		close(w.changed)
		w.changed = nil
	}
}

// gather waits until the callers preparing when it was called have queued
// their items (or given up), the queue holds a full batch, or maxGather
// has passed.
func (w *batchWriter) gather() {
	var timer *time.Timer
	w.mu.Lock()
	want := min(len(w.queue)+w.preparing, maxBatch)
	for len(w.queue) < want && w.preparing > 0 && !w.closed {
		if w.changed == nil {
			w.changed = make(chan struct{})
		}
		ch := w.changed
		w.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(maxGather)
			defer timer.Stop()
		}
		select {
		case <-ch:
		case <-timer.C:
			return
		}
		w.mu.Lock()
	}
	w.mu.Unlock()
}

// writeItem is a queued write and, once done is closed, its outcome.
// It is either a credential issuance (cred), written together with the
// batch's other issuances by a few multi-row statements (see
// writeCredentials), or any other write (write), run on its own in the
// batch's transaction.
type writeItem struct {
	write writeFunc
	cred  *credentialWrite
	taken bool // the flusher has taken the item; guarded by batchWriter.mu
	err   error
	done  chan struct{}

	// The outcome of cred, set anew by each run of the batch.
	stored  store.Credential
	existed bool
}

// batchFailure is the error of a batch transaction that failed inside the
// write of one item, or (index < 0) inside a statement that wrote several
// items' rows and can not tell which one was to blame.
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
	return w.enqueue(ctx, &writeItem{write: write, done: make(chan struct{})}, nil)
}

// issue queues the writes of one issued credential, ending the caller's
// expectation e (if any), and returns the queued item: its outcome is
// known once wait returns.
func (w *batchWriter) issue(ctx context.Context, cw *credentialWrite, e *expectation) (*writeItem, error) {
	it := &writeItem{cred: cw, done: make(chan struct{})}
	if err := w.submit(ctx, it, e); err != nil {
		return nil, err
	}
	return it, nil
}

// enqueue queues it, ending the expectation e (nil for none), and waits
// for its outcome (see do).
func (w *batchWriter) enqueue(ctx context.Context, it *writeItem, e *expectation) error {
	if err := w.submit(ctx, it, e); err != nil {
		return err
	}
	return w.wait(ctx, it)
}

// submit queues it, ending the expectation e (nil for none), without
// waiting for its outcome.
func (w *batchWriter) submit(ctx context.Context, it *writeItem, e *expectation) error {
	if err := ctx.Err(); err != nil {
		e.cancel()
		return err
	}
	w.mu.Lock()
	if e != nil && !e.done {
		// In the same critical section as the append, so that a
		// gathering flusher never sees the caller gone but its item not
		// yet queued.
		e.done = true
		w.preparing--
	}
	w.notifyLocked()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.queue = append(w.queue, it)
	if w.running < w.flushers {
		w.running++
		w.flusher.Add(1)
		go w.flush()
	}
	w.mu.Unlock()
	return nil
}

// wait waits for the outcome of a submitted item. ctx can withdraw the
// item only while it is still queued; once the flusher has taken it, wait
// waits for the outcome, so that a nil error always means committed and a
// non-nil error means nothing was written.
func (w *batchWriter) wait(ctx context.Context, it *writeItem) error {
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
		w.gather()
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
		w.batches++
		w.items += int64(n)
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
		if err := writeCredentials(ctx, tx, items); err != nil {
			return err
		}
		for i, it := range items {
			if it.write == nil {
				continue
			}
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
	case errors.As(err, &bf) && bf.index >= 0:
		// The items before the failure wrote fine and are likely to
		// again; the failing item is retried alone, because its failure
		// may have depended on its neighbours (the same credential id
		// twice in one batch fails only the second).
		w.commit(ctx, items[:bf.index])
		w.commit(ctx, items[bf.index:bf.index+1])
		w.commit(ctx, items[bf.index+1:])
	default:
		// No item is to blame by name: a multi-row statement failed (one
		// of its rows broke a rule only the database checks), or the
		// transaction itself did (begin or commit). Halving finds a bad
		// item in about 2·log2(n) transactions, and the halves without it
		// commit whole.
		half := len(items) / 2
		w.commit(ctx, items[:half])
		w.commit(ctx, items[half:])
	}
}

// close refuses new items and waits until the queued ones are written.
func (w *batchWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.notifyLocked()
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
