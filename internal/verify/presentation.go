package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/proof"
)

// MaxPresentedCredentials bounds the credentials one presentation may
// carry; each costs a full verification.
const MaxPresentedCredentials = 32

// PresentationOptions are what the verifier asked the holder to sign: the
// challenge (a nonce against replay) and the domain (the verifier). When
// set, the holder's proof must carry exactly these values.
type PresentationOptions struct {
	Challenge string
	Domain    string
}

// PresentationReport is the outcome of verifying a Verifiable
// Presentation: the holder's proof and each embedded credential.
type PresentationReport struct {
	Verdict  Verdict `json:"verdict"`
	Verified bool    `json:"verified"`
	Summary  string  `json:"summary"`
	// Checks are the presentation's own checks (holder proof, holder).
	Checks []Check `json:"checks"`
	// PresentationVerdict is the verdict on the presentation's own checks.
	PresentationVerdict Verdict `json:"presentationVerdict"`
	// Credentials are the reports of the embedded credentials, in order.
	Credentials []*Report `json:"credentials"`

	own *Report
}

// PresentationProblems returns the presentation's own checks that failed
// or could not be carried out (see Report.Problems).
func (r *PresentationReport) PresentationProblems() []Check {
	if r.own == nil {
		return nil
	}
	return r.own.Problems()
}

// Presentation verifies a Verifiable Presentation given as a JSON object:
// the holder's Data Integrity proof (purpose authentication, with the
// challenge and domain of po when set) made by the holder it names, and
// every embedded credential with Credential. The verdict is the worst of
// the presentation's and its credentials': not verified when any check of
// any of them failed, could not check when any could not be carried out.
func Presentation(ctx context.Context, data []byte, opt Options, po PresentationOptions) (*PresentationReport, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	if opt.Keys == nil {
		opt.Keys = &did.Resolver{}
	}
	doc, err := DecodeDocument(bytes.TrimSpace(data))
	if err != nil {
		return nil, unusable("%v", err)
	}
	if !contains(stringsOf(doc["type"]), "VerifiablePresentation") {
		return nil, unusable(`type must include "VerifiablePresentation"`)
	}
	raw, err := presentedCredentials(doc["verifiableCredential"])
	if err != nil {
		return nil, err
	}
	pres := &Report{Credential: doc}
	holder, _ := doc["holder"].(string)
	if h, ok := doc["holder"].(map[string]any); ok {
		holder, _ = h["id"].(string)
	}
	if _, signed := doc["proof"]; !signed && po.Challenge == "" && po.Domain == "" {
		pres.warn("holder proof", "The presentation is not signed by its holder, so it does not show who presents these credentials; each credential is still checked on its own.",
			"no proof on the presentation (none was requested: no challenge or domain)")
	} else {
		signers := checkProofs(ctx, pres, doc, opt.Keys, proof.VerifyOptions{
			ProofPurpose: "authentication", Challenge: po.Challenge, Domain: po.Domain, Now: now,
		}, "holder")
		renameChecks(pres, "proof", "holder proof")
		for i := range pres.Checks {
			c := &pres.Checks[i]
			c.Summary = strings.ReplaceAll(strings.ReplaceAll(c.Summary, "The credential", "The presentation"), "the credential", "the presentation")
		}
		switch {
		case len(signers) == 0:
		case holder == "":
			pres.warn("holder", "The presentation does not name its holder; it was signed with the key "+shortVM(signers[0])+".", "no holder property")
		default:
			ok := false
			for _, vm := range signers {
				ok = ok || controllerOf(vm) == holder
			}
			if ok {
				pres.pass("holder", "It was signed by the holder it names, "+holder+".", "signed by "+strings.Join(signers, ", "))
			} else {
				pres.fail("holder", "It was signed by someone other than the holder it names.", fmt.Sprintf("holder is %s; signed by %s", holder, strings.Join(signers, ", ")))
			}
		}
	}
	pres.finish()
	out := &PresentationReport{Checks: pres.Checks, PresentationVerdict: pres.Verdict, Credentials: []*Report{}, own: pres}
	worst := pres.Verdict
	for i, c := range raw {
		rep, err := Credential(ctx, c, opt)
		if err != nil {
			rep = &Report{}
			rep.fail("format", "This credential cannot be read.", fmt.Sprintf("verifiableCredential[%d]: %s", i, Reason(err)))
			rep.finish()
		}
		out.Credentials = append(out.Credentials, rep)
		worst = worse(worst, rep.Verdict)
	}
	out.Verdict = worst
	out.Verified = worst == Verified
	out.Summary = worst.Headline()
	return out, nil
}

func renameChecks(rep *Report, from, to string) {
	for i := range rep.Checks {
		if rest, ok := strings.CutPrefix(rep.Checks[i].Name, from); ok {
			rep.Checks[i].Name = to + rest
		}
	}
}

func worse(a, b Verdict) Verdict {
	rank := map[Verdict]int{Verified: 0, CouldNotCheck: 1, NotVerified: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// presentedCredentials returns the embedded credentials as the bytes
// Credential reads: a JSON object, a compact JWT string, or an
// EnvelopedVerifiableCredential whose id is a data: URL carrying a JWT.
func presentedCredentials(v any) ([][]byte, error) {
	var list []any
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		list = t
	default:
		list = []any{t}
	}
	if len(list) > MaxPresentedCredentials {
		return nil, unusable("verifiableCredential: %d credentials, at most %d are accepted", len(list), MaxPresentedCredentials)
	}
	out := make([][]byte, 0, len(list))
	for i, x := range list {
		switch c := x.(type) {
		case string:
			if tok, ok := envelopedJWT(c); ok {
				c = tok
			}
			out = append(out, []byte(c))
		case map[string]any:
			if contains(stringsOf(c["type"]), "EnvelopedVerifiableCredential") {
				id, _ := c["id"].(string)
				tok, ok := envelopedJWT(id)
				if !ok {
					return nil, unusable("verifiableCredential[%d]: an EnvelopedVerifiableCredential must have an id of the form data:application/vc+jwt,TOKEN", i)
				}
				out = append(out, []byte(tok))
				continue
			}
			b, err := json.Marshal(c)
			if err != nil {
				return nil, unusable("verifiableCredential[%d] cannot be encoded", i)
			}
			out = append(out, b)
		default:
			return nil, unusable("verifiableCredential[%d] must be a credential object or a JWT string", i)
		}
	}
	return out, nil
}

// envelopedJWT reads the token of a data: URL such as
// data:application/vc+jwt,eyJ... (VC-JOSE-COSE enveloping).
func envelopedJWT(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, "data:")
	if !ok {
		return "", false
	}
	media, tok, ok := strings.Cut(rest, ",")
	if !ok || strings.Contains(media, "base64") || !strings.Contains(media, "jwt") {
		return "", false
	}
	tok, err := url.PathUnescape(tok)
	return tok, err == nil && tok != ""
}
