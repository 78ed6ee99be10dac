// Package issue is the issuance service: the one place where organizations
// get their issuer identity and signing keys, where catalog entries are
// saved as immutable versions, and where Open Badges 3.0 credentials are
// built, validated, signed and stored. The web UI, the REST APIs, the CLI and
// the demo seeder all issue through Service, so every path produces the same
// credential, writes the same audit entries and notifies the learner the
// same way.
//
// # Issuer identity
//
// An organization's issuer id is did:web:HOST[%3APORT]:orgs:SLUG, where HOST
// comes from the service's base URL and the DID document is served at
// /orgs/SLUG/did.json. It lists every signing key the organization ever had,
// retired ones too, so credentials signed before a rotation keep verifying.
// An organization created with DIDMethod "key" uses the did:key of its
// active key instead; rotating its key therefore changes its DID (old
// credentials still verify, since a did:key resolves to itself).
//
// The service verifies its own organizations' credentials without fetching
// its own DID documents over HTTP: Resolver answers for DIDs under the base
// URL's host from the store.
//
// # Keys
//
// Private keys are stored sealed under the master key (envelope encryption,
// see package keys) with the key row id as associated data. Unsealed keys are
// cached in memory, bounded and keyed by key id, because bulk issuance signs
// thousands of credentials a second and unsealing costs an HKDF and two
// AES-GCM operations.
//
// # Transactions
//
// Each operation that changes state (creating an organization, rotating a
// key, saving an achievement, issuing) writes its rows, its outbox mail and
// its audit entry in one store transaction, so a failure leaves nothing
// half-written. Signing happens before the transaction opens, so the
// transaction holds the database for the inserts only.
package issue
