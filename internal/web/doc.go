// Package web is the HTTP face of microcred: the server core (routing on the
// standard library ServeMux, request logging, panic recovery, security
// headers, body limits, rate limits, sessions and CSRF protection) and every
// HTML page of the product — first-run setup, sign-in, organization
// administration (members, keys, API clients, catalog, issuance, audit log),
// the learner wallet, the public catalog, organization and credential pages
// and the public verifier — with the JSON twins of the public pages.
//
// Handlers are thin: they parse the request, call internal/issue or the
// store, and render a template. Templates and the stylesheet are embedded,
// so the binary serves the whole interface without any file on disk and
// without JavaScript or third-party assets; the Content-Security-Policy
// forbids both.
//
// The REST APIs (OAuth 2.0, Open Badges 3.0 API, VC-API) live in another
// package and plug into the same mux through Config.Extra, so they share the
// logging, recovery, header and rate-limit middleware. Requests that carry an
// Authorization header are authenticated by that header, never by the session
// cookie, and are therefore exempt from the CSRF check.
//
// Sessions: the cookie holds a random 32-byte token; the store keeps only its
// SHA-256 digest and a per-session CSRF secret. Every state-changing request
// made with a valid session cookie must carry the session's CSRF token (form
// field csrf_token or header X-CSRF-Token), or it is refused with 403.
package web
