// Package proof secures credentials and checks their security: W3C Data
// Integrity proofs with the EdDSA cryptosuites eddsa-rdfc-2022 and
// eddsa-jcs-2022 (W3C "Data Integrity EdDSA Cryptosuites v1.0"), and the
// JOSE form of "Securing Verifiable Credentials using JOSE and COSE"
// (a compact JWS with alg EdDSA whose payload is the credential itself).
//
// Verification also reads what other issuers hand out today: the legacy
// Ed25519Signature2020 suite and eddsa-2022 (the draft name of
// eddsa-rdfc-2022), on VC 1.1 and VC 2.0 credentials, alone or in proof
// sets; and JWTs in both formats (VC-JOSE vc+jwt, and the Open Badges 3.0
// format with the credential in the vc claim) signed with EdDSA, RS256 or
// ES256, the key named by kid, found in the issuer's JWK Set, or carried in
// a jwk header that must be one of the issuer's keys (CheckJWT). A proof
// microcred cannot check (another proof type or cryptosuite, a JWT
// algorithm it does not implement, an issuer document it cannot fetch) is
// reported as such (Result.Unsupported, JWTResult.CouldNotCheck,
// CouldNotCheck), never as a failed signature.
//
// A Data Integrity proof signs
//
//	sha256(canonical proof configuration) || sha256(canonical document)
//
// with Ed25519 and stores the 64-byte signature as a base58btc multibase
// proofValue. The two suites differ only in the canonical form:
// eddsa-rdfc-2022 turns the JSON-LD document into RDF and canonicalizes it
// with RDFC-1.0 (contexts are always loaded offline, never fetched), while
// eddsa-jcs-2022 canonicalizes the JSON itself with RFC 8785 (JCS) and, so
// that the signature still covers the vocabulary, copies the document's
// @context into the proof.
//
// Sign adds one proof. A document that already carries proofs gets a proof
// set; naming earlier proofs in Options.PreviousProof makes a proof chain, in
// which the new signature also covers the referenced proofs. Verify checks
// every proof of a set or chain and reports one Result per proof; a chained
// proof counts as verified only when every proof it references verifies.
//
// Transform, ProofConfig and HashData expose the intermediate steps so that
// the conformance tests can compare them byte for byte with the published
// test vectors. Sign and Verify need only the two hashes: they stream the
// canonical form into SHA-256 instead of building it, and remember the
// hashes of recent eddsa-rdfc-2022 proof configurations (the same for
// every credential a bulk job signs within one second), keyed by the exact
// configuration.
package proof
