package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/microcred/microcred/internal/bake"
)

// maxImage bounds a badge image read by bake and unbake.
const maxImage = 16 << 20

// runBake handles "microcred bake --image FILE --credential FILE -o OUT
// [--version 3|2]": the image with the credential embedded, as Open Badges
// baking defines it for PNG and SVG.
func runBake(e *env, args []string) int {
	fs := newFlags("bake", e)
	imagePath := fs.String("image", "", "the badge image `FILE`, PNG or SVG (required)")
	credPath := fs.String("credential", "", "the credential `FILE`: JSON with an embedded proof, or a compact JWT (required)")
	out := fs.String("o", "", "write the baked image to `FILE` (required)")
	version := fs.String("version", "", "bake as Open Badges `3` or 2 (default: 2 for an Open Badges 2.0 assertion, 3 otherwise)")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *imagePath == "" || *credPath == "" || *out == "" {
		return fail(e, exitBadInput, "bake: --image, --credential and -o are required")
	}
	v := bake.Auto
	switch *version {
	case "":
	case "3":
		v = bake.OB3
	case "2":
		v = bake.OB2
	default:
		return fail(e, exitBadInput, "bake: --version %q is not 3 or 2", *version)
	}
	img, err := readFileLimited(*imagePath, maxImage)
	if err != nil {
		return fail(e, exitBadInput, "bake: --image: %v", err)
	}
	cred, err := readFileLimited(*credPath, bake.MaxCredentialBytes)
	if err != nil {
		return fail(e, exitBadInput, "bake: --credential: %v", err)
	}
	baked, err := bake.Bake(img, cred, v)
	switch {
	case errors.Is(err, bake.ErrBadCredential):
		return fail(e, exitBadInput, "bake: --credential %s: %v", *credPath, err)
	case err != nil:
		return fail(e, exitBadInput, "bake: --image %s: %v", *imagePath, err)
	}
	if err := os.WriteFile(*out, baked, 0o644); err != nil {
		return fail(e, exitFailed, "bake: -o: %v", err)
	}
	return exitOK
}

// runUnbake handles "microcred unbake FILE": prints the credential baked
// into a PNG or SVG exactly as it was baked.
func runUnbake(e *env, args []string) int {
	fs := newFlags("unbake", e)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return fail(e, exitBadInput, "unbake: %v (usage: microcred unbake FILE)", err)
	}
	if fs.NArg() != 1 {
		return fail(e, exitBadInput, "unbake: expected one image FILE (usage: microcred unbake FILE)")
	}
	path := fs.Arg(0)
	img, err := readFileLimited(path, maxImage)
	if err != nil {
		return fail(e, exitBadInput, "unbake: %v", err)
	}
	b, err := bake.Unbake(img)
	if err != nil {
		return fail(e, exitBadInput, "unbake: %s: %v", path, err)
	}
	e.stdout.Write(b.Credential)
	return exitOK
}

// readFileLimited reads a file of at most limit bytes.
func readFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, limit>>20)
	}
	return data, nil
}
