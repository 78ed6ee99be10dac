package ob2

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/fetch"
)

// Verdict is the outcome of a verification.
type Verdict string

// The three verdicts.
const (
	Verified    Verdict = "verified"
	NotVerified Verdict = "not verified"
	NotChecked  Verdict = "could not be checked"
)

// Status is the outcome of one check.
type Status string

// Check outcomes.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "not checked"
)

// Check is one step of verification.
type Check struct {
	Name    string `json:"name"`
	Status  Status `json:"status"`
	Meaning string `json:"meaning"` // plain words, for anyone
	Detail  string `json:"detail"`  // technical detail, folded away on pages
}

// Result is the outcome of verifying an Open Badges 2.0 assertion.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Method is "hosted" or "signed".
	Method string  `json:"method"`
	Checks []Check `json:"checks"`
	// Assertion, BadgeClass and Issuer are the documents as the issuer
	// publishes them (for a hosted assertion, the fetched copy); nil when
	// they could not be read.
	Assertion  map[string]any `json:"-"`
	BadgeClass map[string]any `json:"-"`
	Issuer     map[string]any `json:"-"`
}

// Options configure Verify.
type Options struct {
	// Fetch is the guarded outbound client; nil means public addresses
	// over http or https (Open Badges 2.0 ids predate https everywhere).
	Fetch *fetch.Client
	// Documents answers fetches offline, by exact URL; a URL it lacks is
	// fetched through Fetch unless Offline is set.
	Documents map[string][]byte
	// Offline forbids network fetches: only Documents are used.
	Offline bool
	// Now is the time validity is judged at; zero means time.Now().
	Now time.Time
	// Recipient, when set, is who the verifier expects the badge to be
	// awarded to (an email address, or the URL, telephone number or id the
	// assertion's recipient type names); the "recipient" check then
	// confirms it against the (usually hashed) identity in the assertion.
	Recipient string
}

// ErrNotOB2 reports input that is not an Open Badges 2.0 assertion; the
// caller should try another format.
var ErrNotOB2 = errors.New("not an Open Badges 2.0 assertion")

// Contexts of Open Badges 2.0 (and 1.1, which 2.0 verifiers accept).
var ob2Contexts = map[string]bool{
	"https://w3id.org/openbadges/v2":            true,
	"https://openbadgespec.org/v2/context.json": true,
	"https://w3id.org/openbadges/v1":            true,
}

// Detect reports whether data looks like an Open Badges 2.0 assertion: its
// JSON, a compact JWS of it, or the http(s) URL of a hosted one (what a
// legacy baked badge holds).
func Detect(data []byte) bool {
	_, _, err := parse(data)
	return err == nil
}

// input is the assertion as given.
type input struct {
	assertion map[string]any
	jws       string // the compact JWS of a signed assertion
	url       string // a hosted assertion given by its URL only
}

func parse(data []byte) (input, string, error) {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	switch {
	case len(t) == 0:
		return input{}, "", ErrNotOB2
	case t[0] == '{':
		var a map[string]any
		if err := json.Unmarshal(t, &a); err != nil || !isAssertion(a) {
			return input{}, "", ErrNotOB2
		}
		return input{assertion: a}, "json", nil
	case bytes.HasPrefix(t, []byte("https://")) || bytes.HasPrefix(t, []byte("http://")):
		if bytes.ContainsAny(t, " \t\r\n") {
			return input{}, "", ErrNotOB2
		}
		return input{url: string(t)}, "url", nil
	}
	parts := strings.Split(string(t), ".")
	if len(parts) != 3 {
		return input{}, "", ErrNotOB2
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return input{}, "", ErrNotOB2
	}
	var a map[string]any
	if err := json.Unmarshal(payload, &a); err != nil || !isAssertion(a) {
		return input{}, "", ErrNotOB2
	}
	return input{assertion: a, jws: string(t)}, "jws", nil
}

// isAssertion recognizes an assertion by its context, or by its type and
// verification object when the context is missing (1.0-era documents).
func isAssertion(a map[string]any) bool {
	for _, c := range asList(a["@context"]) {
		if s, ok := c.(string); ok && ob2Contexts[s] {
			return true
		}
	}
	if hasType(a, "Assertion") && (a["verification"] != nil || a["verify"] != nil) {
		return true
	}
	return false
}

// verifier carries one verification.
type verifier struct {
	opt   Options
	res   *Result
	cache map[string]fetched
}

type fetched struct {
	status int
	body   []byte
	err    error
}

func (v *verifier) add(name string, s Status, meaning, detail string, a ...any) {
	v.res.Checks = append(v.res.Checks, Check{Name: name, Status: s, Meaning: meaning, Detail: fmt.Sprintf(detail, a...)})
}

// Verify checks an Open Badges 2.0 assertion given as JSON, as a compact
// JWS, or as the URL of a hosted assertion. It returns ErrNotOB2 when data
// is none of these; every other problem is a check of the Result.
func Verify(ctx context.Context, data []byte, opt Options) (*Result, error) {
	in, form, err := parse(data)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Fetch == nil {
		opt.Fetch = defaultClient
	}
	v := &verifier{opt: opt, res: &Result{}, cache: map[string]fetched{}}
	switch {
	case form == "url":
		v.res.Method = "hosted"
		v.hosted(ctx, nil, in.url)
	case form == "jws":
		v.res.Method = "signed"
		v.signed(ctx, in.assertion, in.jws)
	default:
		switch method(in.assertion) {
		case "hosted":
			v.res.Method = "hosted"
			id, _ := idOf(in.assertion["id"])
			if id == "" {
				if vu, ok := verifyObject(in.assertion)["url"].(string); ok {
					id = vu
				}
			}
			v.hosted(ctx, in.assertion, id)
		case "signed":
			v.res.Method = "signed"
			v.res.Assertion = in.assertion
			v.add("signature", Skipped, "This badge is meant to be checked by its digital signature, but only its contents were given, without the signature.",
				"verification.type is SignedBadge; give the compact JWS (header.payload.signature), as baked into the badge image, to check it")
		default:
			v.res.Assertion = in.assertion
			v.add("verification method", Skipped, "This badge does not say how it can be checked.",
				"verification.type %q is neither hosted nor signed", typeString(verifyObject(in.assertion)["type"]))
		}
	}
	if v.res.Assertion != nil && !v.failed() {
		v.recipient(v.res.Assertion)
	}
	v.res.Verdict = verdictOf(v.res.Checks)
	return v.res, nil
}

var defaultClient = fetch.New(fetch.Config{AllowHTTP: true})

// verdictOf: any failed check means not verified; otherwise any check left
// undone means could not be checked.
func verdictOf(checks []Check) Verdict {
	verdict := Verified
	for _, c := range checks {
		switch c.Status {
		case Failed:
			return NotVerified
		case Skipped:
			verdict = NotChecked
		}
	}
	if len(checks) == 0 {
		return NotChecked
	}
	return verdict
}

// get fetches a document, from Documents first; results are cached for
// the verification so that a key or profile named twice is fetched once.
func (v *verifier) get(ctx context.Context, u string) fetched {
	if f, ok := v.cache[u]; ok {
		return f
	}
	var f fetched
	if doc, ok := v.opt.Documents[u]; ok {
		f = fetched{status: http.StatusOK, body: doc}
	} else if v.opt.Offline {
		f = fetched{err: fmt.Errorf("%s was not given and verification is offline", u)}
	} else {
		resp, err := v.opt.Fetch.Do(ctx, fetch.Request{URL: u, Accept: "application/ld+json, application/json"})
		if err != nil {
			f = fetched{err: err}
		} else {
			f = fetched{status: resp.StatusCode, body: resp.Body}
		}
	}
	v.cache[u] = f
	return f
}

// getJSON fetches a JSON object; a non-200 status is an error naming it.
func (v *verifier) getJSON(ctx context.Context, u string) (map[string]any, int, error) {
	f := v.get(ctx, u)
	if f.err != nil {
		return nil, 0, f.err
	}
	if f.status != http.StatusOK {
		var doc map[string]any
		_ = json.Unmarshal(f.body, &doc)
		return doc, f.status, fmt.Errorf("%s answered HTTP %d", u, f.status)
	}
	var doc map[string]any
	if err := json.Unmarshal(f.body, &doc); err != nil {
		return nil, f.status, fmt.Errorf("%s is not a JSON document", u)
	}
	return doc, f.status, nil
}

func (v *verifier) failed() bool {
	for _, c := range v.res.Checks {
		if c.Status == Failed {
			return true
		}
	}
	return false
}

// recipient says whom the badge was awarded to and, with
// Options.Recipient, whether that is the expected person.
func (v *verifier) recipient(a map[string]any) {
	const name = "recipient"
	r, ok := RecipientOf(a)
	if !ok {
		v.add(name, Failed, "The badge does not say whom it was awarded to.", "recipient.identity: required, missing")
		return
	}
	kind := r.Type
	if kind == "" {
		kind = "email"
	}
	if v.opt.Recipient == "" {
		if r.Hashed {
			v.add(name, Passed, "The badge was awarded to someone identified by their "+kind+", stored hashed: it can be confirmed by checking the "+kind+" you expect.",
				"recipient type %s, hashed identity %s", kind, r.Identity)
		} else {
			v.add(name, Passed, "The badge was awarded to "+r.Identity+".", "recipient type %s, identity %s", kind, r.Identity)
		}
		return
	}
	if r.Matches(v.opt.Recipient) {
		v.add(name, Passed, "The badge was awarded to "+v.opt.Recipient+".", "the recipient %s matches the %s identity %s", v.opt.Recipient, kind, r.Identity)
		return
	}
	v.add(name, Failed, "The badge was not awarded to "+v.opt.Recipient+".", "the recipient %s does not match the %s identity %s", v.opt.Recipient, kind, r.Identity)
}
