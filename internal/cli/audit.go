package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

// learnerAudit is what "microcred audit --json" prints.
type learnerAudit struct {
	Learner string                  `json:"learner"`
	AsOf    time.Time               `json:"asOf"`
	Orgs    []progress.LearnerAudit `json:"organizations"`
}

// runAudit handles "microcred audit --learner EMAIL [--json] [--as-of
// DATE]": the learner's credentials issued here against every
// organization's pathways and credit schemes, with the reason for every
// figure and what would complete each pathway.
func runAudit(e *env, args []string) int {
	fs := newFlags("audit", e)
	data := addDataFlags(fs)
	learner := fs.String("learner", "", "the learner's `email` address (required)")
	asJSON := fs.Bool("json", false, "print the audit as JSON")
	asOfFlag := fs.String("as-of", "", "audit as on this `date` (YYYY-MM-DD, default now)")
	baseURL := fs.String("base-url", "", "the server's public base URL (default: the one it last ran with)")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "audit: %v", err)
	}
	email := strings.TrimSpace(*learner)
	if email == "" || !strings.Contains(email, "@") {
		return fail(e, exitBadInput, "audit: --learner must be the learner's email address")
	}
	asOf := time.Now().UTC()
	if *asOfFlag != "" {
		d, err := time.Parse(time.DateOnly, *asOfFlag)
		if err != nil {
			return fail(e, exitBadInput, "audit: --as-of %q is not a date such as 2026-09-01", *asOfFlag)
		}
		asOf = d.Add(24*time.Hour - time.Second)
	}
	ctx := context.Background()
	st, svc, code := openIssuer(ctx, e, "audit", data, *baseURL)
	if code != exitOK {
		return code
	}
	defer st.Close()
	defer svc.Close()
	ps := &progress.Service{Store: st, IssuerID: svc.IssuerID, AchievementURL: svc.AchievementURL}
	loaded, err := ps.Load(ctx)
	if err != nil {
		return fail(e, exitFailed, "audit: %v", err)
	}
	if len(loaded.Orgs) == 0 {
		return fail(e, exitBadInput, "audit: %v", progress.ErrNoDefinitions)
	}
	audits, err := loaded.AuditLearner(ctx, email, asOf)
	if err != nil {
		return fail(e, exitFailed, "audit: %v", err)
	}
	if *asJSON {
		out, err := json.MarshalIndent(learnerAudit{Learner: store.EmailKey(email), AsOf: asOf, Orgs: audits}, "", "  ")
		if err != nil {
			return fail(e, exitFailed, "audit: %v", err)
		}
		e.printf("%s\n", out)
		return exitOK
	}
	printLearnerAudit(e.stdout, store.EmailKey(email), asOf, audits)
	return exitOK
}

// printLearnerAudit writes the audit for people: each credential and whether it
// counts, each pathway with its rules, what would complete it, and the
// credit of each scheme line by line.
func printLearnerAudit(w io.Writer, learner string, asOf time.Time, audits []progress.LearnerAudit) {
	fmt.Fprintf(w, "Audit of %s on %s\n", learner, asOf.Format(time.DateOnly))
	if len(audits) == 0 {
		return
	}
	creds := audits[0].Audit.Credentials
	fmt.Fprintf(w, "\nCredentials (%d)\n", len(creds))
	if len(creds) == 0 {
		fmt.Fprintln(w, "  none issued to this address")
	}
	for _, c := range creds {
		mark, why := "counts", ""
		if !c.Counted {
			mark, why = "left out", " — "+c.Why
		}
		fmt.Fprintf(w, "  [%s] %s, issued %s%s\n", mark, c.Name, c.IssuedAt.Format(time.DateOnly), why)
	}
	for _, la := range audits {
		fmt.Fprintf(w, "\n%s\n", la.Name)
		for _, p := range la.Audit.Pathways {
			state := "in progress"
			if p.Complete {
				state = "complete"
			}
			fmt.Fprintf(w, "  Pathway: %s (version %d) — %d%%, %s\n", p.Name, p.Version, int(p.Progress*100+1e-9), state)
			printNode(w, &p.Root, "    ")
		}
		for _, s := range la.WhatIf {
			fmt.Fprintf(w, "  What would complete %s: %s\n", s.Name, s.Why)
		}
		for _, s := range la.Audit.Credit {
			fmt.Fprintf(w, "  Credit: %s — %s %s awarded\n", s.Name, num(s.Total), s.Unit.Label())
			for _, l := range s.Lines {
				if l.RuleID == "" {
					continue
				}
				course := l.Course
				if course == "" {
					course = "elective credit"
				}
				fmt.Fprintf(w, "    %s: %s of %s — %s (%s)\n", course, num(l.Awarded), num(l.Credits), l.Credential, l.Why)
			}
			for _, g := range s.Groups {
				if g.Capped {
					name := "the scheme"
					if g.Group != "" {
						name = "group " + g.Group
					}
					fmt.Fprintf(w, "    cap: %s limited to %s of %s\n", name, num(g.Cap), num(g.Before))
				}
			}
		}
	}
}

func printNode(w io.Writer, n *pathway.Node, indent string) {
	mark := "[ ]"
	if n.Complete {
		mark = "[x]"
	}
	label := n.Label
	if label == "" {
		switch n.Kind {
		case pathway.KindAllOf:
			label = "All of these"
		case pathway.KindNOf:
			label = fmt.Sprintf("%d of these", int(n.Needed))
		case pathway.KindMinCredits:
			label = "Credits"
		default:
			label = "Requirement " + n.RuleID
		}
	}
	fmt.Fprintf(w, "%s%s %s — %s\n", indent, mark, label, n.Why)
	if n.Kind == pathway.KindPathway {
		return // the nested pathway is listed on its own
	}
	for i := range n.Children {
		printNode(w, &n.Children[i], indent+"    ")
	}
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// runPathways handles "microcred pathways recompute [--award] [--json]":
// every learner's pathway progress recomputed and saved (for a cron job
// or after changing a pathway), and with --award the completed pathways'
// stacked credentials issued or queued for review.
func runPathways(e *env, args []string) int {
	if len(args) == 0 || args[0] != "recompute" {
		return fail(e, exitBadInput, "pathways: expected a subcommand: pathways recompute [--award] [--json] [--data DIR | --db URL]")
	}
	fs := newFlags("pathways recompute", e)
	data := addDataFlags(fs)
	award := fs.Bool("award", false, "also issue the stacked credential of every completed pathway (or queue it for review)")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	baseURL := fs.String("base-url", "", "the server's public base URL (default: the one it last ran with)")
	if !parseFlags(fs, args[1:]) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "pathways recompute: %v", err)
	}
	ctx := context.Background()
	st, svc, code := openIssuer(ctx, e, "pathways recompute", data, *baseURL)
	if code != exitOK {
		return code
	}
	defer st.Close()
	defer svc.Close()
	ps := &progress.Service{Store: st, IssuerID: svc.IssuerID, AchievementURL: svc.AchievementURL}
	loaded, err := ps.Load(ctx)
	if err != nil {
		return fail(e, exitFailed, "pathways recompute: %v", err)
	}
	for _, p := range loaded.Problems {
		fmt.Fprintf(e.stderr, "microcred: pathways recompute: left out: %v\n", p)
	}
	stats, err := loaded.Recompute(ctx, time.Now())
	if err != nil {
		return fail(e, exitFailed, "pathways recompute: %v", err)
	}
	var awards progress.AwardStats
	if *award {
		if awards, err = loaded.Award(ctx, svc, svc.BaseURL); err != nil {
			return fail(e, exitFailed, "pathways recompute: %v", err)
		}
	}
	if *asJSON {
		out, _ := json.Marshal(map[string]any{"progress": stats, "awards": awards})
		e.printf("%s\n", out)
		return exitOK
	}
	e.printf("recomputed %d learners (%d credentials): %d progress rows, %d complete, %d removed, in %s\n",
		stats.Learners, stats.Credentials, stats.Rows, stats.Complete, stats.Pruned, stats.Elapsed.Round(time.Millisecond))
	if *award {
		e.printf("awards: %d issued, %d queued for review\n", awards.Issued, awards.Review)
	}
	return exitOK
}
