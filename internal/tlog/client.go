package tlog

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/fetch"
)

// MaxEntriesPerRequest bounds the leaves one /log/entries answer carries.
const MaxEntriesPerRequest = 1000

// maxResponse bounds what the client reads from a log server: a page of a
// thousand leaves of a few hundred bytes each fits many times over.
const maxResponse = 8 << 20

// EntriesPage is the JSON answer of GET /log/entries?from=N&to=M.
type EntriesPage struct {
	From    int64    `json:"from"`
	Entries []string `json:"entries"`
}

// HTTPSource reads a log from a microcred server: BaseURL is the server's
// origin (the log lives under /log/). Requests go through the guarded
// outbound client (package fetch); a caller that took BaseURL from the
// operator rather than from a credential allows its host with
// ForOperatorURL.
type HTTPSource struct {
	BaseURL string
	Client  *fetch.Client // nil means fetch.Default(): public https only
}

// ForOperatorURL returns a client for a log URL the operator typed: its host
// is added to the operator's allow list (it may be on this machine or the
// intranet, and may be plain http), with a 30 s time limit.
func ForOperatorURL(baseURL string, allow *fetch.Allowlist) *fetch.Client {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		allow = allow.With(u.Hostname())
	}
	return fetch.New(fetch.Config{Allow: allow, MaxBytes: maxResponse, Timeout: 30 * time.Second})
}

func (h HTTPSource) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := strings.TrimRight(h.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	c := h.Client
	if c == nil {
		c = fetch.Default()
	}
	resp, err := c.Do(ctx, fetch.Request{URL: u, MaxBytes: maxResponse})
	if err != nil {
		return nil, err
	}
	body := resp.Body
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	return body, nil
}

// Key fetches the log's verifier key. Only trust it on first use: an
// auditor pins the key it has seen (see Audit).
func (h HTTPSource) Key(ctx context.Context) (string, error) {
	b, err := h.get(ctx, "/log/key", nil)
	return strings.TrimSpace(string(b)), err
}

// Checkpoint implements Source.
func (h HTTPSource) Checkpoint(ctx context.Context) ([]byte, error) {
	return h.get(ctx, "/log/checkpoint", nil)
}

// Leaves implements Source.
func (h HTTPSource) Leaves(ctx context.Context, from, to int64) ([][]byte, error) {
	b, err := h.get(ctx, "/log/entries", url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}})
	if err != nil {
		return nil, err
	}
	var page EntriesPage
	if err := json.Unmarshal(b, &page); err != nil {
		return nil, fmt.Errorf("log entries: %w", err)
	}
	if page.From != from {
		return nil, fmt.Errorf("log entries: asked from %d, got from %d", from, page.From)
	}
	out := make([][]byte, len(page.Entries))
	for i, e := range page.Entries {
		out[i] = []byte(e)
	}
	return out, nil
}

// Consistency implements Source.
func (h HTTPSource) Consistency(ctx context.Context, oldSize, newSize int64) ([][]byte, error) {
	b, err := h.get(ctx, "/log/proof/consistency", url.Values{"old": {strconv.FormatInt(oldSize, 10)}, "new": {strconv.FormatInt(newSize, 10)}})
	if err != nil {
		return nil, err
	}
	var p ConsistencyProof
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	if p.Old != oldSize || p.New != newSize {
		return nil, fmt.Errorf("consistency proof: asked %d→%d, got %d→%d", oldSize, newSize, p.Old, p.New)
	}
	return p.Proof, nil
}

// CredentialInclusion fetches the inclusion proof of a credential's
// issuance entry.
func (h HTTPSource) CredentialInclusion(ctx context.Context, credentialID string) (*InclusionProof, error) {
	b, err := h.get(ctx, "/log/proof/inclusion", url.Values{"credential": {credentialID}})
	if err != nil {
		return nil, err
	}
	var p InclusionProof
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return &p, nil
}
