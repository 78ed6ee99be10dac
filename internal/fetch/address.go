package fetch

import (
	"net/netip"
)

// special lists the address ranges a verifier never connects to by default,
// each with the plain name used in error messages. IPv4 ranges come from the
// IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
// updates); the IPv6 entries that embed IPv4 addresses (NAT64, 6to4,
// IPv4-compatible) are refused whole because they can lead back into IPv4
// space that is itself refused. Order matters only for the names: the first
// matching prefix names the refusal.
var special = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network" (0.0.0.0/8)`},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (10.0.0.0/8)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback (127.0.0.0/8)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (169.254.0.0/16)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (172.16.0.0/12)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation (192.0.2.0/24)"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast (192.88.99.0/24)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (192.168.0.0/16)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation (198.51.100.0/24)"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation (203.0.113.0/24)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast (224.0.0.0/4)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (240.0.0.0/4)"}, // includes 255.255.255.255

	{netip.MustParsePrefix("::/128"), "unspecified (::)"},
	{netip.MustParsePrefix("::1/128"), "loopback (::1)"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (::/96)"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64 (64:ff9b::/96)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64 (64:ff9b:1::/48)"},
	{netip.MustParsePrefix("100::/64"), "discard-only (100::/64)"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments (2001::/23)"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation (2001:db8::/32)"},
	{netip.MustParsePrefix("2002::/16"), "6to4 (2002::/16)"},
	{netip.MustParsePrefix("3fff::/20"), "documentation (3fff::/20)"},
	{netip.MustParsePrefix("5f00::/16"), "segment routing (5f00::/16)"},
	{netip.MustParsePrefix("fc00::/7"), "unique local, private (fc00::/7)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local (fe80::/10)"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (fec0::/10)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast (ff00::/8)"},
}

// globalUnicast6 is the only IPv6 space allocated for global unicast; an
// address outside it is reserved and refused.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// Public reports whether addr is a public unicast address a verifier may
// connect to without the operator's permission. An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is judged as the IPv4 address it maps; a zone (fe80::1%eth0)
// does not change the decision.
func Public(addr netip.Addr) bool {
	_, ok := Classify(addr)
	return ok
}

// Classify returns Public's decision with the name of the range that makes
// an address non-public ("loopback (127.0.0.0/8)"), for error messages.
func Classify(addr netip.Addr) (what string, public bool) {
	if !addr.IsValid() {
		return "not an IP address", false
	}
	addr = addr.WithZone("").Unmap()
	for _, s := range special {
		if s.prefix.Contains(addr) {
			return s.what, false
		}
	}
	if addr.Is6() && !globalUnicast6.Contains(addr) {
		return "reserved IPv6 space (outside 2000::/3)", false
	}
	return "", true
}
