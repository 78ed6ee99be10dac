package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/microcred/microcred/internal/account"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// operatorResetLifetime is how long a reset link printed for an operator
// works: long enough to pass it on, short enough not to linger.
const operatorResetLifetime = 24 * time.Hour

const usersUsage = "users: usage: microcred users list [--json] | reset-password --email EMAIL | disable --email EMAIL | enable --email EMAIL [--data DIR | --db URL]"

// runUsers handles "microcred users list|reset-password|disable|enable":
// what an operator needs when a person is locked out (a lost admin password
// used to mean deleting the data) or must be locked out.
func runUsers(e *env, args []string) int {
	if len(args) == 0 {
		return fail(e, exitBadInput, usersUsage)
	}
	sub := args[0]
	switch sub {
	case "list", "reset-password", "disable", "enable":
	default:
		return fail(e, exitBadInput, usersUsage)
	}
	fs := newFlags("users "+sub, e)
	data := addDataFlags(fs)
	asJSON := fs.Bool("json", false, "print a JSON array of {id, email, name, learner, disabled, createdAt} (list)")
	email := fs.String("email", "", "the account's `address` (reset-password, disable, enable)")
	if !parseFlags(fs, args[1:]) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "users %s: %v", sub, err)
	}
	if sub != "list" && strings.TrimSpace(*email) == "" {
		return fail(e, exitBadInput, "users %s: --email is required", sub)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitBadInput, "users %s: %v", sub, err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "users %s: migrating %s: %v", sub, data.describe(), err)
	}
	if sub == "list" {
		return listUsers(ctx, e, st, *asJSON)
	}
	u, err := st.UserByEmail(ctx, *email)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return fail(e, exitBadInput, "users %s: no account has the address %q", sub, *email)
	}
	if err != nil {
		return fail(e, exitFailed, "users %s: %v", sub, err)
	}
	switch sub {
	case "disable", "enable":
		var at *time.Time
		action := "account.enable"
		if sub == "disable" {
			now := time.Now()
			at, action = &now, "account.disable"
		}
		err := st.WithTx(ctx, func(tx store.Store) error {
			if err := tx.SetUserDisabled(ctx, u.ID, at); err != nil {
				return err
			}
			_, err := tx.AppendAudit(ctx, store.AuditEvent{Actor: "cli", Action: action, Target: u.ID, Detail: json.RawMessage(fmt.Sprintf(`{"email":%q}`, u.Email))})
			return err
		})
		if err != nil {
			return fail(e, exitFailed, "users %s: %v", sub, err)
		}
		e.printf("%sd %s (%s)\n", sub, u.Email, u.ID)
		return exitOK
	}
	// reset-password: a link, never a password, so the person chooses one
	// that nobody else saw.
	master, err := data.masterKey()
	if err != nil {
		return fail(e, exitBadInput, "users reset-password: %v", err)
	}
	base, err := st.Setting(ctx, store.SettingBaseURL)
	if errors.Is(err, store.ErrNotFound) || (err == nil && base == "") {
		return fail(e, exitBadInput, "users reset-password: %s has no base URL yet: run 'microcred serve' (or demo) on it once", data.describe())
	}
	if err != nil {
		return fail(e, exitFailed, "users reset-password: reading the base URL: %v", err)
	}
	svc := &issue.Service{Store: st, Master: master, BaseURL: base}
	if _, err := st.AppendAudit(ctx, store.AuditEvent{Actor: "cli", Action: "account.password.reset-link", Target: u.ID}); err != nil {
		return fail(e, exitFailed, "users reset-password: %v", err)
	}
	e.printf("Give this link to %s; it works once, for 24 hours, and lets them choose a new password:\n%s\n",
		u.Email, account.ResetURL(svc.Links(), strings.TrimRight(base, "/"), u, time.Now(), operatorResetLifetime))
	if u.DisabledAt != nil {
		e.printf("Note: the account is disabled; run 'microcred users enable --email %s' too.\n", u.Email)
	}
	return exitOK
}

// userRow is one account in `users list --json`.
type userRow struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Learner    bool       `json:"learner"`
	Disabled   bool       `json:"disabled"`
	CreatedAt  time.Time  `json:"createdAt"`
	DisabledAt *time.Time `json:"disabledAt,omitempty"`
}

func listUsers(ctx context.Context, e *env, st store.Store, asJSON bool) int {
	var rows []userRow
	for offset := 0; ; offset += 1000 {
		page, err := st.ListUsers(ctx, 1000, offset)
		if err != nil {
			return fail(e, exitFailed, "users list: %v", err)
		}
		for _, u := range page {
			rows = append(rows, userRow{ID: u.ID, Email: u.Email, Name: u.Name, Learner: u.IsLearner, Disabled: u.DisabledAt != nil, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt})
		}
		if len(page) < 1000 {
			break
		}
	}
	if asJSON {
		if rows == nil {
			rows = []userRow{}
		}
		out, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return fail(e, exitFailed, "users list: %v", err)
		}
		e.printf("%s\n", out)
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tKIND\tSTATE\tCREATED")
	for _, r := range rows {
		kind, state := "staff", "active"
		if r.Learner {
			kind = "learner"
		}
		if r.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Email, r.Name, kind, state, r.CreatedAt.UTC().Format("2006-01-02"))
	}
	if err := tw.Flush(); err != nil {
		return fail(e, exitFailed, "users list: %v", err)
	}
	return exitOK
}
