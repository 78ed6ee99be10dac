package ob2

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// hosted verifies a hosted assertion: given is the copy in hand (nil when
// only its URL was given), id the URL it is published at.
func (v *verifier) hosted(ctx context.Context, given map[string]any, id string) {
	const name = "published by the issuer"
	if !isHTTPURL(id) {
		v.res.Assertion = given
		v.add(name, Skipped, "This badge should be published on the issuer's website, but it does not say where.",
			"verification.type is hosted but the assertion id %q is not an http(s) URL", id)
		return
	}
	doc, status, err := v.getJSON(ctx, id)
	switch {
	case status == http.StatusGone:
		v.res.Assertion = given
		if doc != nil {
			v.res.Assertion = doc
		}
		v.add("revocation", Failed, "The issuer has revoked this badge"+reasonSuffix(doc)+".",
			"%s answered 410 Gone, the Open Badges 2.0 answer for a revoked hosted assertion", id)
		return
	case err != nil:
		v.res.Assertion = given
		v.add(name, Skipped, "The issuer's website could not be asked whether it still publishes this badge, so it could not be checked.",
			"fetching the hosted assertion: %v", err)
		return
	}
	v.res.Assertion = doc
	if got, _ := idOf(doc["id"]); got != id {
		v.add(name, Failed, "The issuer's website publishes a different badge award at this address.",
			"the document at %s has id %q", id, got)
		return
	}
	if given != nil {
		for _, field := range []string{"recipient", "badge", "issuedOn", "expires"} {
			if !sameValue(given[field], doc[field]) {
				v.add(name, Failed, "The copy you have differs from the one the issuer publishes: its "+field+" was changed.",
					"the assertion's %s differs from the hosted copy at %s", field, id)
				return
			}
		}
	}
	v.add(name, Passed, "The issuer's website publishes this badge award at its address.", "fetched the hosted assertion from %s", id)
	if revoked, _ := doc["revoked"].(bool); revoked {
		v.add("revocation", Failed, "The issuer has revoked this badge"+reasonSuffix(doc)+".", "the hosted assertion says \"revoked\": true")
		return
	}
	bc := v.badgeClass(ctx, doc, false)
	issuer := v.issuer(ctx, bc, false)
	if issuer != nil {
		v.origin(issuer, id)
	}
	v.add("revocation", Passed, "The issuer has not revoked this badge.", "the hosted assertion is published and not marked revoked")
	v.validity(doc)
}

// origin checks that a hosted assertion's URL is one the issuer allows:
// verification.startsWith prefixes, verification.allowedOrigins hosts, by
// default the host of the issuer's id.
func (v *verifier) origin(issuer map[string]any, assertionID string) {
	const name = "issuer's website"
	au, err := url.Parse(assertionID)
	if err != nil {
		v.add(name, Failed, "The badge's address is not a valid web address.", "assertion id %q: %v", assertionID, err)
		return
	}
	ver, _ := issuer["verification"].(map[string]any)
	issuerID, _ := idOf(issuer["id"])
	if prefixes := stringList(ver["startsWith"]); len(prefixes) > 0 {
		for _, p := range prefixes {
			if strings.HasPrefix(assertionID, p) {
				v.add(name, Passed, "The badge is published on the issuer's own website.", "assertion id starts with %q, which the issuer allows (verification.startsWith)", p)
				return
			}
		}
		v.add(name, Failed, "The badge is published at an address the issuer does not use for its badges.",
			"assertion id %s starts with none of the issuer's verification.startsWith %q", assertionID, prefixes)
		return
	}
	allowed := stringList(ver["allowedOrigins"])
	source := "verification.allowedOrigins"
	if len(allowed) == 0 {
		iu, err := url.Parse(issuerID)
		if err != nil || iu.Host == "" {
			v.add(name, Skipped, "It could not be checked that the badge is published on the issuer's website.",
				"the issuer id %q has no host to compare with, and the profile names no allowedOrigins", issuerID)
			return
		}
		allowed, source = []string{iu.Host}, "the host of the issuer's id"
	}
	for _, o := range allowed {
		if strings.EqualFold(o, au.Host) || strings.EqualFold(o, au.Hostname()) {
			v.add(name, Passed, "The badge is published on the issuer's own website.", "assertion host %s is allowed by %s", au.Host, source)
			return
		}
	}
	v.add(name, Failed, "The badge is published on a website that is not the issuer's.",
		"assertion host %s is not in %s %q", au.Host, source, allowed)
}

func reasonSuffix(doc map[string]any) string {
	if r, ok := doc["revocationReason"].(string); ok && strings.TrimSpace(r) != "" {
		return fmt.Sprintf(" (reason given: %s)", strings.TrimSpace(r))
	}
	return ""
}

// sameValue compares two JSON values, treating a linked document and its
// id as the same reference.
func sameValue(a, b any) bool {
	ida, oka := idOf(a)
	idb, okb := idOf(b)
	if oka && okb && ida != "" && idb != "" {
		if _, aObj := a.(map[string]any); !aObj {
			return ida == idb
		}
		if _, bObj := b.(map[string]any); !bObj {
			return ida == idb
		}
	}
	return reflect.DeepEqual(a, b)
}
