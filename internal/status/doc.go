// Package status implements W3C Bitstring Status List 1.0 for microcred:
// the bitstring and its encodedList form, BitstringStatusListEntry values
// for credentials, signed BitstringStatusListCredentials, the allocation of
// list indexes, revocation and suspension, and the verifier side that
// fetches, verifies, caches and reads status lists.
//
// A credential gets one entry, for revocation, as Open Badges 3.0 allows
// one credentialStatus (0..1); an organization that opts in to suspension
// (store.Organization.Suspension, see PurposesFor) gives its credentials a
// second entry, for suspension, beyond OB 3.0. Credentials keep the
// entries they were issued with.
//
// # Lists and indexes
//
// Each organization has, per purpose (revocation, suspension), numbered
// lists of DefaultListSize entries (131,072, the specification's minimum
// for group privacy: one list holds the status of many credentials, so
// fetching it reveals nothing about which credential is being checked).
// Indexes must be unique across every node of a PostgreSQL deployment and
// should not reveal the order of issuance. The database therefore hands
// out sequence numbers (a counter per list, advanced under a row lock; see
// store.StatusStore), and Permute maps a list's sequence numbers to indexes
// through a keyed pseudo-random permutation whose 16-byte key is stored
// with the list. A bijection cannot repeat an index, and without the key
// neighbouring indexes say nothing about issuance order. The Allocator
// reserves sequence numbers in small blocks per organization and purpose,
// so bulk issuance costs one counter update per block, not per credential;
// a block left unused when a process stops only wastes indexes.
//
// # Published lists
//
// Service.List returns the signed BitstringStatusListCredential of one
// list, served at BaseURL/orgs/SLUG/status/PURPOSE/N. The document is
// deterministic for a given list version and 12-hour period (validFrom is
// the later of the period start and the list's last change, validUntil 24
// hours after the period start, and Ed25519 signatures are deterministic),
// so every node of a deployment serves the same bytes and the same ETag,
// and a signed copy is cached in memory until the list changes or the
// period ends.
//
// # Checking
//
// Checker reads the bit for a credential's entry. It fetches the list
// credential through a Source (the local store for this server's own lists,
// HTTP with size limits for others), verifies its proof, checks that its
// issuer is the credential's issuer and that it is within its validity
// period, decodes the bitstring (refusing decompression bombs) and caches
// the decoded list by URL with its ETag for the time the source allows. A
// check against a cached list is a map lookup and a bit test.
package status
