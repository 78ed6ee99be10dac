package sqlcore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// maxReserve bounds one reservation: bulk callers reserve blocks, not
// whole lists.
const maxReserve = 1 << 16

// ReserveStatusSlots implements store.Store.
//
// The newest list is read without a lock; the UPDATE that advances its
// counter then locks the row, and its WHERE clause is evaluated again
// against the latest committed counter (PostgreSQL re-checks an updated
// row after waiting for it; SQLite writers are serialized), so a
// reservation that no longer fits updates nothing and the loop reads the
// list again. Counters only grow, which is what keeps slots unique across
// nodes.
func (s *Store) ReserveStatusSlots(ctx context.Context, orgID, purpose string, n, listSize int) ([]store.StatusSlot, error) {
	op := fmt.Sprintf("reserve %d %s status slots", n, purpose)
	switch {
	case !store.ValidPurpose(purpose):
		return nil, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("unknown purpose %q", purpose)}
	case n < 1 || n > maxReserve:
		return nil, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("count must be 1..%d", maxReserve)}
	case listSize < 8 || listSize%8 != 0:
		return nil, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("list size %d is not a positive multiple of 8", listSize)}
	}
	var out []store.StatusSlot
	err := s.atomic(ctx, func(tx *Store) error {
		out = out[:0]
		for len(out) < n {
			var list, size, allocated int
			var key []byte
			err := tx.w.QueryRow(ctx, `SELECT list, size, allocated, perm_key FROM status_lists
				WHERE org_id = ? AND purpose = ? ORDER BY list DESC LIMIT 1`, orgID, purpose).Scan(&list, &size, &allocated, &key)
			switch {
			case tx.b.Classify(err) == store.ErrNotFound:
				if err := tx.createStatusList(ctx, orgID, purpose, 0, listSize); err != nil {
					return err
				}
				continue
			case err != nil:
				return tx.fail(op, err)
			case allocated >= size:
				if err := tx.createStatusList(ctx, orgID, purpose, list+1, listSize); err != nil {
					return err
				}
				continue
			}
			want := min(n-len(out), size-allocated)
			var now int
			err = tx.w.QueryRow(ctx, `UPDATE status_lists SET allocated = allocated + ?
				WHERE org_id = ? AND purpose = ? AND list = ? AND allocated + ? <= size RETURNING allocated`,
				want, orgID, purpose, list, want).Scan(&now)
			if tx.b.Classify(err) == store.ErrNotFound {
				continue // another node took the room first; read again
			}
			if err != nil {
				return tx.fail(op, err)
			}
			for seq := now - want; seq < now; seq++ {
				out = append(out, store.StatusSlot{OrgID: orgID, Purpose: purpose, List: list, Size: size, Seq: seq, Key: key})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// createStatusList opens list number list unless it exists, with a fresh
// random permutation key and an all-zero bitstring.
func (s *Store) createStatusList(ctx context.Context, orgID, purpose string, list, size int) error {
	op := fmt.Sprintf("create %s status list %d", purpose, list)
	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	t := now()
	n, err := s.w.Exec(ctx, `INSERT INTO status_lists (org_id, purpose, list, size, allocated, perm_key, created_at)
		VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (org_id, purpose, list) DO NOTHING`, orgID, purpose, list, size, key, t)
	if err != nil {
		return s.fail(op, err)
	}
	if n == 0 {
		return nil // created concurrently
	}
	_, err = s.w.Exec(ctx, `INSERT INTO status_list_bits (org_id, purpose, list, bits, version, updated_at)
		VALUES (?, ?, ?, ?, 1, ?)`, orgID, purpose, list, make([]byte, size/8), t)
	return s.fail(op, err)
}

// InsertCredentialStatus implements store.Store.
func (s *Store) InsertCredentialStatus(ctx context.Context, cs store.CredentialStatus) error {
	err := s.InsertCredentialStatuses(ctx, []store.CredentialStatus{cs})
	var re *store.RowError
	if errors.As(err, &re) {
		return re.Err
	}
	return err
}

const credentialStatusCols = `credential_id, org_id, purpose, list, idx, COALESCE(seq, -1), is_set, changed_at`

func scanCredentialStatus(r Row) (store.CredentialStatus, error) {
	var c store.CredentialStatus
	err := r.Scan(&c.CredentialID, &c.OrgID, &c.Purpose, &c.List, &c.Index, &c.Seq, &c.Set, tsOpt(&c.ChangedAt))
	return c, err
}

// CredentialStatuses implements store.Store.
func (s *Store) CredentialStatuses(ctx context.Context, credentialID string) ([]store.CredentialStatus, error) {
	op := fmt.Sprintf("status of %q", credentialID)
	rows, err := s.r.Query(ctx, `SELECT `+credentialStatusCols+` FROM credential_status
		WHERE credential_id = ? ORDER BY purpose`, credentialID)
	if err != nil {
		return nil, s.fail(op, err)
	}
	return collect(rows, scanCredentialStatus, s, op)
}

// SetCredentialStatus implements store.Store. The conditional UPDATE of the
// credential's row serializes changes of one credential; the UPDATE of the
// bits row that bumps the version locks the list, so two changes to one
// list never both read the old bitstring and lose each other's bit.
func (s *Store) SetCredentialStatus(ctx context.Context, credentialID, purpose string, from, to bool, at time.Time) (store.CredentialStatus, error) {
	op := fmt.Sprintf("set %s status of %q", purpose, credentialID)
	at = norm(at)
	var out store.CredentialStatus
	err := s.atomic(ctx, func(tx *Store) error {
		n, err := tx.w.Exec(ctx, `UPDATE credential_status SET is_set = ?, changed_at = ?
			WHERE credential_id = ? AND purpose = ? AND is_set = ?`, to, at, credentialID, purpose, from)
		if err != nil {
			return tx.fail(op, err)
		}
		cs, err := scanCredentialStatus(tx.w.QueryRow(ctx, `SELECT `+credentialStatusCols+` FROM credential_status
			WHERE credential_id = ? AND purpose = ?`, credentialID, purpose))
		if err != nil {
			return tx.fail(op, err)
		}
		if n == 0 {
			return &store.Error{Kind: store.ErrConflict, Op: "store: " + op, Err: fmt.Errorf("the %s bit is already %v", purpose, cs.Set)}
		}
		if err := tx.mirrorStatus(ctx, credentialID, purpose, to); err != nil {
			return tx.fail(op, err)
		}
		var bits []byte
		err = tx.w.QueryRow(ctx, `UPDATE status_list_bits SET version = version + 1, updated_at = ?
			WHERE org_id = ? AND purpose = ? AND list = ? RETURNING bits`, at, cs.OrgID, purpose, cs.List).Scan(&bits)
		if err != nil {
			return tx.fail(op+": lock list", err)
		}
		if cs.Index/8 >= len(bits) {
			return fmt.Errorf("store: %s: index %d outside the stored bitstring of %d bytes", op, cs.Index, len(bits))
		}
		// Bitstring Status List order: index 0 is the most significant bit
		// of the first byte.
		mask := byte(0x80) >> (cs.Index % 8)
		if to {
			bits[cs.Index/8] |= mask
		} else {
			bits[cs.Index/8] &^= mask
		}
		if _, err := tx.w.Exec(ctx, `UPDATE status_list_bits SET bits = ? WHERE org_id = ? AND purpose = ? AND list = ?`,
			bits, cs.OrgID, purpose, cs.List); err != nil {
			return tx.fail(op+": write list", err)
		}
		out = cs
		return nil
	})
	return out, err
}

// StatusList implements store.Store.
func (s *Store) StatusList(ctx context.Context, orgID, purpose string, list int) (store.StatusList, error) {
	l := store.StatusList{OrgID: orgID, Purpose: purpose, List: list}
	err := s.r.QueryRow(ctx, `SELECT l.size, l.allocated, b.bits, b.version, b.updated_at
		FROM status_lists l JOIN status_list_bits b ON b.org_id = l.org_id AND b.purpose = l.purpose AND b.list = l.list
		WHERE l.org_id = ? AND l.purpose = ? AND l.list = ?`, orgID, purpose, list).
		Scan(&l.Size, &l.Allocated, &l.Bits, &l.Version, ts(&l.UpdatedAt))
	if err != nil {
		return store.StatusList{}, s.fail(fmt.Sprintf("%s status list %d", purpose, list), err)
	}
	return l, nil
}

// StatusListVersion implements store.Store.
func (s *Store) StatusListVersion(ctx context.Context, orgID, purpose string, list int) (int64, time.Time, error) {
	var v int64
	var t time.Time
	err := s.r.QueryRow(ctx, `SELECT version, updated_at FROM status_list_bits WHERE org_id = ? AND purpose = ? AND list = ?`,
		orgID, purpose, list).Scan(&v, ts(&t))
	if err != nil {
		return 0, time.Time{}, s.fail(fmt.Sprintf("version of %s status list %d", purpose, list), err)
	}
	return v, t, nil
}

// Setting implements store.Store.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.r.QueryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	return v, s.fail(fmt.Sprintf("setting %q", name), err)
}

// SetSetting implements store.Store.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	if name == "" {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: set setting", Err: errors.New("name is required")}
	}
	_, err := s.w.Exec(ctx, `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, now())
	return s.fail(fmt.Sprintf("set setting %q", name), err)
}

// ReplacementOf implements store.Store.
func (s *Store) ReplacementOf(ctx context.Context, id string) (store.Credential, error) {
	c, err := scanCredential(s.r.QueryRow(ctx, `SELECT `+credentialCols+` FROM credentials
		WHERE replaces = ? ORDER BY issued_at DESC, id DESC LIMIT 1`, id))
	return c, s.fail(fmt.Sprintf("replacement of %q", id), err)
}

// InsertCredentialStatuses implements store.BatchWriter: the size of each
// list the entries fall in (a batch of new credentials uses a few lists),
// read once per process since sizes never change, then multi-row inserts.
func (s *Store) InsertCredentialStatuses(ctx context.Context, css []store.CredentialStatus) error {
	const op = "insert credential statuses"
	sizes := make(map[listKey]int)
	for i, cs := range css {
		if cs.CredentialID == "" || !store.ValidPurpose(cs.Purpose) || cs.Index < 0 || cs.List < 0 || cs.Seq < 0 {
			return &store.RowError{Row: i, Err: &store.Error{Kind: store.ErrInvalid, Op: "store: " + op,
				Err: errors.New("need a credential id, a known purpose and a non-negative list, index and sequence number")}}
		}
		k := listKey{cs.OrgID, cs.Purpose, cs.List}
		if _, ok := sizes[k]; ok {
			continue
		}
		if size, ok := s.cache.statusSizes.Load(k); ok {
			sizes[k] = size.(int)
			continue
		}
		var size int
		err := s.w.QueryRow(ctx, `SELECT size FROM status_lists WHERE org_id = ? AND purpose = ? AND list = ?`,
			cs.OrgID, cs.Purpose, cs.List).Scan(&size)
		if err != nil {
			return &store.RowError{Row: i, Err: s.fail(fmt.Sprintf("%s: %s list %d", op, cs.Purpose, cs.List), err)}
		}
		sizes[k] = size
		s.whenCommitted(func() { s.cache.statusSizes.Store(k, size) })
	}
	args := make([]any, 0, 8*len(css))
	for i, cs := range css {
		if size := sizes[listKey{cs.OrgID, cs.Purpose, cs.List}]; cs.Index >= size || cs.Seq >= size {
			return &store.RowError{Row: i, Err: &store.Error{Kind: store.ErrInvalid, Op: "store: " + op,
				Err: fmt.Errorf("index %d or sequence number %d is outside the list of %d entries", cs.Index, cs.Seq, size)}}
		}
		args = append(args, cs.CredentialID, cs.OrgID, cs.Purpose, cs.List, cs.Index, cs.Seq, cs.Set, tsArg(cs.ChangedAt))
	}
	if s.tx == nil && slices.ContainsFunc(css, func(cs store.CredentialStatus) bool { return cs.Set }) {
		// The entry and its copy in the credential's row go together.
		return s.atomic(ctx, func(tx *Store) error { return tx.InsertCredentialStatuses(ctx, css) })
	}
	err := s.execRows(ctx, op, `INSERT INTO credential_status (credential_id, org_id, purpose, list, idx, seq, is_set, changed_at) VALUES `,
		"", 8, args)
	if err != nil {
		return s.fail(op, err)
	}
	for _, cs := range css {
		if cs.Set {
			if err := s.mirrorStatus(ctx, cs.CredentialID, cs.Purpose, true); err != nil {
				return s.fail(op, err)
			}
		}
	}
	return nil
}

// statusBit is a purpose's bit in credentials.status_set, the copy of a
// credential's status bits that the credential search filters and orders
// by without a lookup per row (migration 0019).
func statusBit(purpose string) int {
	if purpose == store.PurposeSuspension {
		return 2
	}
	return 1
}

// mirrorStatus sets or clears purpose's bit in the credential's
// status_set, in the transaction that changes credential_status.
func (s *Store) mirrorStatus(ctx context.Context, credentialID, purpose string, set bool) error {
	q := `UPDATE credentials SET status_set = status_set | ? WHERE id = ?`
	bit := statusBit(purpose)
	if !set {
		q, bit = `UPDATE credentials SET status_set = status_set & ? WHERE id = ?`, 3&^bit
	}
	_, err := s.w.Exec(ctx, q, bit, credentialID)
	return err
}
