package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// catalogItem is one achievement in "microcred catalog list --json". ID is
// the achievement id the API and the other verbs take.
type catalogItem struct {
	ID               string   `json:"id"`
	Org              string   `json:"org"`
	Slug             string   `json:"slug,omitempty"`
	Name             string   `json:"name"`
	Version          int      `json:"version"`
	EQFLevel         int      `json:"eqfLevel,omitempty"`
	NSQFLevel        int      `json:"nsqfLevel,omitempty"`
	ECTS             float64  `json:"ects,omitempty"`
	CreditFrameworks []string `json:"creditFrameworks"`
}

// runCatalog handles "microcred catalog list [--org SLUG] [--json]".
func runCatalog(e *env, args []string) int {
	if len(args) == 0 || args[0] != "list" {
		return fail(e, exitBadInput, "catalog: expected a subcommand: catalog list [--org SLUG] [--json] [--data DIR | --db URL]")
	}
	fs := newFlags("catalog list", e)
	data := addDataFlags(fs)
	org := fs.String("org", "", "list only the achievements of the organization with this `slug`")
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if !parseFlags(fs, args[1:]) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "catalog list: %v", err)
	}
	ctx := context.Background()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitFailed, "catalog list: %v", err)
	}
	defer st.Close()
	items, err := listCatalog(ctx, st, *org)
	if errors.Is(err, store.ErrNotFound) {
		return fail(e, exitBadInput, "catalog list: no organization with slug %q", *org)
	}
	if err != nil {
		return fail(e, exitFailed, "catalog list: %v", err)
	}
	if *asJSON {
		out, err := json.MarshalIndent(items, "", "  ")
		if err != nil {
			return fail(e, exitFailed, "catalog list: %v", err)
		}
		e.printf("%s\n", out)
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORG\tNAME\tV\tEQF\tECTS\tCREDIT")
	for _, it := range items {
		eqf, ects := "-", "-"
		if it.EQFLevel > 0 {
			eqf = strconv.Itoa(it.EQFLevel)
		}
		if it.ECTS > 0 {
			ects = strconv.FormatFloat(it.ECTS, 'f', -1, 64)
		}
		credit := strings.Join(it.CreditFrameworks, ",")
		if credit == "" {
			credit = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", it.ID, it.Org, it.Name, it.Version, eqf, ects, credit)
	}
	if err := tw.Flush(); err != nil {
		return fail(e, exitFailed, "catalog list: %v", err)
	}
	if len(items) == 0 {
		fmt.Fprintln(e.stderr, "catalog list: the catalog is empty")
	}
	return exitOK
}

// listCatalog returns the current version of every achievement, of one
// organization when orgSlug is set, ordered as the store orders search
// results. An unknown slug wraps store.ErrNotFound.
func listCatalog(ctx context.Context, st store.Store, orgSlug string) ([]catalogItem, error) {
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing organizations: %w", err)
	}
	slugs := make(map[string]string, len(orgs))
	q := store.AchievementQuery{Limit: 1000}
	for _, o := range orgs {
		slugs[o.ID] = o.Slug
		if orgSlug != "" && o.Slug == orgSlug {
			q.OrgID = o.ID
		}
	}
	if orgSlug != "" && q.OrgID == "" {
		return nil, fmt.Errorf("organization %q: %w", orgSlug, store.ErrNotFound)
	}
	items := []catalogItem{}
	for {
		page, err := st.SearchAchievements(ctx, issue.Listed(q))
		if err != nil {
			return nil, fmt.Errorf("searching the catalog: %w", err)
		}
		for _, ce := range page {
			fw := ce.Version.CreditFrameworks
			if fw == nil {
				fw = []string{}
			}
			items = append(items, catalogItem{
				ID:               ce.Achievement.ID,
				Org:              slugs[ce.Achievement.OrgID],
				Slug:             ce.Achievement.Slug,
				Name:             ce.Version.Name,
				Version:          ce.Version.Version,
				EQFLevel:         ce.Version.EQFLevel,
				NSQFLevel:        ce.Version.NSQFLevel,
				ECTS:             ce.Version.ECTS,
				CreditFrameworks: fw,
			})
		}
		if len(page) < q.Limit {
			return items, nil
		}
		q.Offset += len(page)
	}
}
