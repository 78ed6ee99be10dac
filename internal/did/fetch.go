package did

import (
	"context"
	"crypto/tls"
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
		return nil, fmt.Errorf("%w: %s: %w", ErrFetch, truncate(rawURL), plainFetchError(err))
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

// fetchError says in plain words why a request failed, while errors.Is and
// errors.As still reach the underlying error. Go's own messages name the
// local DNS resolver's address and the request again ("Get ...: dial tcp:
// lookup host on 127.0.0.53:53: no such host"), which tells a person
// nothing and an anonymous caller too much.
type fetchError struct {
	msg string
	err error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.err }

// errNotPublic is returned by the dial guard for a non-public address.
var errNotPublic = errors.New("the host resolves to an address that is not public")

// plainFetchError rewrites a client error as a fetchError.
func plainFetchError(err error) error {
	var dns *net.DNSError
	var ne net.Error
	var cert *tls.CertificateVerificationError
	msg := "the server could not be reached"
	switch {
	case errors.Is(err, errNotPublic):
		msg = errNotPublic.Error() + " (loopback, private or reserved), which verification never contacts"
	case errors.As(err, &dns) && dns.IsNotFound:
		msg = fmt.Sprintf("the host name %q does not exist", dns.Name)
	case errors.As(err, &dns):
		msg = fmt.Sprintf("the host name %q could not be looked up", dns.Name)
	case errors.Is(err, context.Canceled):
		msg = "the request was cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		msg = "the server did not answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "the server refused the connection"
	case errors.As(err, &cert):
		msg = "the server's TLS certificate is not valid"
	case errors.Is(err, errTooManyRedirects):
		msg = errTooManyRedirects.Error()
	case errors.Is(err, errRedirectScheme):
		msg = "a redirect leads to a URL that is not https"
	}
	return &fetchError{msg: msg, err: err}
}

var (
	errTooManyRedirects = errors.New("more than 3 redirects")
	errRedirectScheme   = errors.New("redirect scheme not allowed")
)

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
				return errNotPublic
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
				return errTooManyRedirects
			}
			if err := f.checkScheme(req.URL); err != nil {
				return fmt.Errorf("%w: %w", errRedirectScheme, err)
			}
			return nil
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
