package pathway

import (
	"time"
)

// Status is what verification said about a credential.
type Status string

// Verification states. Only Verified credentials count; the others drop
// out of the audit with a line saying why. Unchecked is not Invalid: a
// credential that could not be checked (its issuer's status list was
// unreachable, say) is held back, never called false.
const (
	Verified  Status = "verified"
	Revoked   Status = "revoked"
	Suspended Status = "suspended"
	Expired   Status = "expired"
	Invalid   Status = "invalid"
	Unchecked Status = "unchecked"
)

// Credential is one credential of a learner as the audit sees it: who
// issued it for which achievement, the credit it is recommended for, its
// results and dates, and what verification said about it.
type Credential struct {
	ID            string `json:"id"`
	Issuer        string `json:"issuer"` // the issuer's DID or id
	IssuerName    string `json:"issuerName,omitempty"`
	AchievementID string `json:"achievementId"`
	Name          string `json:"name,omitempty"` // the achievement's name
	// Credits are the credit recommendations the achievement carries.
	Credits    []Credit  `json:"credits,omitempty"`
	Results    []Result  `json:"results,omitempty"`
	IssuedAt   time.Time `json:"issuedAt"`
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
	Status     Status    `json:"status"`
	// StatusDetail says in plain words why the status is what it is.
	StatusDetail string `json:"statusDetail,omitempty"`
}

// Credit is one credit recommendation: an amount in a framework (ACE,
// ECTS, NCrF) at a level.
type Credit struct {
	Framework string  `json:"framework"`
	Amount    float64 `json:"amount"`
	Level     string  `json:"level,omitempty"`
}

// Result is one result of a credential (a grade, a score, a status).
type Result struct {
	// Name is the result description's name or id.
	Name  string `json:"name"`
	Value string `json:"value"`
}

// title names the credential in explanations.
func (c *Credential) title() string {
	if c.Name != "" {
		return c.Name
	}
	return c.AchievementID
}

// standing says whether c counts on the audit date, and why not.
func (c *Credential) standing(asOf time.Time) (bool, string) {
	switch c.Status {
	case Verified:
	case Revoked:
		return false, "revoked by its issuer"
	case Suspended:
		return false, "suspended by its issuer"
	case Expired:
		return false, "expired"
	case Invalid:
		return false, "does not verify"
	case Unchecked:
		return false, "could not be checked yet; it will count once it can be verified"
	default:
		return false, "has not been verified"
	}
	if !c.ValidUntil.IsZero() && !asOf.Before(c.ValidUntil) {
		return false, "expired on " + c.ValidUntil.UTC().Format(time.DateOnly)
	}
	if !c.ValidFrom.IsZero() && asOf.Before(c.ValidFrom) {
		return false, "not valid until " + c.ValidFrom.UTC().Format(time.DateOnly)
	}
	if c.IssuedAt.IsZero() {
		return false, "has no issue date"
	}
	return true, ""
}
