package fetch

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
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults for a Config left at its zero value.
const (
	DefaultMaxBytes     = 1 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultMaxRedirects = 3
	dialTimeout         = 5 * time.Second
	userAgent           = "microcred-verifier"
)

// Errors a fetch can fail with; test them with errors.Is. Their messages
// are written for the person reading a verification report.
var (
	// ErrRefused: the address is not public and not allowed by the
	// operator; nothing was sent to it.
	ErrRefused = errors.New("address refused")
	// ErrScheme: the URL is not https (or http where allowed).
	ErrScheme = errors.New("URL not allowed")
	// ErrTooLarge: the response body is over the size limit.
	ErrTooLarge = errors.New("response too large")
	// ErrRedirects: more redirects than allowed.
	ErrRedirects = errors.New("too many redirects")
	// ErrUnreachable: the name did not resolve, the connection failed or
	// timed out, or the answer was cut short.
	ErrUnreachable = errors.New("could not be reached")
	// ErrStatus: the server answered with an HTTP status other than the
	// one expected (see StatusError).
	ErrStatus = errors.New("unexpected HTTP status")
)

// RefusedError names the address a dial was refused for and why.
type RefusedError struct {
	Addr netip.Addr
	What string // the range, e.g. "the loopback range 127.0.0.0/8"
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s lies in %s, not on the public internet; this server does not connect there (an operator can allow it with --fetch-allow)", e.Addr, e.What)
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// StatusError is a response with an unexpected HTTP status.
type StatusError struct {
	URL    string
	Code   int
	Status string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %s", e.URL, e.Status)
}

// Unwrap makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Unwrap() error { return ErrStatus }

// Config configures a Client. The zero value is the safe default: public
// addresses only, https only, 1 MiB, 10 s, three redirects.
type Config struct {
	// Allow lists the hosts and ranges the operator allows beyond public
	// addresses; they may also be fetched over plain http.
	Allow *Allowlist
	// AllowHTTP permits plain http URLs to any host the guard lets through
	// (Open Badges 2.0 hosted assertions predate https everywhere).
	AllowHTTP bool
	// MaxBytes bounds a response body; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Timeout bounds a whole request, redirects and body included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects bounds the redirects followed; 0 means
	// DefaultMaxRedirects, a negative value follows none.
	MaxRedirects int
	// TLS replaces the TLS configuration (tests trust their own server's
	// certificate with it).
	TLS *tls.Config
	// Resolve replaces DNS resolution (tests map names to addresses with
	// it); nil means the system resolver. The guard checks whatever
	// addresses it returns, at dial time.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Client is the guarded HTTP client. Build it with New; it is safe for
// concurrent use and keeps connections alive between requests.
type Client struct {
	cfg Config
	hc  *http.Client
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	c := &Client{cfg: cfg}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy: the guard must see the real address
		DialContext:           c.dial,
		TLSClientConfig:       cfg.TLS,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.hc = &http.Client{
		Transport:     transport,
		Timeout:       cfg.Timeout,
		CheckRedirect: c.checkRedirect,
	}
	return c
}

// Default returns a Client with the zero Config: public https URLs only.
func Default() *Client { return defaultClient }

var defaultClient = New(Config{})

// Allow returns the client's allow list (nil when none).
func (c *Client) Allow() *Allowlist { return c.cfg.Allow }

// MaxBytes returns the client's body limit.
func (c *Client) MaxBytes() int64 { return c.cfg.MaxBytes }

// Request is one GET.
type Request struct {
	URL string
	// Accept is the Accept header; empty sends none.
	Accept string
	// Header holds further request headers (If-None-Match, ...).
	Header http.Header
	// MaxBytes lowers or raises the client's body limit for this request;
	// 0 keeps it.
	MaxBytes int64
}

// Response is a fetched answer with its body read in full.
type Response struct {
	URL        string // the final URL, after redirects
	StatusCode int
	Status     string
	Header     http.Header
	Body       []byte
}

// Do performs a GET and returns the answer whatever its HTTP status; only
// a refused or failed transfer is an error.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return nil, fmt.Errorf("%w: %q is not an absolute URL", ErrScheme, shorten(r.URL))
	}
	if err := c.checkScheme(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrScheme, shorten(r.URL), err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.explain(ctx, u, err)
	}
	defer resp.Body.Close()
	limit := c.cfg.MaxBytes
	if r.MaxBytes > 0 {
		limit = r.MaxBytes
	}
	final := resp.Request.URL.String()
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %s announces %d bytes, the limit is %d", ErrTooLarge, shorten(final), resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, c.explain(ctx, u, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: %s sent more than %d bytes", ErrTooLarge, shorten(final), limit)
	}
	return &Response{URL: final, StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: body}, nil
}

// Get fetches url and returns its body when the answer is 200 OK; any other
// status is a *StatusError.
func (c *Client) Get(ctx context.Context, rawURL, accept string) ([]byte, error) {
	resp, err := c.Do(ctx, Request{URL: rawURL, Accept: accept})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{URL: shorten(resp.URL), Code: resp.StatusCode, Status: resp.Status}
	}
	return resp.Body, nil
}

// checkScheme allows https, and http where the config or the allow list
// permits it.
func (c *Client) checkScheme(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && (c.cfg.AllowHTTP || c.cfg.Allow.Host(u.Hostname())):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%w: %s is plain http; only https addresses are fetched", ErrScheme, shorten(u.String()))
	default:
		return fmt.Errorf("%w: %s: the scheme %q is not fetched (https only)", ErrScheme, shorten(u.String()), u.Scheme)
	}
}

// checkRedirect bounds and re-checks every redirect; the new address is
// checked again by the dialer when it connects.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.cfg.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrRedirects, max(c.cfg.MaxRedirects, 0))
	}
	return c.checkScheme(req.URL)
}

// dial resolves the host itself (so that tests can stub resolution) and
// connects to each address in turn through a dialer whose Control hook
// refuses what the guard forbids. Control runs on the socket before
// connect(2), so a refused address receives no packet.
func (c *Client) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	hostAllowed := false
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		hostAllowed = c.cfg.Allow.Host(host)
		if addrs, err = c.resolve(ctx, host); err != nil {
			return nil, err
		}
	}
	d := &net.Dialer{Timeout: dialTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: unexpected address %q", ErrRefused, address)
		}
		return c.permit(ap.Addr(), hostAllowed)
	}}
	var first error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("%w: %s has no address", ErrUnreachable, host)
	}
	return nil, first
}

// permit is the decision Control applies on the address being dialled.
func (c *Client) permit(addr netip.Addr, hostAllowed bool) error {
	if hostAllowed || c.cfg.Allow.Addr(addr) {
		return nil
	}
	if what, ok := Classify(addr); !ok {
		return &RefusedError{Addr: addr.WithZone(""), What: what}
	}
	return nil
}

func (c *Client) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	var err error
	if c.cfg.Resolve != nil {
		addrs, err = c.cfg.Resolve(ctx, host)
	} else {
		addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The resolver's own error names the DNS server's address, an
		// internal detail; say only what failed.
		return nil, fmt.Errorf("%w: the name %s could not be resolved", ErrUnreachable, host)
	}
	return addrs, nil
}

// explain turns a transport error into one of the package's errors with a
// message fit for a report; the chain keeps the cause for errors.Is.
func (c *Client) explain(ctx context.Context, u *url.URL, err error) error {
	var refused *RefusedError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("%s: %w", u.Host, refused)
	case errors.Is(err, ErrScheme), errors.Is(err, ErrRedirects):
		var inner error = err
		var ue *url.Error
		if errors.As(err, &ue) {
			inner = ue.Err
		}
		return fmt.Errorf("%s: %w", shorten(u.String()), inner)
	case errors.Is(err, ErrUnreachable):
		var ue *url.Error
		if errors.As(err, &ue) {
			var oe *net.OpError
			if errors.As(ue.Err, &oe) {
				return oe.Err
			}
			return ue.Err
		}
		return err
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, u.Host, ctx.Err())
	case isTimeout(err):
		return fmt.Errorf("%w: %s did not answer within %s", ErrUnreachable, u.Host, c.cfg.Timeout)
	default:
		return fmt.Errorf("%w: %s: %s", ErrUnreachable, u.Host, plainCause(err))
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// plainCause names a connection failure without addresses of this machine.
func plainCause(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection was closed before a complete answer"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "the network is unreachable"
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return "its TLS certificate is not valid for this name"
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return "it does not speak TLS"
	}
	return "the connection failed"
}

// shorten keeps URLs in messages to a readable length.
func shorten(s string) string {
	const limit = 200
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// Origin returns scheme://host[:port] of a URL, or "" when it has none.
func Origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}
