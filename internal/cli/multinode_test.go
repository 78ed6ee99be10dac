package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/microcred/microcred/internal/testutil"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/demo"
)

// Shape of the two-node run: per node, issuers goroutines each issue
// perIssuer credentials while a changer on the other node revokes every
// fifth and suspends every fifth-plus-one credential issued there.
const (
	issuersPerNode = 8
	perIssuer      = 25
	// multiNodeBase is the public URL both nodes share, as two app nodes
	// behind one load balancer do. Nothing ever fetches it: each node
	// answers its own did:web documents and status lists from the store.
	multiNodeBase = "http://lb.microcred.test"
)

// node is one running "microcred serve" process.
type node struct {
	name   string
	url    string // http://127.0.0.1:PORT
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error // receives Wait's result once
}

// TestTwoNodesOnePostgres runs two real server processes on one fresh
// PostgreSQL database with the same master key and public URL, issues
// credentials on both at once while revoking and suspending credentials
// of each node through the other, and then checks from the database and
// through the servers that no status index and no log sequence number was
// handed out twice, that the log audits clean, and that every credential
// verifies exactly as its status says, with both nodes publishing the
// same status lists.
func TestTwoNodesOnePostgres(t *testing.T) {
	pgURL := os.Getenv("MICROCRED_TEST_POSTGRES")
	if pgURL == "" {
		t.Skip("MICROCRED_TEST_POSTGRES is not set: the two-node test needs a PostgreSQL server (run it through scripts/with-postgres)")
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	bin := buildBinary(t)
	dbURL := freshDatabase(t, pgURL)
	var mk [32]byte
	_, _ = rand.Read(mk[:])
	environ := append(os.Environ(), masterKeyEnv+"="+base64.StdEncoding.EncodeToString(mk[:]))

	// Seed the demo: organizations, keys, catalog and the provider's API
	// client with every scope.
	out, errs, code := runBinary(ctx, bin, environ, nil, "demo", "--seed-only", "--db", dbURL,
		"--data", filepath.Join(t.TempDir(), "seed"), "--base-url", multiNodeBase)
	if code != exitOK {
		t.Fatalf("demo --seed-only: exit %d\n%s%s", code, out, errs)
	}
	clientID, secret := field(out, "client_id:"), field(out, "client_secret:")
	if clientID == "" || secret == "" {
		t.Fatalf("demo printed no API client:\n%s", out)
	}

	nodes := []*node{startNode(t, bin, environ, "a", dbURL), startNode(t, bin, environ, "b", dbURL)}
	for _, n := range nodes {
		n.waitReady(t, 30*time.Second)
	}
	achievement := providerAchievement(t, nodes[0])
	// Suspension is opt-in (a second credentialStatus entry, beyond OB
	// 3.0); this test suspends, so the provider opts in before issuing.
	tok, err := nodes[0].token(clientID, secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := nodes[0].call("PUT", "/api/v1/organization/settings", tok, `{"suspension":true}`, http.StatusOK, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("setup (build, seed, start two nodes): %s", time.Since(start).Round(time.Millisecond))

	// Concurrent phase.
	phase := time.Now()
	type issued struct {
		uuid string
		node int
	}
	var (
		mu           sync.Mutex
		revoked      = map[string]bool{}
		suspended    = map[string]bool{}
		all          []issued
		changesEarly int // status changes completed before issuance ended
		issuing      = true
	)
	toChange := []chan string{make(chan string, 2*issuersPerNode*perIssuer), make(chan string, 2*issuersPerNode*perIssuer)}
	tokens := make([]string, len(nodes)) // one token per node, used by the other node's changer
	var tokMu sync.Mutex
	var issuers, changers sync.WaitGroup
	errc := make(chan error, 64)
	report := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	for ni, n := range nodes {
		for w := range issuersPerNode {
			issuers.Add(1)
			go func() {
				defer issuers.Done()
				tok, err := n.token(clientID, secret)
				if err != nil {
					report(err)
					return
				}
				tokMu.Lock()
				tokens[ni] = tok
				tokMu.Unlock()
				for i := range perIssuer {
					body := fmt.Sprintf(`{"achievementId":%q,"recipient":{"email":"learner-%s-%d-%d@example.org","name":"Learner %d"},"notify":false}`,
						achievement, n.name, w, i, i)
					var rec struct{ ID string }
					if err := n.call("POST", "/api/v1/credentials", tok, body, http.StatusCreated, &rec); err != nil {
						report(err)
						return
					}
					uuid := strings.TrimPrefix(rec.ID, "urn:uuid:")
					mu.Lock()
					all = append(all, issued{uuid, ni})
					mu.Unlock()
					toChange[1-ni] <- uuid
				}
			}()
		}
	}
	for ni, n := range nodes {
		changers.Add(1)
		go func() {
			defer changers.Done()
			count := 0
			var tok string
			for uuid := range toChange[ni] {
				count++
				action := map[int]string{0: "revoke", 1: "suspend"}[count%5]
				if action == "" {
					continue
				}
				if tok == "" {
					// A token of the node that issued the credential:
					// tokens live in the shared database.
					tokMu.Lock()
					tok = tokens[1-ni]
					tokMu.Unlock()
				}
				if err := n.call("POST", "/api/v1/credentials/"+uuid+"/"+action, tok, `{"reason":"two-node test"}`, http.StatusOK, nil); err != nil {
					report(err)
					continue
				}
				mu.Lock()
				if action == "revoke" {
					revoked[uuid] = true
				} else {
					suspended[uuid] = true
				}
				if issuing {
					changesEarly++
				}
				mu.Unlock()
			}
		}()
	}
	// Checkpoints are signed on demand: both nodes sign them while the
	// log grows, the first request on either node creating the log's
	// one signing key.
	stopPolling := make(chan struct{})
	var pollers sync.WaitGroup
	checkpoints := make([]int, len(nodes))
	for ni, n := range nodes {
		pollers.Add(1)
		go func() {
			defer pollers.Done()
			for {
				req, _ := http.NewRequest("GET", n.url+"/log/checkpoint", nil)
				if err := n.do(req, http.StatusOK, nil); err != nil {
					report(err)
					return
				}
				checkpoints[ni]++
				select {
				case <-stopPolling:
					return
				case <-time.After(40 * time.Millisecond):
				}
			}
		}()
	}
	issuers.Wait()
	mu.Lock()
	issuing = false
	mu.Unlock()
	close(stopPolling)
	pollers.Wait()
	for _, c := range toChange {
		close(c)
	}
	changers.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("concurrent phase: %v", err)
	}
	want := len(nodes) * issuersPerNode * perIssuer
	if len(all) != want {
		t.Fatalf("issued %d credentials, want %d", len(all), want)
	}
	if changesEarly == 0 {
		t.Fatal("no revocation or suspension completed while issuance was running: the phases did not overlap")
	}
	t.Logf("concurrent phase: %d credentials issued on two nodes, %d revoked and %d suspended across nodes (%d while issuing) in %s",
		len(all), len(revoked), len(suspended), changesEarly, time.Since(phase).Round(time.Millisecond))

	// The database: distinct indexes, contiguous log, status as changed.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	docs := checkStatusEntries(ctx, t, conn, all2ids(all, func(i issued) string { return i.uuid }), revoked, suspended)
	checkLogSequence(ctx, t, conn, len(revoked), len(suspended))
	keyA, _ := nodes[0].get(t, "/log/key")
	keyB, _ := nodes[1].get(t, "/log/key")
	if !bytes.Equal(keyA, keyB) || len(bytes.TrimSpace(keyA)) == 0 {
		t.Errorf("the nodes sign the log with different keys: %q vs %q", keyA, keyB)
	}
	key := strings.TrimSpace(string(keyA))
	if out, errs, code := runBinary(ctx, bin, environ, nil, "log", "audit", "--db", dbURL, "--key", key); code != exitOK {
		t.Errorf("log audit --db: exit %d\n%s%s", code, out, errs)
	}
	for _, n := range nodes {
		if out, errs, code := runBinary(ctx, bin, environ, nil, "log", "audit", "--url", n.url, "--key", key); code != exitOK {
			t.Errorf("log audit --url node %s: exit %d\n%s%s", n.name, code, out, errs)
		}
	}
	var stored int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM tlog_checkpoints").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	t.Logf("log: checkpoints requested %v times on the nodes while issuing, %d distinct stored; audits of the database and of both nodes clean", checkpoints, stored)

	// Verification through the servers, alternating nodes.
	for i, c := range all {
		n := nodes[i%2]
		doc := docs["urn:uuid:"+c.uuid]
		wantStatus, wantDetail := http.StatusOK, ""
		switch {
		case revoked[c.uuid]:
			wantStatus, wantDetail = http.StatusUnprocessableEntity, "revoked"
		case suspended[c.uuid]:
			wantStatus, wantDetail = http.StatusUnprocessableEntity, "suspended"
		}
		var res struct {
			Verified bool
			Errors   []struct{ Name, Detail string }
		}
		body := `{"verifiableCredential":` + doc + `}`
		if err := n.call("POST", "/credentials/verify", "", body, wantStatus, &res); err != nil {
			t.Fatalf("verify %s on node %s (revoked %v, suspended %v): %v", c.uuid, n.name, revoked[c.uuid], suspended[c.uuid], err)
		}
		if wantDetail != "" && (len(res.Errors) != 1 || res.Errors[0].Name != "status" || !strings.Contains(res.Errors[0].Detail, wantDetail)) {
			t.Errorf("verify %s on node %s: errors %+v, want only a status failure saying %q", c.uuid, n.name, res.Errors, wantDetail)
		}
	}

	// The command line verifier, offline with the DID document and the
	// status lists fetched from the nodes (which must publish the same
	// documents), on a few credentials of each kind.
	checkOfflineVerify(ctx, t, bin, environ, nodes, docs, all2ids(all, func(i issued) string { return i.uuid }), revoked, suspended)

	for _, n := range nodes {
		n.stop(t)
	}
	t.Logf("total runtime %s", time.Since(start).Round(time.Millisecond))
}

func all2ids[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// buildBinary builds cmd/microcred into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "microcred")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/microcred")
	cmd.Dir = testutil.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freshDatabase creates a database of its own for the test on the server
// of base and drops it (disconnecting anything left) when the test ends.
func freshDatabase(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", redactURL(base), err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "multinode_" + hex.EncodeToString(rnd[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		// Runs after the nodes are killed (cleanups run last in, first out).
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// runBinary runs the binary to completion and returns its output and exit
// code.
func runBinary(ctx context.Context, bin string, environ []string, stdin []byte, args ...string) (string, string, int) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = environ
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), errb.String(), exit.ExitCode()
	case err != nil:
		return out.String(), errb.String() + err.Error(), -1
	}
	return out.String(), errb.String(), 0
}

// field returns the value after the first line starting with label.
func field(text, label string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), label); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startNode starts "microcred serve" on a free loopback port. It is killed
// when the test ends unless stopped before.
func startNode(t *testing.T, bin string, environ []string, name, dbURL string) *node {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	n := &node{name: name, url: "http://" + addr, stderr: &syncBuffer{}, done: make(chan error, 1)}
	n.cmd = exec.Command(bin, "serve", "--addr", addr, "--base-url", multiNodeBase, "--db", dbURL,
		"--data", filepath.Join(t.TempDir(), "node-"+name))
	n.cmd.Env = environ
	n.cmd.Stdout, n.cmd.Stderr = io.Discard, n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start node %s: %v", name, err)
	}
	go func() { n.done <- n.cmd.Wait() }()
	t.Cleanup(func() {
		if n.cmd.ProcessState == nil {
			_ = n.cmd.Process.Kill()
			<-n.done
		}
		if t.Failed() {
			t.Logf("node %s log (tail):\n%s", name, tail(n.stderr.String(), 3000))
		}
	})
	return n
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// waitReady polls the node until it answers.
func (n *node) waitReady(t *testing.T, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-n.done:
			n.done <- err
			t.Fatalf("node %s exited before answering: %v\n%s", n.name, err, n.stderr.String())
		default:
		}
		resp, err := http.Get(n.url + "/api/v1/achievements?limit=1")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("node %s did not answer within %s\n%s", n.name, limit, n.stderr.String())
}

// stop sends SIGTERM and expects a clean exit.
func (n *node) stop(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signal node %s: %v", n.name, err)
	}
	select {
	case err := <-n.done:
		if err != nil {
			t.Errorf("node %s did not exit cleanly after SIGTERM: %v\n%s", n.name, err, tail(n.stderr.String(), 2000))
		}
	case <-time.After(30 * time.Second):
		t.Errorf("node %s did not stop within 30 s of SIGTERM", n.name)
	}
}

// httpClient is shared by the test's requests; loopback connections are
// reused across goroutines.
var httpClient = &http.Client{Timeout: 60 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 32, Proxy: nil}}

// token obtains a bearer token with the client credentials grant.
func (n *node) token(id, secret string) (string, error) {
	req, err := http.NewRequest("POST", n.url+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := n.do(req, http.StatusOK, &tok); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// call sends a JSON request (with a bearer token unless tok is "") and
// decodes the answer into out when out is not nil.
func (n *node) call(method, path, tok, body string, want int, out any) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest(method, n.url+path, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		err = n.do(req, want, out)
		// The per-client rate limit is per node; back off and retry
		// rather than fail the run on a burst.
		var tooMany errTooMany
		if errors.As(err, &tooMany) && attempt < 20 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return err
	}
}

type errTooMany struct{ error }

func (n *node) do(req *http.Request, want int, out any) error {
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("node %s: %s %s: %w", n.name, req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("node %s: %s %s: reading: %w", n.name, req.Method, req.URL.Path, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests && want != http.StatusTooManyRequests {
		return errTooMany{fmt.Errorf("node %s: %s %s: 429", n.name, req.Method, req.URL.Path)}
	}
	if resp.StatusCode != want {
		return fmt.Errorf("node %s: %s %s: status %d, want %d: %.500s", n.name, req.Method, req.URL.Path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("node %s: %s %s: decoding %.200s: %w", n.name, req.Method, req.URL.Path, b, err)
		}
	}
	return nil
}

// get fetches a path and returns the body and ETag.
func (n *node) get(t *testing.T, path string) ([]byte, string) {
	t.Helper()
	resp, err := httpClient.Get(n.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("node %s: GET %s: %s: %.300s", n.name, path, resp.Status, b)
	}
	return b, resp.Header.Get("ETag")
}

// providerAchievement returns the id URL of one catalog achievement of the
// demo's provider organization.
func providerAchievement(t *testing.T, n *node) string {
	t.Helper()
	var entries []struct{ ID string }
	if err := n.call("GET", "/api/v1/achievements?provider="+demo.ProviderSlug+"&limit=1", "", "", http.StatusOK, &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("the demo provider %s has no achievement", demo.ProviderSlug)
	}
	return entries[0].ID
}

// statusEntry is one credentialStatus entry of a signed credential.
type statusEntry struct {
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// checkStatusEntries checks that each issued credential carries one
// revocation and one suspension entry, that the signed entries match the
// stored ones, that no (list, index) pair of a purpose is used twice
// across all credentials of the database, and that the stored bits are set
// for exactly the credentials revoked and suspended. It returns the stored
// documents by credential id.
func checkStatusEntries(ctx context.Context, t *testing.T, conn *pgx.Conn, uuids []string, revoked, suspended map[string]bool) map[string]string {
	t.Helper()
	docs := map[string]string{}
	// A document's shared part (the embedded achievement, see store
	// migration 0008) is kept once; it goes back in at its byte offset.
	rows, err := conn.Query(ctx, `SELECT id, document, document_part_at,
		(SELECT data FROM document_parts WHERE document_parts.id = credentials.document_part) FROM credentials`)
	if err != nil {
		t.Fatal(err)
	}
	signed := map[string]map[string]statusEntry{} // credential → purpose → entry
	used := map[string]string{}                   // purpose list#index → credential
	for rows.Next() {
		var id, doc string
		var at *int
		var part *string
		if err := rows.Scan(&id, &doc, &at, &part); err != nil {
			t.Fatal(err)
		}
		if at != nil && part != nil {
			doc = doc[:*at] + *part + doc[*at:]
		}
		docs[id] = doc
		var d struct {
			Status []statusEntry `json:"credentialStatus"`
		}
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			continue // a VC-JWT of the demo; the stored rows are checked below
		}
		signed[id] = map[string]statusEntry{}
		for _, e := range d.Status {
			key := e.StatusPurpose + " " + e.StatusListCredential + "#" + e.StatusListIndex
			if prev, ok := used[key]; ok {
				t.Errorf("%s is signed into both %s and %s", key, prev, id)
			}
			used[key] = id
			signed[id][e.StatusPurpose] = e
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	rows, err = conn.Query(ctx, "SELECT credential_id, org_id, purpose, list, idx, is_set FROM credential_status")
	if err != nil {
		t.Fatal(err)
	}
	type stored struct {
		list, idx int
		set       bool
	}
	byCred := map[string]map[string]stored{}
	slots := map[string]string{}
	for rows.Next() {
		var id, org, purpose string
		var s stored
		if err := rows.Scan(&id, &org, &purpose, &s.list, &s.idx, &s.set); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("%s %s %d#%d", org, purpose, s.list, s.idx)
		if prev, ok := slots[key]; ok {
			t.Errorf("status slot %s is stored for both %s and %s", key, prev, id)
		}
		slots[key] = id
		if byCred[id] == nil {
			byCred[id] = map[string]stored{}
		}
		byCred[id][purpose] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	for _, u := range uuids {
		id := "urn:uuid:" + u
		for _, purpose := range []string{"revocation", "suspension"} {
			s, ok := byCred[id][purpose]
			e, signedOK := signed[id][purpose]
			if !ok || !signedOK {
				t.Errorf("%s: %s entry stored %v, signed %v", id, purpose, ok, signedOK)
				continue
			}
			if e.Type != "BitstringStatusListEntry" || e.StatusListIndex != strconv.Itoa(s.idx) ||
				!strings.HasSuffix(e.StatusListCredential, "/"+purpose+"/"+strconv.Itoa(s.list)) {
				t.Errorf("%s: signed %s entry %+v does not match the stored list %d index %d", id, purpose, e, s.list, s.idx)
			}
			want := map[string]bool{"revocation": revoked[u], "suspension": suspended[u]}[purpose]
			if s.set != want {
				t.Errorf("%s: stored %s bit %v, want %v", id, purpose, s.set, want)
			}
		}
	}
	t.Logf("status: %d credentials in the database, %d distinct (list, index) slots, all signed entries distinct", len(docs), len(slots))
	return docs
}

// checkLogSequence checks that the transparency log's sequence numbers are
// 0..n-1 without gap or repeat, that the tree size matches, and that every
// credential and every status change made here has its leaf.
func checkLogSequence(ctx context.Context, t *testing.T, conn *pgx.Conn, revokes, suspends int) {
	t.Helper()
	var count, distinct, size int64
	var lo, hi *int64
	if err := conn.QueryRow(ctx, "SELECT count(*), count(DISTINCT idx), min(idx), max(idx) FROM tlog_leaves").Scan(&count, &distinct, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT size FROM tlog_state").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if count == 0 || lo == nil || hi == nil || *lo != 0 || *hi != count-1 || distinct != count || size != count {
		t.Errorf("log leaves: %d rows, %d distinct indexes, min %v, max %v, tree size %d: want 0..n-1 contiguous and size n",
			count, distinct, deref(lo), deref(hi), size)
	}
	var hashes int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM tlog_hashes").Scan(&hashes); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	rows, err := conn.Query(ctx, "SELECT kind, count(*) FROM tlog_leaves GROUP BY kind")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		kinds[k] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Endorsements given here are logged as issuances too.
	var creds int
	if err := conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM credentials) + (SELECT count(*) FROM endorsements WHERE direction = 'given')").Scan(&creds); err != nil {
		t.Fatal(err)
	}
	if kinds["issue"] != creds {
		t.Errorf("log has %d issue leaves for %d credentials and endorsements", kinds["issue"], creds)
	}
	if kinds["revoke"] < revokes || kinds["suspend"] < suspends {
		t.Errorf("log has %d revoke and %d suspend leaves, want at least %d and %d", kinds["revoke"], kinds["suspend"], revokes, suspends)
	}
	t.Logf("log: %d leaves 0..%d contiguous (%v), %d stored hashes", count, count-1, kinds, hashes)
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkOfflineVerify fetches the provider's DID document and status lists
// from both nodes, checks that both serve byte-identical lists with the
// same ETag (and answer each other's ETag with 304), and runs "microcred
// verify --offline" on a few revoked, suspended and active credentials.
func checkOfflineVerify(ctx context.Context, t *testing.T, bin string, environ []string, nodes []*node,
	docs map[string]string, uuids []string, revoked, suspended map[string]bool) {
	t.Helper()
	dir := t.TempDir()
	orgPath := "/orgs/" + demo.ProviderSlug
	didDoc, _ := nodes[0].get(t, orgPath+"/did.json")
	didFile := filepath.Join(dir, "did.json")
	if err := os.WriteFile(didFile, didDoc, 0o600); err != nil {
		t.Fatal(err)
	}
	listFiles := map[string]string{} // list path → file
	listArgs := func(doc string) []string {
		var d struct {
			Status []statusEntry `json:"credentialStatus"`
		}
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatal(err)
		}
		args := []string{"verify", "--offline", "--did-doc", didFile}
		for _, e := range d.Status {
			path := strings.TrimPrefix(e.StatusListCredential, multiNodeBase)
			if _, ok := listFiles[path]; !ok {
				a, etagA := nodes[0].get(t, path)
				b, etagB := nodes[1].get(t, path)
				if !bytes.Equal(a, b) || etagA != etagB || etagA == "" {
					t.Fatalf("%s differs between the nodes: ETag %s vs %s, %d vs %d bytes", path, etagA, etagB, len(a), len(b))
				}
				req, _ := http.NewRequest("GET", nodes[1].url+path, nil)
				req.Header.Set("If-None-Match", etagA)
				if err := nodes[1].do(req, http.StatusNotModified, nil); err != nil {
					t.Errorf("revalidating node a's ETag on node b: %v", err)
				}
				f := filepath.Join(dir, fmt.Sprintf("list%d.json", len(listFiles)))
				if err := os.WriteFile(f, a, 0o600); err != nil {
					t.Fatal(err)
				}
				listFiles[path] = f
			}
			args = append(args, "--status-list", listFiles[path])
		}
		return args
	}
	const sample = 3
	seen := map[string]int{}
	for _, u := range uuids {
		kind := "active"
		switch {
		case revoked[u]:
			kind = "revoked"
		case suspended[u]:
			kind = "suspended"
		}
		if seen[kind] == sample {
			continue
		}
		seen[kind]++
		doc := docs["urn:uuid:"+u]
		out, errs, code := runBinary(ctx, bin, environ, []byte(doc), listArgs(doc)...)
		switch kind {
		case "active":
			if code != exitOK {
				t.Errorf("microcred verify of active %s: exit %d\n%s%s", u, code, out, errs)
			}
		default:
			if code != exitFailed || !strings.Contains(out, "[FAILED] status: The issuer has "+kind) {
				t.Errorf("microcred verify of %s %s: exit %d, want 1 with a status failure\n%s%s", kind, u, code, out, errs)
			}
		}
	}
	if seen["active"] != sample || seen["revoked"] != sample || seen["suspended"] != sample {
		t.Errorf("offline verification sample %v: too few credentials of some kind", seen)
	}
}
