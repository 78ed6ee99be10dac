package did

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/url"
	"strings"
)

// Resolver resolves DIDs and verification methods to documents and keys.
//
// did:key needs nothing. did:web and https controller documents come first
// from Documents (documents the operator supplied, keyed by DID or URL, so
// that verification can run offline) and otherwise from Fetcher. A nil
// Resolver, or one without a Fetcher, resolves did:key and the supplied
// documents only.
type Resolver struct {
	Fetcher   Fetcher
	Documents map[string]*Document
}

// Resolve returns the validated document of a did:key or did:web DID, or of
// an https controller document URL (Controlled Identifiers 1.0, which Open
// Badges issuers without a DID use: the verification method is
// "https://example.edu/issuers/1#key"). The document id must equal the
// identifier; errors wrap ErrDocumentID, ErrInvalidDocument,
// ErrDocumentTooLarge, ErrFetch, ErrInvalidDID or ErrUnsupportedMethod.
func (r *Resolver) Resolve(ctx context.Context, id string) (*Document, error) {
	var fetchURL string
	switch {
	case strings.HasPrefix(id, keyPrefix):
		return ResolveKey(id)
	case strings.HasPrefix(id, webPrefix):
		u, err := WebURL(id)
		if err != nil {
			return nil, err
		}
		fetchURL = u
	case strings.HasPrefix(id, "https://"):
		u, err := controllerURL(id)
		if err != nil {
			return nil, err
		}
		fetchURL = u
	case strings.HasPrefix(id, "did:"):
		method, _, _ := strings.Cut(strings.TrimPrefix(id, "did:"), ":")
		return nil, fmt.Errorf("%w: did:%s", ErrUnsupportedMethod, truncate(method))
	default:
		return nil, fmt.Errorf("%w: %q is neither a DID nor an https URL", ErrInvalidDID, truncate(id))
	}

	if r != nil {
		if doc, ok := r.Documents[id]; ok && doc != nil {
			if err := checkDocument(doc, id); err != nil {
				return nil, fmt.Errorf("supplied document for %q: %w", id, err)
			}
			return doc, nil
		}
	}
	if r == nil || r.Fetcher == nil {
		return nil, fmt.Errorf("%w: no document supplied for %q and fetching is disabled", ErrFetch, id)
	}
	data, err := r.Fetcher.Fetch(ctx, fetchURL)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", id, err)
	}
	doc, err := ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("resolving %q from %s: %w", id, fetchURL, err)
	}
	if err := checkDocument(doc, id); err != nil {
		return nil, fmt.Errorf("resolving %q from %s: %w", id, fetchURL, err)
	}
	return doc, nil
}

// checkDocument validates a document and binds it to the identifier it was
// resolved for; without the id check a server could answer for any DID.
func checkDocument(doc *Document, id string) error {
	if err := doc.validate(); err != nil {
		return err
	}
	if doc.ID != id {
		return fmt.Errorf("%w: document id is %q, want %q", ErrDocumentID, truncate(doc.ID), truncate(id))
	}
	return nil
}

// controllerURL validates an https controller document URL; it is fetched
// as is.
func controllerURL(id string) (string, error) {
	if len(id) > maxDIDLen {
		return "", fmt.Errorf("%w: controller URL longer than %d characters", ErrInvalidDID, maxDIDLen)
	}
	u, err := url.Parse(id)
	if err != nil {
		return "", fmt.Errorf("%w: controller URL %q: %v", ErrInvalidDID, truncate(id), err)
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || u.RawFragment != "" {
		return "", fmt.Errorf("%w: controller URL %q must be https://host/path without user info or fragment", ErrInvalidDID, truncate(id))
	}
	return id, nil
}

// SplitMethodURL splits a verification method URL into the controller
// identifier (DID or https URL) and the fragment.
func SplitMethodURL(verificationMethod string) (controller, fragment string, err error) {
	controller, fragment, ok := strings.Cut(verificationMethod, "#")
	if !ok || fragment == "" || controller == "" {
		return "", "", fmt.Errorf("%w: verification method %q has no #fragment", ErrInvalidDID, truncate(verificationMethod))
	}
	if strings.HasPrefix(controller, "did:") && strings.ContainsAny(controller, "/?") {
		return "", "", fmt.Errorf("%w: verification method %q: DID URLs with a path or query are not supported", ErrInvalidDID, truncate(verificationMethod))
	}
	return controller, fragment, nil
}

// PublicKey resolves a verification method URL (did:key:z..#z..,
// did:web:...#key-1, https://example.edu/issuers/1#key-1) to its Ed25519
// key. It checks, in order, that the method is in its controller's document
// (ErrMethodNotFound), that the method's controller is that document's id
// (ErrControllerMismatch), and that the document lists the method under
// relationship, for example "assertionMethod" (ErrRelationship).
func (r *Resolver) PublicKey(ctx context.Context, verificationMethod, relationship string) (ed25519.PublicKey, error) {
	vm, err := r.authorizedMethod(ctx, verificationMethod, relationship)
	if err != nil {
		return nil, err
	}
	pub, err := vm.Ed25519PublicKey()
	if err != nil {
		return nil, fmt.Errorf("verification method %q: %w", truncate(verificationMethod), err)
	}
	return pub, nil
}

// authorizedMethod resolves a verification method and makes the checks
// PublicKey documents.
func (r *Resolver) authorizedMethod(ctx context.Context, verificationMethod, relationship string) (VerificationMethod, error) {
	controller, _, err := SplitMethodURL(verificationMethod)
	if err != nil {
		return VerificationMethod{}, err
	}
	doc, err := r.Resolve(ctx, controller)
	if err != nil {
		return VerificationMethod{}, err
	}
	vm, ok := doc.Method(verificationMethod)
	if !ok {
		return VerificationMethod{}, fmt.Errorf("%w: %q is not in the document of %q", ErrMethodNotFound, truncate(verificationMethod), truncate(controller))
	}
	if vm.Controller != doc.ID {
		return VerificationMethod{}, fmt.Errorf("%w: method %q has controller %q, document is %q", ErrControllerMismatch, truncate(verificationMethod), truncate(vm.Controller), truncate(doc.ID))
	}
	if doc.relationship(relationship) == nil {
		return VerificationMethod{}, fmt.Errorf("%w: unknown relationship %q", ErrRelationship, truncate(relationship))
	}
	if !doc.Authorizes(relationship, verificationMethod) {
		return VerificationMethod{}, fmt.Errorf("%w: %q is not listed under %s of %q", ErrRelationship, truncate(verificationMethod), relationship, truncate(controller))
	}
	return vm, nil
}
