// Package web is mdiff's web page (SPEC §6): the page, its script and style
// and KaTeX with its fonts, embedded in the binary, and the HTTP handler of
// mdiff serve, which answers the page's questions by calling the facade
// through package web/engine. The static site (WriteStatic) is the same page
// with the engine compiled to WebAssembly (package web/wasm) instead.
//
// The page loads nothing from another origin: every asset is served from
// Assets, and the page's Content-Security-Policy says so to the browser.
package web

import (
	"bytes"
	"embed"
	"io/fs"
)

//go:embed assets
var assets embed.FS

// Assets is the page's files: index.html, app.js, worker.js, style.css and
// katex/ (KaTeX's minified script and style, its woff2 fonts and LICENSE).
func Assets() fs.FS {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic("web.Assets: " + err.Error()) // cannot happen: the directory is embedded
	}
	return sub
}

// Engine says where the page computes its answers.
type Engine string

const (
	EngineServer Engine = "server" // POST api/answer to mdiff serve
	EngineWasm   Engine = "wasm"   // mdiff.wasm in a Web Worker (the static site)
)

// Page returns index.html for engine e.
func Page(e Engine) []byte {
	b, err := fs.ReadFile(Assets(), "index.html")
	if err != nil {
		panic("web.Page: " + err.Error()) // cannot happen: index.html is embedded
	}
	return bytes.Replace(b, []byte(`data-engine="wasm"`), []byte(`data-engine="`+string(e)+`"`), 1)
}
