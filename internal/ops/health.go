package ops

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Health answers the liveness and readiness probes.
type Health struct {
	Store store.Store
	// Timeout bounds the readiness read; 0 means 2 s.
	Timeout time.Duration
	// Logger receives why a readiness check failed; nil means
	// slog.Default().
	Logger   *slog.Logger
	migrated atomic.Bool
}

// SetMigrated records that this process applied (or found applied) every
// schema migration it knows; until then the node is not ready.
func (h *Health) SetMigrated() { h.migrated.Store(true) }

// Live answers 200 while the process serves HTTP at all: restart it when
// this fails. It touches nothing else, so a slow database never gets a
// healthy node killed.
func (h *Health) Live(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// Ready answers 200 when the schema migrations are applied and the
// database answers a read within the timeout, else 503 with the reason:
// send no traffic to the node until it passes.
func (h *Health) Ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !h.migrated.Load() {
		http.Error(w, "not ready: schema migrations not applied yet", http.StatusServiceUnavailable)
		return
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if _, err := h.Store.Setting(ctx, store.SettingBaseURL); err != nil && !errors.Is(err, store.ErrNotFound) {
		// The error itself may name hosts or users: it goes to the log,
		// not to whoever probes.
		logger := h.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.Warn("readiness: database read failed", "err", err)
		http.Error(w, "not ready: the database does not answer", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
