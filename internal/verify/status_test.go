package verify

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	neturl "net/url"
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
		state    State
		verdict  Verdict
		contains string // in summary or detail
	}{
		{"clear", cred, &status.Checker{Source: status.Files{listURL: signedList(t, kp)}}, Passed, Verified, "has not revoked"},
		{"revoked", cred, &status.Checker{Source: status.Files{listURL: signedList(t, kp, 4242)}}, Failed, NotVerified, "revoked:"},
		{"other bit set", cred, &status.Checker{Source: status.Files{listURL: signedList(t, kp, 4243)}}, Passed, Verified, "has not revoked"},
		{"offline", cred, nil, NotChecked, CouldNotCheck, "not available offline"},
		{"list unavailable", cred, &status.Checker{Source: status.Files{}}, NotChecked, CouldNotCheck, "could not be checked"},
		{"list by someone else", cred, &status.Checker{Source: status.Files{listURL: signedList(t, other)}}, NotChecked, CouldNotCheck, "not by the credential's issuer"},
		{"list host not found: no resolver address in the report", cred, &status.Checker{Source: failingSource{&net.DNSError{Err: "no such host", Name: "issuer.example", Server: "127.0.0.53:53"}}},
			NotChecked, CouldNotCheck, "could not be fetched: the host name issuer.example could not be resolved"},
		{"list server refuses the connection", cred, &status.Checker{Source: failingSource{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}},
			NotChecked, CouldNotCheck, "could not be fetched: the server could not be reached"},
		{"no status entries", plain, nil, "", Verified, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Credential(context.Background(), tc.data, Options{Keys: &did.Resolver{}, Now: testNow, Status: tc.checker})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s: %+v", rep.Verdict, tc.verdict, rep.Checks)
			}
			c := checkNamed(rep, "status")
			if tc.state == "" {
				if c != nil {
					t.Fatalf("status check present without credentialStatus: %+v", c)
				}
				return
			}
			if c == nil {
				t.Fatalf("no status check in %+v", rep.Checks)
			}
			if strings.Contains(c.Detail, "127.0.0.53") || strings.Contains(c.Detail, "dial") {
				t.Errorf("detail leaks network internals: %q", c.Detail)
			}
			if c.State != tc.state || !strings.Contains(c.Summary+" "+c.Detail, tc.contains) {
				t.Errorf("status = %s %q %q, want %s containing %q", c.State, c.Summary, c.Detail, tc.state, tc.contains)
			}
		})
	}
}

// failingSource fails every fetch with err, as a network would.
type failingSource struct{ err error }

func (f failingSource) Fetch(_ context.Context, url, _ string) (status.Fetched, error) {
	return status.Fetched{}, &neturl.Error{Op: "Get", URL: url, Err: f.err}
}
