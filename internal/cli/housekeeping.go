package cli

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// sweepInterval is how often a server deletes expired sessions, access
// tokens, authorization codes and refresh tokens, and counts the
// credentials that expired for the impact report. Expired tokens are
// refused when presented anyway; deleting them keeps the tables from
// growing without bound.
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
		now := time.Now()
		s, tk, o, err := sweep(ctx, st, now)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("deleting expired sessions and tokens", "err", err)
		case s+tk+o > 0:
			logger.Info("deleted expired sessions and tokens", "sessions", s, "access_tokens", tk, "oauth_codes_and_refresh_tokens", o)
		}
		// Credentials expire silently; the impact report counts them here.
		if n, err := analytics.RecordExpiries(ctx, st, now); err != nil && ctx.Err() == nil {
			logger.Warn("recording expired credentials for the impact report", "err", err)
		} else if n > 0 {
			logger.Info("recorded expired credentials for the impact report", "credentials", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
