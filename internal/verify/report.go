package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// State is the outcome of one check.
type State string

// The states of a check. A warning is a finding that does not change the
// verdict; "not checked" means the check could not be carried out, which
// is not the same as failing it.
const (
	Passed     State = "passed"
	Failed     State = "failed"
	NotChecked State = "not_checked"
	Warning    State = "warning"
)

// Verdict is the outcome of a verification, one of three.
type Verdict string

// The three verdicts. NotVerified means a check failed (signature,
// revoked, suspended, expired, not yet valid, issuer mismatch, a rule the
// verification procedures require); CouldNotCheck means nothing failed but
// a check that matters could not be carried out (unsupported format or
// suite, issuer or status list unreachable, offline without the needed
// document), so the credential is neither confirmed nor refuted.
const (
	Verified      Verdict = "verified"
	NotVerified   Verdict = "not_verified"
	CouldNotCheck Verdict = "could_not_check"
)

// Headline is the plain-language sentence for a verdict, for the top of a
// page or a CLI report.
func (v Verdict) Headline() string {
	switch v {
	case Verified:
		return "Verified: this credential is genuine, unaltered and currently valid."
	case NotVerified:
		return "Not verified: a check failed, so do not rely on this credential."
	default:
		return "Could not be checked: nothing was found wrong, but the checks could not all be carried out, so this credential is neither confirmed nor refuted."
	}
}

// Check is one step of verification: what was checked, in plain words for
// a person (Summary), and the technical detail beside it (Detail).
type Check struct {
	Name  string `json:"name"`
	State State  `json:"state"`
	// OK is true when the check passed or only warns; kept for clients of
	// the two-outcome report.
	OK      bool   `json:"ok"`
	Summary string `json:"summary"`
	Detail  string `json:"detail"`
	// Advisory marks a not-checked result that does not hold up the
	// verdict: an unsupported second proof beside one by the issuer that
	// verified, or the issuer check when no signature could be judged
	// (the signature check already says so).
	Advisory bool `json:"advisory,omitempty"`
}

// Report is the outcome of verifying one credential.
type Report struct {
	Verdict Verdict `json:"verdict"`
	// Verified is Verdict == Verified.
	Verified bool `json:"verified"`
	// Summary is Verdict.Headline().
	Summary string `json:"summary"`
	// Format says what was read: a JSON credential with Data Integrity
	// proofs, or a JWT with its algorithm.
	Format string  `json:"format"`
	Checks []Check `json:"checks"`
	// Credential is the decoded credential (the JWT payload for a VC-JWT,
	// or its vc claim). When the verdict is not Verified its claims are
	// unverified, and displays must say so.
	Credential map[string]any `json:"-"`
	// Embedded are the reports of the credentials a Comprehensive
	// Learner Record (CLR 2.0) embeds, in order; nil for other
	// credentials. The record's own Verdict does not include them (a
	// genuine record may hold a credential revoked since it was signed);
	// EmbeddedVerdict is the worst of theirs.
	Embedded        []Embedded `json:"embedded,omitempty"`
	EmbeddedVerdict Verdict    `json:"embeddedVerdict,omitempty"`
}

func (r *Report) add(name string, state State, summary, detail string) *Check {
	r.Checks = append(r.Checks, Check{Name: name, State: state, OK: state == Passed || state == Warning, Summary: summary, Detail: detail})
	return &r.Checks[len(r.Checks)-1]
}

func (r *Report) pass(name, summary, detail string) *Check {
	return r.add(name, Passed, summary, detail)
}
func (r *Report) fail(name, summary, detail string) *Check {
	return r.add(name, Failed, summary, detail)
}
func (r *Report) warn(name, summary, detail string) *Check {
	return r.add(name, Warning, summary, detail)
}
func (r *Report) notChecked(name, summary, detail string) *Check {
	return r.add(name, NotChecked, summary, detail)
}

// finish computes the verdict: not verified when any check failed; could
// not check when a check that matters was not carried out, or nothing was
// checked at all; verified otherwise.
func (r *Report) finish() *Report {
	r.Verdict = Verified
	if len(r.Checks) == 0 {
		r.Verdict = CouldNotCheck
	}
	for _, c := range r.Checks {
		switch {
		case c.State == Failed:
			r.Verdict = NotVerified
		case c.State == NotChecked && !c.Advisory && r.Verdict == Verified:
			r.Verdict = CouldNotCheck
		}
	}
	r.Verified = r.Verdict == Verified
	r.Summary = r.Verdict.Headline()
	return r
}

// Problems returns the checks that failed or could not be carried out
// (advisory ones excluded), the reasons behind a verdict other than
// Verified.
func (r *Report) Problems() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.State == Failed || (c.State == NotChecked && !c.Advisory) {
			out = append(out, c)
		}
	}
	return out
}

// UnusableError is input that could not be checked at all: not JSON, not
// a JWT, truncated. errors.Is(err, ErrUnusable) holds for it; Reason is a
// sentence fit to show the person who gave the input.
type UnusableError struct{ Reason string }

func (e *UnusableError) Error() string { return "unusable input: " + e.Reason }

// Is makes errors.Is(err, ErrUnusable) true.
func (e *UnusableError) Is(target error) bool { return target == ErrUnusable }

// ErrUnusable marks input that could not be checked at all. The CLI maps
// it to exit code 2; the APIs to 400.
var ErrUnusable = errors.New("unusable input")

func unusable(format string, a ...any) error {
	return &UnusableError{Reason: fmt.Sprintf(format, a...)}
}

// Reason returns the sentence to show for an error of Credential or
// Presentation: the reason of an UnusableError, or a generic sentence for
// anything else, so that no internal error chain reaches a person.
func Reason(err error) string {
	var u *UnusableError
	if errors.As(err, &u) {
		return u.Reason
	}
	return "the input could not be verified"
}

// packagePrefix matches the "pkg: " prefixes Go errors gather on their way
// up; they mean nothing to the reader of a report.
var packagePrefix = regexp.MustCompile(`\b(verify|status|proof|jsonld|did|credential|issue|rdfc|fetch)( JWT)?: `)

// clean turns an error into a technical detail fit for a report: package
// prefixes removed, nil values named.
func clean(err error) string {
	if err == nil {
		return ""
	}
	s := packagePrefix.ReplaceAllString(err.Error(), "")
	s = strings.ReplaceAll(s, "<nil>", "(missing)")
	s = strings.ReplaceAll(s, `""`, "(empty)")
	return s
}

// netSafe describes an error met while fetching a document without the
// network detail behind it: the addresses of resolvers, proxies and hosts
// are the verifier's business, not the reader's. Other errors are
// cleaned as by clean.
func netSafe(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	var ue *url.Error
	switch {
	case errors.As(err, &dns):
		return "the host name " + dns.Name + " could not be resolved"
	case errors.Is(err, context.DeadlineExceeded):
		return "the server did not answer in time"
	case errors.As(err, &op):
		return "the server could not be reached"
	case errors.As(err, &ue):
		if ue.Timeout() {
			return "the server did not answer in time"
		}
		return "the server could not be reached"
	}
	return clean(err)
}
