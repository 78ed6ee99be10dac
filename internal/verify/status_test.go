package verify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
)

const listURL = "https://issuer.example/orgs/acme/status/revocation/0"

// signedList returns a revocation list credential of kp with index set.
func signedList(t *testing.T, kp *keys.KeyPair, set ...int) []byte {
	t.Helper()
	bits := status.NewBitstring(status.DefaultListSize)
	for _, i := range set {
		if err := bits.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	from := testNow.Add(-time.Hour)
	doc, err := status.ListCredential(listURL, kp.Controller, "revocation", bits, from, from.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s, err := proof.Sign(doc, kp, proof.Options{Created: from})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	return b
}

func TestStatusCheck(t *testing.T) {
	kp := testKey(t)
	doc := sample(kp)
	doc["credentialStatus"] = []any{status.NewEntry(listURL, "revocation", 4242).Map()}
	cred := signed(t, kp, proof.SuiteRDFC, doc)
	plain := signed(t, kp, proof.SuiteRDFC, sample(kp))
	other, err := keys.Generate("")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		data     []byte
		checker  StatusChecker
		wantOK   bool
		present  bool
		contains string
	}{
		{"clear", cred, &status.Checker{Source: status.Files{listURL: signedList(t, kp)}}, true, true, "not revoked"},
		{"revoked", cred, &status.Checker{Source: status.Files{listURL: signedList(t, kp, 4242)}}, false, true, "revoked:"},
		{"other bit set", cred, &status.Checker{Source: status.Files{listURL: signedList(t, kp, 4243)}}, true, true, "not revoked"},
		{"offline", cred, nil, false, true, "not checked"},
		{"list unavailable", cred, &status.Checker{Source: status.Files{}}, false, true, "could not be checked"},
		{"list by someone else", cred, &status.Checker{Source: status.Files{listURL: signedList(t, other)}}, false, true, "not by the credential's issuer"},
		{"no status entries", plain, nil, true, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Credential(context.Background(), tc.data, Options{Keys: &did.Resolver{}, Now: testNow, Status: tc.checker})
			if err != nil {
				t.Fatal(err)
			}
			c := checkNamed(rep, "status")
			if !tc.present {
				if c != nil {
					t.Fatalf("status check present without credentialStatus: %+v", c)
				}
				if !rep.Verified {
					t.Errorf("not verified: %+v", rep.Checks)
				}
				return
			}
			if c == nil {
				t.Fatalf("no status check in %+v", rep.Checks)
			}
			if c.OK != tc.wantOK || !strings.Contains(c.Detail, tc.contains) {
				t.Errorf("status = %v %q, want %v containing %q", c.OK, c.Detail, tc.wantOK, tc.contains)
			}
			if rep.Verified != tc.wantOK {
				t.Errorf("Verified = %v, want %v", rep.Verified, tc.wantOK)
			}
		})
	}
}
