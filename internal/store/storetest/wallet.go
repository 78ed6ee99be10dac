package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testWallet(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "wal")
	u := try(s.CreateUser(ctx, store.User{Email: "wal@example.org", IsLearner: true})).must(t)
	other := try(s.CreateUser(ctx, store.User{Email: "other@example.org", IsLearner: true})).must(t)

	it := try(s.AddWalletItem(ctx, store.WalletItem{UserID: u.ID, Digest: digest("doc"), Document: `{"a":1}`, Format: "json", Name: "Badge"})).must(t)
	wantErr(t, "same credential twice", second(s.AddWalletItem(ctx, store.WalletItem{UserID: u.ID, Digest: digest("doc"), Document: `{"a":1}`, Format: "json"})), store.ErrConflict)
	try(s.AddWalletItem(ctx, store.WalletItem{UserID: other.ID, Digest: digest("doc"), Document: `{"a":1}`, Format: "json"})).must(t)
	if l := try(s.WalletItems(ctx, u.ID)).must(t); len(l) != 1 || l[0].Name != "Badge" {
		t.Fatalf("items = %+v", l)
	}
	wantErr(t, "another learner's item", second(s.WalletItem(ctx, other.ID, it.ID)), store.ErrNotFound)

	need(t, s.SetWalletMeta(ctx, store.WalletMeta{UserID: u.ID, Ref: it.ID, Collection: "Data", OnProfile: true}))
	need(t, s.SetWalletMeta(ctx, store.WalletMeta{UserID: u.ID, Ref: it.ID, Collection: "Data science", OnProfile: false}))
	if m := try(s.WalletMetas(ctx, u.ID)).must(t); m[it.ID].Collection != "Data science" || m[it.ID].OnProfile {
		t.Fatalf("meta = %+v", m)
	}

	need(t, s.PutProfile(ctx, store.Profile{UserID: u.ID, Handle: "wal-learner", Headline: "Data analyst"}))
	wantErr(t, "handle taken", s.PutProfile(ctx, store.Profile{UserID: other.ID, Handle: "wal-learner"}), store.ErrConflict)
	wantErr(t, "bad handle", s.PutProfile(ctx, store.Profile{UserID: other.ID, Handle: "Bad Handle"}), store.ErrInvalid)
	if p := try(s.ProfileByHandle(ctx, "wal-learner")).must(t); p.UserID != u.ID || p.Headline != "Data analyst" {
		t.Fatalf("profile = %+v", p)
	}

	exp := time.Now().Add(time.Hour)
	l := try(s.CreateShareLink(ctx, store.ShareLink{TokenHash: digest("share"), UserID: u.ID, Ref: it.ID, ExpiresAt: &exp})).must(t)
	if got := try(s.ShareLinkByToken(ctx, digest("share"))).must(t); got.ID != l.ID || !got.Usable(time.Now()) || got.Usable(exp.Add(time.Second)) {
		t.Fatalf("share link = %+v", got)
	}
	wantErr(t, "revoke another's link", s.RevokeShareLink(ctx, other.ID, l.ID, time.Now()), store.ErrNotFound)
	need(t, s.RevokeShareLink(ctx, u.ID, l.ID, time.Now()))
	if got := try(s.ShareLinkByToken(ctx, digest("share"))).must(t); got.Usable(time.Now()) {
		t.Fatal("revoked link still usable")
	}

	k := try(s.CreateHolderKey(ctx, store.HolderKey{UserID: u.ID, DID: "did:key:z1", PublicKeyMultibase: "z1", SealedPrivateKey: []byte("sealed")})).must(t)
	if k2 := try(s.CreateHolderKey(ctx, store.HolderKey{UserID: u.ID, DID: "did:key:z2", PublicKeyMultibase: "z2", SealedPrivateKey: []byte("x")})).must(t); k2.DID != k.DID {
		t.Fatalf("a second holder key replaced the first: %+v", k2)
	}

	// Erasure: the person's data goes, the credential issued to them stays.
	c := f.credential("urn:uuid:00000000-0000-4000-8000-00000000a11e")
	c.RecipientEmail, c.LearnerID = "wal@example.org", u.ID
	try3(s.InsertCredential(ctx, c)).must(t)
	try(s.EnqueueMail(ctx, store.Mail{To: "wal@example.org", Subject: "hello"})).must(t)
	need(t, s.EraseUser(ctx, u.ID))
	wantErr(t, "erased user", second(s.User(ctx, u.ID)), store.ErrNotFound)
	wantErr(t, "erased profile", second(s.ProfileByHandle(ctx, "wal-learner")), store.ErrNotFound)
	wantErr(t, "erased holder key", second(s.HolderKey(ctx, u.ID)), store.ErrNotFound)
	if l := try(s.WalletItems(ctx, u.ID)).must(t); len(l) != 0 {
		t.Fatalf("wallet after erasure = %+v", l)
	}
	kept := try(s.Credential(ctx, c.ID)).must(t)
	if kept.LearnerID != "" {
		t.Fatalf("credential still linked to the erased account: %+v", kept)
	}
	for _, m := range try(s.ListMail(ctx, 100)).must(t) {
		if m.To == "wal@example.org" {
			t.Fatal("mail to the erased address kept")
		}
	}
}
