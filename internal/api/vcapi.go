package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/limit"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

// issueRequest is the VC-API IssueCredentialRequest.
type issueRequest struct {
	Credential json.RawMessage `json:"credential"`
	Options    json.RawMessage `json:"options"`
}

// issueOptions are the VC-API issue options this issuer understands.
type issueOptions struct {
	// Type is the proof type; only DataIntegrityProof is made.
	Type string `json:"type"`
	// Cryptosuite is eddsa-rdfc-2022 (the default) or eddsa-jcs-2022.
	Cryptosuite string `json:"cryptosuite"`
	// Created dates the proof (RFC 3339, whole seconds); absent means the
	// time of signing.
	Created *string `json:"created"`
	// CredentialID is the id to give a credential that has none.
	CredentialID string `json:"credentialId"`
	// MandatoryPointers belongs to selective-disclosure suites, which
	// this issuer does not implement.
	MandatoryPointers json.RawMessage `json:"mandatoryPointers"`
}

// issueCredential is POST /credentials/issue (W3C VC-API): sign the
// supplied credential as the caller's organization, store it and answer
// 201 {"verifiableCredential": ...}.
func (a *API) issueCredential(w http.ResponseWriter, r *http.Request, c *caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req issueRequest
	if err := decodeStrict(body, &req, ""); err != nil {
		return err
	}
	if isNull(req.Credential) {
		return fieldError("credential", "is required")
	}
	doc, err := verify.DecodeDocument(req.Credential)
	if err != nil {
		return fieldError("credential", err.Error())
	}
	var opt issueOptions
	if !isNull(req.Options) {
		if err := decodeStrict(req.Options, &opt, "options"); err != nil {
			return err
		}
	}
	format, err := opt.format()
	if err != nil {
		return err
	}
	if opt.CredentialID != "" {
		switch id, has := doc["id"]; {
		case !has:
			doc["id"] = opt.CredentialID
		case id == nil:
			// "id": null is refused as such by the issuer, never replaced.
		case id != opt.CredentialID:
			return fieldError("options.credentialId", "differs from credential.id")
		}
	}
	created, err := opt.created()
	if err != nil {
		return err
	}
	cred, err := a.issuer.IssueDocument(r.Context(), c.org.ID, doc, issue.DocumentOptions{Format: format, Created: created, Actor: c.client.ClientID})
	if err != nil {
		var fe issue.FieldErrors
		if errors.As(err, &fe) {
			if len(fe) == 1 && fe[0].Field == "options.created" {
				return fieldError(fe[0].Field, fe[0].Problem)
			}
			// The VC-API answers invalid input with 400, naming each
			// field and its problem.
			return badRequest("the credential was refused", prefixFields(fe, "credential")...)
		}
		return fmt.Errorf("issue document: %w", err)
	}
	writeJSON(w, http.StatusCreated, map[string]json.RawMessage{"verifiableCredential": json.RawMessage(cred.Document)})
	return nil
}

// created parses options.created; zero when absent.
func (o issueOptions) created() (time.Time, error) {
	if o.Created == nil {
		return time.Time{}, nil
	}
	// An XML Schema dateTimeStamp: RFC 3339 with a time zone.
	t, err := time.Parse(time.RFC3339Nano, *o.Created)
	if err != nil {
		return time.Time{}, fieldError("options.created", "must be an RFC 3339 date-time with a time zone, such as 2026-01-31T09:00:00Z")
	}
	return t, nil
}

// format maps the proof options to a store format.
func (o issueOptions) format() (store.Format, error) {
	switch {
	case o.MandatoryPointers != nil:
		return "", fieldError("options.mandatoryPointers", "not supported: this issuer makes no selective-disclosure proofs")
	case o.Type != "" && o.Type != "DataIntegrityProof":
		return "", fieldError("options.type", "not supported: only DataIntegrityProof")
	}
	switch o.Cryptosuite {
	case "", proof.SuiteRDFC:
		return store.FormatLDPRDFC, nil
	case proof.SuiteJCS:
		return store.FormatLDPJCS, nil
	}
	return "", fieldError("options.cryptosuite", "not supported: use "+proof.SuiteRDFC+" or "+proof.SuiteJCS)
}

// prefixFields makes every field a path under prefix, unless it already is.
func prefixFields(fe issue.FieldErrors, prefix string) []issue.FieldError {
	out := make([]issue.FieldError, len(fe))
	for i, e := range fe {
		if e.Field != prefix && !strings.HasPrefix(e.Field, prefix+".") && !strings.HasPrefix(e.Field, "options.") {
			e.Field = joinPath(prefix, e.Field)
		}
		out[i] = e
	}
	return out
}

// verifyRequest is the VC-API VerifyCredentialRequest.
type verifyRequest struct {
	VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	Options              json.RawMessage `json:"options"`
}

// verifyOptions are the VC-API verify options accepted. Every check is
// always run; checks names the ones the caller is interested in, and
// challenge and domain apply to presentations only.
type verifyOptions struct {
	Checks    []string `json:"checks"`
	Challenge string   `json:"challenge"`
	Domain    string   `json:"domain"`
}

// verifyResult is the VC-API VerificationResult, with microcred's
// three-way verdict: verified, not_verified (a check failed) or
// could_not_check (a check that matters could not be carried out).
type verifyResult struct {
	Verified bool           `json:"verified"`
	Verdict  verify.Verdict `json:"verdict"`
	Summary  string         `json:"summary"`
	Checks   []string       `json:"checks"`
	Warnings []problem      `json:"warnings"`
	Errors   []problem      `json:"errors"`
	Report   []verify.Check `json:"report,omitempty"`
	// EmbeddedVerdict and Embedded are set for a learner record (CLR
	// 2.0): each credential in it with its own verdict, apart from the
	// record's (a genuine record may hold a credential revoked since).
	EmbeddedVerdict verify.Verdict   `json:"embeddedVerdict,omitempty"`
	Embedded        []embeddedResult `json:"embedded,omitempty"`
}

// embeddedResult is one credential of a learner record with its own
// verdict and the reasons for it.
type embeddedResult struct {
	Index   int            `json:"index"`
	Name    string         `json:"name"`
	Issuer  string         `json:"issuer,omitempty"`
	Verdict verify.Verdict `json:"verdict"`
	Summary string         `json:"summary"`
	Errors  []problem      `json:"errors"`
}

// withEmbedded adds a learner record's embedded credentials to res.
func withEmbedded(res verifyResult, rep *verify.Report) verifyResult {
	if len(rep.Embedded) == 0 {
		return res
	}
	res.EmbeddedVerdict = rep.EmbeddedVerdict
	for _, e := range rep.Embedded {
		r := resultOf(e.Report.Verdict, e.Report.Summary, nil, e.Report.Problems())
		res.Embedded = append(res.Embedded, embeddedResult{Index: e.Index, Name: e.Name, Issuer: e.Issuer,
			Verdict: e.Report.Verdict, Summary: e.Report.Summary, Errors: r.Errors})
	}
	return res
}

type problem struct {
	Name    string       `json:"name"`
	State   verify.State `json:"state,omitempty"`
	Summary string       `json:"summary,omitempty"`
	Detail  string       `json:"detail"`
}

// resultOf turns a report into the VC-API result: passed checks by name,
// failed and not-checked ones as errors (the reasons for the verdict), and
// warnings.
func resultOf(verdict verify.Verdict, summary string, checks []verify.Check, problems []verify.Check) verifyResult {
	res := verifyResult{Verified: verdict == verify.Verified, Verdict: verdict, Summary: summary,
		Checks: []string{}, Warnings: []problem{}, Errors: []problem{}, Report: checks}
	reason := map[string]bool{}
	for _, p := range problems {
		reason[p.Name] = true
		res.Errors = append(res.Errors, problem{Name: p.Name, State: p.State, Summary: p.Summary, Detail: p.Detail})
	}
	for _, ch := range checks {
		switch {
		case ch.State == verify.Passed:
			res.Checks = append(res.Checks, ch.Name)
		case !reason[ch.Name] && ch.State != verify.Failed:
			res.Warnings = append(res.Warnings, problem{Name: ch.Name, State: ch.State, Summary: ch.Summary, Detail: ch.Detail})
		}
	}
	return res
}

// verifyCredential is POST /credentials/verify (W3C VC-API). It is public.
// The credential may be a JSON object, a compact JWS string (a VC-JWT) or
// an EnvelopedVerifiableCredential; a string that is not a compact JWS is
// refused with 400. It answers 200 when the credential is verified, 422
// when it is not verified or could not be checked (the verdict says
// which), and 400 when the request or the credential cannot be read.
func (a *API) verifyCredential(w http.ResponseWriter, r *http.Request, _ *caller) error {
	release, err := a.issuer.AdmitVerify(r.Context(), r.ContentLength, MaxBodyBytes)
	if err != nil {
		return busyError(err)
	}
	defer release()
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req verifyRequest
	if err := decodeStrict(body, &req, ""); err != nil {
		return err
	}
	if !isNull(req.Options) {
		var opt verifyOptions
		if err := decodeStrict(req.Options, &opt, "options"); err != nil {
			return err
		}
	}
	data, err := credentialInput(req.VerifiableCredential, "verifiableCredential")
	if err != nil {
		return err
	}
	rep, err := a.issuer.Verify(r.Context(), data)
	if errors.Is(err, verify.ErrUnusable) {
		return fieldError("verifiableCredential", "cannot be read: "+verify.Reason(err))
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	res := withEmbedded(resultOf(rep.Verdict, rep.Summary, rep.Checks, rep.Problems()), rep)
	status := http.StatusOK
	if !rep.Verified {
		status = http.StatusUnprocessableEntity
	}
	a.recordAPIVerification(r, rep)
	writeJSON(w, status, res)
	return nil
}

// credentialInput reads a credential given in a VC-API request: an
// object (JSON bytes), a compact JWS string, or an
// EnvelopedVerifiableCredential whose id is data:application/vc+jwt,TOKEN.
func credentialInput(raw json.RawMessage, field string) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case isNull(raw):
		return nil, fieldError(field, "is required")
	case raw[0] == '{':
		var env struct {
			Type any    `json:"type"`
			ID   string `json:"id"`
		}
		if json.Unmarshal(raw, &env) == nil && hasTypeName(env.Type, "EnvelopedVerifiableCredential") {
			media, tok, ok := strings.Cut(strings.TrimPrefix(env.ID, "data:"), ",")
			if !strings.HasPrefix(env.ID, "data:") || !ok || !strings.Contains(media, "jwt") || !compactJWS(tok) {
				return nil, fieldError(field+".id", "must be data:application/vc+jwt, followed by a compact JWS")
			}
			return []byte(tok), nil
		}
		return raw, nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fieldError(field, "is not a valid JSON string")
		}
		s = strings.TrimSpace(s)
		// A string is only ever a secured credential in its compact JWS
		// form; a JSON credential sent as a string is a client error,
		// not something to verify as if it were a JWT.
		if !compactJWS(s) {
			return nil, fieldError(field, "is a string but not a compact JWS (header.payload.signature in base64url); send a JSON credential as an object")
		}
		return []byte(s), nil
	}
	return nil, fieldError(field, "must be a credential object or a compact VC-JWT string")
}

func hasTypeName(v any, name string) bool {
	switch t := v.(type) {
	case string:
		return t == name
	case []any:
		for _, x := range t {
			if x == name {
				return true
			}
		}
	}
	return false
}

// verifyPresentationRequest is the VC-API VerifyPresentationRequest.
type verifyPresentationRequest struct {
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
	Options                json.RawMessage `json:"options"`
}

// presentationResult is the VC-API answer for a presentation: the overall
// verdict, the presentation's own checks and one result per credential.
type presentationResult struct {
	verifyResult
	PresentationResult verifyResult   `json:"presentationResult"`
	CredentialResults  []verifyResult `json:"credentialResults"`
}

// verifyPresentation is POST /presentations/verify (W3C VC-API). It is
// public. The holder's proof must carry options.challenge and
// options.domain when they are given (against replay); every embedded
// credential is verified and answered with its own verdict. 200 when the
// presentation and every credential are verified, 422 otherwise, 400 when
// the request cannot be read.
func (a *API) verifyPresentation(w http.ResponseWriter, r *http.Request, _ *caller) error {
	// Presentations are verified credentials and more: the same admission
	// gate bounds the memory they take.
	release, err := a.issuer.AdmitVerify(r.Context(), r.ContentLength, MaxBodyBytes)
	if err != nil {
		return busyError(err)
	}
	defer release()
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req verifyPresentationRequest
	if err := decodeStrict(body, &req, ""); err != nil {
		return err
	}
	var opt verifyOptions
	if !isNull(req.Options) {
		if err := decodeStrict(req.Options, &opt, "options"); err != nil {
			return err
		}
	}
	raw := bytes.TrimSpace(req.VerifiablePresentation)
	switch {
	case isNull(raw):
		return fieldError("verifiablePresentation", "is required")
	case raw[0] != '{':
		return fieldError("verifiablePresentation", "must be a presentation object")
	}
	rep, err := a.issuer.VerifyPresentation(r.Context(), raw, verify.PresentationOptions{Challenge: opt.Challenge, Domain: opt.Domain})
	if errors.Is(err, verify.ErrUnusable) {
		return fieldError("verifiablePresentation", "cannot be read: "+verify.Reason(err))
	}
	if err != nil {
		return fmt.Errorf("verify presentation: %w", err)
	}
	presProblems := rep.PresentationProblems()
	presVerdict := rep.PresentationVerdict
	res := presentationResult{
		PresentationResult: resultOf(presVerdict, presVerdict.Headline(), rep.Checks, presProblems),
		CredentialResults:  []verifyResult{},
	}
	var all []verify.Check
	all = append(all, presProblems...)
	for i, c := range rep.Credentials {
		res.CredentialResults = append(res.CredentialResults, withEmbedded(resultOf(c.Verdict, c.Summary, c.Checks, c.Problems()), c))
		for _, p := range c.Problems() {
			p.Name = fmt.Sprintf("verifiableCredential[%d] %s", i, p.Name)
			all = append(all, p)
		}
	}
	res.verifyResult = resultOf(rep.Verdict, rep.Summary, nil, all)
	status := http.StatusOK
	if !rep.Verified {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// busyError answers a verification the server has no room for: 429 with
// Retry-After when it is saturated, the context's error when the client
// went away while queued.
func busyError(err error) error {
	if errors.Is(err, limit.ErrBusy) {
		return &apiError{status: http.StatusTooManyRequests, msg: "too many verifications in progress; retry in a moment",
			header: http.Header{"Retry-After": {"1"}}}
	}
	return err
}
