package sqlcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

const orgCols = `id, slug, name, url, email, description, image_url, country, did_method, created_at, suspension`

func scanOrg(r Row) (store.Organization, error) {
	var o store.Organization
	var method string
	err := r.Scan(&o.ID, &o.Slug, &o.Name, &o.URL, &o.Email, &o.Description, &o.ImageURL, &o.Country, &method, ts(&o.CreatedAt), &o.Suspension)
	o.DIDMethod = store.DIDMethod(method)
	return o, err
}

// CreateOrganization implements store.Store.
func (s *Store) CreateOrganization(ctx context.Context, o store.Organization) (store.Organization, error) {
	if o.ID == "" {
		o.ID = store.NewID()
	}
	if o.DIDMethod == "" {
		o.DIDMethod = store.DIDWeb
	}
	if err := o.Validate(); err != nil {
		return store.Organization{}, err
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = now()
	}
	o.CreatedAt = norm(o.CreatedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO organizations (`+orgCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Slug, o.Name, o.URL, o.Email, o.Description, o.ImageURL, o.Country, string(o.DIDMethod), o.CreatedAt, o.Suspension)
	if err != nil {
		return store.Organization{}, s.fail(fmt.Sprintf("create organization %q", o.Slug), err)
	}
	return o, nil
}

// Organization implements store.Store.
func (s *Store) Organization(ctx context.Context, id string) (store.Organization, error) {
	o, err := scanOrg(s.r.QueryRow(ctx, `SELECT `+orgCols+` FROM organizations WHERE id = ?`, id))
	return o, s.fail(fmt.Sprintf("organization %q", id), err)
}

// OrganizationBySlug implements store.Store.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (store.Organization, error) {
	o, err := scanOrg(s.r.QueryRow(ctx, `SELECT `+orgCols+` FROM organizations WHERE slug = ?`, slug))
	return o, s.fail(fmt.Sprintf("organization with slug %q", slug), err)
}

// UpdateOrganization implements store.Store. CreatedAt is never changed.
func (s *Store) UpdateOrganization(ctx context.Context, o store.Organization) error {
	if o.DIDMethod == "" {
		o.DIDMethod = store.DIDWeb
	}
	if err := o.Validate(); err != nil {
		return err
	}
	n, err := s.w.Exec(ctx, `UPDATE organizations SET slug = ?, name = ?, url = ?, email = ?, description = ?,
		image_url = ?, country = ?, did_method = ?, suspension = ? WHERE id = ?`,
		o.Slug, o.Name, o.URL, o.Email, o.Description, o.ImageURL, o.Country, string(o.DIDMethod), o.Suspension, o.ID)
	s.authChanged() // cached bearer tokens carry the organization
	return expectOne(fmt.Sprintf("update organization %q", o.ID), n, err, s)
}

// ListOrganizations implements store.Store; organizations come ordered by
// name.
func (s *Store) ListOrganizations(ctx context.Context) ([]store.Organization, error) {
	rows, err := s.r.Query(ctx, `SELECT `+orgCols+` FROM organizations ORDER BY name, id`)
	if err != nil {
		return nil, s.fail("list organizations", err)
	}
	return collect(rows, scanOrg, s, "list organizations")
}

// collect scans every row with scan and closes rows.
func collect[T any](rows Rows, scan func(Row) (T, error), s *Store, op string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

const userCols = `id, email, name, password_hash, is_learner, created_at, disabled_at`

func scanUser(r Row) (store.User, error) {
	var u store.User
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsLearner, ts(&u.CreatedAt), tsOpt(&u.DisabledAt))
	return u, err
}

// CreateUser implements store.Store.
func (s *Store) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	if err := u.Validate(); err != nil {
		return store.User{}, err
	}
	if u.ID == "" {
		u.ID = store.NewID()
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now()
	}
	u.CreatedAt = norm(u.CreatedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO users (id, email, email_key, name, password_hash, is_learner, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, store.EmailKey(u.Email), u.Name, u.PasswordHash, u.IsLearner, u.CreatedAt)
	if err != nil {
		return store.User{}, s.fail(fmt.Sprintf("create user %q", u.Email), err)
	}
	return u, nil
}

// User implements store.Store.
func (s *Store) User(ctx context.Context, id string) (store.User, error) {
	u, err := scanUser(s.r.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	return u, s.fail(fmt.Sprintf("user %q", id), err)
}

// UserByEmail implements store.Store: the account whose primary or
// additional address has email's EmailKey.
func (s *Store) UserByEmail(ctx context.Context, email string) (store.User, error) {
	k := store.EmailKey(email)
	u, err := scanUser(s.r.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_key = ?
		UNION ALL SELECT `+prefixed("users.", userCols)+` FROM user_emails JOIN users ON users.id = user_emails.user_id WHERE user_emails.email_key = ?
		LIMIT 1`, k, k))
	return u, s.fail(fmt.Sprintf("user with email %q", email), err)
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// UpdateUser implements store.Store: email, name, password hash and learner
// flag.
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	n, err := s.w.Exec(ctx, `UPDATE users SET email = ?, email_key = ?, name = ?, password_hash = ?, is_learner = ? WHERE id = ?`,
		u.Email, store.EmailKey(u.Email), u.Name, u.PasswordHash, u.IsLearner, u.ID)
	return expectOne(fmt.Sprintf("update user %q", u.ID), n, err, s)
}

// DeleteUser implements store.Store. Memberships and sessions go with the
// user; credentials stay and lose their learner link.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	n, err := s.w.Exec(ctx, `DELETE FROM users WHERE id = ?`, id)
	s.authChanged() // the user's grants go with the user
	return expectOne(fmt.Sprintf("delete user %q", id), n, err, s)
}

const memberCols = `org_id, user_id, role, created_at`

func scanMember(r Row) (store.Membership, error) {
	var m store.Membership
	var role string
	err := r.Scan(&m.OrgID, &m.UserID, &role, ts(&m.CreatedAt))
	m.Role = store.Role(role)
	return m, err
}

func checkRole(op string, r store.Role) error {
	if !r.Valid() {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("unknown role %q", r)}
	}
	return nil
}

// AddMembership implements store.Store.
func (s *Store) AddMembership(ctx context.Context, m store.Membership) (store.Membership, error) {
	op := fmt.Sprintf("add member %q to organization %q", m.UserID, m.OrgID)
	if err := checkRole(op, m.Role); err != nil {
		return store.Membership{}, err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now()
	}
	m.CreatedAt = norm(m.CreatedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO memberships (`+memberCols+`) VALUES (?, ?, ?, ?)`,
		m.OrgID, m.UserID, string(m.Role), m.CreatedAt)
	if err != nil {
		return store.Membership{}, s.fail(op, err)
	}
	return m, nil
}

// Membership implements store.Store.
func (s *Store) Membership(ctx context.Context, orgID, userID string) (store.Membership, error) {
	m, err := scanMember(s.r.QueryRow(ctx, `SELECT `+memberCols+` FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID))
	return m, s.fail(fmt.Sprintf("membership of %q in %q", userID, orgID), err)
}

// SetMembershipRole implements store.Store.
func (s *Store) SetMembershipRole(ctx context.Context, orgID, userID string, role store.Role) error {
	op := fmt.Sprintf("set role of %q in %q", userID, orgID)
	if err := checkRole(op, role); err != nil {
		return err
	}
	n, err := s.w.Exec(ctx, `UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`, string(role), orgID, userID)
	s.authChanged() // the user's grants are checked against the role
	return expectOne(op, n, err, s)
}

// RemoveMembership implements store.Store.
func (s *Store) RemoveMembership(ctx context.Context, orgID, userID string) error {
	n, err := s.w.Exec(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID)
	s.authChanged()
	return expectOne(fmt.Sprintf("remove member %q from %q", userID, orgID), n, err, s)
}

// ListOrgMembers implements store.Store, in joining order.
func (s *Store) ListOrgMembers(ctx context.Context, orgID string) ([]store.Membership, error) {
	rows, err := s.r.Query(ctx, `SELECT `+memberCols+` FROM memberships WHERE org_id = ? ORDER BY created_at, user_id`, orgID)
	if err != nil {
		return nil, s.fail("list members", err)
	}
	return collect(rows, scanMember, s, "list members")
}

// ListUserMemberships implements store.Store, in joining order.
func (s *Store) ListUserMemberships(ctx context.Context, userID string) ([]store.Membership, error) {
	rows, err := s.r.Query(ctx, `SELECT `+memberCols+` FROM memberships WHERE user_id = ? ORDER BY created_at, org_id`, userID)
	if err != nil {
		return nil, s.fail("list memberships", err)
	}
	return collect(rows, scanMember, s, "list memberships")
}
