package status_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/microcred/microcred/internal/fetch"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

// keySigner signs as a did:key issuer, so verification needs no DID
// document.
type keySigner struct{ kp *keys.KeyPair }

func (k keySigner) ActiveKey(context.Context, string) (*keys.KeyPair, store.SigningKey, error) {
	return k.kp, store.SigningKey{ID: "k1"}, nil
}
func (k keySigner) IssuerID(context.Context, store.Organization) (string, error) {
	return k.kp.Controller, nil
}

type env struct {
	st    store.Store
	svc   *status.Service
	org   store.Organization
	ach   store.CatalogEntry
	clock *clock
	kp    *keys.KeyPair
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganization(ctx, store.Organization{Slug: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	ach, err := st.CreateAchievement(ctx, store.Achievement{OrgID: org.ID},
		store.AchievementVersion{Name: "Course", Document: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	kp, err := keys.Generate("")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := &status.Service{Store: st, Signer: keySigner{kp}, BaseURL: "https://issuer.example", Now: c.Now}
	return &env{st: st, svc: svc, org: org, ach: ach, clock: c, kp: kp}
}

// issue stores a credential with status entries as issuance does.
func (e *env) issue(t testing.TB, id string) []status.Assignment {
	t.Helper()
	ctx := context.Background()
	as, err := e.svc.Allocate(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = e.st.WithTx(ctx, func(tx store.Store) error {
		if _, _, err := tx.InsertCredential(ctx, store.Credential{ID: id, OrgID: e.org.ID, AchievementID: e.ach.Achievement.ID,
			AchievementVersion: 1, RecipientEmail: "l@example.org", Format: store.FormatLDPRDFC, Document: "{}", IssuedAt: time.Now()}); err != nil {
			return err
		}
		return status.Record(ctx, tx, e.org.ID, id, as)
	})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestAllocateDistinct(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				as := e.issue(t, fmt.Sprintf("urn:uuid:w%d-%d", w, i))
				mu.Lock()
				if len(as) != 2 || as[0].Purpose != store.PurposeRevocation || as[1].Purpose != store.PurposeSuspension {
					t.Errorf("assignments %+v", as)
				}
				for _, a := range as {
					k := fmt.Sprintf("%s/%d/%d", a.Purpose, a.List, a.Index)
					if seen[k] {
						t.Errorf("index %s allocated twice", k)
					}
					seen[k] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 400 {
		t.Errorf("%d distinct indexes, want 400", len(seen))
	}
}

func TestRevokeSuspendUnsuspend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.issue(t, "urn:uuid:a")
	e.issue(t, "urn:uuid:b")

	steps := []struct {
		name    string
		op      func(ctx context.Context, id, reason, actor string) (status.State, error)
		id      string
		reason  string
		wantErr error
		want    string // State.Label
	}{
		{"no reason", e.svc.Revoke, "urn:uuid:a", "  ", status.ErrReason, ""},
		{"unknown", e.svc.Revoke, "urn:uuid:zzz", "r", store.ErrNotFound, ""},
		{"unsuspend active", e.svc.Unsuspend, "urn:uuid:a", "r", status.ErrNotSuspended, ""},
		{"suspend", e.svc.Suspend, "urn:uuid:a", "under review", nil, "suspended"},
		{"suspend twice", e.svc.Suspend, "urn:uuid:a", "again", status.ErrSuspended, ""},
		{"unsuspend", e.svc.Unsuspend, "urn:uuid:a", "review done", nil, "active"},
		{"revoke", e.svc.Revoke, "urn:uuid:a", "issued in error", nil, "revoked"},
		{"revoke twice", e.svc.Revoke, "urn:uuid:a", "again", status.ErrAlreadyRevoked, ""},
		{"suspend revoked", e.svc.Suspend, "urn:uuid:a", "x", status.ErrRevoked, ""},
		{"suspend other", e.svc.Suspend, "urn:uuid:b", "x", nil, "suspended"},
	}
	for _, s := range steps {
		st, err := s.op(ctx, s.id, s.reason, "user-1")
		if s.wantErr != nil {
			if !errors.Is(err, s.wantErr) {
				t.Errorf("%s: error %v, want %v", s.name, err, s.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if st.Label() != s.want {
			t.Errorf("%s: state %s, want %s", s.name, st.Label(), s.want)
		}
	}
	for _, refused := range []error{status.ErrAlreadyRevoked, status.ErrRevoked, status.ErrSuspended, status.ErrNotSuspended, status.ErrNoStatus} {
		if !errors.Is(refused, status.ErrRefused) {
			t.Errorf("%v does not wrap ErrRefused", refused)
		}
	}
	st, err := e.svc.State(ctx, "urn:uuid:a")
	if err != nil || !st.Revoked || st.RevokedAt == nil || st.Suspended {
		t.Errorf("State = %+v, %v", st, err)
	}
	// Every change is audited with its reason.
	events, err := e.st.ListAudit(ctx, store.AuditQuery{OrgID: e.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range events {
		var d struct{ Reason string }
		_ = json.Unmarshal(ev.Detail, &d)
		actions = append(actions, ev.Action+":"+d.Reason)
	}
	want := []string{"credential.suspend:under review", "credential.unsuspend:review done", "credential.revoke:issued in error", "credential.suspend:x"}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("audit = %v, want %v", actions, want)
	}
	// A credential without entries cannot change status.
	if _, _, err := e.st.InsertCredential(ctx, store.Credential{ID: "urn:uuid:old", OrgID: e.org.ID, AchievementID: e.ach.Achievement.ID,
		AchievementVersion: 1, RecipientEmail: "l@example.org", Format: store.FormatLDPRDFC, Document: "{}", IssuedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Revoke(ctx, "urn:uuid:old", "r", ""); !errors.Is(err, status.ErrNoStatus) {
		t.Errorf("revoke without entries: %v", err)
	}
}

func TestChangeHookRollsBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.issue(t, "urn:uuid:a")
	boom := errors.New("log unavailable")
	e.svc.OnChange = func(context.Context, store.Store, store.Credential, string, time.Time) error { return boom }
	if _, err := e.svc.Revoke(ctx, "urn:uuid:a", "r", ""); !errors.Is(err, boom) {
		t.Fatalf("Revoke = %v", err)
	}
	if st, _ := e.svc.State(ctx, "urn:uuid:a"); st.Revoked {
		t.Error("revocation survived a failed hook")
	}
}

// entryOf returns the Entry of purpose among the credential's assignments.
func (e *env) entryOf(as []status.Assignment, purpose string) status.Entry {
	for _, a := range as {
		if a.Purpose == purpose {
			return status.NewEntry(status.ListURL(e.svc.BaseURL, e.org.Slug, a.Purpose, a.List), a.Purpose, a.Index)
		}
	}
	panic("no assignment for " + purpose)
}

func TestPublishedListAndCheck(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	as := e.issue(t, "urn:uuid:a")
	rev, sus := e.entryOf(as, store.PurposeRevocation), e.entryOf(as, store.PurposeSuspension)
	issuer := e.kp.Controller
	checker := &status.Checker{Source: e.svc}
	keys := &did.Resolver{}

	check := func(en status.Entry) bool {
		t.Helper()
		r, err := checker.Check(ctx, en, issuer, keys, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return r.Set
	}
	if check(rev) || check(sus) {
		t.Fatal("a new credential reads as revoked or suspended")
	}
	p1, err := e.svc.List(ctx, "acme", "revocation", 0)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(p1.Document, &doc); err != nil {
		t.Fatal(err)
	}
	subj := doc["credentialSubject"].(map[string]any)
	if doc["id"] != rev.StatusListCredential || doc["issuer"] != issuer || subj["type"] != "BitstringStatusList" ||
		subj["statusPurpose"] != "revocation" || doc["proof"] == nil || doc["validUntil"] == nil {
		t.Errorf("list credential = %s", p1.Document)
	}
	// Deterministic: asking again gives the same bytes and ETag.
	if p, _ := e.svc.List(ctx, "acme", "revocation", 0); p.ETag != p1.ETag {
		t.Error("ETag changed without a change")
	}

	if _, err := e.svc.Revoke(ctx, "urn:uuid:a", "fraud", ""); err != nil {
		t.Fatal(err)
	}
	p2, err := e.svc.List(ctx, "acme", "revocation", 0)
	if err != nil {
		t.Fatal(err)
	}
	if p2.ETag == p1.ETag {
		t.Error("ETag unchanged after a revocation")
	}
	if !check(rev) || check(sus) {
		t.Error("after Revoke: revocation bit not read as set, or suspension set")
	}
	if _, err := e.svc.Suspend(ctx, "urn:uuid:a", "x", ""); err == nil {
		t.Error("suspending a revoked credential succeeded")
	}

	// A credential of another issuer must not be judged by this list.
	if _, err := checker.Check(ctx, rev, "did:example:someone-else", keys, e.clock.Now()); err == nil {
		t.Error("list accepted for another issuer")
	}
	// Purpose mismatch.
	wrong := rev
	wrong.StatusPurpose = "suspension"
	if _, err := checker.Check(ctx, wrong, issuer, keys, e.clock.Now()); err == nil {
		t.Error("revocation list accepted for a suspension entry")
	}
	// Unknown list.
	if _, err := e.svc.List(ctx, "acme", "revocation", 5); !errors.Is(err, status.ErrUnknownList) {
		t.Errorf("unknown list: %v", err)
	}
}

// listHandler serves the service's lists the way the web server does.
func listHandler(svc *status.Service) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orgs/{slug}/status/{purpose}/{list}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("list"), &n)
		p, err := svc.List(r.Context(), r.PathValue("slug"), r.PathValue("purpose"), n)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", p.ETag)
		w.Header().Set("Cache-Control", "public, max-age=300")
		if r.Header.Get("If-None-Match") == p.ETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(p.Document)
	})
	return mux
}

func TestCheckOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var hits, notModified int
	var mu sync.Mutex
	h := listHandler(e.svc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		if r.Header.Get("If-None-Match") != "" {
			notModified++
		}
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	e.svc.BaseURL = srv.URL
	as := e.issue(t, "urn:uuid:a")
	rev := e.entryOf(as, store.PurposeRevocation)
	checker := &status.Checker{Source: &status.HTTPSource{Client: fetch.New(fetch.Config{Allow: fetch.Loopback()})}}
	keys := &did.Resolver{}
	now := e.clock.Now()
	for range 3 {
		if r, err := checker.Check(ctx, rev, e.kp.Controller, keys, now); err != nil || r.Set {
			t.Fatalf("Check = %+v, %v", r, err)
		}
	}
	if hits != 1 {
		t.Errorf("%d fetches within max-age, want 1", hits)
	}
	// After max-age the checker revalidates with If-None-Match (304).
	if _, err := checker.Check(ctx, rev, e.kp.Controller, keys, now.Add(301*time.Second)); err != nil {
		t.Fatal(err)
	}
	if hits != 2 || notModified != 1 {
		t.Errorf("hits %d, conditional %d; want 2 and 1", hits, notModified)
	}
	// A revocation is seen after the next revalidation.
	if _, err := e.svc.Revoke(ctx, "urn:uuid:a", "r", ""); err != nil {
		t.Fatal(err)
	}
	if r, err := checker.Check(ctx, rev, e.kp.Controller, keys, now.Add(700*time.Second)); err != nil || !r.Set {
		t.Errorf("after revocation: %+v, %v", r, err)
	}
	// The list expires: a verifier far in the future refuses it.
	if _, err := checker.Check(ctx, rev, e.kp.Controller, keys, now.Add(72*time.Hour)); err == nil {
		t.Error("an expired list was accepted")
	}
}

func TestCheckRefusesTamperedList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	as := e.issue(t, "urn:uuid:a")
	rev := e.entryOf(as, store.PurposeRevocation)
	p, err := e.svc.List(ctx, "acme", "revocation", 0)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.Unmarshal(p.Document, &doc)
	bits := status.NewBitstring(status.DefaultListSize)
	_ = bits.Set(rev.StatusListIndex, true)
	enc, _ := status.Encode(bits)
	doc["credentialSubject"].(map[string]any)["encodedList"] = enc
	tampered, _ := json.Marshal(doc)
	checker := &status.Checker{Source: status.Files{rev.StatusListCredential: tampered}}
	if _, err := checker.Check(ctx, rev, e.kp.Controller, &did.Resolver{}, e.clock.Now()); err == nil {
		t.Error("a list with an altered bitstring was accepted")
	}
	offline := &status.Checker{Source: status.Files{}}
	if _, err := offline.Check(ctx, rev, e.kp.Controller, &did.Resolver{}, e.clock.Now()); err == nil {
		t.Error("offline check without the list succeeded")
	}
}

// BenchmarkStatusCheckCached measures a status check whose list is cached
// and fresh: what a verifier pays per credential between list refreshes.
func BenchmarkStatusCheckCached(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	as := e.issue(b, "urn:uuid:a")
	rev := e.entryOf(as, store.PurposeRevocation)
	p, err := e.svc.List(ctx, "acme", "revocation", 0)
	if err != nil {
		b.Fatal(err)
	}
	checker := &status.Checker{Source: status.Files{rev.StatusListCredential: p.Document}}
	keys := &did.Resolver{}
	now := e.clock.Now()
	if _, err := checker.Check(ctx, rev, e.kp.Controller, keys, now); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r, err := checker.Check(ctx, rev, e.kp.Controller, keys, now); err != nil || r.Set {
			b.Fatal(r, err)
		}
	}
}

// TestHTTPSourceRefusesPrivateAddresses checks that list URLs go through
// the guarded client: plain http and non-public addresses (the ranges a list
// URL could aim at inside the verifier's network) are refused before any
// connection, and only the operator's allow setting opens loopback.
func TestHTTPSourceRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	ctx := context.Background()
	if _, err := (&status.HTTPSource{}).Fetch(ctx, srv.URL+"/l", ""); !errors.Is(err, fetch.ErrScheme) {
		t.Errorf("plain http accepted by default: %v", err)
	}
	names := map[string]netip.Addr{
		"cgnat.test": netip.MustParseAddr("100.64.0.1"), "bench.test": netip.MustParseAddr("198.18.0.1"),
		"ietf.test": netip.MustParseAddr("192.0.0.8"), "nat64.test": netip.MustParseAddr("64:ff9b::a9fe:a9fe"),
		"loop.test": netip.MustParseAddr("127.0.0.1"), "meta.test": netip.MustParseAddr("169.254.169.254"),
	}
	stub := &status.HTTPSource{Client: fetch.New(fetch.Config{Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{names[host]}, nil
	}})}
	for name, addr := range names {
		if _, err := stub.Fetch(ctx, "https://"+name+"/status/1", ""); !errors.Is(err, fetch.ErrRefused) {
			t.Errorf("%s (%s): err = %v, want refused", name, addr, err)
		}
	}
	if _, err := (&status.HTTPSource{Client: fetch.New(fetch.Config{AllowHTTP: true})}).Fetch(ctx, srv.URL+"/l", ""); !errors.Is(err, fetch.ErrRefused) {
		t.Errorf("loopback: %v", err)
	}
	if f, err := (&status.HTTPSource{Client: fetch.New(fetch.Config{Allow: fetch.Loopback()})}).Fetch(ctx, srv.URL+"/l", ""); err != nil || string(f.Document) != "{}" {
		t.Errorf("allowed loopback fetch: %v", err)
	}
}

// countingStore counts reservations made with and without the caller's
// context (inline and in the background).
type countingStore struct {
	store.Store
	mu                 sync.Mutex
	inline, background int
}

type callerKey struct{}

func (c *countingStore) ReserveStatusSlots(ctx context.Context, orgID, purpose string, n, size int) ([]store.StatusSlot, error) {
	c.mu.Lock()
	if ctx.Value(callerKey{}) != nil {
		c.inline++
	} else {
		c.background++
	}
	c.mu.Unlock()
	return c.Store.ReserveStatusSlots(ctx, orgID, purpose, n, size)
}

// TestAllocatorRefillsAhead: the next block is reserved in the background
// before the current one runs out, so a steady stream of allocations
// reserves inline only at the start, and no slot is handed out twice.
func TestAllocatorRefillsAhead(t *testing.T) {
	e := newEnv(t)
	cs := &countingStore{Store: e.st}
	a := &status.Allocator{Store: cs, BlockSize: 64}
	ctx := context.WithValue(context.Background(), callerKey{}, true)
	type slot struct {
		purpose   string
		list, seq int
	}
	seen := map[slot]bool{}
	for i := range 1000 {
		as, err := a.Allocate(ctx, e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range as {
			k := slot{x.Purpose, x.List, x.Seq}
			if seen[k] {
				t.Fatalf("allocation %d: slot %v handed out twice", i, k)
			}
			seen[k] = true
		}
		time.Sleep(100 * time.Microsecond) // let the background reservation land, as issuance's own work would
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	// Only the first reservation of each purpose must be inline; a busy
	// machine may delay a background one past its block's last slot.
	if cs.background == 0 || cs.inline >= cs.background {
		t.Fatalf("%d reservations inline, %d in the background; want the background to do nearly all", cs.inline, cs.background)
	}
}
