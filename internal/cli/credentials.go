package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// runCredentials handles "microcred credentials list [--org SLUG] [--json]
// [--data DIR | --db URL]".
//
// Public addresses are built from the base URL the server last started
// with, which serve and demo record in the database (setting "base_url");
// a database a server never ran on falls back to the base URL that the
// credential's own achievement id (BASE/achievements/ID) reveals.
func runCredentials(e *env, args []string) int {
	if len(args) > 0 && args[0] == "count" {
		return runCredentialsCount(e, args[1:])
	}
	if len(args) == 0 || args[0] != "list" {
		return fail(e, exitBadInput, "credentials: usage: microcred credentials list [--org SLUG] [--json] [--data DIR | --db URL]")
	}
	fs := newFlags("credentials list", e)
	data := addDataFlags(fs)
	orgSlug := fs.String("org", "", "only the credentials of the organization with this `slug`")
	asJSON := fs.Bool("json", false, "print a JSON array of {id, url, org, achievement, recipientName, status, issuedAt, validUntil}")
	if !parseFlags(fs, args[1:]) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "credentials list: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitBadInput, "credentials list: %v", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "credentials list: migrating %s: %v", data.describe(), err)
	}
	rows, err := listCredentials(ctx, st, *orgSlug)
	if errors.Is(err, store.ErrNotFound) {
		return fail(e, exitBadInput, "credentials list: %v", err)
	}
	if err != nil {
		return fail(e, exitFailed, "credentials list: %v", err)
	}
	if *asJSON {
		out, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return fail(e, exitFailed, "credentials list: %v", err)
		}
		e.stdout.Write(append(out, '\n'))
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ISSUED\tSTATUS\tORG\tACHIEVEMENT\tRECIPIENT\tURL")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.IssuedAt.Format("2006-01-02"), r.Status, r.Org, r.Achievement, r.RecipientName, r.URL)
	}
	tw.Flush()
	return exitOK
}

// credentialListRow is one line of "credentials list --json".
type credentialListRow struct {
	ID            string     `json:"id"`
	URL           string     `json:"url"` // the public JSON: BASE/c/UUID.json
	Page          string     `json:"page"`
	Org           string     `json:"org"`
	Achievement   string     `json:"achievement"`
	RecipientName string     `json:"recipientName"`
	Status        string     `json:"status"` // active, suspended, revoked
	IssuedAt      time.Time  `json:"issuedAt"`
	ValidUntil    *time.Time `json:"validUntil,omitempty"`
	Replaces      string     `json:"replaces,omitempty"`
}

func listCredentials(ctx context.Context, st store.Store, slug string) ([]credentialListRow, error) {
	orgs := map[string]string{} // id → slug
	q := store.CredentialQuery{Limit: 1000}
	if slug != "" {
		org, err := st.OrganizationBySlug(ctx, slug)
		if err != nil {
			return nil, fmt.Errorf("organization %q: %w", slug, err)
		}
		q.OrgID = org.ID
		orgs[org.ID] = org.Slug
	} else {
		all, err := st.ListOrganizations(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range all {
			orgs[o.ID] = o.Slug
		}
	}
	base, err := st.Setting(ctx, store.SettingBaseURL)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	names := map[string]string{}
	svc := &status.Service{Store: st}
	rows := []credentialListRow{}
	for {
		page, err := st.ListCredentials(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			key := fmt.Sprintf("%s@%d", c.AchievementID, c.AchievementVersion)
			if _, ok := names[key]; !ok {
				if v, err := st.AchievementVersion(ctx, c.AchievementID, c.AchievementVersion); err == nil {
					names[key] = v.Name
				}
			}
			state, err := svc.State(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			b := base
			if b == "" {
				b = baseFromDocument(c.Document)
			}
			uuid := strings.TrimPrefix(c.ID, "urn:uuid:")
			row := credentialListRow{ID: c.ID, Org: orgs[c.OrgID], Achievement: names[key], RecipientName: c.RecipientName,
				Status: state.Label(), IssuedAt: c.IssuedAt, ValidUntil: c.ValidUntil, Replaces: c.Replaces}
			if b != "" {
				row.URL, row.Page = b+"/c/"+uuid+".json", b+"/c/"+uuid
			}
			rows = append(rows, row)
		}
		if len(page) < q.Limit {
			return rows, nil
		}
		q.Offset += len(page)
	}
}

// baseFromDocument recovers the server's base URL from a stored credential
// issued by it: achievement ids are BASE/achievements/ID.
func baseFromDocument(doc string) string {
	i := strings.Index(doc, "/achievements/")
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(doc[:i], `"http`)
	if j < 0 {
		return ""
	}
	return doc[j+1 : i]
}
