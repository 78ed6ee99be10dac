package cli

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// runRenew handles
//
//	microcred renew [--data DIR | --db URL] --id CREDENTIAL_ID [--valid-until YYYY-MM-DD|RFC3339]
//
// It issues a new credential for the same recipient and achievement that
// replaces the given one (see issue.Service.Renew) and prints the new
// credential's id and public URL. CREDENTIAL_ID takes the same forms as
// revoke's --id. Without --valid-until the renewal keeps the old
// credential's validity period, counted from now. Exit status 0 on
// success; 2 for bad input (missing flag, unknown id, a date that is not
// in the future); 1 when the credential may not be renewed (revoked,
// suspended, renewed already) or renewing fails.
//
// The public URL is built from the base URL the server last ran with, so
// that the credential's did:web issuer resolves to the same server.
func runRenew(e *env, args []string) int {
	fs := newFlags("renew", e)
	data := addDataFlags(fs)
	id := fs.String("id", "", "the credential: urn:uuid:..., the bare uuid or its public URL (required)")
	until := fs.String("valid-until", "", "expiry of the renewal: `DATE` (YYYY-MM-DD, end of validity at 00:00 UTC) or an RFC 3339 date-time; default: the old validity period from now")
	actor := fs.String("actor", "cli", "who is acting, for the audit log")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "renew: %v", err)
	}
	if strings.TrimSpace(*id) == "" {
		return fail(e, exitBadInput, "renew: --id is required")
	}
	credID, ok := credentialIDOf(*id)
	if !ok {
		return fail(e, exitBadInput, "renew: --id %q is not a credential id, uuid or credential URL", *id)
	}
	validUntil, err := parseValidUntil(*until)
	if err != nil {
		return fail(e, exitBadInput, "renew: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitBadInput, "renew: %v", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "renew: migrating %s: %v", data.describe(), err)
	}
	master, err := data.masterKey()
	if err != nil {
		return fail(e, exitBadInput, "renew: %v", err)
	}
	base, err := st.Setting(ctx, store.SettingBaseURL)
	if errors.Is(err, store.ErrNotFound) || (err == nil && base == "") {
		return fail(e, exitBadInput, "renew: %s has no base URL yet: run 'microcred serve' (or demo) on it once", data.describe())
	}
	if err != nil {
		return fail(e, exitFailed, "renew: reading the base URL: %v", err)
	}
	svc := &issue.Service{Store: st, Master: master, BaseURL: base}
	c, err := svc.Renew(ctx, credID, validUntil, *actor)
	var fe issue.FieldErrors
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail(e, exitBadInput, "renew: no credential %s in %s", credID, data.describe())
	case errors.As(err, &fe):
		return fail(e, exitBadInput, "renew: %v", err)
	case errors.Is(err, issue.ErrNotRenewable):
		return fail(e, exitFailed, "renew: refused: %s", strings.TrimPrefix(err.Error(), issue.ErrNotRenewable.Error()+": "))
	case err != nil:
		return fail(e, exitFailed, "renew: %v", err)
	}
	expiry := "no expiry"
	if c.ValidUntil != nil {
		expiry = "valid until " + c.ValidUntil.UTC().Format(time.RFC3339)
	}
	e.printf("renewed %s by %s (%s) %s\n", credID, c.ID, expiry, svc.PublicURL(c))
	return exitOK
}

// parseValidUntil reads --valid-until: a date (the renewal is valid until
// that day begins, UTC, as in the web form) or an RFC 3339 date-time. ""
// is the zero time.
func parseValidUntil(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := credential.ParseDateTime(s)
	if err != nil {
		return time.Time{}, errors.New("--valid-until " + s + " is neither a date (2030-12-31) nor an RFC 3339 date-time (2030-12-31T23:59:59Z)")
	}
	return t, nil
}
