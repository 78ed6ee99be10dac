package rdfc

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrTooComplex is wrapped by the error Canonicalize returns when a dataset
// needs more Hash N-Degree Quads work than MaxNDegreeWork allows.
var ErrTooComplex = errors.New("rdfc: dataset too complex to canonicalize")

// ErrInvalidQuad is wrapped by the error Canonicalize returns for a quad
// whose terms cannot form an RDF statement.
var ErrInvalidQuad = errors.New("rdfc: invalid quad")

// MaxNDegreeWork bounds the Hash N-Degree Quads work of one
// canonicalization: every call of the algorithm and every permutation it
// examines counts one unit. Past the bound Canonicalize gives up with
// ErrTooComplex, so that a crafted dataset (a clique of blank nodes, a
// large symmetric graph) cannot pin a CPU. Datasets whose blank nodes all
// have distinct first-degree hashes, which covers ordinary credentials,
// use no n-degree work at all. The default passes every W3C test,
// including the "evil" poison graphs (which need a few thousand units),
// and rejects the W3C 10-node clique within milliseconds.
var MaxNDegreeWork = 50_000

// Canonicalize returns the canonical N-Quads document of the dataset
// quads under RDFC-1.0 with SHA-256: blank nodes relabelled _:c14n0,
// _:c14n1, ..., one line per distinct quad, lines sorted in code point
// order, each ending in "\n".
func Canonicalize(quads []Quad) (string, error) {
	c := getCanonicalizer()
	defer putCanonicalizer(c)
	if err := c.run(quads); err != nil {
		return "", err
	}
	lines, size := c.sortedLines()
	var sb strings.Builder
	sb.Grow(size)
	for _, l := range lines {
		sb.Write(l)
	}
	return sb.String(), nil
}

// AppendCanonical appends the canonical N-Quads document of quads (what
// Canonicalize returns) to dst and returns the extended slice.
func AppendCanonical(dst []byte, quads []Quad) ([]byte, error) {
	c := getCanonicalizer()
	defer putCanonicalizer(c)
	if err := c.run(quads); err != nil {
		return dst, err
	}
	lines, size := c.sortedLines()
	dst = slices.Grow(dst, size)
	for _, l := range lines {
		dst = append(dst, l...)
	}
	return dst, nil
}

// WriteCanonical writes the canonical N-Quads document of quads (what
// Canonicalize returns) to w, line by line, without building it in
// memory; hashing the document is its main use. Nothing is written when
// canonicalization fails.
func WriteCanonical(w io.Writer, quads []Quad) error {
	return writeCanonical(w, quads, false)
}

// WriteCanonicalPlain is WriteCanonical for a dataset whose IRIs,
// datatype IRIs included, the caller has checked with PlainIRI (a JSON-LD
// conversion that refuses other IRIs, say). Scanning IRIs for characters
// to escape is a good part of serializing, and this skips it; an IRI that
// is not plain after all is written verbatim.
func WriteCanonicalPlain(w io.Writer, quads []Quad) error {
	return writeCanonical(w, quads, true)
}

func writeCanonical(w io.Writer, quads []Quad, plain bool) error {
	c := getCanonicalizer()
	defer putCanonicalizer(c)
	c.plain = plain
	if err := c.run(quads); err != nil {
		return err
	}
	lines, size := c.sortedLines()
	// One contiguous write: a hash processes it block by block without
	// copying each line into its own buffer first.
	out := slices.Grow(c.out[:0], size)
	for _, l := range lines {
		out = append(out, l...)
	}
	c.out = out
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("rdfc: write: %w", err)
	}
	return nil
}

// CanonicalizeWithMap is Canonicalize that also returns the issued
// identifier map: each input blank node label mapped to its canonical
// label ("c14n0", ...), both without the "_:" prefix.
func CanonicalizeWithMap(quads []Quad) (string, map[string]string, error) {
	c := getCanonicalizer()
	defer putCanonicalizer(c)
	if err := c.run(quads); err != nil {
		return "", nil, err
	}
	m := make(map[string]string, len(c.nodes))
	for i := range c.nodes {
		m[c.nodes[i].label] = c.nodes[i].canonLabel
	}
	lines, size := c.sortedLines()
	var sb strings.Builder
	sb.Grow(size)
	for _, l := range lines {
		sb.Write(l)
	}
	return sb.String(), m, nil
}

// canonicalizers recycles the working memory of canonicalizations: a
// credential is canonicalized twice per signature (document and proof
// configuration), and at thousands of signatures per second the buffers,
// indexes and hash state would otherwise dominate the garbage produced.
var canonicalizers = sync.Pool{New: func() any { return &canonicalizer{h: sha256.New()} }}

// maxPooledBuf keeps an exceptionally large dataset from pinning its
// buffers in the pool.
const maxPooledBuf = 1 << 20

func getCanonicalizer() *canonicalizer {
	c := canonicalizers.Get().(*canonicalizer)
	c.reset()
	return c
}

func putCanonicalizer(c *canonicalizer) {
	if cap(c.buf) > maxPooledBuf || cap(c.out) > maxPooledBuf || cap(c.quads) > maxPooledBuf/64 {
		return
	}
	// Drop references into the caller's quads so that the pool does not
	// keep them alive.
	clear(c.quads[:cap(c.quads)])
	for i := range c.nodes {
		c.nodes[i].label = ""
	}
	canonicalizers.Put(c)
}

// reset prepares a recycled canonicalizer, keeping its allocated memory.
func (c *canonicalizer) reset() {
	c.quads = c.quads[:0]
	c.refs = c.refs[:0]
	c.nodes = c.nodes[:0]
	c.nextCanon = 0
	c.plain = false
	c.ranked = false
	c.work = 0
	c.buf = c.buf[:0]
	c.lines = c.lines[:0]
	c.ends = c.ends[:0]
	if c.index == nil {
		c.index = make(map[string]int32)
	} else {
		clear(c.index)
	}
}

// bnode is the state of one blank node of the input.
type bnode struct {
	label      string
	quads      []int32 // indexes into canonicalizer.quads, each at most once
	hash       [sha256.Size]byte
	hex        [2 * sha256.Size]byte
	canon      int32 // canonical number, -1 until issued
	canonLabel string
	rank       int32 // position of label in code point order
}

type canonicalizer struct {
	quads     []*Quad
	refs      [][3]int32 // per quad: node of subject, object, graph, or -1
	nodes     []bnode
	nextCanon int32
	ranked    bool
	work      int
	maxWork   int
	h         hash.Hash
	plain     bool // every IRI satisfies PlainIRI
	buf       []byte
	out       []byte
	lines     [][]byte
	ends      []int
	subj      []int32
	distinct  [][]byte
	byRank    []rankedLine
	order     []int32
	index     map[string]int32
}

func (c *canonicalizer) run(input []Quad) error {
	c.maxWork = MaxNDegreeWork
	if err := c.load(input); err != nil {
		return err
	}

	// Hash First Degree Quads for every blank node; group them by hash.
	order := slices.Grow(c.order[:0], len(c.nodes))[:len(c.nodes)]
	c.order = order
	for i := range c.nodes {
		c.hashFirstDegree(int32(i))
		order[i] = int32(i)
	}
	// Stable, so nodes sharing a hash stay in order of first appearance.
	slices.SortStableFunc(order, func(a, b int32) int {
		return bytes.Compare(c.nodes[a].hash[:], c.nodes[b].hash[:])
	})

	// Unique first-degree hashes get canonical identifiers in hash order;
	// the shared ones are kept, in hash order, for the n-degree step.
	var shared [][]int32
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && c.nodes[order[j]].hash == c.nodes[order[i]].hash {
			j++
		}
		if j-i == 1 {
			c.issueCanon(order[i])
		} else {
			shared = append(shared, order[i:j])
		}
		i = j
	}

	for _, group := range shared {
		type result struct {
			hash [sha256.Size]byte
			iss  *issuer
		}
		var results []result
		for _, n := range group {
			if c.nodes[n].canon >= 0 {
				continue
			}
			iss := newIssuer(len(c.nodes))
			iss.issue(n)
			h, res, err := c.hashNDegree(n, iss)
			if err != nil {
				return err
			}
			results = append(results, result{h, res})
		}
		slices.SortStableFunc(results, func(a, b result) int {
			return bytes.Compare(a.hash[:], b.hash[:])
		})
		for _, r := range results {
			for _, n := range r.iss.order {
				c.issueCanon(n)
			}
		}
	}
	return nil
}

// load validates the input, removes duplicate statements that contain
// blank nodes (they would distort the hashes; ground duplicates are
// dropped when the output is sorted) and indexes the blank nodes. Quads
// are referenced, not copied.
func (c *canonicalizer) load(input []Quad) error {
	index := c.index
	var seen map[Quad]struct{} // only for nodes with many quads
	c.quads = slices.Grow(c.quads[:0], len(input))
	c.refs = slices.Grow(c.refs[:0], len(input))
	for i := range input {
		q := &input[i]
		if err := checkQuad(q); err != nil {
			return fmt.Errorf("quad %d: %w", i, err)
		}
		if q.Subject.Kind != Blank && q.Object.Kind != Blank && q.Graph.Kind != Blank {
			c.quads = append(c.quads, q)
			c.refs = append(c.refs, [3]int32{-1, -1, -1})
			continue
		}
		ref := [3]int32{-1, -1, -1}
		for k, t := range [3]*Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind != Blank {
				continue
			}
			n, ok := index[t.Value]
			if !ok {
				n = int32(len(c.nodes))
				index[t.Value] = n
				c.addNode(t.Value)
			}
			ref[k] = n
		}
		// A duplicate lists the same nodes, so it is among the quads of
		// its first blank node; short lists are scanned, long ones hashed.
		var first *bnode
		for _, r := range ref {
			if r >= 0 {
				first = &c.nodes[r]
				break
			}
		}
		dup := false
		if len(first.quads) < 16 {
			for _, qi := range first.quads {
				if *c.quads[qi] == *q {
					dup = true
					break
				}
			}
		} else {
			if seen == nil {
				seen = make(map[Quad]struct{})
				for qi, r := range c.refs {
					if r != [3]int32{-1, -1, -1} {
						seen[*c.quads[qi]] = struct{}{}
					}
				}
			}
			_, dup = seen[*q]
		}
		if seen != nil {
			seen[*q] = struct{}{}
		}
		if dup {
			continue
		}
		qi := int32(len(c.quads))
		c.quads = append(c.quads, q)
		c.refs = append(c.refs, ref)
		for _, n := range ref {
			// A quad is listed once per node even if the node occurs in
			// it twice (a self link): the map holds sets of quads.
			if n < 0 {
				continue
			}
			if l := c.nodes[n].quads; len(l) == 0 || l[len(l)-1] != qi {
				c.nodes[n].quads = append(l, qi)
			}
		}
	}
	return nil
}

// addNode appends a blank node, reusing the quad list of a recycled one.
func (c *canonicalizer) addNode(label string) {
	if len(c.nodes) < cap(c.nodes) {
		c.nodes = c.nodes[:len(c.nodes)+1]
		n := &c.nodes[len(c.nodes)-1]
		*n = bnode{label: label, quads: n.quads[:0], canon: -1}
		return
	}
	c.nodes = append(c.nodes, bnode{label: label, canon: -1})
}

func checkQuad(q *Quad) error {
	switch {
	case q.Subject.Kind != IRI && q.Subject.Kind != Blank:
		return fmt.Errorf("%w: subject must be an IRI or a blank node", ErrInvalidQuad)
	case q.Predicate.Kind != IRI:
		return fmt.Errorf("%w: predicate must be an IRI", ErrInvalidQuad)
	case q.Object.Kind == None || q.Object.Kind > Literal:
		return fmt.Errorf("%w: object missing", ErrInvalidQuad)
	case q.Graph.Kind == Literal || q.Graph.Kind > Literal:
		return fmt.Errorf("%w: graph name must be an IRI or a blank node", ErrInvalidQuad)
	}
	for _, t := range [3]*Term{&q.Subject, &q.Object, &q.Graph} {
		if t.Kind == Blank && t.Value == "" {
			return fmt.Errorf("%w: empty blank node label", ErrInvalidQuad)
		}
	}
	return nil
}

func (c *canonicalizer) issueCanon(n int32) {
	node := &c.nodes[n]
	if node.canon >= 0 {
		return
	}
	node.canon = c.nextCanon
	if int(c.nextCanon) < len(canonLabels) {
		node.canonLabel = canonLabels[c.nextCanon]
	} else {
		node.canonLabel = "c14n" + strconv.Itoa(int(c.nextCanon))
	}
	c.nextCanon++
}

// canonLabels are the first canonical labels, made once: credentials use
// a few dozen.
var canonLabels = func() (t [256]string) {
	for i := range t {
		t[i] = "c14n" + strconv.Itoa(i)
	}
	return t
}()

// hashFirstDegree implements Hash First Degree Quads (RDFC-1.0 4.6).
func (c *canonicalizer) hashFirstDegree(n int32) {
	node := &c.nodes[n]
	buf := c.buf[:0]
	ends := c.ends[:0]
	for _, qi := range node.quads {
		q := c.quads[qi]
		ref := &c.refs[qi]
		buf, _ = appendLine(buf, q, [3]string{firstDegreeLabel(ref[0], n), firstDegreeLabel(ref[1], n), firstDegreeLabel(ref[2], n)}, c.plain)
		ends = append(ends, len(buf))
	}
	lines := c.lines[:0]
	start := 0
	for _, end := range ends {
		lines = append(lines, buf[start:end])
		start = end
	}
	if len(lines) > 1 {
		slices.SortFunc(lines, bytes.Compare)
	}
	c.h.Reset()
	for _, l := range lines {
		c.h.Write(l)
	}
	c.h.Sum(node.hash[:0])
	hex.Encode(node.hex[:], node.hash[:])
	c.buf, c.lines, c.ends = buf, lines, ends
}

// appendLine appends the N-Quads line of q, with labels giving the labels
// of blank subject, object and graph, and returns it with the length of
// the subject's serialization.
func appendLine(dst []byte, q *Quad, labels [3]string, plain bool) ([]byte, int) {
	start := len(dst)
	dst = appendTerm(dst, &q.Subject, labels[0], plain)
	subject := len(dst) - start
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Predicate, "", plain)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Object, labels[1], plain)
	if q.Graph.Kind != None {
		dst = append(dst, ' ')
		dst = appendTerm(dst, &q.Graph, labels[2], plain)
	}
	return append(dst, " .\n"...), subject
}

func firstDegreeLabel(ref, n int32) string {
	if ref == n {
		return "a"
	}
	return "z"
}

// issuer is a temporary identifier issuer ("b" prefix) of the n-degree
// step: ids maps a node to its number (-1 when none); order lists the
// nodes in issue order.
type issuer struct {
	ids   []int32
	order []int32
}

func newIssuer(nodes int) *issuer {
	iss := &issuer{ids: make([]int32, nodes)}
	for i := range iss.ids {
		iss.ids[i] = -1
	}
	return iss
}

func (s *issuer) issue(n int32) int32 {
	if id := s.ids[n]; id >= 0 {
		return id
	}
	id := int32(len(s.order))
	s.ids[n] = id
	s.order = append(s.order, n)
	return id
}

func (s *issuer) clone() *issuer {
	return &issuer{ids: slices.Clone(s.ids), order: slices.Clone(s.order)}
}

func (c *canonicalizer) spend() error {
	c.work++
	if c.work > c.maxWork {
		return fmt.Errorf("%w: more than %d units of Hash N-Degree Quads work", ErrTooComplex, c.maxWork)
	}
	return nil
}

type related struct {
	hash [sha256.Size]byte
	node int32
}

// hashNDegree implements Hash N-Degree Quads (RDFC-1.0 4.8).
func (c *canonicalizer) hashNDegree(n int32, iss *issuer) ([sha256.Size]byte, *issuer, error) {
	var sum [sha256.Size]byte
	if err := c.spend(); err != nil {
		return sum, nil, err
	}
	// Steps 1-3: hash to related blank nodes, kept as a list sorted by
	// hash; duplicates stay, as the algorithm appends to lists.
	var rels []related
	for _, qi := range c.nodes[n].quads {
		ref := &c.refs[qi]
		for pos, r := range ref {
			if r < 0 || r == n {
				continue
			}
			rels = append(rels, related{c.hashRelated(r, c.quads[qi], iss, pos), r})
		}
	}
	slices.SortStableFunc(rels, func(a, b related) int { return bytes.Compare(a.hash[:], b.hash[:]) })

	md := sha256.New()
	var hexBuf [2 * sha256.Size]byte
	var path, chosen []byte
	var perm []int32
	var recursion []int32
	for i := 0; i < len(rels); {
		j := i + 1
		for j < len(rels) && rels[j].hash == rels[i].hash {
			j++
		}
		hex.Encode(hexBuf[:], rels[i].hash[:])
		md.Write(hexBuf[:]) // 5.1
		list := make([]int32, 0, j-i)
		for _, r := range rels[i:j] {
			list = append(list, r.node)
		}
		i = j

		chosen = chosen[:0]
		haveChosen := false
		var chosenIssuer *issuer
		p := c.newPermuter(list)
		for !p.done {
			perm = p.next(perm)
			if err := c.spend(); err != nil {
				return sum, nil, err
			}
			cp := iss.clone()
			path = path[:0]
			recursion = recursion[:0]
			skip := false
			for _, r := range perm {
				if cn := c.nodes[r].canon; cn >= 0 {
					path = appendID(path, "_:c14n", cn)
				} else {
					if cp.ids[r] < 0 {
						recursion = append(recursion, r)
					}
					path = appendID(path, "_:b", cp.issue(r))
				}
				// Once path sorts after chosen it can only grow larger.
				if haveChosen && bytes.Compare(path, chosen) > 0 {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			for _, r := range recursion {
				h, res, err := c.hashNDegree(r, cp)
				if err != nil {
					return sum, nil, err
				}
				path = appendID(path, "_:b", cp.issue(r))
				path = append(path, '<')
				path = hex.AppendEncode(path, h[:])
				path = append(path, '>')
				cp = res
				if haveChosen && bytes.Compare(path, chosen) > 0 {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			if !haveChosen || bytes.Compare(path, chosen) < 0 {
				chosen = append(chosen[:0], path...)
				chosenIssuer = cp
				haveChosen = true
			}
		}
		md.Write(chosen) // 5.5
		iss = chosenIssuer
	}
	md.Sum(sum[:0])
	return sum, iss, nil
}

var positions = [3]string{"s", "o", "g"}

// hashRelated implements Hash Related Blank Node (RDFC-1.0 4.7).
func (c *canonicalizer) hashRelated(r int32, q *Quad, iss *issuer, pos int) [sha256.Size]byte {
	b := c.buf[:0]
	b = append(b, positions[pos]...)
	if pos != 2 {
		b = append(b, '<')
		b = append(b, q.Predicate.Value...)
		b = append(b, '>')
	}
	node := &c.nodes[r]
	switch {
	case node.canon >= 0:
		b = appendID(b, "_:c14n", node.canon)
	case iss.ids[r] >= 0:
		b = appendID(b, "_:b", iss.ids[r])
	default:
		b = append(b, node.hex[:]...)
	}
	c.buf = b
	return sha256.Sum256(b)
}

func appendID(dst []byte, prefix string, n int32) []byte {
	dst = append(dst, prefix...)
	return strconv.AppendInt(dst, int64(n), 10)
}

// permuter yields the permutations of a list in the order of the
// Steinhaus-Johnson-Trotter algorithm starting from the list sorted by
// blank node label, as the reference implementation does; elements with
// equal labels share a direction. The order decides which of several
// equally good paths is kept, and so the issued identifier map.
type permuter struct {
	cur  []int32
	dir  map[int32]bool // true: looking left
	rank func(int32) int32
	done bool
}

func (c *canonicalizer) newPermuter(list []int32) *permuter {
	if !c.ranked {
		c.rankLabels()
	}
	rank := func(n int32) int32 { return c.nodes[n].rank }
	slices.SortFunc(list, func(a, b int32) int { return cmp.Compare(rank(a), rank(b)) })
	dir := make(map[int32]bool, len(list))
	for _, e := range list {
		dir[e] = true
	}
	return &permuter{cur: list, dir: dir, rank: rank}
}

func (p *permuter) next(out []int32) []int32 {
	out = append(out[:0], p.cur...)
	cur, rank := p.cur, p.rank
	k, pos := int32(-1), 0
	for i, e := range cur {
		left := p.dir[e]
		if (k < 0 || rank(e) > rank(k)) &&
			((left && i > 0 && rank(e) > rank(cur[i-1])) ||
				(!left && i < len(cur)-1 && rank(e) > rank(cur[i+1]))) {
			k, pos = e, i
		}
	}
	if k < 0 {
		p.done = true
		return out
	}
	swap := pos + 1
	if p.dir[k] {
		swap = pos - 1
	}
	cur[pos], cur[swap] = cur[swap], k
	for _, e := range cur {
		if rank(e) > rank(k) {
			p.dir[e] = !p.dir[e]
		}
	}
	return out
}

func (c *canonicalizer) rankLabels() {
	idx := make([]int32, len(c.nodes))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(c.nodes[a].label, c.nodes[b].label) })
	for r, n := range idx {
		c.nodes[n].rank = int32(r)
	}
	c.ranked = true
}

// sortedLines serializes the quads with canonical labels and returns the
// lines sorted, without duplicates, and their total length. The lines
// point into c.buf and are valid until c is reused.
func (c *canonicalizer) sortedLines() ([][]byte, int) {
	size := 0
	for _, q := range c.quads {
		size += len(q.Subject.Value) + len(q.Predicate.Value) + len(q.Object.Value) +
			len(q.Object.Datatype) + len(q.Object.Language) + len(q.Graph.Value) + 16
	}
	buf := slices.Grow(c.buf[:0], size)
	ends := c.ends[:0]
	subj := c.subj[:0]
	for i := range c.quads {
		q := c.quads[i]
		ref := &c.refs[i]
		var n int
		buf, n = appendLine(buf, q, [3]string{c.canonLabel(ref[0]), c.canonLabel(ref[1]), c.canonLabel(ref[2])}, c.plain)
		subj = append(subj, int32(n))
		ends = append(ends, len(buf))
	}
	lines := c.lines[:0]
	start := 0
	for _, end := range ends {
		lines = append(lines, buf[start:end])
		start = end
	}
	c.sortLines(lines, subj)
	out := lines[:0]
	total := 0
	for i, l := range lines {
		if i > 0 && bytes.Equal(l, lines[i-1]) {
			continue
		}
		out = append(out, l)
		total += len(l)
	}
	c.buf, c.lines, c.ends, c.subj = buf, lines, ends, subj
	return out, total
}

// maxRankedSubjects bounds the distinct subjects sortLines ranks; a
// dataset with more is sorted by plain comparison.
const maxRankedSubjects = 64

// rankedLine is a line to sort with the rank of its subject among the
// distinct subjects, and the length of the subject's serialization.
type rankedLine struct {
	line       []byte
	rank, subj int32
}

// sortLines sorts lines in code point order; subj[i] is the length of the
// subject that starts lines[i]. Most comparisons are between lines of the
// same subject (a credential has a few dozen statements about a handful of
// nodes), and comparing whole lines compares the long subject IRI again
// and again. So distinct subjects are ranked once, and lines are compared
// by subject rank, then by the rest of the line. The order is the same:
// the space that ends a subject sorts before every byte a subject can
// contain, so when two subjects differ the lines compare as the subjects
// do.
func (c *canonicalizer) sortLines(lines [][]byte, subj []int32) {
	if len(lines) < 2 {
		return
	}
	// Distinct subjects, found by comparison with the previous line's
	// subject (statements about one node are usually adjacent) and then
	// with the others seen so far.
	distinct := c.distinct[:0]
	ranked := c.byRank[:0]
	defer func() { c.distinct, c.byRank = distinct, ranked }()
	for i, l := range lines {
		s := l[:subj[i]]
		id := -1
		if i > 0 && bytes.Equal(s, lines[i-1][:subj[i-1]]) {
			id = int(ranked[i-1].rank)
		} else {
			for j, d := range distinct {
				if bytes.Equal(s, d) {
					id = j
					break
				}
			}
		}
		if id < 0 {
			if len(distinct) == maxRankedSubjects {
				slices.SortFunc(lines, bytes.Compare)
				return
			}
			id = len(distinct)
			distinct = append(distinct, s)
		}
		ranked = append(ranked, rankedLine{line: l, rank: int32(id), subj: subj[i]})
	}
	// Replace the ids by ranks in the subjects' code point order.
	var order [maxRankedSubjects]int32
	var rankOf [maxRankedSubjects]int32
	for i := range distinct {
		order[i] = int32(i)
	}
	slices.SortFunc(order[:len(distinct)], func(a, b int32) int { return bytes.Compare(distinct[a], distinct[b]) })
	for r, id := range order[:len(distinct)] {
		rankOf[id] = int32(r)
	}
	for i := range ranked {
		ranked[i].rank = rankOf[ranked[i].rank]
	}
	slices.SortFunc(ranked, func(a, b rankedLine) int {
		if a.rank != b.rank {
			return cmp.Compare(a.rank, b.rank)
		}
		return bytes.Compare(a.line[a.subj:], b.line[b.subj:])
	})
	for i := range ranked {
		lines[i] = ranked[i].line
	}
}

func (c *canonicalizer) canonLabel(ref int32) string {
	if ref < 0 {
		return ""
	}
	return c.nodes[ref].canonLabel
}
