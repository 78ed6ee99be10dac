package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// mailedLink returns the token of the newest mail to `to` whose body links
// to prefix (such as "/claim/"); "" when there is none.
func (e *env) mailedLink(to, prefix string) string {
	e.t.Helper()
	mails, err := e.store.ListMail(context.Background(), 200)
	if err != nil {
		e.t.Fatal(err)
	}
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Za-z0-9_.%-]+)`)
	for _, m := range mails {
		if m.To == to {
			if mm := re.FindStringSubmatch(m.Body); mm != nil {
				tok, err := url.PathUnescape(mm[1])
				if err != nil {
					e.t.Fatal(err)
				}
				return tok
			}
		}
	}
	return ""
}

// issueTo issues the seeded achievement to email with a notification.
func (e *env) issueTo(email string) store.Credential {
	e.t.Helper()
	c, _, err := e.svc.Issue(context.Background(), issue.Request{OrgID: e.org.ID, AchievementID: e.achievementID,
		RecipientEmail: email, RecipientName: "Someone", Notify: true, Actor: e.users["owner"].ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func sessionCookie(rec *httptestRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "microcred_session" && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

func TestClaimNewLearner(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c := e.issueTo("ada@example.org")
	tok := e.mailedLink("ada@example.org", "/claim/")
	if tok == "" {
		t.Fatal("issuance mail has no claim link")
	}
	page := e.do(request{method: "GET", path: "/claim/" + tok})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "Create account and add the credential") || !strings.Contains(page.Body.String(), "City University") {
		t.Fatalf("claim page: %d %s", page.Code, page.Body.String())
	}
	if bad := e.do(request{method: "POST", path: "/claim/" + tok, form: url.Values{"name": {""}, "password": {"short"}, "password_confirm": {"short"}}}); bad.Code != 400 ||
		!strings.Contains(bad.Body.String(), `id="name-err"`) || !strings.Contains(bad.Body.String(), `aria-describedby="password-err"`) {
		t.Fatalf("bad claim form: %d", bad.Code)
	}
	rec := e.do(request{method: "POST", path: "/claim/" + tok, form: url.Values{"name": {"Ada"}, "password": {"ada's passphrase"}, "password_confirm": {"ada's passphrase"}}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/wallet" || sessionCookie(rec) == "" {
		t.Fatalf("claim: %d %s", rec.Code, rec.Body.String())
	}
	u, err := e.store.UserByEmail(ctx, "ada@example.org")
	if err != nil || !u.IsLearner {
		t.Fatalf("learner account: %+v %v", u, err)
	}
	if got, _ := e.store.Credential(ctx, c.ID); got.LearnerID != u.ID {
		t.Errorf("credential learner = %q, want %q", got.LearnerID, u.ID)
	}
	again := e.do(request{method: "GET", path: "/claim/" + tok})
	if again.Code != http.StatusNotFound || !strings.Contains(again.Body.String(), "already used") {
		t.Errorf("second use: %d", again.Code)
	}
	// A forged or cut link says so.
	if rec := e.do(request{method: "GET", path: "/claim/" + tok[:len(tok)-3] + "AAA"}); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "not valid") {
		t.Errorf("tampered link: %d", rec.Code)
	}
}

func TestClaimExistingAndAdditionalAddress(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	tok := e.mailedLink("learner@example.edu", "/claim/")
	if p := e.do(request{method: "GET", path: "/claim/" + tok}); !strings.Contains(p.Body.String(), "/login?next=/claim/") {
		t.Errorf("claim for an existing account does not offer sign-in")
	}
	if p := e.do(request{method: "POST", path: "/claim/" + tok}); p.Code != http.StatusForbidden {
		t.Errorf("anonymous claim for an existing account: %d", p.Code)
	}
	if p := e.do(request{method: "POST", path: "/claim/" + tok, as: "viewer"}); p.Code != http.StatusForbidden {
		t.Errorf("claim by another account of an address that has one: %d", p.Code)
	}
	if p := e.do(request{method: "POST", path: "/claim/" + tok, as: "learner"}); p.Code != http.StatusSeeOther {
		t.Errorf("claim as the learner: %d %s", p.Code, p.Body.String())
	}

	// A credential sent to another address of the learner: claiming it
	// while signed in adds the address to the account.
	c := e.issueTo("learner.work@example.org")
	tok2 := e.mailedLink("learner.work@example.org", "/claim/")
	if p := e.do(request{method: "POST", path: "/claim/" + tok2, as: "learner"}); p.Code != http.StatusSeeOther {
		t.Fatalf("claim to another address: %d %s", p.Code, p.Body.String())
	}
	if u, err := e.store.UserByEmail(ctx, "LEARNER.WORK@example.org"); err != nil || u.ID != e.users["learner"].ID {
		t.Errorf("address not added: %+v %v", u, err)
	}
	if got, _ := e.store.Credential(ctx, c.ID); got.LearnerID != e.users["learner"].ID {
		t.Errorf("credential not in the wallet: %q", got.LearnerID)
	}
	// Later credentials to that address land in the wallet directly.
	c2 := e.issueTo("learner.work@example.org")
	if got, _ := e.store.Credential(ctx, c2.ID); got.LearnerID != e.users["learner"].ID {
		t.Errorf("later credential to the added address: learner %q", got.LearnerID)
	}
	wallet := e.do(request{method: "GET", path: "/wallet", as: "learner"})
	if n := strings.Count(wallet.Body.String(), "/c/"); n < 3 {
		t.Errorf("wallet shows %d credential links, want at least 3", n)
	}
}

func TestLookAlikeAddressesStayApart(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	kim, err := e.store.CreateUser(ctx, store.User{Email: "kim@example.edu", Name: "Kim", IsLearner: true})
	if err != nil {
		t.Fatal(err)
	}
	c := e.issueTo("\u212aim@example.edu") // KELVIN SIGN, not "k"
	if got, _ := e.store.Credential(ctx, c.ID); got.LearnerID == kim.ID {
		t.Fatal("a credential to a look-alike address landed in kim's wallet")
	}
	c2 := e.issueTo("KIM@example.edu")
	if got, _ := e.store.Credential(ctx, c2.ID); got.LearnerID != kim.ID {
		t.Errorf("ASCII case still matches: learner %q", got.LearnerID)
	}
}

func TestSignupWithEmailVerification(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c := e.issueTo("grace@example.org") // issued before the account exists
	if rec := e.do(request{method: "POST", path: "/signup", form: url.Values{"email": {"not an address"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
		t.Errorf("bad address: %d", rec.Code)
	}
	rec := e.do(request{method: "POST", path: "/signup", form: url.Values{"email": {"grace@example.org"}}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Check your mail") {
		t.Fatalf("signup: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := e.store.UserByEmail(ctx, "grace@example.org"); err == nil {
		t.Fatal("account created before the address was confirmed")
	}
	tok := e.mailedLink("grace@example.org", "/signup/")
	if tok == "" {
		t.Fatal("no sign-up link mailed")
	}
	rec = e.do(request{method: "POST", path: "/signup/" + tok, form: url.Values{"name": {"Grace"}, "password": {"grace's passphrase"}, "password_confirm": {"grace's passphrase"}}})
	if rec.Code != http.StatusSeeOther || sessionCookie(rec) == "" {
		t.Fatalf("create account: %d %s", rec.Code, rec.Body.String())
	}
	u, err := e.store.UserByEmail(ctx, "grace@example.org")
	if err != nil || !u.IsLearner {
		t.Fatalf("account %+v %v", u, err)
	}
	if got, _ := e.store.Credential(ctx, c.ID); got.LearnerID != u.ID {
		t.Errorf("credential issued before the account: learner %q", got.LearnerID)
	}
	if rec := e.do(request{method: "POST", path: "/signup/" + tok, form: url.Values{"name": {"X"}, "password": {"another passphrase"}, "password_confirm": {"another passphrase"}}}); rec.Code != http.StatusNotFound {
		t.Errorf("sign-up link reused: %d", rec.Code)
	}
	// For an address that has an account the page says the same, and the
	// mail says to sign in instead.
	rec = e.do(request{method: "POST", path: "/signup", form: url.Values{"email": {"owner@example.edu"}}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Check your mail") {
		t.Errorf("signup for an existing address: %d", rec.Code)
	}
	if e.mailedLink("owner@example.edu", "/signup/") != "" {
		t.Error("a sign-up link was mailed to an address that has an account")
	}
	// Mail is rate limited per recipient.
	var limited bool
	for range 5 {
		if rec := e.do(request{method: "POST", path: "/signup", form: url.Values{"email": {"flood@example.org"}}}); rec.Code == http.StatusTooManyRequests {
			limited = true
		}
	}
	if !limited {
		t.Error("five sign-up mails to one address in a row were all sent")
	}
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	rec := e.do(request{method: "POST", path: "/reset", form: url.Values{"email": {"nobody@example.org"}}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "If nobody@example.org has an account") {
		t.Fatalf("reset for unknown address: %d", rec.Code)
	}
	if e.mailedLink("nobody@example.org", "/reset/") != "" {
		t.Fatal("mail sent to an address without an account")
	}
	e.do(request{method: "POST", path: "/reset", form: url.Values{"email": {"Owner@Example.edu"}}})
	tok := e.mailedLink("Owner@Example.edu", "/reset/")
	if tok == "" {
		t.Fatal("no reset link")
	}
	if p := e.do(request{method: "GET", path: "/reset/" + tok}); p.Code != 200 || !strings.Contains(p.Body.String(), "owner@example.edu") {
		t.Fatalf("reset page: %d", p.Code)
	}
	rec = e.do(request{method: "POST", path: "/reset/" + tok, form: url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body.String())
	}
	u, _ := e.store.UserByEmail(ctx, "owner@example.edu")
	if ok, _ := auth.CheckPassword(u.PasswordHash, "a brand new passphrase"); !ok {
		t.Error("password not changed")
	}
	if p := e.do(request{method: "GET", path: "/admin", as: "owner"}); p.Code != http.StatusSeeOther {
		t.Errorf("the old session survived a password reset: %d", p.Code)
	}
	if p := e.do(request{method: "GET", path: "/reset/" + tok}); p.Code != http.StatusNotFound {
		t.Errorf("reset link reused: %d", p.Code)
	}
}

func TestDisabledAccount(t *testing.T) {
	e := newEnv(t, envOptions{})
	now := time.Now()
	if err := e.store.SetUserDisabled(context.Background(), e.users["learner"].ID, &now); err != nil {
		t.Fatal(err)
	}
	if p := e.do(request{method: "GET", path: "/wallet", as: "learner"}); p.Code != http.StatusSeeOther {
		t.Errorf("disabled account still signed in: %d", p.Code)
	}
	rec := e.do(request{method: "POST", path: "/login", form: url.Values{"email": {"learner@example.edu"}, "password": {testPassword}}})
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "disabled") || sessionCookie(rec) != "" {
		t.Errorf("sign-in of a disabled account: %d", rec.Code)
	}
}

func TestAccountAddressesAndPassword(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c := e.issueTo("old.school@example.org")
	if rec := e.do(request{method: "POST", path: "/account/emails", as: "learner", form: url.Values{"email": {"old.school@example.org"}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add address: %d %s", rec.Code, rec.Body.String())
	}
	tok := e.mailedLink("old.school@example.org", "/account/emails/")
	if rec := e.do(request{method: "GET", path: "/account/emails/" + tok, as: "viewer"}); rec.Code != http.StatusForbidden {
		t.Errorf("another account used the confirmation link: %d", rec.Code)
	}
	if rec := e.do(request{method: "GET", path: "/account/emails/" + tok, as: "learner"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", rec.Code, rec.Body.String())
	}
	if got, _ := e.store.Credential(ctx, c.ID); got.LearnerID != e.users["learner"].ID {
		t.Errorf("credential of the added address not in the wallet")
	}
	page := e.do(request{method: "GET", path: "/account", as: "learner"}).Body.String()
	if !strings.Contains(page, "old.school@example.org") {
		t.Error("account page does not list the added address")
	}
	if rec := e.do(request{method: "POST", path: "/account/password", as: "learner", form: url.Values{"current_password": {"wrong"}, "password": {"new passphrase!!"}, "password_confirm": {"new passphrase!!"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "current password is not correct") {
		t.Errorf("wrong current password: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: "/account/password", as: "learner", form: url.Values{"current_password": {testPassword}, "password": {"new passphrase!!"}, "password_confirm": {"new passphrase!!"}}}); rec.Code != http.StatusSeeOther || sessionCookie(rec) == "" {
		t.Errorf("change password: %d", rec.Code)
	}
}
