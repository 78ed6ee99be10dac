package auth

import (
	"net"
	"net/netip"
)

// AddrKey is the rate-limiter key of a peer address ("host:port" or a bare
// host): an IPv4 address as is, an IPv6 address reduced to its /64 prefix.
// A single IPv6 subscriber usually holds a whole /64 (2^64 addresses), so a
// limiter keyed on full IPv6 addresses gives one attacker unlimited
// buckets. IPv4-mapped IPv6 addresses count as their IPv4 address. A value
// that is not an address is returned unchanged.
func AddrKey(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return host
	}
	return p.String()
}
