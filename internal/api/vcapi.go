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
			return unprocessable("the credential was refused", prefixFields(fe, "credential")...)
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

// verifyResult is the VC-API VerificationResult.
type verifyResult struct {
	Verified bool           `json:"verified"`
	Checks   []string       `json:"checks"`
	Warnings []problem      `json:"warnings"`
	Errors   []problem      `json:"errors"`
	Report   []verify.Check `json:"report,omitempty"`
}

type problem struct {
	Name   string `json:"name"`
	Detail string `json:"detail"`
}

// verifyCredential is POST /credentials/verify (W3C VC-API). It is public.
// The credential may be a JSON object or a compact VC-JWT string. It
// answers 200 only when every check passes, 422 with the failed checks
// otherwise, and 400 when the request or the credential cannot be read.
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
	raw := bytes.TrimSpace(req.VerifiableCredential)
	var data []byte
	switch {
	case isNull(raw):
		return fieldError("verifiableCredential", "is required")
	case raw[0] == '{':
		data = raw
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fieldError("verifiableCredential", "is not a valid JSON string")
		}
		data = []byte(strings.TrimSpace(s))
	default:
		return fieldError("verifiableCredential", "must be a credential object or a compact VC-JWT string")
	}
	rep, err := a.issuer.Verify(r.Context(), data)
	if errors.Is(err, verify.ErrUnusable) {
		return fieldError("verifiableCredential", "cannot be read: "+err.Error())
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	res := verifyResult{Verified: rep.Verified, Checks: []string{}, Warnings: []problem{}, Errors: []problem{}, Report: rep.Checks}
	for _, ch := range rep.Checks {
		if ch.OK {
			res.Checks = append(res.Checks, ch.Name)
		} else {
			res.Errors = append(res.Errors, problem{Name: ch.Name, Detail: ch.Detail})
		}
	}
	status := http.StatusOK
	if !rep.Verified {
		status = http.StatusUnprocessableEntity
		if len(res.Errors) == 0 {
			res.Errors = append(res.Errors, problem{Name: "verification", Detail: "the credential did not verify"})
		}
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
