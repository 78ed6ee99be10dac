package api

import (
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// metricsRoutes serve an organization's impact metrics as JSON, for its
// own BI tools: the same report, periods and suppression as the
// dashboard at /admin/orgs/{slug}/impact.
func (a *API) metricsRoutes() []route {
	q := func(name, desc string, schema map[string]any) param {
		return param{name: name, in: "query", description: desc, schema: schema}
	}
	date := map[string]any{"type": "string", "format": "date"}
	return []route{{
		method: "GET", path: "/api/v1/orgs/{slug}/metrics", scope: ScopeCredentialRead, style: styleJSON, handle: (*API).metrics,
		op: operation{
			id: "getImpactMetrics", tag: tagMicrocred, summary: "The organization's impact metrics",
			description: "The figures of the organization's Micro-Credentials Impact Report, computed from counts kept as events " +
				"happen: credentials issued and claimed, claim, share and third-party verification rates with Wilson 95% " +
				"intervals, third-party verifications and distinct verifier domains, time from application to award, credit " +
				"awarded, the learners' and employers' pulse answers, per achievement and per month, and the stacking flow from " +
				"micro-credentials through pathways to stacked credentials and credit. Counts of 1 to 4 (and " +
				"proportions of fewer than 5) are null with suppressed true. The token must belong to the organization. " +
				"Without from and to, period selects last 30 days (30d), the last 12 months (12m, the default) or all time (all).",
			params: []param{
				{name: "slug", in: "path", required: true, description: "The organization's slug.", schema: map[string]any{"type": "string"}},
				q("period", "30d, 12m or all; ignored when from and to are given.", map[string]any{"type": "string", "enum": []any{"30d", "12m", "all"}}),
				q("from", "First day of the period (YYYY-MM-DD, UTC).", date),
				q("to", "Last day of the period, included (YYYY-MM-DD, UTC).", date),
				q("achievement", "Only this achievement (its id).", map[string]any{"type": "string"}),
			},
			responses: []response{
				{status: 200, description: "The metrics.", content: jsonBody("ImpactMetrics")},
				{status: 404, description: "No such organization for this token, or no such achievement in it.", content: jsonBody("Error")},
			},
		},
	}}
}

// metrics is GET /api/v1/orgs/{slug}/metrics.
func (a *API) metrics(w http.ResponseWriter, r *http.Request, c *caller) error {
	if r.PathValue("slug") != c.org.Slug {
		return notFound("no organization " + r.PathValue("slug") + " for this token")
	}
	q := r.URL.Query()
	key := q.Get("period")
	if q.Get("from") != "" || q.Get("to") != "" {
		key = "custom"
	}
	period, problems := analytics.ParsePeriod(key, q.Get("from"), q.Get("to"), a.now().UTC())
	if len(problems) > 0 {
		var fe []issue.FieldError
		for _, p := range problems {
			fe = append(fe, issue.FieldError{Field: p.Field, Problem: p.Message})
		}
		return badRequest("invalid query parameter", fe...)
	}
	ctx := r.Context()
	entries, err := a.store.SearchAchievements(ctx, store.AchievementQuery{OrgID: c.org.ID, Limit: 1000})
	if err != nil {
		return fmt.Errorf("list achievements: %w", err)
	}
	names := make(map[string]string, len(entries))
	for _, e := range entries {
		names[e.Achievement.ID] = e.Version.Name
	}
	achievement := q.Get("achievement")
	if _, ok := names[achievement]; achievement != "" && !ok {
		return notFound("no achievement " + achievement + " in this organization")
	}
	rep, err := analytics.BuildFor(ctx, a.store, c.org.ID, achievement, period.From, period.To, func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return "Removed achievement"
	})
	if err != nil {
		return fmt.Errorf("impact metrics: %w", err)
	}
	if period.Key == "all" {
		rep.TrimLeading()
	}
	defs, err := a.store.ListPathwayDefinitions(ctx, c.org.ID, store.PathwayKindPathway)
	if err != nil {
		return fmt.Errorf("list pathways: %w", err)
	}
	pathways := make(map[string]string, len(defs))
	for _, d := range defs {
		pathways[d.Slug] = d.Name
	}
	rep.PathwayNames = func(id string) string {
		if n, ok := pathways[id]; ok {
			return n
		}
		return "Removed pathway"
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rep.JSON(achievement))
	return nil
}

// metricsSchemas are the component schemas of the metrics endpoint.
func metricsSchemas() map[string]any {
	count := map[string]any{"type": "object", "required": []any{"value"}, "properties": map[string]any{
		"value":      map[string]any{"type": "integer", "nullable": true, "description": "Null when suppressed."},
		"suppressed": map[string]any{"type": "boolean", "description": "True for counts of 1 to 4."},
	}}
	num := func(desc string) map[string]any {
		return map[string]any{"type": "number", "nullable": true, "description": desc}
	}
	prop := map[string]any{"type": "object", "required": []any{"numerator", "denominator", "rate", "low95", "high95"}, "properties": map[string]any{
		"numerator":   map[string]any{"type": "integer", "nullable": true},
		"denominator": map[string]any{"type": "integer", "nullable": true},
		"rate":        num("numerator / denominator, 0 to 1."),
		"low95":       num("Lower bound of the Wilson 95% interval."),
		"high95":      num("Upper bound of the Wilson 95% interval."),
		"suppressed":  map[string]any{"type": "boolean", "description": "True when the denominator is below 5."},
	}}
	byKey := map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}}
	metrics := map[string]any{"type": "object", "required": []any{"name", "issued", "claimed", "claimRate", "shareRate", "thirdPartyVerifiedRate"},
		"properties": map[string]any{
			"achievementId": str("The achievement; absent for the total."), "name": map[string]any{"type": "string"},
			"issued": ref("ImpactCount"), "claimed": ref("ImpactCount"),
			"claimRate": ref("ImpactProportion"), "shareRate": ref("ImpactProportion"), "thirdPartyVerifiedRate": ref("ImpactProportion"),
			"thirdPartyVerifications": ref("ImpactCount"), "uniqueVerifierDomains": ref("ImpactCount"),
			"sharesByChannel": byKey, "verificationsBySource": byKey,
			"views": ref("ImpactCount"), "revoked": ref("ImpactCount"), "suspended": ref("ImpactCount"), "expired": ref("ImpactCount"), "renewed": ref("ImpactCount"),
			"stacked": ref("ImpactCount"), "creditAwarded": map[string]any{"type": "number"},
			"evidenceSubmitted": ref("ImpactCount"), "evidenceApproved": ref("ImpactCount"),
			"meanDaysToAward": num("Mean days from application to award; null when fewer than 5 were approved."),
			"pulseStandsOut":  ref("ImpactProportion"), "pulseLikelierToHire": ref("ImpactProportion"),
		}}
	month := map[string]any{"type": "object", "required": []any{"month", "issued"}, "properties": map[string]any{
		"month": str("YYYY-MM."), "issued": ref("ImpactCount"), "claimed": ref("ImpactCount"),
		"firstShared": ref("ImpactCount"), "firstVerified": ref("ImpactCount"), "thirdPartyVerifications": ref("ImpactCount"),
		"verificationsBySource": map[string]any{"type": "object", "additionalProperties": ref("ImpactCount")},
	}}
	flow := map[string]any{"type": "object", "required": []any{"nodes", "links"},
		"description": "Learners who completed a pathway, from the micro-credentials they combined through the pathway to the stacked credential it earned and the credit (ECTS) that carries. Counted when the stacked credential is awarded.",
		"properties": map[string]any{
			"nodes": arrayOf(map[string]any{"type": "object", "required": []any{"id", "name", "stage"}, "properties": map[string]any{
				"id":    str("a:ACHIEVEMENT (a micro-credential), p:PATHWAY, s:ACHIEVEMENT (a stacked credential) or credit."),
				"name":  map[string]any{"type": "string"},
				"stage": map[string]any{"type": "string", "enum": []any{"micro-credential", "pathway", "stacked credential", "credit"}},
			}}),
			"links": arrayOf(map[string]any{"type": "object", "required": []any{"from", "to", "learners"}, "properties": map[string]any{
				"from": str("A node id."), "to": str("A node id."), "learners": ref("ImpactCount"),
				"credits": num("Credits awarded, on links into the credit node; absent when learners is suppressed."),
			}}),
		}}
	return map[string]any{
		"ImpactCount": count, "ImpactProportion": prop, "ImpactAchievementMetrics": metrics, "ImpactMonth": month, "ImpactStackingFlow": flow,
		"ImpactMetrics": map[string]any{
			"type": "object", "required": []any{"organizationId", "from", "to", "minCell", "total", "achievements", "months", "stackingFlow"},
			"properties": map[string]any{
				"organizationId": map[string]any{"type": "string"}, "achievementId": map[string]any{"type": "string"},
				"from":    map[string]any{"type": "string", "format": "date"},
				"to":      map[string]any{"type": "string", "format": "date", "description": "The day after the period (exclusive)."},
				"minCell": map[string]any{"type": "integer", "description": "Counts below this (and above zero) are suppressed."},
				"total":   ref("ImpactAchievementMetrics"), "achievements": arrayOf(ref("ImpactAchievementMetrics")),
				"months": arrayOf(ref("ImpactMonth")), "stackingFlow": ref("ImpactStackingFlow"),
			},
		},
	}
}
