package jsonld

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gowebpki/jcs"
	"github.com/microcred/microcred/internal/jsonld/rdfc"
	"github.com/piprate/json-gold/ld"
)

const (
	rdfType      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	rdfFirst     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	rdfRest      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	rdfNil       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
	rdfJSON      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
	rdfLangStr   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
	xsdString    = "http://www.w3.org/2001/XMLSchema#string"
	xsdBoolean   = "http://www.w3.org/2001/XMLSchema#boolean"
	xsdInteger   = "http://www.w3.org/2001/XMLSchema#integer"
	xsdDouble    = "http://www.w3.org/2001/XMLSchema#double"
	maxNestDepth = 64
)

// ToRDF converts the JSON-LD document doc (a decoded JSON value) to RDF
// quads: JSON-LD 1.1 expansion and deserialization to RDF done in one walk,
// with every processed context memoized. It gives the same dataset as
// json-gold (blank node labels aside) and applies the same safe mode as
// CanonicalizeReference: data that would be dropped fails with
// ErrUndefinedTerm. Features it does not implement fail with
// ErrUnsupported. Blank nodes are labelled b0, b1, …; a statement may appear more than
// once (the dataset is the set of the quads).
func ToRDF(doc any) (quads []rdfc.Quad, err error) {
	defer func() {
		if r := recover(); r != nil {
			quads, err = nil, unsupported("internal error: %v", r)
		}
	}()
	w := &walker{quads: make([]rdfc.Quad, 0, 128)}
	switch d := doc.(type) {
	case map[string]any:
		if _, err := w.element(rootCtx, "", d, nil, rdfc.Term{}, true, 0); err != nil {
			return nil, err
		}
	case []any:
		for _, e := range d {
			m, ok := e.(map[string]any)
			if !ok {
				if _, isArray := e.([]any); isArray {
					return nil, unsupported("nested top-level array")
				}
				continue // free-floating scalars are dropped by expansion
			}
			if _, err := w.element(rootCtx, "", m, nil, rdfc.Term{}, true, 0); err != nil {
				return nil, err
			}
		}
	default:
		return nil, unsupported("top-level %T", doc)
	}
	return w.quads, nil
}

type walker struct {
	quads  []rdfc.Quad
	blanks int
	labels map[string]string
}

// emit appends a statement. Repeated statements are kept: a dataset is a
// set and rdfc.Canonicalize drops them, so hashing every quad here would
// be wasted work.
func (w *walker) emit(s, p, o, g rdfc.Term) {
	w.quads = append(w.quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

func (w *walker) newBlank() rdfc.Term {
	t := rdfc.Term{Kind: rdfc.Blank, Value: "b" + strconv.Itoa(w.blanks)}
	w.blanks++
	return t
}

// nodeTerm turns an expanded @id into a subject or object term.
func (w *walker) nodeTerm(id, what string) (rdfc.Term, error) {
	if strings.HasPrefix(id, "_:") {
		if w.labels == nil {
			w.labels = map[string]string{}
		}
		l, ok := w.labels[id]
		if !ok {
			l = w.newBlank().Value
			w.labels[id] = l
		}
		return rdfc.Term{Kind: rdfc.Blank, Value: l}, nil
	}
	if !isAbsIRI(id) || !validIRI(id) {
		return rdfc.Term{}, fmt.Errorf("jsonld: %s %q is not an absolute IRI and would be dropped (safe mode): %w", what, id, ErrUndefinedTerm)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
}

// objects is the RDF form of one expanded value: a node, value or list
// becomes one term; a @set object or array becomes several.
type objects []rdfc.Term

// element processes a JSON object met under activeProperty (a term, or ""
// at the top). It returns the terms the parent links to.
func (w *walker) element(active *activeCtx, activeProp string, elem map[string]any, tsc *activeCtx, graph rdfc.Term, top bool, depth int) (objects, error) {
	if depth > maxNestDepth {
		return nil, unsupported("nesting deeper than %d", maxNestDepth)
	}
	var psc any
	var pscTD *termDef
	if activeProp != "" {
		if td := active.terms[activeProp]; td != nil && td.ctx != nil {
			psc, pscTD = td.ctx, td
		}
	}
	if tsc == nil && active.previous != nil {
		tsc = active
	}
	var keyBuf [16]string
	keys := sortedKeys(elem, keyBuf[:0])
	if len(keys) > 0 && keys[0] == "" {
		// json-gold treats an empty key as the @type key of the object.
		return nil, unsupported("empty property name")
	}
	elemCtx, hasCtx := elem["@context"]
	mustRevert := true
	if tsc != nil && len(keys) <= 2 && !hasCtx {
		for _, k := range keys {
			e, err := tsc.expandIRI(k, true)
			if err != nil {
				return nil, err
			}
			if e == "@value" {
				mustRevert = false
				active = tsc
				break
			}
			if e == "@id" && len(keys) == 1 {
				mustRevert = false
				break
			}
		}
	}
	if mustRevert && active.previous != nil {
		active = active.previous
	}
	var err error
	if psc != nil {
		if active, err = active.derive(psc, pscTD, true, true); err != nil {
			return nil, err
		}
	}
	if hasCtx {
		if active, err = active.derive(elemCtx, nil, true, false); err != nil {
			return nil, err
		}
	}
	tsc = active

	// Expand every key once; find @type for type-scoped contexts.
	var expBuf [16]string
	exp := expBuf[:0]
	for range keys {
		exp = append(exp, "")
	}
	var types []string
	for i, k := range keys {
		if k == "@context" {
			continue
		}
		e, err := active.expandIRI(k, true)
		if err != nil {
			return nil, err
		}
		exp[i] = e
		if e == "@type" {
			switch v := elem[k].(type) {
			case string:
				types = append(types, v)
			case []any:
				start := len(types)
				for _, t := range v {
					s, ok := t.(string)
					if !ok {
						return nil, contextError("@type value of type %T", t)
					}
					types = append(types, s)
				}
				slices.Sort(types[start:])
			default:
				return nil, contextError("@type value of type %T", v)
			}
		}
	}
	for _, t := range types {
		if td := tsc.terms[t]; td != nil && td.hasCtx {
			if active, err = active.derive(td.ctx, td, false, false); err != nil {
				return nil, err
			}
		}
	}
	// Re-expand keys if type-scoped contexts changed the context.
	if active != tsc {
		for i, k := range keys {
			if k == "@context" {
				continue
			}
			if exp[i], err = active.expandIRI(k, true); err != nil {
				return nil, err
			}
		}
	}

	// Classify the object.
	var idKey, valueKey, listKey, setKey = -1, -1, -1, -1
	for i, e := range exp {
		if keys[i] == "@context" {
			continue
		}
		switch e {
		case "@id":
			if idKey >= 0 {
				return nil, unsupported("several keys expanding to @id")
			}
			idKey = i
		case "@value":
			valueKey = i
		case "@list":
			listKey = i
		case "@set":
			setKey = i
		case "@type", "@language":
		case "":
			return nil, fmt.Errorf("jsonld: property %q is not defined by the document's contexts and would be dropped (safe mode): %w", keys[i], ErrUndefinedTerm)
		default:
			if ld.IsKeyword(e) {
				return nil, unsupported("keyword %s", e)
			}
			if !strings.Contains(e, ":") {
				return nil, fmt.Errorf("jsonld: property %q expands to the relative IRI %q and would be dropped (safe mode): %w", keys[i], e, ErrUndefinedTerm)
			}
		}
	}
	if valueKey >= 0 {
		if top {
			return nil, nil
		}
		lit, ok, err := w.valueObject(tsc, keys, exp, elem)
		if err != nil || !ok {
			return nil, err
		}
		return objects{lit}, nil
	}
	if listKey >= 0 || setKey >= 0 {
		if len(keys) != 1 {
			return nil, unsupported("@list or @set object with other keys")
		}
		if top {
			return nil, nil
		}
		if listKey >= 0 {
			if active.terms[activeProp] != nil && active.terms[activeProp].cList {
				return nil, unsupported("list of lists")
			}
			head, err := w.list(active, activeProp, elem[keys[listKey]], graph, depth)
			if err != nil {
				return nil, err
			}
			return objects{head}, nil
		}
		return w.values(active, activeProp, elem[keys[setKey]], graph, depth)
	}

	// A node object.
	var subject rdfc.Term
	hasID := false
	if idKey >= 0 {
		s, ok := elem[keys[idKey]].(string)
		if !ok {
			return nil, contextError("@id value of type %T", elem[keys[idKey]])
		}
		id, err := active.expandIRI(s, false)
		if err != nil {
			return nil, err
		}
		if subject, err = w.nodeTerm(id, "@id"); err != nil {
			return nil, err
		}
		hasID = true
	}
	if top && (len(keys) == 0 || (hasID && countProps(keys) == 1)) {
		return nil, nil
	}
	if !hasID {
		subject = w.newBlank()
	}
	for i, k := range keys {
		if k == "@context" || i == idKey {
			continue
		}
		e := exp[i]
		val := elem[k]
		if e == "@type" {
			var list []any
			if s, ok := val.(string); ok {
				list = []any{s}
			} else {
				list = val.([]any)
			}
			for _, t := range list {
				ts, err := tsc.expandIRI(t.(string), true)
				if err != nil {
					return nil, err
				}
				if ts == "" {
					return nil, fmt.Errorf("jsonld: type %q is not defined (safe mode): %w", t, ErrUndefinedTerm)
				}
				var obj rdfc.Term
				if td := tsc.terms[t.(string)]; td != nil && td.id == ts && td.idOK {
					obj = rdfc.Term{Kind: rdfc.IRI, Value: ts}
				} else if obj, err = w.nodeTerm(ts, "type"); err != nil {
					return nil, err
				}
				w.emit(subject, rdfc.Term{Kind: rdfc.IRI, Value: rdfType}, obj, graph)
			}
			continue
		}
		if e == "@language" {
			return nil, contextError("@language in a node object")
		}
		if td := active.terms[k]; (td == nil || td.id != e || !td.idOK) && (strings.HasPrefix(e, "_:") || !isAbsIRI(e) || !validIRI(e)) {
			return nil, fmt.Errorf("jsonld: property %q expands to %q, not an absolute IRI, and would be dropped (safe mode): %w", k, e, ErrUndefinedTerm)
		}
		pred := rdfc.Term{Kind: rdfc.IRI, Value: e}
		termCtx := active
		if td := active.terms[k]; td != nil && td.hasCtx {
			if termCtx, err = active.derive(td.ctx, td, true, true); err != nil {
				return nil, err
			}
		}
		td := termCtx.terms[k]
		var objs objects
		switch {
		case td != nil && td.typ == "@json":
			lit, err := jsonLiteral(val)
			if err != nil {
				return nil, err
			}
			objs = objects{lit}
		case val == nil:
			continue
		case td != nil && td.cList:
			if _, isMap := val.(map[string]any); isMap {
				return nil, unsupported("object value of a @list property")
			}
			head, err := w.list(termCtx, k, val, graph, depth)
			if err != nil {
				return nil, err
			}
			objs = objects{head}
		case td != nil && td.cGraph:
			items, ok := val.([]any)
			if !ok {
				items = []any{val}
			}
			for _, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					if it == nil {
						continue
					}
					return nil, unsupported("non-object value of a @graph container")
				}
				if _, hasGraph := m["@graph"]; hasGraph {
					return nil, unsupported("graph object in a @graph container")
				}
				g := w.newBlank()
				inner, err := w.element(termCtx, k, m, nil, g, false, depth+1)
				if err != nil {
					return nil, err
				}
				if len(inner) != 1 || inner[0].Kind == rdfc.Literal {
					return nil, unsupported("value in a @graph container")
				}
				objs = append(objs, g)
			}
		default:
			if objs, err = w.values(termCtx, k, val, graph, depth); err != nil {
				return nil, err
			}
		}
		for _, o := range objs {
			w.emit(subject, pred, o, graph)
		}
	}
	return objects{subject}, nil
}

func countProps(keys []string) int {
	n := 0
	for _, k := range keys {
		if k != "@context" {
			n++
		}
	}
	return n
}

// values expands the value of property prop (a scalar, object or array).
func (w *walker) values(active *activeCtx, prop string, val any, graph rdfc.Term, depth int) (objects, error) {
	switch v := val.(type) {
	case nil:
		return nil, nil
	case []any:
		var out objects
		for _, e := range v {
			if _, nested := e.([]any); nested {
				return nil, unsupported("array inside an array")
			}
			o, err := w.values(active, prop, e, graph, depth)
			if err != nil {
				return nil, err
			}
			out = append(out, o...)
		}
		return out, nil
	case map[string]any:
		return w.element(active, prop, v, nil, graph, false, depth+1)
	default:
		t, err := scalar(active, prop, v)
		if err != nil {
			return nil, err
		}
		return objects{t}, nil
	}
}

// list builds an RDF collection from the items of a @list value.
func (w *walker) list(active *activeCtx, prop string, val any, graph rdfc.Term, depth int) (rdfc.Term, error) {
	items, ok := val.([]any)
	if !ok {
		items = []any{val}
	}
	var terms objects
	for _, it := range items {
		if _, nested := it.([]any); nested {
			return rdfc.Term{}, unsupported("list of lists")
		}
		if m, isMap := it.(map[string]any); isMap {
			if _, hasList := m["@list"]; hasList {
				return rdfc.Term{}, unsupported("list of lists")
			}
		}
		o, err := w.values(active, prop, it, graph, depth)
		if err != nil {
			return rdfc.Term{}, err
		}
		terms = append(terms, o...)
	}
	if len(terms) == 0 {
		return rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}, nil
	}
	head := w.newBlank()
	node := head
	for i, t := range terms {
		w.emit(node, rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}, t, graph)
		next := rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
		if i < len(terms)-1 {
			next = w.newBlank()
		}
		w.emit(node, rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}, next, graph)
		node = next
	}
	return head, nil
}

// scalar is json-gold's value expansion followed by its RDF conversion.
func scalar(active *activeCtx, prop string, v any) (rdfc.Term, error) {
	td := active.terms[prop]
	if td != nil && (td.typ == "@id" || td.typ == "@vocab") {
		if s, ok := v.(string); ok {
			id, err := active.expandIRI(s, td.typ == "@vocab")
			if err != nil {
				return rdfc.Term{}, err
			}
			if strings.HasPrefix(id, "_:") {
				return rdfc.Term{}, unsupported("blank node identifier as a coerced value")
			}
			if !isAbsIRI(id) || !validIRI(id) {
				return rdfc.Term{}, fmt.Errorf("jsonld: value %q of %q is not an absolute IRI and would be dropped (safe mode): %w", s, prop, ErrUndefinedTerm)
			}
			return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
		}
		return literal(v, "", "", false)
	}
	dt := ""
	if td != nil && td.typ != "" && td.typ != "@none" {
		if !td.typOK {
			return rdfc.Term{}, fmt.Errorf("jsonld: datatype %q would be dropped (safe mode): %w", td.typ, ErrUndefinedTerm)
		}
		dt = td.typ
	}
	lang, hasLang := "", false
	if _, isString := v.(string); isString && dt == "" {
		if td != nil && td.hasLang {
			if td.lang != nil {
				lang, hasLang = *td.lang, true
			}
		} else if active.hasLang {
			lang, hasLang = active.lang, true
		}
	}
	return literal(v, dt, lang, hasLang)
}

// literal mirrors json-gold's objectToRDF for a value object.
func literal(v any, dt, lang string, hasLang bool) (rdfc.Term, error) {
	switch x := v.(type) {
	case bool:
		if dt == "" {
			dt = xsdBoolean
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: strconv.FormatBool(x), Datatype: dt}, nil
	case float64:
		return number(x, dt), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return rdfc.Term{}, unsupported("number %s", x)
		}
		return number(f, dt), nil
	case string:
		if hasLang {
			if !validLanguage.MatchString(lang) {
				return rdfc.Term{}, fmt.Errorf("jsonld: invalid language tag %q would be dropped (safe mode): %w", lang, ErrUndefinedTerm)
			}
			return rdfc.Term{Kind: rdfc.Literal, Value: x, Datatype: rdfLangStr, Language: lang}, nil
		}
		if dt == "" {
			dt = xsdString
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: x, Datatype: dt}, nil
	}
	return rdfc.Term{}, unsupported("value of type %T", v)
}

func number(f float64, dt string) rdfc.Term {
	isInteger := f == float64(int64(f))
	if !isInteger || dt == xsdDouble {
		if dt == "" {
			dt = xsdDouble
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: ld.GetCanonicalDouble(f), Datatype: dt}
	}
	if dt == "" {
		dt = xsdInteger
	}
	return rdfc.Term{Kind: rdfc.Literal, Value: strconv.FormatInt(int64(f), 10), Datatype: dt}
}

// jsonLiteral is the rdf:JSON literal of a @json value. json-gold only
// converts objects and booleans correctly; other values are refused on
// both paths.
func jsonLiteral(v any) (rdfc.Term, error) {
	switch x := v.(type) {
	case bool:
		return rdfc.Term{Kind: rdfc.Literal, Value: strconv.FormatBool(x), Datatype: rdfJSON}, nil
	case map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return rdfc.Term{}, unsupported("@json value: %v", err)
		}
		c, err := jcs.Transform(b)
		if err != nil {
			return rdfc.Term{}, unsupported("@json value: %v", err)
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: string(c), Datatype: rdfJSON}, nil
	}
	return rdfc.Term{}, unsupported("@json literal of type %T", v)
}

// valueObject converts a value object ({"@value": …}) to a literal. The
// boolean result is false when the value is null and nothing is produced.
func (w *walker) valueObject(tsc *activeCtx, keys, exp []string, elem map[string]any) (rdfc.Term, bool, error) {
	var (
		value            any
		dt, lang         string
		hasType, hasLang bool
	)
	for i, k := range keys {
		switch exp[i] {
		case "@value":
			value = elem[k]
		case "@type":
			s, ok := elem[k].(string)
			if !ok {
				return rdfc.Term{}, false, unsupported("@type of a value object of type %T", elem[k])
			}
			e, err := tsc.expandIRI(s, true)
			if err != nil {
				return rdfc.Term{}, false, err
			}
			dt, hasType = e, true
		case "@language":
			s, ok := elem[k].(string)
			if !ok {
				return rdfc.Term{}, false, contextError("@language of type %T", elem[k])
			}
			lang, hasLang = strings.ToLower(s), true
		default:
			return rdfc.Term{}, false, contextError("value object with key %q", k)
		}
	}
	if hasType && hasLang {
		return rdfc.Term{}, false, contextError("value object with @type and @language")
	}
	if hasType && dt == "@json" {
		t, err := jsonLiteral(value)
		return t, err == nil, err
	}
	switch value.(type) {
	case nil:
		return rdfc.Term{}, false, nil
	case map[string]any, []any:
		return rdfc.Term{}, false, contextError("@value of type %T", value)
	}
	if hasLang {
		if _, isString := value.(string); !isString {
			return rdfc.Term{}, false, contextError("language-tagged non-string")
		}
	}
	if hasType && (!isAbsIRI(dt) || strings.HasPrefix(dt, "_:")) {
		return rdfc.Term{}, false, contextError("value object @type %q is not an absolute IRI", dt)
	}
	if hasType && !validIRI(dt) {
		return rdfc.Term{}, false, fmt.Errorf("jsonld: datatype %q would be dropped (safe mode): %w", dt, ErrUndefinedTerm)
	}
	t, err := literal(value, dt, lang, hasLang)
	return t, err == nil, err
}

func sortedKeys(m map[string]any, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
