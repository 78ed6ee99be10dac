// Package evidence holds the rules of evidence-based awards: what an
// achievement asks a learner to submit and the rubric it is assessed
// against, the life of an application (draft, submitted, changes
// requested, approved, rejected), which uploaded files are accepted, and
// how a reviewer's scores become the Open Badges 3.0 results and evidence
// of the credential that approval issues. It does no I/O: the store keeps
// applications and files, the web pages drive the flow.
package evidence

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of a requirement and its rubric.
const (
	MaxCriteria        = 20
	MaxLevels          = 10
	MaxInstructionsLen = 10000
	MaxNameLen         = 200
	MaxFilesPerApp     = 10
)

// Level is one performance level of a criterion, such as "Proficient", with
// the points it is worth.
type Level struct {
	Name        string `json:"name"`
	Points      int    `json:"points"`
	Description string `json:"description,omitempty"`
}

// Criterion is one row of a rubric.
type Criterion struct {
	ID          string  `json:"id"` // stable within the rubric: c1, c2, ...
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Levels      []Level `json:"levels"`
}

// Rubric is how submissions are assessed: every criterion is scored at one
// of its levels, and a submission passes with at least PassPoints in all.
type Rubric struct {
	Criteria   []Criterion `json:"criteria"`
	PassPoints int         `json:"passPoints"`
}

// Requirement is what an achievement asks of applicants.
type Requirement struct {
	AchievementID string `json:"achievementId"`
	OrgID         string `json:"orgId"`
	Instructions  string `json:"instructions"`
	Rubric        Rubric `json:"rubric"`
	// MaxFiles bounds the files of one application (1..MaxFilesPerApp).
	MaxFiles int `json:"maxFiles"`
}

// FieldError names the form field that is wrong, by its label.
type FieldError struct {
	Field, Problem string
}

// FieldErrors lists every problem of an input.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Problem
	}
	return strings.Join(parts, "; ")
}

func (fe *FieldErrors) add(field, format string, a ...any) {
	*fe = append(*fe, FieldError{Field: field, Problem: fmt.Sprintf(format, a...)})
}

// MaxPoints is the most a submission can score.
func (r Rubric) MaxPoints() int {
	total := 0
	for _, c := range r.Criteria {
		best := 0
		for _, l := range c.Levels {
			best = max(best, l.Points)
		}
		total += best
	}
	return total
}

// Validate checks the requirement; errors name the form fields
// "instructions", "rubric" and "passPoints".
func (q *Requirement) Validate() error {
	var fe FieldErrors
	if strings.TrimSpace(q.Instructions) == "" {
		fe.add("instructions", "say what the learner should submit")
	} else if utf8.RuneCountInString(q.Instructions) > MaxInstructionsLen {
		fe.add("instructions", "must be at most %d characters", MaxInstructionsLen)
	}
	if q.MaxFiles < 0 || q.MaxFiles > MaxFilesPerApp {
		fe.add("maxFiles", "must be between 0 and %d", MaxFilesPerApp)
	}
	r := q.Rubric
	switch {
	case len(r.Criteria) == 0:
		fe.add("rubric", "add at least one criterion")
	case len(r.Criteria) > MaxCriteria:
		fe.add("rubric", "at most %d criteria", MaxCriteria)
	}
	seen := map[string]bool{}
	for i, c := range r.Criteria {
		line := i + 1
		if c.ID == "" || seen[c.ID] {
			fe.add("rubric", "criterion %d has no id or the id of another", line)
		}
		seen[c.ID] = true
		if strings.TrimSpace(c.Name) == "" || utf8.RuneCountInString(c.Name) > MaxNameLen {
			fe.add("rubric", "criterion %d needs a name of at most %d characters", line, MaxNameLen)
		}
		if len(c.Levels) < 2 || len(c.Levels) > MaxLevels {
			fe.add("rubric", "criterion %d (%s) needs 2 to %d levels", line, c.Name, MaxLevels)
		}
		for _, l := range c.Levels {
			if strings.TrimSpace(l.Name) == "" || l.Points < 0 || l.Points > 1000 {
				fe.add("rubric", "criterion %d (%s): every level needs a name and 0 to 1000 points", line, c.Name)
				break
			}
		}
	}
	if r.PassPoints < 0 || (len(fe) == 0 && r.PassPoints > r.MaxPoints()) {
		fe.add("passPoints", "must be between 0 and the rubric's maximum, %d points", r.MaxPoints())
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// ParseRubric reads the rubric form: one criterion per line,
//
//	Name: Level = points; Level = points; ...
//
// for example "Data cleaning: Missing = 0; Partial = 2; Complete = 4".
// Errors name the line.
func ParseRubric(text string, passPoints int) (Rubric, error) {
	r := Rubric{PassPoints: passPoints}
	var fe FieldErrors
	n := 0
	for i, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		name, levels, ok := strings.Cut(line, ":")
		if !ok {
			fe.add("rubric", "line %d: write the criterion, a colon, then its levels (Level = points; ...)", i+1)
			continue
		}
		n++
		c := Criterion{ID: "c" + strconv.Itoa(n), Name: strings.TrimSpace(name)}
		for _, part := range strings.Split(levels, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			ln, pts, ok := strings.Cut(part, "=")
			p, err := strconv.Atoi(strings.TrimSpace(pts))
			if !ok || err != nil {
				fe.add("rubric", "line %d: level %q must read Name = points", i+1, part)
				continue
			}
			c.Levels = append(c.Levels, Level{Name: strings.TrimSpace(ln), Points: p})
		}
		r.Criteria = append(r.Criteria, c)
	}
	if len(fe) > 0 {
		return r, fe
	}
	return r, nil
}

// FormatRubric writes a rubric in the form ParseRubric reads.
func FormatRubric(r Rubric) string {
	var b strings.Builder
	for _, c := range r.Criteria {
		b.WriteString(c.Name)
		b.WriteString(": ")
		for i, l := range c.Levels {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s = %d", l.Name, l.Points)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Score is a reviewer's assessment against the rubric: the index of the
// chosen level of every criterion.
type Score map[string]int

// Scored is the outcome of a Score.
type Scored struct {
	Points, MaxPoints int
	Passed            bool
	// Lines say, per criterion, the level reached and its points.
	Lines []ScoredLine
}

// ScoredLine is one criterion's result.
type ScoredLine struct {
	Criterion Criterion
	Level     Level
}

// Apply checks that every criterion has a valid level and totals them.
func (r Rubric) Apply(s Score) (Scored, error) {
	out := Scored{MaxPoints: r.MaxPoints()}
	var fe FieldErrors
	for _, c := range r.Criteria {
		i, ok := s[c.ID]
		if !ok || i < 0 || i >= len(c.Levels) {
			fe.add("score."+c.ID, "choose a level for %q", c.Name)
			continue
		}
		out.Points += c.Levels[i].Points
		out.Lines = append(out.Lines, ScoredLine{Criterion: c, Level: c.Levels[i]})
	}
	if len(fe) > 0 {
		return Scored{}, fe
	}
	out.Passed = out.Points >= r.PassPoints
	return out, nil
}

// State is where an application stands.
type State string

// Application states.
const (
	Draft            State = "draft"
	Submitted        State = "submitted"
	ChangesRequested State = "changes_requested"
	Approved         State = "approved"
	Rejected         State = "rejected"
)

// Label is the state in plain words, for learners and reviewers.
func (s State) Label() string {
	switch s {
	case Draft:
		return "Draft: not submitted yet"
	case Submitted:
		return "Submitted: waiting for a reviewer"
	case ChangesRequested:
		return "Changes requested by the reviewer"
	case Approved:
		return "Approved: credential issued"
	case Rejected:
		return "Not approved"
	}
	return string(s)
}

// Editable reports whether the learner may change the submission.
func (s State) Editable() bool { return s == Draft || s == ChangesRequested }

// Action is something done to an application.
type Action string

// Actions. Submit is the learner's; the others are a reviewer's decision.
const (
	Submit         Action = "submit"
	Approve        Action = "approve"
	Reject         Action = "reject"
	RequestChanges Action = "request_changes"
)

// ErrTransition reports an action the application's state does not allow.
var ErrTransition = errors.New("not possible in this state")

// Next returns the state after action, or ErrTransition.
func Next(s State, a Action) (State, error) {
	switch {
	case a == Submit && s.Editable():
		return Submitted, nil
	case s != Submitted:
	case a == Approve:
		return Approved, nil
	case a == Reject:
		return Rejected, nil
	case a == RequestChanges:
		return ChangesRequested, nil
	}
	return s, fmt.Errorf("%w: %s an application that is %q", ErrTransition, a, s)
}
