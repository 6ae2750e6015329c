package ast_test

import (
	"fmt"
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/parser"
)

func TestSmoke(t *testing.T) {
	for _, s := range [][2]string{
		{"A*x", ""}, {"x'*A*x", "x: n; A: n x n"}, {"||Y - B*X||_F^2", "Y: q x n; B: q x p; X: p x n"},
		{"A*x", "A: n x p; x: n"}, {"inv(X)", "X: n x n"}, {"<B, Ω*B>", "B: q x p; Ω: sym q x q"},
		{"x^3", "x: scalar"}, {"x^3", ""}, {"A^-1", ""}, {"A^2 + I", ""}, {"tr(A*X*B)", ""},
		{"log(det(X))", ""}, {"g'(X) + g(X)", "g: func"}, {"f(X)", ""}, {"X + b", "X: n x p"}, {"A - 2", ""},
		{"x/2", ""}, {"x/t", ""}, {"2/3", ""}, {"||X||_2", ""}, {"norm(x, 2)", ""}, {"A .^ 2", ""}, {"t^p", ""},
		{"x^(p-1)", ""}, {"A^p", "A: n x n"}, {"diag(x)", ""}, {"diag(X)", ""}, {"softmax(x)", ""}, {"logsumexp(X)", "X: n x p"},
		{"X: n x p", ""}, {"sum(ones)", ""}, {"x'*y", ""}, {"A*B", "A: n x p; B: q x r"}, {"A+B", "A: n x p; B: q x r"},
		{"-2", ""}, {"-x", ""}, {"A⁻ᵀ", ""}, {"λ*X", ""}, {"a*B", "B: n x p"},
	} {
		e, err := parser.Parse(s[0])
		if err != nil {
			fmt.Println(s, "PARSE", err)
			continue
		}
		decls, err := parser.ParseDecls(s[1])
		if err != nil {
			fmt.Println(s, "DECL", err)
			continue
		}
		p, err := ast.Check(s[0], e, decls)
		if err != nil {
			fmt.Printf("%q: %v\n", s, err)
			continue
		}
		fmt.Printf("%q: %s : %v |", s, ast.Dump(p.Root), p.Root.Shape)
		for _, v := range p.Vars {
			fmt.Printf(" %s:%v", v.Name, v.Shape)
		}
		fmt.Println(" funcs", p.Funcs)
	}
}
