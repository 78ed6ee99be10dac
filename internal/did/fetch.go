package did

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/fetch"
)

// Fetcher retrieves a DID or controller document by URL. Resolver depends on
// this interface rather than on net/http so that verification can run
// offline and tests need no network.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// HTTPFetcher fetches documents through the guarded outbound client
// (package fetch): https only, public addresses only unless the operator
// allows more, with size, time and redirect limits. Its zero value is ready
// to use.
type HTTPFetcher struct {
	// Client is the guarded client; nil means fetch.Default().
	Client *fetch.Client
	// MaxBytes limits the body; 0 means MaxDocumentBytes.
	MaxBytes int64
}

// ErrFetch reports a failed document retrieval.
var ErrFetch = errors.New("fetching document failed")

// Fetch retrieves url and returns its body.
func (f *HTTPFetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	c := f.Client
	if c == nil {
		c = fetch.Default()
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = MaxDocumentBytes
	}
	resp, err := c.Do(ctx, fetch.Request{
		URL:      rawURL,
		Accept:   "application/did+json, application/did+ld+json, application/ld+json, application/json",
		MaxBytes: limit,
	})
	switch {
	case errors.Is(err, fetch.ErrTooLarge):
		return nil, fmt.Errorf("%w: %w: %w", ErrFetch, ErrDocumentTooLarge, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrFetch, err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s answered HTTP status %s", ErrFetch, truncate(resp.URL), resp.Status)
	}
	return resp.Body, nil
}
