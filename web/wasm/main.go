//go:build js && wasm

// Command wasm is mdiff's engine for the static site, built with
// GOOS=js GOARCH=wasm by cmd/mdiff-static: it registers mdiffAnswer (see
// package web/bridge) and waits for calls.
package main

import "github.com/mdiff/mdiff/web/bridge"

func main() {
	bridge.Register()
	select {}
}
