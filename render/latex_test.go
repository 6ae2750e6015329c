package render

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
)

func TestLatexName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"X", "X"},
		{"W1", "W_{1}"},
		{"W12", "W_{12}"},
		{"λ", `\lambda`},
		{"Ω", `\Omega`},
		{"λ2", `\lambda_{2}`},
		{"lambda", `\lambda`},
		{"Alpha", `\mathrm{A}`},
		{"Α", `\mathrm{A}`},
		{"x_hat", `x_{\mathrm{hat}}`},
		{"x_1", `x_{1}`},
		{"x_i", `x_{i}`},
		{"a_b_c", `a_{\mathrm{b\_c}}`},
		{"xy", `\mathit{xy}`},
		{"Xtr2", `\mathit{Xtr}_{2}`},
		{"é", `\mathit{u00E9}`},
		{"aλ", `\mathit{a\lambda}`},
	}
	for _, tc := range tests {
		if got := latexName(tc.in); got != tc.want {
			t.Errorf("latexName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLatexText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"chain rule", `\text{chain rule}`},
		{"d(AB) = dA·B + A·dB", `\text{d(AB) = dA}\cdot \text{B + A}\cdot \text{dB}`},
		{"d X⁻¹ = −X⁻¹ dX X⁻¹", `\text{d X}{}^{-1}\text{ = }-\text{X}{}^{-1}\text{ dX X}{}^{-1}`},
		{"⟨A, Δ⟩ $&#%_{}", `\langle \text{A, }\Delta \rangle \text{ \$\&\#\%\_}\{\}`},
		{"x₁₂ ☃", `\text{x}{}_{12}\text{ ?}`},
	}
	for _, tc := range tests {
		if got := latexText(tc.in); got != tc.want {
			t.Errorf("latexText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// latexSamples is every LaTeX string the tests can produce: the print
// cases, odd names and rules, and every document.
func latexSamples(t *testing.T) []string {
	var out []string
	for _, tc := range printCases {
		out = append(out, tc.latex)
	}
	for _, name := range []string{"x_hat", "a_b_c", "é", "Xtr2", "Alpha", "omicron", "ϑ"} {
		out = append(out, latexName(name)+"^{\\top}")
	}
	out = append(out, latexText(`d(AB) = dA·B + A·dB, ⟨A, B⟩ = tr(AᵀB) ~ ^ \ | < > "q" ☃ x₁`))
	for _, c := range docCases() {
		var sb strings.Builder
		if err := WriteLaTeX(&sb, c.r); err != nil {
			t.Fatal(err)
		}
		out = append(out, sb.String())
	}
	return out
}

// katexDir finds the katex package: $MDIFF_KATEX, or node_modules/katex in
// this directory or a parent (where .ci/run installs it).
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

// TestLaTeXKaTeX renders every sample with KaTeX (display mode,
// throwOnError), as the evaluation harness does.
func TestLaTeXKaTeX(t *testing.T) {
	node, err := exec.LookPath("node")
	katex := katexDir()
	needTool(t, "node and KaTeX (npm install katex)", err == nil && katex != "")
	katex, _ = filepath.Abs(katex)
	dir := t.TempDir()
	data, _ := json.Marshal(latexSamples(t))
	items, script := filepath.Join(dir, "items.json"), filepath.Join(dir, "check.js")
	if err := os.WriteFile(items, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(katexScript), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, script, katex, items).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var errs []string
	if err := json.Unmarshal(out, &errs); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	for _, e := range errs {
		t.Errorf("KaTeX cannot render %s", e)
	}
}

// TestLaTeXPdflatex compiles every sample inside \[ … \] with pdflatex and
// amsmath only.
func TestLaTeXPdflatex(t *testing.T) {
	pdflatex, err := exec.LookPath("pdflatex")
	needTool(t, "pdflatex", err == nil)
	var doc strings.Builder
	doc.WriteString("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n")
	for _, s := range latexSamples(t) {
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
		t.Fatalf("pdflatex: %v\n%s", err, log)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "doc.log"))
	for _, bad := range []string{"Missing character", "Undefined control sequence"} {
		if strings.Contains(string(log), bad) {
			t.Errorf("pdflatex log: %s", bad)
		}
	}
}

// TestWriteLaTeX_noCheck checks that the check stays out of LaTeX.
func TestWriteLaTeX_noCheck(t *testing.T) {
	r := docCases()[0].r
	var sb strings.Builder
	if err := WriteLaTeX(&sb, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sb.String(), "checked") {
		t.Errorf("WriteLaTeX wrote the check:\n%s", sb.String())
	}
	if got, want := CheckLine(r.Check, Plain()), "✓ checked numerically: relative error 2e-11"; got != want {
		t.Errorf("CheckLine = %q, want %q", got, want)
	}
	if got := CheckLine(nil, Plain()); got != "" {
		t.Errorf("CheckLine(nil) = %q", got)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if g, err := ParseFormat(string(f)); err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, g, err)
		}
	}
	for f, want := range map[Format]bool{FormatText: true, FormatASCII: true, FormatJSON: true, FormatLaTeX: false, FormatNumPy: false} {
		if got := f.ReportsCheck(); got != want {
			t.Errorf("%s.ReportsCheck() = %v, want %v", f, got, want)
		}
	}
	if _, err := ParseFormat("html"); err == nil || !strings.Contains(err.Error(), "text, ascii, latex, numpy, json") {
		t.Errorf("ParseFormat(html) error = %v", err)
	}
	var sb strings.Builder
	if err := Write(&sb, &ast.Result{}, FormatText, TextOptions{}); err == nil {
		t.Errorf("Write of an empty result succeeded")
	}
	if err := Write(&sb, nil, FormatJSON, TextOptions{}); err == nil {
		t.Errorf("Write of a nil result succeeded")
	}
}
