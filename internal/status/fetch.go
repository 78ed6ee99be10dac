package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/fetch"
)

// MaxDocumentBytes bounds a fetched list credential: the largest encoded
// list plus room for the rest of the document.
const MaxDocumentBytes = MaxEncodedLen + 64<<10

// MaxCacheAge caps the max-age a remote server may ask for: a verifier
// should learn of a revocation within the hour whatever the server says.
const MaxCacheAge = time.Hour

// HTTPSource fetches list credentials through the guarded outbound client
// (package fetch) with conditional requests: https only, public addresses
// only unless the operator allows more, with a size limit and a timeout.
// List URLs come from credentials anyone can write, and a verifier must not
// become a probe into its own network. The zero value is ready to use.
type HTTPSource struct {
	// Client is the guarded client; nil means fetch.Default().
	Client *fetch.Client
}

// Fetch implements Source.
func (h *HTTPSource) Fetch(ctx context.Context, rawURL, etag string) (Fetched, error) {
	c := h.Client
	if c == nil {
		c = fetch.Default()
	}
	var header http.Header
	if etag != "" {
		header = http.Header{"If-None-Match": {etag}}
	}
	resp, err := c.Do(ctx, fetch.Request{
		URL:      rawURL,
		Accept:   "application/vc+ld+json, application/vc, application/ld+json, application/json",
		Header:   header,
		MaxBytes: MaxDocumentBytes,
	})
	if err != nil {
		return Fetched{}, err
	}
	maxAge := cacheMaxAge(resp.Header.Get("Cache-Control"))
	switch {
	case resp.StatusCode == http.StatusNotModified && etag != "":
		return Fetched{NotModified: true, ETag: etag, MaxAge: maxAge}, nil
	case resp.StatusCode != http.StatusOK:
		return Fetched{}, &fetch.StatusError{URL: resp.URL, Code: resp.StatusCode, Status: resp.Status}
	}
	return Fetched{Document: resp.Body, ETag: resp.Header.Get("ETag"), MaxAge: maxAge}, nil
}

// cacheMaxAge reads max-age from a Cache-Control header, capped at
// MaxCacheAge; no-store, no-cache or no max-age mean zero.
func cacheMaxAge(cc string) time.Duration {
	var age time.Duration
	for _, d := range strings.Split(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.Atoi(strings.TrimPrefix(d, "max-age="))
			if err == nil && n > 0 {
				age = time.Duration(n) * time.Second
			}
		}
	}
	return min(age, MaxCacheAge)
}

// Fetch implements Source for this server's own lists, read from the store
// without HTTP; other URLs fail with ErrNotLocal. Answers carry no max-age,
// so a Checker revalidates on every check: one small query, and a
// revocation shows at once.
func (s *Service) Fetch(ctx context.Context, rawURL, etag string) (Fetched, error) {
	slug, purpose, list, ok := ParseListURL(s.BaseURL, rawURL)
	if !ok {
		return Fetched{}, ErrNotLocal
	}
	p, err := s.List(ctx, slug, purpose, list)
	if err != nil {
		return Fetched{}, err
	}
	if etag != "" && etag == p.ETag {
		return Fetched{NotModified: true, ETag: etag}, nil
	}
	return Fetched{Document: p.Document, ETag: p.ETag}, nil
}

// LocalFirst asks Local for the lists it serves and Remote for the rest.
type LocalFirst struct {
	Local  Source
	Remote Source // nil means no remote fetching
}

// Fetch implements Source.
func (l LocalFirst) Fetch(ctx context.Context, rawURL, etag string) (Fetched, error) {
	if l.Local != nil {
		f, err := l.Local.Fetch(ctx, rawURL, etag)
		if !errors.Is(err, ErrNotLocal) {
			return f, err
		}
	}
	if l.Remote == nil {
		return Fetched{}, fmt.Errorf("%s is not a list of this server and remote fetching is off", rawURL)
	}
	return l.Remote.Fetch(ctx, rawURL, etag)
}

// Files serves list credentials given in advance (offline verification),
// keyed by their id.
type Files map[string][]byte

// LoadFiles reads list credential files; each file's "id" is the URL it
// answers for.
func LoadFiles(paths ...string) (Files, error) {
	fs := Files{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("status: read status list: %w", err)
		}
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &head); err != nil || head.ID == "" {
			return nil, fmt.Errorf("status: %s is not a status list credential with an id", p)
		}
		fs[head.ID] = b
	}
	return fs, nil
}

// Fetch implements Source.
func (f Files) Fetch(_ context.Context, rawURL, _ string) (Fetched, error) {
	b, ok := f[rawURL]
	if !ok {
		return Fetched{}, fmt.Errorf("no copy of %s was given (offline)", rawURL)
	}
	return Fetched{Document: b, MaxAge: MaxCacheAge}, nil
}
