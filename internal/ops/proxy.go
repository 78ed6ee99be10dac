package ops

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies is the set of peer addresses whose X-Forwarded-For header
// is believed: the reverse proxies in front of the server. A request from
// anyone else keeps its peer address, whatever headers it sends, so a
// client cannot choose the address rate limits and audit entries see.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes or
// single addresses ("10.0.0.0/8,192.0.2.7,::1").
func ParseTrustedProxies(list string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is neither an address nor a CIDR prefix", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not a CIDR prefix such as 10.0.0.0/8", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the client's address for a request whose peer is
// remoteAddr ("host:port"): the peer itself unless it is a trusted proxy;
// then X-Forwarded-For is read from the right, skipping trusted proxies,
// and the first address not trusted is the client (the left part of the
// header is whatever the client sent and is ignored). ok is false when
// the peer address cannot be parsed.
func (t TrustedProxies) ClientAddr(remoteAddr string, xff []string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	peer = peer.Unmap()
	if !t.trusts(peer) {
		return peer, true
	}
	var hops []string
	for _, h := range xff {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A malformed hop: stop at the last address known good.
			break
		}
		client = a.Unmap()
		if !t.trusts(client) {
			break
		}
	}
	return client, true
}

// Wrap rewrites each request's RemoteAddr to the client address (see
// ClientAddr) before h sees it, so rate limits, logs and the audit log
// everywhere use the same rule. With no trusted proxies it returns h.
func (t TrustedProxies) Wrap(h http.Handler) http.Handler {
	if len(t) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := t.ClientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For")); ok {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = netip.AddrPortFrom(a, 0).String()
			r = r2
		}
		h.ServeHTTP(w, r)
	})
}
