package verify

import (
	"context"
	"errors"
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
// credentialStatus entries (BitstringStatusListEntry, StatusList2021Entry,
// 1EdTechRevocationList); a credential without any gets no status check
// (it cannot be revoked, and the report does not pretend otherwise by
// showing a passed check). Revoked or suspended fails the check. A list
// that cannot be fetched, read or trusted, an entry of an unknown type, or
// no list source at all (offline) leaves it not checked: a verifier that
// cannot see the list cannot say the credential is revoked, nor that it is
// not.
func checkStatus(ctx context.Context, rep *Report, opt Options, now time.Time) {
	const name = "status"
	raw, present := rep.Credential["credentialStatus"]
	if !present {
		return
	}
	entries, err := status.ParseEntries(raw)
	if errors.Is(err, status.ErrUnsupportedEntry) {
		rep.notChecked(name, "The credential uses a kind of revocation list microcred cannot read, so whether it was revoked is unknown.", clean(err))
		return
	}
	if err != nil {
		rep.notChecked(name, "The credential's revocation information cannot be read, so whether it was revoked is unknown.", clean(err))
		return
	}
	if len(entries) == 0 {
		return
	}
	if opt.Status == nil {
		rep.notChecked(name, "Whether the issuer has revoked this credential was not checked: its status list is not available offline.",
			"status list "+entries[0].StatusListCredential+" not available (verify online, or give the list with --status-list FILE)")
		return
	}
	issuer := issuerID(rep.Credential)
	id, _ := rep.Credential["id"].(string)
	var clear, notes []string
	for _, e := range entries {
		e.CredentialID = id
		r, err := opt.Status.Check(ctx, e, issuer, opt.Keys, now)
		if err != nil {
			rep.notChecked(name, fmt.Sprintf("The issuer's %s list could not be checked, so whether this credential was %s is unknown.", e.StatusPurpose, pastTense(e.StatusPurpose)),
				statusDetail(err, e.StatusListCredential))
			return
		}
		if !r.Set {
			clear = append(clear, e.StatusPurpose)
			continue
		}
		switch e.StatusPurpose {
		case status.Purposes[0]: // revocation
			rep.fail(name, "The issuer has revoked this credential: it is no longer valid.",
				fmt.Sprintf("revoked: the %s at %s marks this credential as revoked", e.Kind(), e.StatusListCredential))
			return
		case status.Purposes[1]: // suspension
			rep.fail(name, "The issuer has suspended this credential: it is not valid while the suspension lasts, which the issuer may lift.",
				fmt.Sprintf("suspended: the %s at %s marks this credential as suspended", e.Kind(), e.StatusListCredential))
			return
		default:
			// refresh, message and other purposes say something about
			// the credential, not against it.
			notes = append(notes, fmt.Sprintf("the %s list %s has this credential's entry set", e.StatusPurpose, e.StatusListCredential))
		}
	}
	words := make([]string, len(clear))
	for i, p := range clear {
		words[i] = pastTense(p)
	}
	detail := "not " + strings.Join(words, " and not ") + ": checked against the issuer's " + strings.Join(clear, " and ") + " entries"
	if len(notes) > 0 {
		rep.warn(name, "It is not "+strings.Join(words, " or ")+"; the issuer has flagged it for attention.", detail+"; "+strings.Join(notes, "; "))
		return
	}
	rep.pass(name, "The issuer has not "+strings.Join(words, " or ")+" it.", detail)
}

func pastTense(p string) string {
	switch p {
	case "revocation":
		return "revoked"
	case "suspension":
		return "suspended"
	}
	return "flagged for " + p
}

// statusDetail is the technical detail of a status list that could not be
// used: what was wrong with the list, or, for a list that could not be
// fetched, its address and the kind of failure without network detail.
func statusDetail(err error, listURL string) string {
	if d := netSafe(err); d != clean(err) {
		return "the status list " + listURL + " could not be fetched: " + d
	}
	return clean(err)
}
