// Package ob2 verifies Open Badges 2.0 assertions, the badges issued before
// Open Badges 3.0 that people still hold and share.
//
// An Open Badges 2.0 assertion is verified in one of two ways, which the
// assertion names in verification.type:
//
//   - hosted ("hosted", "HostedBadge"): the issuer publishes the assertion
//     at its id URL. The verifier fetches it there (the published copy is
//     the truth; a copy that differs from it is not the issuer's), then the
//     badge class its badge property names and the issuer profile the badge
//     class names, and checks that the assertion's URL lies on an origin the
//     issuer allows (the issuer's verification.allowedOrigins and
//     startsWith, by default the host of the issuer's id). A revoked hosted
//     assertion answers 410 Gone or says "revoked": true.
//   - signed ("signed", "SignedBadge"): the assertion is the payload of a
//     compact JWS signed with RS256. The public key is the CryptographicKey
//     document verification.creator names (or the issuer profile's
//     publicKey); it must be listed by the issuer profile and name the issuer
//     as its owner. The issuer's revocationList says whether it was revoked.
//
// Both ways end with the validity period (issuedOn, expires). Every document
// is fetched through the guarded client of package fetch; Options.Documents
// supplies them offline instead.
//
// Verify returns a Result whose checks say in plain words what was checked
// and what it means, with the technical detail beside it, and a three-way
// verdict: verified; not verified (a check failed: signature, revoked,
// expired, origin, key ownership); could not be checked (a document could
// not be fetched, or the assertion uses something this verifier does not
// support). It never calls a badge false because a server was unreachable.
package ob2
