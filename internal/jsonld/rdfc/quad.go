package rdfc

// TermKind says what an RDF term is.
type TermKind uint8

// The kinds of RDF term. The zero value marks an absent term, which is how
// a quad in the default graph leaves its graph name empty.
const (
	None TermKind = iota
	IRI
	Blank
	Literal
)

// Term is one RDF term. For a blank node Value is the label without the
// "_:" prefix. For a literal Value is the lexical form, Datatype its datatype
// IRI (xsd:string when plain) and Language its language tag, if any (then
// Datatype is rdf:langString).
type Term struct {
	Kind     TermKind
	Value    string
	Datatype string
	Language string
}

// Quad is one RDF statement. Graph.Kind == None means the default graph.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}
