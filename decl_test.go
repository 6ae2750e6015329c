package mdiff_test

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mdiff/mdiff"
	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
)

// declCase is an expression whose answer depends on a declaration of SPEC
// §3 (diag, int) or on a spelled Greek name.
type declCase struct {
	src, let, wrt string
}

// TestDeclarations derives each case (which checks it numerically along
// directions that respect the declarations) and then compares the gradient
// entry by entry with finite differences taken along the basis of the
// variable's space: for a diagonal variable the E_ii only, so a gradient
// with anything off the diagonal fails.
func TestDeclarations(t *testing.T) {
	cases := []declCase{
		{"tr(A*D)", "A: n x n; D: diag n x n", "D"},
		{"x'*D*x + tr(A*D)", "A: n x n; D: diag n x n", "D"},
		{"x'*D*x", "D: diag n x n", "x"},
		{"logdet(D) + sum(log(D*ones))", "D: pos diag n x n", "D"},
		{"logdet(D) + sum(log(diag(D))) + tr(D*S)", "D: spd diag n; S: n x n", "D"},
		{"||Y - X*D||_F^2", "Y: m x n; X: m x n; D: diag n", "D"},
		{"tr(D*A*D) + sum(diag(3*D*A))", "D: diag n", "D"},
		{"sum(D) + mean(D) + sum(exp(D)) + ||D*x - y||^2", "D: diag n", "D"},
		{"sum(diag(diag(x)*A*diag(y))) + sum(diag(A*diag(x))) + sum(diag(2*x))", "", "x"},
		{"||X*w - y||^2 + lambda*||w||^2", "X: m x n; w: n; y: m", "w"},
		{"||X*w - y||^2 + lambda*||w||^2", "X: m x n; w: n; y: m", "lambda"},
		{"x'*inv(Sigma)*x + mu*sum(x)", "Sigma: spd n x n", "Sigma"},
		// Symbolic matrix powers, k drawn from 2, 3, 4.
		{"tr(X^k) + tr(X)", "X: n x n; k: int", "X"},
		{"tr(X^k)", "", "X"},
		{"tr((A*X)^k)", "A: n x n; X: n x n; k: int", "X"},
		{"tr(X^(k + 1)) - k*tr(X)", "X: sym n x n; k: int", "X"},
		{"tr(inv(X)^k)", "k: int", "X"},
		{"tr(X^(2*k - 1))", "k: int", "X"},
		{"tr(X^n)", "X: n x n", "X"}, // a size is an integer
		{"det(X^k)", "k: int", "X"},
		{"logdet(X^k) + det(X^k)", "", "X"},
		{"logdet(X'*X) + logdet((X'*X)^k)", "X: n x n", "X"},
		{"(det(A*X))^k", "k: int; A: n x n; X: n x n", "X"},
		{"tr(X^k^2) + tr(X^k*X^k) + tr(X*X^k)", "k: int", "X"},
		{"tr(inv(X^k)) + tr((X^2)^k)", "k: int", "X"},
		{"tr(X^-k) + tr(X^(k*k))", "k: int", "X"},
	}
	for _, c := range cases {
		t.Run(c.src+"/"+c.wrt, func(t *testing.T) {
			res, err := mdiff.Derive(c.src, mdiff.Options{Wrt: []string{c.wrt}, Let: []string{c.let}, Seed: 1})
			if err != nil {
				t.Fatalf("Derive: %v", err)
			}
			d := res.Derivatives[0]
			if d.Gradient == nil {
				t.Fatalf("no gradient")
			}
			rep, err := numeric.CompareGradient(d.Gradient, res.Program.Root, d.Wrt, res.Program, numeric.Options{Seed: 7})
			if err != nil {
				t.Fatalf("CompareGradient: %v", err)
			}
			if !rep.OK {
				t.Errorf("gradient %s differs from finite differences entrywise: relative error %.1e, %v", render.ASCII(d.Gradient), rep.RelErr, rep.Mismatches)
			}
			if d.Wrt.Props&ast.Diagonal != 0 {
				g, err := numeric.Eval(d.Gradient, rep.Env)
				if err != nil {
					t.Fatal(err)
				}
				offDiagonalZero(t, g)
			}
		})
	}
}

// offDiagonalZero fails unless the gradient g of a diagonal variable is
// exactly zero off the diagonal (the harness requires exact zeros).
func offDiagonalZero(t *testing.T, g *mat.Dense) {
	t.Helper()
	r, c := g.Dims()
	for i := range r {
		for j := range c {
			if i != j && g.At(i, j) != 0 {
				t.Errorf("gradient entry (%d,%d) = %g off the diagonal, want exactly 0", i+1, j+1, g.At(i, j))
				return
			}
		}
	}
}

// TestSymbolicPower_error: a symbolic power has a closed-form differential
// only inside tr, det and logdet; elsewhere it is an error under the caret.
func TestSymbolicPower_error(t *testing.T) {
	for _, tt := range []struct{ src, let, wrt, want string }{
		{"sum(X^k)", "k: int", "X", "has a closed form only inside tr, det and logdet\n  sum(X^k)\n      ^~~"},
		{"tr(A*X^k)", "", "X", "has a closed form only inside tr, det and logdet\n  tr(A*X^k)\n       ^~~"},
		{"tr(X^k)", "", "k", "k is an integer (k: int); there is no derivative with respect to it"},
		{"tr(X^t)", "t: scalar", "X", "matrix power needs an integer exponent, but t is declared \"t: scalar\" (for a symbolic power declare t: int; for an elementwise power write X.^t)\n  tr(X^t)\n       ^"},
		{"tr(X^(k/2))", "", "X", "matrix power needs an integer exponent (for an elementwise power write X.^(k/2))"},
		{"tr(X^k)", "X: n x p", "X", "matrix power needs a square matrix, but X is n×p"},
	} {
		_, err := mdiff.Derive(tt.src, mdiff.Options{Wrt: []string{tt.wrt}, Let: []string{tt.let}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Derive(%q, --let %q, --wrt %s) error = %v, want it to contain %q", tt.src, tt.let, tt.wrt, err, tt.want)
		}
	}
}
