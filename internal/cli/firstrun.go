package cli

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/microcred/microcred/internal/backup"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
)

// baseURLChangedError is the refusal to serve under a base URL other than
// the recorded one; it explains what would break.
type baseURLChangedError struct{ recorded, base string }

func (e *baseURLChangedError) Error() string {
	return fmt.Sprintf("this database was created for the base URL %s, not %s. "+
		"Every credential issued so far names its issuer (did:web), its own id, its status lists and its log by that URL; "+
		"served under another one, verifiers no longer find the issuer's keys and status lists where the credentials point, "+
		"so those credentials stop verifying, shared links break, and the transparency log changes its name. "+
		"Start with --base-url %s; if the public address really moved, keep the old one answering (or redirecting) "+
		"and start once with --change-base-url to record the new one",
		e.recorded, e.base, e.recorded)
}

// isBaseURLChanged reports whether err is the refusal above.
func isBaseURLChanged(err error) bool {
	var e *baseURLChangedError
	return errors.As(err, &e)
}

// recordBaseURL compares base with the base URL the database recorded when
// it was first served. A database without one records base. A database
// without organizations records base too: nothing was built on the old
// one yet. Otherwise a different base URL is refused with an explanation,
// unless policy allows the change; then it is recorded and the old one
// returned, for announceApp to explain.
func recordBaseURL(ctx context.Context, st store.Store, base string, policy baseURLPolicy) (previous string, err error) {
	recorded, err := st.Setting(ctx, store.SettingBaseURL)
	switch {
	case errors.Is(err, store.ErrNotFound):
		recorded = ""
	case err != nil:
		return "", fmt.Errorf("reading the recorded base URL: %w", err)
	}
	if recorded == base {
		return "", nil
	}
	if recorded != "" && policy == baseURLRefuseChange {
		orgs, err := st.ListOrganizations(ctx)
		if err != nil {
			return "", fmt.Errorf("listing organizations: %w", err)
		}
		if len(orgs) > 0 {
			return "", &baseURLChangedError{recorded: recorded, base: base}
		}
	}
	if err := st.SetSetting(ctx, store.SettingBaseURL, base); err != nil {
		return "", fmt.Errorf("recording the base URL: %w", err)
	}
	if policy == baseURLChange {
		return recorded, nil
	}
	return "", nil
}

// newSetupToken returns a fresh one-time setup token when the database has
// no organization yet (the first-run state /setup serves), else "". The
// token lives in this process only: it is printed once on the terminal and
// is void once setup is done or the process ends.
func newSetupToken(ctx context.Context, st store.Store) (string, error) {
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return "", fmt.Errorf("listing organizations: %w", err)
	}
	if len(orgs) > 0 {
		return "", nil
	}
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("setup token: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}

// announceApp prints, on the terminal only and never through the logger
// (whose output may be shipped elsewhere), the setup token of a new server
// and what a changed base URL means.
func announceApp(e *env, a *app) {
	if a.setupToken != "" {
		fmt.Fprintf(e.stderr, "\nFirst run: open %s/setup and enter this one-time setup token to create the owner account:\n\n    %s\n\n"+
			"It is shown only here, only to whoever runs the server, and is void once setup is done or the server stops.\n\n",
			a.baseURL, a.setupToken)
	}
	if a.previousBaseURL != "" {
		fmt.Fprintf(e.stderr, "\nThe base URL changes from %s to %s and is recorded. New credentials name the new one. "+
			"Credentials issued before keep naming %s for their issuer (did:web), status lists and public links: "+
			"they verify only while that address still reaches this server, so keep it answering or redirecting.\n\n",
			a.previousBaseURL, a.baseURL, a.previousBaseURL)
	}
}

// masterKeyFor returns the master key for a database that is open and
// migrated. A database that already holds signing keys is never given a
// new key (as after restoring a backup without master.key: a fresh key
// would open none of them), and a key that does not open them is refused
// at start rather than at the first issuance.
func masterKeyFor(ctx context.Context, st store.Store, data *dataFlags, hadKey, skipCheck bool) (keys.MasterKey, error) {
	if !hadKey && !skipCheck {
		if has, err := hasSigningKeys(ctx, st); err != nil {
			return keys.MasterKey{}, err
		} else if has {
			return keys.MasterKey{}, fmt.Errorf("%s holds signing keys sealed under a master key, but there is none in %s and %s is not set: "+
				"put the master key this database was made with there (a new key would open none of the signing keys)",
				data.describe(), filepath.Join(data.dir, masterKeyName), masterKeyEnv)
		}
	}
	master, err := data.masterKey()
	if err != nil {
		return master, err
	}
	if !skipCheck {
		if err := backup.CheckMasterKey(ctx, st, master); err != nil {
			return master, fmt.Errorf("%v (from %s): every node of a database needs the same master key", err, masterKeySource(data))
		}
	}
	return master, nil
}

func hasSigningKeys(ctx context.Context, st store.Store) (bool, error) {
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return false, fmt.Errorf("listing organizations: %w", err)
	}
	for _, o := range orgs {
		ks, err := st.ListSigningKeys(ctx, o.ID)
		if err != nil {
			return false, fmt.Errorf("listing signing keys: %w", err)
		}
		if len(ks) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// masterKeySource names where the master key came from, for messages.
func masterKeySource(data *dataFlags) string {
	if strings.TrimSpace(os.Getenv(masterKeyEnv)) != "" {
		return masterKeyEnv
	}
	return filepath.Join(data.dir, masterKeyName)
}
