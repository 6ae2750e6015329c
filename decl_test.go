package mdiff_test

import (
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
		{"||Y - X*D||_F^2", "Y: m x n; X: m x n; D: diag n", "D"},
		{"||X*w - y||^2 + lambda*||w||^2", "X: m x n; w: n; y: m", "w"},
		{"||X*w - y||^2 + lambda*||w||^2", "X: m x n; w: n; y: m", "lambda"},
		{"x'*inv(Sigma)*x + mu*sum(x)", "Sigma: spd n x n", "Sigma"},
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
