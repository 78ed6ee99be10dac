package cli

import (
	"context"
	"time"
)

// runMigrate handles "microcred migrate [--data DIR | --db URL]": it creates
// the database when needed and applies the embedded schema migrations not yet
// recorded in it.
func runMigrate(e *env, args []string) int {
	fs := newFlags("migrate", e)
	data := addDataFlags(fs)
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "migrate: %v", err)
	}
	ctx := context.Background()
	st, err := data.openStore(ctx, true)
	if err != nil {
		return fail(e, exitFailed, "migrate: %v", err)
	}
	defer st.Close()
	// A schema-less database fails this read; that tells a first
	// migration from an upgrade check, which Migrate itself does not report.
	_, probeErr := st.ListOrganizations(ctx)
	start := time.Now()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "migrate: %s: %v", data.describe(), err)
	}
	what := "schema was present; pending migrations, if any, applied"
	if probeErr != nil {
		what = "schema created"
	}
	e.printf("migrated %s: %s (%s)\n", data.describe(), what, time.Since(start).Round(time.Millisecond))
	return exitOK
}
