//go:build !(js && wasm)

package bridge_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/internal/testtool"
)

// TestUnderNode runs this package's tests compiled to WebAssembly under
// Node, with the Go toolchain's go_js_wasm_exec (wasm_exec_node.js).
func TestUnderNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package for GOOS=js GOARCH=wasm")
	}
	_, err := exec.LookPath("node")
	testtool.Need(t, "node", err == nil)
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	execWasm := filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "go_js_wasm_exec")
	cmd := exec.Command("go", "test", "-count=1", "-exec="+execWasm, ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("GOOS=js GOARCH=wasm go test -exec=%s: %v\n%s", execWasm, err, out)
	}
	t.Logf("%s", out)
}
