// Package testtool holds helpers for tests that need external tools —
// python3 with numpy, node with KaTeX, pdflatex. A missing tool skips the
// test, except under CI=true (where .ci/run installs the tools), where it
// fails the test.
package testtool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Need skips the test when ok is false (what, a tool it needs, is missing),
// except under CI=true, where a missing tool is a failure.
func Need(t testing.TB, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not available (CI installs it: see .ci/run)", what)
	}
	t.Skipf("%s is not available", what)
}

// pythonWithNumPy is a python3 that imports numpy (the one on PATH, or
// Debian's), or "".
var pythonWithNumPy = sync.OnceValue(func() string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			return p
		}
	}
	return ""
})

// Python returns a python3 that imports numpy: python3 on PATH, then
// /usr/bin/python3. Without one it calls Need.
func Python(t testing.TB) string {
	t.Helper()
	py := pythonWithNumPy()
	Need(t, "python3 with numpy", py != "")
	return py
}

// katexDir finds the katex package: $MDIFF_KATEX, or node_modules/katex in
// the working directory or a parent (where .ci/run installs it).
func katexDir() string {
	if d := os.Getenv("MDIFF_KATEX"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "katex", "package.json")); err == nil {
			return filepath.Join(dir, "node_modules", "katex")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

const katexScript = `
const katex = require(process.argv[2]);
const items = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const errs = [];
for (const s of items) {
  try { katex.renderToString(s, {throwOnError: true, displayMode: true}); }
  catch (e) { errs.push(s + '\n  => ' + String(e.message || e).split('\n')[0]); }
}
process.stdout.write(JSON.stringify(errs));
`

// KaTeX renders each item with KaTeX (display mode, throwOnError) under node
// and returns one line per item it cannot render: the item and KaTeX's
// error. Without node or KaTeX it calls Need.
func KaTeX(t testing.TB, items []string) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	katex := katexDir()
	Need(t, "node and KaTeX (npm install katex)", err == nil && katex != "")
	katex, _ = filepath.Abs(katex)
	dir := t.TempDir()
	data, _ := json.Marshal(items)
	itemsPath, script := filepath.Join(dir, "items.json"), filepath.Join(dir, "check.js")
	if err := os.WriteFile(itemsPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(katexScript), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(node, script, katex, itemsPath)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var errs []string
	if err := json.Unmarshal(out, &errs); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	return errs
}

// Pdflatex compiles one document, article with amsmath only, holding every
// item inside \[ … \]. It returns "" when the document compiles cleanly;
// otherwise the error with the excerpt of pdflatex's output from the first
// "!" line, or one "log: …" line per "Missing character" or "Undefined
// control sequence" in the log. Without pdflatex it calls Need.
func Pdflatex(t testing.TB, items []string) string {
	t.Helper()
	pdflatex, err := exec.LookPath("pdflatex")
	Need(t, "pdflatex", err == nil)
	var doc strings.Builder
	doc.WriteString("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n")
	for _, s := range items {
		doc.WriteString("\\[\n" + strings.TrimSpace(s) + "\n\\]\n")
	}
	doc.WriteString("\\end{document}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "doc.tex"), []byte(doc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log := string(out)
		if i := strings.Index(log, "\n!"); i >= 0 {
			log = log[i:min(len(log), i+800)]
		}
		return fmt.Sprintf("%v\n%s", err, log)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "doc.log"))
	var bad []string
	for _, b := range []string{"Missing character", "Undefined control sequence"} {
		if strings.Contains(string(log), b) {
			bad = append(bad, "log: "+b)
		}
	}
	return strings.Join(bad, "\n")
}
