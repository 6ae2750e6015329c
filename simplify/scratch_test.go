package simplify_test

import (
	"testing"

	"github.com/mdiff/mdiff/ast"
	"github.com/mdiff/mdiff/rules"
	"github.com/mdiff/mdiff/simplify"
)

func TestScratch(t *testing.T) {
	Y := ast.Var("Y", ast.Mat("q", "n"), 0)
	B := ast.Var("B", ast.Mat("q", "p"), 0)
	X := ast.Var("X", ast.Mat("p", "n"), 0)
	r := ast.Add(Y, ast.Mul(ast.Int(-1), ast.Mul(B, X)))
	f := ast.Pow(ast.Reduce(ast.KNorm, r), ast.Int(2))
	df, err := rules.Differential(f, B, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := simplify.Gradient(df, ast.Delta("B", B.Shape), nil)
	t.Log(ast.Dump(simplify.Simplify(df)))
	t.Log(ast.Dump(g), err)
	x := ast.Var("x", ast.Vec("n"), 0)
	A := ast.Var("A", ast.Mat("n", "n"), 0)
	S := ast.Var("S", ast.Mat("n", "n"), ast.Symmetric)
	for _, M := range []*ast.Node{A, S} {
		f := ast.Mul(ast.Transpose(x), M, x)
		df, _ := rules.Differential(f, x, nil)
		g, err := simplify.Gradient(df, ast.Delta("x", x.Shape), nil)
		t.Log(ast.Dump(simplify.Simplify(df)), " | ", ast.Dump(g), err)
	}
	Xs := ast.Var("X", ast.Mat("n", "n"), 0)
	f = ast.Reduce(ast.KLogdet, Xs)
	df, _ = rules.Differential(f, Xs, nil)
	g, err = simplify.Gradient(df, ast.Delta("X", Xs.Shape), nil)
	t.Log(ast.Dump(g), err)
	P := ast.Var("P", ast.Mat("n", "n"), ast.PosDef)
	f = ast.Reduce(ast.KLogdet, P)
	df, _ = rules.Differential(f, P, nil)
	g, err = simplify.Gradient(df, ast.Delta("P", P.Shape), nil)
	t.Log(ast.Dump(simplify.Symmetrize(g)), err)
}
