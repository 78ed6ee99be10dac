package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

// The audit log as a person reads it: who by name (a user, an API
// client, or microcred itself), what in words, and the details as
// labelled values instead of raw JSON.

// auditActions says in words what each recorded action is; an action
// not listed is shown as recorded.
var auditActions = map[string]string{
	"org.create":                  "created the organization",
	"org.profile.update":          "updated the organization's profile",
	"achievement.create":          "added an achievement to the catalog",
	"achievement.update":          "edited an achievement",
	"credential.issue":            "issued a credential",
	"credential.upsert":           "issued or replaced a credential through the API",
	"credential.renew":            "renewed a credential",
	"credential.revoke":           "revoked a credential",
	"credential.suspend":          "suspended a credential",
	"credential.unsuspend":        "lifted a credential's suspension",
	"key.rotate":                  "replaced the signing key",
	"member.invite":               "invited a member",
	"member.role":                 "changed a member's role",
	"member.add":                  "added a member",
	"member.remove":               "removed a member",
	"oauth.authorize":             "authorized an API client",
	"oauth.client.register":       "registered an API client",
	"oauth.grant.revoke":          "withdrew an API client's access",
	"oauth.revoke":                "revoked an API token",
	"oauth.token":                 "issued an API token",
	"account.password.reset-link": "sent a password reset link",
}

// auditDetail is one labelled value of an event's details.
type auditDetail struct{ Label, Value string }

// auditRow is one event as the page shows it.
type auditRow struct {
	store.AuditEvent
	Who, WhoKind, What string
	Details            []auditDetail
}

// detailLabel turns a JSON key such as "recipientEmail" or "valid_until"
// into "Recipient email" or "Valid until".
func detailLabel(k string) string {
	var b strings.Builder
	for i, r := range k {
		switch {
		case r == '_' || r == '-' || r == '.':
			b.WriteByte(' ')
		case r >= 'A' && r <= 'Z' && i > 0:
			b.WriteByte(' ')
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return k
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// auditDetails reads an event's JSON object into labelled values, in key
// order; anything else is shown as it is.
func auditDetails(raw json.RawMessage) []auditDetail {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return []auditDetail{{Label: "Details", Value: string(raw)}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]auditDetail, 0, len(keys))
	for _, k := range keys {
		var v string
		switch x := m[k].(type) {
		case string:
			v = x
		case bool:
			v = map[bool]string{true: "yes", false: "no"}[x]
		case nil:
			v = "none"
		case float64:
			v = fmt.Sprint(x)
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		out = append(out, auditDetail{Label: detailLabel(k), Value: v})
	}
	return out
}

// auditRows resolves actors to names, once per distinct actor.
func (s *server) auditRows(r *http.Request, events []store.AuditEvent) []auditRow {
	type who struct{ name, kind string }
	cache := map[string]who{}
	resolve := func(actor string) who {
		if w, ok := cache[actor]; ok {
			return w
		}
		w := who{name: actor, kind: "unknown"}
		switch {
		case actor == "" || actor == "system":
			w = who{"microcred", "automatic"}
		default:
			if u, err := s.store.User(r.Context(), actor); err == nil {
				w = who{u.Name, "user"}
				if w.name == "" {
					w.name = u.Email
				} else {
					w.name += " <" + u.Email + ">"
				}
			} else if c, err := s.store.APIClient(r.Context(), actor); err == nil {
				w = who{c.Name, "API client"}
			}
		}
		cache[actor] = w
		return w
	}
	rows := make([]auditRow, len(events))
	for i, e := range events {
		w := resolve(e.Actor)
		what, ok := auditActions[e.Action]
		if !ok {
			what = e.Action
		}
		rows[i] = auditRow{AuditEvent: e, Who: w.name, WhoKind: w.kind, What: what, Details: auditDetails(e.Detail)}
	}
	return rows
}
