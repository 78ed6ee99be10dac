package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/canonjson"
	"github.com/microcred/microcred/internal/issue"
)

// errorStyle selects how a route writes its error bodies.
type errorStyle int

const (
	// styleJSON: {"error": "...", "fields": [{"field", "problem"}]}, the
	// microcred and VC-API shape.
	styleJSON errorStyle = iota
	// styleIMS: the Imsx_StatusInfo object of the 1EdTech OB 3.0 API.
	styleIMS
	// styleOAuth: {"error": code, "error_description": "..."} of RFC 6749
	// section 5.2.
	styleOAuth
)

// apiError is an error with an HTTP status, rendered by writeError in the
// route's style. Handlers return it for every expected failure; any other
// error is a 500 whose detail goes to the log only.
type apiError struct {
	status int
	// code is the machine-readable code: the OAuth error code on the token
	// endpoint, or the imsx_codeMinorFieldValue on OB 3.0 routes (derived
	// from status when empty).
	code   string
	msg    string
	fields []issue.FieldError
	header http.Header
}

func (e *apiError) Error() string {
	if len(e.fields) == 0 {
		return e.msg
	}
	return e.msg + ": " + issue.FieldErrors(e.fields).Error()
}

func newError(status int, msg string, fields ...issue.FieldError) *apiError {
	return &apiError{status: status, msg: msg, fields: fields}
}

func badRequest(msg string, fields ...issue.FieldError) *apiError {
	return newError(http.StatusBadRequest, msg, fields...)
}

// fieldError is a 400 naming one field.
func fieldError(field, problem string) *apiError {
	return badRequest("invalid request", issue.FieldError{Field: field, Problem: problem})
}

// unprocessable is a 422. The VC-API issue endpoint answers invalid input
// with 400 now; the helper stays for the handlers that answer 422 (the
// verification endpoints are being reworked on another branch).
//
//lint:ignore U1000 kept for the verification handlers
func unprocessable(msg string, fields ...issue.FieldError) *apiError {
	return newError(http.StatusUnprocessableEntity, msg, fields...)
}

func notFound(msg string) *apiError { return newError(http.StatusNotFound, msg) }

// writeError renders err in style. Errors other than *apiError are logged
// and answered with a bare 500 so that internals never reach the client.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, style errorStyle, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		a.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = newError(http.StatusInternalServerError, "internal server error")
	}
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch style {
	case styleOAuth:
		code := e.code
		if code == "" {
			code = oauthCode(e.status)
		}
		body := map[string]string{"error": code}
		if e.msg != "" {
			body["error_description"] = e.Error()
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, e.status, body)
	case styleIMS:
		writeJSON(w, e.status, imsxStatus(e))
	default:
		body := map[string]any{"error": e.msg}
		if len(e.fields) > 0 {
			body["fields"] = e.fields
		}
		writeJSON(w, e.status, body)
	}
}

func oauthCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "invalid_client"
	case http.StatusTooManyRequests:
		return "slow_down"
	case http.StatusInternalServerError:
		return "server_error"
	}
	return "invalid_request"
}

// imsxStatus is the Imsx_StatusInfo body of the OB 3.0 API for e.
func imsxStatus(e *apiError) map[string]any {
	minor := e.code
	if minor == "" {
		switch e.status {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusConflict, http.StatusUnprocessableEntity:
			minor = "invalid_data"
		case http.StatusUnauthorized:
			minor = "unauthorizedrequest"
		case http.StatusForbidden:
			minor = "forbidden"
		case http.StatusNotFound:
			minor = "unknown"
		case http.StatusMethodNotAllowed:
			minor = "not_allowed"
		case http.StatusNotAcceptable, http.StatusUnsupportedMediaType:
			minor = "not_acceptable"
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			minor = "server_busy"
		default:
			minor = "internal_server_error"
		}
	}
	return map[string]any{
		"imsx_codeMajor":   "failure",
		"imsx_severity":    "error",
		"imsx_description": e.Error(),
		"imsx_codeMinor": map[string]any{
			"imsx_codeMinorField": []map[string]string{{
				"imsx_codeMinorFieldName":  "TargetEndSystem",
				"imsx_codeMinorFieldValue": minor,
			}},
		},
	}
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		// Every value written here is built from JSON-safe types; this is
		// a programming error, reported without a half-written body.
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	writeRawJSON(w, status, data)
}

// writeRawJSON writes already-encoded JSON with status.
func writeRawJSON(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	_, _ = w.Write(data)
	_, _ = w.Write([]byte("\n"))
}

// readBody reads the whole request body, which the route wrapper has
// limited to MaxBodyBytes.
// errEmptyBody is readBody's answer to a request without a body, which
// an endpoint whose body is optional tells from the others with errors.Is.
var errEmptyBody = badRequest("request body is empty")

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, errEmptyBody
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, newError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body exceeds the limit of %d bytes (1 MiB)", tooBig.Limit))
		}
		return nil, badRequest("reading request body: " + err.Error())
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errEmptyBody
	}
	return data, nil
}

// decodeStrict decodes one JSON object from data into v, refusing unknown
// members, wrong types and trailing data. prefix is the JSON path of data
// within the request ("" for the body itself, "options" for a nested
// object), so that errors name fields by their full path.
func decodeStrict(data []byte, v any, prefix string) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fieldError(pathOrBody(prefix), "must be a JSON object")
	}
	// encoding/json would turn a lone surrogate (\ud800) or a byte that
	// is not UTF-8 into U+FFFD, so what is signed or verified would not be
	// what was sent (I-JSON, RFC 7493, which JCS builds on, forbids both).
	if err := canonjson.CheckText(trimmed); err != nil {
		return fieldError(pathOrBody(prefix), err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err, prefix)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fieldError(pathOrBody(prefix), "unexpected data after the JSON object")
	}
	return nil
}

// jsonProblem turns an encoding/json error into a 400 naming the field.
func jsonProblem(err error, prefix string) *apiError {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badRequest(fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax))
	case errors.As(err, &typeErr):
		field := joinPath(prefix, typeErr.Field)
		return fieldError(pathOrBody(field), "must be "+jsonTypeName(typeErr.Type.Kind().String())+", not "+typeErr.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("malformed JSON: unexpected end of input")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return badRequest("unknown field", issue.FieldError{Field: joinPath(prefix, name), Problem: "unknown field"})
	}
	return badRequest("malformed JSON: " + err.Error())
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64":
		return "a number"
	}
	return "a " + kind
}

func joinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

func pathOrBody(p string) string {
	if p == "" {
		return "(body)"
	}
	return p
}
