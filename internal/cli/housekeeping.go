package cli

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// sweepInterval is how often a server deletes expired sessions, access
// tokens, authorization codes and refresh tokens. They are refused when
// presented anyway; deleting them keeps the tables from growing without
// bound.
const sweepInterval = 10 * time.Minute

// sweep deletes what has expired at now and returns how many rows of each
// kind went.
func sweep(ctx context.Context, st store.Store, now time.Time) (sessions, tokens, oauth int64, err error) {
	var e1, e2, e3 error
	sessions, e1 = st.DeleteExpiredSessions(ctx, now)
	tokens, e2 = st.DeleteExpiredAccessTokens(ctx, now)
	oauth, e3 = st.DeleteExpiredOAuth(ctx, now)
	return sessions, tokens, oauth, errors.Join(e1, e2, e3)
}

// runSweeper sweeps at start and then every interval until ctx ends. A
// failure is logged and tried again at the next tick.
func runSweeper(ctx context.Context, st store.Store, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s, tk, o, err := sweep(ctx, st, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("deleting expired sessions and tokens", "err", err)
		case s+tk+o > 0:
			logger.Info("deleted expired sessions and tokens", "sessions", s, "access_tokens", tk, "oauth_codes_and_refresh_tokens", o)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
