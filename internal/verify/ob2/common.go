package ob2

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
)

// badgeClass reads the assertion's badge class: fetched from its id when
// that is a URL (a hosted badge's embedded copy is not the issuer's word),
// or the embedded object when trustEmbedded (a signed assertion's embedded
// badge class is what the issuer signed) or when it has no URL.
func (v *verifier) badgeClass(ctx context.Context, assertion map[string]any, trustEmbedded bool) map[string]any {
	const name = "badge description"
	ref := assertion["badge"]
	id, _ := idOf(ref)
	embedded, _ := ref.(map[string]any)
	if embedded != nil && (trustEmbedded || !isHTTPURL(id)) {
		v.res.BadgeClass = embedded
		v.add(name, Passed, "The badge's description is part of the signed badge.", "embedded BadgeClass %q", id)
		return embedded
	}
	if !isHTTPURL(id) {
		v.add(name, Skipped, "The badge does not say where its description is published.", "assertion badge %q is not an http(s) URL", id)
		return nil
	}
	doc, _, err := v.getJSON(ctx, id)
	if err != nil {
		v.add(name, Skipped, "The badge's description could not be fetched from the issuer's website.", "fetching the BadgeClass: %v", err)
		return nil
	}
	if got, _ := idOf(doc["id"]); got != id {
		v.add(name, Failed, "The issuer's website publishes a different badge description at this address.", "the document at %s has id %q", id, got)
		return nil
	}
	v.res.BadgeClass = doc
	v.add(name, Passed, "The badge's description was found on the issuer's website.", "fetched the BadgeClass from %s", id)
	return doc
}

// issuer reads the issuer profile the badge class names. Keys and
// verification rules are only trusted from the profile the issuer
// publishes at its id, so an embedded profile is used only when its id is
// not a URL and trustEmbedded is set.
func (v *verifier) issuer(ctx context.Context, bc map[string]any, trustEmbedded bool) map[string]any {
	const name = "issuer"
	if bc == nil {
		return nil
	}
	ref := bc["issuer"]
	id, _ := idOf(ref)
	embedded, _ := ref.(map[string]any)
	if !isHTTPURL(id) {
		if embedded != nil && trustEmbedded {
			v.res.Issuer = embedded
			v.add(name, Passed, "The issuer's profile is part of the signed badge.", "embedded issuer Profile %q", id)
			return embedded
		}
		v.add(name, Skipped, "The badge does not say where its issuer's profile is published.", "BadgeClass issuer %q is not an http(s) URL", id)
		return nil
	}
	doc, _, err := v.getJSON(ctx, id)
	if err != nil {
		v.add(name, Skipped, "The issuer's profile could not be fetched from its website.", "fetching the issuer Profile: %v", err)
		return nil
	}
	if got, _ := idOf(doc["id"]); got != id {
		v.add(name, Failed, "The issuer's website publishes a different profile at this address.", "the document at %s has id %q", id, got)
		return nil
	}
	v.res.Issuer = doc
	issuerName, _ := doc["name"].(string)
	v.add(name, Passed, "The badge was issued by "+nameOr(issuerName, id)+", whose profile is published at "+id+".", "fetched the issuer Profile from %s", id)
	return doc
}

// validity checks issuedOn and expires against Options.Now.
func (v *verifier) validity(a map[string]any) {
	const name = "validity period"
	now := v.opt.Now
	issued, ok, err := parseDate(a["issuedOn"])
	switch {
	case !ok:
		v.add(name, Failed, "The badge does not say when it was issued.", "issuedOn: required, missing")
		return
	case err != nil:
		v.add(name, Failed, "The badge's issue date cannot be read.", "issuedOn %v: %v", a["issuedOn"], err)
		return
	case issued.After(now.Add(5 * time.Minute)):
		v.add(name, Failed, "The badge is dated in the future: it is not valid yet.", "issuedOn %s is after now (%s)", issued.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		return
	}
	expires, ok, err := parseDate(a["expires"])
	switch {
	case !ok:
		v.add(name, Passed, "The badge was issued on "+issued.Format("2 January 2006")+" and does not expire.", "issuedOn %s, no expires", issued.Format(time.RFC3339))
	case err != nil:
		v.add(name, Failed, "The badge's expiry date cannot be read.", "expires %v: %v", a["expires"], err)
	case !expires.After(now):
		v.add(name, Failed, "The badge expired on "+expires.Format("2 January 2006")+".", "expires %s is before now (%s)", expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	default:
		v.add(name, Passed, "The badge was issued on "+issued.Format("2 January 2006")+" and is valid until "+expires.Format("2 January 2006")+".",
			"issuedOn %s, expires %s", issued.Format(time.RFC3339), expires.Format(time.RFC3339))
	}
}

// parseDate reads an Open Badges date: ISO 8601 date-time (with or without
// a zone, UTC assumed), a date, or (Open Badges 1.0) Unix seconds.
func parseDate(x any) (t time.Time, present bool, err error) {
	switch d := x.(type) {
	case nil:
		return time.Time{}, false, nil
	case float64:
		if d != math.Trunc(d) || d < 0 || d > 1e11 {
			return time.Time{}, true, errNotDate
		}
		return time.Unix(int64(d), 0).UTC(), true, nil
	case string:
		s := strings.TrimSpace(d)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0).UTC(), true, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true, nil
			}
		}
		return time.Time{}, true, errNotDate
	default:
		return time.Time{}, true, errNotDate
	}
}

type dateError string

func (e dateError) Error() string { return string(e) }

const errNotDate = dateError("not an ISO 8601 date-time")

// idOf returns a reference's id: the string itself, or an object's id.
func idOf(x any) (string, bool) {
	switch r := x.(type) {
	case string:
		return r, true
	case map[string]any:
		if id, ok := r["id"].(string); ok {
			return id, true
		}
		if id, ok := r["@id"].(string); ok {
			return id, true
		}
	}
	return "", false
}

func isHTTPURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func asList(x any) []any {
	switch l := x.(type) {
	case nil:
		return nil
	case []any:
		return l
	default:
		return []any{l}
	}
}

func stringList(x any) []string {
	var out []string
	for _, e := range asList(x) {
		if s, ok := e.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hasType(doc map[string]any, t string) bool {
	for _, x := range asList(doc["type"]) {
		if s, ok := x.(string); ok && (s == t || strings.HasSuffix(s, ":"+t) || strings.HasSuffix(s, "/"+t) || strings.HasSuffix(s, "#"+t)) {
			return true
		}
	}
	return false
}

// verifyObject returns the assertion's verification object ("verify" in
// Open Badges 1.x).
func verifyObject(a map[string]any) map[string]any {
	if o, ok := a["verification"].(map[string]any); ok {
		return o
	}
	o, _ := a["verify"].(map[string]any)
	return o
}

// method normalizes verification.type to "hosted" or "signed" ("" when
// neither).
func method(a map[string]any) string {
	switch strings.ToLower(typeString(verifyObject(a)["type"])) {
	case "hosted", "hostedbadge":
		return "hosted"
	case "signed", "signedbadge":
		return "signed"
	}
	return ""
}

func typeString(x any) string {
	for _, t := range asList(x) {
		if s, ok := t.(string); ok {
			if i := strings.LastIndexAny(s, ":/#"); i >= 0 {
				return s[i+1:]
			}
			return s
		}
	}
	return ""
}

func nameOr(name, id string) string {
	if strings.TrimSpace(name) != "" {
		return strings.TrimSpace(name)
	}
	return id
}
