package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/microcred/microcred/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	suiteRDFC = "eddsa-rdfc-2022"
	suiteJCS  = "eddsa-jcs-2022"

	// fixedCreated is the proof creation time both implementations are given
	// when their proofs are compared byte for byte.
	fixedCreated = "2024-05-01T12:30:00Z"

	npmTimeout   = 5 * time.Minute
	buildTimeout = 5 * time.Minute
	runTimeout   = 60 * time.Second
)

var suites = []string{suiteRDFC, suiteJCS}

// keyFile is the Multikey key file printed by "microcred keys new".
type keyFile struct {
	Context            string `json:"@context"`
	Type               string `json:"type"`
	ID                 string `json:"id"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	SecretKeyMultibase string `json:"secretKeyMultibase"`
}

// harnessJob is one entry of the array "node harness.mjs batch" reads.
type harnessJob struct {
	Op                 string          `json:"op"`
	Suite              string          `json:"suite,omitempty"`
	Key                *keyFile        `json:"key,omitempty"`
	Credential         json.RawMessage `json:"credential"`
	Created            string          `json:"created,omitempty"`
	VerificationMethod string          `json:"verificationMethod,omitempty"`
}

// harnessResult is the harness's answer to one job: ok/signed/error for a
// sign job, verified/error/credential for a verify job.
type harnessResult struct {
	OK         bool            `json:"ok"`
	Signed     json.RawMessage `json:"signed"`
	Error      string          `json:"error"`
	Verified   bool            `json:"verified"`
	Credential *struct {
		Verified bool   `json:"verified"`
		Error    string `json:"error"`
	} `json:"credential"`
}

// verifyReport is the output of "microcred verify --json".
type verifyReport struct {
	Verified bool `json:"verified"`
	Checks   []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
}

// fixture holds what every step of the test shares.
type fixture struct {
	root       string // repository root (holds go.mod)
	interopDir string
	node       string
	microcred  string
	tmp        string
}

// credentialCase is an unsigned credential that is signed by both sides.
type credentialCase struct {
	name     string
	unsigned []byte
}

// signedSet is what the first phase produces for one suite and credential.
type signedSet struct {
	suite, cred string
	unsigned    []byte
	mcDefault   []byte // microcred sign with its defaults (created = now)
	mcFixed     []byte // microcred sign with fixedCreated and the key id
	// indexes into the first harness batch
	jsVerifyDefault, jsVerifyFixed, jsVerifyTampered int
	jsSignFixed, jsSignDefault                       int
}

func TestInterop(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found in PATH: interop with the JavaScript implementations not tested")
	}
	f := &fixture{root: testutil.RepoRoot(t), node: node, tmp: t.TempDir()}
	f.interopDir = filepath.Join(f.root, "interop")
	vectors := filepath.Join(f.root, "..", "shared", "vectors", "vc-di-eddsa")
	if _, err := os.Stat(vectors); err != nil {
		t.Fatalf("test vectors: %v (expected beside the repository at ../shared/vectors)", err)
	}
	f.ensureNodeModules(t)
	f.buildMicrocred(t)

	key := f.newKey(t)
	keyPath := filepath.Join(f.tmp, "key.json")
	writeJSON(t, keyPath, key)

	// Both verifiers require the issuer to be the controller of the signing
	// key, so each credential is issued by the did:key that signs it.
	creds := []credentialCase{
		{name: "ob3-badge", unsigned: openBadge(t, key.Controller)},
		{name: "w3c-alumni", unsigned: withIssuer(t, readFile(t, filepath.Join(vectors, "unsigned.json")), key.Controller)},
	}

	// Phase 1: microcred signs; the harness verifies those credentials and
	// signs the same credentials with the same key, in one Node.js process.
	var jobs []harnessJob
	addJob := func(j harnessJob) int { jobs = append(jobs, j); return len(jobs) - 1 }
	var sets []*signedSet
	for _, suite := range suites {
		for _, c := range creds {
			s := &signedSet{suite: suite, cred: c.name, unsigned: c.unsigned}
			s.mcDefault = f.microcredOK(t, c.unsigned, "sign", "--key", keyPath, "--suite", suite)
			s.mcFixed = f.microcredOK(t, c.unsigned, "sign", "--key", keyPath, "--suite", suite,
				"--created", fixedCreated, "--verification-method", key.ID)
			s.jsVerifyDefault = addJob(harnessJob{Op: "verify", Credential: s.mcDefault})
			s.jsVerifyFixed = addJob(harnessJob{Op: "verify", Credential: s.mcFixed})
			s.jsVerifyTampered = addJob(harnessJob{Op: "verify", Credential: tamper(t, s.mcDefault)})
			s.jsSignFixed = addJob(harnessJob{Op: "sign", Suite: suite, Key: key, Credential: c.unsigned,
				Created: fixedCreated, VerificationMethod: key.ID})
			s.jsSignDefault = addJob(harnessJob{Op: "sign", Suite: suite, Key: key, Credential: c.unsigned})
			sets = append(sets, s)
		}
	}
	// The W3C test-vector key signing the W3C unsigned credential with the
	// published proof options must give the published proofValue on both
	// sides: a fixed point that does not depend on either implementation.
	vectorKey := w3cVectorKey(t, filepath.Join(vectors, "keyPair.json"))
	vectorKeyPath := filepath.Join(f.tmp, "w3c-key.json")
	writeJSON(t, vectorKeyPath, vectorKey)
	type vectorCase struct {
		suite, signedPath string
		want              map[string]any
		mc                []byte
		jsSign, jsVerify  int
	}
	vectorUnsigned := readFile(t, filepath.Join(vectors, "unsigned.json"))
	var vcases []*vectorCase
	for _, v := range []struct{ suite, file string }{
		{suiteRDFC, filepath.Join("eddsa-rdfc-2022", "signedDataInt.json")},
		{suiteJCS, filepath.Join("eddsa-jcs-2022", "signedJCS.json")},
	} {
		published := decode(t, readFile(t, filepath.Join(vectors, v.file)))
		vc := &vectorCase{suite: v.suite, signedPath: v.file, want: published}
		pr := proofOf(t, published)
		vc.mc = f.microcredOK(t, vectorUnsigned, "sign", "--key", vectorKeyPath, "--suite", v.suite,
			"--created", pr["created"].(string), "--verification-method", pr["verificationMethod"].(string))
		vc.jsSign = addJob(harnessJob{Op: "sign", Suite: v.suite, Key: vectorKey, Credential: vectorUnsigned,
			Created: pr["created"].(string), VerificationMethod: pr["verificationMethod"].(string)})
		vc.jsVerify = addJob(harnessJob{Op: "verify", Credential: vc.mc})
		vcases = append(vcases, vc)
	}
	results := f.harness(t, jobs)

	// Every JavaScript signature is needed below; stop early if any failed.
	for _, s := range sets {
		for _, idx := range []int{s.jsSignFixed, s.jsSignDefault} {
			if r := results[idx]; !r.OK {
				t.Fatalf("%s/%s: JavaScript sign failed: %s", s.suite, s.cred, r.Error)
			}
		}
	}

	for _, s := range sets {
		t.Run(s.suite+"/"+s.cred, func(t *testing.T) {
			jsFixed := []byte(results[s.jsSignFixed].Signed)
			jsDefault := []byte(results[s.jsSignDefault].Signed)

			t.Run("microcred signs, JavaScript verifies", func(t *testing.T) {
				checkProofShape(t, s.mcDefault, s.suite)
				for name, r := range map[string]harnessResult{
					"default options": results[s.jsVerifyDefault],
					"fixed options":   results[s.jsVerifyFixed],
				} {
					if !r.Verified {
						t.Errorf("%s: JavaScript did not verify microcred's proof: %s", name, r.Error)
					}
					// The data-model check of @digitalbazaar/vc also binds
					// the issuer to the key controller and checks validity.
					if r.Credential == nil || !r.Credential.Verified {
						t.Errorf("%s: @digitalbazaar/vc rejected microcred's credential: %+v", name, r.Credential)
					}
				}
			})

			t.Run("JavaScript signs, microcred verifies", func(t *testing.T) {
				for name, signed := range map[string][]byte{"default options": jsDefault, "fixed options": jsFixed} {
					code, rep, raw := f.microcredVerify(t, signed)
					if code != 0 || !rep.Verified {
						t.Errorf("%s: microcred verify exit %d, verified=%v, want 0/true\nreport: %s\ncredential: %s",
							name, code, rep.Verified, raw, signed)
					}
				}
			})

			t.Run("tampered credential refused by both", func(t *testing.T) {
				if r := results[s.jsVerifyTampered]; r.Verified {
					t.Errorf("JavaScript verified microcred's credential after its name was changed")
				}
				code, rep, raw := f.microcredVerify(t, tamper(t, jsDefault))
				if code != 1 || rep.Verified {
					t.Errorf("microcred verify of the tampered JavaScript credential: exit %d, verified=%v, want 1/false\nreport: %s",
						code, rep.Verified, raw)
				}
			})

			t.Run("identical proofs from identical inputs", func(t *testing.T) {
				mc, js := decode(t, s.mcFixed), decode(t, jsFixed)
				mcProof, jsProof := proofOf(t, mc), proofOf(t, js)
				if mcProof["proofValue"] != jsProof["proofValue"] {
					t.Errorf("proofValue differs:\nmicrocred:  %v\nJavaScript: %v", mcProof["proofValue"], jsProof["proofValue"])
				}
				if !reflect.DeepEqual(mc, js) {
					t.Errorf("secured credentials differ:\nmicrocred:\n%s\nJavaScript:\n%s", s.mcFixed, jsFixed)
				}
			})
		})
	}

	for _, vc := range vcases {
		t.Run(vc.suite+"/w3c-vector-key", func(t *testing.T) {
			want := proofOf(t, vc.want)["proofValue"]
			if got := proofOf(t, decode(t, vc.mc))["proofValue"]; got != want {
				t.Errorf("microcred proofValue %v, want the published %v (%s)", got, want, vc.signedPath)
			}
			r := results[vc.jsSign]
			if !r.OK {
				t.Fatalf("JavaScript sign failed: %s", r.Error)
			}
			if got := proofOf(t, decode(t, r.Signed))["proofValue"]; got != want {
				t.Errorf("JavaScript proofValue %v, want the published %v (%s)", got, want, vc.signedPath)
			}
			if !reflect.DeepEqual(decode(t, vc.mc), vc.want) {
				t.Errorf("microcred's secured credential differs from %s:\n%s", vc.signedPath, vc.mc)
			}
			// The vector's issuer is not its key's controller, so only the
			// proof itself is expected to verify here.
			if v := results[vc.jsVerify]; !v.Verified {
				t.Errorf("JavaScript did not verify microcred's proof: %s", v.Error)
			}
		})
	}
}

// ensureNodeModules installs the locked JavaScript dependencies when any
// direct dependency is missing. A failed install fails the test: with node
// present the interop test must run, not be skipped.
func (f *fixture) ensureNodeModules(t *testing.T) {
	t.Helper()
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(f.interopDir, "package.json")), &pkg); err != nil {
		t.Fatalf("interop/package.json: %v", err)
	}
	missing := false
	for name := range pkg.Dependencies {
		if _, err := os.Stat(filepath.Join(f.interopDir, "node_modules", name, "package.json")); err != nil {
			missing = true
			break
		}
	}
	if !missing {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("node is installed but npm is not: cannot install interop/node_modules: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = f.interopDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", f.interopDir, err, out)
	}
}

// buildMicrocred compiles the command under test into the test's temporary
// directory.
func (f *fixture) buildMicrocred(t *testing.T) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not found in PATH: %v", err)
	}
	f.microcred = filepath.Join(f.tmp, "microcred")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", f.microcred, "./cmd/microcred")
	cmd.Dir = f.root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/microcred: %v\n%s", err, out)
	}
}

// run executes a program with stdin and returns stdout, stderr and the exit
// code; an error other than a non-zero exit fails the test.
func run(t *testing.T, dir string, stdin []byte, name string, args ...string) (stdout, stderr []byte, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		code = exitErr.ExitCode()
	default:
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, errOut.Bytes())
	}
	return out.Bytes(), errOut.Bytes(), code
}

// microcredOK runs microcred and fails the test unless it exits 0.
func (f *fixture) microcredOK(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	out, errOut, code := run(t, f.tmp, stdin, f.microcred, args...)
	if code != 0 {
		t.Fatalf("microcred %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// microcredVerify runs "microcred verify --json" and returns its exit code
// and decoded report.
func (f *fixture) microcredVerify(t *testing.T, credential []byte) (int, verifyReport, []byte) {
	t.Helper()
	out, errOut, code := run(t, f.tmp, credential, f.microcred, "verify", "--json")
	var rep verifyReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("microcred verify --json (exit %d) printed no report: %v\nstdout: %s\nstderr: %s", code, err, out, errOut)
	}
	return code, rep, out
}

// newKey runs "microcred keys new" and checks the key file it prints.
func (f *fixture) newKey(t *testing.T) *keyFile {
	t.Helper()
	var k keyFile
	if err := json.Unmarshal(f.microcredOK(t, nil, "keys", "new"), &k); err != nil {
		t.Fatalf("microcred keys new: not a key file: %v", err)
	}
	did := "did:key:" + k.PublicKeyMultibase
	switch {
	case k.Type != "Multikey" || k.Context != "https://w3id.org/security/multikey/v1":
		t.Fatalf("microcred keys new: type %q @context %q, want a Multikey", k.Type, k.Context)
	case !strings.HasPrefix(k.PublicKeyMultibase, "z6Mk") || !strings.HasPrefix(k.SecretKeyMultibase, "z3u2"):
		t.Fatalf("microcred keys new: %q / %q are not Ed25519 Multikey encodings", k.PublicKeyMultibase, k.SecretKeyMultibase)
	case k.Controller != did || k.ID != did+"#"+k.PublicKeyMultibase:
		t.Fatalf("microcred keys new: id %q controller %q, want the did:key %s", k.ID, k.Controller, did)
	}
	return &k
}

// harness runs one batch of jobs in a single Node.js process.
func (f *fixture) harness(t *testing.T, jobs []harnessJob) []harnessResult {
	t.Helper()
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatalf("encoding harness jobs: %v", err)
	}
	out, errOut, code := run(t, f.interopDir, in, f.node, "harness.mjs", "batch")
	if code != 0 {
		t.Fatalf("node harness.mjs batch: exit %d\n%s", code, errOut)
	}
	var results []harnessResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("node harness.mjs batch: %v\n%s", err, out)
	}
	if len(results) != len(jobs) {
		t.Fatalf("node harness.mjs batch: %d results for %d jobs", len(results), len(jobs))
	}
	return results
}

// checkProofShape checks the proof options microcred chose by default.
func checkProofShape(t *testing.T, signed []byte, suite string) {
	t.Helper()
	p := proofOf(t, decode(t, signed))
	want := map[string]string{"type": "DataIntegrityProof", "cryptosuite": suite, "proofPurpose": "assertionMethod"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("proof.%s = %v, want %q", k, p[k], v)
		}
	}
	created, _ := p["created"].(string)
	if _, err := time.Parse(time.RFC3339, created); err != nil {
		t.Errorf("proof.created %q is not a date-time: %v", created, err)
	}
}

// openBadge returns a realistic Open Badges 3.0 credential issued by issuer.
// The non-ASCII text exercises string escaping in both canonicalizations.
func openBadge(t *testing.T, issuer string) []byte {
	t.Helper()
	badge := map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		},
		"id":   "urn:uuid:0b9b7f4e-3f3c-4a59-9d0e-5f0c1f4c2a71",
		"type": []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name": "Applied Cryptography Practitioner",
		"issuer": map[string]any{
			"id":          issuer,
			"type":        []any{"Profile"},
			"name":        "École Polytechnique d’Exemple",
			"url":         "https://badges.example.edu",
			"email":       "badges@example.edu",
			"description": "Issues micro-credentials for continuing education — since 2019.",
		},
		"validFrom":  "2024-03-01T09:00:00Z",
		"validUntil": "2099-03-01T09:00:00Z",
		"credentialSubject": map[string]any{
			"id":   "did:example:learner-4711",
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id":              "https://badges.example.edu/achievements/applied-crypto",
				"type":            []any{"Achievement"},
				"achievementType": "Certificate",
				"name":            "Applied Cryptography Practitioner",
				"description":     "Signs and verifies data with Ed25519 and explains canonicalization.",
				"criteria": map[string]any{
					"id":        "https://badges.example.edu/achievements/applied-crypto/criteria",
					"narrative": "Complete the 12-hour workshop and pass the practical exam (≥ 80 %).",
				},
				"image": map[string]any{
					"id":      "https://badges.example.edu/achievements/applied-crypto/image.png",
					"type":    "Image",
					"caption": "Applied Cryptography badge",
				},
				"alignment": []any{
					map[string]any{
						"type":            []any{"Alignment"},
						"targetName":      "Cryptography",
						"targetUrl":       "https://framework.example.org/skills/cryptography",
						"targetFramework": "Example Digital Skills Framework",
						"targetCode":      "SEC-CRYPTO-2",
						"targetType":      "ceasn:Competency",
					},
				},
				"tag": []any{"cryptography", "security"},
			},
		},
	}
	out, err := json.Marshal(badge)
	if err != nil {
		t.Fatalf("encoding the Open Badge: %v", err)
	}
	return out
}

// withIssuer returns the credential with its issuer replaced by id.
func withIssuer(t *testing.T, credential []byte, id string) []byte {
	t.Helper()
	doc := decode(t, credential)
	doc["issuer"] = id
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("encoding credential: %v", err)
	}
	return out
}

// tamper changes the credential's name, leaving its proof untouched.
func tamper(t *testing.T, signed []byte) []byte {
	t.Helper()
	doc := decode(t, signed)
	name, ok := doc["name"].(string)
	if !ok {
		t.Fatalf("credential has no name to tamper with")
	}
	doc["name"] = name + " (altered)"
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("encoding tampered credential: %v", err)
	}
	return out
}

// w3cVectorKey converts the W3C vector key pair into a microcred key file
// bound to its did:key.
func w3cVectorKey(t *testing.T, path string) *keyFile {
	t.Helper()
	var kp struct {
		Public  string `json:"publicKeyMultibase"`
		Private string `json:"privateKeyMultibase"`
	}
	if err := json.Unmarshal(readFile(t, path), &kp); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	did := "did:key:" + kp.Public
	return &keyFile{
		Context:            "https://w3id.org/security/multikey/v1",
		Type:               "Multikey",
		ID:                 did + "#" + kp.Public,
		Controller:         did,
		PublicKeyMultibase: kp.Public,
		SecretKeyMultibase: kp.Private,
	}
}

func proofOf(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	p, ok := doc["proof"].(map[string]any)
	if !ok {
		t.Fatalf("credential has no single proof object: %v", doc["proof"])
	}
	return p
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, data)
	}
	return doc
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return data
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("encoding %s: %v", path, err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}
