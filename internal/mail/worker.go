package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Worker delivers the outbox: it claims messages with a lease, sends them
// and records the outcome, until its context ends.
type Worker struct {
	Store    store.Store
	Sender   Sender
	Interval time.Duration // pause when the outbox is empty; 0 means 5 s
	Batch    int           // messages claimed at once; 0 means 20
	Logger   *slog.Logger  // nil means slog.Default()
}

// Back-off after a failed send: base·2^(attempts-1), at most maxBackoff.
// Ten attempts then span about a day, enough to ride out a mail server's
// maintenance window without retrying a hard bounce forever.
const (
	baseBackoff = 30 * time.Second
	maxBackoff  = 6 * time.Hour
	sendTimeout = time.Minute
)

// Backoff returns how long to hold a message back after its attempts-th
// failure.
func Backoff(attempts int) time.Duration {
	d := baseBackoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// Run delivers mail until ctx is done. Each message gets a lease longer
// than a send can take, so another node does not pick it up meanwhile.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	batch := w.Batch
	if batch <= 0 {
		batch = 20
	}
	log := w.Logger
	if log == nil {
		log = slog.Default()
	}
	for {
		n := w.deliver(ctx, log, batch)
		if n == batch {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// deliver claims and sends one batch, returning how many were claimed.
func (w *Worker) deliver(ctx context.Context, log *slog.Logger, batch int) int {
	if ctx.Err() != nil {
		return 0
	}
	lease := sendTimeout*time.Duration(batch) + time.Minute
	msgs, err := w.Store.ClaimMail(ctx, batch, lease)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("mail: claim outbox", "err", err)
		}
		return 0
	}
	for _, m := range msgs {
		if ctx.Err() != nil {
			// The lease runs out and another run picks the rest up.
			return 0
		}
		sctx, cancel := context.WithTimeout(ctx, sendTimeout)
		err := w.Sender.Send(sctx, m.To, m.Subject, m.Body)
		cancel()
		// Record the outcome even when ctx was just cancelled, so a sent
		// message is not sent again.
		rctx := context.WithoutCancel(ctx)
		if err != nil {
			retry := time.Now().Add(Backoff(m.Attempts + 1))
			log.Warn("mail: send failed", "mail_id", m.ID, "attempt", m.Attempts+1, "retry_at", retry, "err", err)
			if err := w.Store.MarkMailFailed(rctx, m.ID, err.Error(), retry); err != nil {
				log.Error("mail: record failure", "mail_id", m.ID, "err", err)
			}
			continue
		}
		if err := w.Store.MarkMailSent(rctx, m.ID, time.Now()); err != nil {
			log.Error("mail: record delivery", "mail_id", m.ID, "err", err)
		} else {
			log.Info("mail: sent", "mail_id", m.ID)
		}
	}
	return len(msgs)
}
