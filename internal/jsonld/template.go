package jsonld

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/jsonld/rdfc"
)

// Template canonicalizes documents that embed the same node objects again
// and again — every credential of an achievement embeds the achievement and
// its issuer's profile, most of its statements — by converting and
// canonicalizing those parts once (see rdfc.Prepared).
//
// A part is recognised by identity: the very map given to NewTemplate,
// embedded at a place where the JSON-LD processing state (active context,
// property, type-scoped context, graph, depth) is what it was in the frame.
// There its statements are known, and the walk emits only the link to it.
// Anywhere else, or a second time in one document, it is processed like any
// other object. The result is always Canonicalize's: a document in which no
// part is recognised costs one pointer comparison per object more.
//
// The parts must not change after NewTemplate (they are typically shared,
// read-only catalog data). A Template is safe for concurrent use.
type Template struct {
	parts []templatePart
	prep  *rdfc.Prepared // the statements of every part
}

// templatePart is one part: its map, the processing state it was met in,
// the node it is, and its statements (blank nodes labelled t0, t1, …). The
// map is held, not only its address, so that its memory cannot be reused
// by another map while the template lives.
type templatePart struct {
	m     map[string]any
	ptr   uintptr
	call  elementCall
	node  rdfc.Term
	quads []rdfc.Quad
}

// elementCall is the processing state an object is met in: the arguments
// of walker.element other than the object.
type elementCall struct {
	active, tsc *activeCtx
	activeProp  string
	propTD      *termDef
	graph       rdfc.Term
	top         bool
	depth       int
}

// maxTemplateParts bounds the parts of a Template (a bit mask tracks them).
const maxTemplateParts = 64

// ErrNotTemplatable is returned by NewTemplate for a part whose statements
// do not stand on their own.
var ErrNotTemplatable = errors.New("jsonld: part cannot be prepared")

// NewTemplate converts frame, a document that embeds each of parts once,
// and keeps the statements each part produces. A part must be a node
// object with an IRI @id whose statements mention no blank node from
// outside it, use no explicit blank node identifier, and are in the
// default graph; otherwise NewTemplate fails with ErrNotTemplatable. The
// frame's other statements are discarded.
func NewTemplate(frame map[string]any, parts ...map[string]any) (*Template, error) {
	if len(parts) == 0 || len(parts) > maxTemplateParts {
		return nil, fmt.Errorf("jsonld: template: %d parts (want 1 to %d)", len(parts), maxTemplateParts)
	}
	t := &Template{parts: make([]templatePart, len(parts))}
	for i, p := range parts {
		if p == nil {
			return nil, fmt.Errorf("jsonld: template: part %d is nil", i)
		}
		t.parts[i].m, t.parts[i].ptr = p, reflect.ValueOf(p).Pointer()
	}
	w := &walker{tmpl: t, recording: true}
	if err := w.run(frame); err != nil {
		return nil, fmt.Errorf("jsonld: template frame: %w", err)
	}
	var all []rdfc.Quad
	for i := range t.parts {
		if w.seen&(1<<i) == 0 {
			return nil, fmt.Errorf("%w: part %d is not embedded in the frame", ErrNotTemplatable, i)
		}
		all = append(all, t.parts[i].quads...)
	}
	prep, err := rdfc.Prepare(all)
	if err != nil {
		return nil, fmt.Errorf("jsonld: template: %w", err)
	}
	t.prep = prep
	return t, nil
}

// WriteCanonical writes what Canonicalize returns for doc to w (compare
// WriteCanonical), taking the statements of the template's parts from the
// template where doc embeds them.
func (t *Template) WriteCanonical(w io.Writer, doc any) error {
	wk := getWalker()
	defer putWalker(wk)
	wk.tmpl = t
	if err := wk.run(doc); err != nil {
		// The plain path gives Canonicalize's result and error, falling
		// back to the reference implementation where it must.
		return WriteCanonical(w, doc)
	}
	if wk.seen == 1<<len(t.parts)-1 {
		return t.prep.WriteCanonical(w, wk.quads, true)
	}
	for i := range t.parts {
		if wk.seen&(1<<i) != 0 {
			wk.quads = append(wk.quads, t.parts[i].quads...)
		}
	}
	return rdfc.WriteCanonicalPlain(w, wk.quads)
}

// partOf returns the index of the part elem is, or -1. Only the first
// occurrence of a part in a document counts: a second one is a node of its
// own (its blank nodes are new ones), so it is walked.
func (w *walker) partOf(elem map[string]any) int {
	p := reflect.ValueOf(elem).Pointer()
	for i := range w.tmpl.parts {
		if w.tmpl.parts[i].ptr == p && w.seen&(1<<i) == 0 {
			return i
		}
	}
	return -1
}

// templateElement handles an object that is part i: when recording, it
// walks the part and keeps its statements; otherwise, in the same state as
// in the frame, it pushes the part's node without walking it. It reports
// whether it handled the object.
func (w *walker) templateElement(i int, call elementCall, elem map[string]any) (bool, error) {
	part := &w.tmpl.parts[i]
	if !w.recording {
		if call != part.call {
			return false, nil
		}
		w.seen |= 1 << i
		w.push(part.node)
		return true, nil
	}
	start, blanks, labels := len(w.quads), w.blanks, len(w.labels)
	if err := w.elementBody(call.active, call.activeProp, call.propTD, elem, call.tsc, call.graph, call.top, call.depth); err != nil {
		return true, err
	}
	w.seen |= 1 << i
	switch {
	case len(w.stack) == 0 || w.stack[len(w.stack)-1].Kind != rdfc.IRI:
		return true, fmt.Errorf("%w: part %d is not a node object with an IRI @id", ErrNotTemplatable, i)
	case len(w.labels) != labels:
		return true, fmt.Errorf("%w: part %d uses blank node identifiers", ErrNotTemplatable, i)
	case call.graph.Kind != rdfc.None:
		return true, fmt.Errorf("%w: part %d is in a named graph", ErrNotTemplatable, i)
	}
	part.call = call
	part.node = w.stack[len(w.stack)-1]
	part.quads = make([]rdfc.Quad, 0, len(w.quads)-start)
	for _, q := range w.quads[start:] {
		for _, term := range []*rdfc.Term{&q.Subject, &q.Object, &q.Graph} {
			if term.Kind != rdfc.Blank {
				continue
			}
			n, err := strconv.Atoi(strings.TrimPrefix(term.Value, "b"))
			if err != nil || n < blanks {
				return true, fmt.Errorf("%w: part %d links to a blank node outside it", ErrNotTemplatable, i)
			}
			term.Value = "t" + strconv.Itoa(n)
		}
		part.quads = append(part.quads, q)
	}
	return true, nil
}
