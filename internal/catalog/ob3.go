package catalog

import (
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Alignment target types this package emits beyond the OB 3.0
// AlignmentTargetType enumeration. OB 3.0 makes the enumeration extensible
// with "ext:" terms; these are plain strings, not JSON-LD terms, so they need
// no context of their own.
const (
	TargetTypeEQFLevel             = "ext:EQFLevel"
	TargetTypeNSQFLevel            = "ext:NSQFLevel"
	TargetTypeOccupation           = "ext:Occupation"
	TargetTypeCreditRecommendation = "ext:CreditRecommendation"
)

// OB3 returns the entry as an Open Badges 3.0 Achievement object, ready to
// embed in an OpenBadgeCredential whose @context lists the VC 2.0 and OB
// 3.0.3 contexts. It carries no @context of its own.
//
// Only terms the OB 3.0.3 context defines are emitted. The context's terms
// are @protected and a JSON-LD processor drops undefined ones, so a term such
// as "eqfLevel" would vanish from the signed RDF (eddsa-rdfc-2022) and make a
// verifier's view differ from the issuer's. An OB 3.0 extension (its own
// context, schema and type) would be the other way, but every consumer would
// need to fetch and understand it. Instead the EU micro-credential elements
// go where OB 3.0 already has a place:
//
//   - skills become alignments: ESCO skills as ceasn:Competency with the ESCO
//     URI as targetUrl, O*NET-SOC codes as ext:Occupation pointing at O*NET
//     OnLine;
//   - EQF and NSQF levels become alignments (ext:EQFLevel with the EU
//     vocabulary URI http://data.europa.eu/snb/eqf/<n>, ext:NSQFLevel);
//   - credit recommendations become alignments (ext:CreditRecommendation)
//     whose targetCode is the amount and whose name and description say the
//     framework, level, recommending body and validity;
//   - stackability becomes ceterms:Credential alignments to the larger
//     credentials;
//   - the ECTS workload is creditsAvailable unless CreditsAvailable is set;
//   - the awarding body's country is creator.address.addressCountryCode when
//     a creator is recorded;
//   - learning outcomes, assessment, workload, level, form of participation,
//     prerequisites, quality assurance and country are also written, in
//     Markdown, after the criteria narrative (OB 3.0 allows Markdown there),
//     so that a person reading any wallet sees the full EU information.
//
// The structured values themselves stay in the catalog JSON, which is what
// the store, search and the public catalog page read.
func (a *Achievement) OB3() map[string]any {
	m := map[string]any{
		"id":          a.ID,
		"type":        []string{"Achievement"},
		"name":        a.Name,
		"description": a.Description,
	}
	criteria := map[string]any{}
	if a.Criteria.ID != "" {
		criteria["id"] = a.Criteria.ID
	}
	if n := a.criteriaNarrative(); n != "" {
		criteria["narrative"] = n
	}
	m["criteria"] = criteria
	setString(m, "achievementType", a.AchievementType)
	if al := a.ob3Alignments(); len(al) > 0 {
		m["alignment"] = al
	}
	switch {
	case a.CreditsAvailable > 0:
		m["creditsAvailable"] = a.CreditsAvailable
	case a.Workload.ECTS > 0:
		m["creditsAvailable"] = a.Workload.ECTS
	}
	setString(m, "fieldOfStudy", a.FieldOfStudy)
	setString(m, "specialization", a.Specialization)
	setString(m, "inLanguage", a.InLanguage)
	setString(m, "humanCode", a.HumanCode)
	if len(a.Tag) > 0 {
		m["tag"] = append([]string(nil), a.Tag...)
	}
	if a.Version > 0 {
		m["version"] = strconv.Itoa(a.Version)
	}
	if a.Image != nil {
		img := map[string]any{"id": a.Image.ID, "type": "Image"}
		setString(img, "caption", a.Image.Caption)
		m["image"] = img
	}
	if len(a.ResultDescription) > 0 {
		rds := make([]map[string]any, 0, len(a.ResultDescription))
		for _, rd := range a.ResultDescription {
			rds = append(rds, rd.ob3())
		}
		m["resultDescription"] = rds
	}
	if len(a.OtherIdentifier) > 0 {
		ids := make([]map[string]any, 0, len(a.OtherIdentifier))
		for _, id := range a.OtherIdentifier {
			ids = append(ids, map[string]any{
				"type":           "IdentifierEntry",
				"identifier":     id.Identifier,
				"identifierType": id.IdentifierType,
			})
		}
		m["otherIdentifier"] = ids
	}
	if len(a.Related) > 0 {
		rel := make([]map[string]any, 0, len(a.Related))
		for _, r := range a.Related {
			e := map[string]any{"id": r.ID, "type": []string{"Related"}}
			setString(e, "version", r.Version)
			setString(e, "inLanguage", r.InLanguage)
			rel = append(rel, e)
		}
		m["related"] = rel
	}
	if c := a.Creator; c != nil {
		p := map[string]any{"id": c.ID, "type": []string{"Profile"}}
		setString(p, "name", c.Name)
		setString(p, "url", c.URL)
		setString(p, "email", c.Email)
		setString(p, "description", c.Description)
		if a.Country != "" {
			p["address"] = map[string]any{
				"type":               []string{"Address"},
				"addressCountryCode": a.Country,
			}
		}
		m["creator"] = p
	}
	return m
}

func setString(m map[string]any, key, value string) {
	if value != "" {
		m[key] = value
	}
}

func (rd ResultDescription) ob3() map[string]any {
	m := map[string]any{
		"id":         rd.ID,
		"type":       []string{"ResultDescription"},
		"name":       rd.Name,
		"resultType": rd.ResultType,
	}
	if len(rd.AllowedValue) > 0 {
		m["allowedValue"] = append([]string(nil), rd.AllowedValue...)
	}
	setString(m, "requiredLevel", rd.RequiredLevel)
	setString(m, "requiredValue", rd.RequiredValue)
	setString(m, "valueMax", rd.ValueMax)
	setString(m, "valueMin", rd.ValueMin)
	if len(rd.RubricCriterionLevel) > 0 {
		levels := make([]map[string]any, 0, len(rd.RubricCriterionLevel))
		for _, l := range rd.RubricCriterionLevel {
			e := map[string]any{"id": l.ID, "type": []string{"RubricCriterionLevel"}, "name": l.Name}
			setString(e, "description", l.Description)
			setString(e, "level", l.Level)
			setString(e, "points", l.Points)
			levels = append(levels, e)
		}
		m["rubricCriterionLevel"] = levels
	}
	return m
}

func alignment(name, url, description, code, framework, targetType string) map[string]any {
	m := map[string]any{
		"type":       []string{"Alignment"},
		"targetName": name,
		"targetUrl":  url,
	}
	setString(m, "targetDescription", description)
	setString(m, "targetCode", code)
	setString(m, "targetFramework", framework)
	setString(m, "targetType", targetType)
	return m
}

// ob3Alignments returns the explicit alignments followed by those derived
// from skills, levels, credit recommendations and stackability, in that
// order.
func (a *Achievement) ob3Alignments() []map[string]any {
	var out []map[string]any
	for _, al := range a.Alignment {
		out = append(out, alignment(al.TargetName, al.TargetURL, al.TargetDescription, al.TargetCode, al.TargetFramework, al.TargetType))
	}
	for _, s := range a.Skills {
		switch s.Framework {
		case SkillFrameworkESCO:
			out = append(out, alignment(s.Name, s.URI, "", path.Base(s.URI), "ESCO", "ceasn:Competency"))
		case SkillFrameworkONET:
			u := s.URI
			if u == "" {
				u = ONETURL(s.Code)
			}
			out = append(out, alignment(s.Name, u, "", s.Code, "O*NET-SOC", TargetTypeOccupation))
		default:
			fw := s.FrameworkName
			if fw == "" {
				fw = s.Framework
			}
			out = append(out, alignment(s.Name, s.URI, "", s.Code, fw, "ceasn:Competency"))
		}
	}
	if a.EQFLevel > 0 {
		n := strconv.Itoa(a.EQFLevel)
		out = append(out, alignment("EQF level "+n, EQFLevelURI(a.EQFLevel), "", n, "European Qualifications Framework", TargetTypeEQFLevel))
	}
	if a.NSQFLevel > 0 {
		n := strconv.Itoa(a.NSQFLevel)
		fw, _ := FrameworkByKey(FrameworkNSQF)
		out = append(out, alignment("NSQF level "+n, fw.URL, "", n, fw.Name, TargetTypeNSQFLevel))
	}
	for _, cr := range a.CreditRecommendations {
		fw, _ := FrameworkByKey(cr.Framework)
		u := cr.URL
		if u == "" {
			u = fw.URL
		}
		out = append(out, alignment(cr.Summary(), u, cr.describe(), fmtNum(cr.Amount), fw.Name, TargetTypeCreditRecommendation))
	}
	for _, s := range a.StacksInto {
		out = append(out, alignment(s.Name, s.ID, "This achievement counts towards "+s.Name+".", "", "", "ceterms:Credential"))
	}
	return out
}

// Summary describes the recommendation in one line, e.g. "ACE credit
// recommendation: 12 semester hours, lower-division baccalaureate".
func (cr CreditRecommendation) Summary() string {
	unit := "credits"
	if fw, ok := FrameworkByKey(cr.Framework); ok && fw.Unit != "" {
		unit = fw.Unit
	}
	if cr.Amount == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	s := cr.Framework + " credit recommendation: " + fmtNum(cr.Amount) + " " + unit
	if cr.Level != "" {
		if cr.Framework == FrameworkNCrF {
			s += ", credit level " + cr.Level
		} else {
			s += ", " + cr.Level
		}
	}
	return s
}

func (cr CreditRecommendation) describe() string {
	var parts []string
	if cr.RecommendingBody != "" {
		parts = append(parts, "Recommended by "+cr.RecommendingBody+".")
	}
	switch {
	case !cr.ValidFrom.IsZero() && !cr.ValidUntil.IsZero():
		parts = append(parts, "Valid from "+cr.ValidFrom.Format("2006-01-02")+" to "+cr.ValidUntil.Format("2006-01-02")+".")
	case !cr.ValidFrom.IsZero():
		parts = append(parts, "Valid from "+cr.ValidFrom.Format("2006-01-02")+".")
	case !cr.ValidUntil.IsZero():
		parts = append(parts, "Valid until "+cr.ValidUntil.Format("2006-01-02")+".")
	}
	if cr.Notes != "" {
		parts = append(parts, cr.Notes)
	}
	return strings.Join(parts, " ")
}

// criteriaNarrative appends the EU micro-credential information, in
// Markdown, to the criteria narrative.
func (a *Achievement) criteriaNarrative() string {
	var b strings.Builder
	section := func(title string) {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("### " + title + "\n\n")
	}
	list := func(items []string) {
		for i, it := range items {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString("- " + strings.TrimSpace(it))
		}
	}
	b.WriteString(strings.TrimSpace(a.Criteria.Narrative))
	if len(a.LearningOutcomes) > 0 {
		section("Learning outcomes")
		list(a.LearningOutcomes)
	}
	if a.Assessment.Type != "" {
		section("Assessment")
		b.WriteString(upperFirst(a.Assessment.Type))
		if a.Assessment.Supervised {
			b.WriteString(", supervised")
		} else {
			b.WriteString(", unsupervised")
		}
		if a.Assessment.IdentityVerified {
			b.WriteString(", with identity verification.")
		} else {
			b.WriteString(", without identity verification.")
		}
		if d := strings.TrimSpace(a.Assessment.Description); d != "" {
			b.WriteString(" " + d)
		}
	}
	if w := a.Workload; w.Hours > 0 || w.ECTS > 0 {
		section("Workload")
		switch {
		case w.Hours > 0 && w.ECTS > 0:
			b.WriteString(fmtNum(w.Hours) + " hours of notional learning time (" + fmtNum(w.ECTS) + " ECTS credits).")
		case w.Hours > 0:
			b.WriteString(fmtNum(w.Hours) + " hours of notional learning time.")
		default:
			b.WriteString(fmtNum(w.ECTS) + " ECTS credits.")
		}
	}
	var levels []string
	if a.EQFLevel > 0 {
		levels = append(levels, "EQF level "+strconv.Itoa(a.EQFLevel))
	}
	if a.NSQFLevel > 0 {
		levels = append(levels, "NSQF level "+strconv.Itoa(a.NSQFLevel))
	}
	if len(levels) > 0 {
		section("Level")
		b.WriteString(strings.Join(levels, "; ") + ".")
	}
	if a.Participation != "" {
		section("Form of participation")
		b.WriteString(upperFirst(a.Participation) + ".")
	}
	if len(a.Prerequisites) > 0 {
		section("Prerequisites")
		list(a.Prerequisites)
	}
	if qa := a.QualityAssurance; qa.Body != "" {
		section("Quality assurance")
		b.WriteString(qa.Body)
		if qa.Description != "" {
			b.WriteString(": " + strings.TrimSpace(qa.Description))
		}
		if qa.URL != "" {
			b.WriteString(" (" + qa.URL + ")")
		}
	}
	if a.Country != "" {
		section("Awarding body")
		if a.Creator != nil && a.Creator.Name != "" {
			b.WriteString(a.Creator.Name + ", ")
		}
		b.WriteString("country " + a.Country + ".")
	}
	return b.String()
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
