package jsonld

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

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
func ToRDF(doc any) ([]rdfc.Quad, error) {
	w := &walker{}
	if err := w.run(doc); err != nil {
		return nil, err
	}
	return w.quads, nil
}

// walker is the state of one ToRDF conversion. Canonicalize recycles
// walkers (their quad and term buffers) through walkers; ToRDF, whose
// quads outlive the call, does not.
type walker struct {
	quads  []rdfc.Quad
	blanks int
	labels map[string]string
	// stack holds the objects of values being expanded: element, values
	// and list push the terms the parent links to, and the parent emits
	// and pops them. One shared stack instead of a slice per value keeps
	// the conversion nearly free of small allocations.
	stack []rdfc.Term

	// With a Template: its parts are recognised (see Template); seen
	// marks the parts met, and recording makes NewTemplate keep their
	// statements instead of skipping them.
	tmpl      *Template
	recording bool
	seen      uint64

	// root is set while the walk has not yet entered the document's
	// top-level object (not an array's elements): only that object is
	// unwrapped when it holds nothing but @graph.
	root bool
}

var walkers = sync.Pool{New: func() any { return new(walker) }}

// maxPooledQuads keeps an exceptionally large document from pinning its
// buffers in the pool.
const maxPooledQuads = 4096

func getWalker() *walker {
	return walkers.Get().(*walker)
}

func putWalker(w *walker) {
	if cap(w.quads) > maxPooledQuads || cap(w.stack) > maxPooledQuads {
		return
	}
	// The terms left in the buffers keep strings of the last document
	// alive until they are overwritten or the pool is emptied, which the
	// garbage collector does within two cycles; clearing them every time
	// would cost more than it saves.
	w.quads, w.stack = w.quads[:0], w.stack[:0]
	w.blanks, w.labels = 0, nil
	w.tmpl, w.recording, w.seen, w.root = nil, false, 0, false
	walkers.Put(w)
}

// run converts doc, appending to w.quads.
func (w *walker) run(doc any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = unsupported("internal error: %v", r)
		}
	}()
	if w.quads == nil {
		w.quads = make([]rdfc.Quad, 0, 32)
	}
	switch d := doc.(type) {
	case map[string]any:
		w.root = true
		if err := w.element(rootCtx, "", nil, d, nil, rdfc.Term{}, true, 0); err != nil {
			return err
		}
	case []any:
		for _, e := range d {
			m, ok := e.(map[string]any)
			if !ok {
				if _, isArray := e.([]any); isArray {
					return unsupported("nested top-level array")
				}
				continue // free-floating scalars are dropped by expansion
			}
			if err := w.element(rootCtx, "", nil, m, nil, rdfc.Term{}, true, 0); err != nil {
				return err
			}
		}
	default:
		return unsupported("top-level %T", doc)
	}
	w.stack = w.stack[:0]
	return nil
}

// emit appends a statement. Repeated statements are kept: a dataset is a
// set and rdfc.Canonicalize drops them, so hashing every quad here would
// be wasted work.
func (w *walker) emit(s, p, o, g rdfc.Term) {
	w.quads = append(w.quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

func (w *walker) newBlank() rdfc.Term {
	var l string
	if w.blanks < len(blankLabels) {
		l = blankLabels[w.blanks]
	} else {
		l = "b" + strconv.Itoa(w.blanks)
	}
	w.blanks++
	return rdfc.Term{Kind: rdfc.Blank, Value: l}
}

// blankLabels are the first blank node labels, made once.
var blankLabels = func() (t [256]string) {
	for i := range t {
		t[i] = "b" + strconv.Itoa(i)
	}
	return t
}()

func (w *walker) push(t rdfc.Term) {
	w.stack = append(w.stack, t)
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
	if !wellFormedIRI(id) {
		return rdfc.Term{}, fmt.Errorf("jsonld: %s %q is not an absolute IRI and would be dropped (safe mode): %w", what, id, ErrUndefinedTerm)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
}

// element processes a JSON object met under activeProperty (a term, or ""
// at the top) whose definition in active is propTD (the caller looks it
// up). It pushes the terms the parent links to on w.stack: a node, value
// or list gives one term, a @set object several.
func (w *walker) element(active *activeCtx, activeProp string, propTD *termDef, elem map[string]any, tsc *activeCtx, graph rdfc.Term, top bool, depth int) error {
	if w.tmpl != nil {
		if i := w.partOf(elem); i >= 0 {
			call := elementCall{active: active, tsc: tsc, activeProp: activeProp, propTD: propTD, graph: graph, top: top, depth: depth}
			if done, err := w.templateElement(i, call, elem); done || err != nil {
				return err
			}
		}
	}
	return w.elementBody(active, activeProp, propTD, elem, tsc, graph, top, depth)
}

// elementBody is element without the template check.
func (w *walker) elementBody(active *activeCtx, activeProp string, propTD *termDef, elem map[string]any, tsc *activeCtx, graph rdfc.Term, top bool, depth int) error {
	if depth > maxNestDepth {
		return unsupported("nesting deeper than %d", maxNestDepth)
	}
	root := w.root
	w.root = false
	var psc any
	var pscTD *termDef
	if activeProp != "" {
		if td := propTD; td != nil && td.ctx != nil {
			psc, pscTD = td.ctx, td
		}
	}
	if tsc == nil && active.previous != nil {
		tsc = active
	}
	var keyBuf [16]string
	var valBuf [16]any
	keys, vals := sortedMembers(elem, keyBuf[:0], valBuf[:0])
	if len(keys) > 0 && keys[0] == "" {
		// json-gold treats an empty key as the @type key of the object.
		return unsupported("empty property name")
	}
	elemCtx, hasCtx := elem["@context"]
	mustRevert := true
	if tsc != nil && len(keys) <= 2 && !hasCtx {
		for _, k := range keys {
			e, err := tsc.expandIRI(k, true)
			if err != nil {
				return err
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
			return err
		}
	}
	if hasCtx {
		if active, err = active.derive(elemCtx, nil, true, false); err != nil {
			return err
		}
	}
	tsc = active

	// Expand every key once; find @type for type-scoped contexts. tds
	// keeps the term definition each key expanded through, if any.
	var expBuf [16]string
	var tdBuf [16]*termDef
	exp, tds := expBuf[:0], tdBuf[:0]
	for range keys {
		exp = append(exp, "")
		tds = append(tds, nil)
	}
	var typeBuf [4]string
	types := typeBuf[:0]
	for i, k := range keys {
		if k == "@context" {
			continue
		}
		e, td, err := active.expandKey(k)
		if err != nil {
			return err
		}
		exp[i], tds[i] = e, td
		if e == "@type" {
			switch v := vals[i].(type) {
			case string:
				types = append(types, v)
			case []any:
				start := len(types)
				for _, t := range v {
					s, ok := t.(string)
					if !ok {
						return contextError("@type value of type %T", t)
					}
					types = append(types, s)
				}
				slices.Sort(types[start:])
			default:
				return contextError("@type value of type %T", v)
			}
		}
	}
	for _, t := range types {
		if td := tsc.terms[t]; td != nil && td.hasCtx {
			if active, err = active.derive(td.ctx, td, false, false); err != nil {
				return err
			}
		}
	}
	// Re-expand keys if type-scoped contexts changed the context.
	if active != tsc {
		for i, k := range keys {
			if k == "@context" {
				continue
			}
			if exp[i], tds[i], err = active.expandKey(k); err != nil {
				return err
			}
		}
	}

	// Classify the object.
	var idKey, valueKey, listKey, setKey, graphKey = -1, -1, -1, -1, -1
	for i, e := range exp {
		if keys[i] == "@context" {
			continue
		}
		switch e {
		case "@id":
			if idKey >= 0 {
				return unsupported("several keys expanding to @id")
			}
			idKey = i
		case "@value":
			valueKey = i
		case "@list":
			listKey = i
		case "@set":
			setKey = i
		case "@graph":
			graphKey = i
		case "@type", "@language", "@direction", "@index", "@nest", "@reverse", "@included":
		case "":
			return fmt.Errorf("jsonld: property %q is not defined by the document's contexts and would be dropped (safe mode): %w", keys[i], ErrUndefinedTerm)
		default:
			if ld.IsKeyword(e) {
				return unsupported("keyword %s", e)
			}
			if !strings.Contains(e, ":") {
				return fmt.Errorf("jsonld: property %q expands to the relative IRI %q and would be dropped (safe mode): %w", keys[i], e, ErrUndefinedTerm)
			}
		}
	}
	if valueKey >= 0 {
		if top {
			return nil
		}
		lit, ok, err := w.valueObject(tsc, keys, exp, vals)
		if err != nil || !ok {
			return err
		}
		w.push(lit)
		return nil
	}
	if listKey >= 0 || setKey >= 0 {
		if len(keys) != 1 {
			return unsupported("@list or @set object with other keys")
		}
		if top {
			return nil
		}
		if listKey >= 0 {
			head, err := w.list(active, activeProp, active.terms[activeProp], vals[listKey], graph, depth)
			if err != nil {
				return err
			}
			w.push(head)
			return nil
		}
		return w.values(active, activeProp, active.terms[activeProp], vals[setKey], graph, depth)
	}

	if graphKey >= 0 && root && countProps(keys) == 1 {
		// A top-level object with only @graph stands for its content
		// (API §5.1 Expansion Algorithm, last step), in the default graph.
		return w.graphContent(active, vals[graphKey], graph, depth)
	}

	// A node object.
	var subject rdfc.Term
	hasID := false
	if idKey >= 0 {
		s, ok := vals[idKey].(string)
		if !ok {
			return contextError("@id value of type %T", vals[idKey])
		}
		id, err := active.expandIRI(s, false)
		if err != nil {
			return err
		}
		if top && countProps(keys) == 1 {
			// Expansion drops a top-level node object that has only an
			// @id, whatever the id: no statement is lost.
			return nil
		}
		if subject, err = w.nodeTerm(id, "@id"); err != nil {
			return err
		}
		hasID = true
	}
	if top && (len(keys) == 0 || (hasID && countProps(keys) == 1)) {
		return nil
	}
	if !hasID {
		subject = w.newBlank()
	}
	for i, k := range keys {
		if k == "@context" || i == idKey {
			continue
		}
		if err := w.property(active, tsc, subject, k, exp[i], tds[i], vals[i], graph, depth); err != nil {
			return err
		}
	}
	w.push(subject)
	return nil
}

// property emits the statements of one member k (expanded to e by the
// definition td, if any) of the node object subject.
func (w *walker) property(active, tsc *activeCtx, subject rdfc.Term, k, e string, td *termDef, val any, graph rdfc.Term, depth int) error {
	var err error
	switch e {
	case "@type":
		if s, ok := val.(string); ok {
			return w.typeStatement(tsc, subject, s, graph)
		}
		for _, t := range val.([]any) {
			if err := w.typeStatement(tsc, subject, t.(string), graph); err != nil {
				return err
			}
		}
		return nil
	case "@language", "@direction":
		return contextError("%s in a node object", e)
	case "@index":
		if _, ok := val.(string); !ok {
			return contextError("@index value of type %T", val)
		}
		return nil
	case "@nest":
		return w.nest(active, tsc, subject, val, graph, depth)
	case "@reverse":
		return w.reverseMap(active, subject, val, graph, depth)
	case "@included":
		return w.included(active, val, graph, depth)
	case "@graph":
		// A graph object: its nodes are in the graph the node names
		// (API §8.1 Deserialize JSON-LD to RDF, through the node map).
		return w.graphContent(active, val, subject, depth)
	}
	if td != nil && td.reverse {
		return w.reverseProperty(active, subject, k, td, val, graph, depth)
	}
	if td == nil || td.id != e || !td.idOK {
		if !wellFormedIRI(e) {
			return fmt.Errorf("jsonld: property %q expands to %q, not an absolute IRI, and would be dropped (safe mode): %w", k, e, ErrUndefinedTerm)
		}
	}
	pred := rdfc.Term{Kind: rdfc.IRI, Value: e}
	termCtx := active
	if td != nil && td.hasCtx {
		if termCtx, err = active.derive(td.ctx, td, true, true); err != nil {
			return err
		}
		td = termCtx.terms[k]
	}
	mark := len(w.stack)
	if td == nil || !td.special {
		err = w.values(termCtx, k, td, val, graph, depth)
	} else {
		err = w.propertyValues(termCtx, k, td, val, graph, depth)
	}
	if err != nil {
		return err
	}
	for _, o := range w.stack[mark:] {
		w.emit(subject, pred, o, graph)
	}
	w.stack = w.stack[:mark]
	return nil
}

// propertyValues pushes the objects of the value val of property k
// (defined by td in termCtx, its scoped context applied).
func (w *walker) propertyValues(termCtx *activeCtx, k string, td *termDef, val any, graph rdfc.Term, depth int) error {
	switch {
	case td != nil && td.typ == "@json":
		lit, err := jsonLiteral(val)
		if err != nil {
			return err
		}
		w.push(lit)
	case val == nil:
		return nil
	case td != nil && td.cLanguage:
		m, ok := val.(map[string]any)
		if !ok {
			return w.values(termCtx, k, td, val, graph, depth)
		}
		return w.languageMap(termCtx, td, m)
	case td != nil && (td.cIndex || td.cID || td.cType):
		m, ok := val.(map[string]any)
		if !ok {
			return w.containerValues(termCtx, k, td, val, graph, depth)
		}
		return w.indexedMap(termCtx, k, td, m, graph, depth)
	default:
		return w.containerValues(termCtx, k, td, val, graph, depth)
	}
	return nil
}

// containerValues pushes the objects of a value that is not a map of a
// language, index, id or type container.
func (w *walker) containerValues(termCtx *activeCtx, k string, td *termDef, val any, graph rdfc.Term, depth int) error {
	switch {
	case td != nil && td.cList:
		if m, isMap := val.(map[string]any); isMap {
			if _, isList := m["@list"]; isList {
				// Already a list object: not wrapped in another list.
				return w.values(termCtx, k, td, val, graph, depth)
			}
			return unsupported("object value of a @list property")
		}
		head, err := w.list(termCtx, k, td, val, graph, depth)
		if err != nil {
			return err
		}
		w.push(head)
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
				return unsupported("non-object value of a @graph container")
			}
			if _, hasGraph := m["@graph"]; hasGraph {
				return unsupported("graph object in a @graph container")
			}
			g := w.newBlank()
			inner := len(w.stack)
			if err := w.element(termCtx, k, td, m, nil, g, false, depth+1); err != nil {
				return err
			}
			if len(w.stack)-inner != 1 || w.stack[inner].Kind == rdfc.Literal {
				return unsupported("value in a @graph container")
			}
			w.stack = w.stack[:inner]
			w.push(g)
		}
	default:
		return w.values(termCtx, k, td, val, graph, depth)
	}
	return nil
}

// languageMap pushes the literals of a language map (JSON-LD 1.1 §4.6.2;
// API §5.1.2, language maps): each key is a language tag, "@none" (or an alias
// of it) none, and each value a string, an array of strings or null.
func (w *walker) languageMap(active *activeCtx, td *termDef, m map[string]any) error {
	dir := active.dir
	if td.hasDir {
		dir = td.dir
	}
	for lang, v := range m {
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		e, err := active.expandIRI(lang, true)
		if err != nil {
			return err
		}
		tag, hasTag := strings.ToLower(lang), e != "@none"
		if hasTag && !validLanguage.MatchString(tag) {
			return fmt.Errorf("jsonld: invalid language tag %q would be dropped (safe mode): %w", lang, ErrUndefinedTerm)
		}
		for _, it := range items {
			switch x := it.(type) {
			case nil:
			case string:
				switch {
				case dir != "":
					l := ""
					if hasTag {
						l = tag
					}
					w.push(directionTerm(x, l, dir))
				case hasTag:
					w.push(rdfc.Term{Kind: rdfc.Literal, Value: x, Datatype: rdfLangStr, Language: tag})
				default:
					w.push(rdfc.Term{Kind: rdfc.Literal, Value: x, Datatype: xsdString})
				}
			default:
				return contextError("language map value of type %T", it)
			}
		}
	}
	return nil
}

// indexedMap pushes the objects of an index, id or type map (JSON-LD 1.1
// §4.6.1, §4.6.3, §4.6.4). An index only matters for compaction, so the
// values of an index map are the values of the property; an id map gives
// each node object without @id the key as @id, and a type map adds the
// key to each node's @type.
func (w *walker) indexedMap(active *activeCtx, k string, td *termDef, m map[string]any, graph rdfc.Term, depth int) error {
	var keyBuf [16]string
	var valBuf [16]any
	keys, vals := sortedMembers(m, keyBuf[:0], valBuf[:0])
	for i, key := range keys {
		items, ok := vals[i].([]any)
		if !ok {
			items = []any{vals[i]}
		}
		for _, it := range items {
			if it == nil {
				continue
			}
			if td.cIndex && td.indexProp != "" {
				// A property-valued index (JSON-LD 1.1 §4.6.1.1): the key
				// is also a value of the index property of each node.
				node, isMap := it.(map[string]any)
				if !isMap {
					return unsupported("property-valued index of a value that is not a node")
				}
				if _, isValue := node["@value"]; isValue {
					return contextError("value object in a property-valued index")
				}
				if e, err := active.expandIRI(key, true); err != nil {
					return err
				} else if e != "@none" {
					node = withIndex(node, td.indexTerm, key)
				}
				if err := w.containerValues(active, k, td, node, graph, depth); err != nil {
					return err
				}
				continue
			}
			if td.cIndex {
				if err := w.containerValues(active, k, td, it, graph, depth); err != nil {
					return err
				}
				continue
			}
			ek, err := active.expandIRI(key, td.cType)
			if err != nil {
				return err
			}
			node, isMap := it.(map[string]any)
			if !isMap {
				if s, isString := it.(string); isString && td.cType && (td.typ == "@id" || td.typ == "@vocab") {
					node = map[string]any{"@id": s}
				} else {
					return unsupported("non-object value of an id or type map")
				}
			}
			if _, isValue := node["@value"]; isValue {
				return contextError("value object in an id or type map")
			}
			if td.cID && td.cGraph {
				// The key names the graph (API §5.1.2, @graph and @id containers).
				g := w.newBlank()
				if ek != "@none" {
					if g, err = w.nodeTerm(ek, "@id"); err != nil {
						return err
					}
				}
				if _, hasGraph := node["@graph"]; hasGraph {
					return unsupported("graph object in a @graph container")
				}
				inner := len(w.stack)
				if err := w.element(active, k, td, node, nil, g, false, depth+1); err != nil {
					return err
				}
				if len(w.stack)-inner != 1 || w.stack[inner].Kind == rdfc.Literal {
					return unsupported("value in a @graph container")
				}
				w.stack = w.stack[:inner]
				w.push(g)
				continue
			}
			if ek != "@none" {
				node = w.withKey(active, node, td.cType, key)
			}
			if td.cGraph {
				if err := w.containerValues(active, k, td, node, graph, depth); err != nil {
					return err
				}
				continue
			}
			if err := w.element(active, k, td, node, nil, graph, false, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// withIndex returns a copy of node with key added first to the values of
// its member term.
func withIndex(node map[string]any, term, key string) map[string]any {
	out := make(map[string]any, len(node)+1)
	for k, v := range node {
		out[k] = v
	}
	switch v := node[term].(type) {
	case nil:
		out[term] = key
	case []any:
		out[term] = append([]any{key}, v...)
	default:
		out[term] = []any{key, v}
	}
	return out
}

// withKey returns a copy of node with the id map key as @id (unless it
// has one) or with the type map key first in @type.
func (w *walker) withKey(active *activeCtx, node map[string]any, typ bool, key string) map[string]any {
	out := make(map[string]any, len(node)+1)
	idKey, typeKey := "", ""
	for k, v := range node {
		out[k] = v
		if e, _, err := active.expandKey(k); err == nil {
			switch e {
			case "@id":
				idKey = k
			case "@type":
				typeKey = k
			}
		}
	}
	switch {
	case !typ && idKey == "":
		out["@id"] = key
	case typ && typeKey == "":
		out["@type"] = key
	case typ:
		types := []any{key}
		switch t := node[typeKey].(type) {
		case string:
			types = append(types, t)
		case []any:
			types = append(types, t...)
		}
		out[typeKey] = types
	}
	return out
}

// nest processes the members of a @nest value as members of the node
// (JSON-LD 1.1 §4.4 Nested Properties).
func (w *walker) nest(active, tsc *activeCtx, subject rdfc.Term, val any, graph rdfc.Term, depth int) error {
	items, ok := val.([]any)
	if !ok {
		items = []any{val}
	}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return contextError("@nest value of type %T", it)
		}
		var keyBuf [16]string
		var valBuf [16]any
		keys, vals := sortedMembers(m, keyBuf[:0], valBuf[:0])
		for i, k := range keys {
			e, td, err := active.expandKey(k)
			if err != nil {
				return err
			}
			switch e {
			case "":
				return fmt.Errorf("jsonld: property %q is not defined by the document's contexts and would be dropped (safe mode): %w", k, ErrUndefinedTerm)
			case "@value", "@id", "@context", "@list", "@set", "@graph":
				return contextError("%s in a @nest value", e)
			}
			if !strings.HasPrefix(e, "@") && !strings.Contains(e, ":") {
				return fmt.Errorf("jsonld: property %q expands to the relative IRI %q and would be dropped (safe mode): %w", k, e, ErrUndefinedTerm)
			}
			if err := w.property(active, tsc, subject, k, e, td, vals[i], graph, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// reverseProperty emits the statements of a property defined with
// @reverse: each value, a node, is the subject (JSON-LD 1.1 §4.8).
func (w *walker) reverseProperty(active *activeCtx, subject rdfc.Term, k string, td *termDef, val any, graph rdfc.Term, depth int) error {
	if td.typ == "@json" {
		return contextError("@json value of a reverse property")
	}
	if !td.idOK {
		return fmt.Errorf("jsonld: reverse property %q expands to %q, not an absolute IRI, and would be dropped (safe mode): %w", k, td.id, ErrUndefinedTerm)
	}
	termCtx := active
	var err error
	if td.hasCtx {
		if termCtx, err = active.derive(td.ctx, td, true, true); err != nil {
			return err
		}
		td = termCtx.terms[k]
	}
	mark := len(w.stack)
	if err := w.propertyValues(termCtx, k, td, val, graph, depth); err != nil {
		return err
	}
	pred := rdfc.Term{Kind: rdfc.IRI, Value: td.id}
	for _, o := range w.stack[mark:] {
		if o.Kind == rdfc.Literal {
			return contextError("value object of a reverse property")
		}
		w.emit(o, pred, subject, graph)
	}
	w.stack = w.stack[:mark]
	return nil
}

// reverseMap handles the @reverse keyword: a map of properties whose
// values have the node as object.
func (w *walker) reverseMap(active *activeCtx, subject rdfc.Term, val any, graph rdfc.Term, depth int) error {
	m, ok := val.(map[string]any)
	if !ok {
		return contextError("@reverse value of type %T", val)
	}
	var keyBuf [16]string
	var valBuf [16]any
	keys, vals := sortedMembers(m, keyBuf[:0], valBuf[:0])
	for i, k := range keys {
		e, td, err := active.expandKey(k)
		if err != nil {
			return err
		}
		if e == "" || strings.HasPrefix(e, "@") {
			return unsupported("@reverse member %q", k)
		}
		if td != nil && td.reverse {
			return unsupported("reverse property inside @reverse")
		}
		if strings.HasPrefix(e, "_:") || !wellFormedIRI(e) {
			return fmt.Errorf("jsonld: property %q expands to %q, not an absolute IRI, and would be dropped (safe mode): %w", k, e, ErrUndefinedTerm)
		}
		termCtx := active
		if td != nil && td.hasCtx {
			if termCtx, err = active.derive(td.ctx, td, true, true); err != nil {
				return err
			}
			td = termCtx.terms[k]
		}
		mark := len(w.stack)
		if err := w.propertyValues(termCtx, k, td, vals[i], graph, depth); err != nil {
			return err
		}
		pred := rdfc.Term{Kind: rdfc.IRI, Value: e}
		for _, o := range w.stack[mark:] {
			if o.Kind == rdfc.Literal {
				return contextError("value object in @reverse")
			}
			w.emit(o, pred, subject, graph)
		}
		w.stack = w.stack[:mark]
	}
	return nil
}

// graphContent processes the value of @graph: its node objects are in
// graph and linked to nothing; free-floating values, lists and nodes with
// only an @id have no statements (as at the top level).
func (w *walker) graphContent(active *activeCtx, val any, graph rdfc.Term, depth int) error {
	items, ok := val.([]any)
	if !ok {
		items = []any{val}
	}
	for _, it := range items {
		switch m := it.(type) {
		case map[string]any:
			mark := len(w.stack)
			if err := w.element(active, "", nil, m, nil, graph, true, depth+1); err != nil {
				return err
			}
			w.stack = w.stack[:mark]
		case []any:
			if err := w.graphContent(active, m, graph, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// included processes the node objects of @included (JSON-LD 1.1 §4.7):
// they are in the same graph and not linked to the node.
func (w *walker) included(active *activeCtx, val any, graph rdfc.Term, depth int) error {
	items, ok := val.([]any)
	if !ok {
		items = []any{val}
	}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return contextError("@included value of type %T", it)
		}
		if _, isValue := m["@value"]; isValue {
			return contextError("value object in @included")
		}
		mark := len(w.stack)
		if err := w.element(active, "@included", nil, m, nil, graph, false, depth+1); err != nil {
			return err
		}
		w.stack = w.stack[:mark]
	}
	return nil
}

// typeStatement emits the rdf:type statement of one @type value t.
func (w *walker) typeStatement(tsc *activeCtx, subject rdfc.Term, t string, graph rdfc.Term) error {
	ts, td, err := tsc.expandKey(t)
	if err != nil {
		return err
	}
	if ts == "" {
		return fmt.Errorf("jsonld: type %q is not defined (safe mode): %w", t, ErrUndefinedTerm)
	}
	var obj rdfc.Term
	if td != nil && td.idOK {
		obj = rdfc.Term{Kind: rdfc.IRI, Value: ts}
	} else if obj, err = w.nodeTerm(ts, "type"); err != nil {
		return err
	}
	w.emit(subject, rdfc.Term{Kind: rdfc.IRI, Value: rdfType}, obj, graph)
	return nil
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

// values expands the value of property prop (a scalar, object or array)
// and pushes its objects on w.stack.
// td is active.terms[prop], looked up by the caller.
func (w *walker) values(active *activeCtx, prop string, td *termDef, val any, graph rdfc.Term, depth int) error {
	switch v := val.(type) {
	case nil:
		return nil
	case []any:
		// JSON-LD 1.1 expansion flattens an array inside an array
		// (API §5.1.2) unless the property is a list.
		for _, e := range v {
			if err := w.values(active, prop, td, e, graph, depth); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return w.element(active, prop, td, v, nil, graph, false, depth+1)
	default:
		t, err := scalar(active, prop, td, v)
		if err != nil {
			return err
		}
		w.push(t)
		return nil
	}
}

// list builds an RDF collection from the items of a @list value.
// td is active.terms[prop], looked up by the caller.
func (w *walker) list(active *activeCtx, prop string, td *termDef, val any, graph rdfc.Term, depth int) (rdfc.Term, error) {
	items, ok := val.([]any)
	if !ok {
		items = []any{val}
	}
	mark := len(w.stack)
	for _, it := range items {
		// An array in a list is a list of its own (JSON-LD 1.1 §4.3.2
		// Lists of lists; API §5.1.2).
		if inner, nested := it.([]any); nested {
			if depth > maxNestDepth {
				return rdfc.Term{}, unsupported("nesting deeper than %d", maxNestDepth)
			}
			head, err := w.list(active, prop, td, inner, graph, depth+1)
			if err != nil {
				return rdfc.Term{}, err
			}
			w.push(head)
			continue
		}
		if err := w.values(active, prop, td, it, graph, depth); err != nil {
			return rdfc.Term{}, err
		}
	}
	terms := w.stack[mark:]
	defer func() { w.stack = w.stack[:mark] }()
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

// scalar is value expansion (JSON-LD 1.1 API §5.3) followed by Object to
// RDF Conversion (§8.2).
// td is active.terms[prop].
func scalar(active *activeCtx, prop string, td *termDef, v any) (rdfc.Term, error) {
	if td != nil && (td.typ == "@id" || td.typ == "@vocab") {
		if s, ok := v.(string); ok {
			id, err := active.expandIRI(s, td.typ == "@vocab")
			if err != nil {
				return rdfc.Term{}, err
			}
			if strings.HasPrefix(id, "_:") {
				return rdfc.Term{}, unsupported("blank node identifier as a coerced value")
			}
			if !wellFormedIRI(id) {
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
	lang, hasLang, dir := "", false, ""
	if str, isString := v.(string); isString && dt == "" {
		if td != nil && td.hasLang {
			if td.lang != nil {
				lang, hasLang = *td.lang, true
			}
		} else if active.hasLang {
			lang, hasLang = active.lang, true
		}
		if td != nil && td.hasDir {
			dir = td.dir
		} else {
			dir = active.dir
		}
		if dir != "" {
			if hasLang && !validLanguage.MatchString(lang) {
				return rdfc.Term{}, fmt.Errorf("jsonld: invalid language tag %q would be dropped (safe mode): %w", lang, ErrUndefinedTerm)
			}
			return directionTerm(str, lang, dir), nil
		}
	}
	return literal(v, dt, lang, hasLang)
}

// literal is Object to RDF Conversion (JSON-LD 1.1 API §8.2) of a value.
func literal(v any, dt, lang string, hasLang bool) (rdfc.Term, error) {
	switch x := v.(type) {
	case bool:
		if dt == "" {
			dt = xsdBoolean
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: strconv.FormatBool(x), Datatype: dt}, nil
	case float64:
		return numberTerm(x, dt)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return rdfc.Term{}, unsupported("number %s", x)
		}
		return numberTerm(f, dt)
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

// valueObject converts a value object ({"@value": …}) to a literal. The
// boolean result is false when the value is null and nothing is produced.
func (w *walker) valueObject(tsc *activeCtx, keys, exp []string, vals []any) (rdfc.Term, bool, error) {
	var (
		value            any
		dt, lang, dir    string
		hasType, hasLang bool
	)
	for i, k := range keys {
		switch exp[i] {
		case "@value":
			value = vals[i]
		case "@type":
			s, ok := vals[i].(string)
			if !ok {
				return rdfc.Term{}, false, unsupported("@type of a value object of type %T", vals[i])
			}
			e, err := tsc.expandIRI(s, true)
			if err != nil {
				return rdfc.Term{}, false, err
			}
			dt, hasType = e, true
		case "@language":
			s, ok := vals[i].(string)
			if !ok {
				return rdfc.Term{}, false, contextError("@language of type %T", vals[i])
			}
			lang, hasLang = strings.ToLower(s), true
		case "@direction":
			d, ok := vals[i].(string)
			if !ok || (d != "ltr" && d != "rtl") {
				return rdfc.Term{}, false, contextError("@direction %v", vals[i])
			}
			dir = d
		case "@index":
			if _, ok := vals[i].(string); !ok {
				return rdfc.Term{}, false, contextError("@index of type %T", vals[i])
			}
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
	if hasType && !wellFormedIRI(dt) {
		return rdfc.Term{}, false, fmt.Errorf("jsonld: datatype %q would be dropped (safe mode): %w", dt, ErrUndefinedTerm)
	}
	if dir != "" {
		str, isString := value.(string)
		if !isString || hasType {
			return rdfc.Term{}, false, contextError("@direction on a value that is not a plain string")
		}
		if hasLang && !validLanguage.MatchString(lang) {
			return rdfc.Term{}, false, fmt.Errorf("jsonld: invalid language tag %q would be dropped (safe mode): %w", lang, ErrUndefinedTerm)
		}
		return directionTerm(str, lang, dir), true, nil
	}
	t, err := literal(value, dt, lang, hasLang)
	return t, err == nil, err
}

// keyAfter reports a > b; the first bytes of two keys usually differ,
// and comparing them inline spares a call to the runtime.
func keyAfter(a, b string) bool {
	if a != "" && b != "" && a[0] != b[0] {
		return a[0] > b[0]
	}
	return a > b
}

// sortedMembers appends the members of m to keys and vals, in key order.
// Collecting the values with the keys spares a map lookup per member.
func sortedMembers(m map[string]any, keys []string, vals []any) ([]string, []any) {
	for k, v := range m {
		keys = append(keys, k)
		vals = append(vals, v)
	}
	if len(keys) > 16 {
		slices.Sort(keys)
		for i, k := range keys {
			vals[i] = m[k]
		}
		return keys, vals
	}
	// Insertion sort of the pairs: objects are small.
	for i := 1; i < len(keys); i++ {
		k, v := keys[i], vals[i]
		j := i
		for ; j > 0 && keyAfter(keys[j-1], k); j-- {
			keys[j], vals[j] = keys[j-1], vals[j-1]
		}
		keys[j], vals[j] = k, v
	}
	return keys, vals
}
