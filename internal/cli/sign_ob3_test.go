package cli

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// TestSignOB3JWT: "sign --suite ob3-jwt" writes the Open Badges 3.0 JWT
// format (typ JWT; iss, jti, nbf, sub, exp and the credential in vc), and
// "verify" accepts it.
func TestSignOB3JWT(t *testing.T) {
	key := newKey(t, "")
	unsigned := sampleFor(t, controllerOf(t, key))
	code, token, errs := run(t, unsigned, "sign", "--key", key, "--suite", "ob3-jwt")
	if code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errs)
	}
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	var header, claims map[string]any
	for i, v := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, v) != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	if header["typ"] != "JWT" || header["alg"] != "EdDSA" {
		t.Errorf("header %v", header)
	}
	for _, c := range []string{"iss", "jti", "nbf", "sub", "exp", "vc"} {
		if _, ok := claims[c]; !ok {
			t.Errorf("claim %s missing", c)
		}
	}
	code, out, errs := run(t, []byte(token), "verify", "--json")
	if code != 0 || !strings.Contains(out, `"verified":true`) {
		t.Fatalf("verify: exit %d: %s %s", code, out, errs)
	}
}
