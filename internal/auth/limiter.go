package auth

import (
	"slices"
	"sync"
	"time"
)

// maxLimiterKeys bounds the memory of a Limiter: past it, idle buckets are
// swept and, if every bucket is busy, the oldest half is dropped. Dropping a
// bucket only forgives past use, so the worst case is a short burst more.
const maxLimiterKeys = 100_000

// Limiter is a per-key token-bucket rate limiter (keys are client IPs or
// API client ids). It is safe for concurrent use and its memory is bounded:
// a bucket that has refilled completely carries no information and is
// evicted.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter that allows perSecond events per key on
// average and bursts of up to burst events.
func NewLimiter(perSecond float64, burst int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	return &Limiter{rate: perSecond, burst: float64(burst), now: time.Now, buckets: make(map[string]*bucket)}
}

// Allow reports whether one more event for key is allowed now, and if so
// takes a token from key's bucket.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxLimiterKeys || now.Sub(l.lastSweep) > time.Minute {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops the buckets that have refilled to full (they behave exactly
// like a new bucket), then, if the map is still at its bound, the
// least-recently used half. The caller holds l.mu.
func (l *Limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < maxLimiterKeys {
		return
	}
	times := make([]time.Time, 0, len(l.buckets))
	for _, b := range l.buckets {
		times = append(times, b.last)
	}
	cutoff := medianTime(times)
	for k, b := range l.buckets {
		if !b.last.After(cutoff) {
			delete(l.buckets, k)
		}
	}
}

// medianTime returns the median of ts (ts is reordered).
func medianTime(ts []time.Time) time.Time {
	// Sorting 100k times once per overflow is cheap enough and only
	// happens under a flood of distinct keys.
	slices.SortFunc(ts, time.Time.Compare)
	return ts[len(ts)/2]
}

// Len returns the number of keys currently tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
