package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// statusChanges gives the registrars' tools and the impact report the
// rest of a credential's life: at each organization one credential
// revoked with a reason, and the certificates that expired renewed for
// all but one learner (so that the demo still shows an expired
// credential). Revocations are taken from the most recent learners'
// ordinary ldp-rdfc credentials, never from the few of each format the
// checks below the seed look at first. A resumed seed skips what was
// done.
func (s *seeder) statusChanges(ctx context.Context, orgs []*demoOrg) error {
	statuses := s.svc.StatusService()
	revoked := map[string]bool{}
	var expired []store.Credential
	for i := s.plain - 1; i >= 0; i-- {
		c, err := s.st.Credential(ctx, s.res.CredentialIDs[i])
		if err != nil {
			return fmt.Errorf("loading credential %s: %w", s.res.CredentialIDs[i], err)
		}
		state, err := statuses.State(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("status of %s: %w", c.ID, err)
		}
		switch {
		case state.Revoked:
			revoked[c.OrgID] = true
		case c.ValidUntil != nil && c.ValidUntil.Before(s.now):
			expired = append(expired, c)
		case !revoked[c.OrgID] && c.Format == store.FormatLDPRDFC:
			actor := ownerOf(orgs, c.OrgID)
			if actor == "" {
				continue // a credential of an organization the demo does not own
			}
			if _, err := statuses.Revoke(ctx, c.ID, "Issued to the wrong learner: the assessment was recorded against another student.", actor); err != nil {
				return fmt.Errorf("revoking %s: %w", c.ID, err)
			}
			revoked[c.OrgID] = true
		}
	}
	for _, c := range expired[:max(0, len(expired)-1)] {
		actor := ownerOf(orgs, c.OrgID)
		if actor == "" {
			continue
		}
		renewal, err := s.svc.Renew(ctx, c.ID, s.now.AddDate(1, 0, 0).Truncate(time.Hour), actor)
		if errors.Is(err, issue.ErrNotRenewable) {
			continue // renewed by an earlier run
		}
		if err != nil {
			return fmt.Errorf("renewing %s: %w", c.ID, err)
		}
		s.res.Credentials++
		s.res.CredentialIDs = append(s.res.CredentialIDs, renewal.ID)
	}
	return nil
}

// ownerOf returns the owner of the demo organization orgID, or "".
func ownerOf(orgs []*demoOrg, orgID string) string {
	for _, o := range orgs {
		if o.org.ID == orgID {
			return o.owner.ID
		}
	}
	return ""
}
