package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stubResolver maps test names to fixed addresses; any other name fails,
// so no test ever consults real DNS.
func stubResolver(names map[string]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		a, ok := names[host]
		if !ok {
			return nil, fmt.Errorf("lookup %s on 127.0.0.53:53: no such host", host)
		}
		var out []netip.Addr
		for s := range strings.SplitSeq(a, ",") {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

// TestDialRefusedForEveryRange resolves a test name to an address of every
// refused range and checks that the dial is refused by the guard, which
// runs before connect(2): no packet leaves for these addresses.
func TestDialRefusedForEveryRange(t *testing.T) {
	refused := []string{
		"0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.169.254", "172.16.5.4",
		"192.0.0.8", "192.0.2.1", "192.88.99.2", "192.168.0.1", "198.18.0.1", "198.51.100.1",
		"203.0.113.1", "224.0.0.251", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::10.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:100.64.0.1",
		"::ffff:198.18.0.1", "::ffff:192.0.0.1", "64:ff9b::a00:1", "64:ff9b:1::1", "100::1",
		"2001::1", "2001:db8::1", "2002:a00:1::1", "3fff::1", "fc00::1", "fd00::1", "fe80::1",
		"fec0::1", "ff02::1", "4000::1",
	}
	names := map[string]string{"rebind.test": "127.0.0.1,10.0.0.1,::1"}
	for i, a := range refused {
		names[fmt.Sprintf("h%d.test", i)] = a
	}
	c := New(Config{Resolve: stubResolver(names), Timeout: 5 * time.Second})
	ctx := context.Background()
	for name, addr := range names {
		t.Run(name+"="+addr, func(t *testing.T) {
			_, err := c.Get(ctx, "https://"+name+"/.well-known/did.json", "")
			var re *RefusedError
			if !errors.Is(err, ErrRefused) || !errors.As(err, &re) {
				t.Fatalf("err = %v, want the dial refused", err)
			}
			if !strings.Contains(err.Error(), "--fetch-allow") {
				t.Errorf("message %q does not tell the operator how to allow it", err)
			}
		})
	}
	// IP literals in URLs are checked the same way.
	for _, lit := range []string{"127.0.0.1", "[::1]", "169.254.169.254", "[::ffff:10.0.0.1]", "100.100.100.100"} {
		if _, err := c.Get(ctx, "https://"+lit+"/x", ""); !errors.Is(err, ErrRefused) {
			t.Errorf("literal %s: err = %v, want refused", lit, err)
		}
	}
	// A name that does not resolve says so without the resolver's address.
	_, err := c.Get(ctx, "https://nowhere.test/", "")
	if !errors.Is(err, ErrUnreachable) || strings.Contains(err.Error(), "127.0.0.53") {
		t.Errorf("unresolvable name: err = %v", err)
	}
}

// countingServer is a loopback test server that counts accepted
// connections, so a test can show that a refused fetch never reached it.
func countingServer(t *testing.T, h http.Handler, useTLS bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &conns
}

func trust(srv *httptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: pool}
}

func TestLoopbackOnlyWithAllowSetting(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /doc", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"accept":%q}`, r.Header.Get("Accept"))
	})
	srv, conns := countingServer(t, mux, false)
	tlsSrv, tlsConns := countingServer(t, mux, true)
	ctx := context.Background()

	// Default: refused before connecting, http refused before anything.
	if _, err := Default().Get(ctx, tlsSrv.URL+"/doc", ""); !errors.Is(err, ErrRefused) {
		t.Errorf("default client, loopback https: err = %v, want refused", err)
	}
	if _, err := Default().Get(ctx, srv.URL+"/doc", ""); !errors.Is(err, ErrScheme) {
		t.Errorf("default client, loopback http: err = %v, want scheme refused", err)
	}
	if _, err := New(Config{AllowHTTP: true}).Get(ctx, srv.URL+"/doc", ""); !errors.Is(err, ErrRefused) {
		t.Errorf("AllowHTTP alone, loopback: err = %v, want refused", err)
	}
	if n := conns.Load() + tlsConns.Load(); n != 0 {
		t.Fatalf("refused fetches reached the listeners: %d connections", n)
	}

	// With the operator's setting: allowed, and plain http to the allowed
	// host too.
	lo := New(Config{Allow: Loopback(), TLS: trust(tlsSrv)})
	for _, u := range []string{srv.URL + "/doc", tlsSrv.URL + "/doc"} {
		body, err := lo.Get(ctx, u, "application/json")
		if err != nil || string(body) != `{"accept":"application/json"}` {
			t.Errorf("allowed loopback %s: %q, %v", u, body, err)
		}
	}
	// A host allowed by name may resolve anywhere; its TLS name is checked.
	byName := New(Config{Allow: MustParseAllowlist("example.com"), TLS: trust(tlsSrv),
		Resolve: stubResolver(map[string]string{"example.com": "127.0.0.1"})})
	port := tlsSrv.Listener.Addr().(*net.TCPAddr).Port
	if _, err := byName.Get(ctx, fmt.Sprintf("https://example.com:%d/doc", port), ""); err != nil {
		t.Errorf("allowed host name: %v", err)
	}
	if _, err := byName.Get(ctx, tlsSrv.URL+"/doc", ""); !errors.Is(err, ErrRefused) {
		t.Errorf("loopback literal with only a host allowed: err = %v, want refused", err)
	}
}

func TestLimits(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /doc", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("a", 200)))
	})
	mux.HandleFunc("GET /chunked", func(w http.ResponseWriter, _ *http.Request) {
		for range 20 {
			_, _ = w.Write([]byte(strings.Repeat("b", 10)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("GET /r/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			http.Redirect(w, r, "/doc", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("GET /to-internal", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://intranet.test/admin", http.StatusFound)
	})
	mux.HandleFunc("GET /to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /missing", http.NotFound)
	srv, _ := countingServer(t, mux, false)
	names := map[string]string{"intranet.test": "10.0.0.1"}
	c := New(Config{Allow: Loopback(), AllowHTTP: true, MaxBytes: 100, Resolve: stubResolver(names)})
	ctx := context.Background()

	tests := []struct {
		name string
		path string
		err  error
		msg  string
	}{
		{"three redirects", "/r/2", nil, ""},
		{"four redirects", "/r/3", ErrRedirects, "more than 3"},
		{"redirect to a refused address", "/to-internal", ErrRefused, "10.0.0.1 lies in the private range"},
		{"redirect to another scheme", "/to-file", ErrScheme, "file"},
		{"body over the limit", "/big", ErrTooLarge, "announces 200 bytes"},
		{"chunked body over the limit", "/chunked", ErrTooLarge, "more than 100 bytes"},
		{"status", "/missing", ErrStatus, "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := c.Get(ctx, srv.URL+tt.path, "")
			if tt.err == nil {
				if err != nil || string(body) != "ok" {
					t.Fatalf("Get = %q, %v", body, err)
				}
				return
			}
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.err, tt.msg)
			}
		})
	}
	// A per-request limit overrides the client's.
	if r, err := c.Do(ctx, Request{URL: srv.URL + "/big", MaxBytes: 1000}); err != nil || len(r.Body) != 200 {
		t.Errorf("raised limit: %v", err)
	}
	// No redirects at all when asked.
	if _, err := New(Config{Allow: Loopback(), MaxRedirects: -1}).Get(ctx, srv.URL+"/r/0", ""); !errors.Is(err, ErrRedirects) {
		t.Errorf("MaxRedirects -1: err = %v", err)
	}
	// The total time is bounded; the message names the host, not a chain.
	quick := New(Config{Allow: Loopback(), Timeout: 50 * time.Millisecond})
	if _, err := quick.Get(ctx, srv.URL+"/slow", ""); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("slow server: err = %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Get(cancelled, srv.URL+"/doc", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	for _, bad := range []string{"", "not a url", "/relative", "ftp://example.org/x", "https:///nohost"} {
		if _, err := c.Get(ctx, bad, ""); !errors.Is(err, ErrScheme) {
			t.Errorf("Get(%q) err = %v, want ErrScheme", bad, err)
		}
	}
	// A connection refused by a closed loopback port reads plainly.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := c.Get(ctx, "http://"+addr+"/", ""); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("closed port: err = %v", err)
	}
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Example.org:8443/a/b?c": "https://example.org:8443",
		"http://x.test/":                 "http://x.test",
		"urn:uuid:1":                     "",
		"::":                             "",
	} {
		if got := Origin(in); got != want {
			t.Errorf("Origin(%q) = %q, want %q", in, got, want)
		}
	}
}
