package issue_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

func TestIssuerDisplayErrors(t *testing.T) {
	org := store.Organization{Name: "City University", URL: "https://city.example", Email: "office@city.example", ImageURL: "https://city.example/logo.png"}
	tests := []struct {
		name   string
		issuer any
		fields string
	}{
		{"id only", "did:web:city.example", ""},
		{"own profile", map[string]any{"id": "x", "name": "City University", "url": "https://city.example",
			"image": map[string]any{"id": "https://city.example/logo.png"}}, ""},
		{"no display fields", map[string]any{"id": "x"}, ""},
		{"foreign name", map[string]any{"id": "x", "name": "Demo University"}, "issuer.name"},
		{"foreign url and email", map[string]any{"id": "x", "name": "City University", "url": "https://demo.example", "email": "a@demo.example"}, "issuer.url issuer.email"},
		{"foreign image", map[string]any{"id": "x", "image": "https://demo.example/logo.png"}, "issuer.image"},
		{"name not a string", map[string]any{"id": "x", "name": []any{"City University"}}, "issuer.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range issue.IssuerDisplayErrors(tt.issuer, org) {
				got = append(got, e.Field)
			}
			if strings.Join(got, " ") != tt.fields {
				t.Errorf("fields %v, want %q", got, tt.fields)
			}
		})
	}
}

func TestCreateOrganizationRefusesAnotherOrganizationsName(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s, store.DIDWeb)
		for _, tc := range []struct{ name, url, field string }{
			{strings.ToUpper(f.org.Name), "https://elsewhere.example", "name"},
			{"Another Place", f.org.URL + "/", "url"},
		} {
			_, err := f.svc.CreateOrganization(context.Background(), store.Organization{Slug: "copycat", Name: tc.name, URL: tc.url,
				Email: "a@elsewhere.example"}, "", "system")
			if err == nil || !strings.Contains(err.Error(), tc.field+": ") {
				t.Errorf("create %q %q: %v, want an error naming %s", tc.name, tc.url, err, tc.field)
			}
		}
	})
}
