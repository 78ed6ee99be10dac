package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxClrCredentials bounds the embedded credentials of one Comprehensive
// Learner Record that are verified; each costs a full verification. The
// ones beyond it are reported as not checked.
const MaxClrCredentials = 200

// maxNamed bounds the credentials the summary of the embedded check names;
// the report lists them all.
const maxNamed = 5

// TypeClr is the type of a Comprehensive Learner Record 2.0 credential.
const TypeClr = "ClrCredential"

// Embedded is the outcome of verifying one credential a Comprehensive
// Learner Record embeds (credentialSubject.verifiableCredential).
type Embedded struct {
	// Index is the credential's place in verifiableCredential.
	Index int `json:"index"`
	// Name is what it was awarded for (its achievement's name, or its
	// own name), Issuer who issued it, as the credential says.
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
	// AchievementID is the id of its achievement, which the record's
	// associations refer to.
	AchievementID string  `json:"achievementId,omitempty"`
	Report        *Report `json:"report"`
}

// isClr tells whether doc is a CLR 2.0 ClrCredential.
func isClr(doc map[string]any) bool {
	return contains(stringsOf(doc["type"]), TypeClr)
}

// checkEmbedded verifies each credential a Comprehensive Learner Record
// embeds, as CLR 2.0 asks of verifiers, and adds one check that says in
// plain words which of them did not verify. The record's own verdict does
// not depend on them: a genuine record may hold a credential its issuer
// revoked after the record was signed, or one that cannot be checked
// today, and the record is then still what its issuer signed. Each
// embedded report carries its own verdict for the reader to see.
// Embedded records are verified without their own embedded credentials
// (one level deep).
func checkEmbedded(ctx context.Context, rep *Report, opt Options) {
	const name = "embedded credentials"
	subject, _ := rep.Credential["credentialSubject"].(map[string]any)
	if list, ok := rep.Credential["credentialSubject"].([]any); ok && len(list) > 0 {
		subject, _ = list[0].(map[string]any)
	}
	var list []any
	switch v := subject["verifiableCredential"].(type) {
	case nil:
	case []any:
		list = v
	default:
		list = []any{v}
	}
	if len(list) == 0 {
		rep.warn(name, "The record holds no credentials to check.", "credentialSubject.verifiableCredential: absent or empty")
		return
	}
	inner := opt
	inner.nested = true
	inner.Log = nil // the log check reads the issued bytes, which embedding re-encodes
	rep.Embedded = make([]Embedded, 0, len(list))
	rep.EmbeddedVerdict = Verified
	for i, x := range list {
		e := Embedded{Index: i}
		var data []byte
		switch c := x.(type) {
		case map[string]any:
			e.Name, e.Issuer, e.AchievementID = embeddedLabels(c)
			if contains(stringsOf(c["type"]), "EnvelopedVerifiableCredential") {
				// VC 2.0 §4.13: a credential secured as a JWT, carried in a
				// data: URL. Its proof is the token, not the object.
				id, _ := c["id"].(string)
				if tok, ok := envelopedJWT(id); ok {
					data = []byte(tok)
				}
				break
			}
			data, _ = json.Marshal(c)
		case string:
			if tok, ok := envelopedJWT(c); ok {
				c = tok
			}
			data = []byte(c)
		}
		var r *Report
		switch {
		case i >= MaxClrCredentials:
			r = &Report{}
			r.notChecked("embedded", fmt.Sprintf("Only the first %d credentials of a record are checked.", MaxClrCredentials),
				fmt.Sprintf("verifiableCredential[%d]: beyond the limit of %d", i, MaxClrCredentials))
			r.finish()
		case data == nil:
			r = &Report{}
			r.fail("format", "This entry of the record is not a credential.", fmt.Sprintf("verifiableCredential[%d]: must be a credential object or a JWT string", i))
			r.finish()
		default:
			var err error
			r, err = Credential(ctx, data, inner)
			if err != nil {
				r = &Report{}
				r.fail("format", "This credential cannot be read.", fmt.Sprintf("verifiableCredential[%d]: %s", i, Reason(err)))
				r.finish()
			}
			if e.Name == "" && r.Credential != nil {
				e.Name, e.Issuer, e.AchievementID = embeddedLabels(r.Credential)
			}
		}
		if e.Name == "" {
			e.Name = fmt.Sprintf("Credential %d", i+1)
		}
		e.Report = r
		rep.Embedded = append(rep.Embedded, e)
		rep.EmbeddedVerdict = worse(rep.EmbeddedVerdict, r.Verdict)
	}
	var bad, unknown []string
	var details []string
	for _, e := range rep.Embedded {
		label := "“" + e.Name + "”"
		if e.Issuer != "" {
			label += " from " + e.Issuer
		}
		why := ""
		if p := e.Report.Problems(); len(p) > 0 {
			why = p[0].Summary
			details = append(details, fmt.Sprintf("verifiableCredential[%d] %s: %s (%s)", e.Index, e.Report.Verdict, p[0].Name, p[0].Detail))
		}
		switch e.Report.Verdict {
		case NotVerified:
			bad = append(bad, label+" is not verified: "+why)
		case CouldNotCheck:
			unknown = append(unknown, label+" could not be checked: "+why)
		}
	}
	n := len(rep.Embedded)
	ok := n - len(bad) - len(unknown)
	if len(bad) == 0 && len(unknown) == 0 {
		summary := fmt.Sprintf("All %d credentials in this record verified on their own.", n)
		if n == 1 {
			summary = "The credential in this record verified on its own."
		}
		rep.pass(name, summary, fmt.Sprintf("%d of %d embedded credentials verified", n, n))
		return
	}
	summary := fmt.Sprintf("%d of the %d credentials in this record verified on their own. ", ok, n)
	if n == 1 {
		summary = "The credential in this record did not verify on its own. "
		if len(bad) == 0 {
			summary = "The credential in this record could not be checked on its own. "
		}
	}
	named := append(bad, unknown...)
	if len(named) > maxNamed {
		named = append(named[:maxNamed:maxNamed], fmt.Sprintf("And %d more: see the list.", len(named)-maxNamed))
	}
	summary += strings.Join(named, " ")
	if len(bad) > 0 {
		summary += " The record itself is checked separately: a record can be genuine while a credential in it has since been revoked, or was altered before the record was put together."
	} else {
		summary += " Could not be checked does not mean false."
	}
	rep.warn(name, summary, strings.Join(details, "; "))
}

// embeddedLabels reads the display fields of an embedded credential.
func embeddedLabels(doc map[string]any) (name, issuer, achievementID string) {
	subject, _ := doc["credentialSubject"].(map[string]any)
	if ach, ok := subject["achievement"].(map[string]any); ok {
		name, _ = ach["name"].(string)
		achievementID, _ = ach["id"].(string)
	}
	if name == "" {
		name, _ = doc["name"].(string)
	}
	switch v := doc["issuer"].(type) {
	case string:
		issuer = v
	case map[string]any:
		issuer, _ = v["name"].(string)
		if issuer == "" {
			issuer, _ = v["id"].(string)
		}
	}
	return oneLine(name), oneLine(issuer), achievementID
}
