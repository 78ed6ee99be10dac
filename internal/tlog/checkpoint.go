package tlog

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a tree head in the C2SP tlog-checkpoint format: the body
//
//	<origin>\n<tree size>\n<base64 root hash>\n
//
// signed as a C2SP signed note by the log's Ed25519 note key, whose name is
// the origin.
type Checkpoint struct {
	Origin string
	Size   int64
	Hash   sumdb.Hash
	// Note is the signed note text the checkpoint was read from or signed
	// into; empty for a checkpoint only formatted.
	Note []byte
}

// Body returns the checkpoint body (the signed text).
func (c Checkpoint) Body() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
}

// ParseCheckpointBody reads a checkpoint body. Extension lines after the
// root hash are allowed by C2SP and ignored.
func ParseCheckpointBody(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("tlog: checkpoint needs origin, size and root hash lines")
	}
	origin, sizeText, hashText := lines[0], lines[1], lines[2]
	if origin == "" {
		return Checkpoint{}, errors.New("tlog: checkpoint origin is empty")
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint size %q is not a decimal number", sizeText)
	}
	raw, err := base64.StdEncoding.DecodeString(hashText)
	if err != nil || len(raw) != sumdb.HashSize {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint root hash %q is not 32 bytes of base64", hashText)
	}
	c := Checkpoint{Origin: origin, Size: size}
	copy(c.Hash[:], raw)
	return c, nil
}

// OpenCheckpoint verifies a signed checkpoint against the log's verifier
// key (the note verifier key string published at /log/key) and returns it.
// The origin must be the key's name, so that a checkpoint of one log is
// never taken for another's.
func OpenCheckpoint(signed []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: log key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint signature: %w", err)
	}
	c, err := ParseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint of log %q signed with the key of %q", c.Origin, v.Name())
	}
	c.Note = signed
	return c, nil
}

// SignCheckpoint signs the checkpoint body with signer and returns the
// checkpoint with its note. Ed25519 signatures are deterministic, so two
// nodes signing the same tree head produce the same note.
func SignCheckpoint(c Checkpoint, signer note.Signer) (Checkpoint, error) {
	if c.Origin != signer.Name() {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint origin %q differs from key name %q", c.Origin, signer.Name())
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Body())}, signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: sign checkpoint: %w", err)
	}
	c.Note = msg
	return c, nil
}

// NewSigner returns a note signer and its verifier key string for an Ed25519
// private key under the key name. The private key is what the store keeps
// sealed; the note encoding of it never leaves this function.
func NewSigner(name string, priv ed25519.PrivateKey) (note.Signer, string, error) {
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, "", fmt.Errorf("tlog: log key name %q: %w", name, err)
	}
	// vkey is name+hash+base64(alg||public), hash being 8 hex digits; the
	// signer key string of the same key is
	// PRIVATE+KEY+name+hash+base64(alg||seed). (Base64 may contain '+'
	// itself, so the hash is cut out by position.)
	hash := vkey[len(name)+1 : len(name)+9]
	skey := "PRIVATE+KEY+" + name + "+" + hash + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{1}, priv.Seed()...))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("tlog: log key: %w", err)
	}
	return s, vkey, nil
}
