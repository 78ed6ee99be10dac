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
