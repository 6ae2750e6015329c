// Command mdiff differentiates matrix expressions: see README.md and SPEC.md.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
