package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

// auditBenchResult is the line "microcred bench audit --json" prints.
type auditBenchResult struct {
	Op            string  `json:"op"`
	DB            string  `json:"db"`
	Learners      int     `json:"learners"`
	Credentials   int     `json:"credentials"`
	Pathways      int     `json:"pathways"`
	Rows          int     `json:"progress_rows"`
	Complete      int     `json:"complete"`
	LoadSeconds   float64 `json:"load_seconds"`
	Seconds       float64 `json:"seconds"`
	LearnersPerS  float64 `json:"learners_per_s"`
	Ed25519Verify float64 `json:"ed25519_verify_per_s"`
	Ratio         float64 `json:"ratio"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	GOMAXPROCS    int     `json:"gomaxprocs"`
}

// runBenchAudit handles "microcred bench audit [--learners N] [--db URL]
// [--json]": N learners with one credential each, spread over 30
// achievements of two organizations, ten pathways and a credit scheme,
// all written straight into a fresh temporary SQLite database (or the
// given PostgreSQL); then every learner's progress is recomputed and
// saved, timed, with raw Ed25519 verification measured in the same run.
// The ratio is learners recomputed per Ed25519 verification.
func runBenchAudit(e *env, args []string) int {
	fs := newFlags("bench audit", e)
	learners := fs.Int("learners", 240000, "learners, one credential each")
	dbURL := fs.String("db", "", "database `URL`: a fresh temporary SQLite database by default, or postgres://... (use an empty database: the bench adds organizations and recomputes every learner in it)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the recomputation to `file`")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *learners < 1 || *learners > 10_000_000 {
		return fail(e, exitBadInput, "bench audit: --learners must be between 1 and 10000000")
	}
	tmp, err := os.MkdirTemp("", "microcred-bench-audit-*")
	if err != nil {
		return fail(e, exitFailed, "bench audit: %v", err)
	}
	defer os.RemoveAll(tmp)
	data := &dataFlags{dir: tmp, db: *dbURL}
	if data.db == "" {
		data.db = "sqlite:" + filepath.Join(tmp, "bench.db")
	}
	res, err := benchAudit(context.Background(), data, *learners, *cpuProfile)
	if err != nil {
		return fail(e, exitFailed, "bench audit: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.printf("%s\n", out)
		return exitOK
	}
	e.printf("audit recompute (%s): %d learners, %d credentials, %d pathways in %.2f s = %.0f learners/s (definitions loaded in %.3f s)\n",
		res.DB, res.Learners, res.Credentials, res.Pathways, res.Seconds, res.LearnersPerS, res.LoadSeconds)
	e.printf("  %d progress rows saved, %d complete; ed25519 verify alone %.0f/s; ratio %.2f learners per verify; peak RSS %.0f MB\n",
		res.Rows, res.Complete, res.Ed25519Verify, res.Ratio, res.PeakRSSMB)
	return exitOK
}

const benchAuditAchievements = 30

func benchAudit(ctx context.Context, data *dataFlags, learners int, cpuProfile string) (auditBenchResult, error) {
	res := auditBenchResult{Op: "audit", DB: store.Scheme(data.url()), Learners: learners, Credentials: learners, Pathways: 10, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	st, err := data.openStore(ctx, true)
	if err != nil {
		return res, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return res, fmt.Errorf("migrating: %w", err)
	}
	if err := benchAuditSetup(ctx, st, learners); err != nil {
		return res, err
	}
	const host = "bench.example"
	ps := &progress.Service{
		Store: st,
		IssuerID: func(_ context.Context, o store.Organization) (string, error) {
			return "did:web:" + host + ":orgs:" + o.Slug, nil
		},
		AchievementURL: func(id string) string { return "https://" + host + "/achievements/" + id },
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
	}
	start := time.Now()
	loaded, err := ps.Load(ctx)
	if err != nil {
		return res, err
	}
	res.LoadSeconds = time.Since(start).Seconds()
	stats, err := loaded.Recompute(ctx, time.Now())
	elapsed := time.Since(start)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return res, err
	}
	if stats.Learners != learners || stats.Credentials != learners {
		return res, fmt.Errorf("recomputed %d learners with %d credentials, want %d each", stats.Learners, stats.Credentials, learners)
	}
	res.Seconds = elapsed.Seconds()
	res.LearnersPerS = float64(learners) / res.Seconds
	res.Rows, res.Complete = stats.Rows, stats.Complete
	kp, err := keys.FromSeed(make([]byte, ed25519.SeedSize), "")
	if err != nil {
		return res, err
	}
	res.Ed25519Verify = ed25519Rate(kp, 20000, true)
	res.Ratio = res.LearnersPerS / res.Ed25519Verify
	res.PeakRSSMB = peakRSSMB()
	return res, nil
}

// benchAuditSetup writes two organizations, 30 achievements (a third of
// them with an ACE, ECTS or NCrF recommendation), ten pathways over them
// and a credit scheme, and one credential for each learner.
func benchAuditSetup(ctx context.Context, st store.Store, learners int) error {
	var orgs []store.Organization
	for _, slug := range []string{"bench-university", "bench-provider"} {
		o, err := st.CreateOrganization(ctx, store.Organization{Slug: slug, Name: slug})
		if err != nil {
			return fmt.Errorf("creating %s: %w", slug, err)
		}
		orgs = append(orgs, o)
	}
	frameworks := []string{"ACE", "ECTS", "NCrF"}
	achs := make([]string, benchAuditAchievements)
	for i := range achs {
		doc := map[string]any{"name": fmt.Sprintf("Module %d", i)}
		if i%3 == 0 {
			doc["creditRecommendations"] = []map[string]any{{"framework": frameworks[i/3%3], "amount": 3 + i%10, "level": "first cycle"}}
		}
		b, _ := json.Marshal(doc)
		e, err := st.CreateAchievement(ctx, store.Achievement{OrgID: orgs[i%2].ID, Slug: fmt.Sprintf("module-%d", i)},
			store.AchievementVersion{Name: fmt.Sprintf("Module %d", i), Document: b})
		if err != nil {
			return fmt.Errorf("creating achievement %d: %w", i, err)
		}
		achs[i] = e.Achievement.ID
	}
	// Ten pathways of the university: each needs two of its modules and
	// one of three others, or credit from recommendations.
	leaf := func(i int) map[string]any {
		return map[string]any{"kind": "credential", "match": map[string]any{"issuer": "org:" + orgs[i%2].Slug, "achievement": fmt.Sprintf("module-%d", i)}}
	}
	for p := range 10 {
		b := p * 3
		root := map[string]any{"kind": "allOf", "rules": []any{
			leaf(b % benchAuditAchievements),
			map[string]any{"kind": "nOf", "n": 1, "rules": []any{leaf((b + 1) % benchAuditAchievements), leaf((b + 2) % benchAuditAchievements), leaf((b + 7) % benchAuditAchievements)}},
			map[string]any{"kind": "minCredits", "minCredits": 3, "unit": "ECTS", "rules": []any{
				map[string]any{"kind": "credential", "match": map[string]any{"framework": frameworks[p%3], "minAmount": 1}}}},
		}}
		if p%2 == 1 {
			// Half of them are met by any one of three modules.
			root = map[string]any{"kind": "nOf", "n": 1, "rules": []any{leaf(b % benchAuditAchievements), leaf((b + 4) % benchAuditAchievements), leaf((b + 5) % benchAuditAchievements)}}
		}
		doc, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("pathway-%d", p), "name": fmt.Sprintf("Pathway %d", p), "root": root})
		if _, err := st.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: orgs[0].ID, Kind: store.PathwayKindPathway,
			Slug: fmt.Sprintf("pathway-%d", p), Name: fmt.Sprintf("Pathway %d", p), Document: doc}); err != nil {
			return err
		}
	}
	scheme, _ := json.Marshal(map[string]any{"id": "degree", "name": "Degree", "unit": "SCH",
		"rules": []any{map[string]any{"match": map[string]any{"framework": "ACE", "minAmount": 1}, "group": "micro"},
			map[string]any{"match": map[string]any{"framework": "ECTS"}, "group": "micro"}},
		"caps": []any{map[string]any{"group": "micro", "max": 18}}})
	if _, err := st.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: orgs[0].ID, Kind: store.PathwayKindScheme, Slug: "degree", Name: "Degree", Document: scheme}); err != nil {
		return err
	}
	// One credential per learner, written in large transactions.
	issued := time.Now().AddDate(0, -6, 0).UTC()
	const chunk = 2000
	for start := 0; start < learners; start += chunk {
		err := st.WithTx(ctx, func(tx store.Store) error {
			bw, ok := tx.(store.BatchWriter)
			var cs []store.Credential
			for i := start; i < min(start+chunk, learners); i++ {
				a := (i * 7) % benchAuditAchievements
				id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i)
				c := store.Credential{ID: id, OrgID: orgs[a%2].ID, AchievementID: achs[a], AchievementVersion: 1,
					RecipientEmail: fmt.Sprintf("learner%d@bench.example", i), Format: store.FormatLDPRDFC,
					Document: `{"id":"` + id + `"}`, IssuedAt: issued.Add(time.Duration(i) * time.Second)}
				if !ok {
					if _, _, err := tx.InsertCredential(ctx, c); err != nil {
						return err
					}
					continue
				}
				cs = append(cs, c)
			}
			if ok {
				_, err := bw.InsertCredentials(ctx, cs)
				return err
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("writing credentials: %w", err)
		}
	}
	return nil
}
