package parser_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

// sexpr prints a syntax tree with the positions of its leaves and operators.
func sexpr(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return fmt.Sprintf("%s@%d", e.Name, e.NamePos)
	case *ast.NumLit:
		return fmt.Sprintf("%s@%d", e.Value.RatString(), e.ValuePos)
	case *ast.StrLit:
		return fmt.Sprintf("'%s'@%d", e.Value, e.QuotePos)
	case *ast.Unary:
		return fmt.Sprintf("(neg@%d %s)", e.OpPos, sexpr(e.X))
	case *ast.Binary:
		op := map[ast.BinOp]string{ast.OpAdd: "+", ast.OpSub: "-", ast.OpMul: "*", ast.OpDiv: "/",
			ast.OpHadamard: ".*", ast.OpElemDiv: "./"}[e.Op]
		return fmt.Sprintf("(%s@%d %s %s)", op, e.OpPos, sexpr(e.X), sexpr(e.Y))
	case *ast.Tick:
		return fmt.Sprintf("(T %s)", sexpr(e.X))
	case *ast.Power:
		op := "^"
		if e.Elementwise {
			op = ".^"
		}
		return fmt.Sprintf("(%s@%d %s %s)", op, e.OpPos, sexpr(e.X), sexpr(e.Exp))
	case *ast.Call:
		var args []string
		for _, a := range e.Args {
			args = append(args, sexpr(a))
		}
		return fmt.Sprintf("(%s%s@%d %s)", e.Fun, strings.Repeat("'", e.Primes), e.FunPos, strings.Join(args, " "))
	case *ast.Norm:
		return fmt.Sprintf("(norm%s %s)", e.Sub, sexpr(e.X))
	case *ast.InnerProd:
		return fmt.Sprintf("(inner %s %s)", sexpr(e.X), sexpr(e.Y))
	case *ast.Paren:
		return fmt.Sprintf("(paren %s)", sexpr(e.X))
	}
	return fmt.Sprintf("?%T", e)
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
		pos, end ast.Pos // span of the root
	}{
		{"A*B'", "(*@1 A@0 (T B@2))", 0, 4},
		{"-x^2", "(neg@0 (^@2 x@1 2@3))", 0, 4},
		{"-A*B", "(*@2 (neg@0 A@1) B@3)", 0, 4},
		{"a/b*c", "(*@3 (/@1 a@0 b@2) c@4)", 0, 5},
		{"a-b-c", "(-@3 (-@1 a@0 b@2) c@4)", 0, 5},
		{"a+b*c", "(+@1 a@0 (*@3 b@2 c@4))", 0, 5},
		{"(a+b)*c", "(*@5 (paren (+@2 a@1 b@3)) c@6)", 0, 7},
		{"BX", "BX@0", 0, 2},
		{"x_1'*y2", "(*@4 (T x_1@0) y2@5)", 0, 7},
		{"A^2'", "(T (^@1 A@0 2@2))", 0, 4},
		{"A'^2", "(^@2 (T A@0) 2@3)", 0, 4},
		{"x^-1", "(^@1 x@0 (neg@2 1@3))", 0, 4},
		{"x^(p-1)", "(^@1 x@0 (paren (-@4 p@3 1@5)))", 0, 7},
		{"x^{p-1}", "(^@1 x@0 (-@4 p@3 1@5))", 0, 7},
		{"t^p", "(^@1 t@0 p@2)", 0, 3},
		{"t^p^2", "(^@3 (^@1 t@0 p@2) 2@4)", 0, 5},
		{"x^exp(y)", "(^@1 x@0 (exp@2 y@6))", 0, 8},
		{"A .^ 2", "(.^@2 A@0 2@5)", 0, 6},
		{"A.^(p)", "(.^@1 A@0 (paren p@4))", 0, 6},
		{"A.^T", "(.^@1 A@0 T@3)", 0, 4},
		{"A²", "(^@1 A@0 2@1)", 0, 3},
		{"A⁻¹", "(^@1 A@0 -1@1)", 0, 6},
		{"A⁻ᵀ", "(T (^@1 A@0 -1@1))", 0, 7},
		{"A^-T", "(T (^@2 A@0 -1@2))", 0, 4},
		{"A^{-\\top}", "(T (^@3 A@0 -1@3))", 0, 9},
		{"Aᵀ", "(T A@0)", 0, 4},
		{"g''(X)", "(g''@0 X@4)", 0, 6},
		{"g'(X)'", "(T (g'@0 X@3))", 0, 6},
		{"norm(X, 'fro')", "(norm@0 X@5 'fro'@8)", 0, 14},
		{"tr()", "(tr@0 )", 0, 4},
		{"||X||_F^2", "(^@7 (normF X@2) 2@8)", 0, 9},
		{"||x||_{2}", "(norm2 x@2)", 0, 9},
		{"||X||_fro", "(normfro X@2)", 0, 9},
		{"‖x‖₂", "(norm2 x@3)", 0, 10},
		{"||x||", "(norm x@2)", 0, 5},
		{"|| ||x|| * A ||", "(norm (*@9 (norm x@5) A@11))", 0, 15},
		{"<A, B>'", "(T (inner A@1 B@4))", 0, 7},
		{"⟨A, B⟩", "(inner A@3 B@6)", 0, 10},
		{"2.*A", "(.*@1 2@0 A@3)", 0, 4},
		{"2./A", "(./@1 2@0 A@3)", 0, 4},
		{".5*x", "(*@2 1/2@0 x@3)", 0, 4},
		{"2.5E+4", "25000@0", 0, 6},
		{"1e-3", "1/1000@0", 0, 4},
		{"2. * x", "(*@3 2@0 x@5)", 0, 6},
		{"𝟙'*x", "(*@5 (T ones@0) x@6)", 0, 7},
		{"λ·Ω", "(*@2 λ@0 Ω@4)", 0, 6},
		{"A ⊙ B ⊘ C", "(./@8 (.*@2 A@0 B@6) C@12)", 0, 13},
		{"a − −b", "(-@2 a@0 (neg@6 b@9))", 0, 10},
		{"x'", "(T x@0)", 0, 2},
		{"2'", "(T 2@0)", 0, 2},
		{"(x)'", "(T (paren x@1))", 0, 4},
		{"x''", "(T (T x@0))", 0, 3},
	}
	for _, tt := range tests {
		e, err := parser.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := sexpr(e); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if e.Pos() != tt.pos || e.End() != tt.end {
			t.Errorf("Parse(%q) spans [%d, %d), want [%d, %d)", tt.in, e.Pos(), e.End(), tt.pos, tt.end)
		}
	}
}

// typed parses and checks src under the declarations decls.
func typed(src, decls string) (*ast.Program, error) {
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

// TestSpellings checks that every accepted spelling means what it should:
// each group of inputs lowers to one typed expression.
func TestSpellings(t *testing.T) {
	tests := []struct {
		decls string
		want  string // ast.Dump of every input
		ins   []string
	}{
		{"A: n x n", "(T A)", []string{"A'", "Aᵀ", "A^T", "A^\\top", "A^{\\top}", "A^{T}", "A.'", "(A)'"}},
		{"A: n x n", "(inv A)", []string{"inv(A)", "A^-1", "A^{-1}", "A⁻¹", "A^(-1)", "A^−1", "A^(1-2)"}},
		{"A: n x n", "(T (inv A))", []string{"A⁻ᵀ", "A^-T", "A^{-T}", "A^{-\\top}", "inv(A)'", "A^-1'"}},
		{"A: n x n", "(^2 A)", []string{"A^2", "A²", "A^{2}", "A^(2)", "A^(1+1)", "A^(4/2)"}},
		{"A: n x n", "(^3 A)", []string{"A³", "A^3", "A^{3}"}},
		{"A: n x n", "(^2 (inv A))", []string{"A^-2", "A⁻²", "A^{-2}"}},
		{"A: n x n", "I[n×n]", []string{"A^0", "A⁰"}},
		{"A: n x n", "A", []string{"A^1", "A¹", "(A)"}},
		{"t: scalar; p: scalar", "(.^ t p)", []string{"t^p", "t.^p", "t^{p}", "t^(p)"}},
		{"x: scalar; p: scalar", "(.^ x (+ p -1))", []string{"x^(p-1)", "x^{p-1}", "x^(p − 1)"}},
		{"A: n x p", "(.^ A 2)", []string{"A .^ 2", "A.^2", "A.^(2)", "A.^{2}"}},
		{"A: n x p; p: scalar", "(.^ A p)", []string{"A.^(p)", "A .^ p"}},
		{"A: n x p; B: n x p", "(inner A B)", []string{"<A, B>", "⟨A, B⟩", "<A,B>", "⟨ A , B ⟩"}},
		{"x: n", "(norm x)", []string{"norm(x)", "norm(x, 2)", "||x||_2", "||x||", "‖x‖₂", "‖x‖", "||x||_{2}", "‖x‖_2", "||x||_F"}},
		{"X: n x p", "(norm X)", []string{"norm(X, 'fro')", "norm(X,'F')", "norm(X)", "||X||_F", "||X||_fro", "||X||_{F}", "‖X‖_F", "||X||"}},
		{"X: n x p", "(.^ (norm X) 2)", []string{"||X||_F^2", "‖X‖_F²", "norm(X, 'fro')^2", "||X||_{F}^{2}", "‖X‖²_F", "||X||²_F"}},
		{"x: n", "(.^ (norm x) 2)", []string{"||x||^2", "||x||²", "‖x‖₂²", "||x||_2^2"}},
		{"A: n x n", "(tr A)", []string{"tr(A)", "trace(A)", "tr((A))"}},
		{"A: n x n", "(det A)", []string{"det(A)"}},
		{"A: n x n", "(logdet A)", []string{"logdet(A)"}},
		{"A: n x n", "(log (det A))", []string{"log(det(A))"}},
		{"A: n x p", "(sum A)", []string{"sum(A)"}},
		{"x: n", "(diag x)", []string{"diag(x)"}},
		{"A: n x n", "(diag A)", []string{"diag(A)"}},
		{"x: n", "(logsumexp x)", []string{"logsumexp(x)"}},
		{"x: n", "(softmax x)", []string{"softmax(x)"}},
		{"g: func; X: n x p", "(apply g X)", []string{"g(X)"}},
		{"g: func; X: n x p", "(apply g' X)", []string{"g'(X)", "g' (X)"}},
		{"g: func; X: n x p", "(apply g'' X)", []string{"g''(X)"}},
		{"A: n x p; B: n x p", "(+ A (* -1 B))", []string{"A - B", "A − B", "A + -B", "A+(-B)"}},
		{"A: n x p; B: p x q", "(* A B)", []string{"A * B", "A·B", "A*B"}},
		{"A: n x p; B: n x p", "(.* A B)", []string{"A .* B", "A ⊙ B", "A.*B"}},
		{"A: n x p; B: n x p", "(./ A B)", []string{"A ./ B", "A ⊘ B", "A./B"}},
		{"A: n x p", "(.* (bcast 2) A)", []string{"2.*A", "2 .* A"}},
		{"A: n x p", "(* 2 A)", []string{"2*A", "2·A", "2 * A"}},
		{"A: n x p", "(* A 1/2)", []string{"A/2", "A*0.5", "A*.5", "A/(1+1)", "A*5e-1"}},
		{"x: n", "(* -1 x)", []string{"-x", "−x", "(-x)"}},
		{"", "-2", []string{"-2", "−2", "-(2)", "(-2)"}},
		{"", "1/1000", []string{"1e-3", "0.001", "1E-3", ".001", "10e-4"}},
		{"", "25000", []string{"2.5E+4", "2.5e4", "25000", "25000."}},
		{"x: n", "(* (T ones[n]) x)", []string{"ones'*x", "𝟙'*x", "𝟙ᵀ*x"}},
		{"λ: scalar; Ω: q x q", "(* λ Ω)", []string{"λ*Ω", "λ·Ω"}},
		{"x: n", "(sign x)", []string{"sign(x)"}},
		{"x: n", "(step x)", []string{"step(x)"}},
	}
	for _, tt := range tests {
		for _, in := range tt.ins {
			p, err := typed(in, tt.decls)
			if err != nil {
				t.Errorf("Check(%q) with %q: %v", in, tt.decls, err)
				continue
			}
			if got := ast.Dump(p.Root); got != tt.want {
				t.Errorf("Check(%q) with %q = %s, want %s", in, tt.decls, got, tt.want)
			}
		}
	}
}

func TestElementwiseFuncs(t *testing.T) {
	for _, op := range ast.Ops() {
		if !op.Elementwise {
			continue
		}
		fn := op.Name
		p, err := typed(fn+"(X)", "X: n x p")
		if err != nil {
			t.Errorf("%s(X): %v", fn, err)
			continue
		}
		if got, want := ast.Dump(p.Root), "("+fn+" X)"; got != want {
			t.Errorf("%s(X) = %s, want %s", fn, got, want)
		}
	}
}

func TestParse_error(t *testing.T) {
	tests := []struct{ in, want string }{
		{"A * * B", "unexpected \"*\", expected an operand\n  A * * B\n      ^"},
		{"*A", "unexpected \"*\", expected an operand\n  *A\n  ^"},
		{"tr(A", "unclosed \"(\"\n  tr(A\n    ^"},
		{"(A + (B)", "unclosed \"(\"\n  (A + (B)\n  ^"},
		{"||x", "unclosed \"||\"\n  ||x\n  ^~"},
		{"<A, B", "unclosed \"<\"\n  <A, B\n  ^"},
		{"A +", "unexpected end of input, expected an operand\n  A +\n     ^"},
		{"A^", "unexpected end of input, expected an operand\n  A^\n    ^"},
		{"", "empty expression\n  \n  ^"},
		{"  ", "empty expression\n    \n    ^"},
		{"A)", "unmatched \")\"\n  A)\n   ^"},
		{"x||", "unmatched \"||\"\n  x||\n   ^~"},
		{"$", "unknown character \"$\"\n  $\n  ^"},
		{"A × B", "unknown character \"×\"\n  A × B\n    ^"},
		{"2x", "unexpected \"x\", expected an operator such as \"*\"\n  2x\n   ^"},
		{"A B", "unexpected \"B\", expected an operator such as \"*\"\n  A B\n    ^"},
		{"(A)(B)", "unexpected \"(\", expected an operator such as \"*\"\n  (A)(B)\n     ^"},
		{"||x||_1", "unknown norm subscript \"1\" (write _2 or _F)\n  ||x||_1\n        ^"},
		{"||x||_", "unexpected end of input, expected a norm subscript such as F or 2\n  ||x||_\n        ^"},
		{"norm(X, 'fro", "unclosed quote\n  norm(X, 'fro\n          ^~~~"},
		{"A \\cdot B", "unknown command \"\\cdot\" (only \\top and \\Delta are understood)\n  A \\cdot B\n    ^~~~~"},
		{"\\top", "unexpected \"\\top\" (it is only understood as an exponent: A^\\top)\n  \\top\n  ^~~~"},
		{"<A, B⟩", "unexpected \"⟩\", expected \">\" to close \"<\"\n  <A, B⟩\n       ^"},
		{"|x|", "unknown character \"|\" (write ||x|| for a norm, abs(x) for an absolute value)\n  |x|\n  ^"},
		{"1e99999", "number 1e99999 is out of range\n  1e99999\n  ^~~~~~~"},
		{"A ⁻ B", "unknown character \"⁻\" (write ⁻¹, ⁻ᵀ or ^-k)\n  A ⁻ B\n    ^"},
		{"'fro'", "unexpected \"'fro'\", expected an operand\n  'fro'\n  ^~~~~"},
		{"f(x,)", "unexpected \")\", expected an operand\n  f(x,)\n      ^"},
		{"Δ ↦ x", "unknown character \"↦\"\n  Δ ↦ x\n    ^"},
		{"A\x00", "unknown character \"\\x00\"\n  A\x00\n   ^"},
		{"\xff", "invalid UTF-8 byte in expression\n  \xff\n  ^"},
	}
	for _, tt := range tests {
		_, err := parser.Parse(tt.in)
		var aerr *ast.Error
		if !errors.As(err, &aerr) {
			t.Errorf("Parse(%q) = %v, want an *ast.Error", tt.in, err)
			continue
		}
		if aerr.Src != tt.in {
			t.Errorf("Parse(%q): error Src = %q", tt.in, aerr.Src)
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("Parse(%q) error:\n%s\nwant:\n%s", tt.in, got, tt.want)
		}
	}
}

// TestDeepNesting checks that deep inputs are rejected with an error, not a
// stack overflow, and that moderately deep ones still parse.
func TestDeepNesting(t *testing.T) {
	const n = 100000
	deep := []string{
		strings.Repeat("(", n) + "x" + strings.Repeat(")", n),
		strings.Repeat("-", n) + "x",
		strings.Repeat("−", n) + "x",
		"x" + strings.Repeat("'", n),
		"x" + strings.Repeat("ᵀ", n),
		strings.Repeat("x^", n) + "x",
		strings.Repeat("exp(", n) + "x" + strings.Repeat(")", n),
		strings.Repeat("||", n) + "x" + strings.Repeat("||", n),
		strings.Repeat("<x, ", n) + "x" + strings.Repeat(">", n),
		strings.Repeat("x^{", n) + "x" + strings.Repeat("}", n),
		strings.Repeat("-(", n) + "x" + strings.Repeat(")", n),
		strings.Repeat("(", n),
	}
	for _, src := range deep {
		_, err := parser.Parse(src)
		if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("Parse(%.20q…) = %v, want a nesting error", src, err)
		}
	}
	ok := []string{
		strings.Repeat("(", 400) + "x" + strings.Repeat(")", 400),
		strings.Repeat("-", 900) + "x",
		strings.Repeat("x + ", 20000) + "x", // long, but flat
		strings.Repeat("tr(", 300) + "X" + strings.Repeat(")", 300),
	}
	for _, src := range ok {
		if _, err := typed(src, ""); err != nil {
			t.Errorf("Check(%.20q…): %v", src, err)
		}
	}
}
