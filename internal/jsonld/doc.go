// Package jsonld is microcred's JSON-LD layer: the shipped contexts, an
// offline document loader, and RDF Dataset Canonicalization (RDFC-1.0) of
// credentials for Data Integrity proofs.
//
// # Contexts are shipped, never fetched
//
// Every context microcred understands (VC v1 and v2, Data Integrity,
// Multikey, Bitstring Status List, DID v1, the W3C examples, the citizenship
// vocabulary used by the W3C test vectors, Open Badges 3.0.x and CLR 2.0)
// is embedded in the binary (Context, ContextURLs). Loader gives json-gold a
// document loader that serves only those and refuses any other URL with
// ErrRemoteContext. A verifier that fetched contexts would let whoever
// controls a context URL change what a signed credential means, and would
// make verification depend on the network.
//
// # Fast path and reference path
//
// CanonicalizeReference runs json-gold's JSON-LD 1.1 expansion, then
// expandedToRDF (Deserialize JSON-LD to RDF, written from the spec) and
// rdfc.Canonicalize; it costs milliseconds per credential. json-gold's own
// RDF conversion and serialization are not used: they write controls and
// IRIs unescaped and get numbers and @json values wrong (DISAGREEMENTS.md
// lists every known disagreement with other implementations and the spec
// text that decides it). Canonicalize runs ToRDF, a one-pass JSON-LD
// 1.1 expansion and conversion to RDF that memoizes every processed context
// (document contexts — URL lists and inline objects, keyed by content —
// type-scoped and property-scoped contexts) on the active context it was
// derived from, and then rdfc.Canonicalize. Whenever ToRDF does not produce
// a dataset — a feature it does not implement (ErrUnsupported), or an
// error — Canonicalize returns what CanonicalizeReference returns, so the
// two are identical by contract; the conformance, differential (with a
// generator of varied credentials) and fuzz tests hold the fast path to
// it. FallbackCount says how often the reference path ran.
//
// Both paths write every statement through rdfc, so no path produces bytes
// that are not canonical N-Quads; both refuse IRIs that are not RFC 3987
// IRIs, so no IRI needs an escape. WriteCanonical streams the canonical
// N-Quads into an io.Writer (a hash, for signing and verification) without
// building the document, and the fast path recycles its buffers between
// documents.
//
// Features handled by the fast path: remote (shipped) and inline contexts,
// @vocab, compact IRIs and prefixes, @protected, type-scoped contexts with
// json-gold's propagation and reverting rules, property-scoped contexts,
// @propagate, null contexts, type coercion to @id, @vocab, @json (any JSON
// value) and datatypes, @language and @direction defaults, term mappings
// and value objects (directions as i18n datatypes, as the Data Integrity
// cryptosuites require), @set, @list (and lists of lists), @graph
// containers alone or with @index or @id, @language, @index, @id and @type
// maps (with property-valued indexes), @nest, @reverse (keyword and
// reverse properties), @included,
// @index, graph objects and top-level @graph, nested arrays, native
// numbers and booleans, and blank nodes. Features that fall back to the
// reference path: @import, @base, keyword redefinition, graph objects
// inside @graph containers, property-valued indexes of values that are not
// node objects.
//
// # Safe mode
//
// JSON-LD expansion silently drops data it cannot map to IRIs: a property
// no context defines, a relative @type or @id (the document base is empty),
// and json-gold also drops statements whose http(s) IRI or language tag it
// considers invalid. Dropped data is not covered by a signature, so an
// attacker could add or alter it freely. Like the "safe mode" of jsonld.js
// used by Data Integrity, both paths refuse such documents with
// ErrUndefinedTerm, naming the term.
package jsonld
