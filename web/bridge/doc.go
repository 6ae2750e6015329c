// Package bridge exposes the page's engine to JavaScript in the WebAssembly
// build (GOOS=js GOARCH=wasm); on other platforms it is empty.
package bridge
