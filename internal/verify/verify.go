// Package verify is the verification pipeline: it takes a credential in any
// supported form (JSON with Data Integrity proofs, or a VC-JWT), checks it
// step by step and returns a report whose every check says, in plain words,
// what was checked and what was found. A credential is verified only when
// every check passes.
package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/proof"
)

// Check is one step of verification.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is the outcome of verifying one credential.
type Report struct {
	Verified bool    `json:"verified"`
	Checks   []Check `json:"checks"`
	// Credential is the decoded credential (the JWT payload for a VC-JWT).
	Credential map[string]any `json:"-"`
}

func (r *Report) add(name string, ok bool, format string, a ...any) {
	r.Checks = append(r.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, a...)})
}

// Options configure a verification.
type Options struct {
	// Keys resolves verification methods to public keys (a *did.Resolver).
	Keys proof.KeyResolver
	// Now is the time validity is judged at; zero means time.Now().
	Now time.Time
	// Status reads credentialStatus entries from the issuer's status
	// lists; nil means offline, and a credential with entries then fails
	// the status check (see checkStatus).
	Status StatusChecker
	// Log, when set, adds the transparency-log inclusion check (see
	// LogOptions); nil leaves the check out.
	Log *LogOptions
}

// ErrUnusable marks input that could not be checked at all: not JSON, not a
// JWT, truncated. The CLI maps it to exit code 2.
var ErrUnusable = errors.New("unusable input")

// Credential verifies data, which holds either a JSON credential with one
// or more Data Integrity proofs or a compact VC-JWT. It returns an error
// wrapping ErrUnusable only when the input cannot be read as either; every
// other problem is a failed check in the report.
func Credential(ctx context.Context, data []byte, opt Options) (*Report, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	rep := &Report{}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	var issuerKeys []string // verification methods whose signatures passed
	if len(trimmed) > 0 && trimmed[0] != '{' {
		token := string(trimmed)
		if strings.Count(token, ".") != 2 || strings.ContainsAny(token, " \t\r\n{}") {
			return nil, fmt.Errorf("%w: input is neither a JSON object nor a compact JWT", ErrUnusable)
		}
		doc, kid, err := proof.VerifyJWTWithKID(ctx, token, opt.Keys)
		if doc == nil {
			if errors.Is(err, proof.ErrMalformedJWT) {
				return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
			}
			rep.add("format", true, "a VC-JWT (JOSE, alg EdDSA)")
			rep.add("signature", false, "%v", err)
			return rep.finish(), nil
		}
		rep.Credential = doc
		rep.add("format", true, "a VC-JWT (JOSE, alg EdDSA)")
		if err != nil {
			rep.add("signature", false, "%v", err)
		} else {
			rep.add("signature", true, "the JWT signature is valid for %s", kid)
			issuerKeys = append(issuerKeys, kid)
		}
	} else {
		doc, err := DecodeDocument(trimmed)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
		}
		rep.Credential = doc
		rep.add("format", true, "a JSON credential secured with Data Integrity proofs")
		results, err := proof.Verify(ctx, doc, opt.Keys, proof.VerifyOptions{Now: now})
		if err != nil {
			rep.add("proof", false, "%v", err)
		}
		for i, r := range results {
			name := fmt.Sprintf("proof %d (%s)", i+1, r.Suite)
			if len(results) == 1 {
				name = fmt.Sprintf("proof (%s)", r.Suite)
			}
			if r.Verified {
				rep.add(name, true, "signature valid, made by %s on %s", r.VerificationMethod, r.Created.UTC().Format(time.RFC3339))
				issuerKeys = append(issuerKeys, r.VerificationMethod)
			} else {
				rep.add(name, false, "%v", r.Err)
			}
		}
	}
	checkModel(rep)
	checkIssuer(rep, issuerKeys)
	checkValidity(rep, now)
	checkStatus(ctx, rep, opt, now)
	checkLog(ctx, rep, opt.Log, trimmed)
	return rep.finish(), nil
}

func (r *Report) finish() *Report {
	r.Verified = len(r.Checks) > 0
	for _, c := range r.Checks {
		if !c.OK {
			r.Verified = false
		}
	}
	return r
}

// checkModel validates the credential against the data model: Open Badges
// 3.0 rules for OpenBadgeCredentials, the VC data model core otherwise.
func checkModel(rep *Report) {
	doc := rep.Credential
	if unknown := unknownContexts(doc["@context"]); len(unknown) > 0 {
		rep.add("data model", false, "uses JSON-LD contexts microcred does not ship, so its meaning cannot be checked offline: %s", strings.Join(unknown, ", "))
		return
	}
	types := stringsOf(doc["type"])
	if !contains(types, "VerifiableCredential") {
		rep.add("data model", false, "type does not include VerifiableCredential")
		return
	}
	if contains(types, "OpenBadgeCredential") || contains(types, "AchievementCredential") {
		if err := credential.ValidateMap(doc); err != nil {
			rep.add("data model", false, "not a valid Open Badges 3.0 credential: %v", err)
			return
		}
		rep.add("data model", true, "a valid Open Badges 3.0 credential")
		return
	}
	var problems []string
	if issuerID(doc) == "" {
		problems = append(problems, "issuer: required")
	}
	if doc["credentialSubject"] == nil {
		problems = append(problems, "credentialSubject: required")
	}
	if len(problems) > 0 {
		rep.add("data model", false, "not a valid verifiable credential: %s", strings.Join(problems, "; "))
		return
	}
	rep.add("data model", true, "a valid W3C verifiable credential")
}

// checkIssuer makes sure a key that signed the credential belongs to the
// issuer it names: a valid signature by someone else proves nothing.
func checkIssuer(rep *Report, signers []string) {
	issuer := issuerID(rep.Credential)
	if issuer == "" || len(signers) == 0 {
		rep.add("issuer", false, "no valid signature by the issuer %q", issuer)
		return
	}
	for _, vm := range signers {
		controller, _, _ := strings.Cut(vm, "#")
		if controller == issuer {
			rep.add("issuer", true, "signed by the issuer %s", issuer)
			return
		}
	}
	rep.add("issuer", false, "signed by %s, which is not the issuer %s", strings.Join(signers, ", "), issuer)
}

// checkValidity judges validFrom/validUntil (VC 2.0) and their VC 1.1
// predecessors issuanceDate/expirationDate at now.
func checkValidity(rep *Report, now time.Time) {
	doc := rep.Credential
	from, fromField := stringField(doc, "validFrom", "issuanceDate")
	until, untilField := stringField(doc, "validUntil", "expirationDate")
	var parts []string
	ok := true
	if from != "" {
		t, err := time.Parse(time.RFC3339, from)
		switch {
		case err != nil:
			ok = false
			parts = append(parts, fmt.Sprintf("%s %q is not a date-time", fromField, from))
		case now.Before(t):
			ok = false
			parts = append(parts, "not valid yet: valid from "+t.UTC().Format(time.RFC3339))
		default:
			parts = append(parts, "valid from "+t.UTC().Format(time.RFC3339))
		}
	}
	if until != "" {
		t, err := time.Parse(time.RFC3339, until)
		switch {
		case err != nil:
			ok = false
			parts = append(parts, fmt.Sprintf("%s %q is not a date-time", untilField, until))
		case !now.Before(t):
			ok = false
			parts = append(parts, "expired on "+t.UTC().Format(time.RFC3339))
		default:
			parts = append(parts, "valid until "+t.UTC().Format(time.RFC3339))
		}
	} else {
		parts = append(parts, "no expiry date")
	}
	rep.add("validity period", ok, "%s", strings.Join(parts, "; "))
}

// unknownContexts lists the context URLs that are not shipped with
// microcred. Every suite signs the @context values themselves, but only a
// known context says what the signed terms mean.
func unknownContexts(ctx any) []string {
	var unknown []string
	list, ok := ctx.([]any)
	if !ok {
		list = []any{ctx}
	}
	for _, c := range list {
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

func stringField(doc map[string]any, names ...string) (string, string) {
	for _, n := range names {
		if s, ok := doc[n].(string); ok {
			return s, n
		}
	}
	return "", names[0]
}

// issuerID returns the issuer's id whether issuer is a string or an object.
func issuerID(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

func stringsOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
