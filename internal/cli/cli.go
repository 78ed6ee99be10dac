// Package cli implements the microcred command line: one file per verb, each
// a function that takes its arguments and standard streams and returns an
// exit code, so the verbs are testable without spawning processes.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes shared by every verb. Scripts depend on them: verify uses 1 for
// "checked and not valid" and 2 for "could not even be checked".
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
)

// env carries the standard streams into a verb.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type verb struct {
	summary string
	run     func(e *env, args []string) int
}

var verbs = map[string]verb{
	"keys":        {"manage issuer keys (keys new)", runKeys},
	"sign":        {"sign an unsigned credential read on stdin", runSign},
	"verify":      {"verify a credential (JSON or JWT) read on stdin", runVerify},
	"bench":       {"measure signing, verification, issuance, audit and impact-report performance", runBench},
	"migrate":     {"create the database or apply pending schema migrations", runMigrate},
	"catalog":     {"list the achievements of the catalog (catalog list)", runCatalog},
	"serve":       {"run the web server and the APIs", runServe},
	"demo":        {"seed a demo database and serve it", runDemo},
	"revoke":      {"revoke a credential for good (--id ID --reason TEXT)", runRevoke},
	"suspend":     {"suspend a credential until unsuspended (--id ID --reason TEXT)", runSuspend},
	"unsuspend":   {"lift a credential's suspension (--id ID --reason TEXT)", runUnsuspend},
	"renew":       {"issue a credential that replaces one (--id ID [--valid-until DATE])", runRenew},
	"credentials": {"list issued credentials with their status and public URL (credentials list)", runCredentials},
	"bulk":        {"issue credentials from a CSV file as a resumable job (bulk issue|pause|cancel|status)", runBulk},
	"log":         {"audit the transparency log, fetch checkpoints and proofs (log audit|checkpoint|proof)", runLog},
	"users":       {"list accounts, mail-free password reset links, disable or enable accounts (users list|reset-password|disable|enable)", runUsers},
	"audit":       {"a learner's pathway progress and academic credit, line by line (--learner EMAIL [--json])", runAudit},
	"pathways":    {"recompute every learner's pathway progress and issue awards (pathways recompute [--award])", runPathways},
	"bake":        {"embed a credential in a PNG or SVG badge image (--image FILE --credential FILE -o OUT)", runBake},
	"unbake":      {"print the credential baked into a PNG or SVG badge image (unbake FILE)", runUnbake},
	"backup":      {"write a consistent backup of the database to a file (--out FILE [--include-master-key])", runBackup},
	"restore":     {"restore a backup into a new data directory or an empty database (--in FILE)", runRestore},
}

// Main runs the command line with args (without the program name) and
// returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	v, ok := verbs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "microcred: unknown command %q (run 'microcred help')\n", args[0])
		return exitBadInput
	}
	return v.run(e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: microcred <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, verbs[n].summary)
	}
}

// newFlags returns a flag set that reports errors instead of exiting, so a
// bad flag yields exit code 2 with one clear line.
func newFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("microcred "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and rejects stray positional arguments. It returns
// false after printing the problem; the caller returns exitBadInput.
// Parse errors are one line; -h prints the flag list.
func parseFlags(fs *flag.FlagSet, args []string) bool {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(out, "usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		return false
	}
	if err != nil {
		fmt.Fprintf(out, "%s: %v (run '%s -h' for the flags)\n", fs.Name(), err, fs.Name())
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}

// maxInput bounds what a verb reads from stdin: a credential, even with a
// baked image in it, is far smaller; anything larger is refused, not parsed.
const maxInput = 4 << 20

// readInput reads all of r up to maxInput bytes and names the problem when
// the input is empty or too large.
func readInput(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("input is larger than %d MiB", maxInput>>20)
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, errors.New("input is empty: expected a credential on standard input")
	}
	return data, nil
}

// fail prints one line naming the problem and returns code.
func fail(e *env, code int, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintln(e.stderr, "microcred: "+strings.TrimSpace(strings.ReplaceAll(msg, "\n", " ")))
	return code
}

// printf writes to standard output. Output errors (a closed pipe) are not
// actionable for a command line tool, so they are ignored here once.
func (e *env) printf(format string, a ...any) {
	fmt.Fprintf(e.stdout, format, a...)
}
