package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
)

// impactBenchResult is one line of "microcred bench impact --json".
type impactBenchResult struct {
	Op          string  `json:"op"`
	DB          string  `json:"db"`
	Learners    int     `json:"learners"`
	Credentials int     `json:"credentials"`
	Rows        int     `json:"rows"` // credentials rows in the table searched
	N           int     `json:"n"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	TargetMs    float64 `json:"target_ms"`
	BaselineP50 float64 `json:"baseline_p50_ms"` // GET /privacy: middleware and a template, no query
	Ratio       float64 `json:"ratio"`           // p50 / baseline p50
}

// runBenchImpact handles "microcred bench impact [--db URL] [--learners N]
// [--credentials N] [--json]": it generates a year of an organization's
// rollups (as issuance and the event hooks keep them) for the given
// number of credentials, inserts that many credential rows in batches
// through the store, and times the full HTTP handlers of the impact
// dashboard (target 300 ms) and of the credential search (target 50 ms),
// beside GET /privacy measured in the same run.
func runBenchImpact(e *env, args []string) int {
	fs := newFlags("bench impact", e)
	dbURL := fs.String("db", "", "database `URL`: a fresh temporary SQLite database by default, or postgres://... (the bench adds its own organization)")
	learners := fs.Int("learners", 240_000, "learners of the organization")
	creds := fs.Int("credentials", 1_000_000, "credentials issued over the year")
	n := fs.Int("n", 50, "requests to time per case")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *learners < 1 || *creds < *learners || *creds > 20_000_000 || *n < 5 {
		return fail(e, exitBadInput, "bench impact: need 1 <= --learners <= --credentials <= 20000000 and -n >= 5")
	}
	data := &dataFlags{dir: os.TempDir(), db: *dbURL}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "bench impact: %v", err)
	}
	tmp, err := os.MkdirTemp("", "microcred-bench-*")
	if err != nil {
		return fail(e, exitFailed, "bench impact: %v", err)
	}
	defer os.RemoveAll(tmp)
	data.dir = tmp
	results, err := benchImpact(context.Background(), e, data, *learners, *creds, *n)
	if err != nil {
		return fail(e, exitFailed, "bench impact: %v", err)
	}
	for _, r := range results {
		if *asJSON {
			out, _ := json.Marshal(r)
			e.printf("%s\n", out)
			continue
		}
		verdict := "within"
		if r.P99ms > r.TargetMs {
			verdict = "OVER"
		}
		e.printf("%-32s %-8s p50 %7.2f ms  p99 %7.2f ms  (target %3.0f ms: %s)  baseline p50 %5.2f ms  ratio %6.1f  rows %d\n",
			r.Op, r.DB, r.P50ms, r.P99ms, r.TargetMs, verdict, r.BaselineP50, r.Ratio, r.Rows)
	}
	return exitOK
}

func benchImpact(ctx context.Context, e *env, data *dataFlags, learners, creds, n int) ([]impactBenchResult, error) {
	a, err := openApp(ctx, data, "http://127.0.0.1:1", false, -1, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer a.store.Close()
	db := store.Scheme(data.url())
	suffix := strings.ToLower(rand.Text()[:10])
	org, err := a.issuer.CreateOrganization(ctx, store.Organization{Slug: "impact-" + suffix, Name: "Impact Bench " + suffix,
		URL: "https://bench.example/" + suffix, Email: "bench@bench.example", Country: "NL"}, "", "system")
	if err != nil {
		return nil, fmt.Errorf("creating the bench organization: %w", err)
	}
	var achs []store.CatalogEntry
	for _, o := range catalog.DemoCatalogAt(a.baseURL) {
		for _, x := range o.Achievements {
			if len(achs) == 12 {
				break
			}
			x.Provider, x.StacksInto = org.Slug, nil
			entry, err := a.issuer.SaveAchievement(ctx, org.ID, &x, "system")
			if err != nil {
				return nil, fmt.Errorf("saving a bench achievement: %w", err)
			}
			achs = append(achs, entry)
		}
	}
	rng := mrand.New(mrand.NewPCG(15, 240))
	start := time.Now().UTC().AddDate(-1, 0, 0)
	fmt.Fprintf(e.stderr, "bench impact: generating a year of rollups for %d credentials...\n", creds)
	if err := benchRollups(ctx, a.store, org.ID, achs, creds, start, rng); err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "bench impact: inserting %d credential rows in batches...\n", creds)
	t0 := time.Now()
	ids, err := benchCredentialRows(ctx, a.store, org.ID, achs, learners, creds, start, rng)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "bench impact: inserted in %s\n", time.Since(t0).Round(time.Second))

	// A signed-in owner.
	hash, _ := auth.HashPassword(rand.Text())
	u, err := a.store.CreateUser(ctx, store.User{Email: "owner-" + suffix + "@bench.example", Name: "Bench Owner", PasswordHash: hash})
	if err != nil {
		return nil, fmt.Errorf("creating the bench user: %w", err)
	}
	if _, err := a.store.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: u.ID, Role: store.RoleOwner}); err != nil {
		return nil, fmt.Errorf("adding the bench owner: %w", err)
	}
	token, sessionHash := auth.NewToken()
	now := time.Now()
	if _, err := a.store.CreateSession(ctx, store.Session{ID: sessionHash, UserID: u.ID, CSRFSecret: []byte(rand.Text()), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		return nil, fmt.Errorf("creating the bench session: %w", err)
	}
	get := func(path string) (time.Duration, error) {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "microcred_session", Value: token})
		rec := httptest.NewRecorder()
		t := time.Now()
		a.handler.ServeHTTP(rec, req)
		d := time.Since(t)
		if rec.Code != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(rec.Body, 300))
			return d, fmt.Errorf("GET %s: %d %s", path, rec.Code, b)
		}
		return d, nil
	}
	timeIt := func(paths func(i int) string) (p50, p99 float64, err error) {
		var ds []float64
		if _, err := get(paths(0)); err != nil { // warm up
			return 0, 0, err
		}
		for i := range n {
			d, err := get(paths(i))
			if err != nil {
				return 0, 0, err
			}
			ds = append(ds, float64(d)/float64(time.Millisecond))
		}
		sort.Float64s(ds)
		return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)], nil
	}
	base50, _, err := timeIt(func(int) string { return "/privacy" })
	if err != nil {
		return nil, err
	}
	prefix := "/admin/orgs/" + org.Slug
	cases := []struct {
		op     string
		target float64
		path   func(i int) string
	}{
		{"dashboard last 12 months", 300, func(int) string { return prefix + "/impact" }},
		{"dashboard all time", 300, func(int) string { return prefix + "/impact?period=all" }},
		{"dashboard one achievement", 300, func(i int) string {
			return prefix + "/impact?achievement=" + achs[i%len(achs)].Achievement.ID
		}},
		{"metrics JSON API", 300, nil},
		{"credentials first page", 50, func(int) string { return prefix + "/credentials" }},
		{"credentials name prefix", 50, func(i int) string {
			return prefix + "/credentials?q=" + url.QueryEscape(fmt.Sprintf("Learner %d", rng.IntN(learners)))
		}},
		{"credentials email", 50, func(i int) string {
			return prefix + "/credentials?q=" + url.QueryEscape(fmt.Sprintf("learner%d@bench.example", rng.IntN(learners)))
		}},
		{"credentials id", 50, func(i int) string { return prefix + "/credentials?q=" + ids[rng.IntN(len(ids))] }},
		{"credentials achievement+dates", 50, func(i int) string {
			return prefix + "/credentials?achievement=" + achs[i%len(achs)].Achievement.ID + "&from=" + start.AddDate(0, 3, 0).Format(time.DateOnly) + "&to=" + start.AddDate(0, 4, 0).Format(time.DateOnly)
		}},
		{"credentials expired", 50, func(int) string { return prefix + "/credentials?status=expired" }},
	}
	var out []impactBenchResult
	for _, c := range cases {
		if c.path == nil {
			continue // the API needs a bearer token; its work is the dashboard's Build, timed above
		}
		p50, p99, err := timeIt(c.path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.op, err)
		}
		out = append(out, impactBenchResult{Op: c.op, DB: db, Learners: learners, Credentials: creds, Rows: creds, N: n, P50ms: p50, P99ms: p99,
			TargetMs: c.target, BaselineP50: base50, Ratio: p50 / base50})
	}
	return out, nil
}

// benchRollups writes a year of daily rollups of creds credentials over
// achs, with claims, shares, third-party verifications and pulse answers
// at realistic rates, as the event hooks would have kept them, and a few
// thousand verification events with domains.
func benchRollups(ctx context.Context, st store.Store, orgID string, achs []store.CatalogEntry, creds int, start time.Time, rng *mrand.Rand) error {
	perDay := creds / 365
	var batch []store.Rollup
	for d := range 365 {
		day := start.AddDate(0, 0, d).Format(time.DateOnly)
		left := perDay
		if d == 364 {
			left = creds - perDay*364
		}
		for i, a := range achs {
			k := left / (len(achs) - i)
			left -= k
			id := a.Achievement.ID
			add := func(kind, dim string, n int) {
				if n > 0 {
					batch = append(batch, store.Rollup{OrgID: orgID, AchievementID: id, Day: day, Kind: kind, Dim: dim, N: int64(n)})
				}
			}
			claimed := k * 8 / 10
			shared := claimed / 3
			verified := shared / 4
			add(analytics.Issued, "", k)
			add(analytics.Claimed, "", claimed)
			add("first."+analytics.Claimed, "", claimed)
			add(analytics.Shared, "linkedin", shared*2/3)
			add(analytics.Shared, "link", shared-shared*2/3)
			add("first."+analytics.Shared, "", shared)
			add(analytics.Verified, "page", verified)
			add(analytics.Verified, "api", verified/2)
			add(analytics.Verified, "qr", verified/3)
			add("first."+analytics.Verified, "", verified)
			add(analytics.Viewed, "", k/2)
			add(analytics.PulseStandout, "", claimed/2)
			add(analytics.PulseStandout, "yes", claimed*9/20)
			add(analytics.PulseHire, "", verified/5)
			add(analytics.PulseHire, "yes", verified*72/500)
			add(analytics.EvidenceApproved, "", k/10)
			add(analytics.Revoked, "", rng.IntN(3))
		}
		if len(batch) >= 2000 {
			if err := st.AddRollups(ctx, batch); err != nil {
				return fmt.Errorf("adding rollups: %w", err)
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := st.AddRollups(ctx, batch); err != nil {
			return fmt.Errorf("adding rollups: %w", err)
		}
	}
	for i := range 3000 {
		a := achs[i%len(achs)]
		if err := st.RecordEvent(ctx, store.Event{OrgID: orgID, AchievementID: a.Achievement.ID, Kind: "bench.domain", Domain: fmt.Sprintf("employer%d.example", rng.IntN(800)),
			At: start.Add(time.Duration(rng.IntN(365*24)) * time.Hour)}); err != nil {
			return fmt.Errorf("recording an event: %w", err)
		}
	}
	return nil
}

// benchCredentialRows inserts creds credential rows for learners
// recipients through the store's batch insert. The documents are short
// stand-ins: the list and the search never read them.
func benchCredentialRows(ctx context.Context, st store.Store, orgID string, achs []store.CatalogEntry, learners, creds int, start time.Time, rng *mrand.Rand) ([]string, error) {
	bw, ok := st.(store.BatchWriter)
	if !ok {
		return nil, fmt.Errorf("the store has no batch insert")
	}
	const batch = 2000
	var sample []string
	year := int64(365 * 24 * time.Hour)
	for done := 0; done < creds; done += batch {
		cs := make([]store.Credential, 0, batch)
		for i := done; i < min(done+batch, creds); i++ {
			l := rng.IntN(learners)
			a := achs[rng.IntN(len(achs))]
			at := start.Add(time.Duration(rng.Int64N(year))).Truncate(time.Second)
			id := "urn:uuid:" + newUUID(rng)
			c := store.Credential{ID: id, OrgID: orgID, AchievementID: a.Achievement.ID, AchievementVersion: a.Achievement.CurrentVersion,
				RecipientEmail: fmt.Sprintf("learner%d@bench.example", l), RecipientName: fmt.Sprintf("Learner %d", l), Format: store.FormatLDPRDFC,
				Document: `{"id":"` + id + `"}`, IssuedAt: at, ValidFrom: at}
			if i%10 == 0 {
				until := at.AddDate(0, 6, 0)
				c.ValidUntil = &until
			}
			cs = append(cs, c)
			if i%(creds/100+1) == 0 {
				sample = append(sample, id)
			}
		}
		if _, err := bw.InsertCredentials(ctx, cs); err != nil {
			return nil, fmt.Errorf("inserting credentials: %w", err)
		}
	}
	return sample, nil
}

func newUUID(rng *mrand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
