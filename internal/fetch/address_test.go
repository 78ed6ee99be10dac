package fetch

import (
	"net/netip"
	"strings"
	"testing"
)

// TestClassify decides every special-purpose range, its IPv4-mapped IPv6
// form where there is one, and public neighbours either side of the ranges.
func TestClassify(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
		what   string // part of the refusal's name
	}{
		// IPv4 special ranges.
		{"0.0.0.0", false, "this network"},
		{"0.1.2.3", false, "this network"},
		{"10.0.0.1", false, "private"},
		{"10.255.255.255", false, "private"},
		{"100.64.0.1", false, "carrier-grade NAT"},
		{"100.127.255.254", false, "carrier-grade NAT"},
		{"127.0.0.1", false, "loopback"},
		{"127.255.0.9", false, "loopback"},
		{"169.254.169.254", false, "link-local"},
		{"172.16.0.1", false, "private"},
		{"172.31.255.255", false, "private"},
		{"192.0.0.1", false, "IETF protocol assignments"},
		{"192.0.0.170", false, "IETF protocol assignments"},
		{"192.0.2.10", false, "documentation"},
		{"192.88.99.1", false, "6to4 relay"},
		{"192.168.1.1", false, "private"},
		{"198.18.0.1", false, "benchmarking"},
		{"198.19.255.255", false, "benchmarking"},
		{"198.51.100.7", false, "documentation"},
		{"203.0.113.9", false, "documentation"},
		{"224.0.0.1", false, "multicast"},
		{"239.255.255.250", false, "multicast"},
		{"240.0.0.1", false, "reserved"},
		{"255.255.255.255", false, "reserved"},
		// IPv4-mapped IPv6 forms are judged as the IPv4 address.
		{"::ffff:127.0.0.1", false, "loopback"},
		{"::ffff:10.1.2.3", false, "private"},
		{"::ffff:100.64.0.1", false, "carrier-grade NAT"},
		{"::ffff:169.254.169.254", false, "link-local"},
		{"::ffff:192.168.0.1", false, "private"},
		{"::ffff:198.18.0.1", false, "benchmarking"},
		{"::ffff:192.0.0.8", false, "IETF protocol assignments"},
		{"::ffff:0.0.0.0", false, "this network"},
		{"::ffff:224.0.0.1", false, "multicast"},
		{"::ffff:8.8.8.8", true, ""},
		// IPv4-translated (::ffff:0:a.b.c.d) lies outside global unicast.
		{"::ffff:0:127.0.0.1", false, "reserved IPv6"},
		// IPv6 special ranges.
		{"::", false, "unspecified"},
		{"::1", false, "loopback"},
		{"::127.0.0.1", false, "IPv4-compatible"},
		{"64:ff9b::7f00:1", false, "NAT64"},
		{"64:ff9b::a00:1", false, "NAT64"},
		{"64:ff9b:1::1", false, "local NAT64"},
		{"100::1", false, "discard-only"},
		{"2001::1", false, "IETF protocol assignments"},
		{"2001:db8::1", false, "documentation"},
		{"2002:7f00:1::1", false, "6to4"},
		{"3fff::1", false, "documentation"},
		{"5f00::1", false, "segment routing"},
		{"fc00::1", false, "unique local"},
		{"fd12:3456::1", false, "unique local"},
		{"fe80::1", false, "link-local"},
		{"fe80::1%eth0", false, "link-local"},
		{"fec0::1", false, "site-local"},
		{"ff02::1", false, "multicast"},
		{"ff0e::1", false, "multicast"},
		{"4000::1", false, "reserved IPv6"},
		// Public neighbours.
		{"1.1.1.1", true, ""},
		{"8.8.8.8", true, ""},
		{"9.255.255.255", true, ""},
		{"11.0.0.0", true, ""},
		{"100.63.255.255", true, ""},
		{"100.128.0.0", true, ""},
		{"172.15.255.255", true, ""},
		{"172.32.0.0", true, ""},
		{"192.0.1.1", true, ""},
		{"192.169.0.1", true, ""},
		{"198.17.255.255", true, ""},
		{"198.20.0.0", true, ""},
		{"223.255.255.255", true, ""},
		{"2001:4860:4860::8888", true, ""},
		{"2606:4700:4700::1111", true, ""},
		{"2a00:1450:4001::1", true, ""},
		{"64:ff9a::1", false, "reserved IPv6"}, // outside 2000::/3 as well
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			what, public := Classify(addr)
			if public != tt.public {
				t.Fatalf("Classify(%s) public = %v (%q), want %v", tt.addr, public, what, tt.public)
			}
			if !strings.Contains(what, tt.what) {
				t.Errorf("Classify(%s) = %q, want it to name %q", tt.addr, what, tt.what)
			}
			if Public(addr) != tt.public {
				t.Errorf("Public(%s) disagrees with Classify", tt.addr)
			}
		})
	}
	if Public(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func TestAllowlist(t *testing.T) {
	a, err := ParseAllowlist(" 127.0.0.0/8, ::1 ,Demo.Example.EDU., 10.20.0.0/16,[fd00::5]")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.9.9.9", true},
		{"::ffff:127.0.0.1", true},
		{"[::1]", true},
		{"::2", false},
		{"demo.example.edu", true},
		{"DEMO.example.edu.", true},
		{"other.example.edu", false},
		{"10.20.3.4", true},
		{"10.21.0.1", false},
		{"fd00::5", true},
		{"fd00::6", false},
		{"localhost", false},
	}
	for _, tt := range tests {
		if got := a.Host(tt.host); got != tt.want {
			t.Errorf("Host(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	if got := a.String(); got != "127.0.0.0/8,::1,10.20.0.0/16,fd00::5,demo.example.edu" {
		t.Errorf("String() = %q", got)
	}
	if !a.With("localhost").Host("localhost") || a.Host("localhost") {
		t.Error("With must add to a copy")
	}
	var none *Allowlist
	if none.Host("127.0.0.1") || none.Addr(netip.MustParseAddr("127.0.0.1")) || !none.Empty() {
		t.Error("a nil list allows something")
	}
	for _, bad := range []string{"10.0.0.0/33", "exa mple.org", "-bad.org", "http://x.org", "1.2.3.4/x"} {
		if _, err := ParseAllowlist(bad); err == nil || !strings.Contains(err.Error(), "fetch allow list") {
			t.Errorf("ParseAllowlist(%q) err = %v, want a clear refusal", bad, err)
		}
	}
	if e, err := ParseAllowlist(""); err != nil || !e.Empty() {
		t.Errorf("empty setting: %v, %v", e, err)
	}
}
