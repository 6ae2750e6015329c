package simplify_test

import (
	"github.com/mdiff/mdiff"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/numeric"
	"github.com/mdiff/mdiff/render"
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

func gradient(t testing.TB, p *ast.Program, wrt string) *ast.Node {
	t.Helper()
	v := p.Var(wrt)
	df, err := rules.Differential(p.Root, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	sf := simplify.New()
	g, err := sf.Gradient(sf.Simplify(df), ast.Delta(v.Name, v.Shape), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Props&(ast.Symmetric|ast.PosDef) != 0 {
		g = sf.Symmetrize(g)
	}
	return g
}

// TestCanonicalGradients pins the gradient a person would write (issue 2's
// list) and proves each one numerically.
func TestCanonicalGradients(t *testing.T) {
	tests := []struct{ src, let, wrt, want string }{
		{"||Y - B*X||_F^2", "Y: q x n; B: q x p; X: p x n", "B", "2*(B*X - Y)*X'"},
		{"x'*A*x", "x: n; A: n x n", "x", "(A + A')*x"},
		{"x'*A*x", "x: n; A: sym n x n", "x", "2*A*x"},
		{"<B, Ω*B>", "B: q x p; Ω: q x q", "B", "(Omega + Omega')*B"},
		{"<B, Ω*B>", "B: q x p; Ω: sym q x q", "B", "2*Omega*B"},
		{"||Y - X*B||_F^2", "Y: n x q; X: n x p; B: p x q", "B", "2*X'*(X*B - Y)"},
		{"||g(X*W) - Y||_F^2", "X: m x n; W: n x p; Y: m x p; g: func", "W", "2*X'*((g(X*W) - Y) .* g'(X*W))"},
		{"logdet(X)", "X: n x n", "X", "inv(X')"},
		{"logdet(X)", "X: spd n x n", "X", "inv(X)"},
		{"logdet(X)", "X: sym n x n", "X", "inv(X)"},
		{"||X - D*R||_F^2", "X: m x n; D: m x k; R: k x n", "D", "2*(D*R - X)*R'"},
		{"||X - D*R||_F^2", "X: m x n; D: m x k; R: k x n", "R", "2*D'*(D*R - X)"},
		{"tr(A*X*B)", "A: m x n; X: n x p; B: p x m", "X", "A'*B'"},
		{"x^3", "x: scalar", "x", "3*x^2"},
		{"a'*G*a", "a: n; G: n x n", "G", "a*a'"},
		{"sum(X)", "X: n x p", "X", "ones"},
		{"tr(X^3)", "X: n x n", "X", "3*(X')^2"},
		{"sum(diag(X))", "X: n x n", "X", "I"},
		{"logsumexp(x)", "x: n", "x", "softmax(x)"},
	}
	for _, tt := range tests {
		t.Run(tt.src+"/"+tt.wrt, func(t *testing.T) {
			p := program(t, tt.src, tt.let)
			g := gradient(t, p, tt.wrt)
			if got := render.ASCII(g); got != tt.want {
				t.Errorf("gradient of %s wrt %s = %s, want %s", tt.src, tt.wrt, got, tt.want)
			}
			for _, bad := range []string{"tr(", "<", "I'", "''", "1*"} {
				if strings.Contains(render.ASCII(g), bad) && tt.want != "I" {
					t.Errorf("gradient %s holds %q", render.ASCII(g), bad)
				}
			}
			rep, err := numeric.CheckGradient(p.Root, g, p.Var(tt.wrt), p, numeric.Options{Seed: 3})
			if err != nil || !rep.OK {
				t.Fatalf("gradient %s: relative error %g, %v", render.ASCII(g), rep.RelErr, err)
			}
		})
	}
}

// TestIdempotent checks Simplify(Simplify(e)) == Simplify(e) and that
// simplification preserves the value.
func TestIdempotent(t *testing.T) {
	srcs := []string{
		"(A*B)' + B'*A'", "2*X + 2*X - X", "X - X", "(X')' + I*X*I", "-(-(A - B))",
		"tr(A' + B) + tr(B')", "A*inv(A)*B", "x'*y + y'*x", "(X .* Y)' ./ (Y' .* Y')",
		"exp(X')' + exp(X)", "2*(3*A)/4", "sum(3*X) + <ones, X>", "A*(B + C) - A*B",
	}
	for _, src := range srcs {
		p := program(t, src, "A: n x n; B: n x n; C: n x n; X: n x n; Y: pos n x n; x: n; y: n")
		s := simplify.Simplify(p.Root)
		if s2 := simplify.Simplify(s); s2 != s {
			t.Errorf("Simplify not idempotent on %s: %s then %s", src, render.ASCII(s), render.ASCII(s2))
		}
		env := numeric.RandomEnv(rand.New(rand.NewPCG(1, 2)), p, nil)
		a, err1 := numeric.Eval(p.Root, env)
		b, err2 := numeric.Eval(s, env)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", src, err1, err2)
		}
		if d := maxAbsDiff(a.RawMatrix().Data, b.RawMatrix().Data); d > 1e-9 {
			t.Errorf("Simplify changed the value of %s (→ %s) by %g", src, render.ASCII(s), d)
		}
	}
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		if d > m {
			m = d
		}
	}
	return m
}

func BenchmarkDeepGradient(b *testing.B) {
	src := "x"
	for range 40 {
		src = "tanh(W*" + src + ")"
	}
	p := program(b, "sum("+src+")", "W: n x n; x: n")
	for b.Loop() {
		gradient(b, p, "W")
	}
}

// TestExpandIfSmaller pins the binary cross-entropy gradient, which needs
// Hadamard products distributed over sums and collected.
func TestExpandIfSmaller(t *testing.T) {
	p := program(t, "-y'*log(sigmoid(X*w)) - (1 - y)'*log(1 - sigmoid(X*w))", "X: m x n; y: m; w: n")
	g := gradient(t, p, "w")
	if got, want := render.ASCII(g), "X'*(sigmoid(X*w) - y)"; got != want {
		t.Errorf("gradient = %s, want %s", got, want)
	}
	rep, err := numeric.CheckGradient(p.Root, g, p.Var("w"), p, numeric.Options{Seed: 5})
	if err != nil || !rep.OK {
		t.Fatalf("gradient %s: relative error %g, %v", render.ASCII(g), rep.RelErr, err)
	}
}
