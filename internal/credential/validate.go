package credential

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldError is one violation of the data model, located by its JSON path
// ("credentialSubject.result[0].value"; "" for the document itself).
type FieldError struct {
	Path    string
	Message string
}

// Error returns "path: message", or the message alone for the document root.
func (e FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// ValidationErrors lists every violation found in a document, in a stable
// order: the order in which the rules walk the document, which follows the
// data model rather than the document's key order.
type ValidationErrors []FieldError

// Error joins all violations with "; ".
func (e ValidationErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Error()
	}
	return strings.Join(parts, "; ")
}

// Validate checks the credential against the Open Badges 3.0 data model. It
// validates the JSON the credential encodes to, so it sees exactly what would
// be signed, extension properties included. The error is ValidationErrors
// when the credential is invalid.
func (c *OpenBadgeCredential) Validate() error {
	doc, err := encodeTree(c)
	if err != nil {
		return err
	}
	return validateTree(doc, (*checker).credential)
}

// Validate checks the endorsement against the Open Badges 3.0 data model;
// see OpenBadgeCredential.Validate.
func (e *EndorsementCredential) Validate() error {
	doc, err := encodeTree(e)
	if err != nil {
		return err
	}
	return validateTree(doc, (*checker).endorsement)
}

// ValidateJSON checks a raw OpenBadgeCredential document. Unlike Parse
// followed by Validate, it reports wrong JSON types property by property. It
// returns ValidationErrors for data model violations and a plain error for
// input that is not JSON at all.
func ValidateJSON(data []byte) error {
	doc, err := decodeTree(data)
	if err != nil {
		return err
	}
	return validateTree(doc, (*checker).credential)
}

// ValidateEndorsementJSON checks a raw EndorsementCredential document; see
// ValidateJSON.
func ValidateEndorsementJSON(data []byte) error {
	doc, err := decodeTree(data)
	if err != nil {
		return err
	}
	return validateTree(doc, (*checker).endorsement)
}

func encodeTree(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("credential: validate: %w", err)
	}
	return decodeTree(b)
}

// decodeTree decodes with UseNumber so that numbers too large for float64
// are reported as data model problems, not as undecodable JSON.
func decodeTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("credential: invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("credential: invalid JSON: data after the document")
	}
	return doc, nil
}

func validateTree(doc any, rule func(*checker, string, map[string]any)) error {
	var c checker
	obj, ok := doc.(map[string]any)
	if !ok {
		c.add("", "must be a JSON object")
	} else {
		rule(&c, "", obj)
	}
	if len(c.errs) > 0 {
		return c.errs
	}
	return nil
}

// checker accumulates violations while walking a generic JSON tree.
type checker struct {
	errs ValidationErrors
}

func (c *checker) add(path, msg string) {
	c.errs = append(c.errs, FieldError{Path: path, Message: msg})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func at(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// credential checks an OpenBadgeCredential (AchievementCredential).
func (c *checker) credential(path string, obj map[string]any) {
	c.verifiableCredential(path, obj, func(p string, types []string) {
		if !slices.Contains(types, TypeOpenBadgeCredential) && !slices.Contains(types, TypeAchievementCredential) {
			c.add(p, `must include "OpenBadgeCredential" or "AchievementCredential"`)
		}
	})
	c.image(obj, path, "image")
	if s, ok := c.object(obj, path, "credentialSubject", true); ok {
		c.achievementSubject(join(path, "credentialSubject"), s)
	}
	c.objects(obj, path, "endorsement", (*checker).endorsement)
	c.jwts(obj, path, "endorsementJwt")
}

// endorsement checks an EndorsementCredential.
func (c *checker) endorsement(path string, obj map[string]any) {
	c.verifiableCredential(path, obj, func(p string, types []string) {
		if !slices.Contains(types, TypeEndorsementCredential) {
			c.add(p, `must include "EndorsementCredential"`)
		}
	})
	if s, ok := c.object(obj, path, "credentialSubject", true); ok {
		sp := join(path, "credentialSubject")
		c.uri(s, sp, "id", true)
		c.types(s, sp, true, TypeEndorsementSubject)
		c.str(s, sp, "endorsementComment", false)
	}
}

// verifiableCredential checks what every Open Badges credential shares with a
// VC 2.0 credential; checkType adds the credential-specific type rule.
func (c *checker) verifiableCredential(path string, obj map[string]any, checkType func(string, []string)) {
	c.context(obj, path)
	c.uri(obj, path, "id", true)
	if types, ok := c.types(obj, path, true, TypeVerifiableCredential); ok {
		checkType(join(path, "type"), types)
	}
	c.nonEmpty(obj, path, "name")
	c.str(obj, path, "description", false)
	ip := join(path, "issuer")
	switch v := obj["issuer"].(type) {
	case map[string]any:
		c.profile(ip, v)
	case string:
		// VC 2.0 allows a bare issuer IRI; Open Badges 3.0 requires a Profile
		// so that displayers learn at least the issuer's type and name.
		c.add(ip, "must be a Profile object, not a bare IRI")
	default:
		if _, present := obj["issuer"]; present {
			c.add(ip, "must be an object")
		} else {
			c.add(ip, "required")
		}
	}
	from, okFrom := c.dateTime(obj, path, "validFrom", true)
	until, okUntil := c.dateTime(obj, path, "validUntil", false)
	if okFrom && okUntil && !until.After(from) {
		c.add(join(path, "validUntil"), "must be after validFrom")
	}
	c.dateTime(obj, path, "awardedDate", false)
	c.objects(obj, path, "evidence", (*checker).evidence)
	c.oneOrManyObjects(obj, path, "credentialStatus", func(c *checker, p string, o map[string]any) {
		c.uri(o, p, "id", false)
		c.str(o, p, "type", true)
	})
	c.oneOrManyObjects(obj, path, "credentialSchema", func(c *checker, p string, o map[string]any) {
		c.uri(o, p, "id", true)
		c.str(o, p, "type", true)
	})
	c.oneOrManyObjects(obj, path, "refreshService", func(c *checker, p string, o map[string]any) {
		c.uri(o, p, "id", false)
		c.str(o, p, "type", true)
	})
	c.oneOrManyObjects(obj, path, "termsOfUse", func(c *checker, p string, o map[string]any) {
		c.uri(o, p, "id", false)
		c.str(o, p, "type", true)
	})
	c.oneOrManyObjects(obj, path, "proof", func(c *checker, p string, o map[string]any) {
		c.str(o, p, "type", true)
		c.dateTime(o, p, "created", false)
		c.uri(o, p, "verificationMethod", false)
	})
}

// context checks @context: VC 2.0 first, and an Open Badges 3.0 context.
func (c *checker) context(obj map[string]any, path string) {
	p := join(path, "@context")
	v, ok := obj["@context"]
	if !ok {
		c.add(p, "required")
		return
	}
	var entries []any
	switch t := v.(type) {
	case string:
		entries = []any{t}
	case []any:
		entries = t
	default:
		c.add(p, "must be an array")
		return
	}
	if len(entries) == 0 {
		c.add(p, "must not be empty")
		return
	}
	hasOB := false
	for i, e := range entries {
		switch s := e.(type) {
		case string:
			if i == 0 && s != ContextV2 {
				c.add(at(p, 0), fmt.Sprintf("must be %q", ContextV2))
			}
			hasOB = hasOB || slices.Contains(obContexts, s)
		case map[string]any:
			if i == 0 {
				c.add(at(p, 0), fmt.Sprintf("must be %q", ContextV2))
			}
		default:
			c.add(at(p, i), "must be a string or an object")
		}
	}
	if !hasOB {
		c.add(p, "must include an Open Badges 3.0 context (3.0.0 to 3.0.3)")
	}
}

func (c *checker) achievementSubject(path string, obj map[string]any) {
	c.uri(obj, path, "id", false)
	c.types(obj, path, true, TypeAchievementSubject)
	ids, _ := c.array(obj, path, "identifier")
	for i, e := range ids {
		if o, ok := c.element(e, at(join(path, "identifier"), i)); ok {
			c.identityObject(at(join(path, "identifier"), i), o)
		}
	}
	if _, present := obj["id"]; !present && len(ids) == 0 {
		c.add(path, "id or identifier required")
	}
	var achievement map[string]any
	if a, ok := c.object(obj, path, "achievement", true); ok {
		achievement = a
		c.achievement(join(path, "achievement"), a)
	}
	start, okStart := c.date(obj, path, "activityStartDate")
	end, okEnd := c.date(obj, path, "activityEndDate")
	if okStart && okEnd && end.Before(start) {
		c.add(join(path, "activityEndDate"), "must not be before activityStartDate")
	}
	c.nonNegative(obj, path, "creditsEarned")
	for _, k := range []string{"role", "term", "licenseNumber", "narrative"} {
		c.str(obj, path, k, false)
	}
	c.image(obj, path, "image")
	c.profileRef(obj, path, "source")
	results, _ := c.array(obj, path, "result")
	for i, e := range results {
		p := at(join(path, "result"), i)
		if o, ok := c.element(e, p); ok {
			c.result(p, o, achievement)
		}
	}
}

func (c *checker) identityObject(path string, obj map[string]any) {
	if t, ok := c.str(obj, path, "type", true); ok && t != TypeIdentityObject {
		c.add(join(path, "type"), fmt.Sprintf("must be %q", TypeIdentityObject))
	}
	hashed, okHashed := c.boolean(obj, path, "hashed", true)
	if h, ok := c.str(obj, path, "identityHash", true); ok && okHashed && hashed && !identityHashPattern.MatchString(h) {
		c.add(join(path, "identityHash"), `must be "sha256$" or "md5$" followed by the hex digest`)
	}
	c.enumExt(obj, path, "identityType", true, identifierTypes)
	c.str(obj, path, "salt", false)
}

var identityHashPattern = regexp.MustCompile(`^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$`)

func (c *checker) achievement(path string, obj map[string]any) {
	c.uri(obj, path, "id", true)
	c.types(obj, path, true, TypeAchievement)
	c.enumExt(obj, path, "achievementType", false, achievementTypes)
	c.nonEmpty(obj, path, "name")
	c.nonEmpty(obj, path, "description")
	if cr, ok := c.object(obj, path, "criteria", true); ok {
		p := join(path, "criteria")
		c.uri(cr, p, "id", false)
		narrative, narrativeOK := c.str(cr, p, "narrative", false)
		_, idPresent := cr["id"]
		_, narrativePresent := cr["narrative"]
		// A narrative of the wrong type has been reported already.
		if !idPresent && (!narrativePresent || narrativeOK && strings.TrimSpace(narrative) == "") {
			c.add(p, "id or narrative required")
		}
	}
	c.image(obj, path, "image")
	c.profileRef(obj, path, "creator")
	c.nonNegative(obj, path, "creditsAvailable")
	c.objects(obj, path, "alignment", (*checker).alignment)
	c.objects(obj, path, "endorsement", (*checker).endorsement)
	c.jwts(obj, path, "endorsementJwt")
	for _, k := range []string{"fieldOfStudy", "humanCode", "specialization", "version"} {
		c.str(obj, path, k, false)
	}
	c.language(obj, path, "inLanguage")
	c.objects(obj, path, "otherIdentifier", (*checker).identifierEntry)
	c.objects(obj, path, "related", func(c *checker, p string, o map[string]any) {
		c.uri(o, p, "id", true)
		c.types(o, p, true, TypeRelated)
		c.language(o, p, "inLanguage")
		c.str(o, p, "version", false)
	})
	c.objects(obj, path, "resultDescription", (*checker).resultDescription)
	c.strings(obj, path, "tag")
}

func (c *checker) resultDescription(path string, obj map[string]any) {
	c.uri(obj, path, "id", true)
	c.types(obj, path, true, TypeResultDescription)
	c.nonEmpty(obj, path, "name")
	c.enumExt(obj, path, "resultType", true, resultTypes)
	c.objects(obj, path, "alignment", (*checker).alignment)
	c.strings(obj, path, "allowedValue")
	c.uri(obj, path, "requiredLevel", false)
	for _, k := range []string{"requiredValue", "valueMax", "valueMin"} {
		c.str(obj, path, k, false)
	}
	c.objects(obj, path, "rubricCriterionLevel", func(c *checker, p string, o map[string]any) {
		c.uri(o, p, "id", true)
		c.types(o, p, true, TypeRubricCriterionLevel)
		c.nonEmpty(o, p, "name")
		for _, k := range []string{"description", "level", "points"} {
			c.str(o, p, k, false)
		}
		c.objects(o, p, "alignment", (*checker).alignment)
	})
}

// result checks a Result and its link to a ResultDescription of the
// achievement being asserted, which the specification requires to exist.
func (c *checker) result(path string, obj map[string]any, achievement map[string]any) {
	c.types(obj, path, true, TypeResult)
	c.uri(obj, path, "achievedLevel", false)
	c.objects(obj, path, "alignment", (*checker).alignment)
	c.str(obj, path, "value", false)
	status, hasStatus := c.str(obj, path, "status", false)
	if hasStatus && !slices.Contains(resultStatusTypes, status) {
		c.add(join(path, "status"), "must be one of "+strings.Join(resultStatusTypes, ", "))
	}
	ref, ok := c.uri(obj, path, "resultDescription", false)
	if !ok || achievement == nil {
		return
	}
	descs, _ := achievement["resultDescription"].([]any)
	for _, d := range descs {
		if o, isObj := d.(map[string]any); isObj && o["id"] == ref {
			if o["resultType"] == "Status" {
				if _, present := obj["status"]; !present {
					c.add(join(path, "status"), "required when the result description's resultType is Status")
				}
			}
			return
		}
	}
	c.add(join(path, "resultDescription"), "must be the id of a resultDescription of the achievement")
}

func (c *checker) alignment(path string, obj map[string]any) {
	c.types(obj, path, true, TypeAlignment)
	c.nonEmpty(obj, path, "targetName")
	c.uri(obj, path, "targetUrl", true)
	for _, k := range []string{"targetCode", "targetDescription", "targetFramework"} {
		c.str(obj, path, k, false)
	}
	c.enumExt(obj, path, "targetType", false, alignmentTargetTypes)
}

func (c *checker) identifierEntry(path string, obj map[string]any) {
	if t, ok := c.str(obj, path, "type", true); ok && t != TypeIdentifierEntry {
		c.add(join(path, "type"), fmt.Sprintf("must be %q", TypeIdentifierEntry))
	}
	c.nonEmpty(obj, path, "identifier")
	c.enumExt(obj, path, "identifierType", true, identifierTypes)
}

func (c *checker) evidence(path string, obj map[string]any) {
	c.uri(obj, path, "id", false)
	c.types(obj, path, true, TypeEvidence)
	for _, k := range []string{"narrative", "name", "description", "genre", "audience"} {
		c.str(obj, path, k, false)
	}
}

func (c *checker) profile(path string, obj map[string]any) {
	c.uri(obj, path, "id", true)
	c.types(obj, path, true, TypeProfile)
	for _, k := range []string{"name", "phone", "description", "official", "familyName", "givenName",
		"additionalName", "patronymicName", "honorificPrefix", "honorificSuffix", "familyNamePrefix"} {
		c.str(obj, path, k, false)
	}
	c.uri(obj, path, "url", false)
	if e, ok := c.str(obj, path, "email", false); ok && !looksLikeEmail(e) {
		c.add(join(path, "email"), "must be an email address")
	}
	c.image(obj, path, "image")
	if a, ok := c.object(obj, path, "address", false); ok {
		c.address(join(path, "address"), a)
	}
	c.objects(obj, path, "otherIdentifier", (*checker).identifierEntry)
	c.profileRef(obj, path, "parentOrg")
	if d, ok := c.str(obj, path, "dateOfBirth", false); ok && !isDate(d) {
		c.add(join(path, "dateOfBirth"), "must be a date (YYYY-MM-DD)")
	}
	c.objects(obj, path, "endorsement", (*checker).endorsement)
	c.jwts(obj, path, "endorsementJwt")
}

func (c *checker) address(path string, obj map[string]any) {
	c.types(obj, path, true, TypeAddress)
	for _, k := range []string{"addressCountry", "addressRegion", "addressLocality", "streetAddress",
		"postOfficeBoxNumber", "postalCode"} {
		c.str(obj, path, k, false)
	}
	if cc, ok := c.str(obj, path, "addressCountryCode", false); ok && !countryCode.MatchString(cc) {
		c.add(join(path, "addressCountryCode"), "must be an ISO 3166-1 alpha-2 country code")
	}
	if g, ok := c.object(obj, path, "geo", false); ok {
		p := join(path, "geo")
		c.types(g, p, false, TypeGeoCoordinates)
		c.number(g, p, "latitude", true)
		c.number(g, p, "longitude", true)
	}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// profileRef checks an optional Profile other than the issuer. The JSON-LD
// context types these properties as @id, so a bare IRI is a valid reference.
func (c *checker) profileRef(obj map[string]any, path, key string) {
	c.iriOrObject(obj, path, key, c.profile)
}

// image checks an Image, which may be a bare IRI or an object.
func (c *checker) image(obj map[string]any, path, key string) {
	c.iriOrObject(obj, path, key, func(p string, t map[string]any) {
		c.uri(t, p, "id", true)
		if s, ok := c.str(t, p, "type", true); ok && s != TypeImage {
			c.add(join(p, "type"), fmt.Sprintf("must be %q", TypeImage))
		}
		c.str(t, p, "caption", false)
	})
}

// iriOrObject checks an optional property that may be a bare absolute IRI
// or an object, which object then checks.
func (c *checker) iriOrObject(obj map[string]any, path, key string, object func(p string, t map[string]any)) {
	v, ok := obj[key]
	if !ok {
		return
	}
	p := join(path, key)
	switch t := v.(type) {
	case string:
		c.checkURI(p, t)
	case map[string]any:
		object(p, t)
	default:
		c.add(p, "must be a string or an object")
	}
}

// Property accessors. Each reports a missing required property as
// "required" and a present property of the wrong JSON type as "must be ...",
// and returns ok only for a present value of the right type.

func (c *checker) str(obj map[string]any, path, key string, required bool) (string, bool) {
	v, present := obj[key]
	if !present {
		if required {
			c.add(join(path, key), "required")
		}
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.add(join(path, key), "must be a string")
	}
	return s, ok
}

// nonEmpty checks a required string that must carry text (names,
// descriptions): an empty string does not meet "required" in any useful way.
func (c *checker) nonEmpty(obj map[string]any, path, key string) {
	if s, ok := c.str(obj, path, key, true); ok && strings.TrimSpace(s) == "" {
		c.add(join(path, key), "must not be empty")
	}
}

func (c *checker) uri(obj map[string]any, path, key string, required bool) (string, bool) {
	s, ok := c.str(obj, path, key, required)
	if ok && !c.checkURI(join(path, key), s) {
		return s, false
	}
	return s, ok
}

func (c *checker) dateTime(obj map[string]any, path, key string, required bool) (time.Time, bool) {
	s, ok := c.str(obj, path, key, required)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseDateTime(s)
	if err != nil {
		c.add(join(path, key), "must be a date-time with a time zone (RFC 3339)")
		return time.Time{}, false
	}
	return t, true
}

// activityDate matches the activity dates, which the data model declares as
// date-times and the JSON-LD context as xsd:date; both forms are in use.
var activityDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$`)

func (c *checker) date(obj map[string]any, path, key string) (time.Time, bool) {
	s, ok := c.str(obj, path, key, false)
	if !ok {
		return time.Time{}, false
	}
	if activityDate.MatchString(s) {
		layouts := []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05.999999999"}
		for _, l := range layouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
	}
	c.add(join(path, key), "must be a date or date-time (ISO 8601)")
	return time.Time{}, false
}

func isDate(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func (c *checker) boolean(obj map[string]any, path, key string, required bool) (bool, bool) {
	v, present := obj[key]
	if !present {
		if required {
			c.add(join(path, key), "required")
		}
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		c.add(join(path, key), "must be a boolean")
	}
	return b, ok
}

func (c *checker) number(obj map[string]any, path, key string, required bool) (float64, bool) {
	v, present := obj[key]
	if !present {
		if required {
			c.add(join(path, key), "required")
		}
		return 0, false
	}
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			c.add(join(path, key), "must be a number in the range of a double")
			return 0, false
		}
		return f, true
	}
	c.add(join(path, key), "must be a number")
	return 0, false
}

func (c *checker) nonNegative(obj map[string]any, path, key string) {
	if n, ok := c.number(obj, path, key, false); ok && n < 0 {
		c.add(join(path, key), "must not be negative")
	}
}

func (c *checker) object(obj map[string]any, path, key string, required bool) (map[string]any, bool) {
	v, present := obj[key]
	if !present {
		if required {
			c.add(join(path, key), "required")
		}
		return nil, false
	}
	o, ok := v.(map[string]any)
	if !ok {
		c.add(join(path, key), "must be an object")
	}
	return o, ok
}

// element checks that an array element is an object.
func (c *checker) element(v any, path string) (map[string]any, bool) {
	o, ok := v.(map[string]any)
	if !ok {
		c.add(path, "must be an object")
	}
	return o, ok
}

func (c *checker) array(obj map[string]any, path, key string) ([]any, bool) {
	v, present := obj[key]
	if !present {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		c.add(join(path, key), "must be an array")
	}
	return a, ok
}

// objects checks an optional array of objects with rule.
func (c *checker) objects(obj map[string]any, path, key string, rule func(*checker, string, map[string]any)) {
	items, _ := c.array(obj, path, key)
	for i, e := range items {
		p := at(join(path, key), i)
		if o, ok := c.element(e, p); ok {
			rule(c, p, o)
		}
	}
}

// oneOrManyObjects checks an optional property that VC 2.0 allows as one
// object or an array of objects.
func (c *checker) oneOrManyObjects(obj map[string]any, path, key string, rule func(*checker, string, map[string]any)) {
	v, present := obj[key]
	if !present {
		return
	}
	p := join(path, key)
	switch t := v.(type) {
	case map[string]any:
		rule(c, p, t)
	case []any:
		for i, e := range t {
			if o, ok := c.element(e, at(p, i)); ok {
				rule(c, at(p, i), o)
			}
		}
	default:
		c.add(p, "must be an object or an array of objects")
	}
}

func (c *checker) strings(obj map[string]any, path, key string) {
	items, _ := c.array(obj, path, key)
	for i, e := range items {
		if _, ok := e.(string); !ok {
			c.add(at(join(path, key), i), "must be a string")
		}
	}
}

// types checks a "type" property (a string or an array of strings) and that
// it includes want. It returns the type names when the shape is right.
func (c *checker) types(obj map[string]any, path string, required bool, want string) ([]string, bool) {
	p := join(path, "type")
	v, present := obj["type"]
	if !present {
		if required {
			c.add(p, "required")
		}
		return nil, false
	}
	var names []string
	switch t := v.(type) {
	case string:
		names = []string{t}
	case []any:
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				c.add(at(p, i), "must be a string")
				continue
			}
			names = append(names, s)
		}
		if len(t) == 0 {
			c.add(p, "must not be empty")
			return nil, false
		}
	default:
		c.add(p, "must be a string or an array of strings")
		return nil, false
	}
	if !slices.Contains(names, want) {
		c.add(p, fmt.Sprintf("must include %q", want))
	}
	return names, true
}

// extValue matches the extension form of the extensible enumerations.
var extValue = regexp.MustCompile(`^ext:[A-Za-z0-9._-]+$`)

// enumExt checks a value of an extensible enumeration: one of values or an
// "ext:" extension term.
func (c *checker) enumExt(obj map[string]any, path, key string, required bool, values []string) {
	s, ok := c.str(obj, path, key, required)
	if ok && !slices.Contains(values, s) && !extValue.MatchString(s) {
		c.add(join(path, key), `must be a value of the enumeration or an "ext:" extension`)
	}
}

var compactJWS = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$`)

func (c *checker) jwts(obj map[string]any, path, key string) {
	items, _ := c.array(obj, path, key)
	for i, e := range items {
		p := at(join(path, key), i)
		s, ok := e.(string)
		if !ok {
			c.add(p, "must be a string")
		} else if !compactJWS.MatchString(s) {
			c.add(p, "must be a compact JWS")
		}
	}
}

var languageTag = regexp.MustCompile(`^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$`)

func (c *checker) language(obj map[string]any, path, key string) {
	if s, ok := c.str(obj, path, key, false); ok && !languageTag.MatchString(s) {
		c.add(join(path, key), "must be a BCP 47 language tag such as en or en-US")
	}
}

func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\r\n<>") && !strings.Contains(domain, "@")
}

var (
	uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	didSyntax = regexp.MustCompile(`^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]([/?#].*)?$`)
	uuidURN   = regexp.MustCompile(`^(?i)urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	urnSyntax = regexp.MustCompile(`^(?i)urn:[a-z0-9][a-z0-9-]{0,31}:\S+$`)
)

// IsAbsoluteURI reports whether s is an absolute IRI as identifiers in a
// credential must be: a scheme and a non-empty remainder, no white space or
// control characters, and for the common schemes their own syntax (a host for
// http and https, method and identifier for did, a namespace-specific string
// for urn). A urn:uuid whose UUID is not in the 8-4-4-4-12 form (such as
// urn:uuid:677fe8a6cacf98774d482d06, which issuers do publish) is still an
// absolute URI: RFC 3986 and RFC 8141 ask only for a non-empty
// namespace-specific string; WellFormedUUIDURN tells the two apart.
func IsAbsoluteURI(s string) bool {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\uFFFD' }) {
		return false
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" || !uriScheme.MatchString(scheme) {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		u, err := url.Parse(s)
		return err == nil && u.Host != "" && u.Hostname() != ""
	case "did":
		return didSyntax.MatchString(s)
	case "urn":
		return urnSyntax.MatchString(s)
	case "data":
		return strings.Contains(rest, ",")
	}
	_, err := url.Parse(s)
	return err == nil
}

// MsgUUIDForm is the finding for a urn:uuid whose UUID is not in the
// 8-4-4-4-12 form of RFC 9562: the value is still an absolute URI (any
// urn:uuid:... is one by RFC 3986 and RFC 8141), so readers of other
// issuers' credentials treat the finding as a remark, never as "not a URI".
const MsgUUIDForm = "is a URI, but its UUID is not in the standard 8-4-4-4-12 form"

// checkURI reports s at path when it is not an absolute URI, or when it is
// a urn:uuid whose UUID is not in the standard form; it returns whether s
// is an absolute URI.
func (c *checker) checkURI(path, s string) bool {
	if !IsAbsoluteURI(s) {
		c.add(path, "must be an absolute URI")
		return false
	}
	if !WellFormedUUIDURN(s) {
		c.add(path, MsgUUIDForm)
	}
	return true
}

// WellFormedUUIDURN reports whether s, when it is a urn:uuid, holds a UUID
// in the 8-4-4-4-12 hexadecimal form; any other s is reported as well
// formed.
func WellFormedUUIDURN(s string) bool {
	if len(s) < len("urn:uuid:") || !strings.EqualFold(s[:len("urn:uuid:")], "urn:uuid:") {
		return true
	}
	return uuidURN.MatchString(s)
}

// ValidateMap checks a decoded OpenBadgeCredential, the form the proof and
// verify packages hold; see ValidateJSON.
func ValidateMap(doc map[string]any) error {
	// A document decoded from JSON (the verifier's case) is checked as it
	// is; the checks read float64 and json.Number alike, and never modify
	// the tree. Anything else (typed Go values) goes through JSON first.
	if isJSONTree(doc, 0) {
		return validateTree(doc, (*checker).credential)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("credential: validate: %w", err)
	}
	return ValidateJSON(data)
}

// isJSONTree reports whether v holds only the types encoding/json decodes
// into an interface, nested at most maxTreeDepth levels.
func isJSONTree(v any, depth int) bool {
	if depth > maxTreeDepth {
		return false
	}
	switch t := v.(type) {
	case nil, string, float64, bool, json.Number:
		return true
	case map[string]any:
		for _, e := range t {
			if !isJSONTree(e, depth+1) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range t {
			if !isJSONTree(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// maxTreeDepth bounds the walk of isJSONTree; deeper documents take the
// JSON path, whose decoder has its own limit.
const maxTreeDepth = 128
