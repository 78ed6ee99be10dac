// Package limit bounds how much work the server takes on at once. A Gate
// admits a fixed number of concurrent operations, lets a short queue wait
// for a slot, and refuses the rest at once, so that a burst of expensive
// requests (verifying large credentials) costs a bounded amount of memory
// and CPU and the excess is told to come back later (HTTP 429) instead of
// piling up until the process runs out of memory.
package limit

import (
	"context"
	"errors"
	"time"
)

// ErrBusy reports that every slot is taken and the queue is full, or that
// a queued request waited longer than the gate allows.
var ErrBusy = errors.New("the server is busy; try again in a moment")

// Gate is a counting semaphore with a bounded waiting queue. Its methods
// are safe for concurrent use.
type Gate struct {
	slots   chan struct{}
	queue   chan struct{}
	maxWait time.Duration
}

// NewGate admits concurrency operations at once and lets up to queue more
// wait at most maxWait for a slot. concurrency is at least 1; queue may
// be 0 (no waiting).
func NewGate(concurrency, queue int, maxWait time.Duration) *Gate {
	return &Gate{
		slots:   make(chan struct{}, max(concurrency, 1)),
		queue:   make(chan struct{}, max(queue, 0)),
		maxWait: maxWait,
	}
}

// Enter waits for a slot and returns the function that gives it back. It
// fails with ErrBusy when the queue is full or the wait is over, and with
// the context's error when ctx ends first.
func (g *Gate) Enter(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	default:
	}
	select {
	case g.queue <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	defer func() { <-g.queue }()
	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *Gate) release() { <-g.slots }

// InUse returns the slots taken and the requests waiting, for tests and
// metrics.
func (g *Gate) InUse() (running, waiting int) { return len(g.slots), len(g.queue) }
