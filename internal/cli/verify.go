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

// exitCouldNotCheck is verify's exit code for "could not be checked":
// nothing failed, but a check that matters could not be carried out
// (unsupported format or suite, issuer or status list unreachable, offline
// without the needed document). It is not 1: scripts must not treat a
// credential a verifier could not check as a forgery.
const exitCouldNotCheck = 3

// runVerify handles "microcred verify": exit 0 when the credential is
// verified, 1 when a check failed (not verified), 3 when it could not be
// checked, 2 when the input is unusable.
func runVerify(e *env, args []string) int {
	fs := newFlags("verify", e)
	asJSON := fs.Bool("json", false, `print {"verdict":"verified|not_verified|could_not_check","checks":[{"name","state","summary","detail"}]}`)
	var docs stringList
	fs.Var(&docs, "did-doc", "a did:web DID document `FILE` to use instead of fetching it (repeatable)")
	offline := fs.Bool("offline", false, "never fetch did:web documents; only --did-doc files are used")
	var lists stringList
	fs.Var(&lists, "status-list", "a status list credential `FILE` to check credentialStatus against instead of fetching it, found by its id, or URL=FILE to give it for the URL the credential names (repeatable; needed with --offline)")
	presentation := fs.Bool("presentation", false, "the input is a Verifiable Presentation: check the holder's proof and every credential in it")
	challenge := fs.String("challenge", "", "with --presentation: the challenge the holder's proof must carry")
	domain := fs.String("domain", "", "with --presentation: the domain the holder's proof must carry")
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
		files, err := loadStatusLists(lists)
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
	// JWK Sets of https issuers come through the same guarded fetcher as
	// DID documents; offline (no fetcher), such JWTs could not be checked.
	keySets := resolver.Fetcher
	if *presentation {
		return verifyPresentation(ctx, e, data, verify.Options{Keys: resolver, KeySets: keySets, Status: checker}, verify.PresentationOptions{Challenge: *challenge, Domain: *domain}, *asJSON)
	}
	rep, err := verify.Credential(ctx, data, verify.Options{Keys: resolver, KeySets: keySets, Log: logOpt, Status: checker})
	if err != nil {
		if errors.Is(err, verify.ErrUnusable) {
			return fail(e, exitBadInput, "verify: %s", verify.Reason(err))
		}
		return fail(e, exitBadInput, "verify: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(rep)
		e.stdout.Write(append(out, '\n'))
	} else {
		printReport(e, rep)
	}
	return exitFor(rep.Verdict)
}

func exitFor(v verify.Verdict) int {
	switch v {
	case verify.Verified:
		return exitOK
	case verify.NotVerified:
		return exitFailed
	}
	return exitCouldNotCheck
}

// verifyPresentation is "microcred verify --presentation": the holder's
// proof, then each credential, each with its verdict; the exit code
// follows the overall verdict.
func verifyPresentation(ctx context.Context, e *env, data []byte, opt verify.Options, po verify.PresentationOptions, asJSON bool) int {
	rep, err := verify.Presentation(ctx, data, opt, po)
	if err != nil {
		return fail(e, exitBadInput, "verify: %s", verify.Reason(err))
	}
	if asJSON {
		out, _ := json.Marshal(rep)
		e.stdout.Write(append(out, '\n'))
		return exitFor(rep.Verdict)
	}
	w := e.stdout
	_, rest, _ := strings.Cut(rep.Verdict.Headline(), ": ")
	fmt.Fprintf(w, "%s: %s\n", verdictLabels[rep.Verdict], rest)
	fmt.Fprintln(w, "The presentation:")
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "  [%s] %s: %s\n      detail: %s\n", strings.TrimSpace(stateMarks[c.State]), c.Name, c.Summary, c.Detail)
	}
	for i, c := range rep.Credentials {
		fmt.Fprintf(w, "Credential %d of %d: ", i+1, len(rep.Credentials))
		printReport(e, c)
	}
	return exitFor(rep.Verdict)
}

// verdictLabels head the text report; the rest of the line is the
// verdict's plain-language headline.
var verdictLabels = map[verify.Verdict]string{
	verify.Verified:      "VERIFIED",
	verify.NotVerified:   "NOT VERIFIED",
	verify.CouldNotCheck: "COULD NOT BE CHECKED",
}

var stateMarks = map[verify.State]string{
	verify.Passed:     "ok     ",
	verify.Failed:     "FAILED ",
	verify.NotChecked: "NOT CHECKED",
	verify.Warning:    "warning",
}

// printReport writes the plain-language report: the verdict first, then
// each check in words with its technical detail indented below, then what
// the credential claims — labelled unverified unless it is verified.
func printReport(e *env, rep *verify.Report) {
	w := e.stdout
	_, rest, _ := strings.Cut(rep.Verdict.Headline(), ": ")
	fmt.Fprintf(w, "%s: %s\n", verdictLabels[rep.Verdict], rest)
	if rep.Format != "" {
		fmt.Fprintf(w, "Read as %s.\n", rep.Format)
	}
	for _, c := range rep.Checks {
		note := ""
		if c.Advisory {
			note = " (This does not affect the verdict.)"
		}
		fmt.Fprintf(w, "  [%s] %s: %s%s\n", strings.TrimSpace(stateMarks[c.State]), c.Name, c.Summary, note)
		fmt.Fprintf(w, "      detail: %s\n", c.Detail)
	}
	lines := verify.Describe(rep.Credential)
	if len(lines) > 0 {
		if rep.Verified {
			fmt.Fprintln(w, "What the credential says:")
		} else {
			fmt.Fprintln(w, "What the credential claims (UNVERIFIED, do not rely on it):")
		}
		for _, line := range lines {
			fmt.Fprintln(w, "  "+line)
		}
	}
	printEmbedded(e, rep)
}

// printEmbedded lists the credentials a learner record holds, each with
// its own verdict and, when not verified, the reason in plain words.
func printEmbedded(e *env, rep *verify.Report) {
	if len(rep.Embedded) == 0 {
		return
	}
	w := e.stdout
	fmt.Fprintf(w, "The credentials in this record, each checked on its own (%d):\n", len(rep.Embedded))
	for i, c := range rep.Embedded {
		by := ""
		if c.Issuer != "" {
			by = ", from " + c.Issuer
		}
		fmt.Fprintf(w, "  %d. [%s] %s%s\n", i+1, verdictLabels[c.Report.Verdict], c.Name, by)
		if p := c.Report.Problems(); len(p) > 0 {
			fmt.Fprintf(w, "      why: %s\n      detail: %s: %s\n", p[0].Summary, p[0].Name, p[0].Detail)
		}
	}
}

// loadStatusLists reads --status-list values: FILE (served for the URL
// that is the list's id) or URL=FILE (served for URL, the address the
// credential names, whatever the list's id).
func loadStatusLists(values []string) (status.Files, error) {
	files := status.Files{}
	var plain []string
	for _, v := range values {
		u, path, ok := strings.Cut(v, "=")
		if !ok || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
			plain = append(plain, v)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read status list: %w", err)
		}
		files[u] = b
	}
	if len(plain) > 0 {
		byID, err := status.LoadFiles(plain...)
		if err != nil {
			return nil, err
		}
		for k, v := range byID {
			files[k] = v
		}
	}
	return files, nil
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
