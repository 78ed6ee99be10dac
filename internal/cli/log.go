package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// runLog handles "microcred log audit|checkpoint|proof".
func runLog(e *env, args []string) int {
	const usage = "log: expected audit, checkpoint or proof: " +
		"log audit (--url URL | --data DIR | --db URL) [--key KEY] [--state FILE] [--json] | " +
		"log checkpoint --url URL | log proof --url URL --id CREDENTIAL_ID"
	if len(args) == 0 {
		return fail(e, exitBadInput, "%s", usage)
	}
	switch args[0] {
	case "audit":
		return runLogAudit(e, args[1:])
	case "checkpoint":
		return runLogFetch(e, "checkpoint", args[1:])
	case "proof":
		return runLogFetch(e, "proof", args[1:])
	}
	return fail(e, exitBadInput, "%s", usage)
}

// auditState is what `log audit --state FILE` remembers between runs: the
// log's key, pinned on first use, and the last checkpoint verified, which
// the next run checks the log still extends.
type auditState struct {
	Log        string    `json:"log"`
	Key        string    `json:"key"`
	Checkpoint string    `json:"checkpoint"`
	Size       int64     `json:"size"`
	CheckedAt  time.Time `json:"checkedAt"`
}

func readAuditState(path string) (*auditState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st auditState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return &st, nil
}

func writeAuditState(path string, st auditState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// runLogAudit handles "microcred log audit". Exit 0: the log is consistent
// (and, with --data/--db, matches the stored rows); 1: findings; 2: the
// audit could not run.
func runLogAudit(e *env, args []string) int {
	f := newFlags("log audit", e)
	serverURL := f.String("url", "", "audit the log of the server at `URL` over HTTP")
	data := addDataFlags(f)
	key := f.String("key", "", "the log's verifier `KEY` (the text of /log/key), pinned out of band")
	statePath := f.String("state", "", "state `FILE`: pins the key on first use and remembers the last verified checkpoint, so each run checks the log only grew")
	asJSON := f.Bool("json", false, "print the report as JSON")
	if !parseFlags(f, args) {
		return exitBadInput
	}
	dbMode := *serverURL == ""
	if !dbMode && (data.db != "" || isFlagSet(f, "data")) {
		return fail(e, exitBadInput, "log audit: give either --url or --data/--db, not both")
	}
	var state *auditState
	if *statePath != "" {
		var err error
		if state, err = readAuditState(*statePath); err != nil {
			return fail(e, exitBadInput, "log audit: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	var src tlog.Source
	var st store.Store
	if dbMode {
		if err := data.check(); err != nil {
			return fail(e, exitBadInput, "log audit: %v", err)
		}
		var err error
		if st, err = data.openStore(ctx, false); err != nil {
			return fail(e, exitBadInput, "log audit: %v", err)
		}
		defer st.Close()
		src = tlog.StoreSource{Store: st}
	} else {
		src = tlog.HTTPSource{BaseURL: *serverURL, Client: tlog.ForOperatorURL(*serverURL, nil)}
	}

	vkey := strings.TrimSpace(*key)
	switch {
	case vkey != "":
		if state != nil && state.Key != "" && state.Key != vkey {
			return fail(e, exitFailed, "log audit: --key differs from the key pinned in %s: the log changed its key", *statePath)
		}
	case state != nil && state.Key != "":
		vkey = state.Key
	case dbMode:
		k, err := st.LogSigner(ctx)
		if err != nil {
			return fail(e, exitBadInput, "log audit: no log key in the database: %v", err)
		}
		vkey = k.VerifierKey
		fmt.Fprintf(e.stderr, "log audit: using the log key stored in the database (%s); pin it with --key or --state to detect a replaced key\n", vkey)
	case *statePath != "":
		k, err := tlog.HTTPSource{BaseURL: *serverURL, Client: tlog.ForOperatorURL(*serverURL, nil)}.Key(ctx)
		if err != nil {
			return fail(e, exitBadInput, "log audit: fetch the log key: %v", err)
		}
		vkey = k
		fmt.Fprintf(e.stderr, "log audit: trusting the log key %s on first use; it is pinned in %s from now on\n", vkey, *statePath)
	default:
		return fail(e, exitBadInput, "log audit: give the log's key with --key KEY, or --state FILE to pin it on first use")
	}
	var previous []byte
	if state != nil {
		previous = []byte(state.Checkpoint)
	}

	var rc *tlog.RowChecker
	var check func(int64, []byte, tlog.Event) error
	if dbMode {
		var err error
		if rc, err = tlog.NewRowChecker(ctx, st); err != nil {
			return fail(e, exitBadInput, "log audit: %v", err)
		}
		check = func(i int64, leaf []byte, ev tlog.Event) error { return rc.Check(ctx, i, leaf, ev) }
	}
	rep, err := tlog.Audit(ctx, src, vkey, previous, check)
	if err != nil {
		return fail(e, exitBadInput, "log audit: %v", err)
	}
	if rc != nil && rep.Root != "" {
		// Entries appended after the latest checkpoint are not signed yet,
		// but their rows can still be compared.
		if err := checkUnsigned(ctx, st, rc, rep); err != nil {
			return fail(e, exitBadInput, "log audit: %v", err)
		}
		for _, id := range rc.Unlogged() {
			rep.Findings = append(rep.Findings, tlog.Finding{Index: -1, Detail: "credential " + id + " is stored but has no issuance entry in the log"})
		}
	}
	if *asJSON {
		out, _ := json.Marshal(rep)
		e.stdout.Write(append(out, '\n'))
	} else {
		printAudit(e, rep, vkey)
	}
	if !rep.OK() {
		return exitFailed
	}
	if *statePath != "" {
		if err := writeAuditState(*statePath, auditState{Log: rep.Checkpoint.Origin, Key: vkey, Checkpoint: string(rep.Checkpoint.Note),
			Size: rep.Size, CheckedAt: time.Now().UTC()}); err != nil {
			return fail(e, exitBadInput, "log audit: write state: %v", err)
		}
	}
	return exitOK
}

// checkUnsigned compares the entries past the audited checkpoint with the
// rows.
func checkUnsigned(ctx context.Context, st store.Store, rc *tlog.RowChecker, rep *tlog.AuditReport) error {
	size, err := st.TreeSize(ctx)
	if err != nil {
		return err
	}
	for from := rep.Size; from < size; {
		leaves, err := st.Leaves(ctx, from, size)
		if err != nil {
			return err
		}
		if len(leaves) == 0 {
			return nil
		}
		for _, l := range leaves {
			ev, err := tlog.ParseLeaf(l.Data)
			if err == nil {
				err = rc.Check(ctx, l.Index, l.Data, ev)
			}
			if err != nil {
				rep.Findings = append(rep.Findings, tlog.Finding{Index: l.Index, Detail: err.Error()})
			}
			from = l.Index + 1
		}
	}
	return nil
}

func printAudit(e *env, rep *tlog.AuditReport, vkey string) {
	w := e.stdout
	if rep.OK() {
		fmt.Fprintf(w, "OK: the log %s is consistent: %d entries hash to the signed root %s.\n", rep.Checkpoint.Origin, rep.Size, rep.Root)
	} else {
		fmt.Fprintf(w, "FAILED: the log does not check out (%d problems).\n", len(rep.Findings))
	}
	fmt.Fprintf(w, "  key: %s\n", vkey)
	if rep.Previous >= 0 {
		fmt.Fprintf(w, "  previous checkpoint: size %d, checked to be extended by size %d\n", rep.Previous, rep.Size)
	}
	for _, k := range []tlog.Kind{tlog.KindIssue, tlog.KindRevoke, tlog.KindSuspend, tlog.KindUnsuspend, tlog.KindKeyRotation} {
		if n := rep.Events[k]; n > 0 {
			fmt.Fprintf(w, "  %-13s %d\n", k, n)
		}
	}
	for _, f := range rep.Findings {
		if f.Index >= 0 {
			fmt.Fprintf(w, "  [FAIL] entry #%d: %s\n", f.Index, f.Detail)
		} else {
			fmt.Fprintf(w, "  [FAIL] %s\n", f.Detail)
		}
	}
}

// isFlagSet reports whether the flag was given on the command line.
func isFlagSet(f *flag.FlagSet, name string) bool {
	set := false
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// runLogFetch handles "log checkpoint --url URL" (print the latest signed
// checkpoint) and "log proof --url URL --id ID" (print the inclusion proof
// JSON that `verify --log-proof FILE` reads offline).
func runLogFetch(e *env, what string, args []string) int {
	f := newFlags("log "+what, e)
	serverURL := f.String("url", "", "the server's base `URL` (required)")
	id := f.String("id", "", "the credential `ID` (log proof)")
	out := f.String("o", "", "write to `FILE` instead of standard output")
	if !parseFlags(f, args) {
		return exitBadInput
	}
	if *serverURL == "" || (what == "proof" && *id == "") {
		return fail(e, exitBadInput, "log %s: --url is required (and --id for log proof)", what)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src := tlog.HTTPSource{BaseURL: *serverURL, Client: tlog.ForOperatorURL(*serverURL, nil)}
	var body []byte
	if what == "checkpoint" {
		b, err := src.Checkpoint(ctx)
		if err != nil {
			return fail(e, exitFailed, "log checkpoint: %v", err)
		}
		body = b
	} else {
		p, err := src.CredentialInclusion(ctx, *id)
		if err != nil {
			return fail(e, exitFailed, "log proof: %v", err)
		}
		b, _ := json.MarshalIndent(p, "", "  ")
		body = append(b, '\n')
	}
	if *out != "" {
		if err := os.WriteFile(filepath.Clean(*out), body, 0o644); err != nil {
			return fail(e, exitBadInput, "log %s: %v", what, err)
		}
		return exitOK
	}
	e.stdout.Write(body)
	return exitOK
}
