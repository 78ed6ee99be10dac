package jsonld

import (
	"errors"
	"fmt"
)

var (
	// ErrRemoteContext reports a context URL that microcred does not ship.
	// Contexts are never fetched over the network.
	ErrRemoteContext = errors.New("remote context refused")

	// ErrUndefinedTerm reports data that JSON-LD expansion would silently
	// drop or could not turn into an absolute IRI: a property with no
	// definition, a relative @type or @id, an invalid IRI or language tag.
	// Such data would not be covered by a signature, so it is refused.
	ErrUndefinedTerm = errors.New("undefined term")

	// ErrUnsupported reports a JSON-LD feature the fast path does not
	// implement. Canonicalize then falls back to CanonicalizeReference.
	ErrUnsupported = errors.New("unsupported JSON-LD feature")
)

func remoteContextError(url string) error {
	return fmt.Errorf("jsonld: context %q is not shipped with microcred; remote contexts are never fetched: %w", url, ErrRemoteContext)
}
