package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testInvitations(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "inv")
	now := time.Now().UTC()
	inv := try(s.CreateInvitation(ctx, store.Invitation{
		TokenHash: digest("token-1"), OrgID: f.org.ID, Email: "Grace@Example.org", Name: "Grace",
		Role: store.RoleIssuer, InvitedBy: "owner", ExpiresAt: now.Add(time.Hour),
	})).must(t)
	if inv.ID == "" || inv.CreatedAt.IsZero() {
		t.Fatalf("created invitation lacks id or time: %+v", inv)
	}
	got := try(s.InvitationByToken(ctx, digest("token-1"))).must(t)
	if got.ID != inv.ID || got.Email != "Grace@Example.org" || got.Role != store.RoleIssuer || !got.Usable(now) {
		t.Fatalf("InvitationByToken = %+v", got)
	}
	wantErr(t, "unknown token", second(s.InvitationByToken(ctx, digest("other"))), store.ErrNotFound)
	wantErr(t, "short digest", second(s.InvitationByToken(ctx, []byte("x"))), store.ErrInvalid)
	wantErr(t, "bad role", second(s.CreateInvitation(ctx, store.Invitation{TokenHash: digest("t2"), OrgID: f.org.ID, Email: "a@b.org", Role: "admin", ExpiresAt: now.Add(time.Hour)})), store.ErrInvalid)
	wantErr(t, "same token twice", second(s.CreateInvitation(ctx, store.Invitation{TokenHash: digest("token-1"), OrgID: f.org.ID, Email: "a@b.org", Role: store.RoleViewer, ExpiresAt: now.Add(time.Hour)})), store.ErrConflict)

	// Listed for the organization and, case-insensitively, for the address.
	if l := try(s.ListPendingInvitations(ctx, f.org.ID, now)).must(t); len(l) != 1 || l[0].ID != inv.ID {
		t.Fatalf("pending = %+v", l)
	}
	if l := try(s.ListInvitationsForEmail(ctx, "grace@EXAMPLE.org", now)).must(t); len(l) != 1 {
		t.Fatalf("for email = %+v", l)
	}
	if l := try(s.ListPendingInvitations(ctx, f.org.ID, now.Add(2*time.Hour))).must(t); len(l) != 0 {
		t.Fatalf("expired invitation still pending: %+v", l)
	}

	// Single use, even when two acceptances race.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.AcceptInvitation(ctx, inv.ID, now)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantErr(t, "second acceptance", err, store.ErrConflict)
		}
	}
	if ok != 1 {
		t.Fatalf("%d acceptances succeeded, want exactly 1", ok)
	}
	if got := try(s.InvitationByToken(ctx, digest("token-1"))).must(t); got.Usable(now) || got.AcceptedAt == nil {
		t.Fatalf("accepted invitation still usable: %+v", got)
	}
	if l := try(s.ListPendingInvitations(ctx, f.org.ID, now)).must(t); len(l) != 0 {
		t.Fatalf("accepted invitation still pending: %+v", l)
	}

	// Revocation: only pending invitations of the same organization.
	inv2 := try(s.CreateInvitation(ctx, store.Invitation{TokenHash: digest("token-2"), OrgID: f.org.ID, Email: "h@example.org", Role: store.RoleViewer, ExpiresAt: now.Add(time.Hour)})).must(t)
	other := newFixture(t, s, "inv-other")
	wantErr(t, "revoke from another organization", s.RevokeInvitation(ctx, other.org.ID, inv2.ID, now), store.ErrNotFound)
	need(t, s.RevokeInvitation(ctx, f.org.ID, inv2.ID, now))
	wantErr(t, "accept revoked", s.AcceptInvitation(ctx, inv2.ID, now), store.ErrConflict)
	wantErr(t, "revoke accepted", s.RevokeInvitation(ctx, f.org.ID, inv.ID, now), store.ErrNotFound)
}
