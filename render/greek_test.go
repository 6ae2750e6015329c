package render

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
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
