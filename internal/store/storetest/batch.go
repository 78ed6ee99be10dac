package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// BatchWrites checks the multi-row writes of store.BatchWriter, which the
// Store handed to WithTx must implement: per-row idempotency (a key stored
// before, a key repeated within the call), rows refused by name
// (*store.RowError, nothing written), learners found by email in one call,
// and status, mail and audit rows written in order.
func BatchWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "batch-org")
	learner := try(s.CreateUser(ctx, store.User{Email: "Learner@Example.org", Name: "L", IsLearner: true})).must(t)
	try(s.CreateUser(ctx, store.User{Email: "staff@example.org", Name: "S"})).must(t)
	prior := f.credential("urn:uuid:batch-prior")
	prior.IdempotencyKey = "key-prior"
	try3(s.InsertCredential(ctx, prior)).must(t)

	withBatch := func(fn func(bw store.BatchWriter) error) error {
		return s.WithTx(ctx, func(tx store.Store) error {
			bw, ok := tx.(store.BatchWriter)
			if !ok {
				t.Fatalf("%T does not implement store.BatchWriter", tx)
			}
			return fn(bw)
		})
	}

	need(t, withBatch(func(bw store.BatchWriter) error {
		got, err := bw.LearnersByEmail(ctx, []string{"learner@example.org", "STAFF@example.org", "nobody@example.org", "LEARNER@example.org"})
		if err != nil {
			return err
		}
		if len(got) != 1 || got["learner@example.org"] != learner.ID {
			t.Errorf("LearnersByEmail = %v, want only %s", got, learner.ID)
		}
		return nil
	}))

	// Rows: a plain one, one repeating a stored key, two sharing a new key,
	// and 37 plain ones (41 rows: statements of 32, 8 and 1 rows).
	cs := []store.Credential{f.credential("urn:uuid:batch-0")}
	retry := f.credential("urn:uuid:batch-retry")
	retry.IdempotencyKey = "key-prior"
	k1, k2 := f.credential("urn:uuid:batch-k1"), f.credential("urn:uuid:batch-k2")
	k1.IdempotencyKey, k2.IdempotencyKey = "key-new", "key-new"
	cs = append(cs, retry, k1, k2)
	for i := range 37 {
		cs = append(cs, f.credential(fmt.Sprintf("urn:uuid:batch-n%d", i)))
	}
	slots := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, 2, 64)).must(t)
	var res []store.CredentialInsert
	need(t, withBatch(func(bw store.BatchWriter) error {
		var err error
		if res, err = bw.InsertCredentials(ctx, cs); err != nil {
			return err
		}
		var css []store.CredentialStatus
		for i, sl := range slots {
			css = append(css, store.CredentialStatus{CredentialID: cs[i*2].ID, OrgID: f.org.ID, Purpose: sl.Purpose, List: sl.List, Index: sl.Seq, Seq: sl.Seq})
		}
		if err := bw.InsertCredentialStatuses(ctx, css); err != nil {
			return err
		}
		if err := bw.EnqueueMails(ctx, []store.Mail{{To: "a@example.org", Subject: "1", OrgID: f.org.ID}, {To: "b@example.org", Subject: "2"}}); err != nil {
			return err
		}
		return bw.AppendAudits(ctx, []store.AuditEvent{
			{OrgID: f.org.ID, Actor: "t", Action: "batch.first", Target: "1"},
			{OrgID: f.org.ID, Actor: "t", Action: "batch.second", Target: "2", Detail: []byte(`{"n":2}`)},
		})
	}))
	if len(res) != len(cs) {
		t.Fatalf("%d results for %d rows", len(res), len(cs))
	}
	if ms := try(s.ListOrgMail(ctx, f.org.ID, 10)).must(t); len(ms) != 1 || ms[0].To != "a@example.org" || ms[0].OrgID != f.org.ID {
		t.Errorf("batch-enqueued mail of the organization: %+v", ms)
	}
	for i, r := range res {
		switch i {
		case 1:
			if !r.Existed || r.Stored.ID != prior.ID || r.Stored.Document != prior.Document {
				t.Errorf("row with a stored key: %+v, want the stored credential", r)
			}
		case 3:
			if !r.Existed || r.Stored.ID != k1.ID {
				t.Errorf("row repeating a key of the call: existed=%v id=%s, want %s", r.Existed, r.Stored.ID, k1.ID)
			}
		default:
			if r.Existed || r.Stored.ID != cs[i].ID {
				t.Errorf("row %d: existed=%v id=%s", i, r.Existed, r.Stored.ID)
			}
		}
	}
	// prior, batch-0, k1 and the 37 plain rows.
	if n := try(s.CountCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID})).must(t); n != 40 {
		t.Errorf("%d credentials stored, want 40", n)
	}
	wantErr(t, "retry's id", second(s.Credential(ctx, retry.ID)), store.ErrNotFound)
	wantErr(t, "k2's id", second(s.Credential(ctx, k2.ID)), store.ErrNotFound)
	if sts := try(s.CredentialStatuses(ctx, cs[2].ID)).must(t); len(sts) != 1 || sts[0].Index != 1 {
		t.Errorf("status of %s: %+v", cs[2].ID, sts)
	}
	es := try(s.ListAudit(ctx, store.AuditQuery{OrgID: f.org.ID, Actor: "t"})).must(t)
	// PostgreSQL keeps JSON details as jsonb, which re-spaces them.
	if len(es) != 2 || es[0].Action != "batch.first" || es[1].Action != "batch.second" ||
		strings.ReplaceAll(string(es[1].Detail), " ", "") != `{"n":2}` {
		t.Errorf("audit events %+v, want first then second", es)
	}

	// Refused rows are named and nothing of the call is written.
	dup := []store.Credential{f.credential("urn:uuid:batch-d"), f.credential("urn:uuid:batch-e"), f.credential("urn:uuid:batch-d")}
	bad := f.credential("urn:uuid:batch-bad")
	bad.Format = "pdf"
	for _, c := range []struct {
		name string
		rows []store.Credential
		row  int
		kind error
	}{
		{"duplicate id", dup, 2, store.ErrConflict},
		{"invalid row", []store.Credential{f.credential("urn:uuid:batch-f"), bad}, 1, store.ErrInvalid},
	} {
		err := withBatch(func(bw store.BatchWriter) error { _, err := bw.InsertCredentials(ctx, c.rows); return err })
		var re *store.RowError
		if !errors.As(err, &re) || re.Row != c.row || !errors.Is(err, c.kind) {
			t.Errorf("%s: err %v, want a RowError for row %d (%v)", c.name, err, c.row, c.kind)
		}
	}
	err := withBatch(func(bw store.BatchWriter) error {
		return bw.InsertCredentialStatuses(ctx, []store.CredentialStatus{
			{CredentialID: cs[4].ID, OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: 0, Index: 5, Seq: 5},
			{CredentialID: cs[5].ID, OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: 0, Index: 64, Seq: 6},
		})
	})
	var re *store.RowError
	if !errors.As(err, &re) || re.Row != 1 || !errors.Is(err, store.ErrInvalid) {
		t.Errorf("status index outside its list: %v, want a RowError for row 1", err)
	}
	if n := try(s.CountCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID})).must(t); n != 40 {
		t.Errorf("%d credentials after refused calls, want 40", n)
	}

	// A row only the database refuses (a second status entry of a
	// credential) fails the call or, where writes are sent with a later
	// statement (PostgreSQL), that statement or the commit: either way
	// the transaction reports the conflict and writes nothing, and the
	// store works afterwards.
	mailsBefore := len(try(s.ListMail(ctx, 1000)).must(t))
	taken := store.CredentialStatus{CredentialID: cs[0].ID, OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: 0, Index: 7, Seq: 7}
	for _, then := range []string{"commit", "query", "savepoint"} {
		err := withBatch(func(bw store.BatchWriter) error {
			if err := bw.EnqueueMails(ctx, []store.Mail{{To: "lost@example.org", Subject: then}}); err != nil {
				return err
			}
			if err := bw.InsertCredentialStatuses(ctx, []store.CredentialStatus{taken}); err != nil {
				return err
			}
			tx := bw.(store.Store)
			switch then {
			case "query":
				_, err := tx.Credential(ctx, cs[0].ID)
				return err
			case "savepoint":
				return tx.WithTx(ctx, func(store.Store) error { return nil })
			}
			return nil
		})
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "insert credential statuses") {
			t.Errorf("duplicate status entry, then %s: %v, want a conflict naming the insert", then, err)
		}
	}
	if n := len(try(s.ListMail(ctx, 1000)).must(t)); n != mailsBefore {
		t.Errorf("%d mails after failed transactions, want %d", n, mailsBefore)
	}
	need(t, withBatch(func(bw store.BatchWriter) error {
		return bw.EnqueueMails(ctx, []store.Mail{{To: "kept@example.org", Subject: "after"}})
	}))
	if n := len(try(s.ListMail(ctx, 1000)).must(t)); n != mailsBefore+1 {
		t.Errorf("%d mails after a good transaction, want %d", n, mailsBefore+1)
	}
}
