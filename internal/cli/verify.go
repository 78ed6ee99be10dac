package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/verify"
	"github.com/microcred/microcred/internal/verify/ob2"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runVerify handles "microcred verify": exit 0 only when every check
// passes, 1 when the credential does not verify, 2 when the input is
// unusable.
func runVerify(e *env, args []string) int {
	fs := newFlags("verify", e)
	asJSON := fs.Bool("json", false, `print {"verified":bool,"checks":[{"name","ok","detail"}]}`)
	var docs stringList
	fs.Var(&docs, "did-doc", "a did:web DID document `FILE` to use instead of fetching it (repeatable)")
	offline := fs.Bool("offline", false, "never fetch did:web documents; only --did-doc files are used")
	var lists stringList
	fs.Var(&lists, "status-list", "a status list credential `FILE` to check credentialStatus against instead of fetching it (repeatable; needed with --offline)")
	lf := addLogVerifyFlags(fs)
	var allow *fetch.Allowlist
	addFetchAllowFlag(fs, &allow)
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	client := newFetchClient(allow)
	resolver := &did.Resolver{Documents: map[string]*did.Document{}}
	if !*offline {
		resolver.Fetcher = &did.HTTPFetcher{Client: client}
	}
	for _, path := range docs {
		raw, err := os.ReadFile(path)
		if err != nil {
			return fail(e, exitBadInput, "verify: --did-doc: %v", err)
		}
		var doc did.Document
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fail(e, exitBadInput, "verify: --did-doc %s: not a DID document: %v", path, err)
		}
		if doc.ID == "" {
			return fail(e, exitBadInput, "verify: --did-doc %s: id: required", path)
		}
		resolver.Documents[doc.ID] = &doc
	}
	data, err := readInput(e.stdin)
	if err != nil {
		return fail(e, exitBadInput, "verify: %v", err)
	}
	// A baked badge image is verified by the credential inside it.
	if bake.Format(data) != "" {
		b, err := bake.Unbake(data)
		if err != nil {
			return fail(e, exitBadInput, "verify: the %s image: %v", bake.Format(data), err)
		}
		data = b.Credential
	}
	if ob2.Detect(data) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return verifyOB2(ctx, e, data, allow, *offline, *asJSON)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	logOpt, err := lf.options(*offline, client)
	if err != nil {
		return fail(e, exitBadInput, "verify: %v", err)
	}
	// Status lists: the given files first; online, the rest over HTTP.
	// Offline without a file, a credential with credentialStatus fails the
	// status check with a detail saying so.
	var src status.LocalFirst
	if len(lists) > 0 {
		files, err := status.LoadFiles(lists...)
		if err != nil {
			return fail(e, exitBadInput, "verify: --status-list: %v", err)
		}
		src.Local = filesFirst{files}
	}
	if !*offline {
		src.Remote = &status.HTTPSource{Client: client}
	}
	var checker verify.StatusChecker
	if src.Local != nil || src.Remote != nil {
		checker = &status.Checker{Source: src}
	}
	rep, err := verify.Credential(ctx, data, verify.Options{Keys: resolver, Log: logOpt, Status: checker})
	if err != nil {
		if errors.Is(err, verify.ErrUnusable) {
			return fail(e, exitBadInput, "verify: %v", err)
		}
		return fail(e, exitBadInput, "verify: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(rep)
		e.stdout.Write(append(out, '\n'))
	} else {
		printReport(e, rep)
	}
	if !rep.Verified {
		return exitFailed
	}
	return exitOK
}

// printReport writes the plain-language report: the verdict first, then
// each check, then what the credential says.
func printReport(e *env, rep *verify.Report) {
	w := e.stdout
	if rep.Verified {
		fmt.Fprintln(w, "VERIFIED: this credential is genuine, unaltered and currently valid.")
	} else {
		fmt.Fprintln(w, "NOT VERIFIED: do not rely on this credential.")
	}
	for _, c := range rep.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  [%s] %s: %s\n", mark, c.Name, c.Detail)
	}
	for _, line := range verify.Describe(rep.Credential) {
		fmt.Fprintln(w, line)
	}
}

// filesFirst answers from the given list files and reports other URLs as
// not local, so that LocalFirst falls through to HTTP for them.
type filesFirst struct{ files status.Files }

func (f filesFirst) Fetch(ctx context.Context, url, etag string) (status.Fetched, error) {
	if _, ok := f.files[url]; !ok {
		return status.Fetched{}, status.ErrNotLocal
	}
	return f.files.Fetch(ctx, url, etag)
}
