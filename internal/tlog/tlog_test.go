package tlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	_ "github.com/microcred/microcred/internal/store/sqlite"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

func TestLeafFormat(t *testing.T) {
	cred := store.Credential{ID: "urn:uuid:0b9c1c55-8f1f-4d5e-9a3b-6f3f0d2c4a11", OrgID: "org-1", Document: `{"a":1}`, IssuedAt: t0}
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"issue", IssueEvent(cred), "microcred/v1\nevent issue\norg org-1\ncredential " + HashCredentialID(cred.ID) +
			"\ndocument " + HashDocument(`{"a":1}`) + "\ntime 2026-03-01T10:00:00.123456Z\n"},
		{"revoke", CredentialEvent(KindRevoke, cred, t0.Add(time.Hour)), "microcred/v1\nevent revoke\norg org-1\ncredential " +
			HashCredentialID(cred.ID) + "\ndocument " + HashDocument(`{"a":1}`) + "\ntime 2026-03-01T11:00:00.123456Z\n"},
		{"key rotation", KeyRotationEvent(store.SigningKey{OrgID: "org-1", VerificationMethod: "did:web:x:orgs:a#k2", CreatedAt: t0}, "did:web:x:orgs:a#k1"),
			"microcred/v1\nevent key-rotation\norg org-1\nkey did:web:x:orgs:a#k2\nretired did:web:x:orgs:a#k1\ntime 2026-03-01T10:00:00.123456Z\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.e.Validate(); err != nil {
				t.Fatal(err)
			}
			got := string(tc.e.Leaf())
			if got != tc.want {
				t.Fatalf("leaf\n%s\nwant\n%s", got, tc.want)
			}
			back, err := ParseLeaf([]byte(got))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Leaf(), []byte(got)) || back.Kind != tc.e.Kind {
				t.Errorf("round trip changed the leaf: %+v", back)
			}
		})
	}
	if HashCredentialID("x") != "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" {
		t.Error("HashCredentialID is not hex SHA-256")
	}
}

func TestParseLeafRejects(t *testing.T) {
	good := string(IssueEvent(store.Credential{ID: "urn:uuid:1", OrgID: "o", Document: "d", IssuedAt: t0}).Leaf())
	lines := strings.Split(good, "\n")
	tests := []struct{ name, leaf string }{
		{"no final newline", strings.TrimSuffix(good, "\n")},
		{"other version", strings.Replace(good, "microcred/v1", "microcred/v2", 1)},
		{"lines reordered", strings.Join([]string{lines[0], lines[2], lines[1], lines[3], lines[4], lines[5], ""}, "\n")},
		{"duplicate line", good + lines[2] + "\n"},
		{"unknown line", good + "extra x\n"},
		{"double space", strings.Replace(good, "org o", "org  o", 1)},
		{"bad time", strings.Replace(good, "2026-03-01T10:00:00.123456Z", "2026-03-01T10:00:00Z", 1)},
		{"short hash", strings.Replace(good, lines[3], "credential abc", 1)},
		{"unknown kind", strings.Replace(good, "event issue", "event forge", 1)},
		{"missing org", strings.Replace(good, lines[2]+"\n", "", 1)},
	}
	for _, tc := range tests {
		if _, err := ParseLeaf([]byte(tc.leaf)); err == nil {
			t.Errorf("%s: accepted\n%s", tc.name, tc.leaf)
		}
	}
}

func FuzzParseLeaf(f *testing.F) {
	f.Add(IssueEvent(store.Credential{ID: "urn:uuid:1", OrgID: "o", Document: "d", IssuedAt: t0}).Leaf())
	f.Add(KeyRotationEvent(store.SigningKey{OrgID: "o", VerificationMethod: "did:key:z#z", CreatedAt: t0}, "").Leaf())
	f.Add([]byte("microcred/v1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseLeaf(data)
		if err != nil {
			return
		}
		if !bytes.Equal(e.Leaf(), data) {
			t.Fatalf("accepted non-canonical leaf %q", data)
		}
	})
}

func TestCheckpointFormat(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	signer, vkey, err := NewSigner("example.org/log", priv)
	if err != nil {
		t.Fatal(err)
	}
	c := Checkpoint{Origin: "example.org/log", Size: 42, Hash: sumdb.RecordHash([]byte("x"))}
	signed, err := SignCheckpoint(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("example.org/log\n42\n%s\n\n", c.Hash)
	if !strings.HasPrefix(string(signed.Note), body+"— example.org/log ") {
		t.Fatalf("signed note:\n%s", signed.Note)
	}
	got, err := OpenCheckpoint(signed.Note, vkey)
	if err != nil || got.Size != 42 || got.Hash != c.Hash {
		t.Fatalf("OpenCheckpoint = %+v, %v", got, err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	_, otherKey, _ := NewSigner("example.org/log", other)
	if _, err := OpenCheckpoint(signed.Note, otherKey); err == nil {
		t.Error("checkpoint verified with another key")
	}
	tampered := bytes.Replace(signed.Note, []byte("\n42\n"), []byte("\n43\n"), 1)
	if _, err := OpenCheckpoint(tampered, vkey); err == nil {
		t.Error("tampered checkpoint verified")
	}
	if _, err := SignCheckpoint(Checkpoint{Origin: "other/log"}, signer); err == nil {
		t.Error("signed a checkpoint for another origin")
	}
	for _, bad := range []string{"o\n", "o\n-1\nAAAA\n", "o\n01\n" + c.Hash.String() + "\n", "o\n1\nnot base64\n", "\n1\n" + c.Hash.String() + "\n"} {
		if _, err := ParseCheckpointBody(bad); err == nil {
			t.Errorf("ParseCheckpointBody(%q) accepted", bad)
		}
	}
}

// testEnv is a SQLite store with an organization and an achievement to
// write credentials under, and a Log over it.
type testEnv struct {
	st    store.Store
	log   *Log
	org   store.Organization
	ach   store.CatalogEntry
	path  string
	clock time.Time
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log.db")
	st, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganization(ctx, store.Organization{Slug: "uni", Name: "University"})
	if err != nil {
		t.Fatal(err)
	}
	ach, err := st.CreateAchievement(ctx, store.Achievement{OrgID: org.ID, Slug: "course"},
		store.AchievementVersion{Name: "Course", Document: json.RawMessage(`{"name":"Course"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var master keys.MasterKey
	master[0] = 7
	e := &testEnv{st: st, org: org, ach: ach, path: path, clock: t0}
	e.log = &Log{Store: st, Master: master, Origin: "badges.example.org/log", Now: func() time.Time { return e.clock }}
	return e
}

// issue stores n credentials and their issue entries in one transaction,
// as the issuance path does.
func (e *testEnv) issue(t testing.TB, n int) []store.Credential {
	t.Helper()
	ctx := context.Background()
	var out []store.Credential
	err := e.st.WithTx(ctx, func(tx store.Store) error {
		var events []Event
		for range n {
			c, _, err := tx.InsertCredential(ctx, store.Credential{
				ID: "urn:uuid:" + store.NewID(), OrgID: e.org.ID, AchievementID: e.ach.Achievement.ID, AchievementVersion: 1,
				RecipientEmail: "kim@example.org", Format: store.FormatLDPRDFC, Document: fmt.Sprintf(`{"n":%q}`, store.NewID()), IssuedAt: e.clock,
			})
			if err != nil {
				return err
			}
			out = append(out, c)
			events = append(events, IssueEvent(c))
		}
		_, err := Append(ctx, tx, events...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock = e.clock.Add(2 * time.Second) // past the checkpoint interval
	return out
}

func TestLogProofs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	creds := e.issue(t, 5)
	creds = append(creds, e.issue(t, 1)...)
	vkey, err := e.log.VerifierKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vkey, "badges.example.org/log+") {
		t.Errorf("verifier key %q", vkey)
	}
	c1, err := e.log.Checkpoint(ctx)
	if err != nil || c1.Size != 6 {
		t.Fatalf("Checkpoint = %+v, %v", c1, err)
	}
	for i, c := range creds {
		p, err := e.log.CredentialInclusion(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The proof survives a JSON round trip (what /log/proof/inclusion
		// serves and `verify --log-proof` reads).
		raw, _ := json.Marshal(p)
		var back InclusionProof
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		cp, ev, err := back.Verify(vkey)
		if err != nil {
			t.Fatalf("credential %d: %v", i, err)
		}
		if back.Index != int64(i) || cp.Size != 6 || ev.CredentialHash != HashCredentialID(c.ID) || ev.DocumentHash != HashDocument(c.Document) {
			t.Errorf("credential %d: proof %+v event %+v", i, back, ev)
		}
		forged := back
		forged.Leaf = strings.Replace(forged.Leaf, "event issue", "event revoke", 1)
		if _, _, err := forged.Verify(vkey); err == nil {
			t.Error("a proof with an altered leaf verified")
		}
	}
	if _, err := e.log.CredentialInclusion(ctx, "urn:uuid:unknown"); err == nil {
		t.Error("inclusion proof of an unlogged credential")
	}
	// Within the interval a grown log keeps its checkpoint, unless a proof
	// needs a newer one.
	e.issue(t, 3)
	e.clock = e.clock.Add(-2 * time.Second)
	if c, _ := e.log.Checkpoint(ctx); c.Size != 6 {
		t.Errorf("checkpoint re-signed within the interval: size %d", c.Size)
	}
	p, err := e.log.Inclusion(ctx, 7, 0)
	if err != nil || p.TreeSize != 9 {
		t.Fatalf("Inclusion(7) = %+v, %v", p, err)
	}
	old, err := e.log.Inclusion(ctx, 2, 6)
	if err != nil || old.TreeSize != 6 {
		t.Fatalf("Inclusion(2, size 6) = %+v, %v", old, err)
	}
	c2, err := OpenCheckpoint([]byte(p.Checkpoint), vkey)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := e.log.Consistency(ctx, 6, 9)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyConsistency(c1, c2, cons.Proof); err != nil {
		t.Errorf("consistency 6→9: %v", err)
	}
	if err := VerifyConsistency(c2, c1, cons.Proof); err == nil {
		t.Error("a shrinking log passed the consistency check")
	}
	if _, err := e.log.Consistency(ctx, 3, 100); err == nil {
		t.Error("consistency proof beyond the tree")
	}
	// A second Log on the same store (another node) finds the same key.
	other := &Log{Store: e.st, Master: e.log.Master}
	if k, err := other.VerifierKey(ctx); err != nil || k != vkey {
		t.Errorf("second node key %q, %v", k, err)
	}
}

func TestStreamTreeMatchesTreeHash(t *testing.T) {
	var st StreamTree
	var hashes []sumdb.Hash
	mem := sumdb.HashReaderFunc(func(idx []int64) ([]sumdb.Hash, error) {
		out := make([]sumdb.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	st.OnHash(func(index int64, h sumdb.Hash) error {
		if index != int64(len(hashes)) {
			return fmt.Errorf("hash %d out of order", index)
		}
		hashes = append(hashes, h)
		return nil
	})
	for n := range 300 {
		root, err := st.Root()
		if err != nil {
			t.Fatal(err)
		}
		want, err := sumdb.TreeHash(int64(n), mem)
		if err != nil {
			t.Fatal(err)
		}
		if root != want {
			t.Fatalf("size %d: stream root differs", n)
		}
		if err := st.Append(fmt.Appendf(nil, "leaf %d", n)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditDetectsEditedRow edits a stored credential document with SQL,
// behind the server's back: the database auditor must name the entry and
// what differs.
func TestAuditDetectsEditedRow(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	creds := e.issue(t, 4)
	vkey, _ := e.log.VerifierKey(ctx)
	if _, err := e.log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	audit := func() *AuditReport {
		t.Helper()
		rc, err := NewRowChecker(ctx, e.st)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Audit(ctx, StoreSource{e.st}, vkey, nil, func(i int64, leaf []byte, ev Event) error { return rc.Check(ctx, i, leaf, ev) })
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range rc.Unlogged() {
			rep.add(-1, "credential %s is not in the log", id)
		}
		return rep
	}
	if rep := audit(); !rep.OK() || rep.Size != 4 || rep.Events[KindIssue] != 4 {
		t.Fatalf("clean audit: %+v", rep)
	}

	db, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE credentials SET document = '{"n":"forged"}' WHERE id = ?`, creds[2].ID); err != nil {
		t.Fatal(err)
	}
	rep := audit()
	if rep.OK() || len(rep.Findings) != 1 || rep.Findings[0].Index != 2 || !strings.Contains(rep.Findings[0].Detail, "document was changed") {
		t.Fatalf("audit after editing a document: %+v", rep.Findings)
	}

	// A credential slipped into the table without a log entry.
	if _, err := db.Exec(`INSERT INTO credentials (id, org_id, achievement_id, achievement_version, recipient_email,
		recipient_email_key, recipient_name, format, document, issued_at, valid_from)
		SELECT 'urn:uuid:smuggled', org_id, achievement_id, achievement_version, recipient_email, recipient_email_key,
		recipient_name, format, document, issued_at, valid_from FROM credentials WHERE id = ?`, creds[0].ID); err != nil {
		t.Fatal(err)
	}
	rep = audit()
	if !strings.Contains(fmt.Sprint(rep.Findings), "urn:uuid:smuggled is not in the log") {
		t.Errorf("audit missed the unlogged credential: %+v", rep.Findings)
	}

	// A leaf rewritten in place (after dropping the append-only trigger)
	// no longer hashes to the signed root.
	if _, err := db.Exec(`DROP TRIGGER tlog_leaves_no_update`); err != nil {
		t.Fatal(err)
	}
	forged := IssueEvent(store.Credential{ID: creds[2].ID, OrgID: e.org.ID, Document: `{"n":"forged"}`, IssuedAt: creds[2].IssuedAt}).Leaf()
	if _, err := db.Exec(`UPDATE tlog_leaves SET data = ? WHERE idx = 2`, forged); err != nil {
		t.Fatal(err)
	}
	rep = audit()
	if !strings.Contains(fmt.Sprint(rep.Findings), "some entry was changed after it was logged") {
		t.Errorf("audit missed the rewritten leaf: %+v", rep.Findings)
	}
}

// TestAuditDetectsRewrittenHistory rebuilds the log with one entry changed
// and signs a new checkpoint with the same key: the consistency check
// against the checkpoint seen before must fail.
func TestAuditDetectsRewrittenHistory(t *testing.T) {
	ctx := context.Background()
	honest := newEnv(t)
	creds := honest.issue(t, 6)
	seen, err := honest.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vkey, _ := honest.log.VerifierKey(ctx)
	// The honest log keeps growing and stays consistent with what was seen.
	honest.issue(t, 3)
	// Before a new checkpoint is signed the audit covers the one seen.
	rep, err := Audit(ctx, StoreSource{honest.st}, vkey, seen.Note, nil)
	if err != nil || !rep.OK() || rep.Size != 6 || rep.Previous != 6 {
		t.Fatalf("audit at the seen checkpoint: %+v, %v", rep, err)
	}
	if _, err := honest.log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err = Audit(ctx, StoreSource{honest.st}, vkey, seen.Note, nil); err != nil || !rep.OK() || rep.Previous != 6 || rep.Size != 9 {
		t.Fatalf("honest audit: %+v, %v", rep, err)
	}

	// The forger copies the signing key into a fresh database and replays
	// the history with entry 3 replaced, then signs a bigger tree.
	forger := newEnv(t)
	row, err := honest.st.LogSigner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := forger.st.CreateLogSigner(ctx, row); err != nil {
		t.Fatal(err)
	}
	var events []Event
	for i, c := range creds {
		if i == 3 {
			c.Document = `{"n":"rewritten"}`
		}
		events = append(events, IssueEvent(c))
	}
	events = append(events, IssueEvent(store.Credential{ID: "urn:uuid:later", OrgID: "x", Document: "y", IssuedAt: t0}))
	if err := forger.st.WithTx(ctx, func(tx store.Store) error { _, err := Append(ctx, tx, events...); return err }); err != nil {
		t.Fatal(err)
	}
	forged, err := forger.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(forged.Note, vkey); err != nil {
		t.Fatalf("the forged checkpoint should carry a valid signature: %v", err)
	}
	rep, err = Audit(ctx, StoreSource{forger.st}, vkey, seen.Note, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(rep.Findings[0].Detail, "history rewritten") {
		t.Fatalf("rewritten history passed: %+v", rep.Findings)
	}
}

func TestAppendRejectsBadEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bad := []Event{
		{Kind: KindIssue, OrgID: "o", Time: t0},
		{Kind: "mint", OrgID: "o", Time: t0},
		{Kind: KindKeyRotation, OrgID: "o", Time: t0},
		{Kind: KindKeyRotation, OrgID: "o", Key: "a b", Time: t0},
		{Kind: KindRevoke, OrgID: "o", CredentialHash: HashCredentialID("x"), DocumentHash: HashDocument("y")},
	}
	for _, ev := range bad {
		if _, err := Append(ctx, e.st, ev); err == nil {
			t.Errorf("Append(%+v) accepted", ev)
		}
	}
	if n, _ := e.st.TreeSize(ctx); n != 0 {
		t.Errorf("tree size %d after refused appends", n)
	}
}

// BenchmarkInclusionProof measures proving one leaf through the store in a
// 100,000-leaf SQLite log (`microcred bench log` measures 10,000,000).
func BenchmarkInclusionProof(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	const n = 100_000
	for from := 0; from < n; from += 5000 {
		leaves := make([]store.LogLeaf, 5000)
		for i := range leaves {
			leaves[i] = store.LogLeaf{Data: fmt.Appendf(nil, "leaf %d", from+i), Kind: "test"}
		}
		if _, err := e.st.AppendLeaves(ctx, leaves); err != nil {
			b.Fatal(err)
		}
	}
	c, err := e.log.Checkpoint(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := sumdb.ProveRecord(c.Size, int64(i*7919%n), reader(ctx, e.st)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend measures batched appends of 256 leaves per transaction.
func BenchmarkAppend(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	leaves := make([]store.LogLeaf, 256)
	for i := 0; b.Loop(); i++ {
		for j := range leaves {
			id := fmt.Sprintf("urn:uuid:bench-%d-%d", i, j)
			leaves[j] = CredentialEvent(KindIssue, store.Credential{ID: id, OrgID: "bench-org", Document: id}, t0).StoreLeaf()
		}
		if _, err := e.st.AppendLeaves(ctx, leaves); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(leaves))/b.Elapsed().Seconds(), "leaves/s")
}
