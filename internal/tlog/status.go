package tlog

import (
	"context"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// statusKinds maps the audit actions of status changes to event kinds.
var statusKinds = map[string]Kind{
	"credential.revoke":    KindRevoke,
	"credential.suspend":   KindSuspend,
	"credential.unsuspend": KindUnsuspend,
}

// OnStatusChange appends the log entry of a revocation, suspension or
// unsuspension through tx, the transaction that changes the status. It has
// the shape of status.Service.OnChange (status.ChangeHook); set
// OnChange: tlog.OnStatusChange where a status.Service is built. An action
// it does not know is an error, so that a new kind of change cannot go
// unlogged silently.
func OnStatusChange(ctx context.Context, tx store.Store, c store.Credential, action string, at time.Time) error {
	kind, ok := statusKinds[action]
	if !ok {
		return fmt.Errorf("tlog: no log event for status action %q", action)
	}
	_, err := Append(ctx, tx, CredentialEvent(kind, c, at))
	return err
}
