package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testAccounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	kim := try(s.CreateUser(ctx, store.User{Email: "Kim@Example.org", Name: "Kim", IsLearner: true})).must(t)

	// Look-alikes stay apart: U+212A KELVIN SIGN is not "k".
	kelvin := "\u212aim@example.org"
	wantErr(t, "kelvin sign finds kim", second(s.UserByEmail(ctx, kelvin)), store.ErrNotFound)
	other := try(s.CreateUser(ctx, store.User{Email: kelvin, Name: "Impostor", IsLearner: true})).must(t)
	if u := try(s.UserByEmail(ctx, "KIM@example.org")).must(t); u.ID != kim.ID {
		t.Fatalf("ASCII case is still ignored: got %+v", u)
	}
	if u := try(s.UserByEmail(ctx, kelvin)).must(t); u.ID != other.ID {
		t.Fatalf("kelvin-sign address found %+v", u)
	}
	if bw, ok := s.(store.BatchWriter); ok {
		m := try(bw.LearnersByEmail(ctx, []string{"kim@example.org", kelvin})).must(t)
		if m[store.EmailKey("kim@example.org")] != kim.ID || m[store.EmailKey(kelvin)] != other.ID || len(m) != 2 {
			t.Fatalf("learners by email = %v", m)
		}
	}

	// Additional addresses: found by UserByEmail, unique across accounts.
	try(s.AddUserEmail(ctx, kim.ID, "kim.work@Example.org")).must(t)
	if u := try(s.UserByEmail(ctx, "KIM.WORK@example.org")).must(t); u.ID != kim.ID {
		t.Fatalf("additional address found %+v", u)
	}
	if bw, ok := s.(store.BatchWriter); ok {
		if m := try(bw.LearnersByEmail(ctx, []string{"kim.work@example.org"})).must(t); m["kim.work@example.org"] != kim.ID {
			t.Fatalf("learner by additional address = %v", m)
		}
	}
	wantErr(t, "address of another account", second(s.AddUserEmail(ctx, other.ID, "kim.work@example.org")), store.ErrConflict)
	wantErr(t, "primary address of another account", second(s.AddUserEmail(ctx, other.ID, "kim@example.org")), store.ErrConflict)
	wantErr(t, "not an address", second(s.AddUserEmail(ctx, kim.ID, "nope")), store.ErrInvalid)
	if l := try(s.ListUserEmails(ctx, kim.ID)).must(t); len(l) != 1 || l[0].Email != "kim.work@Example.org" {
		t.Fatalf("emails = %+v", l)
	}

	// Disabling ends sessions; enabling restores sign-in.
	now := time.Now()
	try(s.CreateSession(ctx, store.Session{ID: digest("kim-session"), UserID: kim.ID, CSRFSecret: []byte("x"), ExpiresAt: now.Add(time.Hour)})).must(t)
	need(t, s.SetUserDisabled(ctx, kim.ID, &now))
	if u := try(s.User(ctx, kim.ID)).must(t); u.DisabledAt == nil {
		t.Fatal("user not disabled")
	}
	wantErr(t, "session of a disabled user", second(s.Session(ctx, digest("kim-session"))), store.ErrNotFound)
	need(t, s.SetUserDisabled(ctx, kim.ID, nil))
	if u := try(s.User(ctx, kim.ID)).must(t); u.DisabledAt != nil {
		t.Fatal("user still disabled")
	}
	wantErr(t, "disable unknown", s.SetUserDisabled(ctx, "nobody", &now), store.ErrNotFound)
	if l := try(s.ListUsers(ctx, 10, 0)).must(t); len(l) != 2 {
		t.Fatalf("users = %d", len(l))
	}

	// Used tokens: once only; forgotten after expiry.
	need(t, s.UseToken(ctx, digest("link"), now.Add(time.Hour)))
	wantErr(t, "token used twice", s.UseToken(ctx, digest("link"), now.Add(time.Hour)), store.ErrConflict)
	if n := try(s.DeleteExpiredTokens(ctx, now.Add(2*time.Hour))).must(t); n != 1 {
		t.Fatalf("deleted %d expired tokens", n)
	}
}
