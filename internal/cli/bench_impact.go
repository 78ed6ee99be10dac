package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/status"
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
	keep := fs.String("keep", "", "keep the data directory (and the SQLite database, unless --db names another) in `DIR` and reuse "+
		"the organization generated there by an earlier run with the same --learners and --credentials")
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
	if *keep != "" {
		data.dir = *keep
	} else {
		tmp, err := os.MkdirTemp("", "microcred-bench-*")
		if err != nil {
			return fail(e, exitFailed, "bench impact: %v", err)
		}
		defer os.RemoveAll(tmp)
		data.dir = tmp
	}
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
		e.printf("%-44s %-8s p50 %7.2f ms  p99 %7.2f ms  (target %3.0f ms: %s)  baseline p50 %5.2f ms  ratio %6.1f  rows %d\n",
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
	// The organization's slug says what was generated, so that a kept
	// database (--keep) is reused only for the same sizes.
	slug := fmt.Sprintf("impact-bench-%d-%d", learners, creds)
	org, err := a.store.OrganizationBySlug(ctx, slug)
	reused := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("looking for an earlier bench organization: %w", err)
	}
	if !reused {
		org, err = a.issuer.CreateOrganization(ctx, store.Organization{Slug: slug, Name: "Impact Bench " + slug,
			URL: "https://bench.example/" + slug, Email: "bench@bench.example", Country: "NL", Suspension: true}, "", "system")
		if err != nil {
			return nil, fmt.Errorf("creating the bench organization: %w", err)
		}
	}
	achs, err := benchAchievements(ctx, a, org)
	if err != nil {
		return nil, err
	}
	rng := mrand.New(mrand.NewPCG(15, 240))
	// Rollups and the dashboard cover the last year; the credential rows
	// three (an organization of this size has been issuing for years, and
	// only then do validity periods of one to three years run out).
	now := time.Now().UTC()
	start := now.AddDate(-1, 0, 0)
	rowsStart := now.AddDate(-3, 0, 0)
	if reused {
		fmt.Fprintf(e.stderr, "bench impact: reusing organization %s of %s\n", slug, data.describe())
	} else {
		fmt.Fprintf(e.stderr, "bench impact: generating a year of rollups for %d credentials...\n", creds)
		if err := benchRollups(ctx, a.store, org.ID, achs, creds, start, rng); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "bench impact: inserting %d credential rows and their status entries in batches...\n", creds)
		t0 := time.Now()
		if err := benchCredentialRows(ctx, a.store, org.ID, achs, learners, creds, rowsStart, now, rng); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "bench impact: inserted in %s\n", time.Since(t0).Round(time.Second))
		if db == "postgres" {
			// What autovacuum does a little after a bulk load: statistics
			// for the planner, and the visibility map that lets index-only
			// scans skip the table.
			if err := benchVacuum(ctx, data.url()); err != nil {
				return nil, err
			}
			fmt.Fprintf(e.stderr, "bench impact: VACUUM (ANALYZE) done, as autovacuum would after the load\n")
		}
	}
	dist, err := benchDistribution(ctx, a.store, org.ID, now)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "bench impact: %s\n", dist)
	ids, err := benchSampleIDs(ctx, a.store, org.ID, rowsStart, now, rng)
	if err != nil {
		return nil, err
	}

	// A signed-in owner.
	suffix := strings.ToLower(rand.Text()[:10])
	hash, _ := auth.HashPassword(rand.Text())
	u, err := a.store.CreateUser(ctx, store.User{Email: "owner-" + suffix + "@bench.example", Name: "Bench Owner", PasswordHash: hash})
	if err != nil {
		return nil, fmt.Errorf("creating the bench user: %w", err)
	}
	if _, err := a.store.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: u.ID, Role: store.RoleOwner}); err != nil {
		return nil, fmt.Errorf("adding the bench owner: %w", err)
	}
	token, sessionHash := auth.NewToken()
	if _, err := a.store.CreateSession(ctx, store.Session{ID: sessionHash, UserID: u.ID, CSRFSecret: []byte(rand.Text()), CreatedAt: now, ExpiresAt: now.Add(2 * time.Hour)}); err != nil {
		return nil, fmt.Errorf("creating the bench session: %w", err)
	}
	get := func(path string) (time.Duration, string, error) {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "microcred_session", Value: token})
		rec := httptest.NewRecorder()
		t := time.Now()
		a.handler.ServeHTTP(rec, req)
		d := time.Since(t)
		if rec.Code != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(rec.Body, 300))
			return d, "", fmt.Errorf("GET %s: %d %s", path, rec.Code, b)
		}
		return d, rec.Body.String(), nil
	}
	timeIt := func(paths func(i int) string) (p50, p99 float64, err error) {
		var ds []float64
		if _, _, err := get(paths(0)); err != nil { // warm up
			return 0, 0, err
		}
		for i := range n {
			d, _, err := get(paths(i))
			if err != nil {
				return 0, 0, err
			}
			ds = append(ds, float64(d)/float64(time.Millisecond))
		}
		sort.Float64s(ds)
		return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)], nil
	}
	// later returns the address of the list's fifth page for a query, by
	// following the "next page" links as a registrar would; "" when the
	// matches end before.
	later := func(path string) (string, error) {
		for range 4 {
			_, body, err := get(path)
			if err != nil {
				return "", err
			}
			m := afterRE.FindStringSubmatch(body)
			if m == nil {
				return "", nil
			}
			path = strings.SplitN(path, "?", 2)[0] + "?" + html.UnescapeString(m[1])
		}
		return path, nil
	}
	base50, _, err := timeIt(func(int) string { return "/privacy" })
	if err != nil {
		return nil, err
	}
	prefix := "/admin/orgs/" + org.Slug
	list := prefix + "/credentials?"
	ach := func(i int) string { return "achievement=" + url.QueryEscape(achs[i%len(achs)].Achievement.ID) }
	dates := "from=" + start.AddDate(0, 3, 0).Format(time.DateOnly) + "&to=" + start.AddDate(0, 4, 0).Format(time.DateOnly)
	name := func(int) string { return "q=" + url.QueryEscape(benchName(rng.IntN(learners))) }
	given := func(int) string { return "q=" + url.QueryEscape(benchGiven[rng.IntN(len(benchGiven))]) }
	email := func(int) string { return "q=" + url.QueryEscape(benchEmail(rng.IntN(learners))) }
	id := func(int) string { return "q=" + url.QueryEscape(ids[rng.IntN(len(ids))]) }
	fixed := func(q string) func(int) string { return func(int) string { return q } }
	type benchCase struct {
		op     string
		target float64
		path   func(i int) string
		pages  bool // also time a later page of the first query
	}
	cases := []benchCase{
		{"dashboard last 12 months", 300, func(int) string { return prefix + "/impact" }, false},
		{"dashboard all time", 300, func(int) string { return prefix + "/impact?period=all" }, false},
		{"dashboard one achievement", 300, func(i int) string {
			return prefix + "/impact?achievement=" + achs[i%len(achs)].Achievement.ID
		}, false},
	}
	// The credential list: every filter alone and in the combinations a
	// registrar uses, each query's first page and (where the matches go
	// on) its fifth, reached through the "next page" links.
	for _, c := range []struct {
		op string
		q  func(i int) string
	}{
		{"all", fixed("")},
		{"status active", fixed("status=active")},
		{"status revoked", fixed("status=revoked")},
		{"status suspended", fixed("status=suspended")},
		{"status expired", fixed("status=expired")},
		{"achievement", ach},
		{"dates", fixed(dates)},
		{"achievement+dates", func(i int) string { return ach(i) + "&" + dates }},
		{"name", name},
		{"given name (common prefix)", given},
		{"email", email},
		{"id", id},
		{"achievement+expired", func(i int) string { return ach(i) + "&status=expired" }},
		{"achievement+active+dates", func(i int) string { return ach(i) + "&status=active&" + dates }},
		{"dates+revoked", fixed(dates + "&status=revoked")},
		{"expired+dates", fixed("status=expired&" + dates)},
		{"given name+expired", func(i int) string { return given(i) + "&status=expired" }},
		{"given name+achievement+active", func(i int) string { return given(i) + "&" + ach(i) + "&status=active" }},
		{"name+revoked", func(i int) string { return name(i) + "&status=revoked" }},
	} {
		q := c.q
		cases = append(cases, benchCase{"credentials " + c.op, 50, func(i int) string { return list + q(i) }, true})
	}
	var out []impactBenchResult
	add := func(op string, target float64, path func(int) string) error {
		p50, p99, err := timeIt(path)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, impactBenchResult{Op: op, DB: db, Learners: learners, Credentials: creds, Rows: creds, N: n, P50ms: p50, P99ms: p99,
			TargetMs: target, BaselineP50: base50, Ratio: p50 / base50})
		return nil
	}
	for _, c := range cases {
		if err := add(c.op, c.target, c.path); err != nil {
			return nil, err
		}
		if !c.pages {
			continue
		}
		// A later page of each of n queries of the case (the same query
		// when the case has one).
		var pages []string
		for i := range n + 1 {
			p, err := later(c.path(i))
			if err != nil {
				return nil, fmt.Errorf("%s, later page: %w", c.op, err)
			}
			if p != "" {
				pages = append(pages, p)
			}
		}
		if len(pages) >= 5 {
			if err := add(c.op+" p5", c.target, func(i int) string { return pages[i%len(pages)] }); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// benchVacuum runs VACUUM (ANALYZE) on the tables the bench filled.
func benchVacuum(ctx context.Context, url string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	if _, err := c.Exec(ctx, `VACUUM (ANALYZE) credentials, credential_status, rollups, rollups_monthly`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// afterRE finds the next-page link's query on the credential list.
var afterRE = regexp.MustCompile(`href="[^"?]*/credentials\?([^"]*after=[^"]*)"`)

// benchAchievements saves the bench organization's twelve achievements
// from the demo catalog, or finds those an earlier run saved.
func benchAchievements(ctx context.Context, a *app, org store.Organization) ([]store.CatalogEntry, error) {
	have, err := a.store.SearchAchievements(ctx, store.AchievementQuery{OrgID: org.ID, Limit: 100})
	if err != nil {
		return nil, fmt.Errorf("listing the bench achievements: %w", err)
	}
	if len(have) > 0 {
		sort.Slice(have, func(i, j int) bool { return have[i].Achievement.ID < have[j].Achievement.ID })
		return have, nil
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
	sort.Slice(achs, func(i, j int) bool { return achs[i].Achievement.ID < achs[j].Achievement.ID })
	return achs, nil
}

// benchDistribution describes the generated rows: how many carry a
// validity end, how many have expired, are revoked or suspended.
func benchDistribution(ctx context.Context, st store.Store, orgID string, now time.Time) (string, error) {
	count := func(status string) (int, error) {
		n := 0
		q := store.CredentialSearch{OrgID: orgID, Status: status, Now: now, Limit: 1000}
		for {
			page, err := st.SearchCredentials(ctx, q)
			if err != nil {
				return 0, fmt.Errorf("counting %s credentials: %w", status, err)
			}
			n += len(page)
			if len(page) < q.Limit {
				return n, nil
			}
			last := page[len(page)-1]
			q.After = &store.CredentialCursor{IssuedAt: last.IssuedAt, ID: last.ID}
		}
	}
	var parts []string
	for _, s := range []string{store.StatusExpired, store.StatusRevoked, store.StatusSuspended} {
		k, err := count(s)
		if err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%d %s", k, s))
	}
	return strings.Join(parts, ", "), nil
}

// benchSampleIDs picks 100 credential ids spread over the rows' years.
func benchSampleIDs(ctx context.Context, st store.Store, orgID string, from, to time.Time, rng *mrand.Rand) ([]string, error) {
	var ids []string
	span := int64(to.Sub(from))
	for range 100 {
		at := from.Add(time.Duration(rng.Int64N(span)))
		page, err := st.SearchCredentials(ctx, store.CredentialSearch{OrgID: orgID, After: &store.CredentialCursor{IssuedAt: at, ID: "~"}, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("sampling credential ids: %w", err)
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("sampling credential ids: none found")
	}
	return ids, nil
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

// benchValidity is how long the credentials of the bench's first four
// achievements stay valid (a safety induction renewed twice a year, yearly
// and two-yearly professional updates, a three-year certification); the
// other eight never expire. A third of the rows so carry a validity end,
// and about one in seven has expired by now.
var benchValidity = [...]struct{ years, months int }{{0, 6}, {1, 0}, {2, 0}, {3, 0}}

// benchGiven and benchFamily make the learners' names: fifty given names
// (each about 2% of learners, a registrar's broadest realistic prefix) and
// two hundred family names.
var benchGiven = strings.Fields(`Maria Jan Anna Mohammed Sofia Lucas Emma Noah Olivia Liam Ava Mateo Mia Elias Amara Yusuf Chen Wei
	Priya Arjun Fatima Omar Lena Jonas Sara David Laura Daniel Nina Tomas Eva Pieter Ines Kofi Aisha Hiro Yuki Carlos Lucia Ivan
	Olga Ahmed Leila Sven Ingrid Paulo Rosa Kwame Zara Nils`)

var benchFamily = func() []string {
	roots := strings.Fields(`Jansen Smith Garcia Muller Rossi Novak Kowalski Dubois Silva Costa Nguyen Kim Patel Khan Ali Okafor
		Mensah Tanaka Sato Ivanov Petrov Larsen Berg Visser Bakker Meyer Schmidt Fischer Weber Moreau Romano Ricci Lopez Perez Santos
		Ferreira Oliveira Hansen Nilsen Lindqvist`)
	var out []string
	for _, r := range roots {
		for _, s := range []string{"", "-Berg", "-Diaz", "-Hart", "-Lund"} {
			out = append(out, r+s)
		}
	}
	return out
}()

// benchName and benchEmail are learner l's name and address.
func benchName(l int) string {
	h := uint64(l)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	return benchGiven[h%uint64(len(benchGiven))] + " " + benchFamily[(h>>20)%uint64(len(benchFamily))]
}

func benchEmail(l int) string { return fmt.Sprintf("learner%d@bench.example", l) }

// benchCredentialRows inserts creds credential rows for learners
// recipients, issued evenly between from and to, through the store's
// batch insert, each with its revocation and suspension entries as
// issuance records them; 1% are revoked and 0.2% suspended. The
// documents are short stand-ins: the list and the search never read them.
func benchCredentialRows(ctx context.Context, st store.Store, orgID string, achs []store.CatalogEntry, learners, creds int, from, to time.Time, rng *mrand.Rand) error {
	bw, ok := st.(store.BatchWriter)
	if !ok {
		return fmt.Errorf("the store has no batch insert")
	}
	const batch = 2000
	span := int64(to.Sub(from))
	for done := 0; done < creds; done += batch {
		k := min(batch, creds-done)
		cs := make([]store.Credential, 0, k)
		var css []store.CredentialStatus
		for _, purpose := range []string{store.PurposeRevocation, store.PurposeSuspension} {
			slots, err := st.ReserveStatusSlots(ctx, orgID, purpose, k, status.DefaultListSize)
			if err != nil {
				return fmt.Errorf("reserving status entries: %w", err)
			}
			for _, sl := range slots {
				css = append(css, store.CredentialStatus{OrgID: orgID, Purpose: purpose, List: sl.List, Index: sl.Seq, Seq: sl.Seq})
			}
		}
		for i := range k {
			l := rng.IntN(learners)
			ai := rng.IntN(len(achs))
			a := achs[ai]
			at := from.Add(time.Duration(rng.Int64N(span))).Truncate(time.Second)
			id := "urn:uuid:" + newUUID(rng)
			c := store.Credential{ID: id, OrgID: orgID, AchievementID: a.Achievement.ID, AchievementVersion: a.Achievement.CurrentVersion,
				RecipientEmail: benchEmail(l), RecipientName: benchName(l), Format: store.FormatLDPRDFC,
				Document: `{"id":"` + id + `"}`, IssuedAt: at, ValidFrom: at}
			if ai < len(benchValidity) {
				until := at.AddDate(benchValidity[ai].years, benchValidity[ai].months, 0)
				c.ValidUntil = &until
			}
			cs = append(cs, c)
			css[i].CredentialID, css[k+i].CredentialID = id, id
			switch r := rng.IntN(1000); {
			case r < 10:
				css[i].Set = true
			case r < 12:
				css[k+i].Set = true
			}
		}
		if _, err := bw.InsertCredentials(ctx, cs); err != nil {
			return fmt.Errorf("inserting credentials: %w", err)
		}
		if err := bw.InsertCredentialStatuses(ctx, css); err != nil {
			return fmt.Errorf("inserting status entries: %w", err)
		}
	}
	return nil
}

func newUUID(rng *mrand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
