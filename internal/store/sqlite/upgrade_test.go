package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/internal/sqlcore"
)

// TestUpgradeStatusSeq upgrades a database that has status entries from
// before migration 0006: they survive the table rebuild (with sequence
// number -1), the old index stays taken, and new entries are kept unique
// by their slot.
func TestUpgradeStatusSeq(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "microcred.db")
	b, err := openBackend(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st := sqlcore.New(b)
	defer st.Close()
	ms, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.w.ExecContext(ctx, sqlcore.SchemaMigrationsDDL); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version >= 6 {
			break
		}
		if err := b.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	org, err := st.CreateOrganization(ctx, store.Organization{Slug: "upgrade", Name: "Upgrade"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReserveStatusSlots(ctx, org.ID, store.PurposeRevocation, 4, 64); err != nil {
		t.Fatal(err)
	}
	if _, err := b.w.ExecContext(ctx, `INSERT INTO credential_status (credential_id, org_id, purpose, list, idx, is_set)
		VALUES ('urn:uuid:old', ?, 'revocation', 0, 41, 1)`, org.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := st.CredentialStatuses(ctx, "urn:uuid:old")
	if err != nil || len(old) != 1 || old[0].Index != 41 || old[0].Seq != -1 || !old[0].Set {
		t.Fatalf("entry from before the upgrade: %+v, %v", old, err)
	}
	add := store.CredentialStatus{CredentialID: "urn:uuid:new", OrgID: org.ID, Purpose: store.PurposeRevocation, List: 0, Index: 7, Seq: 3}
	if err := st.InsertCredentialStatus(ctx, add); err != nil {
		t.Fatal(err)
	}
	add.CredentialID, add.Index = "urn:uuid:again", 8
	if err := st.InsertCredentialStatus(ctx, add); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second entry for slot 3: %v; want ErrConflict", err)
	}
}
