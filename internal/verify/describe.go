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
