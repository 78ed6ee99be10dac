package cli

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/microcred/microcred/internal/did"

	"github.com/microcred/microcred/internal/keys"
)

// runKeys handles "microcred keys new [--controller DID-or-URL]", which
// prints a Multikey key file (the format other VC libraries import and
// export), and "microcred keys doc --key FILE", which prints the DID document
// that publishes the key.
func runKeys(e *env, args []string) int {
	if len(args) > 0 && args[0] == "doc" {
		return runKeysDoc(e, args[1:])
	}
	if len(args) == 0 || args[0] != "new" {
		return fail(e, exitBadInput, "keys: expected a subcommand: keys new [--controller DID-or-URL] | keys doc --key FILE")
	}
	fs := newFlags("keys new", e)
	controller := fs.String("controller", "", "controller `DID or URL` of the key (default: a did:key made from the key itself)")
	if !parseFlags(fs, args[1:]) {
		return exitBadInput
	}
	kp, err := keys.Generate(*controller)
	if err != nil {
		return fail(e, exitBadInput, "keys new: %v", err)
	}
	out, err := json.MarshalIndent(kp, "", "  ")
	if err != nil {
		return fail(e, exitFailed, "keys new: %v", err)
	}
	e.stdout.Write(append(out, '\n'))
	return exitOK
}

// runKeysDoc prints the DID document for a key file: the did:key document,
// or the did:web document to serve at the address did:web maps to.
func runKeysDoc(e *env, args []string) int {
	fs := newFlags("keys doc", e)
	keyFile := fs.String("key", "", "Multikey key `file`")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *keyFile == "" {
		return fail(e, exitBadInput, "keys doc: --key is required")
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		return fail(e, exitBadInput, "keys doc: reading key file: %v", err)
	}
	kp, err := keys.ParseKeyFile(raw)
	if err != nil {
		return fail(e, exitBadInput, "keys doc: key file %s: %v", *keyFile, err)
	}
	var doc *did.Document
	switch {
	case strings.HasPrefix(kp.Controller, "did:key:"):
		doc, err = did.ResolveKey(kp.Controller)
	case strings.HasPrefix(kp.Controller, "did:web:"):
		doc, err = did.WebDocument(kp.Controller, []did.VerificationMethod{kp.VerificationMethod()})
	default:
		return fail(e, exitBadInput, "keys doc: controller %q is neither did:key nor did:web", kp.Controller)
	}
	if err != nil {
		return fail(e, exitBadInput, "keys doc: %v", err)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fail(e, exitFailed, "keys doc: %v", err)
	}
	e.stdout.Write(append(out, '\n'))
	return exitOK
}
