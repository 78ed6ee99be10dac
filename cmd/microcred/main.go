// Command microcred is the micro-credential platform: it models, signs, issues
// and verifies Open Badges 3.0 credentials. All behaviour lives in internal/cli.
package main

import (
	"os"

	"github.com/microcred/microcred/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
