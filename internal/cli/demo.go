package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/microcred/microcred/internal/demo"
)

const defaultDemoAddr = "127.0.0.1:8080"

// runDemo handles "microcred demo [--addr HOST:PORT] [--base-url URL]
// [--seed-only] [--data DIR | --db URL]": it creates the database when
// needed, seeds the demo once, prints the logins and a few URLs, and serves
// in demo mode unless --seed-only.
func runDemo(e *env, args []string) int {
	o, seedOnly, code := parseDemo(e, args)
	if code != exitOK {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return demoMain(ctx, e, o, seedOnly, nil)
}

func parseDemo(e *env, args []string) (serveOptions, bool, int) {
	fs := newFlags("demo", e)
	o := serveOptions{demo: true}
	o.data = addDataFlags(fs)
	fs.StringVar(&o.addr, "addr", defaultDemoAddr, "`HOST:PORT` to listen on")
	fs.StringVar(&o.baseURL, "base-url", "", "public base `URL` (default http:// + addr); the seeded did:web identifiers contain its host, so keep it the same between runs")
	seedOnly := fs.Bool("seed-only", false, "seed the database and exit without serving")
	addFetchAllowFlag(fs, &o.fetchAllow)
	fs.BoolVar(&o.changeBaseURL, "change-base-url", false, "accept a base URL other than the one the database was seeded with and record it")
	if !parseFlags(fs, args) {
		return o, false, exitBadInput
	}
	if err := checkServeOptions(o); err != nil {
		return o, false, fail(e, exitBadInput, "demo: %v", err)
	}
	return o, *seedOnly, exitOK
}

// demoMain seeds and, unless seedOnly, serves until ctx ends. The base URL
// must be known before seeding, because credentials and DIDs embed it, so
// the server listens first (which also resolves a port 0).
func demoMain(ctx context.Context, e *env, o serveOptions, seedOnly bool, ready func(string)) int {
	var ln net.Listener
	base := o.baseURL
	if !seedOnly {
		var err error
		if ln, err = net.Listen("tcp", o.addr); err != nil {
			return fail(e, exitFailed, "demo: listening on %s: %v", o.addr, err)
		}
		defer ln.Close()
		if base == "" {
			base = baseURLFor(ln.Addr())
		}
	} else if base == "" {
		addr, err := net.ResolveTCPAddr("tcp", o.addr)
		if err != nil {
			return fail(e, exitBadInput, "demo: --addr %q: %v", o.addr, err)
		}
		base = baseURLFor(addr)
	}
	base, err := checkBaseURL(base)
	if err != nil {
		return fail(e, exitBadInput, "demo: %v", err)
	}
	// Seeding and serving log to stderr; the terminal summary goes to stdout.
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	opt := appOptions{fetchAllow: o.fetchAllow}
	if o.changeBaseURL {
		opt.baseURL = baseURLChange
	}
	a, err := openAppWith(ctx, o.data, base, true, 0, logger, opt)
	if isBaseURLChanged(err) {
		return fail(e, exitBadInput, "demo: %v", err)
	}
	if err != nil {
		return fail(e, exitFailed, "demo: %v", err)
	}
	defer a.store.Close()
	announceApp(e, a)
	start := time.Now()
	res, err := demo.Seed(ctx, a.issuer, a.store)
	if err != nil {
		return fail(e, exitFailed, "demo: seeding %s: %v", o.data.describe(), err)
	}
	printDemo(e.stdout, res, base, o.data.describe(), time.Since(start))
	if seedOnly {
		return exitOK
	}
	return runServer(ctx, e, "demo", ln, a, o, logger, ready)
}

// printDemo prints what the demo holds and how to try it.
func printDemo(w io.Writer, res *demo.Result, base, db string, took time.Duration) {
	if res.AlreadySeeded {
		fmt.Fprintf(w, "The demo is already seeded in %s: %d organizations, %d achievements, %d credentials; nothing was changed.\n",
			db, len(res.Orgs), res.Achievements, res.Credentials)
		fmt.Fprintf(w, "Sign in as %s with the password printed when it was seeded (or remove the data directory and run the demo again).\n", res.AdminEmail)
	} else {
		fmt.Fprintf(w, "Seeded the demo into %s in %s: %d organizations (%s), %d achievements, %d learners, %d credentials, %d mails in the outbox.\n",
			db, took.Round(time.Millisecond), len(res.Orgs), strings.Join(res.Orgs, ", "), res.Achievements, res.Learners, res.Credentials, res.Mails)
		fmt.Fprintf(w, "\nAdmin login (shown only now, stored as an argon2id hash):\n  email:    %s\n  password: %s\n", res.AdminEmail, res.AdminPassword)
		fmt.Fprintln(w, "\nOther accounts:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, l := range res.Logins[1:] {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Role, l.Email, l.Password)
		}
		tw.Flush()
		fmt.Fprintf(w, "\nAPI client of %s (OAuth 2.0 client credentials, every scope):\n  client_id:     %s\n  client_secret: %s\n",
			demo.ProviderSlug, res.ClientID, res.ClientSecret)
		fmt.Fprintf(w, "  curl -s -u '%s:%s' -d grant_type=client_credentials %s/oauth/token\n", res.ClientID, res.ClientSecret, base)
	}
	fmt.Fprintf(w, "\nTry:\n  sign in     %s/login\n  catalog     %s/catalog\n", base, base)
	if res.SampleCredentialURL != "" {
		fmt.Fprintf(w, "  credential  %s\n", res.SampleCredentialURL)
	}
	fmt.Fprintf(w, "  outbox      %s/admin/outbox\n  API         %s/api/openapi.json\n", base, base)
}
