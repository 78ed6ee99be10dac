package verify

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// fakeLog is an in-memory log with one server's answers.
type fakeLog struct {
	key    string
	proofs map[string]*tlog.InclusionProof
	asked  []string
}

func (f *fakeLog) Key(context.Context) (string, error) { return f.key, nil }
func (f *fakeLog) CredentialInclusion(_ context.Context, id string) (*tlog.InclusionProof, error) {
	f.asked = append(f.asked, id)
	if p, ok := f.proofs[id]; ok {
		return p, nil
	}
	return nil, errors.New("404 Not Found")
}

// buildLog logs the given credentials' issuance and returns the log with
// proofs against a checkpoint signed by a fresh key.
func buildLog(t *testing.T, creds []store.Credential, extra ...tlog.Event) *fakeLog {
	t.Helper()
	var hashes []sumdb.Hash
	r := sumdb.HashReaderFunc(func(idx []int64) ([]sumdb.Hash, error) {
		out := make([]sumdb.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	var leaves [][]byte
	for _, c := range creds {
		leaves = append(leaves, tlog.IssueEvent(c).Leaf())
	}
	for _, e := range extra {
		leaves = append(leaves, e.Leaf())
	}
	for i, l := range leaves {
		hs, err := sumdb.StoredHashes(int64(i), l, r)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	n := int64(len(leaves))
	root, err := sumdb.TreeHash(n, r)
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	signer, vkey, err := tlog.NewSigner("badges.example.org/log", priv)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := tlog.SignCheckpoint(tlog.Checkpoint{Origin: "badges.example.org/log", Size: n, Hash: root}, signer)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLog{key: vkey, proofs: map[string]*tlog.InclusionProof{}}
	for i, c := range creds {
		p, err := sumdb.ProveRecord(n, int64(i), r)
		if err != nil {
			t.Fatal(err)
		}
		proof := make([][]byte, len(p))
		for j := range p {
			proof[j] = p[j][:]
		}
		f.proofs[c.ID] = &tlog.InclusionProof{Index: int64(i), TreeSize: n, Leaf: string(leaves[i]), Proof: proof, Checkpoint: string(cp.Note)}
	}
	return f
}

func TestCheckLog(t *testing.T) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	doc := `{"id":"urn:uuid:c1","issuer":"did:web:badges.example.org:orgs:uni"}`
	creds := []store.Credential{
		{ID: "urn:uuid:c0", OrgID: "o", Document: "zero", IssuedAt: at},
		{ID: "urn:uuid:c1", OrgID: "o", Document: doc, IssuedAt: at},
		{ID: "urn:uuid:c2", OrgID: "o", Document: "two", IssuedAt: at},
	}
	log := buildLog(t, creds)
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	_, otherKey, _ := tlog.NewSigner("badges.example.org/log", otherPriv)
	cred := map[string]any{"id": "urn:uuid:c1", "issuer": "did:web:badges.example.org:orgs:uni"}
	fetch := func(u string) LogFetcher {
		if u != "https://badges.example.org" && u != "https://log.example" {
			t.Errorf("fetched from %s", u)
		}
		return log
	}
	tests := []struct {
		name     string
		opt      *LogOptions
		cred     map[string]any
		document string
		wantOK   bool
		want     string // substring of the detail; "" means no check at all
	}{
		{"no log options", nil, cred, doc, true, ""},
		{"online, pinned key, did:web host", &LogOptions{Key: log.key, Fetch: fetch}, cred, doc, true,
			"entry #1 in the log of badges.example.org/log records this credential's issuance on 2026-02-03 04:05 UTC; it is included in the checkpoint of size 3, signed by the log key"},
		{"online, key from the server", &LogOptions{URL: "https://log.example", Fetch: fetch}, cred, doc, true, "pin it with --log-key"},
		{"offline proof file", &LogOptions{Proof: log.proofs["urn:uuid:c1"], Key: log.key}, cred, doc + "\n", true, "entry #1"},
		{"offline proof without key", &LogOptions{Proof: log.proofs["urn:uuid:c1"]}, cred, doc, false, "needs the log's key"},
		{"wrong key", &LogOptions{Proof: log.proofs["urn:uuid:c1"], Key: otherKey}, cred, doc, false, "does not check"},
		{"proof of another credential", &LogOptions{Proof: log.proofs["urn:uuid:c2"], Key: log.key}, cred, doc, false, "not the issuance of this credential"},
		{"altered document", &LogOptions{Key: log.key, Fetch: fetch}, cred, strings.Replace(doc, "uni", "unx", 1), false, "different document"},
		{"not logged", &LogOptions{Key: log.key, Fetch: fetch}, map[string]any{"id": "urn:uuid:nope", "issuer": "did:web:badges.example.org:orgs:uni"}, doc, false, "no inclusion proof"},
		{"did:key issuer, no URL", &LogOptions{Key: log.key, Fetch: fetch}, map[string]any{"id": "urn:uuid:c1", "issuer": "did:key:z6Mk"}, doc, false, "not a did:web identifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := &Report{Credential: tc.cred}
			checkLog(context.Background(), rep, tc.opt, []byte(tc.document))
			if tc.want == "" {
				if len(rep.Checks) != 0 {
					t.Fatalf("checks %+v, want none", rep.Checks)
				}
				return
			}
			if len(rep.Checks) != 1 {
				t.Fatalf("checks %+v", rep.Checks)
			}
			c := rep.Checks[0]
			if c.Name != "transparency log" || c.OK != tc.wantOK || !strings.Contains(c.Summary+" "+c.Detail, tc.want) {
				t.Errorf("check %+v, want ok=%v and %q", c, tc.wantOK, tc.want)
			}
		})
	}
}

func TestDIDWebOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"did:web:badges.example.org:orgs:uni": "https://badges.example.org",
		"did:web:127.0.0.1%3A8080:orgs:uni":   "https://127.0.0.1:8080",
		"did:key:z6Mk":                        "",
		"did:web:":                            "",
	} {
		if got := didWebOrigin(in); got != want {
			t.Errorf("didWebOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}
