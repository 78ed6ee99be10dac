package did

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// Fetcher retrieves a DID or controller document by URL. Resolver depends on
// this interface rather than on net/http so that verification can run
// offline and tests need no network.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// HTTPFetcher fetches documents over HTTPS with a size limit. Its zero value
// is ready to use: a client with a 10 s timeout that follows at most three
// redirects, all https, and refuses to connect to loopback, private,
// link-local and other non-public addresses, because the URLs come from
// credentials that anyone can write and a verifier must not become a probe
// into its own network.
type HTTPFetcher struct {
	// Client replaces the default client. The scheme of the final URL
	// (after redirects) is still checked, but the address checks then are
	// the client's business.
	Client *http.Client
	// MaxBytes limits the body; 0 means MaxDocumentBytes.
	MaxBytes int64
	// AllowHTTP permits plain http URLs, for tests against a local server.
	AllowHTTP bool
	// AllowPrivateNetworks lets the default client connect to loopback and
	// private addresses, for tests and intranet deployments.
	AllowPrivateNetworks bool

	once    sync.Once
	builtin *http.Client
}

// ErrFetch reports a failed document retrieval.
var ErrFetch = errors.New("fetching document failed")

// Fetch retrieves url and returns its body.
func (f *HTTPFetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrFetch, truncate(rawURL), err)
	}
	if err := f.checkScheme(u); err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrFetch, truncate(rawURL), err)
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = MaxDocumentBytes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrFetch, truncate(rawURL), err)
	}
	req.Header.Set("Accept", "application/did+json, application/did+ld+json, application/ld+json, application/json")
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	defer resp.Body.Close()
	if err := f.checkScheme(resp.Request.URL); err != nil {
		return nil, fmt.Errorf("%w: %q redirected: %v", ErrFetch, truncate(rawURL), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %q: HTTP status %s", ErrFetch, truncate(rawURL), resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %q: %w: Content-Length %d, limit %d", ErrFetch, truncate(rawURL), ErrDocumentTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: reading body: %v", ErrFetch, truncate(rawURL), err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: %q: %w: body exceeds %d bytes", ErrFetch, truncate(rawURL), ErrDocumentTooLarge, limit)
	}
	return body, nil
}

func (f *HTTPFetcher) checkScheme(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && f.AllowHTTP:
		return nil
	default:
		return fmt.Errorf("scheme %q not allowed (https only)", u.Scheme)
	}
}

func (f *HTTPFetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	f.once.Do(func() { f.builtin = f.newClient() })
	return f.builtin
}

// newClient builds the default client. It ignores proxy environment
// variables: through a proxy the address checks below would see only the
// proxy. Deployments that need a proxy supply their own Client.
func (f *HTTPFetcher) newClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !f.AllowPrivateNetworks {
		// Control runs after DNS resolution, on the address actually
		// dialled, so a name that resolves to an internal address is
		// caught as well (no DNS rebinding window).
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || !isPublic(ip) {
				return fmt.Errorf("address %s is not a public address", host)
			}
			return nil
		}
	}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 5 * time.Second,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("more than 3 redirects")
			}
			return f.checkScheme(req.URL)
		},
	}
}

// nonPublic lists special-purpose ranges (RFC 6890) that the net.IP
// predicates below do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 private space
}

func isPublic(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	addr = addr.Unmap()
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
