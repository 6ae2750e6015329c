// Command mdiff-static writes mdiff's web page as a static site: index.html,
// the assets (KaTeX included), wasm_exec.js and mdiff.wasm (built now with
// the Go toolchain) with mdiff.wasm.gz. Serve the folder with any static
// file server, e.g. python3 -m http.server -d DIR.
//
//	go run ./cmd/mdiff-static DIR
package main

import (
	"fmt"
	"os"

	"github.com/mdiff/mdiff/web"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" || os.Args[1][0] == '-' {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/mdiff-static DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	sz, err := web.WriteStatic(dir, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mdiff-static:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: mdiff.wasm %.1f MB (%.2f MB gzipped, mdiff.wasm.gz)\n", dir, float64(sz.Wasm)/1e6, float64(sz.WasmGzip)/1e6)
	fmt.Printf("serve it with any static file server, e.g.: python3 -m http.server -b 127.0.0.1 -d %s 8000\n", dir)
}
