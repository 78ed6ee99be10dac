package verify

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/jsonld"
)

// The base contexts of the two VC data models. Open Badges 3.0 credentials
// are issued on both; 1EdTech's recommended practices ask displayers to
// verify both.
const (
	contextV1 = "https://www.w3.org/2018/credentials/v1"
	contextV2 = credential.ContextV2
)

// requireRecipient makes an Open Badge whose credentialSubject has neither
// an id nor an identifier fail the data model check. Open Badges 3.0,
// section 9.1 ("OpenBadgeCredential Verification"), step 1: "Check that the
// credentialSubject is identified by an id and/or an identifier. If
// neither is present, the credential does not conform to the
// specification"; section 9 counts "the credential conforms to the
// specification" among what verification checks, and section 9.1 ends "If
// all the above steps pass, the OpenBadgeCredential may be treated as
// verified". So this is a verification step, not a data-model remark, and
// the verdict is not verified. Some DCC-issued badges name the recipient
// only by name; their report says plainly that the signature is intact and
// that the missing recipient is the reason, so a genuine badge is never
// presented as forged (see recipientSummary).
const requireRecipient = true

// checkModel checks the credential against the data model. It fails only
// on what the verification procedures require:
//   - VC 2.0 (section 7.1) and VC 1.1: @context starts with a base context,
//     type includes VerifiableCredential, issuer and credentialSubject are
//     present and the issuer is a URL;
//   - Open Badges 3.0 (section 9.2, step 1): the credentialSubject is
//     identified by an id and/or an identifier.
//
// Everything else the Open Badges 3.0 data model says is reported as a
// warning naming the field: a displayer may show a credential with, say, a
// non-standard urn:uuid or a missing description. What Open Badges 3.0
// allows is not even a warning: an issuer given as a bare IRI, a missing
// name, the VC 1.1 context with issuanceDate/expirationDate.
func checkModel(rep *Report) {
	const name = "data model"
	doc := rep.Credential
	var fatal []string
	ctxList := contextList(doc["@context"])
	base := ""
	if len(ctxList) > 0 {
		base, _ = ctxList[0].(string)
	}
	v1 := base == contextV1
	if base != contextV2 && !v1 {
		fatal = append(fatal, fmt.Sprintf("@context: must start with %q (VC 2.0) or %q (VC 1.1)", contextV2, contextV1))
	}
	types := stringsOf(doc["type"])
	if !contains(types, "VerifiableCredential") {
		fatal = append(fatal, `type: must include "VerifiableCredential"`)
	}
	switch iss := issuerID(doc); {
	case doc["issuer"] == nil:
		fatal = append(fatal, "issuer: required")
	case iss == "":
		fatal = append(fatal, "issuer: must be a URL or an object with an id")
	case !credential.IsAbsoluteURI(iss) && !strings.Contains(iss, ":"):
		fatal = append(fatal, fmt.Sprintf("issuer: %q is not a URL", iss))
	}
	var warnings []string
	subjects := subjectList(doc["credentialSubject"])
	if len(subjects) == 0 {
		fatal = append(fatal, "credentialSubject: required")
	}
	ob := contains(types, "OpenBadgeCredential") || contains(types, "AchievementCredential")
	if ob {
		for i, s := range subjects {
			if s["id"] == nil && s["identifier"] == nil {
				p := "credentialSubject"
				if len(subjects) > 1 {
					p += "[" + strconv.Itoa(i) + "]"
				}
				finding := p + ": names no recipient: Open Badges 3.0 (section 9.1, step 1) requires an id or an identifier"
				if requireRecipient {
					fatal = append(fatal, finding)
				} else {
					warnings = append(warnings, finding)
				}
			}
		}
	}
	checkSchemas(rep)
	if unknown := unknownContexts(doc["@context"]); len(unknown) > 0 {
		// VC 2.0 lets a verifier act only on contexts it knows; contexts
		// are never fetched, so what the credential's terms mean cannot
		// be established. That is a limit of this verifier, not a fault
		// of the credential.
		rep.notChecked("vocabulary", "The credential uses a vocabulary (JSON-LD context) microcred does not have, so what its terms mean could not be checked.",
			"@context: not shipped with microcred (contexts are never fetched): "+strings.Join(unknown, ", "))
	}
	if ob {
		warnings = append(warnings, obWarnings(doc, v1)...)
	}
	clr := isClr(doc)
	if clr && !v1 {
		warnings = append(warnings, clrWarnings(doc)...)
	}
	kind := "a W3C verifiable credential"
	switch {
	case ob:
		kind = "an Open Badges 3.0 credential"
	case clr:
		kind = "a CLR 2.0 learner record"
	}
	version := "VC 2.0"
	if v1 {
		version = "VC 1.1"
	}
	switch {
	case len(fatal) > 0 && strings.Contains(fatal[0], "names no recipient"):
		rep.fail(name, recipientSummary(rep), strings.Join(append(fatal, warnings...), "; "))
	case len(fatal) > 0:
		rep.fail(name, fmt.Sprintf("It is not a valid %s: %s.", strings.TrimPrefix(strings.TrimPrefix(kind, "a "), "an "), plainProblem(fatal[0])),
			strings.Join(append(fatal, warnings...), "; "))
	case len(warnings) > 0:
		rep.warn(name, fmt.Sprintf("It is %s (%s). %s from the data model without affecting its validity.", kind, version, plural(len(warnings), "detail departs", "details depart")),
			strings.Join(warnings, "; "))
	default:
		rep.pass(name, fmt.Sprintf("It is a well-formed %s (%s).", strings.TrimPrefix(strings.TrimPrefix(kind, "a "), "an "), version), "conforms to the "+version+" data model"+map[bool]string{true: " and the Open Badges 3.0 rules", false: ""}[ob]+
			map[bool]string{true: " and 1EdTech's CLR 2.0 JSON Schema", false: ""}[clr && !v1])
	}
}

// clrWarnings are the findings of 1EdTech's CLR 2.0 JSON Schema on a
// record: departures from the data model that a displayer can live with,
// so warnings. The schema is the VC 2.0 build; a record on VC 1.1 is not
// checked against it. Embedded credentials are checked on their own.
func clrWarnings(doc map[string]any) []string {
	const most = 10
	err := credential.ValidateClr(doc)
	var ve credential.ValidationErrors
	if !errors.As(err, &ve) {
		if err != nil {
			return []string{"the CLR 2.0 JSON Schema could not be applied: " + err.Error()}
		}
		return nil
	}
	var out []string
	for _, fe := range ve {
		if len(out) == most {
			out = append(out, fmt.Sprintf("and %d more findings of the CLR 2.0 JSON Schema", len(ve)-most))
			break
		}
		p := fe.Path
		if p == "" {
			p = "credential"
		}
		out = append(out, p+": "+fe.Message+" (CLR 2.0 JSON Schema)")
	}
	return out
}

// recipientSummary explains the verdict on an Open Badge that names no
// recipient. It says whether the signature itself held, because such a
// badge is often genuine: what fails is the step of the Open Badges 3.0
// verification procedure that asks for a recipient.
func recipientSummary(rep *Report) string {
	const why = "it does not say whom it was awarded to (its credentialSubject has no id or identifier), and the Open Badges 3.0 verification procedure requires one, so it cannot be treated as verified"
	for _, c := range rep.Checks {
		if (c.Name == "proof" || strings.HasPrefix(c.Name, "proof ")) && c.State == Passed {
			return "Its signature is intact and nothing suggests it was altered, but " + why + "."
		}
	}
	return "It is not a complete Open Badge: " + why + "."
}

// plainProblem turns the first fatal finding into words for the summary.
func plainProblem(p string) string {
	switch {
	case strings.HasPrefix(p, "@context"):
		return "it does not declare the Verifiable Credentials vocabulary first"
	case strings.HasPrefix(p, "type"):
		return "it does not say it is a verifiable credential"
	case strings.HasPrefix(p, "issuer"):
		return "it does not name its issuer properly"
	case strings.Contains(p, "names no recipient"):
		return "it does not say whom it was awarded to (no recipient id or identifier)"
	case strings.HasPrefix(p, "credentialSubject"):
		return "it does not say what it is about (no credentialSubject)"
	}
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "One " + one
	}
	return strconv.Itoa(n) + " " + many
}

// allowed are Open Badges 3.0 data-model findings that are not findings:
// what OB 3.0 and the VC 1.1 form of it allow.
func allowed(fe credential.FieldError, doc map[string]any, v1 bool) bool {
	switch {
	case fe.Path == "issuer" && strings.Contains(fe.Message, "bare IRI"):
		return true // OB 3.0 issuers given as their IRI (VC allows it)
	case fe.Path == "name" && fe.Message == "required":
		return true
	case fe.Path == "credentialSubject" && strings.Contains(fe.Message, "id or identifier"):
		return true // reported as fatal by checkModel
	case v1 && (fe.Path == "@context[0]" || fe.Path == "validFrom" && fe.Message == "required" && doc["issuanceDate"] != nil):
		return true
	}
	return false
}

// obWarnings runs the Open Badges 3.0 data-model rules and returns what
// they find, as warnings naming the field, each true of the document.
func obWarnings(doc map[string]any, v1 bool) []string {
	err := credential.ValidateMap(doc)
	if err == nil {
		return nil
	}
	var ve credential.ValidationErrors
	if !errors.As(err, &ve) {
		return []string{"the credential could not be checked against the Open Badges 3.0 data model"}
	}
	var out []string
	for _, fe := range ve {
		if allowed(fe, doc, v1) {
			continue
		}
		msg := fe.Message
		if msg == credential.MsgUUIDForm {
			if s, ok := lookup(doc, fe.Path).(string); ok {
				msg = fmt.Sprintf("%q %s", s, msg)
			}
		}
		if fe.Path == "" {
			out = append(out, msg)
		} else {
			out = append(out, fe.Path+": "+msg)
		}
	}
	return out
}

var (
	pathStep  = regexp.MustCompile(`^([^.\[]+)((?:\[\d+\])*)`)
	pathIndex = regexp.MustCompile(`\d+`)
)

// lookup follows a validation path ("credentialSubject.result[0].value")
// into doc; nil when it leads nowhere.
func lookup(doc map[string]any, path string) any {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m := pathStep.FindStringSubmatch(part)
		if m == nil {
			return nil
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[m[1]]
		for _, idx := range pathIndex.FindAllString(m[2], -1) {
			arr, ok := cur.([]any)
			n, _ := strconv.Atoi(idx)
			if !ok || n >= len(arr) {
				return nil
			}
			cur = arr[n]
		}
	}
	return cur
}

func subjectList(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func contextList(v any) []any {
	switch c := v.(type) {
	case nil:
		return nil
	case []any:
		return c
	default:
		return []any{c}
	}
}

// unknownContexts lists the context URLs that are not shipped with
// microcred. Every suite signs the @context values themselves, but only a
// known context says what the signed terms mean.
func unknownContexts(ctx any) []string {
	var unknown []string
	for _, c := range contextList(ctx) {
		switch v := c.(type) {
		case string:
			if _, ok := jsonld.Context(v); !ok {
				unknown = append(unknown, v)
			}
		case map[string]any:
			// An inline context is part of the signed document itself.
		default:
			unknown = append(unknown, fmt.Sprintf("%v", v))
		}
	}
	return unknown
}

// checkSchemas notes the credentialSchema entries the credential names.
// Open Badges 3.0 and CLR 2.0 ask verifiers to validate a credential
// against the 1EdTechJsonSchemaValidator2019 schemas it names. Those this
// build ships (1EdTech's CLR 2.0 ClrCredential schema) are applied; the
// others are never fetched, so for them the check is reported as not
// carried out. Either way it is advisory or a warning: the verdict rests
// on the checks the data model rules above make.
func checkSchemas(rep *Report) {
	var ids, findings []string
	var shipped []credential.Schema
	for _, s := range subjectList(rep.Credential["credentialSchema"]) {
		id, _ := s["id"].(string)
		t, _ := s["type"].(string)
		if name, ok := credential.SchemaByID(id); ok && t == "1EdTechJsonSchemaValidator2019" {
			shipped = append(shipped, name)
			var ve credential.ValidationErrors
			if err := credential.ValidateSchema(name, rep.Credential); errors.As(err, &ve) {
				for _, fe := range ve {
					findings = append(findings, fmt.Sprintf("%s: %s", orMissing(fe.Path), fe.Message))
				}
			} else if err != nil {
				findings = append(findings, err.Error())
			}
			continue
		}
		ids = append(ids, fmt.Sprintf("%s (%s)", orMissing(id), orMissing(t)))
	}
	for _, name := range shipped {
		label := map[credential.Schema]string{credential.SchemaClrCredential: "1EdTech's CLR 2.0 ClrCredential schema"}[name]
		if label == "" {
			label = "1EdTech's " + string(name) + " schema"
		}
		if len(findings) > 0 {
			rep.warn("schema", "The credential does not fully match the JSON Schema it names, "+label+"; this does not make it false.",
				strings.Join(findings, "; "))
		} else {
			rep.pass("schema", "It matches the JSON Schema it names, "+label+".", "credentialSchema "+string(name)+": valid (the schema ships with microcred)")
		}
	}
	if len(ids) == 0 {
		return
	}
	c := rep.notChecked("schema", "The credential names a JSON Schema to check it against; microcred checks the Open Badges rules itself instead of fetching schemas.",
		"credentialSchema not validated (schemas are never fetched): "+strings.Join(ids, ", "))
	c.Advisory = true
}
