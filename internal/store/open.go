package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Opener opens a Store for a database URL of the scheme it registered.
type Opener func(ctx context.Context, url string) (Store, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes an implementation available to Open for a URL scheme
// ("sqlite", "postgres"). Implementations call it from init. Registering
// one scheme twice panics, as database/sql does.
func Register(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if _, dup := openers[scheme]; dup {
		panic("store: Register called twice for scheme " + scheme)
	}
	openers[scheme] = open
}

// Open opens the database named by url without migrating it:
//
//	sqlite:/var/lib/microcred/microcred.db   (or a bare path)
//	postgres://user@host:5432/db?sslmode=disable   (also postgresql://)
//
// The implementation for the scheme must have been linked in by importing
// its package (see the package documentation).
func Open(ctx context.Context, url string) (Store, error) {
	scheme := Scheme(url)
	openersMu.RLock()
	open, ok := openers[scheme]
	openersMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store: open %s database: no implementation registered (have %s); import internal/store/%s",
			scheme, strings.Join(registered(), ", "), scheme)
	}
	return open(ctx, url)
}

// Scheme reports which implementation serves url: "postgres" for
// postgres:// and postgresql:// URLs, "sqlite" for sqlite: URLs and bare
// paths.
func Scheme(url string) string {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "postgres"
	default:
		return "sqlite"
	}
}

func registered() []string {
	openersMu.RLock()
	defer openersMu.RUnlock()
	var names []string
	for k := range openers {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}
