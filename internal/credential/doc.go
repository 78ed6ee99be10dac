// Package credential holds the W3C Verifiable Credentials 2.0 and 1EdTech
// Open Badges 3.0 data model: OpenBadgeCredential (alias AchievementCredential),
// EndorsementCredential and the objects they carry (Profile, Achievement,
// AchievementSubject, Result, Evidence, IdentityObject, ...).
//
// # Lossless JSON
//
// Credentials are signed documents, so decoding and re-encoding one must not
// drop or reshape data: a proof computed over the original bytes (JCS) or the
// original RDF graph (RDFC-1.0) must still verify over the re-encoded form.
// Every object type therefore keeps the properties it does not model in an
// Extra map of raw JSON values, properties that may be written either as a
// single value or as an array (type, @context, proof, credentialSchema,
// termsOfUse) remember which form they had (see OneOrMany), and properties that
// may be a bare IRI or an object (issuer and other Profiles, image) remember
// that too (the IDOnly field). Dates are kept as the strings found in the
// document, never reformatted. Object keys are written in struct order
// followed by extension keys in sorted order; key order carries no meaning in
// JSON or JSON-LD and both canonicalizations sort keys themselves.
//
// # Validation
//
// Validation follows the Open Badges 3.0 data model and its JSON schema and
// runs on the generic JSON tree, so ValidateJSON can report wrong JSON types
// that a typed decoder would only reject wholesale, and Validate on a typed
// credential checks exactly the document that would be signed. Every problem is
// reported, each as a FieldError naming the JSON path, for example
// "credentialSubject.result[0].value: must be a string".
package credential
