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
	"regexp"
	"strconv"
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

// displays are the math texts of s: the contents of its \[ … \] displays
// when it has any (what the evaluation harness gives KaTeX), else s.
func displays(s string) []string {
	var out []string
	rest := s
	for {
		i := strings.Index(rest, `\[`)
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], `\]`)
		if j < 0 {
			return append(out, rest[i+2:]) // unterminated: KaTeX will say so
		}
		out = append(out, strings.TrimSpace(rest[i+2:i+j]))
		rest = rest[i+j+2:]
	}
	if out == nil {
		out = []string{s}
	}
	return out
}

// KaTeX renders each item with KaTeX (display mode, throwOnError) under node
// and returns one line per item it cannot render: the item and KaTeX's
// error. An item is LaTeX math, or a document fragment of \[ … \] displays,
// whose contents are rendered (as the evaluation harness does). Without node
// or KaTeX it calls Need.
func KaTeX(t testing.TB, items []string) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	katex := katexDir()
	Need(t, "node and KaTeX (npm install katex)", err == nil && katex != "")
	katex, _ = filepath.Abs(katex)
	dir := t.TempDir()
	var math []string
	for _, s := range items {
		math = append(math, displays(s)...)
	}
	data, _ := json.Marshal(math)
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

// Pdflatex compiles one document, a4paper article with amsmath only, holding
// every item: an item that starts with \[ (a display, as --format latex
// prints it) is pasted as it stands, any other inside \[ … \]. It returns ""
// when the document compiles cleanly; otherwise the error with the excerpt
// of pdflatex's output from the first "!" line, or one "log: …" line per
// "Missing character" or "Undefined control sequence" in the log. Without
// pdflatex it calls Need.
func Pdflatex(t testing.TB, items []string) string {
	t.Helper()
	return pdflatex(t, items, false)
}

// PdflatexFits is [Pdflatex] that also fails on every "Overfull \hbox" in
// the log: a line wider than the text width of the page (345pt, the same on
// A4 and letter paper). Each is reported with how much too wide it is and
// the item's text.
func PdflatexFits(t testing.TB, items []string) string {
	t.Helper()
	return pdflatex(t, items, true)
}

var overfull = regexp.MustCompile(`Overfull \\hbox \(([0-9.]+pt) too wide\) (?:in paragraph|detected) at lines? (\d+)`)

func pdflatex(t testing.TB, items []string, fits bool) string {
	t.Helper()
	pdflatex, err := exec.LookPath("pdflatex")
	Need(t, "pdflatex", err == nil)
	var doc strings.Builder
	doc.WriteString("\\documentclass[a4paper]{article}\n\\usepackage{amsmath}\n\\begin{document}\n")
	line := 4 // the line the next item starts on
	var starts []int
	for _, s := range items {
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, `\[`) {
			s = "\\[\n" + s + "\n\\]"
		}
		starts = append(starts, line)
		doc.WriteString(s + "\n\n")
		line += strings.Count(s, "\n") + 2
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
	logData, _ := os.ReadFile(filepath.Join(dir, "doc.log"))
	log := string(logData)
	var bad []string
	for _, b := range []string{"Missing character", "Undefined control sequence"} {
		if strings.Contains(log, b) {
			bad = append(bad, "log: "+b)
		}
	}
	if fits {
		for _, m := range overfull.FindAllStringSubmatch(log, -1) {
			at, _ := strconv.Atoi(m[2])
			k := 0
			for k+1 < len(starts) && starts[k+1] <= at {
				k++
			}
			bad = append(bad, fmt.Sprintf("log: Overfull \\hbox, %s too wide, at line %d, in\n%s", m[1], at, strings.TrimSpace(items[k])))
		}
	}
	return strings.Join(bad, "\n")
}
