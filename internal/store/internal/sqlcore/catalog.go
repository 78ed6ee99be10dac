package sqlcore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

const achievementCols = `a.id, a.org_id, a.slug, a.current_version, a.created_at, a.updated_at`

func scanAchievement(r Row) (store.Achievement, error) {
	var a store.Achievement
	err := r.Scan(&a.ID, &a.OrgID, strDest{&a.Slug}, &a.CurrentVersion, ts(&a.CreatedAt), ts(&a.UpdatedAt))
	return a, err
}

const versionCols = `v.achievement_id, v.version, v.document, v.name, v.description, v.eqf_level, v.nsqf_level, v.ects, v.created_at`

// scanVersion fills the version columns; the skill and framework lists are
// loaded separately by loadTags.
func scanVersion(r Row) (store.AchievementVersion, error) {
	var v store.AchievementVersion
	var doc string
	err := r.Scan(&v.AchievementID, &v.Version, strDest{&doc}, &v.Name, &v.Description,
		intDest{&v.EQFLevel}, intDest{&v.NSQFLevel}, floatDest{&v.ECTS}, ts(&v.CreatedAt))
	v.Document = json.RawMessage(doc)
	return v, err
}

// uniq drops empty and repeated entries, keeping first-seen order.
func uniq(list []string) []string {
	seen := make(map[string]bool, len(list))
	var out []string
	for _, x := range list {
		x = strings.TrimSpace(x)
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// insertVersion writes one version row with its skills and frameworks. It
// must run inside a transaction.
func (s *Store) insertVersion(ctx context.Context, v *store.AchievementVersion) error {
	if !json.Valid(v.Document) {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: add achievement version", Err: fmt.Errorf("document is not valid JSON")}
	}
	v.Skills, v.CreditFrameworks = uniq(v.Skills), uniq(v.CreditFrameworks)
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now()
	}
	v.CreatedAt = norm(v.CreatedAt)
	search := strings.ToLower(v.Name + "\n" + v.Description)
	var ects any
	if v.ECTS != 0 {
		ects = v.ECTS
	}
	op := fmt.Sprintf("add version %d of achievement %q", v.Version, v.AchievementID)
	_, err := s.tx.Exec(ctx, `INSERT INTO achievement_versions (achievement_id, version, document, name, description,
		search_text, eqf_level, nsqf_level, ects, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.AchievementID, v.Version, string(v.Document), v.Name, v.Description, search,
		nint(v.EQFLevel), nint(v.NSQFLevel), ects, v.CreatedAt)
	if err != nil {
		return s.fail(op, err)
	}
	for i, sk := range v.Skills {
		if _, err := s.tx.Exec(ctx, `INSERT INTO achievement_skills (achievement_id, version, position, skill) VALUES (?, ?, ?, ?)`,
			v.AchievementID, v.Version, i, sk); err != nil {
			return s.fail(op, err)
		}
	}
	for i, fw := range v.CreditFrameworks {
		if _, err := s.tx.Exec(ctx, `INSERT INTO achievement_credit_frameworks (achievement_id, version, position, framework) VALUES (?, ?, ?, ?)`,
			v.AchievementID, v.Version, i, fw); err != nil {
			return s.fail(op, err)
		}
	}
	return nil
}

// CreateAchievement implements store.Store.
func (s *Store) CreateAchievement(ctx context.Context, a store.Achievement, v store.AchievementVersion) (store.CatalogEntry, error) {
	const op = "store: create achievement"
	if a.Slug != "" && !store.ValidSlug(a.Slug) {
		return store.CatalogEntry{}, &store.Error{Kind: store.ErrInvalid, Op: op, Err: fmt.Errorf("slug %q must be [a-z0-9-]", a.Slug)}
	}
	if err := v.Validate(); err != nil {
		return store.CatalogEntry{}, err
	}
	if a.ID == "" {
		a.ID = store.NewID()
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now()
	}
	a.CreatedAt = norm(a.CreatedAt)
	a.UpdatedAt, a.CurrentVersion = a.CreatedAt, 1
	v.AchievementID, v.Version = a.ID, 1
	if v.CreatedAt.IsZero() {
		v.CreatedAt = a.CreatedAt
	}
	err := s.atomic(ctx, func(s *Store) error {
		_, err := s.tx.Exec(ctx, `INSERT INTO achievements (id, org_id, slug, current_version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.OrgID, nstr(a.Slug), a.CurrentVersion, a.CreatedAt, a.UpdatedAt)
		if err != nil {
			return s.fail(fmt.Sprintf("create achievement %q", a.ID), err)
		}
		return s.insertVersion(ctx, &v)
	})
	if err != nil {
		return store.CatalogEntry{}, err
	}
	return store.CatalogEntry{Achievement: a, Version: v}, nil
}

// AddAchievementVersion implements store.Store. The version number comes
// from incrementing current_version in the same transaction, so concurrent
// editors on different nodes get distinct numbers.
func (s *Store) AddAchievementVersion(ctx context.Context, id string, v store.AchievementVersion) (store.AchievementVersion, error) {
	if err := v.Validate(); err != nil {
		return store.AchievementVersion{}, err
	}
	v.AchievementID = id
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now()
	}
	v.CreatedAt = norm(v.CreatedAt)
	err := s.atomic(ctx, func(s *Store) error {
		op := fmt.Sprintf("add version to achievement %q", id)
		err := s.tx.QueryRow(ctx, `UPDATE achievements SET current_version = current_version + 1, updated_at = ?
			WHERE id = ? RETURNING current_version`, v.CreatedAt, id).Scan(&v.Version)
		if err != nil {
			return s.fail(op, err)
		}
		return s.insertVersion(ctx, &v)
	})
	if err != nil {
		return store.AchievementVersion{}, err
	}
	return v, nil
}

// Achievement implements store.Store.
func (s *Store) Achievement(ctx context.Context, id string) (store.Achievement, error) {
	a, err := scanAchievement(s.r.QueryRow(ctx, `SELECT `+achievementCols+` FROM achievements a WHERE a.id = ?`, id))
	return a, s.fail(fmt.Sprintf("achievement %q", id), err)
}

// AchievementBySlug implements store.Store.
func (s *Store) AchievementBySlug(ctx context.Context, orgID, slug string) (store.Achievement, error) {
	a, err := scanAchievement(s.r.QueryRow(ctx, `SELECT `+achievementCols+` FROM achievements a WHERE a.org_id = ? AND a.slug = ?`, orgID, slug))
	return a, s.fail(fmt.Sprintf("achievement %q of %q", slug, orgID), err)
}

// AchievementVersion implements store.Store.
func (s *Store) AchievementVersion(ctx context.Context, id string, version int) (store.AchievementVersion, error) {
	op := fmt.Sprintf("version %d of achievement %q", version, id)
	v, err := scanVersion(s.r.QueryRow(ctx, `SELECT `+versionCols+` FROM achievement_versions v
		WHERE v.achievement_id = ? AND v.version = ?`, id, version))
	if err != nil {
		return v, s.fail(op, err)
	}
	list := []*store.AchievementVersion{&v}
	return v, s.loadTags(ctx, op, []string{id}, list)
}

// ListAchievementVersions implements store.Store, oldest first.
func (s *Store) ListAchievementVersions(ctx context.Context, id string) ([]store.AchievementVersion, error) {
	op := fmt.Sprintf("list versions of achievement %q", id)
	rows, err := s.r.Query(ctx, `SELECT `+versionCols+` FROM achievement_versions v WHERE v.achievement_id = ? ORDER BY v.version`, id)
	if err != nil {
		return nil, s.fail(op, err)
	}
	vs, err := collect(rows, scanVersion, s, op)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*store.AchievementVersion, len(vs))
	for i := range vs {
		ptrs[i] = &vs[i]
	}
	return vs, s.loadTags(ctx, op, []string{id}, ptrs)
}

// loadTags fills Skills and CreditFrameworks of the given versions, all of
// which belong to the achievements in ids, in two queries.
func (s *Store) loadTags(ctx context.Context, op string, ids []string, vs []*store.AchievementVersion) error {
	if len(vs) == 0 {
		return nil
	}
	type key struct {
		id string
		v  int
	}
	byKey := make(map[key]*store.AchievementVersion, len(vs))
	for _, v := range vs {
		byKey[key{v.AchievementID, v.Version}] = v
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	for _, t := range []struct {
		query string
		add   func(v *store.AchievementVersion, x string)
	}{
		{`SELECT achievement_id, version, skill FROM achievement_skills WHERE achievement_id IN (` + placeholders(len(ids)) + `) ORDER BY achievement_id, version, position`,
			func(v *store.AchievementVersion, x string) { v.Skills = append(v.Skills, x) }},
		{`SELECT achievement_id, version, framework FROM achievement_credit_frameworks WHERE achievement_id IN (` + placeholders(len(ids)) + `) ORDER BY achievement_id, version, position`,
			func(v *store.AchievementVersion, x string) { v.CreditFrameworks = append(v.CreditFrameworks, x) }},
	} {
		rows, err := s.r.Query(ctx, t.query, args...)
		if err != nil {
			return s.fail(op, err)
		}
		for rows.Next() {
			var k key
			var x string
			if err := rows.Scan(&k.id, &k.v, &x); err != nil {
				rows.Close()
				return s.fail(op, err)
			}
			if v := byKey[k]; v != nil {
				t.add(v, x)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return s.fail(op, err)
		}
	}
	return nil
}

// SearchAchievements implements store.Store: current versions, ordered by
// name.
func (s *Store) SearchAchievements(ctx context.Context, q store.AchievementQuery) ([]store.CatalogEntry, error) {
	const op = "search achievements"
	var where []string
	var args []any
	if q.OrgID != "" {
		where, args = append(where, "a.org_id = ?"), append(args, q.OrgID)
	}
	if strings.TrimSpace(q.Text) != "" {
		where, args = append(where, `v.search_text LIKE ? ESCAPE '\'`), append(args, likePattern(strings.TrimSpace(q.Text)))
	}
	if q.EQFLevel != 0 {
		where, args = append(where, "v.eqf_level = ?"), append(args, q.EQFLevel)
	}
	if q.NSQFLevel != 0 {
		where, args = append(where, "v.nsqf_level = ?"), append(args, q.NSQFLevel)
	}
	if q.Skill != "" {
		where = append(where, `EXISTS (SELECT 1 FROM achievement_skills k
			WHERE k.achievement_id = v.achievement_id AND k.version = v.version AND k.skill = ?)`)
		args = append(args, q.Skill)
	}
	if q.CreditFramework != "" {
		where = append(where, `EXISTS (SELECT 1 FROM achievement_credit_frameworks f
			WHERE f.achievement_id = v.achievement_id AND f.version = v.version AND f.framework = ?)`)
		args = append(args, q.CreditFramework)
	}
	for _, slug := range q.ExcludeSlugs {
		where, args = append(where, "(a.slug IS NULL OR a.slug <> ?)"), append(args, slug)
	}
	query := `SELECT ` + achievementCols + `, ` + versionCols + ` FROM achievements a
		JOIN achievement_versions v ON v.achievement_id = a.id AND v.version = a.current_version`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY v.name, a.id LIMIT ? OFFSET ?"
	args = append(args, limit(q.Limit), max(q.Offset, 0))

	rows, err := s.r.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(op, err)
	}
	entries, err := collect(rows, func(r Row) (store.CatalogEntry, error) {
		var e store.CatalogEntry
		var doc string
		a, v := &e.Achievement, &e.Version
		err := r.Scan(&a.ID, &a.OrgID, strDest{&a.Slug}, &a.CurrentVersion, ts(&a.CreatedAt), ts(&a.UpdatedAt),
			&v.AchievementID, &v.Version, strDest{&doc}, &v.Name, &v.Description,
			intDest{&v.EQFLevel}, intDest{&v.NSQFLevel}, floatDest{&v.ECTS}, ts(&v.CreatedAt))
		v.Document = json.RawMessage(doc)
		return e, err
	}, s, op)
	if err != nil || len(entries) == 0 {
		return entries, err
	}
	ids := make([]string, len(entries))
	vs := make([]*store.AchievementVersion, len(entries))
	for i := range entries {
		ids[i], vs[i] = entries[i].Achievement.ID, &entries[i].Version
	}
	return entries, s.loadTags(ctx, op, ids, vs)
}
