package verify

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/tlog"
)

// LogOptions configure the "transparency log" check: that the credential's
// issuance is an entry of the issuer's public log, included in a checkpoint
// signed by the log's key. Without LogOptions the check is left out of the
// report (a credential is not required to be logged).
type LogOptions struct {
	// Proof is an inclusion proof read from a file (the JSON of
	// /log/proof/inclusion), for offline verification. When nil the proof
	// is fetched from URL.
	Proof *tlog.InclusionProof
	// URL is the base URL of the log's server. Empty with a nil Proof means
	// the server of the issuer's did:web identifier (https://HOST).
	URL string
	// Key is the log's verifier key, pinned by the verifier. When empty it
	// is fetched from the log's server, which proves only that the server
	// is consistent with itself; the check says so.
	Key string
	// Fetch reads the log over HTTP; nil means tlog.HTTPSource through
	// Client. Tests replace it.
	Fetch func(baseURL string) LogFetcher
	// Client is the guarded outbound client the log is read through when
	// Fetch is nil; nil means fetch.Default(): a log address taken from the
	// credential must be a public https address.
	Client *fetch.Client
}

// LogFetcher is what the check needs from a log server.
type LogFetcher interface {
	Key(ctx context.Context) (string, error)
	CredentialInclusion(ctx context.Context, credentialID string) (*tlog.InclusionProof, error)
}

// checkLog adds the "transparency log" check when opt is set. document is
// the credential exactly as given (JSON bytes or compact JWT); the log
// records the hash of the stored document, which is the same bytes when
// the credential was downloaded from the issuer.
func checkLog(ctx context.Context, rep *Report, opt *LogOptions, document []byte) {
	const name = "transparency log"
	if opt == nil {
		return
	}
	id, _ := rep.Credential["id"].(string)
	if id == "" {
		rep.notChecked(name, "The public issuance log could not be consulted: the credential has no id to look up.", "no id")
		return
	}
	p := opt.Proof
	base := opt.URL
	if p == nil && base == "" {
		base = didWebOrigin(issuerID(rep.Credential))
		if base == "" {
			rep.notChecked(name, "The public issuance log could not be consulted: its address is not known.", fmt.Sprintf("no log address given and the issuer %s is not a did:web identifier to find one from", orMissing(issuerID(rep.Credential))))
			return
		}
	}
	fetch := opt.Fetch
	if fetch == nil {
		fetch = func(u string) LogFetcher { return tlog.HTTPSource{BaseURL: u, Client: opt.Client} }
	}
	if p == nil {
		var err error
		if p, err = fetch(base).CredentialInclusion(ctx, id); err != nil {
			rep.notChecked(name, "The public issuance log did not provide a record of this credential.", fmt.Sprintf("no inclusion proof from the log at %s: %s", base, netSafe(err)))
			return
		}
	}
	key, pinned := strings.TrimSpace(opt.Key), true
	if key == "" {
		if base == "" {
			rep.notChecked(name, "The issuance log record was not checked: the log's key was not given.", "a proof file needs the log's key (--log-key) to be checked against")
			return
		}
		var err error
		if key, err = fetch(base).Key(ctx); err != nil {
			rep.notChecked(name, "The public issuance log's key could not be obtained.", fmt.Sprintf("the log's key could not be fetched from %s: %s", base, netSafe(err)))
			return
		}
		pinned = false
	}
	cp, ev, err := p.Verify(key)
	if err != nil {
		rep.fail(name, "The issuance log record does not check out.", "the inclusion proof does not check: "+clean(err))
		return
	}
	if ev.Kind != tlog.KindIssue || ev.CredentialHash != tlog.HashCredentialID(id) {
		rep.fail(name, "The issuance log record is not the issuance of this credential.", fmt.Sprintf("log entry #%d records %s of credential hash %s", p.Index, ev.Kind, ev.CredentialHash))
		return
	}
	if !matchesDocument(ev.DocumentHash, document) {
		rep.fail(name, "The issuer's public log records a different document under this credential's id: this copy is not the one the issuer logged.", fmt.Sprintf("log entry #%d records a different document hash", p.Index))
		return
	}
	keyNote := "signed by the log key " + key
	if !pinned {
		keyNote = "signed by the key the log server itself published (pin it with --log-key to rule out a forged log)"
	}
	rep.pass(name, "The issuer's public issuance log records this exact credential.",
		fmt.Sprintf("entry #%d in the log of %s records this credential's issuance on %s; it is included in the checkpoint of size %d, %s",
			p.Index, cp.Origin, ev.Time.Format("2006-01-02 15:04 UTC"), cp.Size, keyNote))
}

// matchesDocument compares the logged document hash with the document as
// given, also without surrounding white space (a file saved with a final
// newline is still the same credential).
func matchesDocument(logged string, document []byte) bool {
	return logged == tlog.HashDocument(string(document)) || logged == tlog.HashDocument(string(bytes.TrimSpace(document)))
}

// didWebOrigin returns https://HOST[:PORT] for a did:web identifier, or "".
func didWebOrigin(issuer string) string {
	rest, ok := strings.CutPrefix(issuer, "did:web:")
	if !ok || rest == "" {
		return ""
	}
	host, _, _ := strings.Cut(rest, ":")
	host, err := url.PathUnescape(host)
	if err != nil || host == "" {
		return ""
	}
	return fmt.Sprintf("https://%s", host)
}
