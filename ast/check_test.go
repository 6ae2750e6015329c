package ast_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// check parses src and the declarations decls (one --let value) and checks them.
func check(src, decls string) (*ast.Program, error) {
	e, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	ds, err := parser.ParseDecls(decls)
	if err != nil {
		return nil, err
	}
	return ast.Check(src, e, ds)
}

// varList prints Program.Vars as "x:n A:n×n[sym]".
func varList(p *ast.Program) string {
	var parts []string
	for _, v := range p.Vars {
		s := v.Name + ":" + v.Shape.String()
		var props []string
		if v.Props&ast.Symmetric != 0 {
			props = append(props, "sym")
		}
		if v.Props&ast.PosDef != 0 {
			props = append(props, "pd")
		}
		if v.Props&ast.Positive != 0 {
			props = append(props, "pos")
		}
		if len(props) > 0 {
			s += "[" + strings.Join(props, ",") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestCheck(t *testing.T) {
	tests := []struct {
		src, decls string
		dump       string // ast.Dump(Root)
		shape      string // Root.Shape
		vars       string // Program.Vars
	}{
		// The public examples.
		{"x'*A*x", "x: n; A: n x n", "(* (T x) A x)", "scalar", "x:n A:n×n"},
		{"A*M*B", "A: m x q; M: q x p; B: p x r", "(* A M B)", "m×r", "A:m×q M:q×p B:p×r"},
		{"||B||_F^2", "B: q x p", "(.^ (norm B) 2)", "scalar", "B:q×p"},
		{"<B, Ω*B>", "B: q x p; Ω: sym q x q", "(inner B (* Ω B))", "scalar", "B:q×p Ω:q×q[sym]"},
		{"x^3", "x: scalar", "(.^ x 3)", "scalar", "x:scalar"},
		{"||Y - B*X||_F^2", "Y: q x n; B: q x p; X: p x n", "(.^ (norm (+ Y (* -1 (* B X)))) 2)", "scalar", "Y:q×n B:q×p X:p×n"},
		{"||Y - X*B||_F^2", "Y: n x q; B: p x q; X: n x p", "(.^ (norm (+ Y (* -1 (* X B)))) 2)", "scalar", "Y:n×q X:n×p B:p×q"},
		{"||g(X*W) - Y||_F^2", "g: func; X: n x p; W: p x q; Y: n x q", "(.^ (norm (+ (apply g (* X W)) (* -1 Y))) 2)", "scalar", "X:n×p W:p×q Y:n×q"},

		// Inference of undeclared names.
		{"x'*A*x", "", "(* (T x) A x)", "scalar", "x:n A:n×n"},
		{"A*x", "", "(* A x)", "n", "A:n×m x:m"},
		{"tr(A*X*B)", "", "(tr (* A X B))", "scalar", "A:n×m X:m×p B:p×n"},
		{"x^3", "", "(.^ x 3)", "scalar", "x:scalar"},
		{"x*a", "", "(* x a)", "n", "x:n a:scalar"},
		{"a*B", "B: n x p", "(* a B)", "n×p", "a:scalar B:n×p"},
		{"λ*X + Σ", "", "(+ (* λ X) Σ)", "n×m", "λ:scalar X:n×m Σ:n×m"},
		{"A*x", "B: n x m", "(* A x)", "p", "A:p×q x:q"},       // fresh names avoid declared sizes
		{"n'*A*n", "", "(* (T n) A n)", "scalar", "n:m A:m×m"}, // … and names of the expression
		{"x/t", "", "(* x (.^ t -1))", "n", "x:n t:scalar"},
		{"t^p", "", "(.^ t p)", "scalar", "t:scalar p:scalar"},
		{"log(det(X))", "", "(log (det X))", "scalar", "X:n×n"},
		{"diag(x)", "", "(diag x)", "n×n", "x:n"},
		{"diag(X)", "", "(diag X)", "n", "X:n×n"},
		{"y'*A*x + x'*y", "", "(+ (* (T y) A x) (* (T x) y))", "scalar", "y:n A:n×n x:n"},

		// Broadcasting.
		{"X + b", "X: n x p", "(+ X (bcast b))", "n×p", "X:n×p b:n"},
		{"X + r", "X: n x p; r: 1 x p", "(+ X (bcast r))", "n×p", "X:n×p r:1×p"},
		{"c + r", "c: n; r: 1 x p", "(+ (bcast c) (bcast r))", "n×p", "c:n r:1×p"},
		{"X .* c", "X: n x p; c: n", "(.* X (bcast c))", "n×p", "X:n×p c:n"},
		{"r ./ X", "X: n x p; r: 1 x p", "(./ (bcast r) X)", "n×p", "r:1×p X:n×p"},
		{"X - 1", "X: n x p", "(+ X (bcast -1))", "n×p", "X:n×p"},
		{"2 + x", "x: n", "(+ (bcast 2) x)", "n", "x:n"},
		{"X - c", "X: n x p; c: n", "(+ X (bcast (* -1 c)))", "n×p", "X:n×p c:n"},
		{"a + b", "a: scalar; b: scalar", "(+ a b)", "scalar", "a:scalar b:scalar"},

		// Products, quotients and folding.
		{"2*A", "A: n x p", "(* 2 A)", "n×p", "A:n×p"},
		{"A*2", "A: n x p", "(* A 2)", "n×p", "A:n×p"},
		{"-2*x", "x: n", "(* -2 x)", "n", "x:n"},
		{"-A*B", "A: n x p; B: p x q", "(* -1 A B)", "n×q", "A:n×p B:p×q"},
		{"A/t", "A: n x p; t: scalar", "(* A (.^ t -1))", "n×p", "A:n×p t:scalar"},
		{"1/t", "t: scalar", "(.^ t -1)", "scalar", "t:scalar"},
		{"2/4 + 3*2 - 1", "", "11/2", "scalar", ""},
		{"x'*y", "x: n; y: n", "(* (T x) y)", "scalar", "x:n y:n"},
		{"x*y'", "x: n; y: m", "(* x (T y))", "n×m", "x:n y:m"},

		// Powers, inverses, constants.
		{"A^2 + I", "A: n x n", "(+ (^2 A) I[n×n])", "n×n", "A:n×n"},
		{"X^0", "X: n x n", "I[n×n]", "n×n", ""},
		{"X^-2", "X: n x n", "(^2 (inv X))", "n×n", "X:n×n"},
		{"inv(t)", "t: scalar", "(.^ t -1)", "scalar", "t:scalar"},
		{"t^-1", "t: scalar", "(.^ t -1)", "scalar", "t:scalar"},
		{"(x'*x)^2", "x: n", "(.^ (* (T x) x) 2)", "scalar", "x:n"},
		{"A*I", "A: n x p", "(* A I[p×p])", "n×p", "A:n×p"},
		{"I + A", "A: n x n", "(+ I[n×n] A)", "n×n", "A:n×n"},
		{"ones'*x", "x: n", "(* (T ones[n]) x)", "scalar", "x:n"},
		{"X*𝟙", "X: n x p", "(* X ones[p])", "n", "X:n×p"},
		{"A*𝟙", "", "(* A ones[m])", "n", "A:n×m"},
		{"ones'*x", "", "(* (T ones[n]) x)", "scalar", "x:n"},
		{"sum(ones .* X)", "X: n x p", "(sum (.* ones[n×p] X))", "scalar", "X:n×p"},
		{"A^{-1}*b", "A: n x n", "(* (inv A) b)", "n", "A:n×n b:n"},
		{"2^x", "x: scalar", "(.^ 2 x)", "scalar", "x:scalar"},

		// Functions.
		{"h(X) + g(X) + h'(X)", "g: func; h: func", "(+ (apply h X) (apply g X) (apply h' X))", "n×m", "X:n×m"},
		{"exp(x) .* sigmoid(x)", "x: n", "(.* (exp x) (sigmoid x))", "n", "x:n"},
		{"norm(x, 2)", "x: n", "(norm x)", "scalar", "x:n"},
		{"norm(r, 2)", "r: 1 x n", "(norm r)", "scalar", "r:1×n"},
		{"softmax(W*x)", "W: n x p", "(softmax (* W x))", "n", "W:n×p x:p"},
		{"logsumexp(x)", "x: n", "(logsumexp x)", "scalar", "x:n"},
		{"diag(x)*A", "A: n x p", "(* (diag x) A)", "n×p", "x:n A:n×p"},
		{"sum(X)", "X: n x p", "(sum X)", "scalar", "X:n×p"},
		{"tr(S*P) + sum(w)", "S: sym n; P: spd n; w: pos n", "(+ (tr (* S P)) (sum w))", "scalar", "S:n×n[sym] P:n×n[sym,pd] w:n[pos]"},
		{"x'*x", "x: n; A: n x n", "(* (T x) x)", "scalar", "x:n"}, // A is unused
	}
	for _, tt := range tests {
		p, err := check(tt.src, tt.decls)
		if err != nil {
			t.Errorf("Check(%q) with %q: %v", tt.src, tt.decls, err)
			continue
		}
		if got := ast.Dump(p.Root); got != tt.dump {
			t.Errorf("Check(%q) with %q = %s, want %s", tt.src, tt.decls, got, tt.dump)
		}
		if got := p.Root.Shape.String(); got != tt.shape {
			t.Errorf("Check(%q) with %q: shape %s, want %s", tt.src, tt.decls, got, tt.shape)
		}
		if got := varList(p); got != tt.vars {
			t.Errorf("Check(%q) with %q: vars %s, want %s", tt.src, tt.decls, got, tt.vars)
		}
		if p.Src != tt.src {
			t.Errorf("Check(%q): Src = %q", tt.src, p.Src)
		}
	}
}

func TestCheck_funcs(t *testing.T) {
	p, err := check("h(X) + g(X) + h'(X) + exp(X)", "g: func; h: func; k: func")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(p.Funcs), "[h g]"; got != want {
		t.Errorf("Funcs = %s, want %s", got, want)
	}
	if p.Var("X") == nil || p.Var("g") != nil {
		t.Errorf("Var(X) = %v, Var(g) = %v", p.Var("X"), p.Var("g"))
	}
}

// TestCheck_sharing checks that equal subexpressions are one node.
func TestCheck_sharing(t *testing.T) {
	p, err := check("tr(X*X) + tr(X*X)", "X: n x n")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := p.Root.Args[0], p.Root.Args[1]; a != b {
		t.Errorf("tr(X*X) is not shared: %p, %p", a, b)
	}
}

func TestCheck_error(t *testing.T) {
	tests := []struct{ src, decls, want string }{
		{"A*x", "A: n x p; x: n", "shape mismatch in A*x: A is n×p but x has n rows\n  A*x\n  ^ ^\n  A: n×p\n  x: n"},
		{"A + B", "A: n x p; B: p x n", "shape mismatch in A + B: A is n×p but B is p×n\n  A + B\n  ^   ^\n  A: n×p\n  B: p×n"},
		{"(A + B)*x", "A: n x p; x: n", "shape mismatch in (A + B)*x: (A + B) is n×p but x has n rows\n  (A + B)*x\n  ^~~~~~~ ^\n  (A + B): n×p\n  x: n"},
		{"x'*A*x", "x: n; A: n x p", "shape mismatch in x'*A*x: x'*A is 1×p but x has n rows\n  x'*A*x\n  ^~~~ ^\n  x'*A: 1×p\n  x: n"},
		{"<A, x>", "A: n x p; x: n", "shape mismatch in <A, x>: A is n×p but x is n×1\n  <A, x>\n   ^  ^\n  A: n×p\n  x: n"},
		{"X + Y", "X: 2 x 3; Y: 3 x 2", "shape mismatch in X + Y: X is 2×3 but Y is 3×2\n  X + Y\n  ^   ^\n  X: 2×3\n  Y: 3×2"},
		{"tr(X)", "X: n x p", "tr needs a square matrix, but X is n×p\n  tr(X)\n     ^\n  X: n×p"},
		{"det(X'*Y)", "X: n x p; Y: n x q", "det needs a square matrix, but X'*Y is p×q\n  det(X'*Y)\n      ^~~~\n  X'*Y: p×q"},
		{"inv(X)", "X: n x p", "inv needs a square matrix, but X is n×p\n  inv(X)\n      ^\n  X: n×p"},
		{"A^2", "A: n x p", "matrix power needs a square matrix, but A is n×p (for an elementwise power write A.^2)\n  A^2\n  ^\n  A: n×p"},
		{"x^2", "x: n", "matrix power needs a square matrix, but x is n×1 (for an elementwise power write x.^2)\n  x^2\n  ^\n  x: n"},
		{"A^-1", "A: n x p", "the inverse needs a square matrix, but A is n×p (for an elementwise power write A.^-1)\n  A^-1\n  ^\n  A: n×p"},
		{"A^p", "A: n x n; p: scalar", "matrix power needs an integer exponent, but p is declared \"p: scalar\" (for a symbolic power declare p: int; for an elementwise power write A.^p)\n  A^p\n    ^"},
		{"A^0.5", "A: n x n", "matrix power needs an integer exponent (for an elementwise power write A.^0.5)\n  A^0.5\n  ^ ^~~\n  A: n×n"},
		{"A^1000", "A: n x n", "matrix power exponent 1000 is too large (at most 100)\n  A^1000\n    ^~~~"},
		{"t^x", "t: scalar; x: n", "the exponent must be a scalar, but x is n×1\n  t^x\n    ^\n  x: n"},
		{"x / y", "x: n; y: n", "division by a non-scalar in x / y: y is n×1 (for an elementwise quotient write ./)\n  x / y\n      ^\n  y: n"},
		{"x/0", "x: n", "division by zero\n  x/0\n    ^"},
		{"x./(1-1)", "x: n", "division by zero\n  x./(1-1)\n     ^~~~~"},
		{"||X||_2", "X: n x p", "the spectral norm ‖X‖₂ of a matrix is not supported; use ‖X‖_F\n  ||X||_2\n  ^~~~~~~\n  X: n×p"},
		{"norm(X, 2)", "X: n x p", "the spectral norm ‖X‖₂ of a matrix is not supported; use ‖X‖_F\n  norm(X, 2)\n  ^~~~~~~~~~\n  X: n×p"},
		{"norm(X, 'nuc')", "X: n x p", "unsupported norm: write norm(x), norm(x, 2) or norm(X, 'fro')\n  norm(X, 'nuc')\n          ^~~~~"},
		{"norm(X, 1)", "X: n x p", "unsupported norm: write norm(x), norm(x, 2) or norm(X, 'fro')\n  norm(X, 1)\n          ^"},
		{"softmax(X)", "X: n x p", "softmax needs a column vector, but X is n×p\n  softmax(X)\n          ^\n  X: n×p"},
		{"logsumexp(r)", "r: 1 x n", "logsumexp needs a column vector, but r is 1×n\n  logsumexp(r)\n            ^\n  r: 1×n"},
		{"diag(r)", "r: 1 x n", "diag needs a column vector or a square matrix, but r is 1×n\n  diag(r)\n       ^\n  r: 1×n"},
		{"f(X)", "", "unknown function f (declare f: func)\n  f(X)\n  ^"},
		{"2*foo(x)", "", "unknown function foo (declare foo: func)\n  2*foo(x)\n    ^~~"},
		{"tr(A, B)", "", "tr takes 1 argument, got 2\n  tr(A, B)\n  ^~~~~~~~"},
		{"tr()", "", "tr takes 1 argument, got 0\n  tr()\n  ^~~~"},
		{"norm(x, 2, 3)", "", "norm takes 1 or 2 arguments, got 3\n  norm(x, 2, 3)\n  ^~~~~~~~~~~~~"},
		{"g + 1", "g: func", "g is a function; call it as g(…)\n  g + 1\n  ^"},
		{"exp + 1", "", "exp is a function; call it as exp(…)\n  exp + 1\n  ^~~"},
		{"X(Y)", "X: n x n", "X is a variable, not a function (a product needs \"*\")\n  X(Y)\n  ^"},
		{"exp'(x)", "", "exp': only a declared generic function (g: func) has a derivative written g'\n  exp'(x)\n  ^~~"},
		{"I(3)", "", "I is a constant sized by context, not a function\n  I(3)\n  ^"},
		{"tr('fro')", "", "a quoted word is only allowed as the second argument of norm, as in norm(X, 'fro')\n  tr('fro')\n     ^~~~~"},
		{"x + y", "x: n; y: m", "shape mismatch in x + y: x is n×1 but y is m×1\n  x + y\n  ^   ^\n  x: n\n  y: m"},
		{"A*B", "A: n x p; B: 1 x q", "shape mismatch in A*B: A is n×p but B has 1 row\n  A*B\n  ^ ^\n  A: n×p\n  B: 1×q"},
	}
	for _, tt := range tests {
		_, err := check(tt.src, tt.decls)
		var aerr *ast.Error
		if !errors.As(err, &aerr) {
			t.Errorf("Check(%q) with %q = %v, want an *ast.Error", tt.src, tt.decls, err)
			continue
		}
		if aerr.Src != tt.src {
			t.Errorf("Check(%q): error Src = %q", tt.src, aerr.Src)
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("Check(%q) with %q error:\n%s\nwant:\n%s", tt.src, tt.decls, got, tt.want)
		}
	}
}

func TestCheck_declError(t *testing.T) {
	tests := []struct {
		decls []string // one --let value each
		want  string
	}{
		{[]string{"X: n x p", "Y: n; X: p x n"}, "X is declared twice (first as \"X: n x p\")\n  Y: n; X: p x n\n        ^~~~~~~~"},
		{[]string{"X: n x p; X: n"}, "X is declared twice (first as \"X: n x p\")\n  X: n x p; X: n\n            ^~~~"},
		{[]string{"tr: n x n"}, "tr is a built-in function; it cannot be declared\n  tr: n x n\n  ^~"},
		{[]string{"exp: func"}, "exp is a built-in function; it cannot be declared\n  exp: func\n  ^~~"},
		{[]string{"x: n; I: n x n"}, "I is the identity matrix, sized by context; it cannot be declared\n  x: n; I: n x n\n        ^"},
		{[]string{"ones: n"}, "ones is the all-ones matrix, sized by context; it cannot be declared\n  ones: n\n  ^~~~"},
	}
	for _, tt := range tests {
		var ds []ast.Decl
		for _, s := range tt.decls {
			d, err := parser.ParseDecls(s)
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, d...)
		}
		e := parser.MustParse("x")
		_, err := ast.Check("x", e, ds)
		if err == nil {
			t.Errorf("Check with %q: no error", tt.decls)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("Check with %q error:\n%s\nwant:\n%s", tt.decls, got, tt.want)
		}
	}
}
