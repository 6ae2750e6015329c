// Command mdiff differentiates matrix expressions: see README.md.
package main

import (
	"os"
	"runtime/debug"

	"github.com/mdiff/mdiff/internal/cli"
)

// gcPercent and memoryLimit tune the garbage collector for a short-lived
// process whose heap is mostly the hash-consed nodes of one answer: a
// collection every 5× growth instead of every 2× costs a quarter less CPU
// on wide input (a sum of 10 000 traces), and the soft limit keeps memory
// bounded all the same. GOGC and GOMEMLIMIT, when set, win.
const (
	gcPercent   = 400
	memoryLimit = 1 << 30
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
