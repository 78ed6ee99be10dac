package ops

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"untrusted peer keeps its address whatever it sends", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted proxy: last hop is the client", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client-supplied left part is ignored", "10.1.2.3:443", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies is skipped", "10.1.2.3:443", []string{"198.51.100.1, 192.0.2.7", "10.9.9.9"}, "198.51.100.1"},
		{"single-address entry", "192.0.2.7:1", []string{"198.51.100.2"}, "198.51.100.2"},
		{"no header: the proxy itself", "10.1.2.3:443", nil, "10.1.2.3"},
		{"malformed hop stops the walk", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"IPv6 proxy", "[2001:db8::1]:443", []string{"2001:db9::5"}, "2001:db9::5"},
		{"IPv4-mapped peer is treated as IPv4", "[::ffff:10.0.0.1]:443", []string{"198.51.100.3"}, "198.51.100.3"},
		{"every hop trusted: the leftmost", "10.1.2.3:443", []string{"10.0.0.5"}, "10.0.0.5"},
	}
	for _, tt := range tests {
		got, ok := proxies.ClientAddr(tt.remote, tt.xff)
		if !ok || got.String() != tt.want {
			t.Errorf("%s: got %v, %v; want %s", tt.name, got, ok, tt.want)
		}
	}
	if _, ok := proxies.ClientAddr("garbage", nil); ok {
		t.Error("unparsable peer address accepted")
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.org", "10.0.0.0/8,,nope"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
			t.Errorf("ParseTrustedProxies(%q) = %v, want an error naming the flag", bad, err)
		}
	}
	if p, err := ParseTrustedProxies(""); err != nil || len(p) != 0 {
		t.Errorf("empty list: %v, %v", p, err)
	}
}

func TestWrapRewritesRemoteAddr(t *testing.T) {
	proxies, _ := ParseTrustedProxies("127.0.0.1")
	var seen string
	h := proxies.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:1234"
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "198.51.100.7:0" {
		t.Errorf("RemoteAddr behind a trusted proxy = %q", seen)
	}
	if got := TrustedProxies(nil).Wrap(http.NotFoundHandler()); got == nil {
		t.Error("Wrap with no proxies returned nil")
	}
}

// FuzzClientAddr checks the trusted-proxy rule on arbitrary headers: the
// answer is the peer itself unless the peer is trusted, and otherwise one
// of the addresses the header or the peer named.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.1.2.3:443", "198.51.100.1, 10.0.0.2", "10.0.0.0/8")
	f.Add("203.0.113.9:1", "1.2.3.4", "10.0.0.0/8,::1")
	f.Add("[::1]:80", "::ffff:1.2.3.4,,  , x", "::1")
	f.Add("garbage", "", "")
	f.Fuzz(func(t *testing.T, remote, xff, trusted string) {
		proxies, err := ParseTrustedProxies(trusted)
		if err != nil {
			return
		}
		got, ok := proxies.ClientAddr(remote, []string{xff})
		if !ok {
			return
		}
		if !got.IsValid() {
			t.Fatalf("ClientAddr(%q, %q) returned an invalid address", remote, xff)
		}
		peer, _ := TrustedProxies(nil).ClientAddr(remote, nil)
		if !proxies.trusts(peer) {
			if got != peer {
				t.Fatalf("untrusted peer %s, but ClientAddr believed the header: %s", peer, got)
			}
			return
		}
		if got == peer {
			return
		}
		for _, h := range strings.Split(xff, ",") {
			if a, err := netip.ParseAddr(strings.TrimSpace(h)); err == nil && a.Unmap() == got {
				return
			}
		}
		t.Fatalf("ClientAddr(%q, %q) = %s, an address nobody named", remote, xff, got)
	})
}
