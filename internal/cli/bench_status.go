package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
)

// runBenchStatus handles "microcred bench status [-n N] [--json]": the cost
// of a status check against a cached, verified list (the path every check
// takes between list refreshes), the one-time cost of verifying and
// decoding a fresh list, and, for scale, one Ed25519 signature
// verification measured in the same run.
func runBenchStatus(e *env, args []string) int {
	fs := newFlags("bench status", e)
	n := fs.Int("n", 1_000_000, "status checks to time")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *n < 1000 || *n > 100_000_000 {
		return fail(e, exitBadInput, "bench status: -n must be between 1000 and 100000000")
	}
	kp, err := keys.FromSeed(make([]byte, ed25519.SeedSize), "")
	if err != nil {
		return fail(e, exitFailed, "bench status: %v", err)
	}
	const url = "https://issuer.example/orgs/bench/status/revocation/0"
	bits := status.NewBitstring(status.DefaultListSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 { // a list with some revocations compresses less
		_ = bits.Set(rng.IntN(status.DefaultListSize), true)
	}
	now := time.Now().UTC().Truncate(time.Second)
	doc, err := status.ListCredential(url, kp.Controller, "revocation", bits, now.Add(-time.Minute), now.Add(24*time.Hour))
	if err != nil {
		return fail(e, exitFailed, "bench status: %v", err)
	}
	signed, err := proof.Sign(doc, kp, proof.Options{Created: now.Add(-time.Minute)})
	if err != nil {
		return fail(e, exitFailed, "bench status: %v", err)
	}
	body, err := json.Marshal(signed)
	if err != nil {
		return fail(e, exitFailed, "bench status: %v", err)
	}
	ctx := context.Background()
	resolver := &did.Resolver{}
	entries := make([]status.Entry, 1024)
	for i := range entries {
		entries[i] = status.NewEntry(url, "revocation", rng.IntN(status.DefaultListSize))
	}

	// First check: fetch (from memory), verify the proof, decode.
	checker := &status.Checker{Source: status.Files{url: body}}
	start := time.Now()
	if _, err := checker.Check(ctx, entries[0], kp.Controller, resolver, now); err != nil {
		return fail(e, exitFailed, "bench status: %v", err)
	}
	firstUS := float64(time.Since(start).Nanoseconds()) / 1e3

	start = time.Now()
	for i := range *n {
		if _, err := checker.Check(ctx, entries[i&1023], kp.Controller, resolver, now); err != nil {
			return fail(e, exitFailed, "bench status: %v", err)
		}
	}
	checkUS := float64(time.Since(start).Nanoseconds()) / 1e3 / float64(*n)

	msg := []byte("a status-list benchmark message of typical hash-input length, sixty-four bytes long....")
	sig := ed25519.Sign(kp.Private, msg)
	const verifies = 2000
	start = time.Now()
	for range verifies {
		if !ed25519.Verify(kp.Public, msg, sig) {
			return fail(e, exitFailed, "bench status: ed25519 verification failed")
		}
	}
	edUS := float64(time.Since(start).Nanoseconds()) / 1e3 / verifies

	res := map[string]any{
		"op": "status-check-cached", "checks": *n, "check_us": checkUS, "first_check_us": firstUS,
		"ed25519_verify_us": edUS, "ratio_to_ed25519_verify": checkUS / edUS, "list_bytes": len(body),
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.stdout.Write(append(out, '\n'))
		return exitOK
	}
	e.printf("status check, cached list: %.3f µs per check (%d checks)\n", checkUS, *n)
	e.printf("first check (verify list proof, decode %d-byte list credential): %.0f µs\n", len(body), firstUS)
	e.printf("ed25519 verify in the same run: %.2f µs; a cached status check costs %.4f of one\n", edUS, checkUS/edUS)
	return exitOK
}
