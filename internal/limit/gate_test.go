package limit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func waitFor(t *testing.T, g *Gate, waiting int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, w, _ := g.InUse(); w == waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %d waiting", waiting)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGateCountsWeight(t *testing.T) {
	g := NewGate(10, 1, time.Hour)
	ctx := context.Background()
	r1, err1 := g.Enter(ctx, 4)
	r2, err2 := g.Enter(ctx, 6)
	if err1 != nil || err2 != nil {
		t.Fatalf("room refused: %v %v", err1, err2)
	}
	// The next one waits in the queue; another finds the queue full.
	got := make(chan error, 1)
	var r3 func()
	go func() {
		var err error
		r3, err = g.Enter(ctx, 5)
		got <- err
	}()
	waitFor(t, g, 1)
	if _, err := g.Enter(ctx, 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: err = %v, want ErrBusy", err)
	}
	r1() // 4 free: not enough for 5
	if _, w, used := g.InUse(); w != 1 || used != 6 {
		t.Fatalf("after first release: waiting %d used %d", w, used)
	}
	r1() // releasing twice changes nothing
	r2()
	if err := <-got; err != nil {
		t.Fatalf("queued request: %v", err)
	}
	if running, waiting, used := g.InUse(); running != 1 || waiting != 0 || used != 5 {
		t.Errorf("InUse = %d, %d, %d; want 1, 0, 5", running, waiting, used)
	}
	r3()
	// A request heavier than the capacity runs alone.
	big, err := g.Enter(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, used := g.InUse(); used != 10 {
		t.Errorf("oversized request counts %d, want the capacity", used)
	}
	big()
	if running, _, used := g.InUse(); running != 0 || used != 0 {
		t.Errorf("not released: %d running, %d used", running, used)
	}
}

func TestGateWaitAndCancel(t *testing.T) {
	g := NewGate(1, 4, time.Millisecond)
	release, err := g.Enter(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Enter(context.Background(), 1); !errors.Is(err, ErrBusy) {
		t.Errorf("wait over: err = %v, want ErrBusy", err)
	}
	g.maxWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Enter(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	if _, waiting, _ := g.InUse(); waiting != 0 {
		t.Errorf("a request that gave up is still queued")
	}
	release()

	// Never more than the capacity at once, whatever the load.
	g = NewGate(3, 100, time.Hour)
	var mu sync.Mutex
	var now, peak int
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			w := int64(i%3 + 1)
			rel, err := g.Enter(context.Background(), w)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			now += int(w)
			peak = max(peak, now)
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			now -= int(w)
			mu.Unlock()
			rel()
		})
	}
	wg.Wait()
	if peak > 3 || peak < 1 {
		t.Errorf("peak weight %d, want 1..3", peak)
	}
}
