// Package limit bounds how much work the server takes on at once. A Gate
// admits operations while their combined weight (for verification: the
// bytes of credential being worked on, which is what the memory a
// verification needs grows with) fits its capacity, lets a short queue
// wait for room, and refuses the rest at once, so that a burst of expensive
// requests costs a bounded amount of memory and the excess is told to come
// back later (HTTP 429) instead of piling up until the process runs out of
// memory.
package limit

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBusy reports that the gate is full and so is its queue, or that a
// queued request waited longer than the gate allows.
var ErrBusy = errors.New("the server is busy; try again in a moment")

// Gate is a weighted semaphore with a bounded FIFO queue. Its methods are
// safe for concurrent use.
type Gate struct {
	capacity int64
	maxQueue int
	maxWait  time.Duration

	mu      sync.Mutex
	used    int64
	running int
	waiters list.List // of *waiter, in arrival order
}

type waiter struct {
	weight int64
	ready  chan struct{} // closed when admitted
}

// NewGate returns a gate of the given capacity that lets up to queue
// requests wait at most maxWait for room. capacity is at least 1; queue
// may be 0 (no waiting).
func NewGate(capacity int64, queue int, maxWait time.Duration) *Gate {
	return &Gate{capacity: max(capacity, 1), maxQueue: max(queue, 0), maxWait: maxWait}
}

// Enter waits until weight fits and returns the function that gives it
// back. A weight above the capacity is counted as the whole capacity (it
// runs alone). It fails with ErrBusy when the queue is full or the wait is
// over, and with the context's error when ctx ends first.
func (g *Gate) Enter(ctx context.Context, weight int64) (release func(), err error) {
	weight = min(max(weight, 1), g.capacity)
	g.mu.Lock()
	if g.waiters.Len() == 0 && g.used+weight <= g.capacity {
		g.admit(weight)
		g.mu.Unlock()
		return g.releaser(weight), nil
	}
	if g.waiters.Len() >= g.maxQueue {
		g.mu.Unlock()
		return nil, ErrBusy
	}
	w := &waiter{weight: weight, ready: make(chan struct{})}
	elem := g.waiters.PushBack(w)
	g.mu.Unlock()

	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	var cause error
	select {
	case <-w.ready:
		return g.releaser(weight), nil
	case <-timer.C:
		cause = ErrBusy
	case <-ctx.Done():
		cause = ctx.Err()
	}
	g.mu.Lock()
	select {
	case <-w.ready:
		// Admitted while giving up: keep the slot rather than leak it.
		g.mu.Unlock()
		return g.releaser(weight), nil
	default:
	}
	g.waiters.Remove(elem)
	g.wakeLocked() // the head may have changed
	g.mu.Unlock()
	return nil, cause
}

func (g *Gate) admit(weight int64) {
	g.used += weight
	g.running++
}

func (g *Gate) releaser(weight int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.used -= weight
			g.running--
			g.wakeLocked()
			g.mu.Unlock()
		})
	}
}

// wakeLocked admits waiters in arrival order while they fit; a large
// request at the head is not overtaken by small ones behind it (it would
// otherwise starve).
func (g *Gate) wakeLocked() {
	for e := g.waiters.Front(); e != nil; e = g.waiters.Front() {
		w := e.Value.(*waiter)
		if g.used+w.weight > g.capacity {
			return
		}
		g.admit(w.weight)
		g.waiters.Remove(e)
		close(w.ready)
	}
}

// InUse returns the operations running, the requests waiting and the
// weight admitted, for tests and metrics.
func (g *Gate) InUse() (running, waiting int, weight int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.running, g.waiters.Len(), g.used
}

// Capacity returns the gate's capacity.
func (g *Gate) Capacity() int64 { return g.capacity }
