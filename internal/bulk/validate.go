package bulk

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// Validation is the outcome of the validation pass.
type Validation struct {
	Rows     int // data rows in the file
	Problems int // problems reported
}

// OK reports whether the file can be issued.
func (v Validation) OK() bool { return v.Problems == 0 }

// recipientKey is the digest of a learner's identity (their email key)
// that duplicate detection keeps: 16 bytes per learner instead of the
// address.
type recipientKey [16]byte

func keyOf(emailKey string) recipientKey {
	sum := sha256.Sum256([]byte(emailKey))
	return recipientKey(sum[:16])
}

// parsedRow is a data row turned into an issuance request.
type parsedRow struct {
	num, line int
	req       issue.Request
}

// rowRequest builds the issuance request of a row and lists its problems
// (nil when it has none). Column names in problems come from rd.
func rowRequest(rd *Reader, row Row, orgID, achievementID string) (issue.Request, []Problem) {
	var probs []Problem
	add := func(field, value, reason string) {
		line := row.lines[field]
		if line == 0 {
			line = row.Line
		}
		probs = append(probs, Problem{Line: line, Row: row.Num, Column: rd.Column(field), Value: value, Reason: reason})
	}
	req := issue.Request{
		OrgID:          orgID,
		AchievementID:  achievementID,
		RecipientEmail: row.Get(FieldEmail),
		RecipientName:  row.Get(FieldName),
		EvidenceURL:    row.Get(FieldEvidenceURL),
	}
	// The result is an OB 3.0 Result (tied to the achievement's
	// ResultDescription) and the identifier an IdentityObject: structured
	// data a wallet or an employer's system can read, not prose.
	if v := row.Get(FieldResult); v != "" {
		req.Results = []issue.Result{{Value: v}}
	}
	if v := row.Get(FieldIdentifier); v != "" {
		req.Identifiers = []issue.Identifier{{Type: credential.IdentityTypeIdentifier, Value: v}}
	}
	switch email := req.RecipientEmail; {
	case email == "":
		add(FieldEmail, "", "is empty; every row needs the learner's email address")
	case !isEmail(email):
		add(FieldEmail, email, "is not an email address")
	}
	if req.RecipientName == "" {
		add(FieldName, "", "is empty; every row needs the learner's name")
	}
	var err error
	if v := row.Get(FieldValidFrom); v != "" {
		if req.ValidFrom, err = parseDate(v, false); err != nil {
			add(FieldValidFrom, v, "is not a date (use YYYY-MM-DD or an RFC 3339 time such as 2026-06-30T12:00:00Z)")
		}
	}
	if v := row.Get(FieldValidUntil); v != "" {
		if req.ValidUntil, err = parseDate(v, true); err != nil {
			add(FieldValidUntil, v, "is not a date (use YYYY-MM-DD or an RFC 3339 time such as 2026-06-30T12:00:00Z)")
		} else {
			from := req.ValidFrom
			if from.IsZero() {
				from = time.Now()
			}
			if !req.ValidUntil.After(from) {
				if req.ValidFrom.IsZero() {
					add(FieldValidUntil, v, "is not in the future; a credential cannot expire before it is issued")
				} else {
					add(FieldValidUntil, v, "is not after valid_from "+row.Get(FieldValidFrom))
				}
			}
		}
	}
	if v := req.EvidenceURL; v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 2048 {
			add(FieldEvidenceURL, v, "is not an http or https URL")
		}
	}
	if len(probs) > 0 {
		return req, probs
	}
	// The issuer's own rules are the last word (name length, control
	// characters, narrative length); report whatever they refuse.
	req.IdempotencyKey = "bulk:validation"
	if err := req.Validate(); err != nil {
		var fe issue.FieldErrors
		if !errors.As(err, &fe) {
			add(FieldEmail, "", err.Error())
		}
		for _, e := range fe {
			field := map[string]string{
				"recipient_email": FieldEmail, "recipient_name": FieldName, "valid_until": FieldValidUntil,
				"evidence_url": FieldEvidenceURL, "result[0]": FieldResult, "identifier[0]": FieldIdentifier,
			}[e.Field]
			if field == "" {
				field = e.Field
			}
			add(field, row.Get(field), e.Problem)
		}
	}
	req.IdempotencyKey = ""
	return req, probs
}

// isEmail accepts a bare address as net/mail parses it, the issuer's rule.
func isEmail(s string) bool {
	if len(s) > 320 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// parseDate reads an RFC 3339 time or a YYYY-MM-DD day; a day read as an
// end of validity means the last second of that day (UTC).
func parseDate(s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, nil
}

// checkAchievement reports whether the achievement exists and belongs to
// the organization, as a Problem of the whole job.
func checkAchievement(ctx context.Context, st store.Store, orgID, achievementID string) (*Problem, error) {
	a, err := st.Achievement(ctx, achievementID)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) || (err == nil && a.OrgID != orgID) {
		return &Problem{Value: achievementID, Reason: "is not an achievement of this organization"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: achievement: %w", err)
	}
	return nil, nil
}

// validate reads the whole file and reports every problem to report. The
// file is streamed; memory holds one 16-byte digest (plus the line of its
// first row) per distinct learner of the file and of the achievement's
// existing credentials. excludePrefix names the idempotency keys of the job
// itself, whose credentials are not duplicates of its rows.
func validate(ctx context.Context, st store.Store, r io.Reader, m Mapping, orgID, achievementID, excludePrefix string, report func(Problem)) (Validation, error) {
	var v Validation
	emit := func(p Problem) {
		v.Problems++
		if report != nil {
			report(p)
		}
	}
	if p, err := checkAchievement(ctx, st, orgID, achievementID); err != nil {
		return v, err
	} else if p != nil {
		emit(*p)
		return v, nil
	}
	rd, err := NewReader(r, m)
	if err != nil {
		if errors.Is(err, ErrHeader) {
			emit(Problem{Line: 1, Reason: strings.TrimPrefix(err.Error(), ErrHeader.Error()+": ")})
			return v, nil
		}
		return v, err
	}
	// Existing recipients: line -1 marks "issued before".
	seen := map[recipientKey]int32{}
	if err := st.AchievementRecipients(ctx, achievementID, excludePrefix, func(k string) error {
		seen[keyOf(k)] = -1
		return nil
	}); err != nil {
		return v, fmt.Errorf("bulk: existing recipients: %w", err)
	}
	for {
		if v.Rows%1024 == 0 && ctx.Err() != nil {
			return v, ctx.Err()
		}
		row, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		v.Rows = max(v.Rows, row.Num)
		for _, p := range probs {
			emit(p)
		}
		if errors.Is(err, errStop) {
			break
		}
		if err != nil {
			return v, err
		}
		if len(probs) > 0 {
			continue
		}
		req, probs := rowRequest(rd, row, orgID, achievementID)
		for _, p := range probs {
			emit(p)
		}
		if req.RecipientEmail == "" || !isEmail(req.RecipientEmail) {
			continue
		}
		k := keyOf(store.EmailKey(req.RecipientEmail))
		switch first, dup := seen[k]; {
		case !dup:
			seen[k] = int32(row.Line)
		case first < 0:
			emit(Problem{Line: row.lines[FieldEmail], Row: row.Num, Column: rd.Column(FieldEmail), Value: req.RecipientEmail,
				Reason: "already holds this achievement (a credential was issued to this address before)"})
		default:
			emit(Problem{Line: row.lines[FieldEmail], Row: row.Num, Column: rd.Column(FieldEmail), Value: req.RecipientEmail,
				Reason: fmt.Sprintf("duplicates the row on line %d (the same learner may receive the achievement once)", first)})
		}
	}
	if v.Rows == 0 && v.Problems == 0 {
		emit(Problem{Line: 2, Reason: "the file has a header but no rows"})
	}
	return v, nil
}
