package auth

import (
	"sync"
	"time"
)

// Backoff throttles failures per key (an account's email address): after
// Free failures in a row, each further failure locks the key for twice as
// long as the one before, starting at Base and capped at Max. A success
// clears the key; a key with no failure for Forget is forgotten.
//
// It complements the per-address Limiter: an attacker with many addresses
// (a botnet, or an IPv6 block) gets no more guesses at one account than an
// attacker with one. The price is that a guesser can keep an account's
// owner waiting too, which the cap bounds.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
	now    func() time.Time

	mu        sync.Mutex
	keys      map[string]*backoffState
	lastSweep time.Time
}

type backoffState struct {
	failures int
	until    time.Time // locked until
	last     time.Time // last failure
}

// NewBackoff returns a Backoff with five free failures, then locks of 1 s,
// 2 s, 4 s ... up to 15 minutes, forgotten after a day without failure.
func NewBackoff() *Backoff {
	return &Backoff{Free: 5, Base: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour, now: time.Now,
		keys: make(map[string]*backoffState)}
}

// Wait returns how long key is still locked; zero means an attempt may go
// ahead.
func (b *Backoff) Wait(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.keys[key]
	if !ok {
		return 0
	}
	return max(st.until.Sub(b.now()), 0)
}

// Fail records a failed attempt for key and returns the lock it now
// carries (zero while the failure was free).
func (b *Backoff) Fail(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	st, ok := b.keys[key]
	if ok && now.Sub(st.last) > b.Forget {
		ok = false
	}
	if !ok {
		if len(b.keys) >= maxLimiterKeys || now.Sub(b.lastSweep) > time.Minute {
			b.sweep(now)
		}
		st = &backoffState{}
		b.keys[key] = st
	}
	st.failures++
	st.last = now
	if n := st.failures - b.Free; n > 0 {
		lock := b.Max
		if n <= 30 && b.Base<<(n-1) < b.Max {
			lock = b.Base << (n - 1)
		}
		st.until = now.Add(lock)
		return lock
	}
	return 0
}

// Succeed clears key after a successful attempt.
func (b *Backoff) Succeed(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}

// sweep forgets idle keys and, if the map is still at its bound, the
// unlocked ones; a key that is locked right now is kept. The caller holds
// b.mu.
func (b *Backoff) sweep(now time.Time) {
	b.lastSweep = now
	for k, st := range b.keys {
		if now.Sub(st.last) > b.Forget {
			delete(b.keys, k)
		}
	}
	if len(b.keys) < maxLimiterKeys {
		return
	}
	for k, st := range b.keys {
		if !st.until.After(now) {
			delete(b.keys, k)
		}
	}
}
