package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// WasmPackage is the import path of the engine's WebAssembly command.
const WasmPackage = "github.com/mdiff/mdiff/web/wasm"

// noInline is the -gcflags pattern of the WebAssembly build: the printer
// is compiled without inlining, which keeps mdiff.wasm 220 kB smaller
// (under 8 MB) at no cost that shows — the check, not printing, is where
// the page spends its time.
const noInline = "github.com/mdiff/mdiff/render=-l"

// StaticSizes are the sizes in bytes of the WebAssembly module that
// WriteStatic wrote.
type StaticSizes struct {
	Wasm, WasmGzip int64
}

// WriteStatic writes the static site to dir: index.html (engine wasm),
// the assets, wasm_exec.js from the Go toolchain, and mdiff.wasm with its
// gzipped copy mdiff.wasm.gz, built now by goTool ("go" when empty) with
// GOOS=js GOARCH=wasm, stripped. It must run inside the mdiff module (a
// clone), since it builds WasmPackage from source.
func WriteStatic(dir, goTool string) (StaticSizes, error) {
	var sz StaticSizes
	if goTool == "" {
		goTool = "go"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sz, err
	}
	err := fs.WalkDir(Assets(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		out := filepath.Join(dir, filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := fs.ReadFile(Assets(), name)
		if err != nil {
			return err
		}
		if name == "index.html" {
			b = Page(EngineWasm)
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		return sz, err
	}
	goroot, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		return sz, fmt.Errorf("go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(goroot))
	var execJS []byte
	for _, p := range []string{filepath.Join(root, "lib", "wasm", "wasm_exec.js"), filepath.Join(root, "misc", "wasm", "wasm_exec.js")} {
		if execJS, err = os.ReadFile(p); err == nil {
			break
		}
	}
	if err != nil {
		return sz, fmt.Errorf("wasm_exec.js of the Go toolchain: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), execJS, 0o644); err != nil {
		return sz, err
	}
	wasm := filepath.Join(dir, "mdiff.wasm")
	cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags=-s -w", "-gcflags="+noInline, "-o", wasm, WasmPackage)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return sz, fmt.Errorf("building %s for GOOS=js GOARCH=wasm: %v\n%s", WasmPackage, err, stderr.String())
	}
	b, err := os.ReadFile(wasm)
	if err != nil {
		return sz, err
	}
	z := gzipBytes(b)
	if err := os.WriteFile(wasm+".gz", z, 0o644); err != nil {
		return sz, err
	}
	return StaticSizes{Wasm: int64(len(b)), WasmGzip: int64(len(z))}, nil
}
