package cli

import (
	"bytes"
	"encoding/json"
	"github.com/microcred/microcred/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run invokes the command line in-process and returns exit code, stdout
// and stderr.
func run(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newKey writes a fresh key file for controller and returns its path.
func newKey(t *testing.T, controller string) string {
	t.Helper()
	args := []string{"keys", "new"}
	if controller != "" {
		args = append(args, "--controller", controller)
	}
	code, out, errs := run(t, nil, args...)
	if code != 0 {
		t.Fatalf("keys new: exit %d: %s", code, errs)
	}
	var kf map[string]any
	if err := json.Unmarshal([]byte(out), &kf); err != nil {
		t.Fatalf("keys new printed no JSON: %v", err)
	}
	for _, f := range []string{"type", "id", "controller", "publicKeyMultibase", "secretKeyMultibase"} {
		if _, ok := kf[f].(string); !ok {
			t.Fatalf("key file lacks %s: %s", f, out)
		}
	}
	if kf["type"] != "Multikey" {
		t.Fatalf("type = %v, want Multikey", kf["type"])
	}
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sampleFor returns the sample credential with its issuer set to id.
func sampleFor(t *testing.T, issuer string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(testutil.RepoRoot(t), "internal/proof/sample/ob3-credential.json")), &doc); err != nil {
		t.Fatal(err)
	}
	doc["issuer"].(map[string]any)["id"] = issuer
	b, _ := json.Marshal(doc)
	return b
}

func controllerOf(t *testing.T, keyPath string) string {
	t.Helper()
	var kf map[string]any
	_ = json.Unmarshal(readFile(t, keyPath), &kf)
	return kf["controller"].(string)
}

func TestSignVerifyRoundTrip(t *testing.T) {
	key := newKey(t, "")
	unsigned := sampleFor(t, controllerOf(t, key))
	for _, suite := range []string{"eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"} {
		t.Run(suite, func(t *testing.T) {
			code, signed, errs := run(t, unsigned, "sign", "--key", key, "--suite", suite, "--created", "2026-01-02T03:04:05Z")
			if code != 0 {
				t.Fatalf("sign: exit %d: %s", code, errs)
			}
			code, out, errs := run(t, []byte(signed), "verify", "--json")
			if code != 0 {
				t.Fatalf("verify: exit %d: %s %s", code, out, errs)
			}
			var rep struct {
				Verified bool   `json:"verified"`
				Verdict  string `json:"verdict"`
				Checks   []struct {
					Name   string `json:"name"`
					OK     bool   `json:"ok"`
					Detail string `json:"detail"`
				} `json:"checks"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("verify --json: %v: %s", err, out)
			}
			if !rep.Verified || rep.Verdict != "verified" || len(rep.Checks) < 4 {
				t.Fatalf("report = %+v", rep)
			}
			for _, c := range rep.Checks {
				if c.Name == "" || c.Detail == "" || !c.OK {
					t.Errorf("check %+v", c)
				}
			}
			// The plain-language report says what the credential means.
			code, text, _ := run(t, []byte(signed), "verify")
			if code != 0 || !strings.HasPrefix(text, "VERIFIED") || !strings.Contains(text, "Achievement: Applied Data Analysis with Python") {
				t.Fatalf("text report (exit %d):\n%s", code, text)
			}

			// Tampering after signing must fail with exit 1.
			tampered := strings.Replace(signed, "Applied Data Analysis", "Applied Data Alchemy", 1)
			if suite == "jwt" {
				tampered = signed[:len(signed)-6] + "AAAAA\n"
			}
			code, out, errs = run(t, []byte(tampered), "verify", "--json")
			if code != 1 {
				t.Fatalf("tampered: exit %d, want 1: %s %s", code, out, errs)
			}
			if !strings.Contains(out, `"verified":false`) || !strings.Contains(out, `"verdict":"not_verified"`) {
				t.Fatalf("tampered: %s", out)
			}
		})
	}
}

func TestVerifyW3CVectors(t *testing.T) {
	vectors := filepath.Join(testutil.RepoRoot(t), "..", "shared", "vectors", "vc-di-eddsa")
	for _, f := range []string{
		"eddsa-rdfc-2022/signedDataInt.json",
		"eddsa-rdfc-2022/employ/signedDataInt.json",
		"eddsa-jcs-2022/signedJCS.json",
		"proof-set-chain/signedProofSet2.json",
		"proof-set-chain/signedProofChain2.json",
	} {
		t.Run(f, func(t *testing.T) {
			// The vectors test proofs, not issuers: each names an issuer
			// (an https URL, or a P-256 did:key) that is not the Ed25519
			// did:key that signed it. So every proof must verify and the
			// issuer check alone must fail: exit 1, never 2.
			code, out, errs := run(t, readFile(t, filepath.Join(vectors, f)), "verify", "--json")
			if code != 1 {
				t.Fatalf("exit %d, want 1: %s %s", code, out, errs)
			}
			var rep struct {
				Checks []struct {
					Name string `json:"name"`
					OK   bool   `json:"ok"`
				} `json:"checks"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			proofs := 0
			for _, c := range rep.Checks {
				if strings.HasPrefix(c.Name, "proof") {
					proofs++
				}
				if c.OK == (c.Name == "issuer") {
					t.Errorf("check %s ok=%v", c.Name, c.OK)
				}
			}
			if proofs == 0 {
				t.Fatalf("no proof checked: %s", out)
			}
		})
	}
}

func TestVerifyDIDWebOffline(t *testing.T) {
	key := newKey(t, "did:web:university.example")
	code, doc, errs := run(t, nil, "keys", "doc", "--key", key)
	if code != 0 {
		t.Fatalf("keys doc: exit %d: %s", code, errs)
	}
	docPath := filepath.Join(t.TempDir(), "did.json")
	if err := os.WriteFile(docPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, signed, errs := run(t, sampleFor(t, "did:web:university.example"), "sign", "--key", key)
	if code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	if code, out, errs := run(t, []byte(signed), "verify", "--offline", "--did-doc", docPath); code != 0 {
		t.Fatalf("verify with --did-doc: exit %d: %s %s", code, out, errs)
	}
	// Without the document the signature cannot be checked offline: exit
	// 3 (could not check), neither 0 nor 1 (the credential is not false).
	if code, out, _ := run(t, []byte(signed), "verify", "--offline"); code != 3 || !strings.HasPrefix(out, "COULD NOT BE CHECKED") {
		t.Fatalf("verify without did doc: exit %d: %s", code, out)
	}
}

func TestVerifyExpired(t *testing.T) {
	key := newKey(t, "")
	var doc map[string]any
	_ = json.Unmarshal(sampleFor(t, controllerOf(t, key)), &doc)
	doc["validFrom"] = "2020-01-01T00:00:00Z"
	doc["validUntil"] = "2021-01-01T00:00:00Z"
	unsigned, _ := json.Marshal(doc)
	_, signed, _ := run(t, unsigned, "sign", "--key", key)
	code, out, _ := run(t, []byte(signed), "verify")
	if code != 1 || !strings.Contains(out, "expired on 2021-01-01T00:00:00Z") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestUnusableInput: garbage, truncated or huge input gives exit 2 and one
// line naming the problem, never a panic or stack trace.
func TestUnusableInput(t *testing.T) {
	key := newKey(t, "")
	_, signed, _ := run(t, sampleFor(t, controllerOf(t, key)), "sign", "--key", key)
	huge := bytes.Repeat([]byte("a"), maxInput+10)
	cases := []struct {
		name  string
		input []byte
		args  []string
		want  string
	}{
		{"empty", nil, []string{"verify"}, "input is empty"},
		{"whitespace", []byte("  \n"), []string{"verify"}, "input is empty"},
		{"garbage", []byte("hello world"), []string{"verify"}, "neither a JSON object nor a compact JWT"},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe}, []string{"verify"}, "neither a JSON object nor a compact JWT"},
		{"truncated", []byte(signed[:len(signed)/2]), []string{"verify"}, "truncated"},
		{"array", []byte(`[{"a":1}]`), []string{"verify"}, "neither a JSON object"},
		{"trailing", []byte(`{"a":1} {"b":2}`), []string{"verify"}, "data after the end"},
		{"duplicate member", []byte(`{"a":1,"a":2}`), []string{"verify"}, "duplicate member a"},
		{"deep", []byte(strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)), []string{"verify"}, "nested deeper"},
		{"jwt garbage", []byte("aaa.bbb.ccc"), []string{"verify"}, "JWT"},
		{"huge", huge, []string{"verify"}, "larger than 4 MiB"},
		{"sign garbage", []byte("{nope"), []string{"sign", "--key", key}, "invalid JSON"},
		{"sign huge", huge, []string{"sign", "--key", key}, "larger than 4 MiB"},
		{"sign no key", []byte("{}"), []string{"sign"}, "--key is required"},
		{"sign bad suite", []byte("{}"), []string{"sign", "--key", key, "--suite", "rsa"}, `"rsa" is not one of`},
		{"sign bad created", []byte("{}"), []string{"sign", "--key", key, "--created", "yesterday"}, "not an RFC 3339"},
		{"sign missing key file", []byte("{}"), []string{"sign", "--key", "/nonexistent/key.json"}, "reading key file"},
		{"unknown command", nil, []string{"frobnicate"}, "unknown command"},
		{"keys without verb", nil, []string{"keys"}, "expected a subcommand"},
		{"stray argument", nil, []string{"verify", "extra"}, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.input, tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stdout %q, stderr %q)", code, out, errs)
			}
			if !strings.Contains(errs, tc.want) {
				t.Fatalf("stderr %q does not mention %q", errs, tc.want)
			}
			if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
				t.Fatalf("stack trace on stderr: %s", errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 0 && tc.name != "stray argument" && tc.name != "unknown command" {
				t.Fatalf("more than one line: %q", errs)
			}
		})
	}
}

func TestBenchJSON(t *testing.T) {
	for _, op := range []string{"sign", "verify"} {
		code, out, errs := run(t, nil, "bench", op, "-n", "5", "--json")
		if code != 0 {
			t.Fatalf("bench %s: exit %d: %s", op, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("bench %s printed %d lines, want one per suite: %s", op, len(lines), out)
		}
		for _, line := range lines {
			var r benchResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if r.Op != op || r.N != 5 || r.PerCorePerS <= 0 || r.Ed25519PerS <= 0 || r.Ratio <= 0 || r.Suite == "" {
				t.Fatalf("bad result %+v", r)
			}
		}
	}
	if code, _, _ := run(t, nil, "bench", "sign", "-n", "0"); code != 2 {
		t.Fatalf("bench -n 0: exit %d, want 2", code)
	}
	code, out, errs := run(t, nil, "bench", "verify", "--varied", "--suite", "eddsa-rdfc-2022", "-n", "5", "--json")
	var r benchResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Mix != "varied" || r.N != 5 || r.PerCorePerS <= 0 || r.Ratio <= 0 || r.Fallbacks != 0 {
		t.Fatalf("bench verify --varied: exit %d %q %s", code, out, errs)
	}
}
