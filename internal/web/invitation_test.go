package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

var inviteLink = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`)

// invitationToken returns the token of the newest invitation mailed to to.
func (e *env) invitationToken(to string) string {
	e.t.Helper()
	mails, err := e.store.ListMail(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == to {
			if mm := inviteLink.FindStringSubmatch(m.Body); mm != nil {
				return mm[1]
			}
		}
	}
	e.t.Fatalf("no invitation mail to %s", to)
	return ""
}

// TestInvitationTakeover replays the account takeover: someone who may
// create an organization adds a victim's address as a member, then the
// victim's real organization adds the same address. No page may show the
// attacker a password or link, and the account that results belongs to
// whoever holds the mailbox.
func TestInvitationTakeover(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	const victim = "dean@example.edu"

	// The issuer (any non-learner) creates an organization of their own.
	if rec := e.do(request{method: "POST", path: "/admin/orgs/new", as: "issuer", form: url.Values{"name": {"Evil Org"}, "slug": {"evil"}, "country": {"NL"}, "did_method": {"key"}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("create org: %d %s", rec.Code, rec.Body.String())
	}
	rec := e.do(request{method: "POST", path: "/admin/orgs/evil/members", as: "issuer", form: url.Values{"email": {victim}, "name": {"Dean"}, "role": {"viewer"}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body.String())
	}
	for _, page := range []string{"/admin/orgs/evil/members", "/admin/outbox"} {
		body := e.do(request{method: "GET", path: page, as: "issuer"}).Body.String()
		if strings.Contains(body, "/invite/") || strings.Contains(body, "password") && strings.Contains(body, "shown only once") {
			t.Errorf("%s shows the inviter a password or the invitation link", page)
		}
	}
	if _, err := e.store.UserByEmail(ctx, victim); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("inviting created an account: %v", err)
	}

	// The real organization invites the same address as owner; the victim
	// accepts from their mailbox and chooses their own password.
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {victim}, "role": {"owner"}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body.String())
	}
	token := e.invitationToken(victim)
	page := e.do(request{method: "GET", path: "/invite/" + token})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "City University") || !strings.Contains(page.Body.String(), "Create account and join") {
		t.Fatalf("invitation page: %d %s", page.Code, page.Body.String())
	}
	bad := e.do(request{method: "POST", path: "/invite/" + token, form: url.Values{"name": {"Dean"}, "password": {"short"}, "password_confirm": {"short"}}})
	if bad.Code != 400 || !strings.Contains(bad.Body.String(), "Choose a password of") || !strings.Contains(bad.Body.String(), `aria-invalid="true"`) {
		t.Fatalf("short password: %d", bad.Code)
	}
	const pw = "victim's own passphrase"
	acc := e.do(request{method: "POST", path: "/invite/" + token, form: url.Values{"name": {"Dean"}, "password": {pw}, "password_confirm": {pw}}})
	if acc.Code != http.StatusSeeOther || acc.Header().Get("Location") != "/admin/orgs/city-uni" {
		t.Fatalf("accept: %d %s", acc.Code, acc.Body.String())
	}
	u, err := e.store.UserByEmail(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, pw); !ok {
		t.Error("the account's password is not the one the invitee chose")
	}
	if m, err := e.store.Membership(ctx, e.org.ID, u.ID); err != nil || m.Role != store.RoleOwner {
		t.Errorf("membership after accepting: %+v %v", m, err)
	}
	evil, _ := e.store.OrganizationBySlug(ctx, "evil")
	if _, err := e.store.Membership(ctx, evil.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the other organization's invitation made the account a member without consent: %v", err)
	}
	// The link works once.
	if again := e.do(request{method: "POST", path: "/invite/" + token, form: url.Values{"name": {"X"}, "password": {"another passphrase"}, "password_confirm": {"another passphrase"}}}); again.Code != http.StatusNotFound {
		t.Errorf("second use of the link: %d", again.Code)
	}

	// The evil organization's invitation, now for an existing account,
	// needs that account signed in: anonymously it only offers sign-in,
	// and a POST cannot join or set a password.
	evilToken := e.invitationToken(victim) // newest mail is city-uni's; find evil's below
	mails, _ := e.store.ListMail(ctx, 100)
	for _, m := range mails {
		if m.To == victim && strings.Contains(m.Subject, "Evil Org") {
			evilToken = inviteLink.FindStringSubmatch(m.Body)[1]
		}
	}
	if p := e.do(request{method: "GET", path: "/invite/" + evilToken}); !strings.Contains(p.Body.String(), "Sign in as "+victim) {
		t.Errorf("invitation for an existing account does not ask to sign in: %s", p.Body.String())
	}
	if p := e.do(request{method: "POST", path: "/invite/" + evilToken, form: url.Values{"action": {"accept"}, "name": {"X"}, "password": {"attacker passphrase"}, "password_confirm": {"attacker passphrase"}}}); p.Code != http.StatusForbidden {
		t.Errorf("anonymous accept for an existing account: %d", p.Code)
	}
	if p := e.do(request{method: "POST", path: "/invite/" + evilToken, as: "issuer", form: url.Values{"action": {"accept"}}}); p.Code != http.StatusForbidden {
		t.Errorf("accept while signed in as another account: %d", p.Code)
	}
	if _, err := e.store.Membership(ctx, evil.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("joined without the account holder's consent: %v", err)
	}
	u2, _ := e.store.UserByEmail(ctx, victim)
	if u2.PasswordHash != u.PasswordHash {
		t.Error("the password of an existing account changed through an invitation")
	}
	// Signed in as the invited account, accepting joins.
	e.logins["victim"] = e.startSession(u.ID)
	if p := e.do(request{method: "POST", path: "/invite/" + evilToken, as: "victim", form: url.Values{"action": {"accept"}}}); p.Code != http.StatusSeeOther {
		t.Fatalf("accept as the invited account: %d %s", p.Code, p.Body.String())
	}
	if m, err := e.store.Membership(ctx, evil.ID, u.ID); err != nil || m.Role != store.RoleViewer {
		t.Errorf("membership after consent: %+v %v", m, err)
	}
}

func TestInvitationLifecycle(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()

	// Existing members are refused; a cancelled invitation stops working.
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {"VIEWER@example.edu"}, "role": {"issuer"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "already a member") {
		t.Errorf("inviting a member: %d", rec.Code)
	}
	e.do(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {"temp@example.edu"}, "role": {"viewer"}}})
	token := e.invitationToken("temp@example.edu")
	invs, err := e.store.ListPendingInvitations(ctx, e.org.ID, time.Now())
	if err != nil || len(invs) != 1 {
		t.Fatalf("pending: %v %v", invs, err)
	}
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/invitations/" + invs[0].ID + "/revoke", as: "issuer"}); rec.Code != http.StatusForbidden {
		t.Errorf("an issuer cancelled an invitation: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/invitations/" + invs[0].ID + "/revoke", as: "owner"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body.String())
	}
	if rec := e.do(request{method: "GET", path: "/invite/" + token}); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "does not work any more") {
		t.Errorf("cancelled link: %d", rec.Code)
	}
	if rec := e.do(request{method: "GET", path: "/invite/not-a-token"}); rec.Code != http.StatusNotFound {
		t.Errorf("unknown token: %d", rec.Code)
	}

	// An expired invitation does not work.
	tok, hash := auth.NewToken()
	if _, err := e.store.CreateInvitation(ctx, store.Invitation{TokenHash: hash, OrgID: e.org.ID, Email: "late@example.edu", Role: store.RoleViewer,
		CreatedAt: time.Now().Add(-8 * 24 * time.Hour), ExpiresAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if rec := e.do(request{method: "GET", path: "/invite/" + tok}); rec.Code != http.StatusNotFound {
		t.Errorf("expired link: %d", rec.Code)
	}

	// Declining needs only the link.
	e.do(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {"no@example.edu"}, "role": {"viewer"}}})
	no := e.invitationToken("no@example.edu")
	if rec := e.do(request{method: "POST", path: "/invite/" + no, form: url.Values{"action": {"decline"}}}); rec.Code != http.StatusSeeOther {
		t.Errorf("decline: %d %s", rec.Code, rec.Body.String())
	}
	if rec := e.do(request{method: "GET", path: "/invite/" + no}); rec.Code != http.StatusNotFound {
		t.Errorf("declined link still works: %d", rec.Code)
	}
	events, _ := e.store.ListAudit(ctx, store.AuditQuery{OrgID: e.org.ID, Action: "member.invite"})
	if len(events) != 2 {
		t.Errorf("member.invite audit events = %d, want 2", len(events))
	}
}

// TestDemoOutboxHidesInvitationLinks: in demo mode mail is shown, not
// sent; an owner reading it must not be able to accept an invitation, or
// claim a credential, in the recipient's place.
func TestDemoOutboxHidesInvitationLinks(t *testing.T) {
	e := newEnv(t, envOptions{demo: true})
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {"new.person@example.edu"}, "role": {"viewer"}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("invite: %d", rec.Code)
	}
	token := e.invitationToken("new.person@example.edu")
	page := e.do(request{method: "GET", path: "/admin/outbox", as: "owner"}).Body.String()
	if !strings.Contains(page, "new.person@example.edu") || !strings.Contains(page, "link hidden") {
		t.Fatalf("outbox does not list the invitation with its link hidden")
	}
	if strings.Contains(page, token) || strings.Contains(page, e.mailedLink("learner@example.edu", "/claim/")) {
		t.Error("the demo outbox shows an owner a single-use link meant for someone else")
	}
}
