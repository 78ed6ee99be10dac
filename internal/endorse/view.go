package endorse

import (
	"context"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

// Plain verdicts of an endorsement as pages show them.
const (
	LabelVerified      = "Verified"
	LabelWithdrawn     = "Withdrawn"
	LabelCouldNotCheck = "Could not check"
	LabelNotVerified   = "Not verified"
)

// View is an endorsement with the outcome of checking it now.
type View struct {
	store.Endorsement
	Label   string         // one of the Label constants
	Reason  string         // the plain sentence behind a label other than Verified
	Checks  []verify.Check // the technical detail
	Verdict verify.Verdict
	// UUID is the id without "urn:uuid:" when the endorsement has a
	// public page (/endorsements/UUID), "" otherwise.
	UUID string
}

// Judge labels a verification report of an endorsement. A revocation is
// the endorser's withdrawal, which is not the same as a forgery, so it has
// its own word.
func Judge(rep *verify.Report) (label, why string) {
	switch rep.Verdict {
	case verify.Verified:
		return LabelVerified, ""
	case verify.CouldNotCheck:
		return LabelCouldNotCheck, reason(rep)
	}
	for _, c := range rep.Checks {
		if c.State == verify.Failed && strings.HasPrefix(c.Detail, "revoked:") {
			return LabelWithdrawn, "The endorser has withdrawn this endorsement."
		}
	}
	return LabelNotVerified, reason(rep)
}

// Check verifies a stored endorsement now.
func (s *Service) Check(ctx context.Context, e store.Endorsement) View {
	v := View{Endorsement: e}
	if u, ok := strings.CutPrefix(e.ID, "urn:uuid:"); ok {
		v.UUID = u
	}
	rep, err := s.Issuer.Verify(ctx, []byte(e.Document))
	if err != nil {
		v.Label, v.Reason, v.Verdict = LabelNotVerified, "The stored endorsement cannot be read as a credential.", verify.NotVerified
		return v
	}
	v.Label, v.Reason = Judge(rep)
	v.Checks, v.Verdict = rep.Checks, rep.Verdict
	return v
}

// MaxShown bounds the endorsements a page lists (each is verified).
const MaxShown = 20

// About returns the endorsements, checked, of an achievement (its store
// id; "" for none) and of the issuer profile of the organization orgID:
// what an achievement page and a credential page show.
func (s *Service) About(ctx context.Context, orgID, achievementID string) ([]View, error) {
	var list []store.Endorsement
	seen := map[string]bool{}
	add := func(q store.EndorsementQuery) error {
		q.Limit = MaxShown
		got, err := s.Store.ListEndorsements(ctx, q)
		if err != nil {
			return fmt.Errorf("endorse: list: %w", err)
		}
		for _, e := range got {
			if !seen[e.ID] {
				seen[e.ID] = true
				list = append(list, e)
			}
		}
		return nil
	}
	if achievementID != "" {
		if err := add(store.EndorsementQuery{SubjectAchievementID: achievementID}); err != nil {
			return nil, err
		}
	}
	if orgID != "" {
		if err := add(store.EndorsementQuery{SubjectOrgID: orgID, SubjectKind: store.EndorsedProfile}); err != nil {
			return nil, err
		}
	}
	if len(list) > MaxShown {
		list = list[:MaxShown]
	}
	out := make([]View, len(list))
	for i, e := range list {
		out[i] = s.Check(ctx, e)
	}
	return out, nil
}

// Page selects a page of a list: Limit (0 for the store's default of
// 100, at most 1000) from Offset.
type Page struct{ Limit, Offset int }

// Given returns the endorsements the organization gave, newest first,
// and Received those it attached or that others here gave it, checked.
func (s *Service) Given(ctx context.Context, orgID string, page Page) ([]View, error) {
	got, err := s.Store.ListEndorsements(ctx, store.EndorsementQuery{OrgID: orgID, Direction: store.EndorsementGiven, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return nil, fmt.Errorf("endorse: list: %w", err)
	}
	out := make([]View, len(got))
	for i, e := range got {
		out[i] = s.Check(ctx, e)
	}
	return out, nil
}

// Received returns the endorsements of the organization's achievements
// and profile: those others on this server gave and those it attached.
func (s *Service) Received(ctx context.Context, orgID string, page Page) ([]View, error) {
	got, err := s.Store.ListEndorsements(ctx, store.EndorsementQuery{SubjectOrgID: orgID, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return nil, fmt.Errorf("endorse: list: %w", err)
	}
	out := make([]View, len(got))
	for i, e := range got {
		out[i] = s.Check(ctx, e)
	}
	return out, nil
}
