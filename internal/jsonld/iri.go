package jsonld

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/piprate/json-gold/ld"
)

// isAbsIRI answers exactly what json-gold's IsAbsoluteIri answers (a blank
// node label, or a string net/url parses with a scheme) without calling
// url.Parse for the common shapes of IRIs.
func isAbsIRI(s string) bool {
	if strings.HasPrefix(s, "_:") {
		return true
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !validScheme(s[:colon]) {
		return ld.IsAbsoluteIri(s)
	}
	rest := s[colon+1:]
	if strings.HasPrefix(rest, "//") {
		auth := rest[2:]
		end := strings.IndexAny(auth, "/?#")
		if end >= 0 {
			auth, rest = auth[:end], auth[end:]
		} else {
			rest = ""
		}
		if !plainAuthority(auth) {
			return ld.IsAbsoluteIri(s)
		}
	}
	for i := 0; i < len(rest); i++ {
		if !plainIRIByte(rest[i]) {
			return ld.IsAbsoluteIri(s)
		}
	}
	return true
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// plainIRIByte reports bytes that never make net/url reject a path, query
// or fragment and never match the \s of json-gold's URL expression.
func plainIRIByte(c byte) bool {
	return c > 0x20 && c != 0x7f && c != '%'
}

// plainAuthority reports an authority of the form host[:port] with an
// ASCII host name, which net/url accepts.
func plainAuthority(a string) bool {
	if a == "" {
		return false
	}
	host, port, hasPort := strings.Cut(a, ":")
	if host == "" || host[0] == '.' || host[0] == '-' {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	if hasPort {
		if port == "" || len(port) > 5 {
			return false
		}
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	return true
}

// authorityOK memoizes json-gold's URL test per authority: the rest of an
// http(s) IRI only matters through the checks done in validIRI itself.
var (
	authorityOK    sync.Map
	authorityCount atomic.Int64
)

const maxAuthorities = 4096

// validIRI answers what json-gold's validIRI answers (an http or https IRI
// must pass its IsURL test or the statement is dropped), fast for plain
// IRIs.
func validIRI(s string) bool {
	var rest string
	switch {
	case strings.HasPrefix(s, "http://"):
		rest = s[len("http://"):]
	case strings.HasPrefix(s, "https://"):
		rest = s[len("https://"):]
	default:
		return true
	}
	if len(s) >= 2083 {
		return ld.IsURL(s)
	}
	auth := rest
	path := ""
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		auth, path = rest[:end], rest[end:]
	}
	if !plainAuthority(auth) {
		return ld.IsURL(s)
	}
	for i := 0; i < len(path); i++ {
		if !plainIRIByte(path[i]) {
			return ld.IsURL(s)
		}
	}
	if ok, found := authorityOK.Load(auth); found {
		return ok.(bool)
	}
	ok := ld.IsURL("http://" + auth + "/")
	if authorityCount.Load() < maxAuthorities {
		authorityOK.Store(auth, ok)
		authorityCount.Add(1)
	}
	return ok
}

// errEscapedIRI is the fast path's refusal of an IRI that needs escapes
// in N-Quads (not rdfc.PlainIRI). json-gold writes such IRIs, which are
// not valid IRIs though its URL test lets some through, verbatim while
// rdfc escapes them, so the fast path leaves them to the reference path.
// Every IRI of a dataset ToRDF returns is therefore plain, which lets
// WriteCanonical use rdfc.WriteCanonicalPlain.
func errEscapedIRI(s string) error {
	return unsupported("IRI %q needs escapes in N-Quads", s)
}
