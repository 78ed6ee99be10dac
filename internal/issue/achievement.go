package issue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
)

// achievementURLPrefix is the prefix of the ids this server gives
// achievements: BaseURL/achievements/<store id>.
func (s *Service) achievementURLPrefix() string {
	s.init()
	return s.base + "/achievements/"
}

// AchievementURL returns the id a credential gives the achievement with
// store id achievementID: BaseURL + "/achievements/" + achievementID.
func (s *Service) AchievementURL(achievementID string) string {
	return s.achievementURLPrefix() + achievementID
}

// SaveAchievement validates a catalog entry and stores it, as a new
// achievement (version 1) or as a new version of an existing one, with the
// audit event "achievement.create" or "achievement.update", in one
// transaction. The entry's Provider is set to the organization's slug and
// its Version to the number stored.
//
// Which it is depends on a.ID:
//   - empty: a new achievement; a.ID becomes BaseURL/achievements/<id>;
//   - BaseURL/achievements/<id> with <id> one of the organization's
//     achievements: a new version of it;
//   - any other URL under BaseURL/achievements/ (such as the demo catalog's
//     BaseURL/achievements/<provider>/<slug>): a new achievement whose id is
//     rewritten to the canonical form, so that every local achievement id
//     resolves to its page;
//   - a URL or URN elsewhere: a new achievement keeping that id (an
//     achievement defined by someone else, issued here).
//
// Problems are returned as FieldErrors with catalog JSON paths.
func (s *Service) SaveAchievement(ctx context.Context, orgID string, a *catalog.Achievement, actor string) (store.CatalogEntry, error) {
	s.init()
	if a == nil {
		return store.CatalogEntry{}, FieldErrors{{Field: "", Problem: "missing achievement"}}
	}
	org, err := s.Store.Organization(ctx, orgID)
	if err != nil {
		return store.CatalogEntry{}, fmt.Errorf("issue: save achievement: %w", err)
	}
	a.Provider = org.Slug
	// The awarding body is the organization unless the achievement names
	// another: pages and the criteria text then say who awards it.
	if a.Creator == nil {
		a.Creator = &catalog.Profile{ID: s.base + "/orgs/" + org.Slug + "/profile.json", Name: org.Name, URL: org.URL, Email: org.Email}
	}

	existingID := ""
	newID := store.NewID()
	if rest, ok := strings.CutPrefix(a.ID, s.achievementURLPrefix()); ok {
		if rest != "" && !strings.Contains(rest, "/") {
			ex, err := s.Store.Achievement(ctx, rest)
			switch {
			case errors.Is(err, store.ErrNotFound) || (err == nil && ex.OrgID != orgID):
				return store.CatalogEntry{}, FieldErrors{{Field: "id", Problem: "is not an achievement of this organization"}}
			case err != nil:
				return store.CatalogEntry{}, fmt.Errorf("issue: save achievement: %w", err)
			}
			existingID = rest
		} else {
			a.ID = s.AchievementURL(newID)
		}
	} else if a.ID == "" {
		a.ID = s.AchievementURL(newID)
	}

	var entry store.CatalogEntry
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		if existingID == "" {
			a.Version = 1
		} else {
			cur, err := tx.Achievement(ctx, existingID)
			if err != nil {
				return err
			}
			a.Version = cur.CurrentVersion + 1
		}
		if err := a.Validate(); err != nil {
			return catalogErrors(err)
		}
		v, err := versionRow(a)
		if err != nil {
			return err
		}
		if existingID == "" {
			entry, err = tx.CreateAchievement(ctx, store.Achievement{ID: newID, OrgID: orgID, Slug: a.Slug}, v)
			if errors.Is(err, store.ErrConflict) && a.Slug != "" {
				return FieldErrors{{Field: "slug", Problem: "is already used by another achievement of this organization"}}
			}
			if err != nil {
				return err
			}
			return audit(ctx, tx, orgID, actor, "achievement.create", newID, map[string]any{"name": a.Name, "version": 1})
		}
		stored, err := tx.AddAchievementVersion(ctx, existingID, v)
		if err != nil {
			return err
		}
		if stored.Version != a.Version {
			// Another editor saved a version between our read and our
			// write; the document would claim the wrong number.
			return fmt.Errorf("%w: achievement was changed concurrently, try again", store.ErrConflict)
		}
		ach, err := tx.Achievement(ctx, existingID)
		if err != nil {
			return err
		}
		entry = store.CatalogEntry{Achievement: ach, Version: stored}
		return audit(ctx, tx, orgID, actor, "achievement.update", existingID, map[string]any{"name": a.Name, "version": stored.Version})
	})
	if existingID != "" {
		// The next credential must embed the new version (or, when the
		// save failed, find out what is current).
		s.cache.current.delete(existingID)
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return store.CatalogEntry{}, fe
	}
	if err != nil {
		return store.CatalogEntry{}, fmt.Errorf("issue: save achievement: %w", err)
	}
	return entry, nil
}

// catalogErrors converts catalog validation errors into FieldErrors.
func catalogErrors(err error) error {
	var ce catalog.FieldErrors
	if !errors.As(err, &ce) {
		return err
	}
	fe := make(FieldErrors, len(ce))
	for i, e := range ce {
		fe[i] = FieldError{Field: e.Field, Problem: e.Message}
	}
	return fe
}

// versionRow builds the store row of an entry: the JSON document and the
// search columns extracted from it.
func versionRow(a *catalog.Achievement) (store.AchievementVersion, error) {
	doc, err := json.Marshal(a)
	if err != nil {
		return store.AchievementVersion{}, fmt.Errorf("encode achievement: %w", err)
	}
	sf := a.SearchFields()
	return store.AchievementVersion{
		Document:         doc,
		Name:             sf.Name,
		Description:      sf.Description,
		EQFLevel:         sf.EQFLevel,
		NSQFLevel:        sf.NSQFLevel,
		ECTS:             sf.ECTS,
		CreditFrameworks: sf.Frameworks,
		Skills:           sf.Skills,
	}, nil
}

// Achievement returns a version of an achievement (0 means the current
// one), decoded, together with its store rows. The entry's Version is the
// stored version number.
func (s *Service) Achievement(ctx context.Context, achievementID string, version int) (*catalog.Achievement, store.CatalogEntry, error) {
	ach, err := s.Store.Achievement(ctx, achievementID)
	if err != nil {
		return nil, store.CatalogEntry{}, fmt.Errorf("issue: achievement: %w", err)
	}
	if version == 0 {
		version = ach.CurrentVersion
	}
	v, err := s.Store.AchievementVersion(ctx, achievementID, version)
	if err != nil {
		return nil, store.CatalogEntry{}, fmt.Errorf("issue: achievement: %w", err)
	}
	a, err := decodeEntry(v)
	if err != nil {
		return nil, store.CatalogEntry{}, err
	}
	return a, store.CatalogEntry{Achievement: ach, Version: v}, nil
}

func decodeEntry(v store.AchievementVersion) (*catalog.Achievement, error) {
	var a catalog.Achievement
	if err := json.Unmarshal(v.Document, &a); err != nil {
		return nil, fmt.Errorf("issue: decode version %d of achievement %s: %w", v.Version, v.AchievementID, err)
	}
	a.Version = v.Version
	return &a, nil
}

// achievementVersion returns the decoded version and its OB 3.0 JSON from
// the cache of immutable versions.
func (s *Service) achievementVersion(ctx context.Context, achievementID string, version int) (*achievementData, error) {
	s.init()
	k := achievementKey{achievementID, version}
	if d, ok := s.cache.achievements.get(k, s.now()); ok {
		return d, nil
	}
	v, err := s.Store.AchievementVersion(ctx, achievementID, version)
	if err != nil {
		return nil, fmt.Errorf("issue: achievement version: %w", err)
	}
	a, err := decodeEntry(v)
	if err != nil {
		return nil, err
	}
	ob3, err := plainJSON(a.OB3())
	if err != nil {
		return nil, fmt.Errorf("issue: achievement %s: %w", achievementID, err)
	}
	d := &achievementData{entry: a, ob3: ob3}
	s.cache.achievements.put(k, d, s.now())
	return d, nil
}

// plainJSON re-decodes m so that it holds only the types encoding/json
// produces ([]any rather than []string and so on), which is what the
// JSON-LD processor behind eddsa-rdfc-2022 expects.
func plainJSON(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}
