package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// logRoutes registers the public transparency-log endpoints:
//
//	GET /log/checkpoint                       latest signed checkpoint (C2SP tlog-checkpoint, signed note)
//	GET /log/key                              the log's note verifier key
//	GET /log/entries/{index}                  one leaf, as text
//	GET /log/entries?from=N&to=M              up to 1000 leaves, JSON {"from", "entries"}
//	GET /log/proof/inclusion?credential=ID    inclusion proof of a credential's issuance entry
//	GET /log/proof/inclusion?index=N[&size=S] inclusion proof of entry N (against checkpoint S)
//	GET /log/proof/consistency?old=N&new=M    consistency proof between two tree sizes
//	GET /log/tile/{L}/{N}[.p/{W}]             hash tile (C2SP tlog-tiles)
//	GET /log/tile/entries/{N}[.p/{W}]         entry bundle (C2SP tlog-tiles)
//
// Everything here is public: the log holds no personal data.
func (s *server) logRoutes(mux *http.ServeMux) {
	origin := "log"
	if u, err := url.Parse(s.base); err == nil && u.Host != "" {
		origin = u.Host + "/log"
	}
	s.tlog = &tlog.Log{Store: s.store, Master: s.issuer.Master, Origin: origin}
	mux.HandleFunc("GET /log/checkpoint", s.logCheckpoint)
	mux.HandleFunc("GET /log/key", s.logKey)
	mux.HandleFunc("GET /log/entries", s.logEntries)
	mux.HandleFunc("GET /log/entries/{index}", s.logEntry)
	mux.HandleFunc("GET /log/proof/inclusion", s.logInclusion)
	mux.HandleFunc("GET /log/proof/consistency", s.logConsistency)
	mux.HandleFunc("GET /log/tile/{path...}", s.logTile)
}

// logTile serves a C2SP tile. Full tiles never change; a partial one is
// replaced by a wider one as the log grows.
func (s *server) logTile(w http.ResponseWriter, r *http.Request) {
	data, full, err := s.tlog.Tile(r.Context(), r.PathValue("path"))
	if err != nil {
		s.logError(w, r, err)
		return
	}
	if full {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

// logError answers a log request with a plain-text error: 404 for what the
// log does not hold, 400 for malformed parameters, 500 (logged) otherwise.
func (s *server) logError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, tlog.ErrNotInLog) || errors.Is(err, store.ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, errBadLogParam) || errors.Is(err, tlog.ErrBadTilePath):
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		s.log.Error("log request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

var errBadLogParam = errors.New("bad parameter")

// int64Param reads a non-negative integer query parameter; missing gives
// def.
func int64Param(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s must be a non-negative integer", errBadLogParam, name)
	}
	return n, nil
}

func (s *server) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	c, err := s.tlog.Checkpoint(r.Context())
	if err != nil {
		s.logError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(c.Note)
}

func (s *server) logKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.tlog.VerifierKey(r.Context())
	if err != nil {
		s.logError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintln(w, k)
}

func (s *server) logEntry(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || i < 0 {
		http.Error(w, "the entry index must be a non-negative integer", http.StatusBadRequest)
		return
	}
	l, err := s.store.Leaf(r.Context(), i)
	if err != nil {
		s.logError(w, r, err)
		return
	}
	// Entries never change.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(l.Data)
}

func (s *server) logEntries(w http.ResponseWriter, r *http.Request) {
	from, err := int64Param(r, "from", 0)
	if err != nil {
		s.logError(w, r, err)
		return
	}
	to, err := int64Param(r, "to", from+tlog.MaxEntriesPerRequest)
	if err != nil {
		s.logError(w, r, err)
		return
	}
	leaves, err := s.store.Leaves(r.Context(), from, min(to, from+tlog.MaxEntriesPerRequest))
	if err != nil {
		s.logError(w, r, err)
		return
	}
	page := tlog.EntriesPage{From: from, Entries: make([]string, 0, len(leaves))}
	for i, l := range leaves {
		if l.Index != from+int64(i) {
			break
		}
		page.Entries = append(page.Entries, string(l.Data))
	}
	s.writeJSON(w, r, http.StatusOK, page)
}

func (s *server) logInclusion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var p *tlog.InclusionProof
	var err error
	if id := r.URL.Query().Get("credential"); id != "" {
		p, err = s.tlog.CredentialInclusion(ctx, id)
	} else {
		var index, size int64
		if r.URL.Query().Get("index") == "" {
			s.logError(w, r, fmt.Errorf("%w: give credential=ID or index=N", errBadLogParam))
			return
		}
		if index, err = int64Param(r, "index", 0); err == nil {
			if size, err = int64Param(r, "size", 0); err == nil {
				p, err = s.tlog.Inclusion(ctx, index, size)
			}
		}
	}
	if err != nil {
		s.logError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.writeJSON(w, r, http.StatusOK, p)
}

func (s *server) logConsistency(w http.ResponseWriter, r *http.Request) {
	oldSize, err := int64Param(r, "old", 0)
	if err != nil {
		s.logError(w, r, err)
		return
	}
	newSize, err := int64Param(r, "new", -1)
	if err != nil || newSize < 0 {
		s.logError(w, r, fmt.Errorf("%w: new must be a tree size", errBadLogParam))
		return
	}
	p, err := s.tlog.Consistency(r.Context(), oldSize, newSize)
	if err != nil {
		s.logError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, p)
}

// logEntryView is the transparency-log section of a credential page.
type logEntryView struct {
	Index     int64
	Kind      string
	TreeSize  int64
	EntryURL  string
	ProofURL  string
	Events    int // entries recorded for the credential (issue, revocations, ...)
	Published bool
}

// credentialLogEntry describes the credential's issuance entry, or returns
// nil when it has none (issued before the log, or the log unavailable: the
// page still renders).
func (s *server) credentialLogEntry(ctx context.Context, credentialID string) *logEntryView {
	leaves, err := s.tlog.CredentialEntries(ctx, credentialID)
	if err != nil || len(leaves) == 0 {
		return nil
	}
	v := &logEntryView{
		Index:    leaves[0].Index,
		Kind:     leaves[0].Kind,
		Events:   len(leaves),
		EntryURL: "/log/entries/" + strconv.FormatInt(leaves[0].Index, 10),
		ProofURL: "/log/proof/inclusion?credential=" + url.QueryEscape(credentialID),
	}
	if c, err := s.tlog.Checkpoint(ctx); err == nil && c.Size > v.Index {
		v.TreeSize, v.Published = c.Size, true
	}
	return v
}
