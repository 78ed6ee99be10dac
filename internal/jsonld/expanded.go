package jsonld

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/jsonld/rdfc"
)

// expandedToRDF is JSON-LD 1.1 API §8.1 Deserialize JSON-LD to RDF over an
// expanded document, with rdfDirection i18n-datatype and without
// generalized RDF, in safe mode: everything the algorithm would silently
// drop (an IRI that is not well-formed, a blank node predicate, an invalid
// language tag or datatype) fails with ErrUndefinedTerm instead.
//
// It walks the expanded tree instead of building the node map first: the
// node map merges the properties of one node met in several places and
// relabels blank nodes, which changes neither the set of statements nor,
// after RDFC-1.0, the canonical form. The reference path uses json-gold for
// expansion only, so that json-gold's RDF conversion (numbers, @json,
// escapes, IRI checks) never decides what is signed.
func expandedToRDF(expanded any) ([]rdfc.Quad, error) {
	c := &expandedConv{labels: map[string]string{}}
	items, ok := expanded.([]any)
	if !ok {
		items = []any{expanded}
	}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok || isValueObject(m) || isListObject(m) {
			continue // free-floating values and lists have no statements
		}
		if _, err := c.node(m, rdfc.Term{}); err != nil {
			return nil, err
		}
	}
	return c.quads, nil
}

type expandedConv struct {
	quads  []rdfc.Quad
	labels map[string]string
	blanks int
}

func isValueObject(m map[string]any) bool { _, ok := m["@value"]; return ok }
func isListObject(m map[string]any) bool  { _, ok := m["@list"]; return ok }

func (c *expandedConv) fresh() rdfc.Term {
	l := "e" + strconv.Itoa(c.blanks)
	c.blanks++
	return rdfc.Term{Kind: rdfc.Blank, Value: l}
}

// resource turns an expanded @id or @type value into a term.
func (c *expandedConv) resource(id, what string) (rdfc.Term, error) {
	if strings.HasPrefix(id, "_:") {
		l, ok := c.labels[id]
		if !ok {
			l = c.fresh().Value
			c.labels[id] = l
		}
		return rdfc.Term{Kind: rdfc.Blank, Value: l}, nil
	}
	if !wellFormedIRI(id) {
		return rdfc.Term{}, fmt.Errorf("jsonld: %s %q is not an absolute IRI and would be dropped (safe mode): %w", what, id, ErrUndefinedTerm)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
}

func (c *expandedConv) predicate(p string) (rdfc.Term, error) {
	if strings.HasPrefix(p, "_:") || !wellFormedIRI(p) {
		return rdfc.Term{}, fmt.Errorf("jsonld: property %q does not expand to an absolute IRI and would be dropped (safe mode): %w", p, ErrUndefinedTerm)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: p}, nil
}

func (c *expandedConv) emit(s, p, o, g rdfc.Term) {
	c.quads = append(c.quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

// node emits the statements of a node object in graph and returns its
// term.
func (c *expandedConv) node(m map[string]any, graph rdfc.Term) (rdfc.Term, error) {
	var subject rdfc.Term
	if id, ok := m["@id"]; ok {
		s, _ := id.(string)
		t, err := c.resource(s, "@id")
		if err != nil {
			return t, err
		}
		subject = t
	} else {
		subject = c.fresh()
	}
	for key, val := range m {
		switch key {
		case "@id", "@index":
			continue
		case "@type":
			types, _ := val.([]any)
			for _, ty := range types {
				s, _ := ty.(string)
				o, err := c.resource(s, "@type")
				if err != nil {
					return subject, err
				}
				c.emit(subject, rdfc.Term{Kind: rdfc.IRI, Value: rdfType}, o, graph)
			}
		case "@graph":
			items, _ := val.([]any)
			for _, it := range items {
				n, ok := it.(map[string]any)
				if !ok || isValueObject(n) || isListObject(n) {
					continue
				}
				if _, err := c.node(n, subject); err != nil {
					return subject, err
				}
			}
		case "@included":
			items, _ := val.([]any)
			for _, it := range items {
				n, ok := it.(map[string]any)
				if !ok || isValueObject(n) || isListObject(n) {
					continue
				}
				if _, err := c.node(n, graph); err != nil {
					return subject, err
				}
			}
		case "@reverse":
			rev, _ := val.(map[string]any)
			for prop, rv := range rev {
				p, err := c.predicate(prop)
				if err != nil {
					return subject, err
				}
				items, _ := rv.([]any)
				for _, it := range items {
					n, ok := it.(map[string]any)
					if !ok || isValueObject(n) || isListObject(n) {
						return subject, contextError("@reverse value that is not a node")
					}
					o, err := c.node(n, graph)
					if err != nil {
						return subject, err
					}
					c.emit(o, p, subject, graph)
				}
			}
		default:
			if strings.HasPrefix(key, "@") {
				// json-gold keeps a key such as "@:x" through expansion;
				// RDF conversion would drop it with its value.
				return subject, fmt.Errorf("jsonld: property %q is not an IRI and would be dropped (safe mode): %w", key, ErrUndefinedTerm)
			}
			p, err := c.predicate(key)
			if err != nil {
				return subject, err
			}
			items, _ := val.([]any)
			for _, it := range items {
				o, ok, err := c.object(it, graph)
				if err != nil {
					return subject, err
				}
				if ok {
					c.emit(subject, p, o, graph)
				}
			}
		}
	}
	return subject, nil
}

// object converts one expanded property value.
func (c *expandedConv) object(it any, graph rdfc.Term) (rdfc.Term, bool, error) {
	m, ok := it.(map[string]any)
	if !ok {
		return rdfc.Term{}, false, contextError("expanded value of type %T", it)
	}
	switch {
	case isValueObject(m):
		return expandedLiteral(m)
	case isListObject(m):
		t, err := c.list(m["@list"], graph)
		return t, err == nil, err
	default:
		t, err := c.node(m, graph)
		return t, err == nil, err
	}
}

// list emits an RDF collection (JSON-LD 1.1 API §8.3 List to RDF
// Conversion) and returns its head.
func (c *expandedConv) list(v any, graph rdfc.Term) (rdfc.Term, error) {
	items, _ := v.([]any)
	var terms []rdfc.Term
	for _, it := range items {
		t, ok, err := c.object(it, graph)
		if err != nil {
			return t, err
		}
		if ok {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}, nil
	}
	head := c.fresh()
	node := head
	for i, t := range terms {
		c.emit(node, rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}, t, graph)
		next := rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
		if i < len(terms)-1 {
			next = c.fresh()
		}
		c.emit(node, rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}, next, graph)
		node = next
	}
	return head, nil
}

// expandedLiteral is JSON-LD 1.1 API §8.2 Object to RDF Conversion of a
// value object. The boolean is false for a null value, which has no
// statement.
func expandedLiteral(m map[string]any) (rdfc.Term, bool, error) {
	value := m["@value"]
	dt, _ := m["@type"].(string)
	if dt == "@json" {
		t, err := jsonLiteral(value)
		return t, err == nil, err
	}
	if value == nil {
		return rdfc.Term{}, false, nil
	}
	if dt != "" && (strings.HasPrefix(dt, "_:") || !wellFormedIRI(dt)) {
		return rdfc.Term{}, false, fmt.Errorf("jsonld: datatype %q is not an absolute IRI and would be dropped (safe mode): %w", dt, ErrUndefinedTerm)
	}
	lang, hasLang := m["@language"].(string)
	if hasLang && !validLanguage.MatchString(lang) {
		return rdfc.Term{}, false, fmt.Errorf("jsonld: invalid language tag %q would be dropped (safe mode): %w", lang, ErrUndefinedTerm)
	}
	switch x := value.(type) {
	case bool:
		if dt == "" {
			dt = xsdBoolean
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: strconv.FormatBool(x), Datatype: dt}, true, nil
	case float64:
		t, err := numberTerm(x, dt)
		return t, err == nil, err
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return rdfc.Term{}, false, unsupported("number %s", x)
		}
		t, err := numberTerm(f, dt)
		return t, err == nil, err
	case int:
		t, err := numberTerm(float64(x), dt)
		return t, err == nil, err
	case int64:
		t, err := numberTerm(float64(x), dt)
		return t, err == nil, err
	case string:
		if dir, ok := m["@direction"].(string); ok {
			return directionTerm(x, lang, dir), true, nil
		}
		if hasLang {
			return rdfc.Term{Kind: rdfc.Literal, Value: x, Datatype: rdfLangStr, Language: strings.ToLower(lang)}, true, nil
		}
		if dt == "" {
			dt = xsdString
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: x, Datatype: dt}, true, nil
	}
	return rdfc.Term{}, false, contextError("@value of type %T", value)
}
