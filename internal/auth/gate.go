package auth

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy reports that a Gate's slots and queue are full, or that a caller
// waited its longest for a slot: the server is overloaded and the caller
// should answer 503 with a Retry-After header instead of piling up work.
var ErrBusy = errors.New("auth: too many password checks at once")

// Gate bounds how many argon2id computations run at once. Each costs 19
// MiB for its duration, so without a bound a burst of wrong-password logins
// (which need no account and no session) grows memory linearly with the
// number of concurrent requests: measured, 200 concurrent logins took the
// server to several GB. With a gate the peak is slots x 19 MiB whatever the
// load; requests beyond the queue are refused at once rather than queued
// without bound, since a queued request holds its connection and buffers.
type Gate struct {
	slots   chan struct{}
	queue   int64
	maxWait time.Duration
	waiting atomic.Int64
}

// NewGate returns a gate that runs at most slots computations at once, lets
// at most queue more callers wait for a slot, and makes none of them wait
// longer than maxWait.
func NewGate(slots, queue int, maxWait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(slots, 1)), queue: int64(max(queue, 0)), maxWait: maxWait}
}

// DefaultGate is the process-wide gate: one slot per CPU the Go scheduler
// uses (argon2id with p=1 keeps one core busy, so more slots only add
// memory, not throughput), and a queue of four callers per slot, each
// waiting at most two seconds (about 40 hash times on this hardware).
var DefaultGate = NewGate(runtime.GOMAXPROCS(0), 4*runtime.GOMAXPROCS(0), 2*time.Second)

// Acquire takes a slot, waiting in the bounded queue if none is free. It
// returns ErrBusy when the queue is full or the wait exceeds the gate's
// longest wait, and ctx's error when ctx ends first. The caller must call
// release exactly once.
func (g *Gate) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, ErrBusy
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.maxWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// wait takes a slot without the queue bound, for work that is not exposed
// to anonymous callers (the CLI, an owner adding a member): it is still
// counted against the slots, so memory stays bounded.
func (g *Gate) wait() func() {
	g.slots <- struct{}{}
	return g.release
}

func (g *Gate) release() { <-g.slots }

// InUse returns the number of slots currently taken.
func (g *Gate) InUse() int { return len(g.slots) }

// CheckPassword is CheckPassword run under the gate: it returns ErrBusy
// instead of computing when the gate is full. A malformed hash is refused
// before a slot is taken.
func (g *Gate) CheckPassword(ctx context.Context, phc, password string) (bool, error) {
	p, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	release, err := g.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return p.check(password), nil
}

// HashPassword is HashPassword run under the gate.
func (g *Gate) HashPassword(ctx context.Context, password string) (string, error) {
	release, err := g.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(password)
}
