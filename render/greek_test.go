package render

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// TestGreekNames: a spelled Greek name prints as the letter in text, as its
// macro in LaTeX, and stays spelled in ASCII (which parses back).
func TestGreekNames(t *testing.T) {
	x := ast.Var("x", ast.Vec("n"), 0)
	for _, tt := range []struct{ name, text, ascii, latex string }{
		{"lambda", "λ·x", "lambda*x", `\lambda x`},
		{"sigma2", "σ2·x", "sigma2*x", `\sigma_{2} x`},
		{"mu_0", "μ_0·x", "mu_0*x", `\mu_{0} x`},
		{"alphabet", "alphabet·x", "alphabet*x", `\mathit{alphabet} x`},
	} {
		n := ast.Mul(ast.Var(tt.name, ast.Scalar, 0), x)
		if got := Text(n, Plain()); got != tt.text {
			t.Errorf("Text(%s) = %q, want %q", ast.Dump(n), got, tt.text)
		}
		if got := ASCII(n); got != tt.ascii {
			t.Errorf("ASCII(%s) = %q, want %q", ast.Dump(n), got, tt.ascii)
		}
		if got := LaTeX(n); got != tt.latex {
			t.Errorf("LaTeX(%s) = %q, want %q", ast.Dump(n), got, tt.latex)
		}
	}
}

// TestSymbolicPower: Aᵏ (k: int) prints in every notation, and the ASCII
// parses back to the same node.
func TestSymbolicPower(t *testing.T) {
	x := ast.Var("X", ast.Mat("n", "n"), 0)
	k := ast.Var("k", ast.Scalar, ast.Integer)
	km1 := ast.Add(k, ast.Int(-1))
	for _, tt := range []struct {
		n                  *ast.Node
		text, ascii, latex string
	}{
		{ast.MatPowSym(x, k), "Xᵏ", "X^k", `X^{k}`},
		{ast.MatPowSym(ast.Transpose(x), km1), "(Xᵀ)ᵏ⁻¹", "(X')^(k - 1)", `\left(X^{\top}\right)^{k - 1}`},
		{ast.Mul(k, ast.MatPowSym(x, ast.Mul(ast.Int(2), k))), "k·X^(2·k)", "k*X^(2*k)", `k X^{2 k}`},
	} {
		if got := Text(tt.n, Plain()); got != tt.text {
			t.Errorf("Text(%s) = %q, want %q", ast.Dump(tt.n), got, tt.text)
		}
		if got := ASCII(tt.n); got != tt.ascii {
			t.Errorf("ASCII(%s) = %q, want %q", ast.Dump(tt.n), got, tt.ascii)
		}
		if got := LaTeX(tt.n); got != tt.latex {
			t.Errorf("LaTeX(%s) = %q, want %q", ast.Dump(tt.n), got, tt.latex)
		}
		src := ASCII(tt.n)
		e, err := parser.Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		prog, err := ast.Check(src, e, []ast.Decl{{Name: "X", Shape: x.Shape}, {Name: "k", Shape: ast.Scalar, Props: ast.Integer}})
		if err != nil {
			t.Fatalf("Check(%q): %v", src, err)
		}
		if prog.Root != tt.n {
			t.Errorf("Check(Parse(%q)) = %s, want %s", src, ast.Dump(prog.Root), ast.Dump(tt.n))
		}
	}
}
