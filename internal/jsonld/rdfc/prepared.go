package rdfc

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"sync"
)

// Prepared is a dataset canonicalized ahead of time, for datasets that are
// that one plus a small rest: credentials of one achievement embed the same
// achievement and issuer profile (most of their statements), and only a
// dozen statements about the credential and its subject differ.
//
// RDFC-1.0 labels blank nodes by their first-degree hashes when those are
// all distinct. A first-degree hash depends only on the statements that
// mention the node, so when the rest's statements mention none of the
// prepared blank nodes (and the other way round), the prepared nodes' hashes
// are the same in every union and are computed once. What a rest changes is
// where its own nodes' hashes fall among them, which shifts the prepared
// nodes' canonical numbers; Prepared keeps the sorted canonical lines of
// the prepared statements for each such shift it has seen, so a union costs
// hashing and sorting the rest plus one merge. A union that needs anything
// else (hashes shared by two nodes, which call for the n-degree step) is
// canonicalized in full, with the same result.
//
// A Prepared is safe for concurrent use.
type Prepared struct {
	quads  []Quad           // the prepared statements, duplicates removed
	refs   [][3]int32       // per quad: node of subject, object, graph, or -1
	labels map[string]int32 // blank node label → node
	hashes [][sha256.Size]byte
	// sorted lists the nodes in order of first-degree hash; unique reports
	// whether those hashes are distinct (without it every union is
	// canonicalized in full).
	sorted []int32
	unique bool

	mu    sync.Mutex
	lines map[string]*preparedLines // by shiftKey
}

// preparedLines are the canonical lines of the prepared statements, sorted
// and without duplicates, for one placement of the rest's nodes.
type preparedLines struct {
	buf  []byte
	ends []int
}

// maxPreparedShifts bounds the line sets a Prepared keeps. A rest with r
// blank nodes among p prepared ones can fall in (p+1)^r/r! ways; a
// credential has two or three, and its achievement a few dozen.
const maxPreparedShifts = 2048

// Prepare canonicalizes quads ahead of time for WriteCanonical. The quads
// are copied.
func Prepare(quads []Quad) (*Prepared, error) {
	c := getCanonicalizer()
	defer putCanonicalizer(c)
	if err := c.load(quads); err != nil {
		return nil, err
	}
	p := &Prepared{
		quads:  make([]Quad, len(c.quads)),
		refs:   slices.Clone(c.refs),
		labels: make(map[string]int32, len(c.nodes)),
		hashes: make([][sha256.Size]byte, len(c.nodes)),
		sorted: make([]int32, len(c.nodes)),
		unique: true,
		lines:  map[string]*preparedLines{},
	}
	for i, q := range c.quads {
		p.quads[i] = *q
	}
	for i := range c.nodes {
		c.hashFirstDegree(int32(i))
		p.labels[c.nodes[i].label] = int32(i)
		p.hashes[i] = c.nodes[i].hash
		p.sorted[i] = int32(i)
	}
	slices.SortFunc(p.sorted, func(a, b int32) int { return bytes.Compare(p.hashes[a][:], p.hashes[b][:]) })
	for i := 1; i < len(p.sorted); i++ {
		if p.hashes[p.sorted[i]] == p.hashes[p.sorted[i-1]] {
			p.unique = false
		}
	}
	return p, nil
}

// Len returns the number of distinct prepared statements.
func (p *Prepared) Len() int { return len(p.quads) }

// WriteCanonical writes the canonical N-Quads document (what Canonicalize
// returns) of the union of the prepared statements and rest to w. The
// blank nodes of rest are its own: a label that is also a prepared blank
// node's label is an error, since the union would then depend on labels.
// plain is as in WriteCanonicalPlain: the caller has checked that every
// IRI of rest, and of the prepared statements, is plain.
func (p *Prepared) WriteCanonical(w io.Writer, rest []Quad, plain bool) error {
	c := getCanonicalizer()
	defer putCanonicalizer(c)
	c.plain = plain
	if err := c.load(rest); err != nil {
		return err
	}
	for i := range c.nodes {
		if _, clash := p.labels[c.nodes[i].label]; clash {
			return fmt.Errorf("%w: blank node _:%s is also a prepared blank node", ErrInvalidQuad, c.nodes[i].label)
		}
	}
	shifts, ok := p.place(c)
	if !ok {
		return p.writeUnion(w, rest, plain)
	}
	pl := p.linesFor(shifts, plain)
	restLines, restSize := c.sortedLines()

	// Merge the two sorted line lists; a statement in both is written once.
	out := slices.Grow(c.out[:0], len(pl.buf)+restSize)
	start, i := 0, 0
	for _, rl := range restLines {
		for i < len(pl.ends) {
			l := pl.buf[start:pl.ends[i]]
			cmp := bytes.Compare(l, rl)
			if cmp > 0 {
				break
			}
			if cmp < 0 {
				out = append(out, l...)
			}
			start = pl.ends[i]
			i++
			if cmp == 0 {
				break
			}
		}
		out = append(out, rl...)
	}
	out = append(out, pl.buf[start:]...)
	c.out = out
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("rdfc: write: %w", err)
	}
	return nil
}

// place hashes the rest's blank nodes (loaded into c) and issues their
// canonical labels as if the prepared nodes were there too. It returns, per
// rest node in hash order, how many prepared hashes sort before it, and
// false when some first-degree hash of the union is not unique.
func (p *Prepared) place(c *canonicalizer) ([]byte, bool) {
	if !p.unique {
		return nil, false
	}
	order := slices.Grow(c.order[:0], len(c.nodes))[:len(c.nodes)]
	c.order = order
	for i := range c.nodes {
		c.hashFirstDegree(int32(i))
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(c.nodes[a].hash[:], c.nodes[b].hash[:]) })
	key := make([]byte, 0, 2*len(order))
	for k, n := range order {
		h := &c.nodes[n].hash
		if k > 0 && *h == c.nodes[order[k-1]].hash {
			return nil, false
		}
		pos, found := slices.BinarySearchFunc(p.sorted, h, func(m int32, h *[sha256.Size]byte) int {
			return bytes.Compare(p.hashes[m][:], h[:])
		})
		if found || pos > 0xffff {
			return nil, false
		}
		c.nextCanon = int32(pos + k)
		c.issueCanon(n)
		key = append(key, byte(pos>>8), byte(pos))
	}
	return key, true
}

// linesFor returns the canonical lines of the prepared statements when the
// rest's nodes fall at shifts (see place).
func (p *Prepared) linesFor(shifts []byte, plain bool) *preparedLines {
	key := string(shifts)
	if plain {
		key += "p"
	}
	p.mu.Lock()
	pl := p.lines[key]
	p.mu.Unlock()
	if pl != nil {
		return pl
	}
	// Canonical number of the prepared node at sorted position j: j plus
	// the rest nodes that sort before it, those placed at or before j.
	canon := make([]string, len(p.hashes))
	for j, n := range p.sorted {
		before := 0
		for k := 0; k+1 < len(shifts); k += 2 {
			if int(shifts[k])<<8|int(shifts[k+1]) <= j {
				before++
			}
		}
		canon[n] = canonicalLabel(j + before)
	}
	label := func(ref int32) string {
		if ref < 0 {
			return ""
		}
		return canon[ref]
	}
	var buf []byte
	lines := make([][]byte, 0, len(p.quads))
	for i := range p.quads {
		q := &p.quads[i]
		ref := &p.refs[i]
		start := len(buf)
		buf, _ = appendLine(buf, q, [3]string{label(ref[0]), label(ref[1]), label(ref[2])}, plain)
		lines = append(lines, buf[start:len(buf):len(buf)])
	}
	slices.SortFunc(lines, bytes.Compare)
	pl = &preparedLines{buf: make([]byte, 0, len(buf))}
	for i, l := range lines {
		if i > 0 && bytes.Equal(l, lines[i-1]) {
			continue
		}
		pl.buf = append(pl.buf, l...)
		pl.ends = append(pl.ends, len(pl.buf))
	}
	p.mu.Lock()
	if prev := p.lines[key]; prev != nil {
		pl = prev
	} else if len(p.lines) < maxPreparedShifts {
		p.lines[key] = pl
	}
	p.mu.Unlock()
	return pl
}

// writeUnion canonicalizes the union in full.
func (p *Prepared) writeUnion(w io.Writer, rest []Quad, plain bool) error {
	all := make([]Quad, 0, len(p.quads)+len(rest))
	all = append(append(all, p.quads...), rest...)
	return writeCanonical(w, all, plain)
}

func canonicalLabel(n int) string {
	if n < len(canonLabels) {
		return canonLabels[n]
	}
	return fmt.Sprintf("c14n%d", n)
}
