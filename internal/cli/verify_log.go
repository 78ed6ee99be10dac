package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/tlog"
	"github.com/microcred/microcred/internal/verify"
)

// logVerifyFlags are verify's transparency-log flags. Without any of them
// the log is not checked.
type logVerifyFlags struct {
	url, key, proofFile string
}

func addLogVerifyFlags(fs *flag.FlagSet) *logVerifyFlags {
	f := &logVerifyFlags{}
	fs.StringVar(&f.url, "log", "", "check the credential's inclusion in the transparency log of the server at `URL` "+
		"(\"auto\": the issuer's did:web host over https)")
	fs.StringVar(&f.key, "log-key", "", "the log's verifier `KEY` (the text of /log/key), pinned; also turns on the log check")
	fs.StringVar(&f.proofFile, "log-proof", "", "check inclusion offline with the proof `FILE` (the JSON of /log/proof/inclusion, see 'microcred log proof')")
	return f
}

// options returns the verify.LogOptions the flags ask for, or nil. A log
// URL the operator typed may be on this machine or plain http; "auto" takes
// the address from the credential, so it goes through client, which
// reaches public https addresses and the --fetch-allow list only.
func (f *logVerifyFlags) options(offline bool, client *fetch.Client) (*verify.LogOptions, error) {
	if f.url == "" && f.key == "" && f.proofFile == "" {
		return nil, nil
	}
	opt := &verify.LogOptions{Key: f.key, Client: client}
	if f.url != "auto" && f.url != "" {
		opt.URL = f.url
		opt.Client = tlog.ForOperatorURL(f.url, client.Allow())
	}
	if f.proofFile != "" {
		raw, err := os.ReadFile(f.proofFile)
		if err != nil {
			return nil, fmt.Errorf("--log-proof: %w", err)
		}
		var p tlog.InclusionProof
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("--log-proof %s: not an inclusion proof: %w", f.proofFile, err)
		}
		opt.Proof = &p
		if f.key == "" {
			return nil, errors.New("--log-proof needs --log-key: a proof is only as good as the key its checkpoint is checked against")
		}
	} else if offline {
		return nil, errors.New("--offline checks the log only from a --log-proof file")
	}
	return opt, nil
}
