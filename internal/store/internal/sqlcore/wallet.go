package sqlcore

import (
	"context"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/store"
)

const walletCols = `id, user_id, digest, credential_id, document, format, name, issuer_name, added_at`

func scanWalletItem(r Row) (store.WalletItem, error) {
	var it store.WalletItem
	err := r.Scan(&it.ID, &it.UserID, &it.Digest, &it.CredentialID, &it.Document, &it.Format, &it.Name, &it.IssuerName, ts(&it.AddedAt))
	return it, err
}

// AddWalletItem implements store.Store.
func (s *Store) AddWalletItem(ctx context.Context, it store.WalletItem) (store.WalletItem, error) {
	if it.UserID == "" || len(it.Digest) != 32 || it.Document == "" || it.Format == "" {
		return store.WalletItem{}, &store.Error{Kind: store.ErrInvalid, Op: "store: add wallet item", Err: fmt.Errorf("user, digest, document and format are required")}
	}
	if it.ID == "" {
		it.ID = store.NewID()
	}
	if it.AddedAt.IsZero() {
		it.AddedAt = now()
	}
	it.AddedAt = norm(it.AddedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO wallet_items (`+walletCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.ID, it.UserID, it.Digest, it.CredentialID, it.Document, it.Format, it.Name, it.IssuerName, it.AddedAt)
	if err != nil {
		return store.WalletItem{}, s.fail("add wallet item", err)
	}
	return it, nil
}

// WalletItems implements store.Store; newest first.
func (s *Store) WalletItems(ctx context.Context, userID string) ([]store.WalletItem, error) {
	rows, err := s.r.Query(ctx, `SELECT `+walletCols+` FROM wallet_items WHERE user_id = ? ORDER BY added_at DESC, id LIMIT 1000`, userID)
	if err != nil {
		return nil, s.fail("list wallet items", err)
	}
	return collect(rows, scanWalletItem, s, "list wallet items")
}

// WalletItem implements store.Store.
func (s *Store) WalletItem(ctx context.Context, userID, id string) (store.WalletItem, error) {
	it, err := scanWalletItem(s.r.QueryRow(ctx, `SELECT `+walletCols+` FROM wallet_items WHERE user_id = ? AND id = ?`, userID, id))
	return it, s.fail(fmt.Sprintf("wallet item %q", id), err)
}

// DeleteWalletItem implements store.Store.
func (s *Store) DeleteWalletItem(ctx context.Context, userID, id string) error {
	n, err := s.w.Exec(ctx, `DELETE FROM wallet_items WHERE user_id = ? AND id = ?`, userID, id)
	return expectOne(fmt.Sprintf("delete wallet item %q", id), n, err, s)
}

// SetWalletMeta implements store.Store.
func (s *Store) SetWalletMeta(ctx context.Context, m store.WalletMeta) error {
	if m.UserID == "" || m.Ref == "" {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: set wallet meta", Err: fmt.Errorf("user and ref are required")}
	}
	_, err := s.w.Exec(ctx, `INSERT INTO wallet_meta (user_id, ref, collection, on_profile) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, ref) DO UPDATE SET collection = excluded.collection, on_profile = excluded.on_profile`,
		m.UserID, m.Ref, m.Collection, m.OnProfile)
	return s.fail("set wallet meta", err)
}

// WalletMetas implements store.Store.
func (s *Store) WalletMetas(ctx context.Context, userID string) (map[string]store.WalletMeta, error) {
	rows, err := s.r.Query(ctx, `SELECT user_id, ref, collection, on_profile FROM wallet_meta WHERE user_id = ?`, userID)
	if err != nil {
		return nil, s.fail("wallet meta", err)
	}
	list, err := collect(rows, func(r Row) (store.WalletMeta, error) {
		var m store.WalletMeta
		err := r.Scan(&m.UserID, &m.Ref, &m.Collection, &m.OnProfile)
		return m, err
	}, s, "wallet meta")
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.WalletMeta, len(list))
	for _, m := range list {
		out[m.Ref] = m
	}
	return out, nil
}

// PutProfile implements store.Store.
func (s *Store) PutProfile(ctx context.Context, p store.Profile) error {
	if p.UserID == "" || !store.ValidSlug(p.Handle) {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: put profile", Err: fmt.Errorf("handle %q must be 1-64 characters of [a-z0-9-]", p.Handle)}
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now()
	}
	_, err := s.w.Exec(ctx, `INSERT INTO profiles (user_id, handle, headline, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET handle = excluded.handle, headline = excluded.headline`,
		p.UserID, p.Handle, p.Headline, norm(p.CreatedAt))
	return s.fail(fmt.Sprintf("put profile %q", p.Handle), err)
}

func scanProfile(r Row) (store.Profile, error) {
	var p store.Profile
	err := r.Scan(&p.UserID, &p.Handle, &p.Headline, ts(&p.CreatedAt))
	return p, err
}

// Profile implements store.Store.
func (s *Store) Profile(ctx context.Context, userID string) (store.Profile, error) {
	p, err := scanProfile(s.r.QueryRow(ctx, `SELECT user_id, handle, headline, created_at FROM profiles WHERE user_id = ?`, userID))
	return p, s.fail("profile", err)
}

// ProfileByHandle implements store.Store.
func (s *Store) ProfileByHandle(ctx context.Context, handle string) (store.Profile, error) {
	p, err := scanProfile(s.r.QueryRow(ctx, `SELECT user_id, handle, headline, created_at FROM profiles WHERE handle = ?`, handle))
	return p, s.fail(fmt.Sprintf("profile %q", handle), err)
}

const shareCols = `id, token_hash, user_id, ref, created_at, expires_at, revoked_at`

func scanShare(r Row) (store.ShareLink, error) {
	var l store.ShareLink
	err := r.Scan(&l.ID, &l.TokenHash, &l.UserID, &l.Ref, ts(&l.CreatedAt), tsOpt(&l.ExpiresAt), tsOpt(&l.RevokedAt))
	return l, err
}

// CreateShareLink implements store.Store.
func (s *Store) CreateShareLink(ctx context.Context, l store.ShareLink) (store.ShareLink, error) {
	if err := checkDigest("create share link", l.TokenHash); err != nil {
		return store.ShareLink{}, err
	}
	if l.UserID == "" || l.Ref == "" {
		return store.ShareLink{}, &store.Error{Kind: store.ErrInvalid, Op: "store: create share link", Err: fmt.Errorf("user and ref are required")}
	}
	if l.ID == "" {
		l.ID = store.NewID()
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now()
	}
	l.CreatedAt, l.ExpiresAt, l.RevokedAt = norm(l.CreatedAt), normPtr(l.ExpiresAt), nil
	_, err := s.w.Exec(ctx, `INSERT INTO share_links (`+shareCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.TokenHash, l.UserID, l.Ref, l.CreatedAt, tsArg(l.ExpiresAt), nil)
	if err != nil {
		return store.ShareLink{}, s.fail("create share link", err)
	}
	return l, nil
}

// ShareLinkByToken implements store.Store.
func (s *Store) ShareLinkByToken(ctx context.Context, hash []byte) (store.ShareLink, error) {
	if err := checkDigest("share link", hash); err != nil {
		return store.ShareLink{}, err
	}
	l, err := scanShare(s.r.QueryRow(ctx, `SELECT `+shareCols+` FROM share_links WHERE token_hash = ?`, hash))
	return l, s.fail("share link", err)
}

// ListShareLinks implements store.Store; newest first.
func (s *Store) ListShareLinks(ctx context.Context, userID string) ([]store.ShareLink, error) {
	rows, err := s.r.Query(ctx, `SELECT `+shareCols+` FROM share_links WHERE user_id = ? ORDER BY created_at DESC, id LIMIT 500`, userID)
	if err != nil {
		return nil, s.fail("list share links", err)
	}
	return collect(rows, scanShare, s, "list share links")
}

// RevokeShareLink implements store.Store.
func (s *Store) RevokeShareLink(ctx context.Context, userID, id string, at time.Time) error {
	n, err := s.w.Exec(ctx, `UPDATE share_links SET revoked_at = ? WHERE user_id = ? AND id = ? AND revoked_at IS NULL`, norm(at), userID, id)
	return expectOne(fmt.Sprintf("revoke share link %q", id), n, err, s)
}

// CreateHolderKey implements store.Store.
func (s *Store) CreateHolderKey(ctx context.Context, k store.HolderKey) (store.HolderKey, error) {
	if k.UserID == "" || k.DID == "" || len(k.SealedPrivateKey) == 0 {
		return store.HolderKey{}, &store.Error{Kind: store.ErrInvalid, Op: "store: create holder key", Err: fmt.Errorf("user, DID and sealed key are required")}
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	if _, err := s.w.Exec(ctx, `INSERT INTO holder_keys (user_id, did, public_key_multibase, sealed_private_key, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO NOTHING`, k.UserID, k.DID, k.PublicKeyMultibase, k.SealedPrivateKey, norm(k.CreatedAt)); err != nil {
		return store.HolderKey{}, s.fail("create holder key", err)
	}
	return s.HolderKey(ctx, k.UserID)
}

// HolderKey implements store.Store.
func (s *Store) HolderKey(ctx context.Context, userID string) (store.HolderKey, error) {
	var k store.HolderKey
	err := s.r.QueryRow(ctx, `SELECT user_id, did, public_key_multibase, sealed_private_key, created_at FROM holder_keys WHERE user_id = ?`, userID).
		Scan(&k.UserID, &k.DID, &k.PublicKeyMultibase, &k.SealedPrivateKey, ts(&k.CreatedAt))
	return k, s.fail("holder key", err)
}

// EraseUser implements store.Store.
func (s *Store) EraseUser(ctx context.Context, userID string) error {
	return s.WithTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		u, err := t.User(ctx, userID)
		if err != nil {
			return err
		}
		emails, err := t.ListUserEmails(ctx, userID)
		if err != nil {
			return err
		}
		keys := []string{store.EmailKey(u.Email)}
		for _, e := range emails {
			keys = append(keys, store.EmailKey(e.Email))
		}
		for _, k := range keys {
			// Unsent mail would reach an erased person; sent mail is
			// only a record of delivery, and goes too.
			if _, err := t.w.Exec(ctx, `DELETE FROM mail_outbox WHERE lower(to_addr) = ?`, k); err != nil {
				return t.fail("erase mail", err)
			}
		}
		if _, err := t.w.Exec(ctx, `UPDATE credentials SET learner_id = NULL WHERE learner_id = ?`, userID); err != nil {
			return t.fail("unlink credentials", err)
		}
		if _, err := t.w.Exec(ctx, `DELETE FROM users WHERE id = ?`, userID); err != nil {
			return t.fail("erase user", err)
		}
		if _, err := t.w.Exec(ctx, `DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM application_files WHERE application_files.sha256 = blobs.sha256)`); err != nil {
			return t.fail("erase files", err)
		}
		t.authChanged()
		return nil
	})
}
