package progress

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/store"
)

// Define validates a pathway or scheme document of an organization and
// stores it as the definition's next version, with an audit event, in
// one transaction. The document must parse and validate on its own and,
// in place of the current version of the same id, fit with the
// organization's other definitions (nested pathways exist, no loops,
// organizations and achievements named by slug exist); otherwise the
// error is an *InvalidError naming the field.
func (s *Service) Define(ctx context.Context, org store.Organization, kind store.PathwayKind, doc []byte, actor string) (store.PathwayDefinition, error) {
	var slug, name string
	switch kind {
	case store.PathwayKindPathway:
		p, err := pathway.ParsePathway(doc)
		if err != nil {
			return store.PathwayDefinition{}, &InvalidError{Kind: kind, Err: err}
		}
		slug, name = p.ID, p.Name
		if p.Award != nil {
			// The award must be an achievement of the organization's
			// catalog, named by slug or store id.
			if _, err := s.awardEntry(ctx, org, p.Award.AchievementID); err != nil {
				return store.PathwayDefinition{}, &InvalidError{Kind: kind, Err: fmt.Errorf("award.achievementId: %q is not an achievement of %s's catalog", p.Award.AchievementID, org.Name)}
			}
		}
	case store.PathwayKindScheme:
		sc, err := pathway.ParseScheme(doc)
		if err != nil {
			return store.PathwayDefinition{}, &InvalidError{Kind: kind, Err: err}
		}
		slug, name = sc.ID, sc.Name
	default:
		return store.PathwayDefinition{}, &InvalidError{Err: fmt.Errorf("kind: %q is not pathway or scheme", kind)}
	}
	// Keep the document as the author wrote it, compacted.
	var compact json.RawMessage
	if err := json.Unmarshal(doc, &compact); err != nil {
		return store.PathwayDefinition{}, &InvalidError{Kind: kind, Err: err}
	}
	l, err := s.loadCatalog(ctx)
	if err != nil {
		return store.PathwayDefinition{}, err
	}
	cand := store.PathwayDefinition{OrgID: org.ID, Kind: kind, Slug: slug, Name: name, Document: compact, CreatedBy: actor}
	ps, err := s.Store.ListPathwayDefinitions(ctx, org.ID, store.PathwayKindPathway)
	if err != nil {
		return store.PathwayDefinition{}, err
	}
	ss, err := s.Store.ListPathwayDefinitions(ctx, org.ID, store.PathwayKindScheme)
	if err != nil {
		return store.PathwayDefinition{}, err
	}
	if kind == store.PathwayKindPathway {
		ps = replace(ps, cand)
	} else {
		ss = replace(ss, cand)
	}
	if _, err := l.build(ctx, org, ps, ss); err != nil {
		return store.PathwayDefinition{}, err
	}
	var stored store.PathwayDefinition
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		var err error
		stored, err = tx.SavePathwayDefinition(ctx, cand)
		if err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"kind": kind, "name": name, "version": stored.Version})
		_, err = tx.AppendAudit(ctx, store.AuditEvent{OrgID: org.ID, Actor: actor, Action: "pathway.save", Target: string(kind) + ":" + slug, Detail: detail})
		return err
	})
	if err != nil {
		return store.PathwayDefinition{}, fmt.Errorf("save %s %s: %w", kind, slug, err)
	}
	return stored, nil
}

func replace(list []store.PathwayDefinition, d store.PathwayDefinition) []store.PathwayDefinition {
	for i := range list {
		if list[i].Slug == d.Slug {
			list[i] = d
			return list
		}
	}
	return append(list, d)
}

// awardEntry finds the achievement of org a pathway awards: by catalog
// slug, else by store id.
func (s *Service) awardEntry(ctx context.Context, org store.Organization, ref string) (store.Achievement, error) {
	a, err := s.Store.AchievementBySlug(ctx, org.ID, ref)
	if err == nil {
		return a, nil
	}
	a, err = s.Store.Achievement(ctx, ref)
	if err == nil && a.OrgID != org.ID {
		return store.Achievement{}, fmt.Errorf("achievement %q: %w", ref, store.ErrNotFound)
	}
	return a, err
}
