package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	// The organization row is written in the schema of migration 5: the
	// store's CreateOrganization writes the columns of the latest one.
	org := store.Organization{ID: store.NewID(), Slug: "upgrade", Name: "Upgrade"}
	if _, err := b.w.ExecContext(ctx, `INSERT INTO organizations (id, slug, name, created_at) VALUES (?, ?, ?, ?)`,
		org.ID, org.Slug, org.Name, "2026-01-01T00:00:00.000000Z"); err != nil {
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

// TestSharedPartStoredOnce: a credential inserted with a shared-part hint
// keeps only the rest of its document in its row.
func TestSharedPartStoredOnce(t *testing.T) {
	ctx := context.Background()
	b, err := openBackend(ctx, filepath.Join(t.TempDir(), "microcred.db"))
	if err != nil {
		t.Fatal(err)
	}
	st := sqlcore.New(b)
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganization(ctx, store.Organization{Slug: "parts", Name: "Parts"})
	if err != nil {
		t.Fatal(err)
	}
	ach, err := st.CreateAchievement(ctx, store.Achievement{OrgID: org.ID}, store.AchievementVersion{Name: "A", Document: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	part := `{"name":"` + strings.Repeat("x", 4000) + `"}`
	for i := range 3 {
		head := fmt.Sprintf(`{"id":"urn:uuid:%d","achievement":`, i)
		c := store.Credential{ID: fmt.Sprintf("urn:uuid:%d", i), OrgID: org.ID, AchievementID: ach.Achievement.ID, AchievementVersion: 1,
			RecipientEmail: "l@example.org", Format: store.FormatLDPRDFC, Document: head + part + `}`, IssuedAt: time.Now(),
			SharedPart: part, SharedAt: len(head)}
		if _, _, err := st.InsertCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	var rows, parts, longest int
	if err := b.w.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT document_part), max(length(document)) FROM credentials`).Scan(&rows, &parts, &longest); err != nil {
		t.Fatal(err)
	}
	if rows != 3 || parts != 1 || longest > 100 {
		t.Fatalf("%d rows referring to %d parts, longest stored document %d bytes; want 3 rows, 1 part, short rests", rows, parts, longest)
	}
}
