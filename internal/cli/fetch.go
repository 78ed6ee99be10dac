package cli

import (
	"flag"

	"github.com/microcred/microcred/internal/fetch"
)

// addFetchAllowFlag registers --fetch-allow, the operator's exception to the
// outbound address guard, on serve, demo and verify.
func addFetchAllowFlag(fs *flag.FlagSet, allow **fetch.Allowlist) {
	fs.Func("fetch-allow", "let outbound fetches (did:web, status lists, logs, Open Badges 2.0) reach these `HOSTS`: "+
		"comma-separated host names, IP addresses and CIDR ranges, e.g. 127.0.0.1,localhost or 10.20.0.0/16; "+
		"allowed hosts may also be fetched over plain http (default: public https addresses only)", func(s string) error {
		a, err := fetch.ParseAllowlist(s)
		if err != nil {
			return err
		}
		if *allow != nil {
			// Repeated flags add up.
			merged, err := fetch.ParseAllowlist((*allow).String() + "," + a.String())
			if err != nil {
				return err
			}
			a = merged
		}
		*allow = a
		return nil
	})
}

// newFetchClient returns the guarded outbound client for the allow list.
func newFetchClient(allow *fetch.Allowlist) *fetch.Client {
	if allow.Empty() {
		return fetch.Default()
	}
	return fetch.New(fetch.Config{Allow: allow})
}
