package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// testSharedParts: documents inserted with a shared-part hint read back
// byte for byte, through every read, in single and batch inserts; hints
// that do not match, are too short or would cut a character are ignored.
func testSharedParts(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "parts-org")
	part := `{"id":"https://uni.example/achievements/1","name":"Statistik für Datenwissenschaft ✓","criteria":{"narrative":"` +
		strings.Repeat("Complete the assignments. ", 40) + `"}}`
	doc := func(id, subject string) (string, int) {
		head := `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"` + id + `","credentialSubject":{"name":"` + subject + `","achievement":`
		return head + part + `},"proof":{"proofValue":"z3é"}}`, len(head)
	}
	type insert struct {
		id, subject string
		edit        func(c *store.Credential)
	}
	inserts := []insert{
		{"urn:uuid:part-1", "Ada", nil},
		{"urn:uuid:part-2", "Zoë Ångström", nil},
		{"urn:uuid:part-3", "Grace", func(c *store.Credential) { c.SharedAt++ }}, // does not match: stored whole
		{"urn:uuid:part-4", "Edsger", func(c *store.Credential) { c.SharedPart = c.SharedPart[:100]; c.SharedAt = 0 }},
		{"urn:uuid:part-5", "Barbara", func(c *store.Credential) { c.SharedAt = len(c.Document) }},
	}
	build := func(in insert) store.Credential {
		c := f.credential(in.id)
		c.IdempotencyKey = "key-" + in.id
		c.Document, c.SharedAt = doc(in.id, in.subject)
		c.SharedPart = part
		if in.edit != nil {
			in.edit(&c)
		}
		return c
	}
	// The first one alone, the rest in one batch when the store has one.
	first := build(inserts[0])
	stored, _ := try3(s.InsertCredential(ctx, first)).must(t)
	if stored.Document != first.Document || stored.SharedPart != "" {
		t.Fatalf("InsertCredential returned a different document or kept the hint")
	}
	var rest []store.Credential
	for _, in := range inserts[1:] {
		rest = append(rest, build(in))
	}
	need(t, s.WithTx(ctx, func(tx store.Store) error {
		if bw, ok := tx.(store.BatchWriter); ok {
			res, err := bw.InsertCredentials(ctx, rest)
			for i, r := range res {
				if r.Stored.Document != rest[i].Document {
					return fmt.Errorf("InsertCredentials returned a different document for %s", rest[i].ID)
				}
			}
			return err
		}
		for _, c := range rest {
			if _, _, err := tx.InsertCredential(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}))
	want := map[string]string{}
	for _, c := range append([]store.Credential{first}, rest...) {
		want[c.ID] = c.Document
		got := try(s.Credential(ctx, c.ID)).must(t)
		if got.Document != c.Document || got.SharedPart != "" || got.SharedAt != 0 {
			t.Errorf("Credential(%s): document differs\n got %q\nwant %q", c.ID, got.Document, c.Document)
		}
		byKey := try(s.CredentialByIdempotencyKey(ctx, f.org.ID, c.IdempotencyKey)).must(t)
		if byKey.Document != c.Document {
			t.Errorf("CredentialByIdempotencyKey(%s): document differs", c.ID)
		}
	}
	list := try(s.ListCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID})).must(t)
	if len(list) != len(want) {
		t.Fatalf("ListCredentials: %d credentials, want %d", len(list), len(want))
	}
	for _, c := range list {
		if c.Document != want[c.ID] {
			t.Errorf("ListCredentials: document of %s differs", c.ID)
		}
	}
	// Retrying a key returns the stored document whole.
	again := build(inserts[1])
	got, existed := try3(s.InsertCredential(ctx, again)).must(t)
	if !existed || got.Document != again.Document {
		t.Errorf("retry of %s: existed %v, document equal %v", again.ID, existed, got.Document == again.Document)
	}
}
