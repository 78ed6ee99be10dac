package issue_test

import (
	"context"
	"crypto"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// TestResolverJWTKeys: the service's resolver answers JWT verification
// (proof.CheckJWT) for this server's did:web organizations, and lists an
// organization's keys so that a jwk header can be found among them.
func TestResolverJWTKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		defer f.svc.Close()
		c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "a@example.org", Format: store.FormatJWT})
		if err != nil {
			t.Fatal(err)
		}
		keys, ok := f.svc.Resolver().(proof.VerificationKeyResolver)
		if !ok {
			t.Fatal("the service's resolver does not return JWT keys")
		}
		res, err := proof.CheckJWT(ctx, c.Document, keys, proof.JWTOptions{})
		if err != nil || !res.Verified || !res.IssuerBound || res.Alg != "EdDSA" {
			t.Fatalf("%+v %v", res, err)
		}
		pub, err := keys.VerificationKey(ctx, res.VerificationMethod, "assertionMethod")
		if err != nil {
			t.Fatal(err)
		}
		controller := issuerOf(t, res.Credential)
		all, err := keys.VerificationKeys(ctx, controller, "assertionMethod")
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := all[res.VerificationMethod]; !ok || !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Errorf("keys of %s: %v", controller, all)
		}
		if _, err := keys.VerificationKeys(ctx, controller[:len(controller)-1]+"x", "assertionMethod"); err == nil {
			t.Error("keys of an unknown organization")
		}
	})
}

func issuerOf(t *testing.T, doc map[string]any) string {
	t.Helper()
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		if id, ok := v["id"].(string); ok {
			return id
		}
	}
	t.Fatalf("credential without issuer id: %v", doc["issuer"])
	return ""
}
