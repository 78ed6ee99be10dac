package jsonld

import (
	"github.com/piprate/json-gold/ld"
)

// offlineLoader serves the shipped contexts and refuses everything else.
type offlineLoader struct{}

// Loader returns a json-gold document loader that serves only the contexts
// shipped with microcred, each parsed once. Any other URL fails with an
// error wrapping ErrRemoteContext; nothing is ever fetched.
func Loader() ld.DocumentLoader { return offlineLoader{} }

// LoadDocument implements ld.DocumentLoader.
func (offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	doc, err := parsedContext(u)
	if err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}
