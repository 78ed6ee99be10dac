package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// AddUserEmail implements store.Store. The primary addresses live in
// users.email_key and the additional ones in user_emails, so uniqueness
// across both is checked here, inside a transaction, before the insert
// (whose primary key still refuses a duplicate additional address).
func (s *Store) AddUserEmail(ctx context.Context, userID, email string) (store.UserEmail, error) {
	e := store.UserEmail{Email: email, UserID: userID, CreatedAt: now()}
	probe := store.User{Email: email}
	if err := probe.Validate(); err != nil {
		return store.UserEmail{}, err
	}
	err := s.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.UserByEmail(ctx, email); err == nil {
			return &store.Error{Kind: store.ErrConflict, Op: "store: add user email", Err: fmt.Errorf("address %q already belongs to an account", email)}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		t := tx.(*Store)
		_, err := t.w.Exec(ctx, `INSERT INTO user_emails (email_key, email, user_id, created_at) VALUES (?, ?, ?, ?)`,
			store.EmailKey(email), email, userID, e.CreatedAt)
		return t.fail(fmt.Sprintf("add email %q", email), err)
	})
	if err != nil {
		return store.UserEmail{}, err
	}
	return e, nil
}

// ListUserEmails implements store.Store.
func (s *Store) ListUserEmails(ctx context.Context, userID string) ([]store.UserEmail, error) {
	rows, err := s.r.Query(ctx, `SELECT email, user_id, created_at FROM user_emails WHERE user_id = ? ORDER BY created_at, email_key`, userID)
	if err != nil {
		return nil, s.fail("list user emails", err)
	}
	return collect(rows, func(r Row) (store.UserEmail, error) {
		var e store.UserEmail
		err := r.Scan(&e.Email, &e.UserID, ts(&e.CreatedAt))
		return e, err
	}, s, "list user emails")
}

// SetUserDisabled implements store.Store.
func (s *Store) SetUserDisabled(ctx context.Context, userID string, at *time.Time) error {
	return s.WithTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		n, err := t.w.Exec(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, tsArg(normPtr(at)), userID)
		if err := expectOne(fmt.Sprintf("disable user %q", userID), n, err, t); err != nil {
			return err
		}
		if at != nil {
			if _, err := t.w.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return t.fail("end sessions", err)
			}
			t.authChanged()
		}
		return nil
	})
}

// ListUsers implements store.Store.
func (s *Store) ListUsers(ctx context.Context, lim, offset int) ([]store.User, error) {
	rows, err := s.r.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY email_key, id LIMIT ? OFFSET ?`, limit(lim), max(offset, 0))
	if err != nil {
		return nil, s.fail("list users", err)
	}
	return collect(rows, scanUser, s, "list users")
}

// UseToken implements store.Store.
func (s *Store) UseToken(ctx context.Context, hash []byte, expires time.Time) error {
	if err := checkDigest("use token", hash); err != nil {
		return err
	}
	_, err := s.w.Exec(ctx, `INSERT INTO used_tokens (hash, used_at, expires_at) VALUES (?, ?, ?)`, hash, now(), norm(expires))
	return s.fail("use token", err)
}

// DeleteExpiredTokens implements store.Store.
func (s *Store) DeleteExpiredTokens(ctx context.Context, at time.Time) (int64, error) {
	n, err := s.w.Exec(ctx, `DELETE FROM used_tokens WHERE expires_at <= ?`, norm(at))
	return n, s.fail("delete expired tokens", err)
}
