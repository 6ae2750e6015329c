package render

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/builtin"
)

func TestTemps(t *testing.T) {
	W1 := ast.Var("W1", ast.Mat(dp, dn), 0)
	W2 := ast.Var("W2", ast.Mat(dq, dp), 0)
	X := ast.Var("X", ast.Mat(dn, dn), 0)
	h := builtin.Tanh.Of(ast.Mul(W1, X)) // shared below
	// ∇_W1 ‖W2·tanh(W1·X) − Y‖²_F
	grad := ast.Mul(ast.Int(2), ast.Hadamard(
		ast.Add(ast.Broadcast(ast.Int(1), h.Shape), neg(pow(h, 2))),
		ast.Mul(tr(W2), ast.Add(ast.Mul(W2, h), neg(vY)))), tr(X))
	inv := ast.Inverse(vA)
	tests := []struct {
		name  string
		roots []*ast.Node
		want  []string // the temporaries, in ASCII
	}{
		{"shared-activation", []*ast.Node{grad}, []string{"tanh(W1*X)"}},
		{"unshared", []*ast.Node{ast.Mul(vB, vX)}, nil},
		{"leaves", []*ast.Node{ast.Add(vA, vA, tr(vA), tr(vA), neg(vA), neg(vA))}, nil},
		{"small", []*ast.Node{ast.Mul(neg(inv), ast.Delta("A", vA.Shape), inv)}, nil},
		// a small node used once in each of two roots keeps printing in full,
		// so that a root prints the same with or without the other
		{"across-roots-small", []*ast.Node{ast.Mul(vA, vC), builtin.Exp.Of(ast.Mul(vA, vC))}, nil},
		{"across-roots-big", []*ast.Node{grad, ast.Mul(ast.Int(3), grad)}, []string{"tanh(W1*X)", "(1 - T1.^2) .* (W2'*(W2*T1 - Y))"}},
		{"same-parent-twice", []*ast.Node{ast.Hadamard(ast.Mul(vA, vC), ast.Mul(vA, vC))}, []string{"A*C"}},
		{"nested", []*ast.Node{ast.Hadamard(
			builtin.Exp.Of(ast.Add(ast.Mul(vA, vC), vS)),
			builtin.Exp.Of(ast.Add(ast.Mul(vA, vC), vS)),
			ast.Mul(vA, vC))}, []string{"A*C", "exp(T1 + S)"}},
		{"unary-chain", []*ast.Node{ast.Hadamard(
			builtin.Exp.Of(builtin.Exp.Of(builtin.Exp.Of(vA))),
			builtin.Exp.Of(builtin.Exp.Of(builtin.Exp.Of(vA))))}, []string{"exp(exp(exp(A)))"}},
		{"division-by-temporary", []*ast.Node{ast.Add(
			ast.Mul(vx, ast.Pow(ast.Mul(tr(vx), vx), ast.Int(-1))),
			ast.Mul(vy, ast.Pow(ast.Mul(tr(vx), vx), ast.Int(-1))))}, []string{"x'*x"}},
		{"nil-root", []*ast.Node{nil, grad}, []string{"tanh(W1*X)"}},
	}
	for _, tc := range tests {
		temps := Temps(tc.roots...)
		nm := NewNames(temps)
		var got []string
		for _, tmp := range temps {
			got = append(got, nm.ASCII(tmp))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: Temps = %q, want %q", tc.name, got, tc.want)
		}
	}
	nm := NewNames(Temps(grad))
	if got, want := nm.Text(grad, Plain()), "2·((1 − T₁∘²) ⊙ (W2ᵀ·(W2·T₁ − Y)))·Xᵀ"; got != want {
		t.Errorf("Names.Text(grad) = %q, want %q", got, want)
	}
	if got, want := nm.LaTeX(grad), `2 \left(\left(1 - T_{1}^{\circ 2}\right) \odot \left(W_{2}^{\top} \left(W_{2} T_{1} - Y\right)\right)\right) X^{\top}`; got != want {
		t.Errorf("Names.LaTeX(grad) = %q, want %q", got, want)
	}
	if got, want := nm.Name(h), "T1"; got != want {
		t.Errorf("Names.Name(h) = %q, want %q", got, want)
	}
	if got := nm.Name(vA); got != "" {
		t.Errorf("Names.Name(A) = %q, want \"\"", got)
	}
}

// deepDAG returns b_k where b_0 = X and b_{i+1} = tanh(W·b_i) ⊙ b_i: a DAG
// of 4k+2 nodes whose tree has about 2^k.
func deepDAG(k int) *ast.Node {
	W := ast.Var("W", ast.Mat(dn, dn), 0)
	b := ast.Var("X", ast.Mat(dn, dn), 0)
	for range k {
		b = ast.Hadamard(builtin.Tanh.Of(ast.Mul(W, b)), b)
	}
	return b
}

// TestTempsDeep checks that a deep shared DAG prints in linear size.
func TestTempsDeep(t *testing.T) {
	const depth = 30
	root := deepDAG(depth)
	temps := Temps(root)
	if len(temps) != depth-1 {
		t.Fatalf("len(Temps) = %d, want %d", len(temps), depth-1)
	}
	nm := NewNames(temps)
	total := utf8.RuneCountInString(nm.Text(root, Plain()))
	for i, tmp := range temps {
		def := nm.Text(tmp, Plain())
		total += utf8.RuneCountInString(def)
		want := "X"
		if i > 0 {
			want = "T" + subscript(fmt.Sprint(i))
		}
		if got := fmt.Sprintf("tanh(W·%s) ⊙ %s", want, want); def != got {
			t.Errorf("T%d = %q, want %q", i+1, def, got)
		}
	}
	if total > 25*depth {
		t.Errorf("printed size %d for depth %d, want linear (≤ %d)", total, depth, 25*depth)
	}
	if got, want := nm.ASCII(root), "tanh(W*T29) .* T29"; got != want {
		t.Errorf("ASCII(root) = %q, want %q", got, want)
	}
	// The whole document stays small too.
	W := ast.Var("W", ast.Mat(dn, dn), 0)
	r := &ast.Result{
		Program:     &ast.Program{Root: builtin.Sum.Of(root), Vars: []*ast.Node{W, ast.Var("X", ast.Mat(dn, dn), 0)}},
		Derivatives: []ast.Derivative{{Wrt: W, Gradient: root}},
	}
	for _, f := range []Format{FormatText, FormatASCII, FormatLaTeX, FormatNumPy, FormatJSON} {
		var sb strings.Builder
		if err := Write(&sb, r, f, TextOptions{}); err != nil {
			t.Fatalf("Write(%s): %v", f, err)
		}
		if n := sb.Len(); n > 400*depth {
			t.Errorf("Write(%s) wrote %d bytes for depth %d, want linear", f, n, depth)
		}
	}
}
