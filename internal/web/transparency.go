package web

import (
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/tlog"
)

// transparencyEntry is one recent log entry as a person reads it.
type transparencyEntry struct {
	Index int64
	What  string
	Org   string
	When  string
	URL   string
}

var tlogKinds = map[tlog.Kind]string{
	tlog.KindIssue:       "issued a credential",
	tlog.KindRevoke:      "revoked a credential",
	tlog.KindSuspend:     "suspended a credential",
	tlog.KindUnsuspend:   "lifted a credential's suspension",
	tlog.KindKeyRotation: "replaced its signing key",
}

// transparency is the human page of the transparency log: what it is,
// what it proves and what it does not, and the latest entries by
// organization name.
func (s *server) transparency(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	size, err := s.store.TreeSize(ctx)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("log size: %w", err))
		return
	}
	const recent = 50
	leaves, err := s.store.Leaves(ctx, max(size-recent, 0), size)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("read log: %w", err))
		return
	}
	orgs := map[string]string{}
	var entries []transparencyEntry
	for i := len(leaves) - 1; i >= 0; i-- {
		l := leaves[i]
		e := transparencyEntry{Index: l.Index, What: l.Kind, URL: fmt.Sprintf("/log/entries/%d", l.Index)}
		if ev, err := tlog.ParseLeaf(l.Data); err == nil {
			if w, ok := tlogKinds[ev.Kind]; ok {
				e.What = w
			}
			name, ok := orgs[ev.OrgID]
			if !ok {
				name = "an organization no longer on this server"
				if o, err := s.store.Organization(ctx, ev.OrgID); err == nil {
					name = o.Name
				}
				orgs[ev.OrgID] = name
			}
			e.Org, e.When = name, formatDateTime(ev.Time)
		}
		entries = append(entries, e)
	}
	s.render(w, r, http.StatusOK, "transparency", "Transparency log", map[string]any{"Size": size, "Entries": entries})
}
