// Package interop holds the cross-implementation test of microcred's Data
// Integrity proofs: credentials signed by the microcred command must verify
// with the Digital Bazaar JavaScript libraries (run by harness.mjs under
// Node.js), credentials those libraries sign must verify with microcred, and
// both sides must produce byte-identical proofs from the same key and proof
// options. The package has no code of its own; see interop_test.go and
// README.md.
package interop
