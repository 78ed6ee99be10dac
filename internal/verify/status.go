package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
)

// StatusChecker reads a credential's status bits from its issuer's status
// lists; *status.Checker is the implementation.
type StatusChecker interface {
	Check(ctx context.Context, e status.Entry, issuer string, keys proof.KeyResolver, now time.Time) (status.Result, error)
}

// checkStatus adds the "status" check for a credential that carries
// credentialStatus entries; a credential without any gets no status check
// (it cannot be revoked, and the report does not pretend otherwise by
// showing a passed check). Without a StatusChecker (offline verification
// without the list) the check fails: a verifier that cannot see the list
// cannot say the credential is not revoked.
func checkStatus(ctx context.Context, rep *Report, opt Options, now time.Time) {
	raw, present := rep.Credential["credentialStatus"]
	if !present {
		return
	}
	entries, err := status.ParseEntries(raw)
	if err != nil {
		rep.add("status", false, "the credential's status cannot be read: %v", err)
		return
	}
	if len(entries) == 0 {
		return
	}
	if opt.Status == nil {
		rep.add("status", false, "not checked: the issuer's status list is not available offline (verify online, or give the list with --status-list FILE)")
		return
	}
	issuer := issuerID(rep.Credential)
	var clear []string
	for _, e := range entries {
		r, err := opt.Status.Check(ctx, e, issuer, opt.Keys, now)
		if err != nil {
			rep.add("status", false, "the %s status could not be checked: %v", e.StatusPurpose, err)
			return
		}
		if !r.Set {
			clear = append(clear, e.StatusPurpose)
			continue
		}
		switch e.StatusPurpose {
		case status.Purposes[0]: // revocation
			rep.add("status", false, "revoked: the issuer's revocation list (%s) marks this credential as revoked, so it is no longer valid", e.StatusListCredential)
		case status.Purposes[1]: // suspension
			rep.add("status", false, "suspended: the issuer's suspension list (%s) marks this credential as suspended; it is not valid while the suspension lasts, which the issuer may lift", e.StatusListCredential)
		default:
			rep.add("status", false, "the issuer's %s list (%s) has this credential's entry set", e.StatusPurpose, e.StatusListCredential)
		}
		return
	}
	rep.add("status", true, "not %s: checked against the issuer's signed status lists", strings.Join(pastTense(clear), " and not "))
}

func pastTense(purposes []string) []string {
	out := make([]string, len(purposes))
	for i, p := range purposes {
		switch p {
		case "revocation":
			out[i] = "revoked"
		case "suspension":
			out[i] = "suspended"
		default:
			out[i] = fmt.Sprintf("flagged for %s", p)
		}
	}
	return out
}
