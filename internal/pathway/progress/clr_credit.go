package progress

import (
	"crypto/sha1"
	"fmt"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/pathway"
)

// CreditTag is the tag every course Achievement a record lists for the
// academic credit of the institution's credit articulation carries,
// beside the tag naming the credit unit (SCH, ECTS or NCrF): OB 3.0's
// creditsAvailable is a bare number ("credit hours"), and the unit has no
// property of its own in CLR 2.0 or OB 3.0.
const CreditTag = "academic credit"

// creditAchievements states in CLR 2.0 terms the academic credit the
// organization's articulation schemes award a learner, as the audit
// computed it (caps and duplicates applied).
//
// Each credited course is an OB 3.0 Achievement of achievementType
// "Course" in ClrSubject.achievement: the institution's course code as
// humanCode, its title as name, the credit awarded to this learner (after
// caps) as creditsAvailable, the unit as a tag, and in description and
// criteria the plain explanation (from which credential, under which
// scheme, and by how much a cap reduced it). A record is one learner's,
// so the course entry states what the course is worth to them; ClrSubject
// has no result or creditsEarned of its own (those belong to an
// AchievementSubject), and inventing properties would break 1EdTech's
// schema and the JSON-LD context the proof is computed over.
//
// Each course is linked to the achievement of the credential it was
// articulated to by an Association of associationType "isRelatedTo"
// (source: the credential's achievement, target: the course). Of CLR
// 2.0's association types, exactMatchOf would claim the two are the same
// achievement, which an articulation does not (a rule may accept any
// credential with an ACE recommendation, and a cap may award less than
// the course is worth); isPartOf, isChildOf and precedes would describe a
// curriculum structure the credential is not in (isPartOf is what the
// record already uses for a credential that stacks into a pathway's
// award); replacedBy and isPeerOf say something else again. isRelatedTo,
// "related in a way not better described by another type", is the one
// whose definition fits, and the course's description says how.
//
// Lines that award nothing (no rule applied, the credential carries no
// recommendation to convert, the course is credited through another
// credential, or a cap left nothing) are left out: the record lists credit
// awarded, the audit explains the rest. namespace makes the entries' ids
// the organization's (its issuer id); achOf maps credential ids to their
// achievement ids. used returns the credentials the credit rests on.
func creditAchievements(namespace string, schemes []pathway.SchemeResult, achOf map[string]string) (achievements, associations []any, used []string) {
	for _, s := range schemes {
		for _, l := range s.Lines {
			if l.RuleID == "" || l.Duplicate || l.Awarded <= 0 {
				continue
			}
			src := achOf[l.CredentialID]
			if src == "" {
				continue // nothing in the record to relate the credit to
			}
			// The id names what the entry says: the scheme's course (or
			// elective rule), the credit awarded and the achievement it
			// was awarded for, so that two records that give a course the
			// same id say the same of it, and a course credited with less
			// under a cap is another entry.
			key := "course\x00" + l.Course
			if l.Course == "" {
				key = "rule\x00" + l.RuleID
			}
			id := nameUUID(strings.Join([]string{namespace, "credit", s.ID, key, num(l.Awarded), src}, "\x00"))
			name, code := l.CourseTitle, l.Course
			switch {
			case code == "":
				name = "Elective credit (" + l.Rule + ")"
			case name == "":
				name = code
			}
			unit := s.Unit.Label()
			if l.Awarded == 1 {
				unit = strings.TrimSuffix(unit, "s")
			}
			desc := fmt.Sprintf("%s %s awarded under %s for %s", num(l.Awarded), unit, s.Name, l.Credential)
			if l.Awarded < l.Credits {
				desc += fmt.Sprintf(": %s reduced to %s by %s", num(l.Credits), num(l.Awarded), capsOf(s, l.Group))
			}
			desc += "."
			a := map[string]any{
				"id":               id,
				"type":             []any{"Achievement"},
				"achievementType":  "Course",
				"name":             name,
				"description":      desc,
				"criteria":         map[string]any{"narrative": l.Why},
				"creditsAvailable": l.Awarded,
				"tag":              []any{CreditTag, string(s.Unit)},
			}
			if code != "" {
				a["humanCode"] = code
			}
			achievements = append(achievements, a)
			associations = append(associations, map[string]any{
				"type": "Association", "associationType": "isRelatedTo", "sourceId": src, "targetId": id,
			})
			used = append(used, l.CredentialID)
		}
	}
	return achievements, associations, used
}

// capsOf names the caps of s that bound credit of group.
func capsOf(s pathway.SchemeResult, group string) string {
	var caps []string
	for _, g := range s.Groups {
		if g.Capped && (g.Group == group || g.Group == "") {
			what := "all credit of the scheme"
			if g.Group != "" {
				what = "credit of group " + g.Group
			}
			c := fmt.Sprintf("the cap of %s %s on %s", num(g.Cap), s.Unit, what)
			if g.Label != "" {
				c += " (" + g.Label + ")"
			}
			caps = append(caps, c)
		}
	}
	if len(caps) == 0 {
		return "a cap of the scheme"
	}
	return strings.Join(caps, " and ")
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// nameUUID returns a name-based urn:uuid for name (SHA-1, laid out as a
// version 5 UUID): the same name gives the same id in every record.
func nameUUID(name string) string {
	h := sha1.Sum([]byte(name))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
