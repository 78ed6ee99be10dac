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
	{netip.MustParsePrefix("0.0.0.0/8"), `the "this network" range 0.0.0.0/8`},
	{netip.MustParsePrefix("10.0.0.0/8"), "the private range 10.0.0.0/8"},
	{netip.MustParsePrefix("100.64.0.0/10"), "the carrier-grade NAT range 100.64.0.0/10"},
	{netip.MustParsePrefix("127.0.0.0/8"), "the loopback range 127.0.0.0/8"},
	{netip.MustParsePrefix("169.254.0.0/16"), "the link-local range 169.254.0.0/16"},
	{netip.MustParsePrefix("172.16.0.0/12"), "the private range 172.16.0.0/12"},
	{netip.MustParsePrefix("192.0.0.0/24"), "the IETF protocol assignments 192.0.0.0/24"},
	{netip.MustParsePrefix("192.0.2.0/24"), "the documentation range 192.0.2.0/24"},
	{netip.MustParsePrefix("192.88.99.0/24"), "the 6to4 relay anycast range 192.88.99.0/24"},
	{netip.MustParsePrefix("192.168.0.0/16"), "the private range 192.168.0.0/16"},
	{netip.MustParsePrefix("198.18.0.0/15"), "the benchmarking range 198.18.0.0/15"},
	{netip.MustParsePrefix("198.51.100.0/24"), "the documentation range 198.51.100.0/24"},
	{netip.MustParsePrefix("203.0.113.0/24"), "the documentation range 203.0.113.0/24"},
	{netip.MustParsePrefix("224.0.0.0/4"), "the multicast range 224.0.0.0/4"},
	{netip.MustParsePrefix("240.0.0.0/4"), "the reserved range 240.0.0.0/4"}, // includes 255.255.255.255

	{netip.MustParsePrefix("::/128"), "the unspecified address ::"},
	{netip.MustParsePrefix("::1/128"), "the loopback address ::1"},
	{netip.MustParsePrefix("::/96"), "the IPv4-compatible range ::/96"},
	{netip.MustParsePrefix("64:ff9b::/96"), "the NAT64 range 64:ff9b::/96"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "the local NAT64 range 64:ff9b:1::/48"},
	{netip.MustParsePrefix("100::/64"), "the discard-only range 100::/64"},
	{netip.MustParsePrefix("2001::/23"), "the IETF protocol assignments 2001::/23"},
	{netip.MustParsePrefix("2001:db8::/32"), "the documentation range 2001:db8::/32"},
	{netip.MustParsePrefix("2002::/16"), "the 6to4 range 2002::/16"},
	{netip.MustParsePrefix("3fff::/20"), "the documentation range 3fff::/20"},
	{netip.MustParsePrefix("5f00::/16"), "the segment routing range 5f00::/16"},
	{netip.MustParsePrefix("fc00::/7"), "the unique local (private) range fc00::/7"},
	{netip.MustParsePrefix("fe80::/10"), "the link-local range fe80::/10"},
	{netip.MustParsePrefix("fec0::/10"), "the site-local range fec0::/10"},
	{netip.MustParsePrefix("ff00::/8"), "the multicast range ff00::/8"},
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
// an address non-public ("the loopback range 127.0.0.0/8"), for error messages.
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
		return "reserved IPv6 space outside 2000::/3", false
	}
	return "", true
}
