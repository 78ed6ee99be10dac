package cli

import (
	"context"
	"errors"
	"github.com/microcred/microcred/internal/issue"
	"regexp"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// runRevoke, runSuspend and runUnsuspend handle
//
//	microcred revoke|suspend|unsuspend [--data DIR | --db URL] --id CREDENTIAL_ID --reason TEXT
//
// CREDENTIAL_ID is the credential's id (urn:uuid:...), the bare uuid or its
// public address (BASE/c/UUID, also with .json or .jwt). Exit status 0 with
// a one-line confirmation; 2 for bad input (missing flag, unknown id); 1
// when the change is refused in the credential's current status.
func runRevoke(e *env, args []string) int    { return runStatusChange(e, "revoke", args) }
func runSuspend(e *env, args []string) int   { return runStatusChange(e, "suspend", args) }
func runUnsuspend(e *env, args []string) int { return runStatusChange(e, "unsuspend", args) }

func runStatusChange(e *env, verb string, args []string) int {
	fs := newFlags(verb, e)
	data := addDataFlags(fs)
	id := fs.String("id", "", "the credential: urn:uuid:..., the bare uuid or its public URL (required)")
	reason := fs.String("reason", "", "why; recorded in the audit log, never published (required)")
	actor := fs.String("actor", "cli", "who is acting, for the audit log")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "%s: %v", verb, err)
	}
	if strings.TrimSpace(*id) == "" {
		return fail(e, exitBadInput, "%s: --id is required", verb)
	}
	if strings.TrimSpace(*reason) == "" {
		return fail(e, exitBadInput, "%s: --reason is required", verb)
	}
	credID, ok := credentialIDOf(*id)
	if !ok {
		return fail(e, exitBadInput, "%s: --id %q is not a credential id, uuid or credential URL", verb, *id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitBadInput, "%s: %v", verb, err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "%s: migrating %s: %v", verb, data.describe(), err)
	}
	svc := &status.Service{Store: st, OnChange: issue.OnStatusChange}
	op := map[string]func(context.Context, string, string, string) (status.State, error){
		"revoke": svc.Revoke, "suspend": svc.Suspend, "unsuspend": svc.Unsuspend,
	}[verb]
	state, err := op(ctx, credID, *reason, *actor)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail(e, exitBadInput, "%s: no credential %s in %s", verb, credID, data.describe())
	case errors.Is(err, status.ErrReason):
		return fail(e, exitBadInput, "%s: %v", verb, err)
	case errors.Is(err, status.ErrRefused):
		return fail(e, exitFailed, "%s: refused: %s", verb, strings.TrimPrefix(err.Error(), "status: refused: "))
	case err != nil:
		return fail(e, exitFailed, "%s: %v", verb, err)
	}
	past := map[string]string{"revoke": "revoked", "suspend": "suspended", "unsuspend": "unsuspended"}[verb]
	e.printf("%s %s (status now: %s)\n", past, credID, state.Label())
	return exitOK
}

var uuidInText = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// credentialIDOf turns the forms a person may paste (urn:uuid:X, X, or
// BASE/c/X with an optional .json or .jwt) into the stored id urn:uuid:x.
func credentialIDOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) > 9 && strings.EqualFold(s[:9], "urn:uuid:"):
		s = s[9:]
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		i := strings.LastIndex(s, "/c/")
		if i < 0 {
			return "", false
		}
		s = strings.SplitN(s[i+3:], "?", 2)[0]
		s = strings.TrimSuffix(strings.TrimSuffix(s, ".json"), ".jwt")
	}
	if !uuidInText.MatchString(s) {
		return "", false
	}
	return "urn:uuid:" + strings.ToLower(s), true
}
