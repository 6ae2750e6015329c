// Command mdiff differentiates matrix expressions: see README.md.
package main

import (
	"os"

	"github.com/mdiff/mdiff/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
