package did

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestFetchErrorsInPlainWords: failed requests are described without the
// resolver's address or Go's request dump, while errors.As still reaches
// the cause.
func TestFetchErrorsInPlainWords(t *testing.T) {
	dns := &url.Error{Op: "Get", URL: "https://gone.example/.well-known/did.json", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "gone.example", Server: "127.0.0.53:53", IsNotFound: true}}}
	err := plainFetchError(dns)
	if err.Error() != `the host name "gone.example" does not exist` {
		t.Errorf("DNS: %q", err)
	}
	var de *net.DNSError
	if !errors.As(err, &de) {
		t.Error("the DNS error is no longer reachable")
	}
	if got := plainFetchError(context.DeadlineExceeded).Error(); got != "the server did not answer in time" {
		t.Errorf("timeout: %q", got)
	}

	// A loopback port nobody listens on (the listener is closed first).
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	_, err = (&HTTPFetcher{AllowHTTP: true, AllowPrivateNetworks: true}).Fetch(context.Background(), addr+"/did.json")
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "refused the connection") {
		t.Errorf("refused: %v", err)
	}
	for _, leak := range []string{"127.0.0.53", "dial tcp", "Get \""} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("message %q contains %q", err, leak)
		}
	}
}
