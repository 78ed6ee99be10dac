package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/verify"
)

// runSign handles "microcred sign": an unsigned credential on stdin, the
// secured credential (JSON with a Data Integrity proof, or a compact JWT) on
// stdout.
func runSign(e *env, args []string) int {
	fs := newFlags("sign", e)
	keyFile := fs.String("key", "", "Multikey key `file` (from 'microcred keys new')")
	suite := fs.String("suite", proof.SuiteRDFC, "eddsa-rdfc-2022, eddsa-jcs-2022, jwt (VC-JOSE) or ob3-jwt (the Open Badges 3.0 JWT format)")
	created := fs.String("created", "", "proof creation time, RFC 3339 (default: now)")
	vm := fs.String("verification-method", "", "verification method `URL` (default: the key's id)")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *keyFile == "" {
		return fail(e, exitBadInput, "sign: --key is required")
	}
	isJWT := *suite == "jwt" || *suite == "ob3-jwt"
	if *suite != proof.SuiteRDFC && *suite != proof.SuiteJCS && !isJWT {
		return fail(e, exitBadInput, "sign: --suite %q is not one of eddsa-rdfc-2022, eddsa-jcs-2022, jwt, ob3-jwt", *suite)
	}
	opt := proof.Options{Suite: *suite, VerificationMethod: *vm, Created: time.Now().UTC()}
	if *created != "" {
		t, err := time.Parse(time.RFC3339, *created)
		if err != nil {
			return fail(e, exitBadInput, "sign: --created %q is not an RFC 3339 date-time", *created)
		}
		opt.Created = t
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		return fail(e, exitBadInput, "sign: reading key file: %v", err)
	}
	kp, err := keys.ParseKeyFile(raw)
	if err != nil {
		return fail(e, exitBadInput, "sign: key file %s: %v", *keyFile, err)
	}
	if kp.Private == nil {
		return fail(e, exitBadInput, "sign: key file %s holds no secretKeyMultibase", *keyFile)
	}
	doc, code := readCredentialObject(e, "sign")
	if doc == nil {
		return code
	}
	if _, has := doc["proof"]; has && isJWT {
		return fail(e, exitBadInput, "sign: the credential already has a proof; a JWT secures an unsigned credential")
	}
	if isJWT {
		sign := proof.SignJWT
		if *suite == "ob3-jwt" {
			sign = proof.SignOB3JWT
		}
		token, err := sign(doc, kp, *vm)
		if err != nil {
			return fail(e, exitBadInput, "sign: %v", err)
		}
		fmt.Fprintln(e.stdout, token)
		return exitOK
	}
	signed, err := proof.Sign(doc, kp, opt)
	if err != nil {
		return fail(e, exitBadInput, "sign: %v", err)
	}
	out, err := json.MarshalIndent(signed, "", "  ")
	if err != nil {
		return fail(e, exitFailed, "sign: %v", err)
	}
	e.stdout.Write(append(out, '\n'))
	return exitOK
}

// readCredentialObject reads stdin and decodes one JSON object. On failure
// it prints the problem and returns nil with the exit code to use.
func readCredentialObject(e *env, verbName string) (map[string]any, int) {
	data, err := readInput(e.stdin)
	if err != nil {
		return nil, fail(e, exitBadInput, "%s: %v", verbName, err)
	}
	doc, err := verify.DecodeDocument(data)
	if err != nil {
		return nil, fail(e, exitBadInput, "%s: %v", verbName, err)
	}
	return doc, exitOK
}
