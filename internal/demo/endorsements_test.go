package demo

import (
	"context"
	"testing"

	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/store"
)

func TestSeedEndorsements(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	if _, err := Seed(ctx, svc, st); err != nil {
		t.Fatal(err)
	}
	uni, err := st.OrganizationBySlug(ctx, UniversitySlug)
	if err != nil {
		t.Fatal(err)
	}
	views, err := (&endorse.Service{Store: st, Issuer: svc}).Received(ctx, uni.ID, endorse.Page{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, v := range views {
		if v.Label != endorse.LabelVerified || v.Comment == "" || v.EndorserName == "" {
			t.Errorf("endorsement %s: %s (%s) by %q", v.ID, v.Label, v.Reason, v.EndorserName)
		}
		kinds[v.SubjectKind]++
	}
	if kinds[store.EndorsedAchievement] != 1 || kinds[store.EndorsedProfile] != 1 {
		t.Fatalf("the university's endorsements by kind = %v, want one of an achievement and one of the university", kinds)
	}
}
