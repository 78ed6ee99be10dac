package limit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	g := NewGate(2, 1, time.Hour)
	ctx := context.Background()
	r1, err1 := g.Enter(ctx)
	r2, err2 := g.Enter(ctx)
	if err1 != nil || err2 != nil {
		t.Fatalf("free slots refused: %v %v", err1, err2)
	}
	// The third waits in the queue; the fourth finds the queue full.
	got := make(chan error, 1)
	var r3 func()
	go func() {
		var err error
		r3, err = g.Enter(ctx)
		got <- err
	}()
	for {
		if _, waiting := g.InUse(); waiting == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := g.Enter(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: err = %v, want ErrBusy", err)
	}
	r1()
	if err := <-got; err != nil {
		t.Fatalf("queued request: %v", err)
	}
	if running, waiting := g.InUse(); running != 2 || waiting != 0 {
		t.Errorf("InUse = %d, %d; want 2, 0", running, waiting)
	}
	r2()
	r3()
	if running, _ := g.InUse(); running != 0 {
		t.Errorf("slots not released: %d", running)
	}
}

func TestGateWaitAndCancel(t *testing.T) {
	g := NewGate(1, 4, time.Millisecond)
	release, err := g.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Enter(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("wait over: err = %v, want ErrBusy", err)
	}
	g.maxWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Enter(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	release()
	// Never more than the slots at once, whatever the load.
	g = NewGate(3, 100, time.Hour)
	var mu sync.Mutex
	var now, peak int
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, err := g.Enter(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			now++
			peak = max(peak, now)
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			now--
			mu.Unlock()
			rel()
		}()
	}
	wg.Wait()
	if peak > 3 || peak < 1 {
		t.Errorf("peak concurrency %d, want 1..3", peak)
	}
}
