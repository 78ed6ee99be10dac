package did

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/fetch"
)

// TestFetchErrorsInPlainWords: a failed request is described without the
// resolver's address or Go's request dump (the guarded client's own tests
// cover DNS failures and timeouts).
func TestFetchErrorsInPlainWords(t *testing.T) {
	// A loopback port nobody listens on (the listener is closed first).
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	f := &HTTPFetcher{Client: fetch.New(fetch.Config{Allow: fetch.Loopback(), AllowHTTP: true})}
	_, err := f.Fetch(context.Background(), addr+"/did.json")
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("refused: %v", err)
	}
	for _, leak := range []string{"127.0.0.53", "dial tcp", "Get \""} {
		if err != nil && strings.Contains(err.Error(), leak) {
			t.Errorf("message %q contains %q", err, leak)
		}
	}
}
