package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// benchResult is one line of "microcred bench --json". Figures are per core
// (one goroutine, divided by the process's CPU time, see processCPU) and
// come with raw ed25519 measured in the same run, because only the ratio
// is comparable across machines.
type benchResult struct {
	Op          string  `json:"op"`
	Suite       string  `json:"suite"`
	N           int     `json:"n"`
	PerCorePerS float64 `json:"per_core_per_s"`
	Ed25519PerS float64 `json:"ed25519_per_s"`
	Ratio       float64 `json:"ratio"`
	// Mix is "sample" (copies of one credential) or "varied" (generated
	// credentials, --varied).
	Mix string `json:"mix"`
	// Fallbacks counts the documents the JSON-LD fast path left to the
	// reference path (json-gold) during the run; 0 is expected.
	Fallbacks uint64 `json:"fallbacks"`
}

// benchCommands are the benchmarks other than sign and verify, by name.
var benchCommands = map[string]func(*env, []string) int{
	"issue": runBenchIssue, "status": runBenchStatus, "bulk": runBenchBulk, "verify-http": runBenchVerifyHTTP,
	"log": runBenchLog, "audit": runBenchAudit, "mixed": runBenchMixed, "impact": runBenchImpact,
}

// runBench handles "microcred bench sign|verify [--suite S] [-n N] [--varied] [--json]"
// and the other benchmarks (benchCommands).
func runBench(e *env, args []string) int {
	if len(args) > 0 {
		if run, ok := benchCommands[args[0]]; ok {
			return run(e, args[1:])
		}
	}
	if len(args) == 0 || (args[0] != "sign" && args[0] != "verify") {
		return fail(e, exitBadInput, "bench: expected one of sign, verify, issue, status, bulk, verify-http, log, audit, mixed, impact "+
			"(for example: bench sign|verify [--suite S] [-n N] [--varied [--seed N]] [--json]; each takes -h for its flags)")
	}
	op := args[0]
	fs := newFlags("bench "+op, e)
	suite := fs.String("suite", "", "eddsa-rdfc-2022, eddsa-jcs-2022 or jwt (default: every suite)")
	n := fs.Int("n", 2000, "credentials to process")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	varied := fs.Bool("varied", false, "generated varied credentials (1.5–5 KB, up to 30 blank nodes, a third with inline contexts) instead of copies of the sample")
	seed := fs.Uint64("seed", 1, "generator seed for --varied")
	if !parseFlags(fs, args[1:]) {
		return exitBadInput
	}
	if *n < 1 || *n > 10_000_000 {
		return fail(e, exitBadInput, "bench: -n must be between 1 and 10000000")
	}
	suites := []string{proof.SuiteRDFC, proof.SuiteJCS, "jwt"}
	if *suite != "" {
		if *suite != proof.SuiteRDFC && *suite != proof.SuiteJCS && *suite != "jwt" {
			return fail(e, exitBadInput, "bench: --suite %q is not one of eddsa-rdfc-2022, eddsa-jcs-2022, jwt", *suite)
		}
		suites = []string{*suite}
	}
	kp, err := keys.FromSeed(make([]byte, ed25519.SeedSize), "")
	if err != nil {
		return fail(e, exitFailed, "bench: %v", err)
	}
	docs := benchCredentials(*n)
	mix := "sample"
	if *varied {
		docs = proof.VariedCredentials(*seed, *n, proof.BenchVariedOptions)
		mix = "varied"
	}
	for _, s := range suites {
		var res benchResult
		fallbacksBefore := jsonld.FallbackCount()
		if op == "sign" {
			res, err = benchSign(kp, s, docs)
		} else {
			res, err = benchVerify(kp, s, docs)
		}
		if err != nil {
			return fail(e, exitFailed, "bench %s %s: %v", op, s, err)
		}
		res.Mix = mix
		res.Fallbacks = jsonld.FallbackCount() - fallbacksBefore
		if *asJSON {
			out, _ := json.Marshal(res)
			e.stdout.Write(append(out, '\n'))
		} else {
			fmt.Fprintf(e.stdout, "%s %-16s %9.0f credentials/s per core   ed25519 alone %8.0f/s   ratio %.3f   (n=%d, %s, JSON-LD fallbacks %d)\n",
				res.Op, res.Suite, res.PerCorePerS, res.Ed25519PerS, res.Ratio, res.N, res.Mix, res.Fallbacks)
		}
	}
	return exitOK
}

// benchCredentials returns n distinct copies of the realistic ~2 KB sample
// credential, so no per-document result can be reused between iterations.
func benchCredentials(n int) []map[string]any {
	raw, _ := json.Marshal(proof.SampleCredential())
	docs := make([]map[string]any, n)
	for i := range docs {
		var d map[string]any
		_ = json.Unmarshal(raw, &d)
		d["id"] = fmt.Sprintf("urn:uuid:6f1d6a5e-0000-4000-8000-%012d", i)
		if subj, ok := d["credentialSubject"].(map[string]any); ok {
			subj["id"] = fmt.Sprintf("did:example:learner-%d", i)
		}
		docs[i] = d
	}
	return docs
}

var benchCreated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func benchSign(kp *keys.KeyPair, suite string, docs []map[string]any) (benchResult, error) {
	sign := func(d map[string]any) error {
		if suite == "jwt" {
			_, err := proof.SignJWT(d, kp, "")
			return err
		}
		_, err := proof.Sign(d, kp, proof.Options{Suite: suite, Created: benchCreated})
		return err
	}
	// Warm up: the first signature processes and caches the JSON-LD
	// contexts, which every later credential reuses.
	if err := sign(docs[0]); err != nil {
		return benchResult{}, err
	}
	runtime.GC() // start without the previous phase's garbage
	start := startClock()
	for _, d := range docs {
		if err := sign(d); err != nil {
			return benchResult{}, err
		}
	}
	rate := float64(len(docs)) / start.seconds()
	base := ed25519Rate(kp, len(docs), false)
	return benchResult{Op: "sign", Suite: suite, N: len(docs), PerCorePerS: rate, Ed25519PerS: base, Ratio: rate / base}, nil
}

func benchVerify(kp *keys.KeyPair, suite string, docs []map[string]any) (benchResult, error) {
	ctx := context.Background()
	resolver := &did.Resolver{}
	signedDocs := make([]map[string]any, len(docs))
	tokens := make([]string, len(docs))
	for i, d := range docs {
		var err error
		if suite == "jwt" {
			tokens[i], err = proof.SignJWT(d, kp, "")
		} else {
			signedDocs[i], err = proof.Sign(d, kp, proof.Options{Suite: suite, Created: benchCreated})
		}
		if err != nil {
			return benchResult{}, err
		}
	}
	check := func(i int) error {
		if suite == "jwt" {
			_, err := proof.VerifyJWT(ctx, tokens[i], resolver)
			return err
		}
		results, err := proof.Verify(ctx, signedDocs[i], resolver, proof.VerifyOptions{})
		if err != nil {
			return err
		}
		for _, r := range results {
			if !r.Verified {
				return fmt.Errorf("credential %d did not verify: %v", i, r.Err)
			}
		}
		return nil
	}
	if err := check(0); err != nil {
		return benchResult{}, err
	}
	runtime.GC()
	start := startClock()
	for i := range docs {
		if err := check(i); err != nil {
			return benchResult{}, err
		}
	}
	rate := float64(len(docs)) / start.seconds()
	base := ed25519Rate(kp, len(docs), true)
	return benchResult{Op: "verify", Suite: suite, N: len(docs), PerCorePerS: rate, Ed25519PerS: base, Ratio: rate / base}, nil
}

// ed25519Rate measures raw Ed25519 signing (or verification) of a 64-byte
// message — the size of the Data Integrity hash data — n times.
func ed25519Rate(kp *keys.KeyPair, n int, verifyOp bool) float64 {
	h1 := sha256.Sum256([]byte("proof configuration"))
	h2 := sha256.Sum256([]byte("document"))
	msg := append(h1[:], h2[:]...)
	sig := ed25519.Sign(kp.Private, msg)
	runtime.GC()
	start := startClock()
	for i := 0; i < n; i++ {
		msg[0] = byte(i)
		if verifyOp {
			ed25519.Verify(kp.Public, msg, sig)
		} else {
			sig = ed25519.Sign(kp.Private, msg)
		}
	}
	return float64(n) / start.seconds()
}

// benchClock measures a benchmark phase in process CPU time, or in wall
// time when the phase was too short for the CPU clock to advance.
type benchClock struct {
	cpu  time.Duration
	wall time.Time
}

func startClock() benchClock { return benchClock{cpu: processCPU(), wall: time.Now()} }

func (c benchClock) seconds() float64 {
	if d := processCPU() - c.cpu; d > 0 {
		return d.Seconds()
	}
	return time.Since(c.wall).Seconds()
}

// benchData checks a benchmark's --db and makes the temporary directory
// that holds its master key (and, without --db, its SQLite database),
// which the caller removes with cleanup when done. A PostgreSQL database
// is used as given; adds, when not "", says what the benchmark adds to it,
// and is printed so that nobody runs it on a database they care about
// unawares. On failure it has reported the problem and returns the exit
// code.
func benchData(e *env, name, dbURL, adds string) (data *dataFlags, cleanup func(), code int) {
	data = &dataFlags{dir: os.TempDir(), db: dbURL}
	if err := data.check(); err != nil {
		return nil, nil, fail(e, exitBadInput, "%s: %v", name, err)
	}
	tmp, err := os.MkdirTemp("", "microcred-bench-*")
	if err != nil {
		return nil, nil, fail(e, exitFailed, "%s: %v", name, err)
	}
	data.dir = tmp
	if adds != "" && dbURL != "" && store.Scheme(dbURL) == "postgres" {
		fmt.Fprintf(e.stderr, "%s: using %s as given; %s\n", name, data.describe(), adds)
	}
	return data, func() { os.RemoveAll(tmp) }, exitOK
}
