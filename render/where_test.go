package render

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

func TestTextWhere(t *testing.T) {
	src := "2*((tanh(W*X) - Y) .* (1 - tanh(W*X).^2))*X'"
	decls, err := parser.ParseDecls("W: m x n; X: n x k; Y: m x k")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := ast.Check(src, parser.MustParse(src), decls)
	if err != nil {
		t.Fatal(err)
	}
	want := "2·((T₁ − Y) ⊙ (1 − T₁∘²))·Xᵀ where T₁ = tanh(W·X)"
	if got := TextWhere(prog.Root, Plain()); got != want {
		t.Errorf("TextWhere = %q, want %q", got, want)
	}
	nm := NewNames(Temps(prog.Root))
	if got, want := nm.ASCIIWhere(prog.Root), "2*((T1 - Y) .* (1 - T1.^2))*X' where T1 = tanh(W*X)"; got != want {
		t.Errorf("ASCIIWhere = %q, want %q", got, want)
	}
	x := ast.Transpose(ast.Var("X", ast.Mat("n", "k"), 0))
	if got := TextWhere(x, Plain()); got != "Xᵀ" {
		t.Errorf("TextWhere(Xᵀ) = %q: no temporaries, no where", got)
	}
}
