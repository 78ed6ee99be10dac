package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testStatus(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "status-org")

	// A first reservation opens list 0; reservations are consecutive.
	a := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, 10, 16)).must(t)
	b := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, 10, 16)).must(t)
	got := append(a, b...)
	want := []struct{ list, seq int }{
		{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {0, 8}, {0, 9},
		{0, 10}, {0, 11}, {0, 12}, {0, 13}, {0, 14}, {0, 15}, // list 0 full: roll over
		{1, 0}, {1, 1}, {1, 2}, {1, 3},
	}
	if len(got) != len(want) {
		t.Fatalf("reserved %d slots, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].List != w.list || got[i].Seq != w.seq || got[i].Size != 16 || len(got[i].Key) != 16 {
			t.Errorf("slot %d = list %d seq %d size %d key %d bytes, want list %d seq %d size 16 key 16 bytes",
				i, got[i].List, got[i].Seq, got[i].Size, len(got[i].Key), w.list, w.seq)
		}
	}
	if bytes.Equal(got[0].Key, got[16].Key) {
		t.Error("lists 0 and 1 share a permutation key")
	}
	// Purposes are independent.
	if sus := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeSuspension, 1, 16)).must(t); sus[0].List != 0 || sus[0].Seq != 0 {
		t.Errorf("first suspension slot = list %d seq %d, want 0 0", sus[0].List, sus[0].Seq)
	}
	for _, bad := range []struct {
		purpose string
		n, size int
	}{{"refresh", 1, 16}, {store.PurposeRevocation, 0, 16}, {store.PurposeRevocation, 1, 12}} {
		_, err := s.ReserveStatusSlots(ctx, f.org.ID, bad.purpose, bad.n, bad.size)
		wantErr(t, fmt.Sprintf("reserve %v", bad), err, store.ErrInvalid)
	}
	_, err := s.ReserveStatusSlots(ctx, "no-such-org", store.PurposeRevocation, 1, 16)
	wantErr(t, "reserve for an unknown organization", err, store.ErrConflict)

	// Entries.
	cs := store.CredentialStatus{CredentialID: "urn:uuid:c1", OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: 0, Index: 9, Seq: 0}
	need(t, s.InsertCredentialStatus(ctx, cs))
	dup := cs
	dup.CredentialID, dup.Index = "urn:uuid:c2", 10
	wantErr(t, "same slot twice", s.InsertCredentialStatus(ctx, dup), store.ErrConflict)
	dup = cs
	dup.Index, dup.Seq = 3, 1
	wantErr(t, "same credential and purpose twice", s.InsertCredentialStatus(ctx, dup), store.ErrConflict)
	dup.Index = 16
	dup.CredentialID = "urn:uuid:c3"
	wantErr(t, "index outside the list", s.InsertCredentialStatus(ctx, dup), store.ErrInvalid)
	dup.Index, dup.Seq = 1, 16
	wantErr(t, "sequence number outside the list", s.InsertCredentialStatus(ctx, dup), store.ErrInvalid)
	dup.Seq = -1
	wantErr(t, "negative sequence number", s.InsertCredentialStatus(ctx, dup), store.ErrInvalid)
	dup.Seq, dup.List = 1, 7
	wantErr(t, "unknown list", s.InsertCredentialStatus(ctx, dup), store.ErrNotFound)
	need(t, s.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: "urn:uuid:c1", OrgID: f.org.ID,
		Purpose: store.PurposeSuspension, List: 0, Index: 0, Seq: 0}))
	need(t, s.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: "urn:uuid:c4", OrgID: f.org.ID,
		Purpose: store.PurposeRevocation, List: 0, Index: 8, Seq: 2}))

	sts := try(s.CredentialStatuses(ctx, "urn:uuid:c1")).must(t)
	if len(sts) != 2 || sts[0].Purpose != store.PurposeRevocation || sts[1].Purpose != store.PurposeSuspension ||
		sts[0].Index != 9 || sts[0].Seq != 0 || sts[0].Set || sts[0].ChangedAt != nil {
		t.Fatalf("CredentialStatuses = %+v", sts)
	}
	if none := try(s.CredentialStatuses(ctx, "urn:uuid:nobody")).must(t); len(none) != 0 {
		t.Errorf("statuses of an unknown credential = %+v", none)
	}

	// Bits: set, refuse a second set, clear, and keep neighbours intact.
	v0, _ := try2(s.StatusListVersion(ctx, f.org.ID, store.PurposeRevocation, 0)).must(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	set := try(s.SetCredentialStatus(ctx, "urn:uuid:c1", store.PurposeRevocation, false, true, at)).must(t)
	if !set.Set || set.ChangedAt == nil || !set.ChangedAt.Equal(at) {
		t.Errorf("after set: %+v", set)
	}
	need(t, second(s.SetCredentialStatus(ctx, "urn:uuid:c4", store.PurposeRevocation, false, true, at)))
	_, err = s.SetCredentialStatus(ctx, "urn:uuid:c1", store.PurposeRevocation, false, true, at)
	wantErr(t, "revoke twice", err, store.ErrConflict)
	_, err = s.SetCredentialStatus(ctx, "urn:uuid:c1", store.PurposeSuspension, true, false, at)
	wantErr(t, "clear a clear bit", err, store.ErrConflict)
	_, err = s.SetCredentialStatus(ctx, "urn:uuid:nobody", store.PurposeRevocation, false, true, at)
	wantErr(t, "unknown credential", err, store.ErrNotFound)

	l := try(s.StatusList(ctx, f.org.ID, store.PurposeRevocation, 0)).must(t)
	if l.Size != 16 || len(l.Bits) != 2 || l.Allocated != 16 || l.Version != v0+2 {
		t.Fatalf("list = size %d, %d bytes, allocated %d, version %d (was %d)", l.Size, len(l.Bits), l.Allocated, l.Version, v0)
	}
	// Indexes 8 and 9 are the two most significant bits of byte 1.
	if l.Bits[0] != 0 || l.Bits[1] != 0xC0 {
		t.Errorf("bits = %08b %08b, want 00000000 11000000", l.Bits[0], l.Bits[1])
	}
	need(t, second(s.SetCredentialStatus(ctx, "urn:uuid:c4", store.PurposeRevocation, true, false, at)))
	if l := try(s.StatusList(ctx, f.org.ID, store.PurposeRevocation, 0)).must(t); l.Bits[1] != 0x40 || l.Version != v0+3 {
		t.Errorf("after clearing index 8: bits %08b version %d", l.Bits[1], l.Version)
	}
	if v, ut := try2(s.StatusListVersion(ctx, f.org.ID, store.PurposeRevocation, 0)).must(t); v != v0+3 || !ut.Equal(norm(at)) {
		t.Errorf("StatusListVersion = %d %v", v, ut)
	}
	_, err = s.StatusList(ctx, f.org.ID, store.PurposeRevocation, 9)
	wantErr(t, "unknown list", err, store.ErrNotFound)

	// A failed transaction leaves the bit alone.
	boom := errors.New("boom")
	err = s.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.SetCredentialStatus(ctx, "urn:uuid:c1", store.PurposeSuspension, false, true, at); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v", err)
	}
	if sts := try(s.CredentialStatuses(ctx, "urn:uuid:c1")).must(t); sts[1].Set {
		t.Error("rolled-back suspension is visible")
	}

	// Renewals.
	_, err = s.ReplacementOf(ctx, "urn:uuid:r1")
	wantErr(t, "no replacement", err, store.ErrNotFound)
	old := f.credential("urn:uuid:r1")
	need(t, try3(s.InsertCredential(ctx, old)).err)
	renewed := f.credential("urn:uuid:r2")
	renewed.Replaces = old.ID
	need(t, try3(s.InsertCredential(ctx, renewed)).err)
	if got := try(s.ReplacementOf(ctx, old.ID)).must(t); got.ID != renewed.ID {
		t.Errorf("ReplacementOf = %s, want %s", got.ID, renewed.ID)
	}

	// Settings.
	_, err = s.Setting(ctx, store.SettingBaseURL)
	wantErr(t, "unset setting", err, store.ErrNotFound)
	need(t, s.SetSetting(ctx, store.SettingBaseURL, "http://a.example"))
	need(t, s.SetSetting(ctx, store.SettingBaseURL, "https://b.example"))
	if v := try(s.Setting(ctx, store.SettingBaseURL)).must(t); v != "https://b.example" {
		t.Errorf("setting = %q", v)
	}
}

func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

type result2[A, B any] struct {
	a   A
	b   B
	err error
}

func try2[A, B any](a A, b B, err error) result2[A, B] { return result2[A, B]{a, b, err} }

func (r result2[A, B]) must(t testing.TB) (A, B) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.a, r.b
}

func testStatusConcurrent(t *testing.T, s store.Store) {
	StatusConcurrent(t, s, s)
}

// StatusConcurrent reserves status slots and flips status bits from many
// goroutines through two store handles on the same database (two nodes'
// worth when a and b are independent handles) and checks that no slot is
// handed out twice, that lists roll over without gaps, and that no bit
// change is lost.
func StatusConcurrent(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	f := newFixture(t, a, "status-conc")
	const workers, perWorker, size = 8, 30, 64
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[[2]int]bool{}
		errs []error
	)
	for w := range workers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for i := range perWorker {
				n := 1 + i%3
				var slots []store.StatusSlot
				var err error
				if i%2 == 0 {
					slots, err = s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, n, size)
				} else {
					err = s.WithTx(ctx, func(tx store.Store) error {
						var e error
						slots, e = tx.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, n, size)
						return e
					})
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, sl := range slots {
					k := [2]int{sl.List, sl.Seq}
					if seen[k] {
						errs = append(errs, fmt.Errorf("slot list %d seq %d handed out twice", sl.List, sl.Seq))
					}
					seen[k] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	total := 0
	for w := range perWorker {
		total += 1 + w%3
	}
	total *= workers
	if len(seen) != total {
		t.Fatalf("%d distinct slots, want %d", len(seen), total)
	}
	for i := range total {
		if !seen[[2]int{i / size, i % size}] {
			t.Errorf("slot list %d seq %d never handed out: lists have gaps", i/size, i%size)
		}
	}

	// Concurrent bit changes on one list: every set bit survives.
	const entries = 40
	for i := range entries {
		need(t, a.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: fmt.Sprintf("urn:uuid:conc-%d", i),
			OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: 0, Index: i, Seq: i}))
	}
	for i := range entries {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			if _, err := s.SetCredentialStatus(ctx, fmt.Sprintf("urn:uuid:conc-%d", i), store.PurposeRevocation, false, true, time.Now()); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	l := try(a.StatusList(ctx, f.org.ID, store.PurposeRevocation, 0)).must(t)
	for i := range entries {
		if l.Bits[i/8]&(0x80>>(i%8)) == 0 {
			t.Errorf("bit %d lost", i)
		}
	}
	if l.Version != 1+entries {
		t.Errorf("version %d after %d changes, want %d", l.Version, entries, 1+entries)
	}
}
