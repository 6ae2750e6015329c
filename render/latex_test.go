package render

import (
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/testtool"
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

// TestLaTeXKaTeX renders every sample with KaTeX (display mode,
// throwOnError), as the evaluation harness does.
func TestLaTeXKaTeX(t *testing.T) {
	for _, e := range testtool.KaTeX(t, latexSamples(t)) {
		t.Errorf("KaTeX cannot render %s", e)
	}
}

// TestLaTeXPdflatex compiles every sample inside \[ … \] with pdflatex and
// amsmath only.
func TestLaTeXPdflatex(t *testing.T) {
	if msg := testtool.PdflatexFits(t, latexSamples(t)); msg != "" {
		t.Fatalf("pdflatex: %s", msg)
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
	if _, err := ParseFormat("html"); err == nil || !strings.Contains(err.Error(), "text, ascii, latex, numpy, torch, octave, go, json") {
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
