package verify

import (
	"fmt"
	"strings"
)

// Describe returns plain-language lines saying what a credential claims:
// who issued it, to whom, for what. It reads only display fields; whether
// the claims hold is what the checks say.
func Describe(doc map[string]any) []string {
	if doc == nil {
		return nil
	}
	if lines := describeEndorsement(doc); lines != nil {
		return lines
	}
	var lines []string
	if name := issuerName(doc); name != "" {
		lines = append(lines, "Issued by: "+name)
	}
	if isClr(doc) {
		return append(lines, describeClr(doc)...)
	}
	subject, _ := doc["credentialSubject"].(map[string]any)
	if subject != nil {
		if ach, ok := subject["achievement"].(map[string]any); ok {
			if n, _ := ach["name"].(string); n != "" {
				lines = append(lines, "Achievement: "+n)
			}
			if d, _ := ach["description"].(string); d != "" {
				lines = append(lines, "What it means: "+oneLine(d))
			}
			if c, ok := ach["criteria"].(map[string]any); ok {
				if n, _ := c["narrative"].(string); n != "" {
					lines = append(lines, "Earned by: "+oneLine(n))
				}
			}
		}
		if n, _ := subject["name"].(string); n != "" {
			lines = append(lines, "Awarded to: "+n)
		} else if id, _ := subject["id"].(string); id != "" {
			lines = append(lines, "Awarded to: "+id)
		}
	}
	if n, _ := doc["name"].(string); n != "" && len(lines) == 0 {
		lines = append(lines, "Credential: "+n)
	}
	return lines
}

func issuerName(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		if n, _ := v["name"].(string); n != "" {
			return fmt.Sprintf("%s (%s)", n, id)
		}
		return id
	}
	return ""
}

// oneLine folds whitespace so a description cannot forge extra report lines.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// describeEndorsement says what an EndorsementCredential claims, "X
// endorses Y" and the endorser's words, or returns nil for any other
// credential.
func describeEndorsement(doc map[string]any) []string {
	endorsement := false
	switch t := doc["type"].(type) {
	case string:
		endorsement = t == "EndorsementCredential"
	case []any:
		for _, x := range t {
			endorsement = endorsement || x == "EndorsementCredential"
		}
	}
	if !endorsement {
		return nil
	}
	who := issuerName(doc)
	if who == "" {
		who = "An unnamed issuer"
	}
	subject, _ := doc["credentialSubject"].(map[string]any)
	what, _ := subject["id"].(string)
	if what == "" {
		what = "something it does not name"
	}
	lines := []string{oneLine(who + " endorses " + what)}
	if c, _ := subject["endorsementComment"].(string); c != "" {
		lines = append(lines, "In their words: "+oneLine(c))
	}
	return lines
}

// describeClr says what a learner record holds: whose it is, how many
// credentials and achievements it lists, and the academic credit it
// states.
func describeClr(doc map[string]any) []string {
	var lines []string
	if n, _ := doc["name"].(string); n != "" {
		lines = append(lines, "Learner record: "+oneLine(n))
	}
	subject, _ := doc["credentialSubject"].(map[string]any)
	if who := ClrLearner(subject); who != "" {
		lines = append(lines, "Learner: "+who)
	}
	count := func(v any) int {
		switch t := v.(type) {
		case nil:
			return 0
		case []any:
			return len(t)
		}
		return 1
	}
	n := func(k int, one, many string) string {
		if k == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", k, many)
	}
	lines = append(lines, "Holds: "+n(count(subject["verifiableCredential"]), "credential", "credentials")+", "+
		n(count(subject["achievement"]), "further achievement", "further achievements")+", "+
		n(count(subject["association"]), "association between them", "associations between them"))
	// The academic credit it states, one line a course.
	const mostCredit = 20
	credits := ClrCredits(doc)
	for i, c := range credits {
		if i == mostCredit {
			lines = append(lines, fmt.Sprintf("Academic credit: and %d more courses", len(credits)-mostCredit))
			break
		}
		lines = append(lines, "Academic credit: "+c.Line())
	}
	return lines
}

// ClrLearner names the learner a record is about, as plainly as the
// record allows: a name or an email address given in the clear, the
// subject's id, or a note that the record identifies the learner only by
// a hashed identifier (which a verifier can match against an address it
// is given, not read).
func ClrLearner(subject map[string]any) string {
	if subject == nil {
		return ""
	}
	var ids []any
	switch t := subject["identifier"].(type) {
	case []any:
		ids = t
	case map[string]any:
		ids = []any{t}
	}
	hashed := ""
	for _, x := range ids {
		o, _ := x.(map[string]any)
		kind, _ := o["identityType"].(string)
		value, _ := o["identityHash"].(string)
		if o["hashed"] == true {
			if hashed == "" {
				hashed = "identified by a hashed " + identityKind(kind) + " (not shown in the clear)"
			}
			continue
		}
		if value != "" {
			return oneLine(value)
		}
	}
	if n, _ := subject["name"].(string); n != "" {
		return oneLine(n)
	}
	if id, _ := subject["id"].(string); id != "" {
		return oneLine(id)
	}
	return hashed
}

func identityKind(k string) string {
	switch k {
	case "emailAddress":
		return "email address"
	case "", "identifier":
		return "identifier"
	}
	return oneLine(k)
}
