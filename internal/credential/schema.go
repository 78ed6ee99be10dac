package credential

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The 1EdTech Open Badges 3.0 and Comprehensive Learner Record 2.0 JSON
// Schemas, shipped unmodified (see schemas/SOURCE.md for where they come
// from and their license).
//
//go:embed schemas/*.json
var schemaFiles embed.FS

// Schema names the 1EdTech JSON Schema a document is checked against.
type Schema string

// The shipped schemas.
const (
	SchemaAchievementCredential Schema = "achievementcredential"
	SchemaEndorsementCredential Schema = "endorsementcredential"
	SchemaProfile               Schema = "profile"
	// SchemaClrCredential is CLR 2.0's ClrCredential (the JSON-LD
	// adaptation 1EdTech publishes under the schema's own $id).
	SchemaClrCredential Schema = "clrcredential"
	// SchemaClrEmbedded is the ClrCredential schema's definition of an
	// embedded credential ($defs/VerifiableCredential): what each entry
	// of credentialSubject.verifiableCredential must match.
	SchemaClrEmbedded Schema = "clrcredential#/$defs/VerifiableCredential"
)

// TypeClrCredential is the type of a CLR 2.0 credential.
const TypeClrCredential = "ClrCredential"

// compiled are the schemas, compiled once on first use (about 10 ms): a
// process that never checks a schema never pays for it.
var compiled = sync.OnceValues(func() (map[Schema]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	// The schemas use "format": "date-time" and "date"; 2019-09 makes
	// format an annotation unless asked, and 1EdTech's validator asserts it.
	c.AssertFormat()
	ids, err := schemaIDs()
	if err != nil {
		return nil, err
	}
	for name, id := range ids {
		b, err := schemaFiles.ReadFile("schemas/" + string(name) + ".json")
		if err != nil {
			return nil, fmt.Errorf("credential: schema %s: %w", name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("credential: schema %s: %w", name, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("credential: schema %s: %w", name, err)
		}
	}
	all := maps.Clone(ids)
	all[SchemaClrEmbedded] = ids[SchemaClrCredential] + "#/$defs/VerifiableCredential"
	out := make(map[Schema]*jsonschema.Schema, len(all))
	for name, id := range all {
		s, err := c.Compile(id)
		if err != nil {
			return nil, fmt.Errorf("credential: compile schema %s: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
})

// schemaIDs reads the $id of each shipped schema file, once.
var schemaIDs = sync.OnceValues(func() (map[Schema]string, error) {
	ids := map[Schema]string{}
	for _, name := range []Schema{SchemaAchievementCredential, SchemaEndorsementCredential, SchemaProfile, SchemaClrCredential} {
		b, err := schemaFiles.ReadFile("schemas/" + string(name) + ".json")
		if err != nil {
			return nil, fmt.Errorf("credential: schema %s: %w", name, err)
		}
		var head struct {
			ID string `json:"$id"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return nil, fmt.Errorf("credential: schema %s: %w", name, err)
		}
		if head.ID == "" {
			return nil, fmt.Errorf("credential: schema %s has no $id", name)
		}
		ids[name] = head.ID
	}
	return ids, nil
})

// SchemaByID returns the shipped schema whose $id is id: what a
// credential's credentialSchema entry of type
// 1EdTechJsonSchemaValidator2019 names. ok is false for a schema this
// build does not ship (it is never fetched).
func SchemaByID(id string) (s Schema, ok bool) {
	all, err := schemaIDs()
	if err != nil {
		return "", false
	}
	for name, sid := range all {
		if sid == id {
			return name, true
		}
	}
	return "", false
}

// SchemaFor returns the schema for a credential document by its type:
// AchievementCredential for OpenBadgeCredential and AchievementCredential,
// EndorsementCredential for EndorsementCredential, ClrCredential for
// ClrCredential; ok is false for any other document.
func SchemaFor(doc map[string]any) (s Schema, ok bool) {
	types := typeStrings(doc["type"])
	switch {
	case slices.Contains(types, TypeClrCredential):
		return SchemaClrCredential, true
	case slices.Contains(types, TypeOpenBadgeCredential), slices.Contains(types, TypeAchievementCredential):
		return SchemaAchievementCredential, true
	case slices.Contains(types, TypeEndorsementCredential):
		return SchemaEndorsementCredential, true
	}
	return "", false
}

func typeStrings(v any) []string {
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

// ValidateSchema checks a JSON document against the named 1EdTech schema.
// doc is the document as bytes, or as decoded by encoding/json (numbers as
// float64 are fine). The error is ValidationErrors, one FieldError per
// failed schema rule, with paths as the other validators write them
// ("credentialSubject.achievement.criteria").
func ValidateSchema(name Schema, doc any) error {
	all, err := compiled()
	if err != nil {
		return err
	}
	s, ok := all[name]
	if !ok {
		return fmt.Errorf("credential: no schema %q", name)
	}
	if b, ok := doc.([]byte); ok {
		if doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(b)); err != nil {
			return fmt.Errorf("credential: schema %s: the document is not JSON: %w", name, err)
		}
	} else if doc, err = normalizeForSchema(doc); err != nil {
		return err
	}
	err = s.Validate(doc)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var out ValidationErrors
	collectSchemaErrors(ve, &out)
	if len(out) == 0 {
		out = ValidationErrors{{Message: "does not match the 1EdTech JSON Schema " + string(name)}}
	}
	return out
}

// normalizeForSchema round-trips a decoded document through JSON so that
// Go values the validator does not know (typed maps and slices, structs)
// become plain JSON values.
func normalizeForSchema(doc any) (any, error) {
	switch doc.(type) {
	case map[string]any, []any:
		return doc, nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("credential: schema check: %w", err)
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// collectSchemaErrors reports the leaves of the error tree: the rules that
// failed, not the sub-schemas ($ref, allOf, ...) that failed because of them.
func collectSchemaErrors(e *jsonschema.ValidationError, out *ValidationErrors) {
	if len(e.Causes) == 0 {
		*out = append(*out, FieldError{Path: tokensToPath(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(schemaPrinter)})
		return
	}
	for _, c := range e.Causes {
		collectSchemaErrors(c, out)
	}
}

var schemaPrinter = message.NewPrinter(language.English)

// tokensToPath writes a JSON pointer's tokens in the path style of
// FieldError ("credentialSubject.result[0]").
func tokensToPath(tokens []string) string {
	var b strings.Builder
	for _, tok := range tokens {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// pointerToPath turns a JSON pointer ("/credentialSubject/result/0") into
// the path style of FieldError ("credentialSubject.result[0]").
func pointerToPath(ptr string) string {
	if ptr == "" || ptr == "/" {
		return ""
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
	}
	return tokensToPath(toks)
}

// ProofAsArray writes an Open Badges credential's single Data Integrity
// proof as a one-element array. 1EdTech's OB 3.0 JSON Schema
// (AchievementCredential, EndorsementCredential) makes proof an array, and
// Data Integrity allows either form: a proof signs the document without
// its proof property, so the form changes no signature. Other credentials
// keep the object form most VC tools expect.
func ProofAsArray(signed map[string]any) {
	if s, ok := SchemaFor(signed); !ok || s == SchemaClrCredential {
		return
	}
	if p, ok := signed["proof"].(map[string]any); ok {
		signed["proof"] = []any{p}
	}
}

// ValidateClr checks a ClrCredential (bytes, or as decoded by
// encoding/json) against 1EdTech's CLR 2.0 JSON Schema; the error is
// ValidationErrors as for ValidateSchema.
func ValidateClr(doc any) error {
	return ValidateSchema(SchemaClrCredential, doc)
}

// ValidateIssued checks a secured credential as microcred hands it out
// against the 1EdTech schema for its type: a JSON document with its
// embedded proof, or a compact JWT whose payload is the credential
// (VC-JOSE) or carries it in the "vc" claim (the Open Badges 3.0 JWT
// format). The JWT's signature is not checked here. A document of no Open
// Badges or CLR type is not checked (nil).
func ValidateIssued(secured string) error {
	secured = strings.TrimSpace(secured)
	var raw []byte
	if strings.HasPrefix(secured, "{") {
		raw = []byte(secured)
	} else {
		parts := strings.Split(secured, ".")
		if len(parts) != 3 {
			return errors.New("credential: neither a JSON document nor a compact JWT")
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return fmt.Errorf("credential: JWT payload: %w", err)
		}
		raw = payload
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("credential: not JSON: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return errors.New("credential: not a JSON object")
	}
	if vc, ok := m["vc"].(map[string]any); ok {
		m = vc
	}
	name, ok := SchemaFor(m)
	if !ok {
		return nil
	}
	return ValidateSchema(name, m)
}
