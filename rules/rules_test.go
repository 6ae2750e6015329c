package rules_test

import (
	"github.com/mdiff/mdiff"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/rules"
	"github.com/mdiff/mdiff/simplify"
)

func program(t testing.TB, src, let string) *ast.Program {
	t.Helper()
	p, err := mdiff.Parse(src, []string{let})
	if err != nil {
		t.Fatalf("Parse(%q, %q): %v", src, let, err)
	}
	return p
}

// ruleCases exercise one differentiation rule each (RULES.md, one row per case).
var ruleCases = []struct {
	name, src, let, wrt string
}{
	{"add", "X + A", "X: n x p; A: n x p", "X"},
	{"sub", "A - X", "X: n x p; A: n x p", "X"},
	{"neg", "-X", "X: n x p", "X"},
	{"matmul-left", "A*X", "A: m x n; X: n x p", "X"},
	{"matmul-right", "X*B", "X: n x p; B: p x q", "X"},
	{"matmul-both", "X*A*X", "X: n x n; A: n x n", "X"},
	{"scalar-times", "a*X", "a: scalar; X: n x p", "a"},
	{"scalar-times-matrix", "a*X", "a: scalar; X: n x p", "X"},
	{"div-scalar", "X / t", "t: pos scalar; X: n x p", "t"},
	{"hadamard", "X .* A", "X: n x p; A: n x p", "X"},
	{"quotient-num", "X ./ B", "X: n x p; B: pos n x p", "X"},
	{"quotient-den", "A ./ X", "X: pos n x p; A: n x p", "X"},
	{"transpose", "X'", "X: n x p", "X"},
	{"inverse", "inv(X)", "X: n x n", "X"},
	{"matpow", "X^3", "X: n x n", "X"},
	{"matpow-neg", "X^-2", "X: n x n", "X"},
	{"epow-const", "X .^ 3", "X: n x p", "X"},
	{"epow-var-exp", "X .^ t", "X: pos n x p; t: scalar", "t"},
	{"epow-var-base", "X .^ t", "X: pos n x p; t: scalar", "X"},
	{"scalar-power", "t^p", "t: pos scalar; p: scalar", "p"},
	{"exp", "exp(X)", "X: n x p", "X"},
	{"log", "log(X)", "X: pos n x p", "X"},
	{"sin", "sin(X)", "X: n x p", "X"},
	{"cos", "cos(X)", "X: n x p", "X"},
	{"tanh", "tanh(X)", "X: n x p", "X"},
	{"sigmoid", "sigmoid(X)", "X: n x p", "X"},
	{"sqrt", "sqrt(X)", "X: pos n x p", "X"},
	{"abs", "abs(X)", "X: n x p", "X"},
	{"relu", "relu(X)", "X: n x p", "X"},
	{"generic", "g(X)", "X: n x p; g: func", "X"},
	{"generic-prime", "g'(X)", "X: n x p; g: func", "X"},
	{"trace", "tr(A*X)", "A: p x n; X: n x p", "X"},
	{"det", "det(X)", "X: n x n", "X"},
	{"logdet", "logdet(X)", "X: n x n", "X"},
	{"logdet-spd", "logdet(X)", "X: spd n x n", "X"},
	{"sum", "sum(X .* X)", "X: n x p", "X"},
	{"diag-vec-to-mat", "diag(x)", "x: n", "x"},
	{"diag-mat-to-vec", "diag(X)", "X: n x n", "X"},
	{"logsumexp", "logsumexp(x)", "x: n", "x"},
	{"softmax", "softmax(x)", "x: n", "x"},
	{"norm-fro", "||X||_F", "X: n x p", "X"},
	{"norm-fro-sq", "||X||_F^2", "X: n x p", "X"},
	{"norm-vec", "norm(x)", "x: n", "x"},
	{"norm-cube", "||x||^3", "x: n", "x"},
	{"inner", "<A, X>", "A: n x p; X: n x p", "X"},
	{"inner-self", "<X, X>", "X: n x p", "X"},
	{"bcast-scalar", "X + a", "X: n x p; a: scalar", "a"},
	{"bcast-row", "X + r", "X: n x p; r: 1 x p", "r"},
	{"bcast-col", "X .* c", "X: n x p; c: n", "c"},
	{"sym-var", "x'*S*x", "x: n; S: sym n x n", "S"},
	{"spd-inverse", "tr(inv(P)*A)", "P: spd n x n; A: n x n", "P"},
	{"pos-var", "sum(log(w))", "w: pos n", "w"},
}

// TestRules checks, for every rule, the differential against central finite
// differences and, for a scalar f (or sum of a matrix f), the gradient the
// adjoint pass derives from it.
func TestRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			p := program(t, tc.src, tc.let)
			v := p.Var(tc.wrt)
			df, err := rules.Differential(p.Root, v, nil)
			if err != nil {
				t.Fatalf("Differential: %v", err)
			}
			opts := numeric.Options{Seed: 7, Draws: 3}
			for _, d := range []*ast.Node{df, simplify.Simplify(df)} {
				rep, err := numeric.CheckDifferential(p.Root, d, v, p, opts)
				if err != nil || !rep.OK {
					t.Fatalf("differential %s: rel err %g, %v", ast.Dump(d), rep.RelErr, err)
				}
			}
			// Reduce a matrix-valued f to a scalar to exercise every adjoint.
			f := p.Root
			if !f.IsScalar() {
				f = builtin.Sum.Of(ast.Hadamard(f, f))
			}
			dfs, err := rules.Differential(f, v, nil)
			if err != nil {
				t.Fatal(err)
			}
			delta := ast.Delta(v.Name, v.Shape)
			sf := simplify.New()
			g, err := sf.Gradient(sf.Simplify(dfs), delta, nil)
			if err != nil {
				t.Fatalf("Gradient: %v", err)
			}
			if v.Props&(ast.Symmetric|ast.PosDef) != 0 {
				g = sf.Symmetrize(g)
			}
			if g.Shape != v.Shape {
				t.Fatalf("gradient shape %v, want %v", g.Shape, v.Shape)
			}
			rep, err := numeric.CheckGradient(f, g, v, p, opts)
			if err != nil || !rep.OK {
				t.Fatalf("gradient %s: rel err %g, %v", ast.Dump(g), rep.RelErr, err)
			}
		})
	}
}

// TestRulesCatchWrongAnswers makes sure the numeric check above can fail:
// a wrong differential (a missing transpose) is rejected.
func TestRulesCatchWrongAnswers(t *testing.T) {
	p := program(t, "tr(A*X)", "A: p x n; X: n x p")
	v := p.Var("X")
	delta := ast.Delta("X", v.Shape)
	rep, _ := numeric.CheckDifferential(p.Root, builtin.Trace.Of(ast.Mul(delta, p.Var("A"))), v, p, numeric.Options{Seed: 1})
	if !rep.OK {
		t.Fatalf("tr(Δ·A) rejected: %g", rep.RelErr)
	}
	rep, _ = numeric.CheckGradient(p.Root, p.Var("A"), v, p, numeric.Options{Seed: 1})
	if rep.OK {
		t.Fatalf("gradient A (want Aᵀ) accepted, rel err %g", rep.RelErr)
	}
}
