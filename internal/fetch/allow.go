package fetch

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Allowlist is the operator's exception to the address guard: host names
// whose every resolved address may be connected to, and address ranges that
// may be connected to whatever name led there. The zero value and nil allow
// nothing. An Allowlist is read-only once built and safe for concurrent use.
type Allowlist struct {
	hosts    []string // lower case, without port or trailing dot
	prefixes []netip.Prefix
}

// ParseAllowlist reads the --fetch-allow setting: a comma-separated list of
// host names ("localhost", "badges.example.edu"), IP addresses
// ("127.0.0.1", "::1") and CIDR ranges ("10.20.0.0/16"). Spaces around
// entries are ignored; an empty string gives an empty list.
func ParseAllowlist(s string) (*Allowlist, error) {
	a := &Allowlist{}
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if err := a.add(entry); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// MustParseAllowlist is ParseAllowlist for constant settings; it panics on
// an error.
func MustParseAllowlist(s string) *Allowlist {
	a, err := ParseAllowlist(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Loopback allows 127.0.0.0/8, ::1 and the name localhost: what a demo
// serving on this machine, and tests with their own local listeners, need.
func Loopback() *Allowlist { return MustParseAllowlist("127.0.0.0/8,::1/128,localhost") }

func (a *Allowlist) add(entry string) error {
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return fmt.Errorf("fetch allow list: %q is not a CIDR range such as 10.0.0.0/8", entry)
		}
		a.prefixes = append(a.prefixes, p.Masked())
		return nil
	}
	if ip, err := netip.ParseAddr(strings.Trim(entry, "[]")); err == nil {
		ip = ip.Unmap()
		a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(entry), ".")
	if !validHostName(host) {
		return fmt.Errorf("fetch allow list: %q is neither a host name, an IP address nor a CIDR range", entry)
	}
	a.hosts = append(a.hosts, host)
	return nil
}

// validHostName accepts DNS names made of letters, digits, hyphens and dots.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Host reports whether the host part of a URL (a name or an IP literal,
// without port) is allowed by name, or as an address inside an allowed
// range.
func (a *Allowlist) Host(host string) bool {
	if a == nil {
		return false
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return a.Addr(ip)
	}
	return slices.Contains(a.hosts, host)
}

// Addr reports whether addr lies in an allowed range.
func (a *Allowlist) Addr(addr netip.Addr) bool {
	if a == nil {
		return false
	}
	addr = addr.WithZone("").Unmap()
	for _, p := range a.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Empty reports whether the list allows nothing.
func (a *Allowlist) Empty() bool { return a == nil || len(a.hosts)+len(a.prefixes) == 0 }

// String returns the list in ParseAllowlist's syntax.
func (a *Allowlist) String() string {
	if a == nil {
		return ""
	}
	parts := make([]string, 0, len(a.hosts)+len(a.prefixes))
	for _, p := range a.prefixes {
		if p.IsSingleIP() {
			parts = append(parts, p.Addr().String())
		} else {
			parts = append(parts, p.String())
		}
	}
	parts = append(parts, a.hosts...)
	return strings.Join(parts, ",")
}

// With returns a new list holding a's entries and the given host (a name or
// an IP literal), for a URL an operator typed on the command line.
func (a *Allowlist) With(host string) *Allowlist {
	out := &Allowlist{}
	if a != nil {
		out.hosts = slices.Clone(a.hosts)
		out.prefixes = slices.Clone(a.prefixes)
	}
	if err := out.add(strings.Trim(host, "[]")); err != nil {
		return a
	}
	return out
}
