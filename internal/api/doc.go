// Package api serves microcred's machine interfaces over HTTP:
//
//   - POST /oauth/token, the OAuth 2.0 token endpoint. API clients of an
//     organization obtain bearer tokens with the client credentials grant
//     (RFC 6749 section 4.4), authenticating with HTTP Basic
//     (client_secret_basic) or form fields (client_secret_post). Tokens are
//     random, stored only as their SHA-256 digest and live one hour.
//   - The OB 3.0 API security: dynamic client registration (POST
//     /oauth/register, RFC 7591), the authorization code grant with PKCE
//     S256 (the consent page /oauth/authorize is served by the web package;
//     codes live 60 s and work once, a replay revokes the grant), rotating
//     refresh tokens (30 days, a reused one revokes the grant), token
//     revocation (POST /oauth/revoke, RFC 7009) and the RFC 8414 metadata
//     document. Tokens of a user's grant act for the organization the user
//     chose, and only while the user's role there allows their scopes.
//   - The 1EdTech Open Badges 3.0 REST API under /ims/ob/v3p0: the public
//     service description document (discovery), getCredentials,
//     upsertCredential, getProfile and putProfile, with the OB 3.0 scopes,
//     paging headers and Imsx_StatusInfo error bodies the specification
//     defines.
//   - The W3C VC-API issuer and verifier endpoints POST /credentials/issue
//     and POST /credentials/verify, with the request and response shapes the
//     W3C Verifiable Credentials test suites use.
//   - microcred's own issuing API under /api/v1 (award a catalog achievement
//     to a recipient, with an optional Idempotency-Key) and the public
//     catalog JSON.
//   - GET /api/openapi.json, an OpenAPI 3.0 document of all of the above.
//
// # One route table
//
// Every route is one entry of a table (routes.go) that names its method and
// path, the scope it needs, the style of its error bodies and its OpenAPI
// operation. Register installs the handlers from that table and OpenAPI
// describes the same table, so the document cannot list an endpoint that is
// not served or miss one that is; a test checks both directions against a
// live mux and checks responses against the documented schemas.
//
// # Authentication and limits
//
// Bearer-authenticated routes resolve the token to its API client and the
// client (or the user's grant) to its organization, through a cache of
// validated tokens that lives at most ten seconds (tokencache.go); every action is taken on behalf of that
// organization and audited with the client id as actor. A route refuses a
// token without its scope (403 insufficient_scope, RFC 6750). Each client
// is rate limited (token bucket, 429 with Retry-After). These routes carry no
// cookies, so the web server's CSRF protection does not apply to them.
//
// Client secrets are checked against APIClient.SecretHash, which is either an
// argon2id PHC string (auth.HashPassword) or the SHA-256 digest of the secret
// (auth.HashToken); the secrets are random, so a fast digest is enough and
// keeps token requests cheap, while PHC strings remain accepted.
//
// # Bad input
//
// Request bodies are limited to 1 MiB (413 names the limit). Request
// envelopes are decoded strictly: unknown members, wrong JSON types and
// trailing data are refused with 400 naming the field by its JSON path. A
// credential that is well-formed but refused on its content (an issuer that
// is not the caller's organization, a missing achievement criteria) is 422.
// Writes happen in single store transactions, so a failed request leaves
// nothing behind.
package api
