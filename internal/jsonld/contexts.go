package jsonld

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

//go:embed contexts/*
var contextFS embed.FS

// contextFiles maps every context URL microcred accepts to the shipped file
// that holds its content. Several URLs may share one file when the publisher
// serves the same document under more than one address.
var contextFiles = map[string]string{
	"https://www.w3.org/ns/credentials/v2":                        "credentials-v2.jsonld",
	"https://www.w3.org/2018/credentials/v1":                      "credentials-v1.jsonld",
	"https://w3id.org/security/data-integrity/v2":                 "data-integrity-v2.jsonld",
	"https://w3id.org/security/data-integrity/v1":                 "data-integrity-v1.jsonld",
	"https://w3id.org/security/multikey/v1":                       "multikey-v1.jsonld",
	"https://www.w3.org/ns/credentials/status/v1":                 "vc-bitstring-status-list-v1.jsonld",
	"https://www.w3.org/ns/did/v1":                                "did-v1.jsonld",
	"https://w3id.org/did/v1":                                     "did-v1.jsonld",
	"https://www.w3.org/ns/credentials/examples/v2":               "credentials-examples-v2.jsonld",
	"https://w3id.org/citizenship/v4rc1":                          "citizenship-v4rc1.jsonld",
	"https://purl.imsglobal.org/spec/ob/v3p0/context.json":        "ob-v3p0-context-3.0.0.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json":  "ob-v3p0-context-3.0.1.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json":  "ob-v3p0-context-3.0.2.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json":  "ob-v3p0-context-3.0.3.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json":     "ob-v3p0-extensions.json",
	"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
	"https://w3id.org/security/suites/ed25519-2020/v1":            "ed25519-signature-2020-v1.jsonld",
	"https://w3id.org/vc/status-list/2021/v1":                     "vc-status-list-2021-v1.jsonld",
	"https://w3id.org/openbadges/v2":                              "openbadges-v2.json",
	"https://openbadgespec.org/v2/context.json":                   "openbadges-v2.json",
}

// Context returns the raw bytes of the shipped context document served at
// url, and false when microcred does not ship it.
func Context(url string) ([]byte, bool) {
	name, ok := contextFiles[url]
	if !ok {
		return nil, false
	}
	b, err := contextFS.ReadFile("contexts/" + name)
	if err != nil {
		// The table and the embedded directory are checked against each other
		// by the tests, so this is unreachable in a correct build.
		return nil, false
	}
	return b, true
}

// ContextURLs returns the URLs of every shipped context, sorted.
func ContextURLs() []string {
	urls := make([]string, 0, len(contextFiles))
	for u := range contextFiles {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	return urls
}

// parsedContexts holds each shipped context decoded once. The decoded values
// are shared by every caller and must be treated as read-only.
var parsedContexts = sync.OnceValues(func() (map[string]any, error) {
	m := make(map[string]any, len(contextFiles))
	for u := range contextFiles {
		b, _ := Context(u)
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("jsonld: shipped context %q: %w", u, err)
		}
		m[u] = doc
	}
	return m, nil
})

// parsedContext returns the decoded shipped context for url or an error
// wrapping ErrRemoteContext.
func parsedContext(url string) (any, error) {
	m, err := parsedContexts()
	if err != nil {
		return nil, err
	}
	doc, ok := m[url]
	if !ok {
		return nil, remoteContextError(url)
	}
	return doc, nil
}
