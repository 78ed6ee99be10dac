// Package fetch is the one outbound HTTP client of microcred. Every request
// the server or the CLI makes to an address it did not choose itself —
// did:web documents, status lists, Open Badges 2.0 assertions, badge classes
// and issuer profiles, transparency logs, links people paste — goes through a
// [Client], because those URLs come from credentials anyone can write and a
// verifier must not become a probe into its own network.
//
// The guard is applied where it cannot be bypassed: in [net.Dialer]'s
// Control hook, on the address actually being connected to, after DNS
// resolution and before the connect system call. A name that resolves to a
// public address for a first check and to 127.0.0.1 for the connection (DNS
// rebinding) is therefore still refused, and so is every redirect target,
// since each hop dials anew. [Public] is the address decision: public unicast
// only, refusing loopback, private (RFC 1918, ULA), link-local, carrier-grade
// NAT, benchmarking, IETF protocol assignments, NAT64, 6to4, documentation,
// multicast, reserved and unspecified ranges, including IPv4-mapped IPv6
// forms of them.
//
// An operator may allow named hosts or address ranges ([Allowlist], the
// --fetch-allow setting) so that a demo on 127.0.0.1 can verify its own
// credentials or an intranet issuer can be reached. Allowed hosts may also be
// fetched over plain http; everything else is https only unless a Client is
// configured otherwise.
//
// Besides the address guard a Client bounds the response size, the total
// time of a request (connect, redirects and body) and the number of
// redirects, ignores proxy environment variables (through a proxy the guard
// would see only the proxy) and sends no cookies.
package fetch
