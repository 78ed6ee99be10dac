package verify

import (
	"strconv"
	"strings"
)

// ClrCredit is one line of academic credit a Comprehensive Learner Record
// lists: a course of the record's issuer (an Achievement of
// achievementType "Course" with creditsAvailable in ClrSubject.achievement
// that is not the target of an isPartOf association, which would make it
// an award built from parts), the credit it carries, and the achievements
// the record relates to it.
type ClrCredit struct {
	// ID is the course achievement's id.
	ID string
	// Code is the course's humanCode, Title its name.
	Code, Title string
	Credits     float64
	// Unit names the credit unit in plain words ("credits" when the
	// record does not say), UnitCode as the record tags it (SCH, ECTS,
	// NCrF; "" when it does not).
	Unit, UnitCode string
	// From names the achievements the record associates with the course:
	// the credentials it was awarded for; FromIDs are their ids.
	From, FromIDs []string
	// Note is the course's description (for microcred's records, how the
	// credit was awarded and whether a cap reduced it).
	Note string
}

// creditUnits are the unit tags microcred's records carry beside the
// credit, in plain words.
var creditUnits = map[string]string{
	"SCH":  "US semester credit hours",
	"ECTS": "ECTS credits",
	"NCrF": "NCrF credits",
}

// ClrCredits reads the academic credit a learner record lists, in the
// record's order. The credit comes from the record: whether the record
// verified is for the caller to say.
func ClrCredits(doc map[string]any) []ClrCredit {
	subject, _ := doc["credentialSubject"].(map[string]any)
	if list, ok := doc["credentialSubject"].([]any); ok && len(list) > 0 {
		subject, _ = list[0].(map[string]any)
	}
	if subject == nil {
		return nil
	}
	names := map[string]string{}
	for _, x := range ListOf(subject["verifiableCredential"]) {
		if c, ok := x.(map[string]any); ok {
			// The first credential of an achievement names it (a
			// record may hold two of one achievement).
			if name, _, id := embeddedLabels(c); id != "" && name != "" && names[id] == "" {
				names[id] = name
			}
		}
	}
	achs := ListOf(subject["achievement"])
	for _, x := range achs {
		if a, ok := x.(map[string]any); ok {
			id, _ := a["id"].(string)
			if name, _ := a["name"].(string); id != "" && name != "" && names[id] == "" {
				names[id] = oneLine(name)
			}
		}
	}
	from, fromIDs := map[string][]string{}, map[string][]string{}
	part := map[string]bool{}
	for _, x := range ListOf(subject["association"]) {
		as, _ := x.(map[string]any)
		kind, _ := as["associationType"].(string)
		src, _ := as["sourceId"].(string)
		target, _ := as["targetId"].(string)
		if kind == "isPartOf" {
			// The target is an award built from parts (a pathway's),
			// not credit awarded for a credential.
			part[target] = true
			continue
		}
		name := names[src]
		if name == "" {
			name = oneLine(src)
		}
		if target != "" && name != "" {
			from[target] = append(from[target], name)
			fromIDs[target] = append(fromIDs[target], src)
		}
	}
	var out []ClrCredit
	for _, x := range achs {
		a, _ := x.(map[string]any)
		id, _ := a["id"].(string)
		kind, _ := a["achievementType"].(string)
		n, ok := a["creditsAvailable"].(float64)
		if a == nil || kind != "Course" || !ok || n < 0 || part[id] {
			continue
		}
		c := ClrCredit{ID: id, Credits: n, Unit: "credits", From: from[id], FromIDs: fromIDs[id]}
		c.Code, _ = a["humanCode"].(string)
		c.Title, _ = a["name"].(string)
		c.Note, _ = a["description"].(string)
		c.Code, c.Title, c.Note = oneLine(c.Code), oneLine(c.Title), oneLine(c.Note)
		for _, t := range ListOf(a["tag"]) {
			if s, _ := t.(string); creditUnits[s] != "" {
				c.Unit, c.UnitCode = creditUnits[s], s
			}
		}
		if n == 1 {
			c.Unit = strings.TrimSuffix(c.Unit, "s") // 1 credit, 1 US semester credit hour
		}
		out = append(out, c)
	}
	return out
}

// Line says the credit in one line: "STAT 210 Applied Statistics: 3 US
// semester credit hours, for Statistics for Data Science".
func (c ClrCredit) Line() string {
	s := c.Title
	if c.Code != "" && !strings.HasPrefix(c.Title, c.Code) {
		s = c.Code + " " + c.Title
	}
	s += ": " + strconv.FormatFloat(c.Credits, 'f', -1, 64) + " " + c.Unit
	if len(c.From) > 0 {
		s += ", for " + strings.Join(c.From, ", ")
	}
	return s
}

// ListOf reads a JSON-LD value that may be one item or a list of them
// as a list: nil for none.
func ListOf(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}
