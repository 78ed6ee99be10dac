package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
)

// TestPipelinedTransactions covers the transaction edges of the pipelined
// connection that the suite does not reach: a context cancelled while
// writes wait for the commit, a transaction that writes nothing, a panic,
// and a pool of one connection, so that a connection left inside a
// transaction would make the next transaction fail or see its rows.
func TestPipelinedTransactions(t *testing.T) {
	ctx := context.Background()
	u := sharedSchemaURL(t)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	s, err := postgres.Open(ctx, u+sep+"pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mails := func() int {
		t.Helper()
		ms, err := s.ListMail(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	enqueue := func(tx store.Store, subject string) error {
		return tx.(store.BatchWriter).EnqueueMails(ctx, []store.Mail{{To: "a@example.org", Subject: subject}})
	}

	// Cancelled before the commit: the queued insert and the commit fail
	// together, nothing is written.
	cctx, cancel := context.WithCancel(ctx)
	err = s.WithTx(cctx, func(tx store.Store) error {
		if err := enqueue(tx, "cancelled"); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("commit after cancel: %v, want context.Canceled", err)
	}
	if n := mails(); n != 0 {
		t.Errorf("%d mails after a cancelled transaction", n)
	}

	// Nothing written, nothing read: no round trip is needed at all.
	if err := s.WithTx(ctx, func(store.Store) error { return nil }); err != nil {
		t.Errorf("empty transaction: %v", err)
	}

	// A panic rolls back what was queued and sent.
	func() {
		defer func() { _ = recover() }()
		_ = s.WithTx(ctx, func(tx store.Store) error {
			if err := enqueue(tx, "sent"); err != nil {
				return err
			}
			if _, err := tx.CountCredentials(ctx, store.CredentialQuery{}); err != nil { // sends the insert
				return err
			}
			if err := enqueue(tx, "queued"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if n := mails(); n != 0 {
		t.Errorf("%d mails after a panicking transaction", n)
	}

	// The one connection is usable and outside any transaction: a
	// transaction commits what it queued, and a rolled-back one does not.
	if err := s.WithTx(ctx, func(tx store.Store) error { return enqueue(tx, "kept") }); err != nil {
		t.Fatal(err)
	}
	_ = s.WithTx(ctx, func(tx store.Store) error {
		if err := enqueue(tx, "dropped"); err != nil {
			return err
		}
		return fmt.Errorf("abort")
	})
	if n := mails(); n != 1 {
		t.Errorf("%d mails, want the one committed", n)
	}
}
