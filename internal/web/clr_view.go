package web

import (
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/verify"
)

// recordView is a Comprehensive Learner Record (CLR 2.0) as the verify
// page shows it: whose record, from whom, the credentials it holds, each
// with its own verdict, the pathways they are part of, and the academic
// credit awarded for them.
type recordView struct {
	Name    string
	Learner string
	Issuer  string
	Items   []recordItem
	// Verified, NotVerified and Unknown count the items by verdict.
	Verified, NotVerified, Unknown int
	Pathways                       []recordPathway
	// Credit is the academic credit the record states, course by course.
	Credit []recordCredit
	// Credits is the sum of the credits the verified items carry, with
	// the ones that did not verify left out.
	Credits string
}

// recordItem is one credential of a record with its own verdict.
type recordItem struct {
	Name, Issuer, ValidFrom string
	Outcome                 verify.Verdict
	// Reason is the plain sentence behind a verdict other than verified.
	Reason  string
	Credits string
	Results []resultView
}

// recordPathway is an achievement the record lists beside its
// credentials (the award of a pathway), with the credentials the record
// says are part of it.
type recordPathway struct {
	Name, Description, Credits string
	Parts                      []recordItem
	// Elsewhere counts the achievements the record says are part of it
	// whose credentials the record does not hold.
	Elsewhere int
}

// recordCredit is one course the record credits: "STAT 210 Applied
// Statistics", its credit and unit, and the credentials it was awarded
// for, each marked when it did not verify.
type recordCredit struct {
	Course, Credits, Note string
	From                  []recordItem
	// Elsewhere names the achievements it was awarded for whose
	// credentials the record does not hold.
	Elsewhere []string
}

// recordOf reads a verified-or-not learner record for display. The
// claims it shows come from the record; the page says whether they were
// verified.
func recordOf(rep *verify.Report) *recordView {
	doc := rep.Credential
	subj, _ := doc["credentialSubject"].(map[string]any)
	if list, ok := doc["credentialSubject"].([]any); ok && len(list) > 0 {
		subj, _ = list[0].(map[string]any)
	}
	r := &recordView{Name: str(doc["name"]), Learner: verify.ClrLearner(subj)}
	switch iss := doc["issuer"].(type) {
	case string:
		r.Issuer = iss
	case map[string]any:
		r.Issuer = str(iss["name"])
		if r.Issuer == "" {
			r.Issuer = str(iss["id"])
		}
	}
	byAchievement := map[string]recordItem{}
	total := 0.0
	for _, e := range rep.Embedded {
		it := recordItem{Name: e.Name, Issuer: e.Issuer, Outcome: e.Report.Verdict}
		if p := e.Report.Problems(); len(p) > 0 {
			it.Reason = p[0].Summary
		}
		if c := e.Report.Credential; c != nil {
			it.ValidFrom = displayTime(str(c["validFrom"]))
			if s, ok := c["credentialSubject"].(map[string]any); ok {
				it.Results = resultsOf(s)
				n, ok := number(s["creditsEarned"])
				if a, isMap := s["achievement"].(map[string]any); !ok && isMap {
					n, ok = number(a["creditsAvailable"])
				}
				if ok {
					it.Credits = formatCredits(n)
					if it.Outcome == verify.Verified {
						total += n
					}
				}
			}
		}
		switch it.Outcome {
		case verify.Verified:
			r.Verified++
		case verify.NotVerified:
			r.NotVerified++
		default:
			r.Unknown++
		}
		r.Items = append(r.Items, it)
		// The first credential of an achievement names it, as in
		// verify.ClrCredits, unless a later copy verified and it did not.
		if prev, ok := byAchievement[e.AchievementID]; e.AchievementID != "" && (!ok || prev.Outcome != verify.Verified && it.Outcome == verify.Verified) {
			byAchievement[e.AchievementID] = it
		}
	}
	if total > 0 {
		r.Credits = formatCredits(total)
	}
	parts := map[string][]recordItem{}
	elsewhere := map[string]int{}
	for _, x := range verify.ListOf(subj["association"]) {
		a, _ := x.(map[string]any)
		if str(a["associationType"]) != "isPartOf" {
			continue
		}
		if it, ok := byAchievement[str(a["sourceId"])]; ok {
			parts[str(a["targetId"])] = append(parts[str(a["targetId"])], it)
		} else {
			elsewhere[str(a["targetId"])]++
		}
	}
	courses := map[string]bool{}
	for _, c := range verify.ClrCredits(doc) {
		courses[c.ID] = true
		rc := recordCredit{Course: c.Title, Credits: strconv.FormatFloat(c.Credits, 'f', -1, 64) + " " + c.Unit, Note: oneLineText(c.Note)}
		if c.Code != "" && !strings.HasPrefix(c.Title, c.Code) {
			rc.Course = c.Code + " " + c.Title
		}
		if c.UnitCode != "" {
			rc.Credits += " (" + c.UnitCode + ")"
		}
		for i, id := range c.FromIDs {
			if it, ok := byAchievement[id]; ok {
				rc.From = append(rc.From, it)
			} else {
				rc.Elsewhere = append(rc.Elsewhere, c.From[i])
			}
		}
		r.Credit = append(r.Credit, rc)
	}
	for _, x := range verify.ListOf(subj["achievement"]) {
		a, _ := x.(map[string]any)
		if a == nil || courses[str(a["id"])] {
			continue
		}
		p := recordPathway{Name: str(a["name"]), Description: oneLineText(str(a["description"])), Parts: parts[str(a["id"])], Elsewhere: elsewhere[str(a["id"])]}
		if n, ok := number(a["creditsAvailable"]); ok {
			p.Credits = formatCredits(n)
		}
		if p.Name != "" {
			r.Pathways = append(r.Pathways, p)
		}
	}
	return r
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, n >= 0
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil && f >= 0
	}
	return 0, false
}

func formatCredits(n float64) string {
	s := strconv.FormatFloat(n, 'f', -1, 64)
	if s == "1" {
		return "1 credit"
	}
	return s + " credits"
}

// oneLineText shortens a description to one line for a list.
func oneLineText(s string) string {
	const most = 240
	r := []rune(s)
	if len(r) > most {
		return string(r[:most]) + "…"
	}
	return s
}
