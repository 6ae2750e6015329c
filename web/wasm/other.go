//go:build !(js && wasm)

// Command wasm is mdiff's engine for the static site; it is built with
// GOOS=js GOARCH=wasm (go run ./cmd/mdiff-static DIR does that).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "build this command with GOOS=js GOARCH=wasm: go run ./cmd/mdiff-static DIR")
	os.Exit(2)
}
