// Package analytics turns what happens to credentials into an
// organization's impact report: the kinds of events microcred records, the
// metrics computed from their daily rollups (issued, claim, share and
// third-party verification rates, unique verifier domains, time from
// application to award, credit awarded, the learners' and employers' pulse
// answers), with Wilson 95% intervals for proportions and small cells
// suppressed, and the accessible SVG charts that show them. It reads the
// store; it never writes credentials.
package analytics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Kinds of events.
const (
	Issued            = "issued" // counted per committed batch by issuance
	Claimed           = "claimed"
	Shared            = "shared"   // Dim: the channel (linkedin, link, email, embed, pdf)
	Viewed            = "viewed"   // the public page, by someone other than the learner
	Verified          = "verified" // by a third party; Dim: page, api, qr
	Revoked           = "revoked"
	Expired           = "expired" // once per credential, on the day its validUntil passed
	Suspended         = "suspended"
	Renewed           = "renewed"
	Stacked           = "stacked"
	CreditAwarded     = "credit_awarded" // Value: credits
	EvidenceSubmitted = "evidence_submitted"
	EvidenceApproved  = "evidence_approved" // Value: days from application to award
	PulseStandout     = "pulse_standout"    // Dim: yes or no
	PulseHire         = "pulse_hire"        // Dim: yes or no
)

// MinCell is the smallest count of learners a cell shows: below it (and
// above zero) the value is suppressed, so that a report never singles out
// a handful of people.
const MinCell = 5

// Proportion is k of n with its Wilson 95% interval.
type Proportion struct {
	K, N      int64
	P         float64
	Low, High float64
	// Suppressed is set when n is below MinCell: P and the interval are
	// then not shown.
	Suppressed bool
}

// NewProportion computes k/n and its Wilson score interval at 95%
// (z = 1.959964). The Wilson interval stays inside [0, 1] and behaves at
// small n and at 0 or n successes, unlike the normal approximation.
func NewProportion(k, n int64) Proportion {
	p := Proportion{K: k, N: n}
	if n < MinCell {
		p.Suppressed = true
		return p
	}
	const z = 1.959964
	nf, pf := float64(n), float64(k)/float64(n)
	denom := 1 + z*z/nf
	center := (pf + z*z/(2*nf)) / denom
	half := z * math.Sqrt(pf*(1-pf)/nf+z*z/(4*nf*nf)) / denom
	p.P, p.Low, p.High = pf, math.Max(0, center-half), math.Min(1, center+half)
	return p
}

// Count is a number of learners or credentials, suppressed when 1..4.
type Count struct {
	N          int64
	Suppressed bool
}

// NewCount wraps n, suppressing 1 to MinCell-1.
func NewCount(n int64) Count { return Count{N: n, Suppressed: n > 0 && n < MinCell} }

// VerifierDomain reduces a verifier's claimed origin (an Origin or
// Referer header, or a domain typed on the verification page) to a host
// name, or "" when it is not one. Only the host is kept: no path, no user.
func VerifierDomain(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" || len(u.Hostname()) > 253 {
		return ""
	}
	h := u.Hostname()
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':') {
			return ""
		}
	}
	return strings.TrimPrefix(h, "www.")
}

// Recorder is what Record needs of the store.
type Recorder interface {
	RecordEvent(ctx context.Context, e store.Event) error
}

// Record stores e. A share or a third-party verification is also counted
// once per credential as its first ("first.shared", "first.verified"), the
// numerator of the share and verification rates; a claim counts only once.
func Record(ctx context.Context, st Recorder, e store.Event) error {
	if e.Kind == Claimed {
		e.Once = true
	}
	if err := st.RecordEvent(ctx, e); err != nil {
		return fmt.Errorf("analytics: record %s: %w", e.Kind, err)
	}
	if (e.Kind == Shared || e.Kind == Verified) && e.CredentialID != "" {
		first := store.Event{OrgID: e.OrgID, AchievementID: e.AchievementID, CredentialID: e.CredentialID, Kind: "first." + e.Kind, Once: true, At: e.At}
		if err := st.RecordEvent(ctx, first); err != nil {
			return fmt.Errorf("analytics: record first %s: %w", e.Kind, err)
		}
	}
	return nil
}

// ExpiryStore is what RecordExpiries needs of the store.
type ExpiryStore interface {
	Recorder
	ExpiredCredentials(ctx context.Context, after, upTo time.Time, fn func(store.ExpiredCredential) error) error
	Setting(ctx context.Context, name string) (string, error)
	SetSetting(ctx context.Context, name, value string) error
}

// expiredThrough is the setting that holds the instant up to which
// expiries have been recorded.
const expiredThrough = "analytics.expired_through"

// expiryLookBack is how far behind expiredThrough each sweep starts.
const expiryLookBack = 24 * time.Hour

// RecordExpiries records an Expired event, dated at its validUntil, for
// each credential that expired since the last call (the first call
// catches up from the beginning), and returns how many it found (counted
// or, from the overlap with the last call, counted before). Nothing
// happens at the moment a credential expires, so the server's housekeeping
// calls this periodically. An expiry is counted once per credential, so
// two servers of one database sweeping at once count it once.
func RecordExpiries(ctx context.Context, st ExpiryStore, now time.Time) (int, error) {
	var after time.Time
	switch v, err := st.Setting(ctx, expiredThrough); {
	case err == nil:
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil {
			return 0, fmt.Errorf("analytics: setting %s = %q: %w", expiredThrough, v, perr)
		}
		after = t
	case !errors.Is(err, store.ErrNotFound):
		return 0, fmt.Errorf("analytics: read %s: %w", expiredThrough, err)
	}
	// Each sweep looks a day further back than where the last one stopped:
	// a credential stored after a sweep with a validUntil already behind
	// it (a bulk job finishing, a restore) is then still counted. Once
	// per credential keeps the overlap from counting anything twice.
	if !after.IsZero() {
		after = after.Add(-expiryLookBack)
	}
	n := 0
	err := st.ExpiredCredentials(ctx, after, now, func(c store.ExpiredCredential) error {
		n++
		return Record(ctx, st, store.Event{OrgID: c.OrgID, AchievementID: c.AchievementID, CredentialID: c.ID, Kind: Expired, Once: true, At: c.ValidUntil})
	})
	if err != nil {
		return n, fmt.Errorf("analytics: expiries: %w", err)
	}
	if err := st.SetSetting(ctx, expiredThrough, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return n, fmt.Errorf("analytics: save %s: %w", expiredThrough, err)
	}
	return n, nil
}
