package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGateQueueAndRefusal(t *testing.T) {
	g := NewGate(2, 1, time.Hour)
	ctx := context.Background()
	r1, err1 := g.Acquire(ctx)
	r2, err2 := g.Acquire(ctx)
	if err1 != nil || err2 != nil {
		t.Fatalf("free slots refused: %v, %v", err1, err2)
	}
	// The third caller queues; a fourth finds the queue full.
	queued := make(chan error, 1)
	go func() {
		r, err := g.Acquire(ctx)
		if err == nil {
			r()
		}
		queued <- err
	}()
	for g.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if _, err := g.Acquire(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("caller beyond the queue: err = %v, want ErrBusy", err)
	}
	r1()
	if err := <-queued; err != nil {
		t.Errorf("queued caller: %v", err)
	}
	r2()
	if n := g.InUse(); n != 0 {
		t.Errorf("%d slots in use after every release", n)
	}
}

func TestGateTimeoutAndContext(t *testing.T) {
	g := NewGate(1, 5, 20*time.Millisecond)
	release, err := g.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := g.Acquire(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("wait past maxWait: err = %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g2 := NewGate(1, 5, time.Hour)
	r, _ := g2.Acquire(context.Background())
	defer r()
	if _, err := g2.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: err = %v, want context.Canceled", err)
	}
}

// TestGateBoundsConcurrency runs many password checks through a gate of two
// slots and records how many ran at once.
func TestGateBoundsConcurrency(t *testing.T) {
	phc := lowCost(t, "pw-1234567")
	g := NewGate(2, 100, time.Minute)
	var running, peak atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			release, err := g.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			if ok, _ := CheckPassword(phc, "pw-1234567"); !ok {
				t.Error("password check failed")
			}
			running.Add(-1)
			release()
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Errorf("%d computations ran at once through a gate of 2", p)
	}
	ok, err := g.CheckPassword(context.Background(), phc, "pw-1234567")
	if !ok || err != nil {
		t.Errorf("Gate.CheckPassword = %v, %v", ok, err)
	}
	if _, err := g.CheckPassword(context.Background(), "plaintext", "x"); !errors.Is(err, ErrMalformedHash) {
		t.Errorf("malformed hash: %v", err)
	}
}

func TestAddrKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"192.0.2.1", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::ffff]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"[::ffff:192.0.2.9]:80", "192.0.2.9"},
		{"[::1]:80", "::/64"},
		{"pipe", "pipe"},
	}
	for _, tt := range tests {
		if got := AddrKey(tt.in); got != tt.want {
			t.Errorf("AddrKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	b := NewBackoff()
	b.now = func() time.Time { return now }
	steps := []struct {
		advance time.Duration
		op      string // "fail", "ok", "wait"
		key     string
		want    time.Duration
	}{
		{0, "fail", "a", 0}, {0, "fail", "a", 0}, {0, "fail", "a", 0}, {0, "fail", "a", 0}, {0, "fail", "a", 0}, // five free
		{0, "wait", "a", 0},
		{0, "fail", "a", time.Second},
		{0, "wait", "a", time.Second},
		{0, "wait", "b", 0}, // keys are independent
		{500 * time.Millisecond, "wait", "a", 500 * time.Millisecond},
		{500 * time.Millisecond, "wait", "a", 0},
		{0, "fail", "a", 2 * time.Second},
		{0, "fail", "a", 4 * time.Second},
		{0, "fail", "a", 8 * time.Second},
		{0, "ok", "a", 0},
		{0, "wait", "a", 0},
		{0, "fail", "a", 0}, // a success starts over
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		var got time.Duration
		switch s.op {
		case "fail":
			got = b.Fail(s.key)
		case "ok":
			b.Succeed(s.key)
		case "wait":
			got = b.Wait(s.key)
		}
		if got != s.want {
			t.Errorf("step %d: %s(%q) = %v, want %v", i, s.op, s.key, got, s.want)
		}
	}
	for range 40 {
		b.Fail("c")
	}
	if w := b.Wait("c"); w != b.Max {
		t.Errorf("after 40 failures the lock is %v, want the cap %v", w, b.Max)
	}
	now = now.Add(b.Forget + time.Second)
	if got := b.Fail("c"); got != 0 {
		t.Errorf("failure after Forget locks %v, want a fresh start", got)
	}
}
