// Package did encodes Ed25519 keys as Multikey strings and resolves the
// decentralized identifiers that issuers sign with: did:key, did:web and plain
// https controller documents.
//
// Multikey (W3C Controlled Identifiers) writes a key as multibase base58btc
// ('z') over a multicodec varint header and the raw key bytes. Ed25519 public
// keys use the ed25519-pub header 0xed 0x01, so they always print as "z6Mk...";
// Ed25519 secret keys use ed25519-priv (0x1300, varint 0x80 0x26) over the
// 32-byte seed and print as "z3u2...".
//
// A did:key DID is the Multikey public key itself, so resolving it needs no
// network: [ResolveKey] expands it into the DID document the did:key
// specification defines. A did:web DID names an https URL ([WebURL]) where the
// controller publishes its document; [Resolver] fetches it through a pluggable
// [Fetcher] (tests and offline verification supply documents instead) and
// validates it before use.
//
// [Resolver.PublicKey] is the one call a proof verifier needs: given the
// verificationMethod of a proof and its proofPurpose relationship it returns
// the Ed25519 key only after checking that the method belongs to the
// controller's document, that the document names the same controller, and
// that the controller authorized the method for that purpose. Each failed
// check has its own sentinel error so verification reports can say which one
// failed.
package did
