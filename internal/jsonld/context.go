package jsonld

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// The patterns json-gold uses while processing term definitions.
var (
	ignoredKeyword = regexp.MustCompile(`^@[a-zA-Z]+$`)
	iriLikeTerm    = regexp.MustCompile(`(?::[^:])|/`)
	invalidPrefix  = regexp.MustCompile(`[:/]`)
)

// termDef is a processed term definition. It is immutable once built and
// shared between active contexts.
type termDef struct {
	id        string
	typ       string
	container []string
	cSet      bool
	cList     bool
	cGraph    bool
	cLanguage bool
	cIndex    bool
	cID       bool
	cType     bool
	reverse   bool   // a reverse property (@reverse in the definition)
	special   bool   // any container but @set, or @json: see propertyValues
	indexProp string // the property of a property-valued index
	indexTerm string // the @index value naming it
	hasLang   bool
	lang      *string
	hasDir    bool
	dir       string // "" with hasDir: the term removes the default direction
	hasCtx    bool
	ctx       any
	prefix    bool
	protected bool
	// idOK and typOK cache the safe-mode checks of id and typ as RDF
	// terms (wellFormedIRI), done once per definition instead of once
	// per statement. A well-formed IRI needs no escape in N-Quads.
	idOK  bool
	typOK bool
}

// activeCtx is a processed active context. It is immutable once built;
// the contexts derived from it are memoized in cache so that processing the
// same contexts for thousands of credentials happens once.
type activeCtx struct {
	terms        map[string]*termDef // a nil value is a term mapped to null
	vocab        *string
	lang         string
	hasLang      bool
	dir          string // the default base direction, "ltr", "rtl" or ""
	anyProtected bool
	previous     *activeCtx

	mu    sync.Mutex
	cache map[ctxKey]*activeCtx
	// byURLs memoizes derivations by document @context values made only
	// of URLs, keyed by urlKey, so that the lookup for every document
	// needs no allocation.
	byURLs map[string]*activeCtx
	// byContent memoizes derivations by any other document @context
	// value (inline context objects), keyed by contentKey: issuers embed
	// the same few inline contexts in every credential, and processing
	// one costs more than the rest of the conversion.
	byContent map[string]*activeCtx
}

// maxByContent bounds byContent per context; when it is full it starts
// over. Contexts are immutable, so dropping one costs only its
// reprocessing.
const maxByContent = 128

// maxContentKey bounds the inline contexts worth remembering.
const maxContentKey = 64 << 10

// ctxKey names one derivation of an active context by a scoped context
// held by a term definition.
type ctxKey struct {
	td        *termDef
	propagate bool
	override  bool
}

// maxDerived bounds the memoized derivations per context so documents with
// ever-new combinations of contexts cannot grow memory without limit.
const maxDerived = 256

var rootCtx = &activeCtx{terms: map[string]*termDef{}}

func (c *activeCtx) clone() *activeCtx {
	return &activeCtx{
		terms:        maps.Clone(c.terms),
		vocab:        c.vocab,
		lang:         c.lang,
		hasLang:      c.hasLang,
		dir:          c.dir,
		anyProtected: c.anyProtected,
		previous:     c.previous,
	}
}

// derive returns the active context that results from processing local on
// top of c, memoized when the local context is cacheable.
func (c *activeCtx) derive(local any, td *termDef, propagate, override bool) (*activeCtx, error) {
	if td != nil {
		key := ctxKey{td: td, propagate: propagate, override: override}
		c.mu.Lock()
		r, ok := c.cache[key]
		c.mu.Unlock()
		if ok {
			return r, nil
		}
		r, err := c.parse(local, nil, propagate, override)
		if err != nil {
			return nil, err
		}
		return keepDerived(c, &c.cache, key, r), nil
	}
	var buf [256]byte
	key, cacheable := urlKey(buf[:0], local, propagate, override)
	if cacheable {
		c.mu.Lock()
		r, ok := c.byURLs[string(key)]
		c.mu.Unlock()
		if ok {
			return r, nil
		}
	}
	if !cacheable {
		ck, ok := contentKey(key[:0], local, propagate, override)
		if ok {
			c.mu.Lock()
			r, found := c.byContent[string(ck)]
			c.mu.Unlock()
			if found {
				return r, nil
			}
			// The result outlives this document: its term definitions
			// must not share maps the caller may change later.
			local = copyJSON(local)
		}
		r, err := c.parse(local, nil, propagate, override)
		if err != nil {
			return nil, err
		}
		if ok {
			c.mu.Lock()
			if prev, found := c.byContent[string(ck)]; found {
				r = prev
			} else {
				if c.byContent == nil || len(c.byContent) >= maxByContent {
					c.byContent = make(map[string]*activeCtx)
				}
				c.byContent[string(ck)] = r
			}
			c.mu.Unlock()
		}
		return r, nil
	}
	r, err := c.parse(local, nil, propagate, override)
	if err != nil {
		return nil, err
	}
	return keepDerived(c, &c.byURLs, string(key), r), nil
}

// contentKey appends to dst an unambiguous encoding of any local context
// (a decoded JSON value) and the two processing flags: each value tagged
// by its JSON type, strings length-prefixed, object members in key order.
// It reports false for a value too large to be worth remembering or of a
// type JSON decoding does not produce.
func contentKey(dst []byte, local any, propagate, override bool) ([]byte, bool) {
	flags := byte('0')
	if propagate {
		flags |= 1
	}
	if override {
		flags |= 2
	}
	dst = append(dst, flags, 'c')
	return AppendValueKey(dst, local, maxContentKey)
}

// AppendValueKey appends to dst an unambiguous encoding of v, a decoded
// JSON value, for use as a cache key: each value tagged by its JSON type,
// strings and member names length-prefixed, object members in key order.
// It reports false for a key longer than limit bytes (a value too large to
// be worth remembering) or a value of a type JSON decoding does not
// produce. The inline-context cache here and the proof-configuration cache
// of package proof both key on it.
func AppendValueKey(dst []byte, v any, limit int) ([]byte, bool) {
	dst, ok := appendValueKey(dst, v, limit)
	return dst, ok && len(dst) <= limit
}

func appendValueKey(dst []byte, v any, limit int) ([]byte, bool) {
	if len(dst) > limit {
		return dst, false
	}
	switch x := v.(type) {
	case nil:
		return append(dst, 'n'), true
	case bool:
		if x {
			return append(dst, 't'), true
		}
		return append(dst, 'f'), true
	case string:
		dst = append(dst, 's')
		dst = binary.AppendUvarint(dst, uint64(len(x)))
		return append(dst, x...), true
	case float64:
		dst = append(dst, 'd')
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(x)), true
	case json.Number:
		dst = append(dst, 'j')
		dst = binary.AppendUvarint(dst, uint64(len(x)))
		return append(dst, x...), true
	case []any:
		dst = append(dst, 'l')
		dst = binary.AppendUvarint(dst, uint64(len(x)))
		for _, e := range x {
			var ok bool
			if dst, ok = appendValueKey(dst, e, limit); !ok {
				return dst, false
			}
		}
		return dst, true
	case map[string]any:
		var keyBuf [32]string
		keys := keyBuf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, 'm')
		dst = binary.AppendUvarint(dst, uint64(len(keys)))
		for _, k := range keys {
			dst = binary.AppendUvarint(dst, uint64(len(k)))
			dst = append(dst, k...)
			var ok bool
			if dst, ok = appendValueKey(dst, x[k], limit); !ok {
				return dst, false
			}
		}
		return dst, true
	}
	return dst, false
}

// keepDerived caches r, derived from c, under k in *m (one of c's caches)
// while both together hold fewer than maxDerived contexts, and returns the
// context to use. A concurrent derivation may have cached its result
// meanwhile: that one is returned, so that one derivation has one context
// object (jsonld.Template recognises its parts by the identity of the
// context they are met in).
func keepDerived[K comparable](c *activeCtx, m *map[K]*activeCtx, k K, r *activeCtx) *activeCtx {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := (*m)[k]; ok {
		return prev
	}
	if *m == nil {
		*m = make(map[K]*activeCtx)
	}
	if len(c.cache)+len(c.byURLs) < maxDerived {
		(*m)[k] = r
	}
	return r
}

// urlKey appends to dst the cache key of a local context made only of URL
// strings: the two processing flags, whether it is a string or a list,
// then each URL preceded by its length, so that no two contexts share a
// key.
func urlKey(dst []byte, local any, propagate, override bool) ([]byte, bool) {
	flags := byte('0')
	if propagate {
		flags |= 1
	}
	if override {
		flags |= 2
	}
	switch v := local.(type) {
	case string:
		dst = append(dst, flags, 's')
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
		return dst, true
	case []any:
		dst = append(dst, flags, 'l')
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return dst, false
			}
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
		}
		return dst, true
	}
	return dst, false
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("jsonld: "+format+": %w", append(args, ErrUnsupported)...)
}

// contextError reports a context json-gold would also refuse; the caller
// falls back to the reference path, which produces json-gold's own error.
func contextError(format string, args ...any) error {
	return fmt.Errorf("jsonld: invalid context: "+format, args...)
}

// parse is JSON-LD 1.1 context processing as json-gold implements it,
// restricted to the features the fast path supports.
func (c *activeCtx) parse(local any, remote []string, propagate, override bool) (*activeCtx, error) {
	contexts, ok := local.([]any)
	if !ok {
		contexts = []any{local}
	}
	if len(contexts) == 0 {
		return c, nil
	}
	if first, ok := contexts[0].(map[string]any); ok {
		if p, ok := first["@propagate"].(bool); ok {
			propagate = p
		}
	}
	result := c.clone()
	if !propagate && result.previous == nil {
		result.previous = c
	}
	for _, lc := range contexts {
		switch v := lc.(type) {
		case nil:
			if !override && result.anyProtected {
				return nil, contextError("nullification of a context with protected terms")
			}
			n := &activeCtx{terms: map[string]*termDef{}}
			if !propagate {
				n.previous = result
			}
			result = n
		case string:
			if slices.Contains(remote, v) {
				return nil, contextError("recursive inclusion of %q", v)
			}
			doc, err := parsedContext(v)
			if err != nil {
				return nil, err
			}
			m, ok := doc.(map[string]any)
			inner, has := m["@context"]
			if !ok || !has {
				return nil, contextError("%q has no @context", v)
			}
			r, err := result.parse(inner, append(slices.Clip(remote), v), true, override)
			if err != nil {
				return nil, err
			}
			result = r
		case map[string]any:
			if err := result.parseMap(v, override); err != nil {
				return nil, err
			}
		default:
			return nil, contextError("local context of type %T", lc)
		}
	}
	return result, nil
}

func (result *activeCtx) parseMap(m map[string]any, override bool) error {
	if nested := m["@context"]; nested != nil {
		nm, ok := nested.(map[string]any)
		if !ok {
			return contextError("nested @context is not an object")
		}
		m = nm
	}
	for _, k := range []string{"@import", "@base"} {
		if _, ok := m[k]; ok {
			return unsupported("%s in a context", k)
		}
	}
	if v, ok := m["@version"]; ok && v != 1.1 {
		return contextError("@version %v", v)
	}
	if v, ok := m["@language"]; ok {
		switch l := v.(type) {
		case nil:
			result.hasLang, result.lang = false, ""
		case string:
			result.hasLang, result.lang = true, strings.ToLower(l)
		default:
			return contextError("@language %v", v)
		}
	}
	if v, ok := m["@direction"]; ok {
		switch d := v.(type) {
		case nil:
			result.dir = ""
		case string:
			if d != "ltr" && d != "rtl" {
				return contextError("@direction %q", d)
			}
			result.dir = d
		default:
			return contextError("@direction %v", v)
		}
	}
	defined := map[string]bool{}
	if v, ok := m["@propagate"]; ok {
		if _, isBool := v.(bool); !isBool {
			return contextError("@propagate %v", v)
		}
		defined["@propagate"] = true
	}
	if v, ok := m["@vocab"]; ok {
		switch s := v.(type) {
		case nil:
			result.vocab = nil
		case string:
			e, err := result.expandIRI(s, true)
			if err != nil {
				return err
			}
			result.vocab = &e
		default:
			return contextError("@vocab %v", v)
		}
	}
	if v, ok := m["@protected"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return unsupported("non-boolean @protected")
		}
		defined["@protected"] = b
	}
	// Sorted so that errors and recursion happen in a fixed order.
	keys := make([]string, 0, len(m))
	for k := range m {
		switch k {
		case "@base", "@direction", "@import", "@language", "@protected", "@version", "@vocab", "@propagate":
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := result.createTerm(m, k, defined, override); err != nil {
			return err
		}
	}
	return nil
}

func (c *activeCtx) createTerm(local map[string]any, term string, defined map[string]bool, override bool) error {
	if d, ok := defined[term]; ok {
		if d {
			return nil
		}
		return contextError("cyclic IRI mapping for %q", term)
	}
	defined[term] = false
	value := local[term]
	mv, isMap := value.(map[string]any)
	if idv, hasID := mv["@id"]; value == nil || (isMap && hasID && idv == nil) {
		if prev := c.terms[term]; prev != nil && prev.protected && !override {
			return contextError("redefinition of protected term %q", term)
		}
		c.terms[term] = nil
		defined[term] = true
		return nil
	}
	simple := false
	if s, ok := value.(string); ok {
		mv = map[string]any{"@id": s}
		simple, isMap = true, true
	}
	if !isMap {
		return contextError("term %q: definition of type %T", term, value)
	}
	if ld.IsKeyword(term) {
		return unsupported("redefinition of keyword %s", term)
	}
	if ignoredKeyword.MatchString(term) {
		return nil
	}
	prev, hadPrev := c.terms[term]
	delete(c.terms, term)
	def := &termDef{}
	for k := range mv {
		switch k {
		case "@container", "@id", "@language", "@type", "@context", "@prefix", "@protected", "@direction", "@reverse", "@index", "@nest":
		default:
			return contextError("term %q: unknown key %s", term, k)
		}
	}
	colon := strings.Index(term, ":")
	hasColon := colon > 0
	if rv, ok := mv["@reverse"]; ok {
		_, hasID := mv["@id"]
		_, hasNest := mv["@nest"]
		rs, isString := rv.(string)
		if hasID || hasNest || !isString {
			return contextError("term %q: invalid reverse property", term)
		}
		if ignoredKeyword.MatchString(rs) {
			return nil
		}
		res, err := c.expandIRILocal(rs, true, local, defined)
		if err != nil {
			return err
		}
		if !isAbsIRI(res) || ld.IsKeyword(res) {
			return contextError("term %q: @reverse %q is not an IRI", term, res)
		}
		def.id, def.reverse = res, true
	}
	if idv, ok := mv["@id"]; ok && !def.reverse {
		ids, isString := idv.(string)
		if !isString {
			return contextError("term %q: @id is not a string", term)
		}
		if term != ids {
			if !ld.IsKeyword(ids) && ignoredKeyword.MatchString(ids) {
				return nil
			}
			res, err := c.expandIRILocal(ids, true, local, defined)
			if err != nil {
				return err
			}
			if !ld.IsKeyword(res) && !isAbsIRI(res) {
				return contextError("term %q: @id %q is not an IRI", term, res)
			}
			if res == "@context" {
				return contextError("alias of @context")
			}
			def.id = res
			if iriLikeTerm.MatchString(term) {
				defined[term] = true
				tiri, err := c.expandIRILocal(term, true, local, defined)
				if err != nil {
					return err
				}
				if tiri != res {
					return contextError("term %q expands to %q, not %q", term, tiri, res)
				}
				delete(defined, term)
			}
			suffix := false
			if res != "" {
				switch res[len(res)-1] {
				case ':', '/', '?', '#', '[', ']', '@':
					suffix = true
				}
			}
			def.prefix = !hasColon && suffix && simple
		}
	}
	if def.id == "" {
		switch {
		case hasColon:
			p := term[:colon]
			if _, ok := local[p]; ok {
				if err := c.createTerm(local, p, defined, override); err != nil {
					return err
				}
			}
			if ptd, ok := c.terms[p]; ok {
				if ptd == nil {
					return unsupported("compact IRI %q with a null prefix", term)
				}
				def.id = ptd.id + term[colon+1:]
			} else {
				def.id = term
			}
		case c.vocab != nil:
			def.id = *c.vocab + term
		default:
			return contextError("relative term definition %q without vocabulary mapping", term)
		}
	}
	if pv, ok := mv["@protected"]; ok {
		b, isBool := pv.(bool)
		if !isBool {
			return unsupported("non-boolean @protected")
		}
		def.protected = b
	} else {
		def.protected = defined["@protected"]
	}
	if def.protected {
		c.anyProtected = true
	}
	defined[term] = true
	if tv, ok := mv["@type"]; ok {
		ts, isString := tv.(string)
		if !isString {
			return contextError("term %q: @type is not a string", term)
		}
		switch ts {
		case "@id", "@vocab", "@json", "@none":
		default:
			e, err := c.expandIRILocal(ts, true, local, defined)
			if err != nil {
				return err
			}
			if !isAbsIRI(e) || strings.HasPrefix(e, "_:") {
				return contextError("term %q: @type %q is not an absolute IRI", term, e)
			}
			ts = e
		}
		def.typ = ts
	}
	if cv, ok := mv["@container"]; ok {
		var list []string
		switch x := cv.(type) {
		case string:
			list = []string{x}
		case []any:
			for _, e := range x {
				s, isString := e.(string)
				if !isString {
					return unsupported("non-string @container")
				}
				list = append(list, s)
			}
		default:
			return contextError("term %q: @container %v", term, cv)
		}
		for _, s := range list {
			switch s {
			case "@set":
				def.cSet = true
			case "@list":
				def.cList = true
			case "@graph":
				def.cGraph = true
			case "@language":
				def.cLanguage = true
			case "@index":
				def.cIndex = true
			case "@id":
				def.cID = true
			case "@type":
				def.cType = true
			default:
				return contextError("term %q: @container %s", term, s)
			}
		}
		maps := 0
		for _, b := range []bool{def.cLanguage, def.cIndex, def.cID, def.cType} {
			if b {
				maps++
			}
		}
		if maps > 1 || (def.cLanguage || def.cType) && def.cGraph {
			return contextError("term %q: invalid container combination", term)
		}
		if def.reverse && (def.cList || def.cGraph || def.cLanguage || def.cID || def.cType) {
			return contextError("term %q: invalid reverse property container", term)
		}
		if def.cType && def.typ != "" && def.typ != "@id" && def.typ != "@vocab" {
			return contextError("term %q: type map with @type %q", term, def.typ)
		}
		if def.cList && (len(list) != 1) {
			return contextError("@list container combined with others")
		}
		if def.cGraph && def.cList {
			return contextError("@graph container with @list")
		}
		if !def.cGraph && len(list) > 2 || (!def.cGraph && len(list) == 2 && !def.cSet) ||
			def.cGraph && len(list) > 3 {
			return contextError("invalid container combination")
		}
		def.container = list
	}
	if cv, ok := mv["@context"]; ok {
		def.ctx, def.hasCtx = cv, true
	}
	if lv, ok := mv["@language"]; ok {
		if _, hasType := mv["@type"]; !hasType {
			switch l := lv.(type) {
			case string:
				s := strings.ToLower(l)
				def.lang, def.hasLang = &s, true
			case nil:
				def.lang, def.hasLang = nil, true
			default:
				return contextError("term %q: @language %v", term, lv)
			}
		}
	}
	if dv, ok := mv["@direction"]; ok {
		if _, hasType := mv["@type"]; !hasType {
			switch d := dv.(type) {
			case nil:
				def.dir, def.hasDir = "", true
			case string:
				if d != "ltr" && d != "rtl" {
					return contextError("term %q: @direction %q", term, d)
				}
				def.dir, def.hasDir = d, true
			default:
				return contextError("term %q: @direction %v", term, dv)
			}
		}
	}
	if iv, ok := mv["@index"]; ok {
		is, isString := iv.(string)
		if !isString || !def.cIndex {
			return contextError("term %q: @index %v", term, iv)
		}
		e, err := c.expandIRILocal(is, true, local, defined)
		if err != nil {
			return err
		}
		if ld.IsKeyword(e) || !isAbsIRI(e) {
			return contextError("term %q: @index %q", term, is)
		}
		def.indexProp, def.indexTerm = e, is
	}
	if nv, ok := mv["@nest"]; ok {
		ns, isString := nv.(string)
		if !isString || ld.IsKeyword(ns) && ns != "@nest" {
			return contextError("term %q: @nest %v", term, nv)
		}
	}
	if pv, ok := mv["@prefix"]; ok {
		if invalidPrefix.MatchString(term) {
			return contextError("@prefix on %q", term)
		}
		b, isBool := pv.(bool)
		if !isBool {
			return contextError("@prefix %v", pv)
		}
		if ld.IsKeyword(def.id) {
			return contextError("keyword used as prefix")
		}
		def.prefix = b
	}
	if hadPrev && prev != nil && prev.protected && !override {
		def.protected = true
		if !sameDefinition(prev, def) {
			return contextError("redefinition of protected term %q", term)
		}
	}
	def.special = def.cList || def.cGraph || def.cLanguage || def.cIndex || def.cID || def.cType || def.typ == "@json"
	def.idOK = wellFormedIRI(def.id)
	def.typOK = wellFormedIRI(def.typ)
	c.terms[term] = def
	return nil
}

// sameDefinition mirrors json-gold's DeepCompareTermDef (which ignores the
// prefix flag).
func sameDefinition(a, b *termDef) bool {
	return a.id == b.id && a.typ == b.typ && a.hasCtx == b.hasCtx && a.protected == b.protected &&
		a.reverse == b.reverse && a.indexProp == b.indexProp &&
		slices.Equal(a.container, b.container) &&
		a.hasLang == b.hasLang && reflect.DeepEqual(a.lang, b.lang) && a.hasDir == b.hasDir && a.dir == b.dir &&
		jsonEqual(a.ctx, b.ctx)
}

func jsonEqual(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// expandIRI is IRI expansion outside context processing (json-gold's
// ExpandIri with no local context). The document base IRI is empty, so
// relative resolution leaves a value unchanged.
func (c *activeCtx) expandIRI(value string, vocab bool) (string, error) {
	return c.expandIRILocal(value, vocab, nil, nil)
}

// expandKey is expandIRI(key, true) that also returns the term definition
// the key expanded by, if it names a (non-null) term.
func (c *activeCtx) expandKey(key string) (string, *termDef, error) {
	// The order of expandIRILocal: keywords and keyword-like forms first,
	// then terms.
	if len(key) == 0 || key[0] != '@' || !(ld.IsKeyword(key) || ignoredKeyword.MatchString(key)) {
		if td, ok := c.terms[key]; ok {
			if td == nil {
				return "", nil, nil
			}
			return td.id, td, nil
		}
	}
	e, err := c.expandIRILocal(key, true, nil, nil)
	return e, nil, err
}

// expandIRILocal is IRI expansion; local and defined are given only while
// processing a context, to define terms on demand.
func (c *activeCtx) expandIRILocal(value string, vocab bool, local map[string]any, defined map[string]bool) (string, error) {
	if ld.IsKeyword(value) {
		return value, nil
	}
	if len(value) > 1 && value[0] == '@' && ignoredKeyword.MatchString(value) {
		return "", nil
	}
	if local != nil {
		if _, ok := local[value]; ok && !defined[value] {
			if err := c.createTerm(local, value, defined, false); err != nil {
				return "", err
			}
		}
	}
	if vocab {
		if td, ok := c.terms[value]; ok {
			if td == nil {
				return "", nil
			}
			return td.id, nil
		}
	}
	if colon := strings.IndexByte(value, ':'); colon > 0 {
		prefix, suffix := value[:colon], value[colon+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, nil
		}
		if local != nil {
			if _, ok := local[prefix]; ok && !defined[prefix] {
				if err := c.createTerm(local, prefix, defined, false); err != nil {
					return "", err
				}
			}
		}
		if td, ok := c.terms[prefix]; ok {
			if td == nil {
				return "", unsupported("compact IRI %q with a null prefix", value)
			}
			if td.id != "" && td.prefix {
				return td.id + suffix, nil
			}
		}
		if isAbsIRI(value) {
			return value, nil
		}
	}
	if vocab && c.vocab != nil {
		return *c.vocab + value, nil
	}
	if local != nil && !isAbsIRI(value) {
		return "", contextError("not an absolute IRI: %s", value)
	}
	return value, nil
}

// copyJSON copies the maps and slices of a decoded JSON value.
func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyJSON(e)
		}
		return out
	}
	return v
}
