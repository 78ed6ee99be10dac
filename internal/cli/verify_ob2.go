package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/verify/ob2"
)

// verifyOB2 verifies an Open Badges 2.0 assertion (JSON, signed JWS, or a
// hosted assertion's URL) and prints the result: exit 0 verified, 1 not
// verified, 3 could not be checked.
func verifyOB2(ctx context.Context, e *env, data []byte, allow *fetch.Allowlist, offline, asJSON bool) int {
	opt := ob2.Options{Offline: offline, Fetch: fetch.New(fetch.Config{Allow: allow, AllowHTTP: true})}
	res, err := ob2.Verify(ctx, data, opt)
	if err != nil {
		return fail(e, exitBadInput, "verify: %v", err)
	}
	if asJSON {
		out, _ := json.Marshal(struct {
			Verdict  ob2.Verdict `json:"verdict"`
			Verified bool        `json:"verified"`
			Format   string      `json:"format"`
			*ob2.Result
		}{res.Verdict, res.Verdict == ob2.Verified, "Open Badges 2.0 (" + res.Method + ")", res})
		e.stdout.Write(append(out, '\n'))
	} else {
		switch res.Verdict {
		case ob2.Verified:
			fmt.Fprintln(e.stdout, "VERIFIED: this Open Badges 2.0 badge is genuine, unaltered and currently valid.")
		case ob2.NotVerified:
			fmt.Fprintln(e.stdout, "NOT VERIFIED: do not rely on this badge.")
		default:
			fmt.Fprintln(e.stdout, "COULD NOT BE CHECKED: nothing shows this badge is false, but it could not be confirmed.")
		}
		for _, c := range res.Checks {
			mark := map[ob2.Status]string{ob2.Passed: "ok  ", ob2.Failed: "FAIL", ob2.Skipped: " -- "}[c.Status]
			fmt.Fprintf(e.stdout, "  [%s] %s: %s (%s)\n", mark, c.Name, c.Meaning, c.Detail)
		}
	}
	switch res.Verdict {
	case ob2.Verified:
		return exitOK
	case ob2.NotVerified:
		return exitFailed
	default:
		return exitCouldNotCheck
	}
}
