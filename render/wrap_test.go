package render

import (
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/internal/testtool"
)

// terminalWidths are the widths the wrapping is tested at: from 40 columns
// up, a line never runs past the terminal's edge and never breaks a token.
var terminalWidths = []int{40, 60, 100}

// TestWrapWidths prints every document case, text and ASCII, at 40, 60 and
// 100 columns and checks each against the unwrapped print.
func TestWrapWidths(t *testing.T) {
	for _, c := range docCases() {
		for _, f := range []Format{FormatText, FormatASCII} {
			var flat strings.Builder
			if err := Write(&flat, c.r, f, TextOptions{Theme: Plain()}); err != nil {
				t.Fatal(err)
			}
			for _, w := range terminalWidths {
				var sb strings.Builder
				if err := Write(&sb, c.r, f, TextOptions{Theme: Plain(), Width: w}); err != nil {
					t.Fatal(err)
				}
				for _, p := range testtool.WrapProblems(flat.String(), sb.String(), w) {
					t.Errorf("%s --format %s at %d columns: %s\n%s", c.name, f, w, p, sb.String())
				}
			}
		}
	}
}

// TestWrapNeverSplitsAToken wraps long lines of long names at every width
// from 40 to 100: names, declarations and words stay whole.
func TestWrapNeverSplitsAToken(t *testing.T) {
	lambda := ast.Var("lambda", ast.Scalar, 0)
	weights := ast.Var("weights", ast.Vec("p"), ast.Positive)
	Sigma := ast.Var("Sigma", ast.Mat("p", "p"), ast.PosDef|ast.Symmetric)
	obs := ast.Var("observations", ast.Vec("p"), 0)
	sum := ast.Add(ast.Mul(lambda, Sigma, weights), ast.Mul(ast.Int(3), lambda, obs), ast.Hadamard(weights, obs), ast.Mul(Sigma, Sigma, Sigma, obs))
	f := ast.Inner(weights, ast.Mul(Sigma, weights))
	r := &ast.Result{
		Program:     &ast.Program{Root: f, Vars: []*ast.Node{lambda, weights, Sigma, obs}, Funcs: []string{"activation"}},
		Derivatives: []ast.Derivative{{Wrt: weights, Gradient: ast.Add(sum, ast.Mul(Sigma, sum))}},
		Check:       &ast.Verification{OK: true, RelErr: 1e-12, Note: "g(t) = sin(t) + t²/2 stands in for each generic function"},
	}
	for _, f := range []Format{FormatText, FormatASCII} {
		var flat strings.Builder
		if err := Write(&flat, r, f, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flat.String(), "sym") && !strings.Contains(flat.String(), "spd") {
			t.Errorf("--format %s: the header does not show Sigma's kind:\n%s", f, flat.String())
		}
		for w := 40; w <= 100; w++ {
			var sb strings.Builder
			if err := Write(&sb, r, f, TextOptions{Width: w}); err != nil {
				t.Fatal(err)
			}
			for _, p := range testtool.WrapProblems(flat.String(), sb.String(), w) {
				t.Errorf("--format %s at %d columns: %s\n%s", f, w, p, sb.String())
			}
		}
	}
}

// TestWrapProblemsCatches plants the two faults: a row that overflows and a
// token broken across rows.
func TestWrapProblemsCatches(t *testing.T) {
	flat := "f(x) = lambda·x   x ∈ ℝ^{n}, lambda ∈ ℝ\n"
	if p := testtool.WrapProblems(flat, "f(x) = lambda·x\n       x ∈ ℝ^{n}, lambda ∈ ℝ\n", 40); p != nil {
		t.Errorf("a good wrap is reported: %v", p)
	}
	if p := testtool.WrapProblems(flat, "f(x) = lambda·x   x ∈ ℝ^{n}, lambd\na ∈ ℝ\n", 40); len(p) == 0 {
		t.Errorf("lambd / a is not reported")
	}
	if p := testtool.WrapProblems(flat, flat, 30); len(p) == 0 {
		t.Errorf("a 40-column row at width 30 is not reported")
	}
	if p := testtool.WrapProblems(flat, "f(x) = lambda\n", 40); len(p) == 0 {
		t.Errorf("lost text is not reported")
	}
}

// TestHeaderKinds: every declaration shows its kind in every notation.
func TestHeaderKinds(t *testing.T) {
	S := ast.Var("S", ast.Mat("n", "n"), ast.Symmetric)
	P := ast.Var("P", ast.Mat("n", "n"), ast.PosDef|ast.Symmetric)
	w := ast.Var("w", ast.Vec("n"), ast.Positive)
	f := ast.Inner(w, ast.Mul(ast.Add(S, P), w))
	r := &ast.Result{
		Program:     &ast.Program{Root: f, Vars: []*ast.Node{S, P, w}, Funcs: []string{"g"}},
		Derivatives: []ast.Derivative{{Wrt: w, Gradient: ast.Mul(ast.Int(2), ast.Add(S, P), w)}},
	}
	want := map[Format][]string{
		FormatText:  {"S ∈ ℝ^{n×n} sym", "P ∈ ℝ^{n×n} spd", "w ∈ ℝ^{n} pos", "g: ℝ → ℝ"},
		FormatASCII: {"S in R^{n x n} sym", "P in R^{n x n} spd", "w in R^{n} pos", "g: R -> R"},
		FormatLaTeX: {`S \in \mathbf{R}^{n\times n}\ \text{sym}`, `P \in \mathbf{R}^{n\times n}\ \text{spd}`, `w \in \mathbf{R}^{n}\ \text{pos}`, `g\colon \mathbf{R} \to \mathbf{R}`},
	}
	for f, subs := range want {
		var sb strings.Builder
		if err := Write(&sb, r, f, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, s := range subs {
			if !strings.Contains(sb.String(), s) {
				t.Errorf("--format %s lacks %q:\n%s", f, s, sb.String())
			}
		}
	}
}
